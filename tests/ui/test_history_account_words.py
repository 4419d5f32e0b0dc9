"""削除履歴 names another provider's account in words: 「練習モード Amazon SES「ses1」」, not
the journal's 「練習モード ses:ses1」 (a provider code an operator never typed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.core.accounts import journal_label_ja
from app.core.storage.journal import DeletionJournal, NewEntry, OperationMeta, OperationState
from app.core.types import ListKind
from app.ui.delete.history_dialog import HistoryDialog


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[DeletionJournal]:
    opened = DeletionJournal(tmp_path / "journal.sqlite3")
    operation = opened.create_operation(
        OperationMeta(account_label="練習モード ses:ses1", practice=True, os_user="tanaka"),
        [NewEntry(ListKind.BOUNCES, "taro@example.jp", datetime(2026, 11, 3, tzinfo=UTC))],
    )
    opened.set_state(operation, OperationState.DONE)
    yield opened
    opened.close()


def test_the_detail_line_names_the_provider_in_words(qtbot, journal) -> None:
    dialog = HistoryDialog(journal, today=date(2026, 11, 10))
    qtbot.addWidget(dialog)
    text = dialog.detail_label.text()
    assert "練習モード Amazon SES「ses1」" in text
    assert "ses:ses1" not in text


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("練習モード cmc:本番", "練習モード カスタマーズメールクラウド「本番」"),
        ("本番 infobip:キャンペーン", "本番 Infobip「キャンペーン」"),
        ("本番", "本番"),
        ("CLI", "CLI"),
        ("本番 SG.xx…yy", "本番 SG.xx…yy"),
        ("練習モード other:x", "練習モード other:x"),
    ],
)
def test_journal_labels_in_words(label: str, shown: str) -> None:
    assert journal_label_ja(label) == shown
