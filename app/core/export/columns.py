"""The export and grid columns, defined once as data: header text, width and a value getter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.core.classify.vocabulary import CATEGORY_LABELS_JA, delete_effect_shown
from app.core.dates import JST
from app.core.glossary import permanence_label
from app.core.types import Explanation, SuppressionEntry

# One source for category labels, shared with the grid (the seven SendGrid classifications plus
# the classifier's Spam Report and Unsubscribe); its order is the 集計 sheet's row order.
CATEGORY_ORDER: tuple[str, ...] = tuple(CATEGORY_LABELS_JA)
NOT_EXPLAINED_LABEL_JA = "（未判定）"  # the row has no Explanation at all
# How the screens name the time zone (期間（日本時間）); the workbook says it the same way.
IN_JAPAN_TIME = "（日本時間）"


def category_label_ja(category: str | None) -> str:
    """Japanese label of a SendGrid classification; unknown names are shown as they are."""
    if category is None:
        return NOT_EXPLAINED_LABEL_JA
    return CATEGORY_LABELS_JA.get(category, category)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One grid/export row: the entry and, when classified, its explanation."""

    entry: SuppressionEntry
    explanation: Explanation | None = None
    history: str = ""  # the grid's 履歴 text (新着, 再発 n) when the window keeps a fetch history


CellValue = str | datetime


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the grid and of every export.

    ``value`` returns plain text, or for ``is_datetime`` columns an aware datetime in JST
    (writers decide how to show it). ``width`` is in Excel character units; ``wrap`` marks
    long free-text columns that Excel should wrap.
    """

    key: str
    header_ja: str
    value: Callable[[ExportRow], CellValue]
    width: float
    wrap: bool = False
    is_datetime: bool = False
    repeats: bool = False  # few distinct values (labels, explanations): writers may memoise
    # The workbook's header where it is worded otherwise: as the screens say it (日本時間).
    # The CSV keeps ``header_ja``, the name scripts and todoku-cli users read the column by.
    sheet_header: str = ""

    @property
    def sheet_header_ja(self) -> str:
        """The header of the Excel workbook's 一覧 sheets."""
        return self.sheet_header or self.header_ja


def _created_jst(row: ExportRow) -> datetime:
    return row.entry.created.astimezone(JST)


def _explanation_text(row: ExportRow) -> str:
    return row.explanation.explanation_ja if row.explanation is not None else ""


def _action_text(row: ExportRow) -> str:
    return row.explanation.action_ja if row.explanation is not None else ""


def _category_text(row: ExportRow) -> str:
    explanation = row.explanation
    return category_label_ja(explanation.category if explanation is not None else None)


def _label_text(row: ExportRow) -> str:
    return row.explanation.label_ja if row.explanation is not None else ""


def _delete_effect_text(row: ExportRow) -> str:
    explanation = row.explanation
    return delete_effect_shown(explanation) if explanation is not None else ""


def _permanence_text(row: ExportRow) -> str:
    explanation = row.explanation
    return permanence_label(explanation.permanent) if explanation is not None else ""


COLUMNS: tuple[Column, ...] = (
    Column("list", "種別", lambda row: row.entry.list_kind.label_ja, 14, repeats=True),
    Column("email", "メールアドレス", lambda row: row.entry.email, 32),
    Column("domain", "ドメイン", lambda row: row.entry.domain, 22, repeats=True),
    Column(
        "created",
        "発生日時 (JST)",
        _created_jst,
        20,
        is_datetime=True,
        sheet_header=f"発生日時{IN_JAPAN_TIME}",
    ),
    Column("status", "ステータス", lambda row: row.entry.status, 11, repeats=True),
    Column("reason", "理由", lambda row: row.entry.reason, 60, wrap=True),
    Column("explanation", "原因", _explanation_text, 46, wrap=True, repeats=True),
    Column("action", "対応", _action_text, 46, wrap=True, repeats=True),
    Column("category", "分類", _category_text, 22, repeats=True),
    # ラベル: the short name of the reason (e.g. 宛先不明); 分類 alone is too coarse to act on.
    Column("label", "ラベル", _label_text, 22, repeats=True),
    # Last, so sheets and scripts that read the earlier columns by position keep working.
    Column("delete_effect", "削除すると", _delete_effect_text, 22, repeats=True),
    Column("permanence", "一時的／恒久的", _permanence_text, 14, repeats=True),
    # The grid's 履歴 (新着, 再発 n): empty where no fetch history is kept (the CLI, a window
    # without one). Appended after the others for the same reason as above.
    Column("history", "履歴", lambda row: row.history, 12, repeats=True),
)
COLUMN_KEYS: tuple[str, ...] = tuple(column.key for column in COLUMNS)
