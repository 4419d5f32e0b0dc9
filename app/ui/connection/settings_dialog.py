"""SettingsDialog: SendGrid key (masked), region, subuser, connection test, LLM endpoint."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TodokuError
from app.core.storage.secrets import LLM_KEY, SENDGRID_KEY, mask_secret
from app.core.storage.settings import AppSettings
from app.core.types import ListPermissions
from app.ui import texts
from app.ui.safe_text import plain_label
from app.ui.secret_writes import save_showing_progress
from app.ui.widgets.fitted_note import field_error_note
from app.ui.widgets.screen_fit import TITLE_BAR_ALLOWANCE
from app.ui.widgets.sentence_label import SentenceLabel
from app.ui.widgets.test_outcome import show_test_outcome


def here(next_step_ja: str) -> str:
    """A next step read inside the settings dialog: "設定画面で" is this very dialog."""
    return next_step_ja.replace("アプリの設定画面", "この画面").replace("設定画面", "この画面")


class SettingsDialog(QDialog):
    """Takes the current settings and masked keys; exposes the edited values.

    It never reads or writes the SecretStore and never calls a service: the connection test is
    requested through a signal and its result handed back with ``show_test_result``. With
    ``keys_loading`` it opens before the keys are read (the keyring may be slow) and says so
    until ``show_saved_keys`` gives them.

    Signals:
        test_requested: (api_key or "" for the saved key, region, subuser).
    """

    test_requested = Signal(str, str, str)

    def __init__(
        self,
        settings: AppSettings,
        *,
        saved_sendgrid_key: str,
        saved_llm_key: str,
        keys_persistent: bool,
        key_store_where_ja: str,
        sendgrid_key_unreadable: bool = False,
        keys_loading: bool = False,
        practice: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.SETTINGS_TITLE)
        # Practice mode asks the built-in AI imitation whatever the AI fields hold: switching
        # AI on there needs no URL or model, but fields being filled in for 本番 are checked.
        self._practice = practice
        self.setMinimumWidth(640)  # wider, not taller: fits 768 px with every section open
        self._settings = settings
        self._has_saved_key = False
        self._clear_key = False
        self.keys_loading = keys_loading

        # SendGrid
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(texts.SETTINGS_API_KEY_PLACEHOLDER)
        self.show_key = QCheckBox(texts.SETTINGS_SHOW)
        self.show_key.toggled.connect(self._on_show_key_toggled)
        self.saved_key_label = plain_label()
        self.clear_key_button = QPushButton(texts.SETTINGS_CLEAR_KEY)
        self.clear_key_button.clicked.connect(self._on_clear_key_clicked)
        self.region_combo = QComboBox()
        self.region_combo.addItem(texts.SETTINGS_REGION_GLOBAL, "global")
        self.region_combo.addItem(texts.SETTINGS_REGION_EU, "eu")
        self.region_combo.setCurrentIndex(max(0, self.region_combo.findData(settings.region)))
        self.subuser_edit = QLineEdit(settings.subuser)
        self.test_button = QPushButton(texts.SETTINGS_TEST)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.test_result = plain_label()
        self.test_result.setWordWrap(True)
        self.test_result.setVisible(False)  # no empty row until there is a result
        # One line about where keys are kept: where they are, or (no OS store) the warning,
        # which already says "in memory until the app closes".
        self.store_label = plain_label()
        self.store_label.setWordWrap(True)
        # Notes of several sentences break between them (at 1024 px 「ファイル／には」).
        self.store_warning = SentenceLabel(texts.SETTINGS_KEY_STORE_WARNING)
        self.store_warning.setStyleSheet("color: #b26a00;")

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        saved_row = QHBoxLayout()
        saved_row.addWidget(self.saved_key_label, 1)
        saved_row.addWidget(self.clear_key_button)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        sendgrid_form = QFormLayout()
        sendgrid_form.addRow(texts.SETTINGS_API_KEY, key_row)
        sendgrid_form.addRow("", saved_row)
        sendgrid_form.addRow(texts.SETTINGS_REGION, self.region_combo)
        sendgrid_form.addRow(texts.SETTINGS_SUBUSER, self.subuser_edit)
        sendgrid_form.addRow("", test_row)
        # Its own full-width row: beside the button a word-wrapped label was squeezed into a
        # narrow column and its 5 permission lines clipped until the dialog was resized.
        sendgrid_form.addRow(self.test_result)
        sendgrid_box = QGroupBox(texts.SETTINGS_SENDGRID)
        sendgrid_box.setLayout(sendgrid_form)

        # 詳細設定: folded away, as few operators need it; open when a URL is saved.
        self.base_url_edit = QLineEdit(settings.sendgrid_base_url)
        self.base_url_edit.setPlaceholderText(texts.SETTINGS_BASE_URL_PLACEHOLDER)
        # A keyring that refused the keys: said here, and the dialog stays open as typed.
        self.save_error = plain_label()
        self.save_error.setWordWrap(True)
        self.save_error.setStyleSheet("color: #c62828;")
        self.save_error.setVisible(False)
        # Set by whoever runs the dialog: writes the keys (off the GUI thread) when 保存 is
        # clicked and returns the keyring's refusal; None: the caller writes them afterwards.
        self.write_keys: Callable[[Mapping[str, str]], TodokuError | None] | None = None
        self.keys_written = False
        self.saving = False
        self.base_url_error = plain_label()
        self.base_url_error.setWordWrap(True)
        self.base_url_error.setStyleSheet("color: #c62828;")
        self.base_url_error.setVisible(False)
        base_url_note = SentenceLabel(texts.SETTINGS_BASE_URL_NOTE)
        base_url_note.setStyleSheet("color: #555;")
        advanced_form = QFormLayout()
        advanced_form.addRow(texts.SETTINGS_BASE_URL, self.base_url_edit)
        advanced_form.addRow(self.base_url_error)
        advanced_form.addRow(base_url_note)
        self.advanced_box = QGroupBox(texts.SETTINGS_ADVANCED)
        self.advanced_box.setCheckable(True)
        self.advanced_box.setChecked(bool(settings.sendgrid_base_url))
        self.advanced_box.setLayout(advanced_form)
        self._advanced_widgets = (self.base_url_edit, base_url_note)
        self._on_advanced_toggled(self.advanced_box.isChecked())
        self.advanced_box.toggled.connect(self._on_advanced_toggled)

        # LLM refinement (app/ui/ai/controller.py runs it after a fetch)
        self.llm_enabled = QCheckBox(texts.SETTINGS_LLM_ENABLED)
        self.llm_enabled.setChecked(settings.llm_enabled)
        self.llm_base_url = QLineEdit(settings.llm_base_url)
        self.llm_base_url.setPlaceholderText("https://api.openai.com/v1")
        self.llm_model = QLineEdit(settings.llm_model)
        self.llm_key_edit = QLineEdit()
        self.llm_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        # Checked as typed while AI is on, with the SendGrid URL's own rules (llm_setup).
        self.llm_url_error = field_error_note()
        self.llm_model_error = field_error_note()
        llm_form = QFormLayout()
        llm_form.addRow(self.llm_enabled)
        llm_form.addRow(texts.SETTINGS_LLM_BASE_URL, self.llm_base_url)
        llm_form.addRow("", self.llm_url_error)
        llm_form.addRow(texts.SETTINGS_LLM_MODEL, self.llm_model)
        llm_form.addRow("", self.llm_model_error)
        llm_form.addRow(texts.SETTINGS_LLM_KEY, self.llm_key_edit)
        self.llm_note = SentenceLabel(texts.SETTINGS_LLM_PRACTICE_NOTE)
        self.llm_note.setStyleSheet("color: #555;")
        llm_form.addRow(self.llm_note)
        llm_box = QGroupBox(texts.SETTINGS_LLM)
        llm_box.setLayout(llm_form)
        self.llm_enabled.toggled.connect(self._check_llm_fields)
        self.llm_base_url.textChanged.connect(self._check_llm_fields)
        self.llm_model.textChanged.connect(self._check_llm_fields)
        self._check_llm_fields()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        # The sections scroll above the buttons: on a short screen (1366×768 at 125 % leaves
        # 574 px) the dialog could not grow to every wrapped line, and a failed 接続テスト's
        # message was cut mid-line with no way to read the rest.
        body = QWidget()
        sections = self._sections_layout = QVBoxLayout(body)
        sections.setContentsMargins(0, 0, 0, 0)
        sections.addWidget(sendgrid_box)
        sections.addWidget(self.advanced_box)
        sections.addWidget(self.store_label)
        sections.addWidget(self.store_warning)
        sections.addWidget(llm_box)
        self._scroll = QScrollArea()
        self._scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._scroll.setWidgetResizable(True)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(body)
        self._scroll.setMinimumWidth(
            body.minimumSizeHint().width() + self._scroll.verticalScrollBar().sizeHint().width()
        )
        layout = self._main_layout = QVBoxLayout(self)
        layout.addWidget(self._scroll, 1)
        # Outside the scrolled sections: a refused save is read next to the 保存 it answers.
        layout.addWidget(self.save_error)
        layout.addWidget(buttons)

        if keys_loading:
            self.saved_key_label.setText(texts.SETTINGS_KEY_LOADING)
            self.llm_key_edit.setPlaceholderText(texts.SETTINGS_KEY_LOADING)
            self.clear_key_button.setEnabled(False)
            self.store_label.setText(texts.SETTINGS_KEY_STORE.format(where="…"))
            self.store_warning.setVisible(False)
        else:
            self.show_saved_keys(
                None if sendgrid_key_unreadable else mask_secret(saved_sendgrid_key),
                mask_secret(saved_llm_key),
                keys_persistent,
                key_store_where_ja,
            )

    def llm_problem_field(self) -> QLineEdit | None:
        """The first AI field that keeps AI on from working; None when none (or AI is off)."""
        url_problem, model_problem = self._llm_problems()
        if url_problem:
            return self.llm_base_url
        if model_problem:
            return self.llm_model
        return None

    def _llm_problems(self) -> tuple[str, str]:
        """(URL problem, model problem), "" each when fine or not checked."""
        from app.core.classify.llm_setup import llm_model_problem, llm_url_problem

        if not self.llm_enabled.isChecked():
            return "", ""
        url, model = self.llm_base_url.text(), self.llm_model.text()
        if self._practice and not url.strip() and not model.strip():
            return "", ""  # trying AI on the imitation; once a field is typed, both count
        return llm_url_problem(url), llm_model_problem(model)

    @Slot()
    def _check_llm_fields(self) -> None:
        """Say under each AI field what is wrong with it while AI is on (off: nothing is
        checked, the fields keep what was typed for later)."""
        url_problem, model_problem = self._llm_problems()
        changed = False
        for label, problem in (
            (self.llm_url_error, url_problem),
            (self.llm_model_error, model_problem),
        ):
            changed |= label.isVisible() != bool(problem) or label.text() != problem
            label.setText(problem)
            label.setVisible(bool(problem))
        if changed and self.isVisible():
            self._grow_to_fit()

    def show_saved_keys(
        self,
        masked_sendgrid_key: str | None,
        masked_llm_key: str | None,
        persistent: bool,
        where_ja: str,
    ) -> None:
        """What is saved, masked ("" none saved; None the keyring could not be read)."""
        self.keys_loading = False
        unreadable = masked_sendgrid_key is None
        # A key the keyring could not read may well be saved: never shown as 未設定.
        self._has_saved_key = unreadable or bool(masked_sendgrid_key)
        if self._clear_key:
            pass  # the operator already chose to remove it
        elif unreadable:
            self.saved_key_label.setText(texts.SETTINGS_KEY_UNREADABLE)
        elif masked_sendgrid_key:
            self.saved_key_label.setText(
                texts.SETTINGS_KEY_SAVED.format(masked=masked_sendgrid_key)
            )
        else:
            self.saved_key_label.setText(texts.SETTINGS_KEY_NONE)
        self.saved_key_label.setWordWrap(unreadable)
        # Removing needs the keyring too: offered only for a key it could read.
        self.clear_key_button.setEnabled(bool(masked_sendgrid_key) and not self._clear_key)
        self.llm_key_edit.setPlaceholderText(
            texts.SETTINGS_KEY_SAVED.format(masked=masked_llm_key)
            if masked_llm_key
            else texts.SETTINGS_KEY_NONE
        )
        self.store_label.setText(texts.SETTINGS_KEY_STORE.format(where=where_ja))
        self.store_label.setVisible(persistent)
        self.store_warning.setVisible(not persistent)
        if self.isVisible():
            self._grow_to_fit()

    # -- outcome -------------------------------------------------------------------------

    def typed_base_url(self) -> str:
        """The 詳細設定 URL as typed ("" when the section is folded: the region's host)."""
        return self.base_url_edit.text().strip() if self.advanced_box.isChecked() else ""

    def result_settings(self) -> AppSettings:
        from app.core.base_url import normalize_base_url

        return self._settings.replace(
            sendgrid_base_url=normalize_base_url(self.typed_base_url()),
            region=self.region_combo.currentData(),
            subuser=self.subuser_edit.text().strip(),
            llm_enabled=self.llm_enabled.isChecked(),
            llm_base_url=self.llm_base_url.text().strip(),
            llm_model=self.llm_model.text().strip(),
        )

    def new_sendgrid_key(self) -> str | None:
        """The key to store: None = keep the saved one, "" = remove it."""
        typed = self.key_edit.text().strip()
        if typed:
            return typed
        return "" if self._clear_key else None

    def new_llm_key(self) -> str | None:
        typed = self.llm_key_edit.text().strip()
        return typed or None

    def key_changes(self) -> dict[str, str]:
        """The keyring writes saving makes: name -> value ("" removes)."""
        changes: dict[str, str] = {}
        if (sendgrid_key := self.new_sendgrid_key()) is not None:
            changes[SENDGRID_KEY] = sendgrid_key
        if (llm_key := self.new_llm_key()) is not None:
            changes[LLM_KEY] = llm_key
        return changes

    # -- connection test -----------------------------------------------------------------

    def show_test_running(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(texts.SETTINGS_TESTING)
        self.test_result.setVisible(True)

    def show_test_result(self, outcome: tuple[ListPermissions, ...] | TodokuError) -> None:
        self.test_button.setEnabled(True)
        show_test_outcome(self.test_result, outcome, next_step=here)
        self._fit_test_result()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._grow_to_fit()

    def _fit_test_result(self) -> None:
        self.test_result.setVisible(True)
        self._grow_to_fit()

    def _grow_to_fit(self) -> None:
        """Grow the dialog so every word-wrapped line shows at once (a wrapped label's height
        depends on its width, which the dialog's minimum size does not account for), up to
        the screen's free height; past it the sections scroll."""
        layout = self._main_layout
        layout.activate()
        scroll_bar = self._scroll.verticalScrollBar().sizeHint().width()
        inner = max(self._scroll.viewport().width(), self._scroll.width() - scroll_bar)
        sections = self._sections_layout
        body = (
            sections.totalHeightForWidth(inner)
            if sections.hasHeightForWidth()
            else sections.totalSizeHint().height()
        )
        margins = layout.contentsMargins()
        needed = (
            margins.top()
            + body
            + layout.spacing()
            + self.buttons.sizeHint().height()
            + margins.bottom()
        )
        screen = self.screen()
        if screen is not None:
            needed = min(needed, screen.availableGeometry().height() - TITLE_BAR_ALLOWANCE)
        if needed > self.height():
            self.resize(self.width(), needed)
        free = screen.availableGeometry() if screen is not None else None
        if free is not None and self.frameGeometry().bottom() > free.bottom():
            self.move(self.x(), max(free.top(), free.bottom() - self.frameGeometry().height()))
        if self.test_result.isVisible():
            self._scroll.ensureWidgetVisible(self.test_result)

    @Slot()
    def _on_test_clicked(self) -> None:
        typed = self.key_edit.text().strip()
        if not typed and (not self._has_saved_key or self._clear_key):
            self.test_result.setStyleSheet("color: #c62828;")
            self.test_result.setText(texts.SETTINGS_TEST_NEEDS_KEY)
            self._fit_test_result()
            return
        self.show_test_running()
        self.test_requested.emit(typed, self.region_combo.currentData(), self.subuser_edit.text())

    @Slot(bool)
    def _on_advanced_toggled(self, shown: bool) -> None:
        for widget in self._advanced_widgets:
            widget.setVisible(shown)
        if not shown:
            self.base_url_error.setVisible(False)
        if self.isVisible():
            self._grow_to_fit()

    def base_url_problem(self) -> str:
        """The reason the typed URL cannot be saved (in Japanese); "" when it can."""
        from app.core.base_url import normalize_base_url
        from app.core.errors import InvalidInputError

        try:
            normalize_base_url(self.typed_base_url())
        except InvalidInputError as error:
            return error.message_ja
        return ""

    @Slot()
    def _on_save_clicked(self) -> None:
        """Save only a URL the key may be sent to; otherwise say why and stay open."""
        problem = self.base_url_problem()
        self.base_url_error.setText(problem)
        self.base_url_error.setVisible(bool(problem))
        self._grow_to_fit()
        if problem:
            self.base_url_edit.setFocus()
            return
        self._check_llm_fields()
        llm_field = self.llm_problem_field()
        if llm_field is not None:  # the red line under it says why; nothing is saved
            self._scroll.ensureWidgetVisible(llm_field)
            llm_field.setFocus()
            return
        if self.write_keys is not None and self.key_changes():
            self._write_keys()
            if not self.keys_written:
                return
        self.accept()

    def _write_keys(self) -> None:
        """Write the typed keys while the dialog waits (it keeps painting); on a refusal say
        so and stay open with everything as typed, so 保存 can be pressed again."""
        write_keys = self.write_keys
        assert write_keys is not None
        self.saving = True
        try:
            self.keys_written = save_showing_progress(
                self.save_error, self.buttons, texts.SETTINGS_SAVING_KEYS,
                lambda: write_keys(self.key_changes()),
            )  # fmt: skip
        finally:
            self.saving = False
        if not self.keys_written:
            self._grow_to_fit()

    def reject(self) -> None:
        if self.saving:  # the keyring write runs: the dialog closes when it has ended
            return
        super().reject()

    @Slot(bool)
    def _on_show_key_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_edit.setEchoMode(mode)

    @Slot()
    def _on_clear_key_clicked(self) -> None:
        self._clear_key = True
        self.key_edit.clear()
        self.saved_key_label.setText(texts.SETTINGS_KEY_NONE)
        self.clear_key_button.setEnabled(False)
