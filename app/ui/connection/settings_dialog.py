"""SettingsDialog: SendGrid key (masked), region, subuser, connection test, LLM endpoint."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
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
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TodokuError
from app.core.storage.secrets import mask_secret
from app.core.storage.settings import AppSettings
from app.core.types import ListPermissions
from app.ui import texts
from app.ui.safe_text import plain_label
from app.ui.widgets.test_outcome import show_test_outcome


class SettingsDialog(QDialog):
    """Takes the current settings and masked keys; exposes the edited values.

    It never reads or writes the SecretStore and never calls a service: the connection test is
    requested through a signal and its result handed back with ``show_test_result``.

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
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.SETTINGS_TITLE)
        self.setMinimumWidth(560)
        self._settings = settings
        self._has_saved_key = bool(saved_sendgrid_key)
        self._clear_key = False

        # SendGrid
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(texts.SETTINGS_API_KEY_PLACEHOLDER)
        self.show_key = QCheckBox(texts.SETTINGS_SHOW)
        self.show_key.toggled.connect(self._on_show_key_toggled)
        self.saved_key_label = plain_label(
            texts.SETTINGS_KEY_SAVED.format(masked=mask_secret(saved_sendgrid_key))
            if saved_sendgrid_key
            else texts.SETTINGS_KEY_NONE
        )
        self.clear_key_button = QPushButton(texts.SETTINGS_CLEAR_KEY)
        self.clear_key_button.setEnabled(self._has_saved_key)
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
        self.store_label = plain_label(texts.SETTINGS_KEY_STORE.format(where=key_store_where_ja))
        self.store_label.setWordWrap(True)
        self.store_warning = plain_label(texts.SETTINGS_KEY_STORE_WARNING)
        self.store_warning.setWordWrap(True)
        self.store_warning.setStyleSheet("color: #b26a00;")
        self.store_warning.setVisible(not keys_persistent)

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        saved_row = QHBoxLayout()
        saved_row.addWidget(self.saved_key_label, 1)
        saved_row.addWidget(self.clear_key_button)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        sendgrid_form = QFormLayout()
        sendgrid_form.addRow(texts.SETTINGS_API_KEY, key_row)
        sendgrid_form.addRow("", saved_row)
        sendgrid_form.addRow(texts.SETTINGS_REGION, self.region_combo)
        sendgrid_form.addRow(texts.SETTINGS_SUBUSER, self.subuser_edit)
        sendgrid_form.addRow("", test_row)
        sendgrid_box = QGroupBox(texts.SETTINGS_SENDGRID)
        sendgrid_box.setLayout(sendgrid_form)

        # LLM refinement (app/ui/ai/controller.py runs it after a fetch)
        self.llm_enabled = QCheckBox(texts.SETTINGS_LLM_ENABLED)
        self.llm_enabled.setChecked(settings.llm_enabled)
        self.llm_base_url = QLineEdit(settings.llm_base_url)
        self.llm_base_url.setPlaceholderText("https://api.openai.com/v1")
        self.llm_model = QLineEdit(settings.llm_model)
        self.llm_key_edit = QLineEdit()
        self.llm_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.llm_key_edit.setPlaceholderText(
            texts.SETTINGS_KEY_SAVED.format(masked=mask_secret(saved_llm_key))
            if saved_llm_key
            else texts.SETTINGS_KEY_NONE
        )
        llm_form = QFormLayout()
        llm_form.addRow(self.llm_enabled)
        llm_form.addRow(texts.SETTINGS_LLM_BASE_URL, self.llm_base_url)
        llm_form.addRow(texts.SETTINGS_LLM_MODEL, self.llm_model)
        llm_form.addRow(texts.SETTINGS_LLM_KEY, self.llm_key_edit)
        self.llm_note = plain_label(texts.SETTINGS_LLM_PRACTICE_NOTE)
        self.llm_note.setWordWrap(True)
        self.llm_note.setStyleSheet("color: #555;")
        llm_form.addRow(self.llm_note)
        llm_box = QGroupBox(texts.SETTINGS_LLM)
        llm_box.setLayout(llm_form)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.addWidget(sendgrid_box)
        layout.addWidget(self.store_label)
        layout.addWidget(self.store_warning)
        layout.addWidget(llm_box)
        layout.addWidget(buttons)

    # -- outcome -------------------------------------------------------------------------

    def result_settings(self) -> AppSettings:
        return self._settings.replace(
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

    # -- connection test -----------------------------------------------------------------

    def show_test_running(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(texts.SETTINGS_TESTING)

    def show_test_result(self, outcome: tuple[ListPermissions, ...] | TodokuError) -> None:
        self.test_button.setEnabled(True)
        show_test_outcome(self.test_result, outcome)

    @Slot()
    def _on_test_clicked(self) -> None:
        typed = self.key_edit.text().strip()
        if not typed and (not self._has_saved_key or self._clear_key):
            self.test_result.setStyleSheet("color: #c62828;")
            self.test_result.setText(texts.SETTINGS_TEST_NEEDS_KEY)
            return
        self.show_test_running()
        self.test_requested.emit(typed, self.region_combo.currentData(), self.subuser_edit.text())

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
