"""Cell text safety, column definitions and file names of the export core."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.core.export.cells import (
    EXCEL_MAX_CELL_CHARS,
    REPLACEMENT_CHAR,
    clean_text,
    csv_text,
    needs_text_guard,
)
from app.core.export.columns import CATEGORY_LABELS_JA, COLUMNS, category_label_ja
from app.core.export.context import default_file_name
from app.core.types import DateRange


def test_every_character_openpyxl_refuses_is_replaced() -> None:
    for code in range(0x20):
        char = chr(code)
        cleaned = clean_text(f"a{char}b")
        assert ILLEGAL_CHARACTERS_RE.search(cleaned) is None
        if ILLEGAL_CHARACTERS_RE.search(char):
            assert cleaned == f"a{REPLACEMENT_CHAR}b"


def test_lone_surrogates_and_non_characters_are_replaced() -> None:
    assert clean_text("x\ud800y\uffffz") == f"x{REPLACEMENT_CHAR}y{REPLACEMENT_CHAR}z"
    clean_text("x\udfff").encode("utf-8")  # would raise before cleaning


def test_carriage_returns_become_line_feeds() -> None:
    assert clean_text("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_text_at_the_limit_is_kept_and_longer_text_is_cut_with_a_marker() -> None:
    exact = "あ" * EXCEL_MAX_CELL_CHARS
    assert clean_text(exact) == exact
    cut = clean_text("a" * (EXCEL_MAX_CELL_CHARS + 1))
    assert len(cut) <= EXCEL_MAX_CELL_CHARS
    assert cut.endswith("（以下省略: 元は32,768文字）")
    assert cut.startswith("a" * 1000)


def test_limit_counts_utf16_units_like_excel() -> None:
    emoji = "\U0001f4e7" * 20_000  # 20,000 code points but 40,000 UTF-16 units
    cut = clean_text(emoji)
    assert len(cut.encode("utf-16-le")) // 2 <= EXCEL_MAX_CELL_CHARS
    assert "以下省略" in cut


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "#N/A"]
)
def test_formula_and_error_looking_text_needs_a_guard(text: str) -> None:
    assert needs_text_guard(clean_text(text))


@pytest.mark.parametrize("text", ["", "5.1.1", "user@example.com", "宛先不明 =1", "1-2"])
def test_ordinary_text_needs_no_guard(text: str) -> None:
    assert not needs_text_guard(text)


def test_csv_text_prefixes_a_quote_on_formula_triggers_only() -> None:
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text("+81") == "'+81"
    assert csv_text("-1+2") == "'-1+2"
    assert csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert csv_text("\t=1") == "'\t=1"
    assert csv_text("\r=1") == "'\n=1"
    assert csv_text("550 5.1.1 user unknown") == "550 5.1.1 user unknown"
    assert csv_text("a\x00b") == f"a{REPLACEMENT_CHAR}b"


def test_columns_follow_the_agreed_order() -> None:
    headers = [column.header_ja for column in COLUMNS]
    assert headers == [
        "種別",
        "メールアドレス",
        "ドメイン",
        "発生日時 (JST)",
        "ステータス",
        "理由",
        "原因",
        "対応",
        "分類",
        "ラベル",
        "削除すると",
        "一時的／恒久的",
        "履歴",
    ]
    assert [column.key for column in COLUMNS if column.wrap] == ["reason", "explanation", "action"]
    assert [column.key for column in COLUMNS if column.is_datetime] == ["created"]


def test_category_labels_cover_the_seven_classifications() -> None:
    sendgrid = [
        "Invalid Address",
        "Mailbox Unavailable",
        "Reputation",
        "Content",
        "Frequency or Volume Too High",
        "Technical Failure",
        "Unclassified",
    ]
    assert all(CATEGORY_LABELS_JA.get(name) for name in sendgrid)
    assert category_label_ja("Invalid Address") == "無効なアドレス"
    assert category_label_ja(None) == "（未判定）"
    assert category_label_ja("Something New") == "Something New"


def test_default_file_name() -> None:
    date_range = DateRange(date(2025, 4, 1), date(2025, 4, 30))
    assert default_file_name(date_range) == "todoku_20250401-20250430.xlsx"
    assert default_file_name(date_range, ext="csv") == "todoku_20250401-20250430.csv"


def test_delete_effect_and_permanence_columns_use_the_glossary_words() -> None:
    from datetime import UTC, datetime

    from app.core.export.columns import ExportRow
    from app.core.types import DeleteEffect, Explanation, ListKind, SuppressionEntry

    by_key = {column.key: column for column in COLUMNS}
    entry = SuppressionEntry(ListKind.BLOCKS, "a@example.jp", datetime(2025, 1, 1, tzinfo=UTC))
    explanation = Explanation(
        "ratelimited", "Frequency or Volume Too High", False, "送信量", "説明", "対応",
        delete_effect=DeleteEffect.NO_EFFECT,
    )  # fmt: skip
    row = ExportRow(entry, explanation)
    assert by_key["delete_effect"].value(row) == "変化なし（ブロック）"
    assert by_key["permanence"].value(row) == "一時的"
    permanent = ExportRow(entry, Explanation("blocked", "Reputation", True, "", "", ""))
    assert by_key["delete_effect"].value(permanent) == "原因を直してから"  # the default effect
    assert by_key["permanence"].value(permanent) == "恒久的"
    # A dead address is after_fix in the data; its label says what deleting it does instead.
    dead = ExportRow(entry, Explanation("userunknown", "Invalid Address", True, "", "", ""))
    assert dead.explanation is not None and dead.explanation.delete_effect == "after_fix"
    assert by_key["delete_effect"].value(dead) == "再びバウンス"
    assert by_key["delete_effect"].value(ExportRow(entry)) == ""  # not classified: empty
    # Every effect has a label, and none starts like a formula.
    from app.core.export.cells import needs_text_guard
    from app.core.glossary import delete_effect_label

    labels = [delete_effect_label(effect) for effect in DeleteEffect]
    assert len(set(labels)) == len(DeleteEffect)
    assert not any(needs_text_guard(label) for label in labels)


@pytest.mark.parametrize(
    "text",
    ["＝HYPERLINK(\"http://x\",\"y\")", "＋81", "－1+2", "＠SUM(A1)", "﹦1", "﹢1", "﹣1", "﹫x",
     " =1+1", "   @SUM(A1)", "\u3000=1", "\u00a0+1", " \u3000－1", " \t=1"],
)  # fmt: skip
def test_full_width_triggers_and_blanks_before_a_trigger_need_a_guard(text: str) -> None:
    assert needs_text_guard(clean_text(text))
    assert csv_text(text) == "'" + clean_text(text)


@pytest.mark.parametrize("text", [" ", "\u3000", " 550 5.1.1", "　宛先不明", "ー", "−1"])
def test_blanks_and_look_alikes_that_are_no_trigger_need_no_guard(text: str) -> None:
    assert not needs_text_guard(text)
