"""Names an operator typed or a team database holds, shown with their hidden characters written
out: an account name, a host or a team member's name may come from a shared settings file or a
team database someone else wrote, and U+202E in it reordered what 削除履歴's detail line and the
status bar said (U+200B made two names look the same)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.core.storage.journal import DeletionJournal, NewEntry, OperationMeta, OperationState
from app.core.storage.journal_records import Operator, OperatorRole
from app.core.types import ListKind
from app.ui.delete.history_dialog import HistoryDialog
from app.ui.team.status_label import NAME_CHARS, show_team_state, team_status_label

HIDDEN = "\u202e\u2066\u200b\u200d\u2060\ufeff"


def test_the_history_detail_line_writes_hidden_characters_out(qtbot, tmp_path: Path) -> None:
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    operation = journal.create_operation(
        OperationMeta(
            account_label="本番 cmc:経理\u202egnp.exe",
            base_host="api.exa\u200bmple.com\u2066",
            os_user="ta\u200bnaka\u202e",
        ),
        [NewEntry(ListKind.BOUNCES, "taro@example.jp", datetime(2026, 11, 3, tzinfo=UTC))],
    )
    journal.set_state(operation, OperationState.DONE)
    dialog = HistoryDialog(journal, today=date(2026, 11, 10))
    qtbot.addWidget(dialog)
    text = dialog.detail_label.text()
    assert "経理⟨U+202E⟩gnp.exe" in text, text
    assert "api.exa⟨U+200B⟩mple.com⟨U+2066⟩" in text, text
    assert not any(char in text for char in HIDDEN), text
    user = dialog.operations_model.index(0, 1).data()
    assert user == "ta⟨U+200B⟩naka⟨U+202E⟩", user
    journal.close()


def test_the_team_status_writes_hidden_characters_out(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    label = team_status_label(parent)
    operator = Operator("sato", "佐\u200b藤\u202e", OperatorRole.VIEW)
    show_team_state(label, shared=True, operator=operator, outbox=0, refusal="")
    assert "佐⟨U+200B⟩藤⟨U+202E⟩" in label.text(), label.text()
    assert not any(char in label.text() for char in HIDDEN)


def test_a_long_team_name_is_cut_in_the_bar_and_whole_on_hover(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    label = team_status_label(parent)
    name = "佐藤" * NAME_CHARS
    show_team_state(
        label, shared=True, operator=Operator("sato", name, OperatorRole.VIEW), outbox=0, refusal=""
    )
    assert name not in label.text() and "…" in label.text()
    assert name in label.toolTip()
