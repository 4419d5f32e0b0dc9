"""The whole-request deadline of a provider's page: generous for a slow line, final for a dribble.

The deadline is four read timeouts (``retrying_http.REPLY_DEADLINE_READS``). A full page that
arrives in pieces, each within the read timeout, must still be read when the pieces together
take longer than one timeout; a reply that is still arriving at the deadline is not sent again
(the same server would dribble the same way, and each retry would add the whole deadline).
"""

from __future__ import annotations

import itertools
import json
import threading
from datetime import date

from app.core.cancel import CancelToken
from app.core.errors import NetworkError
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.sendgrid import PAGE_LIMIT, SendGridProvider
from app.core.providers.ses import SesProvider
from app.core.types import DateRange, DeleteStatus, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, run_bounded

DAY = DateRange(date(2026, 11, 1), date(2026, 11, 1))


def _chunked_reply(handler: HostileHandler, body: bytes, pieces: int, pause_s: float) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    step = -(-len(body) // pieces)
    pause = threading.Event()
    for start in range(0, len(body), step):
        piece = body[start : start + step]
        handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        handler.wfile.flush()
        pause.wait(pause_s)
    handler.wfile.write(b"0\r\n\r\n")


def test_a_full_page_slower_than_one_timeout_is_still_read() -> None:
    rows = [
        {"created": 1793500000, "email": f"u{i}@example.jp", "reason": "550 5.1.1 unknown user"}
        for i in range(PAGE_LIMIT)
    ]

    def reply(handler: HostileHandler) -> None:
        page = rows if "offset=0" in handler.path else []
        # Six pieces 0.4 s apart: every read well within 1 s, the page 2.4 s in all.
        _chunked_reply(handler, json.dumps(page).encode(), 6, 0.4 if page else 0.0)

    with (
        hostile_server(reply) as url,
        SendGridProvider("SG.key", base_url=url, timeout_s=1.0, max_retries=0) as provider,
    ):
        result = provider.fetch(DAY, [ListKind.BOUNCES])
    assert len(result.entries) == PAGE_LIMIT


def test_a_reply_still_arriving_at_the_deadline_is_not_sent_again() -> None:
    requests = itertools.count(1)
    stop = threading.Event()

    def reply(handler: HostileHandler) -> None:
        next(requests)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.close_connection = True
        try:
            handler.wfile.write(b"1\r\n[\r\n")
            while not stop.wait(0.1):
                handler.wfile.write(b"1\r\n \r\n")
                handler.wfile.flush()
        except OSError:
            return

    with (
        hostile_server(reply) as url,
        SendGridProvider(
            "SG.key", base_url=url, timeout_s=0.5, max_retries=5, retry_backoff_s=0.01
        ) as provider,
    ):
        ended, caught = run_bounded(lambda: provider.fetch(DAY, [ListKind.BOUNCES]), 10.0)
        stop.set()
    assert ended, "a 0.5 s timeout, and the page was still being read at 10 s"
    assert isinstance(caught, NetworkError), caught
    assert "時間内に返りませんでした" in caught.message_ja
    assert "ReplyTooSlowError" in caught.detail
    assert next(requests) == 2, "the dribbled page was asked for again"


def test_cancel_does_not_cut_a_deletion_whose_reply_is_arriving() -> None:
    """A deletion already sent may have happened: cut short by キャンセル it was reported as
    「キャンセルしたため未実行」. It is read to its end (here: to the deadline) instead."""
    stop = threading.Event()

    def reply(handler: HostileHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.close_connection = True
        try:
            handler.wfile.write(b"1\r\n{\r\n")
            while not stop.wait(0.1):
                handler.wfile.write(b"1\r\n \r\n")
                handler.wfile.flush()
        except OSError:
            return

    cancel = CancelToken()
    with (
        hostile_server(reply) as url,
        SesProvider(
            "ap-northeast-1",
            AwsCredentials("AKIDEXAMPLE", "secret"),
            base_url=url,
            timeout_s=0.5,
            max_retries=0,
        ) as provider,
    ):
        threading.Timer(0.3, cancel.cancel).start()
        ended, outcomes = run_bounded(
            lambda: provider.delete(ListKind.BOUNCES, ["user@example.jp"], cancel=cancel), 10.0
        )
        stop.set()
    assert ended, "the deletion was still waiting at 10 s"
    (outcome,) = outcomes
    assert outcome.status is DeleteStatus.FAILED
    assert "未実行" not in outcome.detail
    assert "時間内に返りませんでした" in outcome.detail
