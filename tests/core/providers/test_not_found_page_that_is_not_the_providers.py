"""A 404 that is not SendGrid's "not on the list" answer is not read as "already gone".

SendGrid answers a delete-one or get-one of an absent address with 404 and its JSON
``{"errors": [...]}`` (docs/sendgrid-notes.md), and Todoku records that as 「すでにリストに
ありません」 — a success. A proxy or API gateway in front of it (a wrong path prefix in the
base URL, a maintenance page) answers every path with its own 404 page: every address of a
deletion was then reported as already gone and dropped from the grid, and after a crash
``reconcile_unfinished`` recorded every pending deletion as GONE on a gateway's JSON 404 —
while SendGrid still lists them all. Only SendGrid's own 404 means "not on the list"; a
foreign one is a failure.
"""

from __future__ import annotations

import pytest

from app.core.errors import TodokuError
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import DeleteStatus, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json, ses_delete_one

PAGE = b"<html><body><h1>404 Not Found</h1><p>nginx</p></body></html>"


def _gateway_404(handler: HostileHandler) -> None:
    handler.send_response(404)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(PAGE)))
    handler.end_headers()
    handler.wfile.write(PAGE)


@pytest.mark.parametrize("kind", [ListKind.BOUNCES, ListKind.UNSUBSCRIBES])
def test_a_gateways_404_page_does_not_make_deletions_succeed(kind: ListKind) -> None:
    with (
        hostile_server(_gateway_404) as url,
        SendGridProvider("SG.key", base_url=url, max_retries=1, retry_backoff_s=0.01) as provider,
    ):
        outcomes = provider.delete(kind, ["taro@example.jp", "hanako@example.jp"])
    assert [o.status for o in outcomes] == [DeleteStatus.FAILED] * 2, outcomes


@pytest.mark.parametrize("kind", [ListKind.BOUNCES, ListKind.UNSUBSCRIBES])
def test_a_gateways_json_404_is_not_not_listed(kind: ListKind) -> None:
    """An HTML page is refused already (get-one expects JSON); a gateway's JSON 404 is not."""

    def reply(handler: HostileHandler) -> None:
        send_json(handler, {"message": "Not Found"}, status=404)

    with (
        hostile_server(reply) as url,
        SendGridProvider("SG.key", base_url=url, max_retries=1, retry_backoff_s=0.01) as provider,
        pytest.raises(TodokuError),
    ):
        provider.is_listed(kind, "taro@example.jp")


def test_ses_a_404_that_is_not_not_found_exception_is_a_failure() -> None:
    """SES names its 404 ``NotFoundException`` (x-amzn-ErrorType); an API gateway's JSON 404
    (``{"message": "Not Found"}``, no error type) said 「すでにリストにありません」 too."""

    def reply(handler: HostileHandler) -> None:
        send_json(handler, {"message": "Not Found"}, status=404)

    outcome = ses_delete_one(reply)
    assert outcome.status is DeleteStatus.FAILED, outcome
