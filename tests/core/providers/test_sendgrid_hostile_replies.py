"""Hostile or broken SendGrid answers over loopback: a Japanese error or a bounded wait, never a
Python exception escaping the provider and never a fetch that waits forever."""

from __future__ import annotations

import threading

import pytest

from app.core.cancel import CancelToken
from app.core.errors import CancelledError, UnexpectedPayloadError
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import FetchResult, ListKind
from tests.helpers.core_sandbox import API_KEY, RANGE, bounce


def _provider(sandbox, **kwargs) -> SendGridProvider:
    return SendGridProvider(API_KEY, base_url=sandbox.base_url, retry_backoff_s=0.01, **kwargs)


def test_json_nested_too_deep_is_an_unexpected_payload(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(10, status="deep")
    with _provider(sandbox, max_retries=1) as provider, pytest.raises(UnexpectedPayloadError):
        provider.fetch(RANGE, [ListKind.BOUNCES])


def test_one_deep_answer_is_retried_and_nothing_is_lost(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(3)])
    sandbox.fail_next(1, status="deep", path_prefix="/v3/suppression/bounces")
    with _provider(sandbox, max_retries=2) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES])
    assert len(result.entries) == 3


@pytest.mark.parametrize("reset", ["inf", "-inf", "nan", "1e400", "99999999999", "soon"])
def test_an_odd_rate_limit_reset_is_no_python_error(make_sandbox, reset: str) -> None:
    """A 429 whose X-RateLimit-Reset is not a finite number (or years away): the fetch either
    goes on after a bounded wait or ends by the user's cancel; "inf" used to escape as an
    OverflowError from int(float("inf"))."""
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(1, status=f"429 reset={reset}", path_prefix="/v3/suppression/bounces")
    cancel = CancelToken()
    outcome: list[object] = []

    def fetch() -> None:
        try:
            with _provider(sandbox, max_retries=1) as provider:
                outcome.append(provider.fetch(RANGE, [ListKind.BOUNCES], cancel=cancel))
        except BaseException as error:  # the test reports whatever escaped
            outcome.append(error)

    worker = threading.Thread(target=fetch)
    worker.start()
    worker.join(timeout=3)
    cancel.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive()
    [result] = outcome
    assert isinstance(result, FetchResult | CancelledError), repr(result)


def test_a_lone_surrogate_escape_in_a_reply_becomes_a_visible_replacement(make_sandbox) -> None:
    """JSON may escape a lone UTF-16 surrogate ("\\ud800"); json.loads keeps it, and the first
    writer that encodes the text (the history's SQLite binding, the JSON Lines file) raised
    UnicodeEncodeError and lost the whole fetch. It arrives as U+FFFD instead."""
    from app.sandbox.sendgrid_server import SandboxRecord
    from tests.helpers.core_sandbox import RANGE_START

    sandbox = make_sandbox(
        [
            SandboxRecord("bounces", "a\ud800@example.jp", RANGE_START + 6, "5 \udfff x", "5.1.1"),
            SandboxRecord("bounces", "ok@example.jp", RANGE_START + 9, "550 \U0001f600", "5.1.1"),
        ]
    )
    with _provider(sandbox) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES])
    by_email = {entry.email: entry for entry in result.entries}
    assert set(by_email) == {"a\ufffd@example.jp", "ok@example.jp"}
    assert by_email["a\ufffd@example.jp"].reason == "5 \ufffd x"
    assert by_email["ok@example.jp"].reason == "550 \U0001f600"  # a real pair stays as it was


def test_a_server_that_ignores_offset_ends_the_fetch_with_a_note(make_sandbox) -> None:
    """A proxy that drops ``offset`` answers every page with the first one: the list would be
    read forever. The pager stops it after a few full pages with nothing new and says so."""
    sandbox = make_sandbox([bounce(i) for i in range(1200)])
    sandbox.configure(ignore_offset=True)
    result: list[FetchResult] = []

    def fetch() -> None:
        with _provider(sandbox) as provider:
            result.append(provider.fetch(RANGE, [ListKind.BOUNCES]))

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the fetch never ended"
    [fetched] = result
    assert len(fetched.entries) == 500  # the one page the server really gave
    assert any("同じ内容のページを返し続けた" in note for note in fetched.notes)


def test_new_entries_arriving_while_paging_do_not_stop_a_long_list(make_sandbox) -> None:
    """A few new bounces shift later pages by a few addresses, never by whole pages: a long
    list is still read to its end, with no note about repeating pages."""
    sandbox = make_sandbox([bounce(i) for i in range(3000)])
    added = iter(range(10_000, 10_040, 4))

    def on_page(_page) -> None:
        first = next(added, None)
        if first is not None:
            sandbox.add_records([bounce(i) for i in range(first, first + 4)])

    with _provider(sandbox) as provider:
        fetched = provider.fetch(RANGE, [ListKind.BOUNCES], on_page=on_page)
    assert len(fetched.entries) >= 3000
    assert not any("同じ内容のページ" in note for note in fetched.notes)


@pytest.mark.parametrize("fault", ["garbage", "deep"])
def test_a_delete_answered_with_a_body_is_never_taken_for_done(make_sandbox, fault: str) -> None:
    """SendGrid answers a deletion with 204 and no body. A 200 carrying a proxy's error page or
    a cut JSON body says nothing about the deletion: every address that stays listed must come
    back failed, not deleted (the journal and the grid believe the outcome)."""
    sandbox = make_sandbox([bounce(i) for i in range(3)])
    emails = [record.email for record in sandbox.records("bounces")]
    sandbox.fail_next(100, status=fault, path_prefix="/v3/suppression/bounces", method="DELETE")
    with _provider(sandbox, max_retries=1) as provider:
        outcomes = provider.delete(ListKind.BOUNCES, emails)
    assert {record.email for record in sandbox.records("bounces")} == set(emails)
    assert [outcome.status.name for outcome in outcomes] == ["FAILED"] * 3
    assert all("想定外の形式" in outcome.detail for outcome in outcomes)


def test_one_delete_answered_with_a_body_is_retried_and_done(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(3)])
    emails = [record.email for record in sandbox.records("bounces")]
    sandbox.fail_next(1, status="garbage", path_prefix="/v3/suppression/bounces", method="DELETE")
    with _provider(sandbox, max_retries=2) as provider:
        outcomes = provider.delete(ListKind.BOUNCES, emails)
    assert sandbox.records("bounces") == []
    assert [outcome.status.name for outcome in outcomes] == ["DELETED"] * 3
