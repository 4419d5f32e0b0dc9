"""Entries for the 連絡文 / Zendesk UI tests and screenshots: one per letter kind, classified by
the real rules (no hand-made explanations)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.core.classify.classifier import Classifier
from app.core.storage.settings import AppSettings
from app.core.types import ListKind, SuppressionEntry

_CLASSIFIER: Classifier | None = None
WHEN = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)

MUNICIPAL = SuppressionEntry(
    ListKind.BLOCKS,
    "kikaku@city.yokohama.lg.jp",
    WHEN,
    "5.7.1",
    "550 5.7.1 Message rejected: sender domain is not in the allow list",
)
COMPANY = SuppressionEntry(
    ListKind.BOUNCES,
    "kanri@example-corp.co.jp",
    WHEN,
    "5.7.1",
    "554 5.7.1 Service unavailable; Client host [203.0.113.10] blocked using zen.spamhaus.org",
)
CARRIER = SuppressionEntry(
    ListKind.BOUNCES,
    "taro@docomo.ne.jp",
    WHEN,
    "5.2.0",
    "550 5.2.0 Mail rejected by recipient filter (docomo.ne.jp)",
)
TYPO = SuppressionEntry(
    ListKind.BOUNCES,
    "hanako@gmial.com",
    WHEN,
    "5.1.1",
    "550 5.1.1 <hanako@gmial.com>: Recipient address rejected: User unknown",
)
MAILBOX_FULL = SuppressionEntry(
    ListKind.BOUNCES, "jiro@example.ne.jp", WHEN, "5.2.2", "552 5.2.2 Mailbox full: quota exceeded"
)
HOSTILE_REASON = (
    "550 5.7.1 rejected {sender_domain} {{org_name}} <b>bold</b> "
    '=HYPERLINK("http://evil.example/","click")'
)
HOSTILE = SuppressionEntry(
    ListKind.BOUNCES, "soumu@hostile-corp.co.jp", WHEN, "5.7.1", HOSTILE_REASON
)
SENDER_SETTINGS = {
    "sender_org_name": "株式会社トドク",
    "sender_domain": "mail.todoku.example",
    "sender_ips": "203.0.113.10, 203.0.113.11",
    "sender_contact": "配信担当 山田（03-0000-0000 / mail-admin@todoku.example）",
    "sender_auth_status": "SPF pass / DKIM pass / DMARC pass",
}


def classified(*entries: SuppressionEntry):
    global _CLASSIFIER
    if _CLASSIFIER is None:
        _CLASSIFIER = Classifier.load()
    return [_CLASSIFIER.classify_entry(entry) for entry in entries]


def with_sender_facts(settings: AppSettings, **changes: str) -> AppSettings:
    return settings.replace(**{**SENDER_SETTINGS, **changes})


def select_rows(window, *emails: str) -> None:
    """Select (highlight, not check) the grid rows of these addresses."""
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    table, model = window.table, window.model
    table.clearSelection()
    for row in range(model.rowCount()):
        if model.entry_at(row).email in emails:
            table.selectionModel().select(model.index(row, 1), flags)


# One entry per shipped letter, and a reason written to trip a careless rewording.
ALL_KINDS_FOR_POLISH = (MUNICIPAL, COMPANY, CARRIER, TYPO, MAILBOX_FULL, HOSTILE)
