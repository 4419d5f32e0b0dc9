"""Settings pages of the feature: 送信元の情報 (sender facts for letters) and Zendesk, and the
dialog that holds them. Pages take the settings and expose edited values; the dialog never
touches the keyring or the network (接続テスト is a signal, its answer comes back)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TodokuError
from app.core.letters.sender_check import clean_domain, domain_problem, ips_problem, split_ips
from app.core.storage.secrets import ZENDESK_TOKEN, mask_secret
from app.core.storage.settings import AppSettings
from app.ui.letters import letter_texts as texts
from app.ui.safe_text import plain_label
from app.ui.secret_writes import save_showing_progress
from app.ui.widgets.fitted_note import FittedNote, field_error_note
from app.ui.widgets.screen_fit import fit_height_to_content, resize_within_screen

PAGE_SENDER, PAGE_ZENDESK = 0, 1


def _note(text: str) -> QWidget:
    # Broken between sentences, not inside a word, and as tall as its lines (FittedNote).
    label = FittedNote(text)
    label.setStyleSheet("color: #555;")
    return label


class SenderFactsPage(QWidget):
    """送信元の情報: what letters say about the sender; empty stays empty (a visible mark).

    The sending domain and IP addresses are checked as they are typed (``sender_check``): a
    wrong one is named in red under its field and the dialog does not save it, since a letter
    asks the recipient's IT desk to allow exactly these values."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.org_edit = self._edit(settings.sender_org_name, texts.SENDER_ORG_HINT)
        self.domain_edit = self._edit(settings.sender_domain, texts.SENDER_DOMAIN_HINT)
        self.ips_edit = self._edit(settings.sender_ips, texts.SENDER_IPS_HINT)
        self.contact_edit = self._edit(settings.sender_contact, texts.SENDER_CONTACT_HINT)
        self.auth_edit = self._edit(settings.sender_auth_status, texts.SENDER_AUTH_HINT)
        self.domain_error = field_error_note()
        self.ips_error = field_error_note()
        form = QFormLayout(self)
        form.addRow(_note(texts.SENDER_NOTE))
        form.addRow(texts.SENDER_ORG, self.org_edit)
        form.addRow(texts.SENDER_DOMAIN, self.domain_edit)
        form.addRow("", self.domain_error)
        form.addRow(texts.SENDER_IPS, self.ips_edit)
        form.addRow("", self.ips_error)
        form.addRow(texts.SENDER_CONTACT, self.contact_edit)
        form.addRow(texts.SENDER_AUTH, self.auth_edit)
        self.domain_edit.textChanged.connect(self._on_domain_changed)
        self.ips_edit.textChanged.connect(self._on_ips_changed)
        # A value saved before these checks (or edited by hand) is named at once.
        self._on_domain_changed(self.domain_edit.text())
        self._on_ips_changed(self.ips_edit.text())

    @staticmethod
    def _edit(value: str, hint: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setPlaceholderText(hint)
        edit.setMinimumWidth(380)
        return edit

    @staticmethod
    def _show(label: QLabel, problem: str) -> None:
        label.setText(problem)
        label.setVisible(bool(problem))

    @Slot(str)
    def _on_domain_changed(self, text: str) -> None:
        self._show(self.domain_error, domain_problem(text))

    @Slot(str)
    def _on_ips_changed(self, text: str) -> None:
        self._show(self.ips_error, ips_problem(text))

    def first_problem_field(self) -> QLineEdit | None:
        """The first field whose value cannot go into a letter; None when all can."""
        if domain_problem(self.domain_edit.text()):
            return self.domain_edit
        if ips_problem(self.ips_edit.text()):
            return self.ips_edit
        return None

    def apply(self, settings: AppSettings) -> AppSettings:
        return settings.replace(
            sender_org_name=self.org_edit.text().strip(),
            sender_domain=clean_domain(self.domain_edit.text()),
            sender_ips=", ".join(split_ips(self.ips_edit.text())),
            sender_contact=self.contact_edit.text().strip(),
            sender_auth_status=self.auth_edit.text().strip(),
        )


class ZendeskPage(QWidget):
    """Zendesk: subdomain, agent e-mail, API token (masked; stored only in the keyring),
    requester option and 接続テスト.

    Signals:
        test_requested: (subdomain, email, token typed or "" for the saved one).
    """

    test_requested = Signal(str, str, str)

    def __init__(
        self,
        settings: AppSettings,
        *,
        saved_token: str,
        key_store_where_ja: str,
        practice: bool,
        token_loading: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._has_saved_token = False
        self._clear_token = False
        self.subdomain_edit = QLineEdit(settings.zendesk_subdomain)
        self.subdomain_edit.setPlaceholderText(texts.ZENDESK_SUBDOMAIN_HINT)
        self.email_edit = QLineEdit(settings.zendesk_email)
        self.email_edit.setPlaceholderText("agent@example.co.jp")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.clear_token_button = QPushButton(texts.ZENDESK_CLEAR_TOKEN)
        self.clear_token_button.clicked.connect(self._on_clear_token_clicked)
        self.store_note = FittedNote()  # its lines' height: its size hint left a blank band
        self.store_note.setStyleSheet("color: #555;")
        self.requester_check = QCheckBox(texts.ZENDESK_REQUESTER)
        self.requester_check.setToolTip(texts.ZENDESK_REQUESTER_TIP)
        self.requester_check.setChecked(settings.zendesk_requester_is_recipient)
        self.test_button = QPushButton(texts.ZENDESK_TEST)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.test_result = plain_label(texts.ZENDESK_TEST_PRACTICE if practice else "")
        self.test_result.setWordWrap(True)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.clear_token_button)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        form = self._form = QFormLayout(self)
        form.addRow(_note(texts.ZENDESK_NOTE))
        form.addRow(texts.ZENDESK_SUBDOMAIN, self.subdomain_edit)
        form.addRow(texts.ZENDESK_EMAIL, self.email_edit)
        form.addRow(texts.ZENDESK_TOKEN, token_row)
        form.addRow("", self.store_note)
        form.addRow(self.requester_check)
        form.addRow(_note(texts.ZENDESK_REQUESTER_TIP))
        form.addRow(test_row)
        self.token_loading = token_loading
        if token_loading:  # the keyring may be slow: shown when a job has read it
            self.token_edit.setPlaceholderText(texts.ZENDESK_TOKEN_LOADING)
            self.clear_token_button.setEnabled(False)
            self.store_note.setText(texts.ZENDESK_STORE.format(where="…"))
        else:
            self.show_saved_token(mask_secret(saved_token), key_store_where_ja)

    def show_saved_token(self, masked_token: str | None, where_ja: str) -> None:
        """The saved token, masked ("" none saved; None the keyring could not be read)."""
        self.token_loading = False
        if self._clear_token:
            return  # the operator already chose to remove it
        self._has_saved_token = masked_token is None or bool(masked_token)
        if masked_token is None:
            placeholder = texts.ZENDESK_TOKEN_UNREADABLE
        elif masked_token:
            placeholder = texts.ZENDESK_TOKEN_SAVED.format(masked=masked_token)
        else:
            placeholder = texts.ZENDESK_TOKEN_NONE
        self.token_edit.setPlaceholderText(placeholder)
        self.token_edit.setToolTip(placeholder)  # a long placeholder is cut in the field
        self.clear_token_button.setEnabled(bool(masked_token))
        self.store_note.setText(texts.ZENDESK_STORE.format(where=where_ja))
        self._make_room()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._make_room()  # the answer may have come while 送信元の情報 was shown

    def _make_room(self) -> None:
        """Grow the window by what the page lacks at its width. The keyring answers after the
        dialog is sized for 「…」: where the OS has no store the note is two lines, and the
        window did not grow, so every note on the page was squeezed below its lines."""
        lacking = self._form.totalHeightForWidth(self.width()) - self.height()
        window = self.window()
        if lacking > 0 and window is not self and window.isVisible():
            resize_within_screen(window, window.width(), window.height() + lacking)

    def apply(self, settings: AppSettings) -> AppSettings:
        return settings.replace(
            zendesk_subdomain=self.subdomain_edit.text().strip(),
            zendesk_email=self.email_edit.text().strip(),
            zendesk_requester_is_recipient=self.requester_check.isChecked(),
        )

    def new_token(self) -> str | None:
        """The token to store: None = keep the saved one, "" = remove it."""
        typed = self.token_edit.text().strip()
        if typed:
            return typed
        return "" if self._clear_token else None

    def show_test_result(self, outcome: dict | TodokuError) -> None:
        self.test_button.setEnabled(True)
        if isinstance(outcome, TodokuError):
            self.test_result.setStyleSheet("color: #c62828;")
            self.test_result.setText(f"{outcome.message_ja}\n{outcome.next_step_ja}")
            return
        self.test_result.setStyleSheet("color: #1b5e20;")
        self.test_result.setText(
            texts.ZENDESK_TEST_OK.format(
                name=str(outcome.get("name", "")), email=str(outcome.get("email", ""))
            )
        )

    @Slot()
    def _on_test_clicked(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(texts.ZENDESK_TESTING)
        token = "" if self._clear_token else self.token_edit.text().strip()
        self.test_requested.emit(self.subdomain_edit.text(), self.email_edit.text(), token)

    @Slot()
    def _on_clear_token_clicked(self) -> None:
        self._clear_token = True
        self._has_saved_token = False
        self.token_edit.clear()
        self.token_edit.setPlaceholderText(texts.ZENDESK_TOKEN_NONE)
        self.clear_token_button.setEnabled(False)


class ContactSettingsDialog(QDialog):
    """Both pages in tabs; ``result_settings`` and ``new_token`` are the outcome."""

    def __init__(
        self,
        settings: AppSettings,
        *,
        saved_token: str,
        key_store_where_ja: str,
        practice: bool,
        page: int = PAGE_SENDER,
        token_loading: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.CONTACT_SETTINGS_TITLE)
        self.setMinimumWidth(620)
        self._settings = settings
        self._fitted = False
        self.sender_page = SenderFactsPage(settings)
        self.zendesk_page = ZendeskPage(
            settings,
            saved_token=saved_token,
            key_store_where_ja=key_store_where_ja,
            practice=practice,
            token_loading=token_loading,
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(self.sender_page, texts.PAGE_SENDER)
        self.tabs.addTab(self.zendesk_page, texts.PAGE_ZENDESK)
        self.tabs.setCurrentIndex(page)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(texts.SAVE_BUTTON)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(texts.CANCEL_BUTTON)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        # A keyring that refused the token: said here, and the dialog stays open as typed.
        self.save_error = plain_label()
        self.save_error.setWordWrap(True)
        self.save_error.setVisible(False)
        # Set by the controller: writes the token (off the GUI thread) when 保存 is clicked
        # and returns the keyring's refusal; None: the caller writes it afterwards.
        self.write_token: Callable[[dict[str, str]], TodokuError | None] | None = None
        self.token_written = False
        self.saving = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.save_error)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the first size was reckoned for a narrower width: too tall
            self._fitted = True
            fit_height_to_content(self)

    def result_settings(self) -> AppSettings:
        return self.zendesk_page.apply(self.sender_page.apply(self._settings))

    def new_token(self) -> str | None:
        return self.zendesk_page.new_token()

    def token_changes(self) -> dict[str, str]:
        """The keyring write saving makes: {} when the token is unchanged ("" removes it)."""
        token = self.new_token()
        return {} if token is None else {ZENDESK_TOKEN: token}

    @Slot()
    def _on_save_clicked(self) -> None:
        wrong = self.sender_page.first_problem_field()
        if wrong is not None:  # the red line under the field says why; nothing is saved
            self.tabs.setCurrentWidget(self.sender_page)
            wrong.setFocus()
            return
        changes = self.token_changes()
        write_token = self.write_token
        if write_token is not None and changes:
            self.saving = True
            try:
                self.token_written = save_showing_progress(
                    self.save_error, self.buttons, texts.SAVING_TOKEN,
                    lambda: write_token(changes),
                )  # fmt: skip
            finally:
                self.saving = False
            if not self.token_written:
                return
        self.accept()

    def reject(self) -> None:
        if self.saving:  # the keyring write runs: the dialog closes when it has ended
            return
        super().reject()
