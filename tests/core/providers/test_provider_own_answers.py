"""Only the provider's own answer records a deletion or a look-up; the rest is an error.

The cases next to those of ``test_deletion_reply_that_says_otherwise.py`` and
``test_not_found_page_that_is_not_the_providers.py``: an empty body where SendGrid always
answers JSON, an array about another address, a CMC cancel answered without an object, and a
gateway's 404 that is refused at once (retrying it for every address of a deletion made a
misconfigured base URL take minutes), while the providers' own "not listed" still is one.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import TodokuError
from app.core.providers.cmc import CmcProvider
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import DeleteStatus, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json, ses_delete_one


def _empty_200(handler: HostileHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


@pytest.mark.parametrize(
    "reply",
    [
        _empty_200,
        lambda handler: send_json(handler, [{"email": "hanako@example.jp", "created": 1}]),
        lambda handler: send_json(handler, ["busy"]),
    ],
    ids=["empty-body", "another-address", "not-an-entry"],
)
def test_a_sendgrid_look_up_that_is_not_a_listing_raises(reply: Any) -> None:
    with (
        hostile_server(reply) as url,
        SendGridProvider("SG.key", base_url=url, max_retries=1, retry_backoff_s=0.01) as provider,
        pytest.raises(TodokuError),
    ):
        provider.is_listed(ListKind.BOUNCES, "taro@example.jp")


@pytest.mark.parametrize(
    ("kind", "body", "listed"),
    [
        (ListKind.BOUNCES, [], False),
        (ListKind.BOUNCES, [{"email": "Taro@Example.jp", "created": 1700000000}], True),
        (ListKind.UNSUBSCRIBES, {}, False),
        (ListKind.UNSUBSCRIBES, {"recipient_email": "taro@example.jp"}, True),
    ],
)
def test_sendgrids_own_look_up_answers_still_count(kind: ListKind, body: Any, listed: bool) -> None:
    def reply(handler: HostileHandler) -> None:
        send_json(handler, body)

    with (
        hostile_server(reply) as url,
        SendGridProvider("SG.key", base_url=url, max_retries=1, retry_backoff_s=0.01) as provider,
    ):
        assert provider.is_listed(kind, "taro@example.jp") is listed


def test_sendgrids_own_404_is_not_listed_and_a_gateways_is_not_retried() -> None:
    answers = {"count": 0}

    def reply(handler: HostileHandler) -> None:
        answers["count"] += 1
        if "taro" in handler.path:  # SendGrid's own "not on the list"
            send_json(handler, {"errors": [{"field": None, "message": "not found"}]}, status=404)
        else:
            send_json(handler, {"message": "Not Found"}, status=404)

    with (
        hostile_server(reply) as url,
        SendGridProvider("SG.key", base_url=url, max_retries=3, retry_backoff_s=0.01) as provider,
    ):
        assert provider.is_listed(ListKind.BOUNCES, "taro@example.jp") is False
        (outcome,) = provider.delete(ListKind.UNSUBSCRIBES, ["taro@example.jp"])
        assert outcome.status is DeleteStatus.NOT_FOUND, outcome
        answers["count"] = 0
        (outcome,) = provider.delete(ListKind.UNSUBSCRIBES, ["hanako@example.jp"])
    assert outcome.status is DeleteStatus.FAILED, outcome
    assert "HTTP 404" in outcome.detail
    assert answers["count"] == 1  # refused at once, not retried


def test_ses_own_not_found_is_still_not_found() -> None:
    def reply(handler: HostileHandler) -> None:
        body = b'{"message": "Email address taro@example.jp does not exist"}'
        handler.send_response(404)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("x-amzn-ErrorType", "NotFoundException:http://internal.amazon.com/")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    outcome = ses_delete_one(reply)
    assert outcome.status is DeleteStatus.NOT_FOUND, outcome


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (lambda handler: send_json(handler, {}), DeleteStatus.DELETED),
        (_empty_200, DeleteStatus.FAILED),
        (lambda handler: send_json(handler, ["ok"]), DeleteStatus.FAILED),
        (lambda handler: send_json(handler, {"errors": []}), DeleteStatus.FAILED),
    ],
    ids=["object", "empty-body", "array", "empty-errors"],
)
def test_a_cmc_cancel_counts_only_as_a_json_object_without_errors(
    reply: Any, status: DeleteStatus
) -> None:
    def answer(handler: HostileHandler) -> None:
        if "/blocks/list.json" in handler.path:
            block = {"created": "2026-11-01 10:00:00", "email": "taro@example.jp", "id": "77"}
            send_json(handler, {"blocks": [{**block, "status": "10"}]})
        else:
            reply(handler)

    with (
        hostile_server(answer) as url,
        CmcProvider(
            "user", "key", "srv", base_url=url, block_cancel_api=True, retry_backoff_s=0.01
        ) as provider,
    ):
        (outcome,) = provider.delete(ListKind.BLOCKS, ["taro@example.jp"])
    assert outcome.status is status, outcome
