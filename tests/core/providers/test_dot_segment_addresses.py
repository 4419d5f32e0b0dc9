"""An "address" that is exactly "." or ".." stays one path segment of the request.

``quote(safe="")`` leaves dots alone and httpx removes dot segments (RFC 3986 §5.2.4), so
deleting the global unsubscribe ".." went to ``DELETE /v3/asm/suppressions`` and looking up
"." on bounces read ``GET /v3/suppression/bounces`` (the whole list) instead of one address.
Such lines come from a careless emails file or a hostile server's list.
"""

from __future__ import annotations

import pytest

from app.core.providers.sendgrid import SendGridProvider
from app.core.types import DeleteStatus, ListKind
from app.sandbox.sendgrid_server import SandboxRecord
from tests.core.providers.harness import HARNESSES
from tests.helpers.core_sandbox import API_KEY, RANGE_START


@pytest.mark.parametrize("address", [".", ".."])
def test_sendgrid_sends_a_dot_address_as_one_segment(make_sandbox, address: str) -> None:
    sandbox = make_sandbox([SandboxRecord("bounces", "a@example.jp", RANGE_START, "550", "5.1.1")])
    encoded = address.replace(".", "%2E")
    with SendGridProvider(API_KEY, base_url=sandbox.base_url, retry_backoff_s=0.01) as provider:
        assert provider.lookup(ListKind.BOUNCES, address) is None
        provider.delete(ListKind.UNSUBSCRIBES, [address])
    paths = [(r.method, r.path) for r in sandbox.request_log if r.path != "/v3/scopes"]
    assert paths == [
        ("GET", f"/v3/suppression/bounces/{encoded}"),
        ("DELETE", f"/v3/asm/suppressions/global/{encoded}"),
    ]
    assert [r.email for r in sandbox.records("bounces")] == ["a@example.jp"]


def test_ses_deletes_a_dot_address_as_itself() -> None:
    with HARNESSES["ses"]() as harness:
        before = harness.listed(harness.delete_kind)
        provider = harness.make()
        (outcome,) = provider.delete(harness.delete_kind, [".."])
        provider.close()
        assert outcome.status is DeleteStatus.NOT_FOUND, outcome  # signed right, not listed
        assert harness.listed(harness.delete_kind) == before
        deletes = [r.path for r in harness.sandbox.request_log if r.method == "DELETE"]
        assert deletes == ["/v2/email/suppression/addresses/%2E%2E"]
