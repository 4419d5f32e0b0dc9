"""The SendGrid client against the sandbox over loopback, asserting on the sandbox's request log."""

from __future__ import annotations

import threading
from urllib.parse import unquote

import pytest

from app.core.cancel import CancelToken
from app.core.errors import (
    AuthError,
    CancelledError,
    NetworkError,
    ScopeError,
    ServerError,
    UnexpectedPayloadError,
)
from app.core.providers.sendgrid import EU_BASE_URL, SendGridProvider, base_url_for_region
from app.core.types import ALL_LISTS, DeleteStatus, ListKind
from app.sandbox.sendgrid_server import FaultPlan, SandboxRecord
from tests.helpers.core_sandbox import API_KEY, RANGE, RANGE_END, RANGE_START, bounce


def provider_for(sandbox, **kwargs) -> SendGridProvider:
    kwargs.setdefault("retry_backoff_s", 0.01)
    return SendGridProvider(kwargs.pop("api_key", API_KEY), base_url=sandbox.base_url, **kwargs)


def list_requests(sandbox, kind: str = "bounces"):
    return [
        r for r in sandbox.request_log if r.method == "GET" and r.path == f"/v3/suppression/{kind}"
    ]


@pytest.mark.parametrize("count", [0, 1, 499, 500, 501, 1000, 2345])
def test_fetch_pages_until_a_short_page(make_sandbox, count: int) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(count)])
    with provider_for(sandbox, max_concurrency=4) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES])
    assert sorted(e.email for e in result.entries) == sorted(
        f"user{i:06d}@example.jp" for i in range(count)
    )
    requests = list_requests(sandbox)
    offsets = sorted({int(r.query["offset"][0]) for r in requests})
    assert all(r.query["limit"] == ["500"] for r in requests)
    assert all(o % 500 == 0 for o in offsets)
    # Every page that holds data was read, and paging stopped soon after the first short page.
    needed = set(range(0, count + 1, 500))
    assert needed <= set(offsets)
    assert max(offsets) <= (count // 500) * 500 + 4 * 500
    assert all(r.query["start_time"] == [str(RANGE_START)] for r in requests)
    assert all(r.query["end_time"] == [str(RANGE_END)] for r in requests)


@pytest.mark.parametrize(("count", "reads"), [(0, 1), (1, 1), (499, 1), (501, 2 + 2)])
def test_a_list_answered_in_one_page_is_not_read_again(make_sandbox, count, reads) -> None:
    """One short first page is the whole list in one answer: no offset moved between reads,
    so no re-check is sent (the tail of an incremental fetch stays one request per list).
    Paged lists are still re-checked (last page and head)."""
    sandbox = make_sandbox([bounce(i) for i in range(count)])
    with provider_for(sandbox, max_concurrency=1) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES])
    assert len(result.entries) == count
    assert len(list_requests(sandbox)) == reads


def test_fetch_100k_entries_no_duplicates_no_gaps(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(100_000)])
    pages: list[int] = []
    with provider_for(sandbox, max_concurrency=8) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES], on_page=lambda p: pages.append(len(p)))
    emails = [e.email for e in result.entries]
    assert len(emails) == len(set(emails)) == 100_000
    assert sum(pages) == 100_000
    assert len(list_requests(sandbox)) >= 200


def test_range_ends_are_inclusive_in_jst(make_sandbox) -> None:
    records = [
        bounce(1, RANGE_START - 1),
        bounce(2, RANGE_START),
        bounce(3, RANGE_END),
        bounce(4, RANGE_END + 1),
    ]
    sandbox = make_sandbox(records)
    with provider_for(sandbox) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES])
    assert sorted(e.email for e in result.entries) == [
        "user000002@example.jp",
        "user000003@example.jp",
    ]
    # 2026-11-01 00:00:00 JST is 2026-10-31 15:00:00 UTC.
    entry = next(e for e in result.entries if e.email == "user000002@example.jp")
    assert entry.created.utcoffset() is not None
    assert entry.created.isoformat() == "2026-10-31T15:00:00+00:00"


def test_all_lists_are_fetched_with_their_fields(make_sandbox) -> None:
    records = [
        SandboxRecord("bounces", "a@example.jp", RANGE_START + 10, "550 5.1.1 unknown", "5.1.1"),
        SandboxRecord("blocks", "b@docomo.ne.jp", RANGE_START + 20, "421 4.7.0 blocked", "4.7.0"),
        SandboxRecord("invalid_emails", "c@example", RANGE_START + 30, "Mail domain unknown"),
        SandboxRecord("spam_reports", "d@gmail.com", RANGE_START + 40, ip="192.0.2.10"),
        SandboxRecord("unsubscribes", "e@city.example.lg.jp", RANGE_START + 50),
    ]
    sandbox = make_sandbox(records)
    with provider_for(sandbox) as provider:
        result = provider.fetch(RANGE, ALL_LISTS)
    by_kind = {e.list_kind: e for e in result.entries}
    assert set(by_kind) == set(ALL_LISTS)
    assert by_kind[ListKind.BLOCKS].status == "4.7.0"
    assert by_kind[ListKind.SPAM_REPORTS].ip == "192.0.2.10"
    assert by_kind[ListKind.UNSUBSCRIBES].reason == ""
    assert by_kind[ListKind.INVALID_EMAILS].domain == "example"


@pytest.mark.parametrize("fault", [429, 500, "drop", "garbage"])
def test_each_fault_is_retried_and_loses_nothing(make_sandbox, fault) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(1200)])
    sandbox.fail_next(2, status=fault, path_prefix="/v3/suppression/bounces")
    with provider_for(sandbox) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES])
    assert len({e.email for e in result.entries}) == len(result.entries) == 1200
    faults = [r.fault for r in sandbox.request_log if r.fault]
    assert len(faults) == 2
    assert result.retries >= 2


def test_random_faults_give_the_same_entries_as_a_clean_fetch(make_sandbox) -> None:
    records = [bounce(i) for i in range(3000)]
    clean = make_sandbox(records)
    faulty = make_sandbox(
        records, faults=FaultPlan(p429=0.05, p500=0.05, drop=0.02, garbage=0.01), seed=3
    )
    with provider_for(clean) as provider:
        expected = {
            (e.list_kind, e.email, e.created, e.reason)
            for e in provider.fetch(RANGE, [ListKind.BOUNCES]).entries
        }
    with provider_for(faulty, max_retries=8) as provider:
        got = {
            (e.list_kind, e.email, e.created, e.reason)
            for e in provider.fetch(RANGE, [ListKind.BOUNCES]).entries
        }
    assert got == expected


def test_persistent_server_errors_become_a_japanese_server_error(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(10, status=500)
    with provider_for(sandbox, max_retries=2) as provider, pytest.raises(ServerError) as caught:
        provider.fetch(RANGE, [ListKind.BOUNCES])
    assert "SendGrid" in caught.value.message_ja
    assert "HTTP 500" in caught.value.detail
    assert len(list_requests(sandbox)) == 3  # first try + 2 retries


def test_garbage_that_never_stops_becomes_unexpected_payload(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(10, status="garbage")
    with provider_for(sandbox, max_retries=1) as provider, pytest.raises(UnexpectedPayloadError):
        provider.fetch(RANGE, [ListKind.BOUNCES])


def test_dropped_connections_that_never_stop_become_a_network_error(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(10, status="drop")
    with provider_for(sandbox, max_retries=1) as provider, pytest.raises(NetworkError) as caught:
        provider.fetch(RANGE, [ListKind.BOUNCES])
    assert "接続" in caught.value.message_ja


def test_bad_key_gives_japanese_auth_error_without_the_key(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(1)])
    with (
        provider_for(sandbox, api_key="SG.wrong-secret-value") as provider,
        pytest.raises(AuthError) as caught,
    ):
        provider.fetch(RANGE, [ListKind.BOUNCES])
    error = caught.value
    assert "API キー" in error.message_ja and "設定" in error.next_step_ja
    assert "SG.wrong-secret-value" not in error.detail + str(error) + repr(provider)
    assert sandbox.request_log[-1].status == 401


def test_missing_scope_names_the_scope(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(1)], api_keys={API_KEY: {"suppression.blocks.read"}})
    with provider_for(sandbox) as provider:
        assert [e.email for e in provider.fetch(RANGE, [ListKind.BLOCKS]).entries] == []
        with pytest.raises(ScopeError) as caught:
            provider.fetch(RANGE, [ListKind.BOUNCES])
    assert "suppression.bounces.read" in caught.value.message_ja
    assert sandbox.request_log[-1].status == 403


def test_permissions_from_scopes(make_sandbox) -> None:
    scopes = {"suppression.bounces.read", "suppression.bounces.delete", "suppression.blocks.read"}
    sandbox = make_sandbox(api_keys={API_KEY: scopes})
    with provider_for(sandbox) as provider:
        permissions = {p.list_kind: p for p in provider.permissions()}
    assert permissions[ListKind.BOUNCES].can_read and permissions[ListKind.BOUNCES].can_delete
    assert permissions[ListKind.BLOCKS].can_read and not permissions[ListKind.BLOCKS].can_delete
    assert not permissions[ListKind.SPAM_REPORTS].can_read


def test_cancel_stops_paging(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(20_000)], latency_ms=20)
    cancel = CancelToken()
    seen: list[int] = []

    def on_page(page) -> None:
        seen.append(len(page))
        if len(seen) == 2:
            cancel.cancel()

    with provider_for(sandbox, max_concurrency=2) as provider, pytest.raises(CancelledError):
        provider.fetch(RANGE, [ListKind.BOUNCES], on_page=on_page, cancel=cancel)
    assert len(list_requests(sandbox)) < 10  # far fewer than the 40 pages


def test_subuser_and_region(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(1)])
    with provider_for(sandbox, subuser="tokyo-sub") as provider:
        provider.fetch(RANGE, [ListKind.BOUNCES])
    assert all(r.headers.get("on-behalf-of") == "tokyo-sub" for r in sandbox.request_log)
    assert base_url_for_region("eu") == EU_BASE_URL == "https://api.eu.sendgrid.com"


def test_entries_deleted_meanwhile_leave_no_silent_gap(make_sandbox) -> None:
    records = [bounce(i, RANGE_START + i) for i in range(2000)]
    sandbox = make_sandbox(records)
    removed: set[str] = set()
    lock = threading.Lock()

    def on_page(page) -> None:
        # Someone else deletes 30 entries that sort before the pages still to come.
        with lock:
            if not removed:
                for record in records[1990:1960:-1]:
                    sandbox.remove("bounces", record.email)
                    removed.add(record.email)

    with provider_for(sandbox, max_concurrency=1) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES], on_page=on_page)
    got = {e.email for e in result.entries}
    still_listed = {r.email for r in sandbox.records("bounces")}
    assert still_listed <= got  # nothing that is still on the list was skipped
    assert len(got) == len(result.entries)
    assert result.notes  # the re-check is reported


def test_rate_limit_budget_is_respected(make_sandbox) -> None:
    sandbox = make_sandbox(
        [bounce(i) for i in range(6000)], rate_limit_per_minute=5, rate_window_seconds=1
    )
    with provider_for(sandbox, max_concurrency=4) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES])
    assert len(result.entries) == 6000
    too_many = [r for r in sandbox.request_log if r.status == 429]
    assert len(too_many) <= 2  # the budget keeps us within the headers' limit


def test_delete_chunks_never_send_delete_all(make_sandbox) -> None:
    records = [bounce(i) for i in range(250)]
    sandbox = make_sandbox(records)
    emails = [r.email for r in records]
    with provider_for(sandbox) as provider:
        outcomes = provider.delete(ListKind.BOUNCES, emails)
    assert [o.email for o in outcomes] == emails
    assert all(o.status is DeleteStatus.DELETED for o in outcomes)
    deletes = [r for r in sandbox.request_log if r.method == "DELETE"]
    assert len(deletes) == 3
    for request in deletes:
        assert b"delete_all" not in request.body
    assert sandbox.records("bounces") == []


def test_partial_delete_failure_is_per_address(make_sandbox) -> None:
    records = [bounce(i) for i in range(5)]
    sandbox = make_sandbox(records)
    emails = [r.email for r in records] + ["absent@example.jp"]
    # The bulk request fails, then the first single delete fails too: one address stays.
    sandbox.fail_next(2, status=500)
    with provider_for(sandbox, max_retries=0) as provider:
        outcomes = {o.email: o for o in provider.delete(ListKind.BOUNCES, emails)}
    assert outcomes[emails[0]].status is DeleteStatus.FAILED
    assert outcomes[emails[0]].detail
    assert all(outcomes[e].status is DeleteStatus.DELETED for e in emails[1:5])
    assert outcomes["absent@example.jp"].status is DeleteStatus.NOT_FOUND
    assert [r.email for r in sandbox.records("bounces")] == [emails[0]]


@pytest.mark.parametrize(
    "email",
    [
        "taro+news@example.jp",
        "100%sure@example.jp",
        "a/b@example.jp",
        "o'brien@example.com",
        '"quoted name"@example.jp',
        "山田@例え.jp",
    ],
)
def test_awkward_addresses_list_and_delete(make_sandbox, email: str) -> None:
    sandbox = make_sandbox(
        [
            SandboxRecord("bounces", email, RANGE_START + 5, "550 5.1.1", "5.1.1"),
            SandboxRecord("unsubscribes", email, RANGE_START + 5),
        ]
    )
    with provider_for(sandbox) as provider:
        fetched = provider.fetch(RANGE, [ListKind.BOUNCES, ListKind.UNSUBSCRIBES]).entries
        assert {e.email for e in fetched} == {email}
        assert provider.is_listed(ListKind.BOUNCES, email)
        [single] = provider.delete(ListKind.UNSUBSCRIBES, [email])
        [bulk] = provider.delete(ListKind.BOUNCES, [email])
        assert not provider.is_listed(ListKind.BOUNCES, email)
    assert single.status is DeleteStatus.DELETED and bulk.status is DeleteStatus.DELETED
    unsub_delete = next(r for r in sandbox.request_log if r.method == "DELETE" and "asm" in r.path)
    segment = unsub_delete.path.rsplit("/", 1)[1]
    assert "@" not in segment and "/" not in segment and unquote(segment) == email
    assert sandbox.records() == []


def test_delete_cancel_reports_unattempted_addresses(make_sandbox) -> None:
    records = [bounce(i, kind="unsubscribes") for i in range(10)]
    sandbox = make_sandbox(records)
    cancel = CancelToken()

    def progress(done: int, total: int) -> None:
        if done == 3:
            cancel.cancel()

    with provider_for(sandbox) as provider:
        outcomes = provider.delete(
            ListKind.UNSUBSCRIBES, [r.email for r in records], progress=progress, cancel=cancel
        )
    assert [o.status for o in outcomes[:3]] == [DeleteStatus.DELETED] * 3
    assert all(o.status is DeleteStatus.FAILED for o in outcomes[3:])
    assert len(sandbox.records("unsubscribes")) == 7


def test_unknown_error_payloads_are_logged_and_kept_in_the_detail(make_sandbox, caplog) -> None:
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(1, status=418)  # a status and message this client has never seen
    with provider_for(sandbox) as provider, pytest.raises(UnexpectedPayloadError) as caught:
        provider.fetch(RANGE, [ListKind.BOUNCES])
    assert "HTTP 418" in caught.value.message_ja + caught.value.detail
    assert "scripted failure" in caught.value.detail
    logged = [r for r in caplog.records if r.levelname == "WARNING" and "418" in r.getMessage()]
    assert logged and "scripted failure" in logged[0].getMessage()
    assert API_KEY not in caplog.text


def test_html_gateway_pages_become_a_server_error_with_the_page_kept(make_sandbox, caplog) -> None:
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(5, status=502)
    with provider_for(sandbox, max_retries=1) as provider, pytest.raises(ServerError) as caught:
        provider.fetch(RANGE, [ListKind.BOUNCES])
    assert "HTTP 502" in caught.value.detail and "<html" in caught.value.detail.lower()
    assert any("502" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
