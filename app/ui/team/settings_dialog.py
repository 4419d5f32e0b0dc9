"""SharedDatabaseDialog: 共有データベース (host, port, database, login, TLS, password),
接続テスト and 「このPCの記録を共有データベースへ移す」. It asks; the controller runs the jobs
and answers through ``show_*``. It never reads the keyring: it is told whether a password is
stored and hands a typed one back apart from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TodokuError
from app.core.storage.settings import SSL_MODES
from app.core.storage.team.connection import SharedDatabase
from app.ui import texts as common_texts
from app.ui.safe_text import plain_label, shown
from app.ui.team import team_texts as texts
from app.ui.widgets.screen_fit import TITLE_BAR_ALLOWANCE, resize_within_screen
from app.ui.widgets.sentence_label import SentenceLabel
from app.ui.widgets.tint import set_text_colour

OK_COLOUR = "#1b5e20"
ERROR_COLOUR = "#b00020"
NOTE_COLOUR = "#555555"
# Wide enough for the longest TLS choice and both job buttons on one row; a 1024 px screen has
# room for the preferred width, the minimum leaves room for a narrower one at 150 % scaling.
MIN_WIDTH = 520
PREFERRED_WIDTH = 600
PORT_EXTRA_WIDTH = 24
NOTE_GAP = 4


@dataclass(frozen=True, slots=True)
class TeamValues:
    """What the dialog edits (the settings' shared_db_* fields)."""

    enabled: bool = False
    host: str = ""
    port: int = 5432
    name: str = "todoku"
    user: str = ""
    sslmode: str = "require"


class SharedDatabaseDialog(QDialog):
    """Signals: test_requested, move_requested, cancel_requested (the controller answers)."""

    test_requested = Signal()
    move_requested = Signal()
    cancel_requested = Signal()

    def __init__(
        self,
        values: TeamValues,
        *,
        password_stored: bool | None,
        parent: QWidget | None = None,
        keys_persistent: bool = True,
    ) -> None:
        """``keys_persistent``: the password reaches the OS keyring (else memory only)."""
        super().__init__(parent)
        self.setWindowTitle(texts.TITLE)
        self.setMinimumWidth(MIN_WIDTH)
        # Everything but 保存 / キャンセル sits in a scrolled body: on a 1024×600 screen the
        # dialog's minimum height (its wrapped notes at their widest) let Qt squeeze every field
        # below its own height, and a long server message could not be read to its end.
        body = QWidget(self)
        layout = self._body_layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = plain_label(texts.INTRO, body)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.enabled_check = QCheckBox(texts.ENABLED, body)
        self.enabled_check.setChecked(values.enabled)
        layout.addWidget(self.enabled_check)

        form = QFormLayout()
        # Fields to the right edge, a label never wrapped: the same look on every platform.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.host_edit = QLineEdit(values.host, body)
        self.host_edit.setPlaceholderText("db.example.jp")
        self.port_spin = QSpinBox(body)
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(values.port)
        # A port is five digits: a spin box across the dialog read as a long text field.
        self.port_spin.setMaximumWidth(self.port_spin.sizeHint().width() + PORT_EXTRA_WIDTH)
        self.name_edit = QLineEdit(values.name, body)
        self.user_edit = QLineEdit(values.user, body)
        self.ssl_combo = QComboBox(body)
        for mode in ("require", "verify-ca", "verify-full", "prefer", "allow", "disable"):
            assert mode in SSL_MODES
            self.ssl_combo.addItem(texts.SSL_LABELS[mode], mode)
        self.ssl_combo.setCurrentIndex(max(0, self.ssl_combo.findData(values.sslmode)))
        self.password_edit = QLineEdit(body)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_password_stored(password_stored)
        # Set by the controller: writes the typed password (off the GUI thread) when 保存 is
        # clicked and returns the keyring's refusal; None: the caller writes it afterwards.
        self.write_password: Callable[[TeamValues, str], TodokuError | None] | None = None
        self.password_written = False
        self.saving = False
        form.addRow(texts.HOST, self.host_edit)
        form.addRow(texts.PORT, self.port_spin)
        form.addRow(texts.DATABASE, self.name_edit)
        form.addRow(texts.USER, self.user_edit)
        form.addRow(texts.SSLMODE, self.ssl_combo)
        form.addRow(texts.PASSWORD, self.password_edit)
        layout.addLayout(form)
        # Broken between its sentences, never inside a word (「保持／されます」 at 1024 px).
        note = SentenceLabel(
            texts.PASSWORD_NOTE if keys_persistent else texts.PASSWORD_NOTE_MEMORY, body
        )
        set_text_colour(note, NOTE_COLOUR)
        layout.addWidget(note)
        layout.addSpacing(NOTE_GAP)

        row = QHBoxLayout()
        self.test_button = QPushButton(texts.TEST, body)
        self.test_button.setAutoDefault(False)
        self.move_button = QPushButton(texts.MOVE, body)
        self.move_button.setToolTip(texts.MOVE_TIP)
        self.move_button.setAutoDefault(False)
        self.cancel_button = QPushButton(common_texts.CANCEL, body)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setVisible(False)
        row.addWidget(self.test_button)
        row.addWidget(self.move_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.progress_bar = QProgressBar(body)
        self.progress_bar.setVisible(False)
        policy = self.progress_bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # nothing jumps when it comes and goes
        self.progress_bar.setSizePolicy(policy)
        layout.addWidget(self.progress_bar)
        # Server messages are untrusted text: plain only.
        self.result_label = plain_label("", body)
        self.result_label.setWordWrap(True)
        self.result_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        layout.addWidget(self.result_label)
        layout.addStretch(1)

        self._scroll = QScrollArea(self)
        self._scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._scroll.setWidgetResizable(True)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(body)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        outer = self._main_layout = QVBoxLayout(self)
        outer.addWidget(self._scroll, 1)
        outer.addWidget(self.buttons)
        resize_within_screen(self, PREFERRED_WIDTH, self._height_wanted(PREFERRED_WIDTH))
        self.test_button.clicked.connect(self._on_test_clicked)
        self.move_button.clicked.connect(self._on_move_clicked)
        self.cancel_button.clicked.connect(self.cancel_requested)

    # -- what the operator entered --------------------------------------------------------

    def values(self) -> TeamValues:
        return TeamValues(
            enabled=self.enabled_check.isChecked(),
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            name=self.name_edit.text().strip() or "todoku",
            user=self.user_edit.text().strip(),
            sslmode=str(self.ssl_combo.currentData()),
        )

    def typed_password(self) -> str:
        """The password typed now ("" = keep the stored one)."""
        return self.password_edit.text()

    def database(self) -> SharedDatabase:
        """The server as entered, with the typed password (if any)."""
        values = self.values()
        return SharedDatabase(
            host=values.host,
            port=values.port,
            dbname=values.name,
            user=values.user,
            sslmode=values.sslmode,
            password=self.typed_password(),
        )

    def problem(self) -> str:
        """Why the server cannot be tried yet ("" = it can)."""
        values = self.values()
        if not values.host:
            return texts.NEED_HOST
        if not values.user:
            return texts.NEED_USER
        return ""

    # -- the controller answers ------------------------------------------------------------

    def show_password_stored(self, stored: bool | None) -> None:
        """Whether a password is stored for the server; None while a job reads the keyring."""
        self.password_stored = stored
        if stored is None:
            self.password_edit.setPlaceholderText(texts.PASSWORD_CHECKING)
        else:
            self.password_edit.setPlaceholderText(texts.PASSWORD_STORED if stored else "")

    def show_result(self, ok: bool, text: str) -> None:
        set_text_colour(self.result_label, OK_COLOUR if ok else ERROR_COLOUR)
        self.result_label.setText(shown(text))  # a server's words may be in it
        self._show_result_line()

    def show_running(self, running: bool, line: str = "") -> None:
        for widget in (self.test_button, self.move_button, self.buttons):
            widget.setEnabled(not running)
        self.cancel_button.setVisible(running)
        self.progress_bar.setVisible(running)
        if running:
            self.progress_bar.setRange(0, 0)  # busy until the first count
            self.result_label.setStyleSheet("")
            self.result_label.setText(line)
            self._show_result_line()

    def show_progress(self, done: int, total: int, line: str) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.result_label.setText(line)

    # -- size ------------------------------------------------------------------------------

    def _height_wanted(self, width: int) -> int:
        """The height that shows the body whole at ``width`` (its wrapped lines included)."""
        outer = self._main_layout
        margins = outer.contentsMargins()
        inner = width - margins.left() - margins.right()
        body_layout = self._body_layout
        body = (
            body_layout.totalHeightForWidth(inner)
            if body_layout.hasHeightForWidth()
            else body_layout.totalSizeHint().height()
        )
        buttons = self.buttons.sizeHint().height()
        return margins.top() + body + outer.spacing() + buttons + margins.bottom()

    def _grow_to_fit(self) -> None:
        """Grow to show the whole body (a longer message), up to the screen's free height;
        past it the body scrolls."""
        needed = self._height_wanted(self.width())
        screen = self.screen()
        if screen is not None:
            free = screen.availableGeometry()
            needed = min(needed, free.height() - TITLE_BAR_ALLOWANCE)
        if needed > self.height():
            self.resize(self.width(), needed)
        if screen is not None and self.frameGeometry().bottom() > free.bottom():
            self.move(self.x(), max(free.top(), free.bottom() - self.frameGeometry().height()))

    def _show_result_line(self) -> None:
        if self.isVisible():
            self._grow_to_fit()
            self._scroll.ensureWidgetVisible(self.result_label)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._grow_to_fit()

    # -- buttons ---------------------------------------------------------------------------

    def _check(self) -> bool:
        problem = self.problem()
        if problem:
            self.show_result(False, problem)
        return not problem

    @Slot()
    def _on_test_clicked(self) -> None:
        if self._check():
            self.test_requested.emit()

    @Slot()
    def _on_move_clicked(self) -> None:
        if self._check():
            self.move_requested.emit()

    @Slot()
    def _on_save(self) -> None:
        if self.enabled_check.isChecked() and not self._check():
            return
        values, password = self.values(), self.typed_password()
        writes = self.write_password is not None and password and values.user and values.host
        if writes and not self._write_password(values, password):
            return
        self.accept()

    def _write_password(self, values: TeamValues, password: str) -> bool:
        """Write the typed password while the dialog waits (it keeps painting); on a refusal
        say so and stay open with everything as typed. True when written."""
        assert self.write_password is not None
        self.saving = True
        self.show_running(True, texts.SAVING_PASSWORD)
        try:
            error = self.write_password(values, password)
        finally:
            self.saving = False
            self.show_running(False)
        if error is not None:
            self.show_result(False, error.user_text().strip())
            return False
        self.password_written = True
        return True

    def reject(self) -> None:
        if self.saving:  # the keyring write runs: the dialog closes when it has ended
            return
        super().reject()
