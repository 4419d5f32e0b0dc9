"""A server (or a proxy before it) that ignores the paging parameter answers every page with the
first one: every provider must end such a fetch, never read forever, and say so in Japanese."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from app.core.errors import UnexpectedPayloadError
from app.core.types import FetchResult
from tests.core.providers.harness import HARNESSES, RANGE, Harness

# Pages small enough that the shared data set spans several of them (SendGrid and CMC use their
# fixed page sizes, 500 and 100).
_OPTIONS: dict[str, dict[str, int]] = {"infobip": {"page_size": 100}, "ses": {"page_size": 100}}
_BREAK_PAGING: dict[str, Callable[[object], None]] = {
    "sendgrid": lambda sandbox: sandbox.configure(ignore_offset=True),  # type: ignore[attr-defined]
    "cmc": lambda sandbox: setattr(sandbox, "ignore_page", True),
    "infobip": lambda sandbox: setattr(sandbox, "ignore_page", True),
    "ses": lambda sandbox: setattr(sandbox, "repeat_token", True),
}


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    with HARNESSES[request.param]() as made:
        yield made


def test_a_server_repeating_its_pages_ends_the_fetch(harness: Harness) -> None:
    _BREAK_PAGING[harness.name](harness.sandbox)
    outcome: list[object] = []

    def fetch() -> None:
        try:
            with harness.make(**_OPTIONS.get(harness.name, {})) as provider:
                outcome.append(provider.fetch(RANGE, list(provider.supported_lists())))
        except UnexpectedPayloadError as error:
            outcome.append(error)

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), f"{harness.name}: the fetch never ended"
    [result] = outcome
    if isinstance(result, FetchResult):  # the offset pager keeps what it read, with a note
        assert any("同じ内容のページを返し続けた" in note for note in result.notes)
        assert result.entries
    else:
        assert isinstance(result, UnexpectedPayloadError)
        assert "同じ内容を返し続けた" in result.message_ja


def test_lists_still_page_to_their_end(harness: Harness) -> None:
    """The guard never fires on a server that pages correctly, whatever the page size."""
    with harness.make(**_OPTIONS.get(harness.name, {})) as provider:
        result = provider.fetch(RANGE, list(provider.supported_lists()))
    assert {(e.list_kind, e.email.lower()) for e in result.entries} == harness.expected()
    assert not any("同じ内容" in note for note in result.notes)


def test_infobip_domain_listing_behind_a_page_dropping_gateway_ends() -> None:
    """More domains than one page of ``/suppressions/domains``: the listing must end too."""
    from app.core.providers.infobip import InfobipProvider
    from app.core.providers.page_scan import RepeatedPageError
    from app.sandbox.infobip_server import FULL_ACCESS, InfobipSandbox

    domains = {f"d{i:03d}.example.jp": dict(FULL_ACCESS) for i in range(150)}
    with InfobipSandbox(keys={"ib-many": domains}) as sandbox:
        with InfobipProvider(sandbox.base_url, "ib-many", retry_backoff_s=0.01) as provider:
            assert len(provider.domains()) == 150  # pages correctly: both pages read
        sandbox.ignore_page = True
        with (
            InfobipProvider(sandbox.base_url, "ib-many", retry_backoff_s=0.01) as provider,
            pytest.raises(RepeatedPageError) as error,
        ):
            provider.domains()
    assert "同じ内容を返し続けた" in error.value.message_ja
