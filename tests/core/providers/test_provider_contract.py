"""One contract for every provider, run against each provider's loopback imitation.

Fetch a range (paging across pages), survive 429/5xx/drops/HTML with the same entries, delete,
refuse without permission, and say in Japanese when credentials are wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.errors import (
    AuthError,
    PermissionDeniedError,
    ScopeError,
    TodokuError,
    UnexpectedPayloadError,
)
from app.core.types import DeleteStatus
from app.sandbox.sendgrid_types import FaultPlan
from tests.core.providers.harness import HARNESSES, RANGE, Harness


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    with HARNESSES[request.param]() as built:
        yield built


def keys(result_entries) -> set:
    return {entry.key for entry in result_entries}


def test_fetch_a_range_across_pages(harness: Harness) -> None:
    with harness.make() as provider:
        pages: list[int] = []
        result = provider.fetch(
            RANGE, provider.supported_lists(), on_page=lambda page: pages.append(len(page))
        )
    expected = harness.expected()
    assert keys(result.entries) == expected
    assert len(result.entries) == len(expected)  # no duplicates
    assert sum(pages) == len(expected)  # every entry streamed once
    assert len(pages) >= 3  # several pages, not one big answer
    for entry in result.entries:
        assert entry.created.tzinfo is not None
        assert entry.list_kind in provider.supported_lists()


def test_entries_are_the_same_under_faults(harness: Harness) -> None:
    harness.sandbox.configure(faults=FaultPlan(p429=0.08, p500=0.08, drop=0.05, garbage=0.05))
    with harness.make() as provider:
        result = provider.fetch(RANGE, provider.supported_lists())
    assert keys(result.entries) == harness.expected()
    assert result.retries > 0
    faults = {logged.fault for logged in harness.sandbox.request_log if logged.fault}
    assert faults  # the plan really injected faults


@pytest.mark.parametrize(
    "fault", ["429", "500", "503", "drop", "garbage", "deep", "429 reset=inf", "429 reset=nan"]
)
def test_scripted_fault_is_retried(harness: Harness, fault: str) -> None:
    harness.sandbox.fail_next(2, fault, harness.fault_path)
    with harness.make() as provider:
        result = provider.fetch(RANGE, provider.supported_lists())
    assert keys(result.entries) == harness.expected()


def test_html_instead_of_json_every_time_is_a_japanese_error(harness: Harness) -> None:
    harness.sandbox.fail_next(100, "garbage", harness.fault_path)
    with harness.make(max_retries=2) as provider, pytest.raises(UnexpectedPayloadError) as error:
        provider.fetch(RANGE, provider.supported_lists())
    assert "想定外" in error.value.message_ja


def test_bad_credentials(harness: Harness) -> None:
    with harness.make("bad") as provider, pytest.raises(AuthError) as error:
        provider.fetch(RANGE, provider.supported_lists())
    assert error.value.message_ja and error.value.next_step_ja
    assert "secret" not in error.value.detail and "nope" not in error.value.detail


def test_no_read_permission(harness: Harness) -> None:
    with harness.make("noread") as provider, pytest.raises(TodokuError) as error:
        provider.fetch(RANGE, provider.supported_lists())
    assert isinstance(error.value, ScopeError | PermissionDeniedError)


def test_delete(harness: Harness) -> None:
    kind = harness.delete_kind
    with harness.make() as provider:
        listed = sorted(email for k, email in harness.expected() if k is kind)
        provider.fetch(RANGE, [kind])
        targets = [listed[0], listed[1]]
        outcomes = provider.delete(kind, [*targets, "nobody@example.jp"])
    assert [o.email for o in outcomes] == [*targets, "nobody@example.jp"]
    assert [o.status for o in outcomes[:2]] == [DeleteStatus.DELETED] * 2
    assert outcomes[2].ok
    remaining = {email.lower() for email in harness.listed(kind)}
    assert not remaining & set(targets)
    assert listed[2] in remaining


def test_delete_without_permission_changes_nothing(harness: Harness) -> None:
    kind = harness.delete_kind
    target = sorted(email for k, email in harness.expected() if k is kind)[0]
    with harness.make("readonly") as provider:
        provider.fetch(RANGE, [kind])
        outcomes = provider.delete(kind, [target])
    assert outcomes[0].status is DeleteStatus.FAILED
    assert "権限" in outcomes[0].detail
    assert target in {email.lower() for email in harness.listed(kind)}


def test_delete_answered_with_a_page_on_200_is_never_taken_for_done(harness: Harness) -> None:
    """A proxy's HTML page sent with 200 (or a cut body) says nothing about a deletion: what the
    provider still lists must not come back deleted, or the deletion history would say so."""
    kind = harness.delete_kind
    target = sorted(email for k, email in harness.expected() if k is kind)[0]
    with harness.make() as provider:
        provider.fetch(RANGE, [kind])
        harness.sandbox.fail_next(100, "garbage", harness.fault_path)
        outcomes = provider.delete(kind, [target])
    still_listed = target in {email.lower() for email in harness.listed(kind)}
    assert outcomes[0].status is (DeleteStatus.FAILED if still_listed else DeleteStatus.DELETED)
