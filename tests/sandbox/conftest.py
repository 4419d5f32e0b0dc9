"""Fixtures for sandbox tests: a started SendGrid sandbox per test and a small known data set."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox

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


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., SendGridSandbox]]:
    started: list[SendGridSandbox] = []

    def factory(records: list[SandboxRecord] | None = None, **kwargs: object) -> SendGridSandbox:
        kwargs.setdefault("api_keys", {API_KEY: None})
        sandbox = SendGridSandbox(
            records=known_records() if records is None else records,
            **kwargs,  # type: ignore[arg-type]
        )
        sandbox.start()
        started.append(sandbox)
        return sandbox

    yield factory
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., SendGridSandbox]) -> SendGridSandbox:
    return make_sandbox()


@pytest.fixture
def client(sandbox: SendGridSandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as http:
        yield http
