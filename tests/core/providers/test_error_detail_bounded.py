"""An error's detail quotes the server, but never more of it than a details pane can lay out.

The detail of a ``TodokuError`` goes to the window's details pane (a QPlainTextEdit), the error
dialog, the terminal (``詳細: …``) and the log. Several messages quoted a field of the reply
whole: SendGrid's ``bad created …``, CMC's and Infobip's dates, the ``/v3/stats`` values, the
messages of a 400 reply. A reply of up to 64 MB is read, so one hostile field of a megabyte
became a megabyte of detail: measured on this machine, a pane holding one unbroken line of
1,000,000 characters took 86 s to show (100,000 characters: 0.9 s), and the terminal got the
megabyte too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import TodokuError, UnexpectedPayloadError
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import DateRange, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json

HUGE = 2_000_000
ROOT = Path(__file__).resolve().parents[3]
# What a details pane lays out in well under a second (the limit itself lives in errors.py).
BOUND = 30_000


def _huge_created(handler: HostileHandler) -> None:
    send_json(handler, [{"email": "taro@example.jp", "created": "9" * HUGE, "reason": "x"}])


def _huge_400(handler: HostileHandler) -> None:
    send_json(handler, {"errors": [{"message": "m" * HUGE, "field": None}]}, status=400)


def _range() -> DateRange:
    from datetime import date

    return DateRange(date(2026, 11, 1), date(2026, 11, 2))


@pytest.mark.parametrize("reply", [_huge_created, _huge_400], ids=["created", "400-message"])
def test_a_huge_field_of_a_reply_is_not_quoted_whole(reply) -> None:
    with (
        hostile_server(reply) as url,
        SendGridProvider("SG.key", base_url=url, max_retries=1, retry_backoff_s=0.01) as provider,
        pytest.raises(TodokuError) as raised,
    ):
        provider.fetch(_range(), [ListKind.BOUNCES])
    detail = raised.value.detail
    assert len(detail) <= BOUND
    assert "2,000," in detail  # the note gives the whole length


def test_the_detail_keeps_its_head_and_says_how_long_it_was() -> None:
    error = UnexpectedPayloadError(detail="head " + "x" * 100_000)
    assert error.detail.startswith("head xxx")
    assert "100,005" in error.detail
    assert len(error.detail) < BOUND
    short = UnexpectedPayloadError(detail="short detail")
    assert short.detail == "short detail"


def test_the_terminal_gets_a_bounded_error(tmp_path: Path) -> None:
    with hostile_server(_huge_created) as url:
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            SENDGRID_API_KEY="SG.key",
            XDG_DATA_HOME=str(tmp_path / "data"),
            XDG_CONFIG_HOME=str(tmp_path / "config"),
        )
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "fetch", "--from", "2026-11-01", "--to",
             "2026-11-02", "--lists", "bounces", "--base-url", url, "--no-history"],
            capture_output=True, env=env, timeout=120, cwd=ROOT,
        )  # fmt: skip
    assert done.returncode == 1
    stderr = done.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    assert "想定外の形式" in stderr
    assert len(stderr) < BOUND
