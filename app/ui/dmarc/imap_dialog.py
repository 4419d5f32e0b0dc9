"""The IMAP dialog: where the reports are (host, port, user, folder) and the password, which
goes to the OS keyring, never to a file. The connection is always TLS (IMAP4_SSL)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.dmarc import texts
from app.ui.safe_text import plain_label
from app.ui.widgets.sentence_label import SentenceLabel

IMAPS_PORT = 993


@dataclass(frozen=True, slots=True)
class ImapChoice:
    host: str
    port: int
    username: str
    folder: str
    password: str  # "" = use the stored one
    cafile: str = ""  # an extra CA certificate to trust (a company CA), "" = the system's only


class ImapDialog(QDialog):
    """Built from the last values; ``choice`` is set when 読み込む is pressed."""

    def __init__(
        self,
        *,
        host: str = "",
        port: int = IMAPS_PORT,
        username: str = "",
        folder: str = "INBOX",
        cafile: str = "",
        password_stored: bool | None = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.IMAP_TITLE)
        self.choice: ImapChoice | None = None
        self._password_stored = password_stored
        self.host_edit = QLineEdit(host)
        self.host_edit.setPlaceholderText("imap.example.co.jp")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(port)
        self.user_edit = QLineEdit(username)
        self.folder_edit = QLineEdit(folder)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_password_stored(password_stored)
        self.cafile_edit = QLineEdit(cafile)
        self.cafile_edit.setPlaceholderText(texts.IMAP_CAFILE_PLACEHOLDER)
        self.tls_check = QCheckBox(texts.IMAP_TLS)
        self.tls_check.setChecked(True)
        self.tls_check.setEnabled(False)  # imaplib.IMAP4_SSL only: shown so the user knows
        form = QFormLayout()
        form.addRow(texts.IMAP_HOST, self.host_edit)
        form.addRow(texts.IMAP_PORT, self.port_spin)
        form.addRow(texts.IMAP_USER, self.user_edit)
        form.addRow(texts.IMAP_FOLDER, self.folder_edit)
        form.addRow(texts.IMAP_PASSWORD, self.password_edit)
        form.addRow("", self.tls_check)
        form.addRow(texts.IMAP_CAFILE, self.cafile_edit)
        note = SentenceLabel(texts.IMAP_READ_ONLY)
        self.error_label = plain_label("")
        self.error_label.setStyleSheet("color: #a61b1b;")
        self.error_label.setVisible(False)
        buttons = QDialogButtonBox()
        self.read_button = buttons.addButton(
            texts.IMAP_READ, QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(texts.IMAP_CLOSE, QDialogButtonBox.ButtonRole.RejectRole)
        self.read_button.setDefault(True)
        buttons.accepted.connect(self._on_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def show_password_stored(self, stored: bool | None) -> None:
        """Whether a password is stored; None while a job still reads the keyring (読み込む is
        allowed meanwhile: the import reads the stored password itself, and says so when it
        cannot)."""
        self._password_stored = stored is not False
        if stored is None:
            self.password_edit.setPlaceholderText(texts.IMAP_PASSWORD_CHECKING)
        else:
            self.password_edit.setPlaceholderText(texts.IMAP_PASSWORD_KEPT if stored else "")

    def _on_accepted(self) -> None:
        host, user = self.host_edit.text().strip(), self.user_edit.text().strip()
        folder, password = self.folder_edit.text().strip(), self.password_edit.text()
        if not host or not user or not folder or not (password or self._password_stored):
            self.error_label.setText(texts.IMAP_MISSING)
            self.error_label.setVisible(True)
            return
        cafile = self.cafile_edit.text().strip()
        self.choice = ImapChoice(host, self.port_spin.value(), user, folder, password, cafile)
        self.accept()


def exec_imap_dialog(dialog: ImapDialog) -> ImapChoice | None:
    return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None
