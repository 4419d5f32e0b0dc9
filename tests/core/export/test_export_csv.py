"""export_csv: BOM, CRLF, JST times, formula-safe text, round trip through the csv module."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.classify.vocabulary import delete_effect_shown
from app.core.dates import JST
from app.core.errors import CancelledError
from app.core.export.cells import REPLACEMENT_CHAR
from app.core.export.columns import CATEGORY_LABELS_JA, COLUMNS, ExportRow
from app.core.export.csv_export import export_csv
from app.core.glossary import permanence_label
from app.core.types import Explanation, ListKind, SuppressionEntry
from tests.helpers.export_rows import make_context, make_rows


def read_back(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def test_bom_crlf_and_round_trip(tmp_path: Path) -> None:
    rows = make_rows(50)
    path = tmp_path / "out.csv"
    summary = export_csv(rows, make_context(), path)

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == len(rows) + 1
    assert raw.count(b"\n") == len(rows) + 1  # no bare LF line ends
    records = read_back(path)
    assert records[0] == [column.header_ja for column in COLUMNS]
    assert len(records) == len(rows) + 1
    for record, row in zip(records[1:], rows, strict=True):
        entry, explanation = row.entry, row.explanation
        assert record[:6] == [
            entry.list_kind.label_ja,
            entry.email,
            entry.domain,
            entry.created.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S"),
            entry.status,
            entry.reason,
        ]
        if explanation is None:
            assert record[6:] == ["", "", "（未判定）", "", "", "", ""]
        else:
            assert record[6:] == [
                explanation.explanation_ja,
                explanation.action_ja,
                CATEGORY_LABELS_JA[explanation.category],
                explanation.label_ja,
                delete_effect_shown(explanation),
                permanence_label(explanation.permanent),
                "",  # 履歴: no fetch history behind these rows
            ]
    assert summary.row_count == len(rows)


def test_dates_are_jst_wall_clock(tmp_path: Path) -> None:
    entry = SuppressionEntry(
        ListKind.BOUNCES, "a@example.jp", datetime(2025, 3, 1, 15, 30, tzinfo=UTC), "", "r"
    )
    path = tmp_path / "jst.csv"
    export_csv([ExportRow(entry)], make_context(), path)
    assert read_back(path)[1][3] == "2025-03-02 00:30:00"


def test_hostile_texts_are_defused_and_multiline_text_survives(tmp_path: Path) -> None:
    texts = [
        '=HYPERLINK("http://x","y")',
        "+1",
        "-1+2",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "a\x00\x07\x1b",
        "#N/A",
        "#DIV/0!",
    ]
    created = datetime(2025, 3, 2, tzinfo=UTC)
    rows = [
        ExportRow(
            SuppressionEntry(ListKind.SPAM_REPORTS, "x@example.jp", created, "", text),
            Explanation("x", "Content", False, text, "行1\n行2", "対応"),
        )
        for text in texts
    ]
    path = tmp_path / "hostile.csv"
    export_csv(rows, make_context(), path)
    records = read_back(path)[1:]
    assert [record[5] for record in records] == [
        '\'=HYPERLINK("http://x","y")',
        "'+1",
        "'-1+2",
        "'@SUM(A1)",
        "'\t=1",
        "'\n=1",
        f"a{REPLACEMENT_CHAR * 3}",
        "'#N/A",  # Excel would read the bare literal as an error value
        "'#DIV/0!",
    ]
    assert [record[9] for record in records] == [record[5] for record in records]
    assert all(record[6] == "行1\n行2" for record in records)


def test_cancel_leaves_no_file(tmp_path: Path) -> None:
    cancel = CancelToken()
    calls: list[tuple[int, int]] = []

    def on_progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done >= 1000:
            cancel.cancel()

    with pytest.raises(CancelledError):
        export_csv(
            make_rows(3000), make_context(), tmp_path / "c.csv", progress=on_progress, cancel=cancel
        )
    assert calls == [(0, 3000), (1000, 3000)]
    assert list(tmp_path.iterdir()) == []


def test_bidi_controls_stay_in_the_csv_data(tmp_path: Path) -> None:
    """CSV is the data (read back by programs, compared with the provider's lists): unlike the
    xlsx report it keeps a bidi control as it came."""
    reason = "user@example.com\u202egnp.exe"
    entry = SuppressionEntry(
        ListKind.BOUNCES, "a\u2066b@example.jp", datetime(2025, 3, 2, tzinfo=UTC), "", reason
    )
    path = tmp_path / "bidi.csv"
    export_csv([ExportRow(entry)], make_context(), path)
    row = read_back(path)[1]
    assert reason in row and "a\u2066b@example.jp" in row


def test_invisible_characters_stay_in_the_csv_data(tmp_path: Path) -> None:
    """The xlsx report writes U+200B out; the CSV (the data) keeps it as it came."""
    entry = SuppressionEntry(
        ListKind.BOUNCES,
        "user@exa\u200bmple.com",
        datetime(2025, 3, 2, tzinfo=UTC),
        "",
        "no\u200cs\u200duch\u2060 \ufeffuser",
    )
    path = tmp_path / "zw.csv"
    export_csv([ExportRow(entry)], make_context(), path)
    row = read_back(path)[1]
    assert "user@exa\u200bmple.com" in row and "no\u200cs\u200duch\u2060 \ufeffuser" in row
