"""Zendesk dialogs: ask (one ticket per recipient or one for the batch) and the result list."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.zendesk.links import is_practice_link
from app.core.zendesk.tickets import TicketOutcome
from app.ui.letters import letter_texts as texts
from app.ui.safe_text import address_line, plain_label, single_line
from app.ui.widgets.fitted_note import FittedNote

# A batch ticket may name thousands of recipients: the cell shows the first ones.
SHOWN_RECIPIENTS = 20


class TicketAskDialog(QDialog):
    """How many tickets: ``batch`` is the outcome (read it after ``accept``)."""

    def __init__(self, recipients: int, *, practice: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.TICKETS_ASK_TITLE)
        message = plain_label(texts.TICKETS_ASK.format(count=recipients))
        message.setWordWrap(True)
        self.per_recipient = QRadioButton(texts.TICKETS_PER_RECIPIENT.format(count=recipients))
        self.per_recipient.setChecked(True)
        self.batch_radio = QRadioButton(texts.TICKETS_BATCH)
        self.batch_radio.setEnabled(recipients > 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(texts.TICKETS_START)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(texts.CANCEL_BUTTON)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.per_recipient)
        layout.addWidget(self.batch_radio)
        if practice:
            note = plain_label(texts.TICKETS_PRACTICE)
            note.setStyleSheet("color: #b26a00;")
            layout.addWidget(note)
        layout.addWidget(buttons)

    @property
    def batch(self) -> bool:
        return self.batch_radio.isChecked()


class TicketResultDialog(QDialog):
    """What happened per ticket (新規作成 / 追記), its recipients and its link."""

    def __init__(
        self, outcomes: list[TicketOutcome], *, cancelled: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.RESULT_TITLE)
        self.resize(820, 360)
        created = sum(1 for o in outcomes if o.created)
        head = texts.RESULT_HEAD.format(created=created, appended=len(outcomes) - created)
        if cancelled:
            head += "\n" + texts.RESULT_CANCELLED
        self.head_label = plain_label(head)
        self.table = QTableWidget(len(outcomes), 3)
        self.table.setHorizontalHeaderLabels(list(texts.RESULT_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, outcome in enumerate(outcomes):
            cells = (outcome.action_ja, recipients_cell(outcome.recipients), outcome.url)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if outcomes:
            self.table.selectRow(0)
        self._outcomes = outcomes
        practice = bool(outcomes) and all(is_practice_link(o.url) for o in outcomes)
        # As tall as its lines at the dialog's width: dragged to its minimum size, the dialog
        # cut off the practice note's last lines.
        note = FittedNote(texts.RESULT_NOTE_PRACTICE if practice else texts.RESULT_NOTE)
        self.note = note
        note.setStyleSheet("color: #555;")
        self.copy_button = QPushButton(texts.RESULT_COPY)
        self.copy_button.clicked.connect(self.copy_links)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(texts.CLOSE)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.head_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def copy_links(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        chosen = [self._outcomes[r] for r in rows] or self._outcomes
        QGuiApplication.clipboard().setText("\n".join(o.url for o in chosen) + "\n")


def recipients_cell(recipients: tuple[str, ...]) -> str:
    """The recipients of a ticket for one table cell: each address on one bounded line (they
    come from the fetch file), the cell bounded too, and the whole count when some are left out.
    """
    shown = single_line("、".join(address_line(r) for r in recipients[:SHOWN_RECIPIENTS]), 1_000)
    if len(recipients) > SHOWN_RECIPIENTS:
        shown += texts.RESULT_RECIPIENTS_ALL.format(count=len(recipients))
    return shown
