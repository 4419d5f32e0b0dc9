"""A look-up answered 200 with JSON that is not a listing says nothing about the address.

After a crash, ``reconcile_unfinished`` asks ``is_listed`` for every deletion left pending and
records GONE when the answer is "not listed". SendGrid answers a look-up with the entry (a
list, or ``recipient_email`` for global unsubscribes), ``[]`` or 404; ``lookup`` read any other
JSON — a gateway's ``{"errors": [...]}`` or ``{"message": "Service Unavailable"}`` sent with
200 — as "not listed", so the journal recorded the address as gone while SendGrid still
listed it. Such an answer must be an error (the operation stays to be checked again).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import TodokuError
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json


@pytest.mark.parametrize(
    "body",
    [
        {"errors": [{"message": "upstream unavailable"}]},
        {"message": "Service Unavailable"},
        "maintenance",
    ],
)
@pytest.mark.parametrize("kind", [ListKind.BOUNCES, ListKind.UNSUBSCRIBES])
def test_a_foreign_json_answer_is_not_taken_for_not_listed(body: Any, kind: ListKind) -> None:
    def reply(handler: HostileHandler) -> None:
        send_json(handler, body)

    with (
        hostile_server(reply) as url,
        SendGridProvider("SG.key", base_url=url, max_retries=1, retry_backoff_s=0.01) as provider,
        pytest.raises(TodokuError),
    ):
        listed = provider.is_listed(kind, "taro@example.jp")
        print(f"is_listed answered {listed}")  # reached only when no error was raised
