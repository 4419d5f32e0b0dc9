"""Fixtures for sandbox tests: a started SendGrid sandbox per test and a small known data set."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox
from tests.helpers.sandbox_data import API_KEY, known_records


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
