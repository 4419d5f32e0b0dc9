"""Fixtures for core tests: real SendGrid and OpenAI sandboxes on loopback, per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from app.core.classify.cache import ExplanationCache
from app.core.dates import unix_bounds
from app.core.types import DateRange
from app.sandbox.openai_server import OpenAISandbox
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox

API_KEY = "SG.test-key"
LLM_KEY = "sk-sandbox-test-key-0123456789"
RANGE = DateRange(date(2026, 11, 1), date(2026, 11, 10))
RANGE_START, RANGE_END = unix_bounds(RANGE)


def bounce(index: int, created: int | None = None, kind: str = "bounces") -> SandboxRecord:
    return SandboxRecord(
        list_kind=kind,
        email=f"user{index:06d}@example.jp",
        created=created if created is not None else RANGE_START + index % (RANGE_END - RANGE_START),
        reason="550 5.1.1 <user@example.jp>: Recipient address rejected: User unknown",
        status="5.1.1",
    )


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., SendGridSandbox]]:
    started: list[SendGridSandbox] = []

    def factory(records: list[SandboxRecord] = (), **kwargs: object) -> SendGridSandbox:
        kwargs.setdefault("api_keys", {API_KEY: None})
        sandbox = SendGridSandbox(records=list(records), **kwargs)
        sandbox.start()
        started.append(sandbox)
        return sandbox

    yield factory
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox() -> Iterator[OpenAISandbox]:
    """The OpenAI imitation (LLM tests); modules that need a SendGrid one define their own."""
    with OpenAISandbox(api_key=LLM_KEY) as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[ExplanationCache]:
    with ExplanationCache(tmp_path / "llm-cache.sqlite3") as c:
        yield c
