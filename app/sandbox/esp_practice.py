"""Japanese practice data for the CMC, Infobip and SES imitations, from the shared generator.

The SendGrid generator already makes Japanese recipients with real bounce texts; this module
turns its records into each provider's shapes (CMC status codes, Infobip types, SES reasons).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from app.sandbox.scenarios import generate_records
from app.sandbox.sendgrid_types import SandboxRecord

SENDERS = ("info@shop.example.jp", "noreply@members.example.jp", "news@tsuhan.example.co.jp")
SUBJECTS = (
    "ご注文ありがとうございます",
    "【重要】パスワード再設定のご案内",
    "会員登録完了のお知らせ",
    "発送完了のお知らせ",
    "今月のおすすめ商品",
    "ポイント失効のお知らせ",
)
PRACTICE_DOMAINS = ("shop.example.jp", "members.example.jp")

# Enhanced status (or words of the reason) → CMC bounce status code (1–11, 99).
_CMC_BY_STATUS = (
    ("5.1.1", "2"),
    ("5.1.2", "1"),
    ("5.1.3", "9"),
    ("5.2.2", "5"),
    ("5.3.4", "8"),
    ("5.2.3", "8"),
    ("5.7.", "4"),
    ("4.", "3"),
)

_CMC_BY_WORDS = (
    (("quota", "mailbox full", "mailbox is full"), "5"),
    (("user unknown", "no such user", "does not exist", "unknown user"), "2"),
    (("host not found", "host unknown", "domain not found"), "1"),
    (("too large", "size"), "8"),
)


@dataclass(frozen=True, slots=True)
class PracticeRecord:
    """One provider-neutral practice entry: ``kind`` is bounce, block, complaint or over_quota."""

    kind: str
    email: str
    created: int  # Unix seconds
    reason: str
    status: str  # enhanced SMTP status (may be empty)
    subject: str
    sender: str
    domain: str  # the sending domain (Infobip keeps lists per sending domain)


def cmc_code(record: PracticeRecord) -> str:
    if record.kind == "block":
        for prefix, code in _CMC_BY_STATUS:
            if record.status.startswith(prefix):
                return code
        return "10"
    lowered = record.reason.lower()
    for words, code in _CMC_BY_WORDS:
        if any(word in lowered for word in words):
            return code
    for prefix, code in _CMC_BY_STATUS:
        if record.status.startswith(prefix):
            return code
    return "99"


def generate_practice(
    count: int, seed: int, start: int, end: int, *, reasons_path: Path | None = None
) -> list[PracticeRecord]:
    """``count`` entries spread over [start, end]; the same for the same seed."""
    rng = random.Random(seed)
    records = generate_records(count, seed, start, end, reasons_path=reasons_path)
    return [_convert(record, rng) for record in records]


def _convert(record: SandboxRecord, rng: random.Random) -> PracticeRecord:
    reason = record.reason
    lowered = reason.lower()
    if record.list_kind == "spam_reports":
        kind, reason = "complaint", ""
    elif record.status.startswith(("4.2.2", "5.2.2")) or "quota" in lowered or "full" in lowered:
        kind = "over_quota"
    elif record.list_kind in ("blocks", "unsubscribes"):
        kind = "block"
    else:
        kind = "bounce"
    sender = rng.choice(SENDERS)
    return PracticeRecord(
        kind=kind,
        email=record.email,
        created=record.created,
        reason=reason or "",
        status=record.status,
        subject=rng.choice(SUBJECTS),
        sender=sender,
        domain=PRACTICE_DOMAINS[0] if rng.random() < 0.7 else PRACTICE_DOMAINS[1],
    )
