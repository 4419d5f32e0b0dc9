"""A small known data set for the sandbox tests: 25 bounces, tricky addresses, every list."""

from __future__ import annotations

from app.sandbox.sendgrid_server import SandboxRecord

API_KEY = "SG.test"
BASE = 1_735_657_200  # 2025-01-01 00:00:00 JST
TRICKY = (
    "taro+newsletter@gmail.com",
    "sale%off@yamato-shoji.co.jp",
    "kikaku/koho@city.yokohama.lg.jp",
    "o'brien@outlook.jp",
    '"hanako sato"@example.co.jp',
    "山田@例え.jp",
    "tarō.suzuki@gmail.com",
    "a?b#c&d=e@example.jp",
)


def bounce(index: int) -> SandboxRecord:
    """user00..user24@example.jp, created 100 s apart starting at BASE."""
    email = f"user{index:02d}@example.jp"
    reason = f"550 5.1.1 <{email}>: Recipient address rejected: User unknown"
    return SandboxRecord("bounces", email, BASE + index * 100, reason, "5.1.1")


def known_records() -> list[SandboxRecord]:
    records = [bounce(i) for i in range(25)]
    records += [
        SandboxRecord("bounces", email, BASE + 5000 + n, "550 5.1.1 User unknown", "5.1.1")
        for n, email in enumerate(TRICKY)
    ]
    records += [
        SandboxRecord("blocks", "block1@docomo.ne.jp", BASE + 10, "421 4.7.0 try later", "4.7.0"),
        SandboxRecord("invalid_emails", "bad@gmial.com", BASE + 20, "Known bad domain"),
        SandboxRecord("spam_reports", "spam1@yahoo.co.jp", BASE + 30, ip="192.0.2.10"),
        SandboxRecord("unsubscribes", "unsub1@gmail.com", BASE + 40),
        SandboxRecord("unsubscribes", "unsub2@gmail.com", BASE + 50),
    ]
    return records
