"""export_xlsx: reopen the workbook and check sheets, cells, aggregates, safety and cancel."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet import _writer as openpyxl_sheet_writer

from app.core.cancel import CancelToken
from app.core.dates import JST
from app.core.errors import CancelledError
from app.core.export.cells import REPLACEMENT_CHAR
from app.core.export.columns import CATEGORY_LABELS_JA, COLUMNS, ExportRow
from app.core.export.excel import LINE_HEIGHT_PT, estimated_lines, export_xlsx
from app.core.glossary import delete_effect_label, permanence_label
from app.core.types import Explanation, ListKind, SuppressionEntry
from tests.helpers.export_rows import RANGE, make_context, make_rows

HEADERS = [column.sheet_header_ja for column in COLUMNS]


def sheet_xml(path: Path, number: int) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")


def section(sheet_rows: list[tuple], title: str) -> list[tuple]:
    """Rows under a 集計 section title: its header row first, up to the next blank row."""
    start = next(i for i, row in enumerate(sheet_rows) if row and row[0] == title)
    rows = []
    for row in sheet_rows[start + 1 :]:
        if not row or all(value is None for value in row):
            break
        rows.append(row)
    return rows


@pytest.fixture
def exported(tmp_path: Path) -> tuple[list[ExportRow], Path]:
    rows = make_rows(200)
    path = tmp_path / "out.xlsx"
    export_xlsx(rows, make_context(), path)
    return rows, path


def test_sheets_headers_and_cells(exported: tuple[list[ExportRow], Path]) -> None:
    rows, path = exported
    book = load_workbook(path)
    assert book.sheetnames == ["一覧", "集計", "条件"]
    sheet = book["一覧"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.max_row == len(rows) + 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{len(rows) + 1}"
    assert sheet.column_dimensions["F"].width == 60
    header = sheet["A1"]
    assert header.font.bold and header.font.color.rgb.endswith("FFFFFF")
    assert header.fill.fgColor.rgb.endswith("1F4E78")

    first, explained = rows[0], rows[1]
    row2 = [cell.value for cell in sheet[2]]
    assert row2[:3] == ["バウンス", first.entry.email, first.entry.domain]
    assert row2[6:12] == [None, None, "（未判定）", None, None, None]  # no explanation
    created = sheet["D2"]
    assert created.is_date
    assert created.number_format == "yyyy/mm/dd hh:mm:ss"
    assert created.value == first.entry.created.astimezone(JST).replace(tzinfo=None)
    assert [cell.value for cell in sheet[3]][5:12] == [
        explained.entry.reason,
        explained.explanation.explanation_ja,
        explained.explanation.action_ja,
        CATEGORY_LABELS_JA[explained.explanation.category],
        explained.explanation.label_ja,
        delete_effect_label(explained.explanation.delete_effect),
        permanence_label(explained.explanation.permanent),
    ]
    # Long texts wrap through a style of their own on every row (LibreOffice ignores the
    # default format's alignment); short columns keep one line.
    for row in (2, 3):
        assert all(
            sheet[f"{column}{row}"].alignment.wrap_text
            for column in "FGH"
            if sheet[f"{column}{row}"].value
        )
    assert all(sheet[f"{column}3"].has_style for column in "FGH")
    assert not sheet["B3"].alignment.wrap_text
    assert sheet["B3"].alignment.vertical == "top"  # beside a tall wrapped cell, at its top
    # LibreOffice does not grow rows to fit wrapped text: the export sets the height.
    assert sheet.row_dimensions[3].height == 2 * LINE_HEIGHT_PT  # 原因 needs two lines
    assert "ユーザーが存在しません" in sheet["F3"].value


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("a" * 40, 46, 1),
        ("a" * 46, 46, 2),  # a cell's padding takes about one character
        ("あ" * 20, 46, 1),
        ("あ" * 30, 46, 2),  # full-width characters count twice
        ("一行目\n二行目\n三行目", 46, 3),
        ("x" * 900, 46, 20),
    ],
)
def test_estimated_lines(text: str, width: int, lines: int) -> None:
    assert estimated_lines(text, width) == lines


def test_every_sheet_prints_a4_landscape_one_page_wide(
    exported: tuple[list[ExportRow], Path],
) -> None:
    _, path = exported
    book = load_workbook(path)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.paperSize, setup.orientation) == (9, "landscape"), sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_margins.left < 0.75  # narrower than the default margins
        assert "&P" in sheet.oddFooter.center.text
    assert book["一覧"].print_title_rows == "$1:$1"  # the header repeats on every page


def test_summary_sheet_matches_counts_computed_from_the_entries(
    exported: tuple[list[ExportRow], Path],
) -> None:
    rows, path = exported
    book = load_workbook(path, read_only=True)
    sheet_rows = list(book["集計"].iter_rows(values_only=True))
    book.close()
    context = make_context()
    extra_lists = [k for k in ListKind if k not in context.lists]
    lists = list(context.lists) + extra_lists  # every list has rows in make_rows

    by_list_category = Counter(
        (row.entry.list_kind.label_ja, CATEGORY_LABELS_JA[row.explanation.category])
        if row.explanation
        else (row.entry.list_kind.label_ja, "（未判定）")
        for row in rows
    )
    table = section(sheet_rows, "種別 × 分類")
    assert list(table[0]) == ["分類", *[k.label_ja for k in lists], "合計"]
    for line in table[1:-1]:
        label, *counts, total = line[: len(lists) + 2]
        expected = [by_list_category[(kind.label_ja, label)] for kind in lists]
        assert counts == expected, label
        assert total == sum(expected)
    assert table[-1][0] == "合計" and table[-1][len(lists) + 1] == len(rows)
    assert sum(by_list_category.values()) == len(rows)

    by_domain = Counter(row.entry.domain for row in rows)
    ranked = sorted(by_domain.items(), key=lambda item: (-item[1], item[0]))
    domains = section(sheet_rows, "受信者ドメイン別（上位30件）")
    assert [tuple(line[:2]) for line in domains[1:31]] == ranked[:30]
    rest = ranked[30:]
    assert domains[31][0] == f"その他（{len(rest)} ドメイン）"
    assert domains[31][1] == sum(count for _, count in rest)
    assert domains[32][:2] == ("合計", len(rows))
    assert domains[1][2] == pytest.approx(ranked[0][1] / len(rows))

    by_day = Counter(row.entry.created.astimezone(JST).date() for row in rows)
    days = section(sheet_rows, "日別（日本時間）")
    day_lines = {line[0].date(): line[len(lists) + 1] for line in days[1:-1]}
    assert day_lines == {
        **{RANGE.start + timedelta(days=n): 0 for n in range(RANGE.days)},
        **by_day,
    }


def test_conditions_sheet_says_what_was_exported(exported: tuple[list[ExportRow], Path]) -> None:
    rows, path = exported
    sheet = load_workbook(path)["条件"]
    items = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert items["期間"] == "2025/03/01 〜 2025/03/10（10日間、日本時間）"
    assert items["アカウント"] == "本番アカウント"
    assert items["サブユーザー"] == "marketing"
    assert items["リージョン"] == "グローバル"  # SendGrid's "global", in Japanese
    assert items["対象リスト"] == "バウンス、ブロック、無効アドレス"
    assert items["絞り込み条件"] == "ドメイン: example.jp"
    assert items["出力範囲"] == "絞り込み後の行のみ"
    assert items["出力日時（日本時間）"] == datetime(2025, 3, 11, 10, 2, 3)
    assert items["アプリのバージョン"] == "1.2.3"
    assert items["行数"] == len(rows)
    assert items["一覧のシート"] == "一覧"


HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=1\x00\x07\x1b",
    "#N/A",
    '＝HYPERLINK("http://x","y")',
    " =1+1",
    "bad \ud800 surrogate",
]


def test_hostile_texts_stay_text(tmp_path: Path) -> None:
    start = datetime(2025, 3, 2, tzinfo=UTC)
    rows = []
    for text in HOSTILE:
        entry = SuppressionEntry(ListKind.BLOCKS, f"{text}@=evil.example", start, text, text)
        explanation = Explanation("x", "Content", False, text, text, text)
        rows.append(ExportRow(entry, explanation))
    path = tmp_path / "hostile.xlsx"
    export_xlsx(rows, make_context(filter_description="=cmd|' /C calc'!A0"), path)

    for number in (1, 2, 3):  # 一覧, 集計 (domains), 条件 (filter text)
        xml = sheet_xml(path, number)
        assert "<f>" not in xml and "<f " not in xml
        assert 't="e"' not in xml
    expected = [
        '=HYPERLINK("http://x","y")',
        "+1",
        "-1+2",
        "@SUM(A1)",
        "\t=1",
        "\n=1",
        f"=1{REPLACEMENT_CHAR * 3}",
        "#N/A",
        '＝HYPERLINK("http://x","y")',
        " =1+1",
        f"bad {REPLACEMENT_CHAR} surrogate",
    ]
    sheet = load_workbook(path)["一覧"]
    for line, text in zip(sheet.iter_rows(min_row=2), expected, strict=True):
        for cell in (
            line[4],
            line[5],
            line[6],
            line[7],
            line[9],
        ):  # ステータス, 理由, 原因, 対応, ラベル
            assert cell.value == text
            assert cell.data_type == "s"
        guarded = line[5]
        assert guarded.quotePrefix == (text != f"bad {REPLACEMENT_CHAR} surrogate")
        assert line[2].value == "=evil.example" and line[2].data_type == "s"
    conditions = load_workbook(path)["条件"]
    assert conditions["B8"].value == "=cmd|' /C calc'!A0"


def test_cell_text_over_the_excel_limit_is_truncated(tmp_path: Path) -> None:
    entry = SuppressionEntry(
        ListKind.BOUNCES, "a@example.jp", datetime(2025, 3, 2, tzinfo=UTC), "", "x" * 40_000
    )
    path = tmp_path / "long.xlsx"
    export_xlsx([ExportRow(entry)], make_context(), path)
    value = load_workbook(path)["一覧"]["F2"].value
    assert len(value) <= 32_767
    assert value.endswith("（以下省略: 元は40,000文字）")


@pytest.mark.parametrize(("count", "sheets"), [(25, [9, 9, 7]), (18, [9, 9]), (0, [0])])
def test_rows_continue_on_further_sheets(tmp_path: Path, count: int, sheets: list[int]) -> None:
    rows = make_rows(count)
    path = tmp_path / "split.xlsx"
    summary = export_xlsx(rows, make_context(), path, max_rows_per_sheet=10)
    book = load_workbook(path)
    titles = ["一覧", "一覧(2)", "一覧(3)"][: len(sheets)]
    assert book.sheetnames == [*titles, "集計", "条件"]
    emails = []
    for title, data_rows in zip(titles, sheets, strict=True):
        sheet = book[title]
        assert [cell.value for cell in sheet[1]] == HEADERS
        assert sheet.max_row == data_rows + 1
        assert sheet.freeze_panes == "A2"
        emails += [line[1] for line in sheet.iter_rows(min_row=2, values_only=True)]
    assert emails == [row.entry.email for row in rows]
    assert summary.row_count == count
    assert summary.sheet_names == tuple(book.sheetnames)
    conditions = {row[0]: row[1] for row in book["条件"].iter_rows(values_only=True) if row[0]}
    assert conditions["一覧のシート"] == "、".join(titles)


def test_progress_is_reported_every_thousand_rows(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_xlsx(
        make_rows(2500), make_context(), tmp_path / "p.xlsx", progress=lambda *a: calls.append(a)
    )
    assert calls == [(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500)]


def test_cancel_leaves_no_file_and_keeps_an_older_one(tmp_path: Path) -> None:
    cancel = CancelToken()
    temp_files_before = len(openpyxl_sheet_writer.ALL_TEMP_FILES)

    def on_progress(done: int, total: int) -> None:
        if done >= 1000:
            cancel.cancel()

    with pytest.raises(CancelledError):
        export_xlsx(
            make_rows(2500),
            make_context(),
            tmp_path / "c.xlsx",
            progress=on_progress,
            cancel=cancel,
        )
    assert list(tmp_path.iterdir()) == []
    # openpyxl's own streaming files were removed too, not left until the app exits.
    assert len(openpyxl_sheet_writer.ALL_TEMP_FILES) == temp_files_before

    older = tmp_path / "report.xlsx"
    older.write_bytes(b"older export")
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(CancelledError):
        export_xlsx(make_rows(1500), make_context(), older, cancel=cancel)
    assert older.read_bytes() == b"older export"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_a_failure_mid_way_removes_the_temporary_file(tmp_path: Path) -> None:
    rows: list[object] = [*make_rows(5), ExportRow(None), *make_rows(5)]  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        export_xlsx(rows, make_context(), tmp_path / "x.xlsx")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_summary_returned_matches_the_rows(exported: tuple[list[ExportRow], Path]) -> None:
    rows, path = exported
    summary = export_xlsx(rows, make_context(), path)  # overwrites the fixture's file in place
    assert summary.path == path
    assert summary.row_count == len(rows)
    assert sum(count for *_, count in summary.by_list_category) == len(rows)
    assert sum(count for *_, count in summary.by_day) == len(rows)
    assert sum(c for _, c in summary.domains.top) + summary.domains.other_rows == len(rows)


def test_the_workbook_says_japan_time_as_the_screens_do(
    exported: tuple[list[ExportRow], Path],
) -> None:
    """The screens say 日本時間 (期間（日本時間）); the workbook used to say (JST). The CSV keeps
    its header, the names scripts and todoku-cli users read its columns by."""
    _, path = exported
    book = load_workbook(path)
    texts = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]
    assert not [text for text in texts if "JST" in text]
    assert "発生日時（日本時間）" in [cell.value for cell in book["一覧"][1]]
    assert "日時はすべて日本時間です。" in texts
    assert "発生日時 (JST)" in [column.header_ja for column in COLUMNS]  # the CSV's


def test_bidi_controls_are_written_out_in_the_workbook(tmp_path: Path) -> None:
    """The workbook is read as a report: a reason "user@example.com" U+202E "gnp.exe" showed as
    "…exe.png" in Excel. Every bidi control is written out (⟨U+202E⟩) in 一覧, 集計 and 条件."""
    reason = "user@example.com\u202egnp.exe"
    entry = SuppressionEntry(
        ListKind.BOUNCES,
        "a\u2066b@example\u061c.jp",
        datetime(2025, 3, 2, tzinfo=UTC),
        "5.1.1\u200f",
        reason,
    )
    path = tmp_path / "bidi.xlsx"
    export_xlsx([ExportRow(entry)], make_context(filter_description="x\u202dy"), path)
    book = load_workbook(path)
    line = next(book["一覧"].iter_rows(min_row=2, values_only=True))
    assert "user@example.com⟨U+202E⟩gnp.exe" in line
    assert "a⟨U+2066⟩b@example⟨U+061C⟩.jp" in line
    assert "5.1.1⟨U+200F⟩" in line
    assert book["条件"]["B8"].value == "x⟨U+202D⟩y"
    for number in (1, 2, 3):
        xml = sheet_xml(path, number)
        assert not any(char in xml for char in "\u061c\u200e\u200f\u202a\u202d\u202e\u2066")


def test_invisible_characters_are_written_out_in_the_workbook(tmp_path: Path) -> None:
    """An address "user@exa" U+200B "mple.com" looked like user@example.com in the report.
    Zero-width characters, the word joiner and U+FEFF are written out like bidi controls."""
    entry = SuppressionEntry(
        ListKind.BOUNCES,
        "user@exa\u200bmple.com",
        datetime(2025, 3, 2, tzinfo=UTC),
        "5.1.1\u2060",
        "no\u200cs\u200duch user \ufeffhere",
    )
    path = tmp_path / "zw.xlsx"
    export_xlsx([ExportRow(entry)], make_context(filter_description="x\u200by"), path)
    book = load_workbook(path)
    line = next(book["一覧"].iter_rows(min_row=2, values_only=True))
    assert "user@exa⟨U+200B⟩mple.com" in line
    assert "exa⟨U+200B⟩mple.com" in line
    assert "5.1.1⟨U+2060⟩" in line
    assert "no⟨U+200C⟩s⟨U+200D⟩uch user ⟨U+FEFF⟩here" in line
    assert book["条件"]["B8"].value == "x⟨U+200B⟩y"
    for number in (1, 2, 3):
        xml = sheet_xml(path, number)
        assert not any(char in xml for char in "\u200b\u200c\u200d\u2060\ufeff")
