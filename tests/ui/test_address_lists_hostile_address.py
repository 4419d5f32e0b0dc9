"""Four more places list addresses from the provider or the fetch file: one address, one line,
bounded, as the grid and the deletion dialogs already show them.

An address is at most 254 characters, but a broken or hostile server may send anything. These
took each address as it came: the 他所で削除 panel after a full fetch, the rows of the deletion
history (削除履歴), the result of making Zendesk tickets, and the letter dialog's list of
addresses left out. A line break made one address read as two, and a megabyte address was laid
out whole (before the bound, on this machine's GUI thread: the panel 2.1 s to fill and show
and 2.2 s for every repaint, a ticket result naming 52 such addresses 21 s, the letter dialog
with two left out 50 s). The tests bound the longest line each place hands Qt, which is what
made those seconds, not the seconds themselves: a busy machine stretches them for short lines too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QApplication

from app.core.storage.journal_records import EntryRecord, EntryResult
from app.core.types import ListKind
from app.core.zendesk.tickets import TicketOutcome
from app.ui.delete.history_dialog import entry_row
from app.ui.history.fetch_work import GoneRow
from app.ui.history.gone_panel import GonePanel
from app.ui.letters.letter_dialog import LetterDialog
from app.ui.letters.letter_sets import LetterChoices, LetterSet
from app.ui.letters.ticket_dialogs import TicketResultDialog
from tests.helpers.ui import longest_line_handed_to_qt

WHEN = datetime(2026, 11, 3, tzinfo=UTC)
HUGE = "a" * 1_000_000 + "@example.jp"
TWO_LINES = "victim@example.jp\nother@example.jp"


def _one_bounded_line(text: str) -> None:
    assert "\n" not in text and "\u2028" not in text
    assert len(text) < 1_100, len(text)


def _shown(qtbot, widget) -> None:
    """Show ``widget`` and paint it twice, after checking what it hands Qt: painted first, a
    megabyte line takes minutes."""
    qtbot.addWidget(widget)
    longest = longest_line_handed_to_qt(widget)
    assert longest < 1_100, f"{type(widget).__name__} lays out a line of {longest:,} characters"
    widget.show()
    QApplication.processEvents()
    widget.repaint()
    widget.repaint()


def test_the_gone_panel(qtbot) -> None:
    panel = GonePanel()
    panel.resize(900, 300)
    rows = [GoneRow(ListKind.BOUNCES, email, "宛先不明", WHEN) for email in (HUGE, TWO_LINES)]
    panel.set_rows(rows)
    _shown(qtbot, panel)
    for index in range(2):
        _one_bounded_line(panel.tree.topLevelItem(index).text(1))


def test_the_deletion_history_rows() -> None:
    for email in (HUGE, TWO_LINES):
        record = EntryRecord(
            1, 1, ListKind.BOUNCES, email, WHEN, "5.1.1", "x", "", "userunknown", "宛先不明",
            True, EntryResult.DELETED, "", WHEN,
        )  # fmt: skip
        _one_bounded_line(entry_row(record)[1])


def test_the_ticket_result(qtbot) -> None:
    outcomes = [
        TicketOutcome(1, "https://example.zendesk.com/agent/tickets/1", True, (HUGE,)),
        TicketOutcome(2, "https://example.zendesk.com/agent/tickets/2", True, (TWO_LINES,)),
        TicketOutcome(3, "https://example.zendesk.com/agent/tickets/3", True, (HUGE,) * 50),
    ]
    dialog = TicketResultDialog(outcomes, cancelled=False)
    _shown(qtbot, dialog)
    for row in range(3):
        _one_bounded_line(dialog.table.item(row, 1).text())


def test_the_letter_dialogs_left_out_addresses(qtbot) -> None:
    left_out = LetterSet((), ((HUGE, "対象外の理由"), (TWO_LINES, "対象外の理由")))
    dialog = LetterDialog(LetterChoices({None: left_out}), ai_available=False)
    _shown(qtbot, dialog)
    lines = dialog.left_out_label.text().splitlines()
    assert len(lines) == 3  # the head and one line for each address (not "other@…" on its own)
    for line in lines + dialog.text.toPlainText().splitlines():
        assert len(line) < 1_000
