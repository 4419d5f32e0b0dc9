"""ChildSandbox: `todoku-cli sandbox` in a child process, reached over loopback by the client."""

from __future__ import annotations

import sys
from datetime import timedelta

import httpx
import pytest

from app.core.dates import today_jst
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import ALL_LISTS, DateRange
from app.sandbox.sendgrid_server import SANDBOX_API_KEY
from app.ui.connection.practice_server import ChildSandbox, cli_command


def test_child_serves_the_generated_entries_and_stops() -> None:
    sandbox = ChildSandbox(entries=120, seed=3, api_key=SANDBOX_API_KEY)
    url = sandbox.start()
    try:
        assert url.startswith("http://127.0.0.1:") and sandbox.running
        assert sandbox.start() == url  # idempotent: still one child
        today = today_jst()
        with SendGridProvider(SANDBOX_API_KEY, base_url=url, max_retries=0) as provider:
            result = provider.fetch(DateRange(today - timedelta(days=61), today), ALL_LISTS)
        assert len(result.entries) == 120
    finally:
        sandbox.stop()
    assert not sandbox.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/v3/scopes", timeout=2.0)


def test_child_rejects_other_keys() -> None:
    sandbox = ChildSandbox(entries=5, seed=1, api_key="practice-only-key")
    url = sandbox.start()
    try:
        wrong = httpx.get(
            url + "/v3/scopes", headers={"Authorization": "Bearer SG.other"}, timeout=5.0
        )
        right = httpx.get(
            url + "/v3/scopes", headers={"Authorization": "Bearer practice-only-key"}, timeout=5.0
        )
    finally:
        sandbox.stop()
    assert wrong.status_code == 401 and right.status_code == 200


def test_child_that_exits_without_a_url_is_an_error() -> None:
    sandbox = ChildSandbox(
        entries=5, seed=1, api_key="k", command=[sys.executable, "-c", "print('no url here')"]
    )
    with pytest.raises(RuntimeError, match="no URL"):
        sandbox.start()
    assert not sandbox.running


def test_child_that_hangs_at_start_is_killed_after_the_timeout() -> None:
    sandbox = ChildSandbox(
        entries=5,
        seed=1,
        api_key="k",
        command=[sys.executable, "-c", "import time; time.sleep(60)"],
        startup_timeout_s=0.5,
    )
    with pytest.raises(RuntimeError, match="no URL"):
        sandbox.start()
    assert not sandbox.running


def test_cli_command_runs_this_interpreter() -> None:
    assert cli_command() == [sys.executable, "-m", "app.cli"]


def test_without_a_command_start_says_so() -> None:
    with pytest.raises(RuntimeError, match="no todoku-cli"):
        ChildSandbox(entries=5, seed=1, api_key="k", command=[]).start()
