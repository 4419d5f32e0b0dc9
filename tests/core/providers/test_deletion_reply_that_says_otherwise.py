"""A 200 to a deletion whose JSON body is not the provider's success is not "deleted".

Amazon SES answers DeleteSuppressedDestination with an empty body or ``{}``; a gateway or
proxy before it may answer 200 with its own JSON (``{"error": "upstream unavailable"}``).
Customers Mail Cloud reports failures as ``{"errors": [...]}`` and may do so on any status
(docs/providers.md 4.1; the list call already treats such a body as a failure). The delete
paths took any JSON on 200 as success, so the journal recorded the address as deleted while
the provider still listed it — the very case docs/hostile-input.md says never happens.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.core.providers.cmc import CmcProvider
from app.core.types import DeleteStatus, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json, ses_delete_one


@pytest.mark.parametrize(
    "body",
    [{"error": "upstream unavailable"}, {"message": "Service Unavailable"}, ["busy"], "busy"],
)
def test_ses_deletion_answered_with_a_foreign_json_body_is_not_deleted(body: Any) -> None:
    def reply(handler: HostileHandler) -> None:
        send_json(handler, body)

    outcome = ses_delete_one(reply)
    assert outcome.status is DeleteStatus.FAILED, outcome


def test_cmc_block_cancel_answered_with_errors_is_not_deleted() -> None:
    def reply(handler: HostileHandler) -> None:
        if "/blocks/list.json" in handler.path:
            block = {"created": "2026-11-01 10:00:00", "email": "taro@example.jp", "id": "77"}
            send_json(handler, {"blocks": [{**block, "status": "10"}]})
        else:  # the cancel: refused, in CMC's own error format, with HTTP 200
            error = {"code": "E0001", "field": "id", "message": "指定された ID は存在しません"}
            send_json(handler, {"errors": [error]})

    with (
        hostile_server(reply) as url,
        CmcProvider(
            "user", "key", "srv", base_url=url, block_cancel_api=True, retry_backoff_s=0.01
        ) as provider,
    ):
        (outcome,) = provider.delete(ListKind.BLOCKS, ["taro@example.jp"])
    assert outcome.status is DeleteStatus.FAILED, outcome
