"""Export rows and contexts for the export tests: five lists, many domains, every category."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.core.dates import JST
from app.core.export.columns import CATEGORY_LABELS_JA, ExportRow
from app.core.export.context import ExportContext
from app.core.types import DateRange, Explanation, ListKind, SuppressionEntry

RANGE = DateRange(date(2025, 3, 1), date(2025, 3, 10))
CATEGORIES = list(CATEGORY_LABELS_JA)


def make_explanation(category: str, index: int = 0) -> Explanation:
    return Explanation(
        reason="userunknown",
        category=category,
        permanent=True,
        label_ja=f"宛先不明{index % 3}",
        explanation_ja="宛先のメールアドレスが存在しません。入力ミスか退職が考えられます。",
        action_ja="連絡先を本人に確認し、正しいアドレスに更新してください。",
    )


def make_rows(count: int, *, domains: int = 45) -> list[ExportRow]:
    """Rows over five lists, ``domains`` domains, the range's days, categories and none."""
    kinds = list(ListKind)
    start = datetime(2025, 3, 1, tzinfo=JST)
    rows = []
    for index in range(count):
        # Skewed domains so the top-30 ranking is not a tie everywhere.
        domain = f"d{index % 5 if index % 2 else index % domains:02d}.example.jp"
        created = (start + timedelta(hours=7 * index + 3)).astimezone(UTC)
        entry = SuppressionEntry(
            list_kind=kinds[index % len(kinds)],
            email=f"user{index}@{domain}",
            created=created,
            status="5.1.1",
            reason=f"550 5.1.1 <user{index}@{domain}>: ユーザーが存在しません (No such user)",
        )
        category = CATEGORIES[index % len(CATEGORIES)]
        explanation = None if index % 11 == 0 else make_explanation(category, index)
        rows.append(ExportRow(entry, explanation))
    return rows


def make_context(**changes: object) -> ExportContext:
    values: dict[str, object] = {
        "date_range": RANGE,
        "account_label": "本番アカウント",
        "subuser": "marketing",
        "region": "global",
        "lists": (ListKind.BOUNCES, ListKind.BLOCKS, ListKind.INVALID_EMAILS),
        "filter_description": "ドメイン: example.jp",
        "exported_at": datetime(2025, 3, 11, 1, 2, 3, tzinfo=UTC),
        "app_version": "1.2.3",
        "scope": "filtered",
    }
    values.update(changes)
    return ExportContext(**values)  # type: ignore[arg-type]
