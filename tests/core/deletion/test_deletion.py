"""Guided deletion against the SendGrid sandbox: plan, journal-first delete, partial failure, retry,
reconcile."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.deletion.plan import (
    WARNING_BLOCKS,
    WARNING_BLOCKS_ANY,
    WARNING_INVALID,
    WARNING_SPAM,
    WARNING_UNSUBSCRIBES,
    DeleteProgress,
    DeletionContext,
    plan_deletion,
    plan_for_addresses,
)
from app.core.deletion.reconcile import reconcile_unfinished
from app.core.deletion.run import (
    CANCELLED_DETAIL,
    delete_with_record,
    retry_failed,
    run_with_provider,
)
from app.core.errors import InvalidInputError
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal import (
    DeletionJournal,
    EntryResult,
    OperationState,
)
from app.core.types import DeleteStatus, Explanation, ListKind, SuppressionEntry
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox
from tests.helpers.core_sandbox import API_KEY

CREATED = datetime(2026, 11, 3, tzinfo=UTC)


def entry(kind: ListKind, email: str) -> SuppressionEntry:
    return SuppressionEntry(kind, email, CREATED, "5.1.1", "550 5.1.1 User unknown", "")


def explanation(reason: str, permanent: bool = False) -> Explanation:
    return Explanation(reason, "Invalid Address", permanent, "宛先不明", "説明", "対応")


def record(kind: ListKind, email: str) -> SandboxRecord:
    return SandboxRecord(kind.value, email, int(CREATED.timestamp()), "550 5.1.1 User unknown")


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[DeletionJournal]:
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    yield journal
    journal.close()


@pytest.fixture
def provider_for() -> Iterator[Callable[[SendGridSandbox], SendGridProvider]]:
    made: list[SendGridProvider] = []

    def make(sandbox: SendGridSandbox) -> SendGridProvider:
        provider = SendGridProvider(
            API_KEY, base_url=sandbox.base_url, max_retries=0, retry_backoff_s=0.01, timeout_s=5
        )
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()


def emails_on(sandbox: SendGridSandbox, kind: ListKind) -> set[str]:
    return {r.email for r in sandbox.records(kind.value)}


# -- plan ----------------------------------------------------------------------------------------


def test_plan_groups_counts_and_warns_per_list() -> None:
    plan = plan_deletion(
        [
            (entry(ListKind.UNSUBSCRIBES, "u@example.jp"), None),
            (entry(ListKind.BOUNCES, "a@example.jp"), explanation("userunknown")),
            (entry(ListKind.BOUNCES, "A@example.jp"), explanation("userunknown")),  # same address
            (entry(ListKind.BOUNCES, "b@example.jp"), explanation("filtered", permanent=True)),
            (entry(ListKind.BOUNCES, "c@example.jp"), explanation("mailboxfull")),
            (entry(ListKind.BLOCKS, "d@example.jp"), None),
            (entry(ListKind.INVALID_EMAILS, "e@example"), None),
            (entry(ListKind.SPAM_REPORTS, "f@example.jp"), None),
        ],
        provider="sendgrid",
    )
    assert [kind for kind, _ in plan.counts] == list(ListKind)  # the app's list order
    assert dict(plan.counts)[ListKind.BOUNCES] == 3
    assert plan.total == 7
    bounces = plan.list_plan(ListKind.BOUNCES)
    assert bounces is not None and bounces.permanent_count == 2
    assert any("2 件" in text and "レピュテーション" in text for text in bounces.warnings)
    warnings = dict(plan.warnings)
    assert warnings[ListKind.BLOCKS] == WARNING_BLOCKS
    assert warnings[ListKind.INVALID_EMAILS] == WARNING_INVALID
    assert warnings[ListKind.SPAM_REPORTS] == WARNING_SPAM
    assert warnings[ListKind.UNSUBSCRIBES] == WARNING_UNSUBSCRIBES
    assert plan.requires_consent
    assert not plan.requires_typed_confirmation


def test_the_blocks_warning_names_the_provider_the_deletion_goes_to() -> None:
    """CMC's and Infobip's blocks stop mail (deleting lets it go again); SendGrid's do not.
    The same plan served all four providers with SendGrid's wording."""

    def blocks_warning(provider: str) -> str:
        plan = plan_deletion([(entry(ListKind.BLOCKS, "d@example.jp"), None)], provider=provider)
        return dict(plan.warnings)[ListKind.BLOCKS]

    assert blocks_warning("sendgrid") == WARNING_BLOCKS
    for provider, name in (("infobip", "Infobip の"), ("cmc", "カスタマーズメールクラウドの")):
        text = blocks_warning(provider)
        assert text.startswith(name + "ブロックは"), text
        assert "配信が再開されます" in text and "SendGrid" not in text
    # Not known (a plan made without a provider): no provider named, neither behaviour claimed.
    assert blocks_warning("") == WARNING_BLOCKS_ANY
    assert "SendGrid" not in WARNING_BLOCKS_ANY
    assert "止めません" not in WARNING_BLOCKS_ANY
    addresses = plan_for_addresses(ListKind.BLOCKS, ["x@example.jp"], provider="infobip")
    assert dict(addresses.warnings)[ListKind.BLOCKS] == blocks_warning("infobip")


def test_typed_confirmation_from_100_and_consent_only_for_spam_or_unsubscribes() -> None:
    def many(count: int, kind: ListKind) -> list[tuple[SuppressionEntry, None]]:
        return [(entry(kind, f"x{i}@example.jp"), None) for i in range(count)]

    assert not plan_deletion(many(99, ListKind.BOUNCES)).requires_typed_confirmation
    big = plan_deletion(many(100, ListKind.BLOCKS))
    assert big.requires_typed_confirmation and big.confirmation_number == "100"
    assert not big.requires_consent
    no_permanent = plan_deletion(many(3, ListKind.BOUNCES))
    assert not any("レピュテーション" in text for _, text in no_permanent.warnings)
    assert plan_deletion(many(1, ListKind.SPAM_REPORTS)).requires_consent


# -- delete with record ----------------------------------------------------------------------------


def test_journal_is_complete_before_the_first_request_arrives(
    make_sandbox: Callable[..., SendGridSandbox],
    provider_for: Callable[[SendGridSandbox], SendGridProvider],
    journal: DeletionJournal,
    tmp_path: Path,
) -> None:
    """The sandbox's clock is first read while it handles the first request: read the journal
    (with a fresh connection, as another process would) at that very moment."""
    snapshots: list[list[tuple[str, str, str]]] = []
    reader = DeletionJournal(tmp_path / "journal.sqlite3")

    def clock() -> float:
        if not snapshots:
            ops = reader.list_operations()
            snapshots.append(
                [
                    (op.state.value, e.email, e.result.value)
                    for op in ops
                    for e in reader.entries(op.id)
                ]
            )
        return time.time()

    addresses = [f"b{i}@example.jp" for i in range(150)] + ["u1@example.jp"]
    sandbox = make_sandbox(
        [record(ListKind.BOUNCES, a) for a in addresses[:-1]]
        + [record(ListKind.UNSUBSCRIBES, addresses[-1])],
        clock=clock,
    )
    plan = plan_deletion(
        [(entry(ListKind.BOUNCES, a), None) for a in addresses[:-1]]
        + [(entry(ListKind.UNSUBSCRIBES, addresses[-1]), None)]
    )
    progress: list[DeleteProgress] = []
    pages: list[tuple[object, ...]] = []
    report = delete_with_record(
        provider_for(sandbox),
        journal,
        plan,
        context=DeletionContext(account_label="練習", practice=True, note="テスト"),
        progress=progress.append,
        on_page=pages.append,
    )
    reader.close()
    assert snapshots and len(snapshots[0]) == len(addresses)
    assert all(state == "running" and result == "pending" for state, _, result in snapshots[0])
    assert {email for _, email, _ in snapshots[0]} == set(addresses)

    assert [o.status for o in report.outcomes] == [DeleteStatus.DELETED] * len(addresses)
    assert emails_on(sandbox, ListKind.BOUNCES) == set()
    assert emails_on(sandbox, ListKind.UNSUBSCRIBES) == set()
    deletes = [r for r in sandbox.request_log if r.method == "DELETE"]
    bodies = [json.loads(r.body) for r in deletes if r.path == "/v3/suppression/bounces"]
    assert [len(body["emails"]) for body in bodies] == [100, 50]
    assert all("delete_all" not in body for body in bodies)
    assert [p.done for p in progress] == [100, 150, 151]
    assert sum(len(page) for page in pages) == 151
    op = journal.operation(report.operation_id)
    assert op is not None and op.state is OperationState.DONE
    assert (op.succeeded, op.failed, op.pending, op.practice, op.note) == (
        151,
        0,
        0,
        True,
        "テスト",
    )
    assert op.base_host == sandbox.base_url.removeprefix("http://")


def test_partial_failure_is_recorded_and_retry_deletes_the_rest(
    make_sandbox: Callable[..., SendGridSandbox],
    provider_for: Callable[[SendGridSandbox], SendGridProvider],
    journal: DeletionJournal,
) -> None:
    addresses = ["a@example.jp", "b@example.jp", "c@example.jp"]
    sandbox = make_sandbox([record(ListKind.BOUNCES, a) for a in addresses])
    provider = provider_for(sandbox)
    # The chunk fails, then the first two one-by-one deletes fail; the third goes through.
    sandbox.fail_next(3, 500, path_prefix="/v3/suppression/bounces")
    plan = plan_deletion([(entry(ListKind.BOUNCES, a), None) for a in addresses])
    context = DeletionContext(account_label="本番")
    report = delete_with_record(provider, journal, plan, context=context)

    assert [o.status for o in report.outcomes] == [
        DeleteStatus.FAILED,
        DeleteStatus.FAILED,
        DeleteStatus.DELETED,
    ]
    assert all(o.detail for o in report.failed)  # a Japanese reason for each failure
    assert report.per_list[0].failed == 2 and report.per_list[0].deleted == 1
    assert emails_on(sandbox, ListKind.BOUNCES) == {"a@example.jp", "b@example.jp"}
    failed_rows = journal.entries(report.operation_id, [EntryResult.FAILED])
    assert [row.email for row in failed_rows] == ["a@example.jp", "b@example.jp"]

    sandbox.clear_log()
    # As a Job runs it: a fresh client built and closed around the work.
    retry = run_with_provider(
        lambda: SendGridProvider(API_KEY, base_url=sandbox.base_url),
        retry_failed,
        journal,
        report.operation_id,
        context=context,
    )
    assert [o.email for o in retry.outcomes] == ["a@example.jp", "b@example.jp"]
    assert not retry.failed
    assert emails_on(sandbox, ListKind.BOUNCES) == set()
    bodies = [json.loads(r.body) for r in sandbox.request_log if r.method == "DELETE"]
    assert bodies == [{"emails": ["a@example.jp", "b@example.jp"]}]
    retry_op = journal.operation(retry.operation_id)
    assert retry_op is not None and retry_op.retry_of == report.operation_id
    assert retry_op.note == f"#{report.operation_id} の再試行"

    with pytest.raises(InvalidInputError):  # another account must not retry this operation
        retry_failed(provider, journal, report.operation_id, context=DeletionContext(practice=True))


def test_a_practice_deletion_is_retried_on_the_next_sessions_practice_server(
    make_sandbox: Callable[..., SendGridSandbox],
    provider_for: Callable[[SendGridSandbox], SendGridProvider],
    journal: DeletionJournal,
) -> None:
    """Every session starts its practice server afresh on a new port: a retry follows the
    practice account (its journal label), not the port. A live operation still needs the
    server it was made on."""
    addresses = ["a@example.jp", "b@example.jp"]
    plan = plan_deletion([(entry(ListKind.BOUNCES, a), None) for a in addresses])
    practice = DeletionContext(account_label="練習モード", practice=True)
    earlier = make_sandbox([record(ListKind.BOUNCES, a) for a in addresses])
    earlier.fail_next(3, 400, path_prefix="/v3/suppression/bounces")  # the chunk, then each
    failed = delete_with_record(provider_for(earlier), journal, plan, context=practice)
    assert len(failed.failed) == 2
    live = DeletionContext(account_label="本番")
    earlier.fail_next(3, 400, path_prefix="/v3/suppression/bounces")
    failed_live = delete_with_record(provider_for(earlier), journal, plan, context=live)
    assert len(failed_live.failed) == 2

    later = make_sandbox([record(ListKind.BOUNCES, a) for a in addresses])  # a new port
    other_imitation = DeletionContext(account_label="練習モード cmc:本番", practice=True)
    with pytest.raises(InvalidInputError):
        retry_failed(provider_for(later), journal, failed.operation_id, context=other_imitation)
    with pytest.raises(InvalidInputError):
        retry_failed(provider_for(later), journal, failed_live.operation_id, context=live)
    assert not [r for r in later.request_log if r.method == "DELETE"]
    retry = retry_failed(provider_for(later), journal, failed.operation_id, context=practice)
    assert not retry.failed
    assert emails_on(later, ListKind.BOUNCES) == set()


def test_cancel_leaves_unsent_addresses_failed_and_retryable(
    make_sandbox: Callable[..., SendGridSandbox],
    provider_for: Callable[[SendGridSandbox], SendGridProvider],
    journal: DeletionJournal,
) -> None:
    addresses = [f"u{i}@example.jp" for i in range(5)]
    sandbox = make_sandbox([record(ListKind.UNSUBSCRIBES, a) for a in addresses])
    cancel = CancelToken()

    def stop_after_two(progress: DeleteProgress) -> None:
        if progress.done == 2:
            cancel.cancel()

    plan = plan_deletion([(entry(ListKind.UNSUBSCRIBES, a), None) for a in addresses])
    report = delete_with_record(
        provider_for(sandbox),
        journal,
        plan,
        context=DeletionContext(),
        progress=stop_after_two,
        cancel=cancel,
    )
    assert report.cancelled
    assert [o.status for o in report.outcomes[:2]] == [DeleteStatus.DELETED] * 2
    assert [o.detail for o in report.failed] == [CANCELLED_DETAIL] * 3
    assert emails_on(sandbox, ListKind.UNSUBSCRIBES) == set(addresses[2:])
    assert len([r for r in sandbox.request_log if r.method == "DELETE"]) == 2
    op = journal.operation(report.operation_id)
    assert op is not None and op.state is OperationState.DONE and op.failed == 3


def test_reconcile_checks_unrecorded_addresses_against_the_list(
    make_sandbox: Callable[..., SendGridSandbox],
    provider_for: Callable[[SendGridSandbox], SendGridProvider],
    journal: DeletionJournal,
) -> None:
    """An operation left running (as by a crash): one address was recorded, one really went
    (deleted by the request whose answer never got recorded), one is still listed."""
    from app.core.storage.journal import NewEntry, OperationMeta, ResultUpdate

    sandbox = make_sandbox([record(ListKind.SPAM_REPORTS, "still@example.jp")])
    provider = provider_for(sandbox)
    host = sandbox.base_url.removeprefix("http://")
    op_id = journal.create_operation(
        OperationMeta(base_host=host),
        [
            NewEntry(ListKind.SPAM_REPORTS, "recorded@example.jp"),
            NewEntry(ListKind.SPAM_REPORTS, "went@example.jp"),
            NewEntry(ListKind.SPAM_REPORTS, "still@example.jp"),
        ],
    )
    journal.set_state(op_id, OperationState.RUNNING)
    journal.record_results(
        op_id, [ResultUpdate(ListKind.SPAM_REPORTS, "recorded@example.jp", EntryResult.DELETED)]
    )
    other_account = journal.create_operation(OperationMeta(base_host="api.sendgrid.com"), [])

    context = DeletionContext(base_url=sandbox.base_url)
    summary = reconcile_unfinished(provider, journal, context=context)
    results = {e.email: e.result for e in journal.entries(op_id)}
    assert results == {
        "recorded@example.jp": EntryResult.DELETED,
        "went@example.jp": EntryResult.GONE,
        "still@example.jp": EntryResult.STILL_LISTED,
    }
    assert summary.skipped_operation_ids == (other_account,)
    (reconciled,) = summary.operations
    assert (reconciled.recorded_ok, reconciled.gone, reconciled.still_listed) == (1, 1, 1)
    assert "前回の削除が途中で終了しました" in summary.notice_ja
    op = journal.operation(op_id)
    assert op is not None and op.state is OperationState.RECONCILED
    gets = [r for r in sandbox.request_log if r.method == "GET"]
    assert len(gets) == 2  # only the unrecorded addresses were checked
    assert not [r for r in sandbox.request_log if r.method == "DELETE"]
    # Nothing left to reconcile: a second run says nothing.
    again = reconcile_unfinished(provider, journal, context=context)
    assert again.notice_ja == "" and again.skipped_operation_ids == (other_account,)


def test_cli_plan_from_bare_addresses_records_no_date(
    make_sandbox: Callable[..., SendGridSandbox],
    provider_for: Callable[[SendGridSandbox], SendGridProvider],
    journal: DeletionJournal,
) -> None:
    sandbox = make_sandbox([record(ListKind.INVALID_EMAILS, "x@example")])
    plan = plan_for_addresses(ListKind.INVALID_EMAILS, ["x@example", "X@example", "y@example"])
    assert plan.total == 2  # the same address in another case counts once
    report = delete_with_record(
        provider_for(sandbox), journal, plan, context=DeletionContext(account_label="CLI")
    )
    assert not report.failed
    assert [e.created for e in journal.entries(report.operation_id)] == [None, None]
    assert sandbox.records("invalid_emails") == []


def test_reconcile_asks_infobip_about_each_unrecorded_address(journal: DeletionJournal) -> None:
    """An Infobip operation a killed run left unfinished is checked against the list, address
    by address (``emailAddress``), like SendGrid's; nothing is deleted by the check. Before, it
    was settled with no request and its outcome recorded unknown."""
    from app.core.accounts import Account, ProviderName
    from app.core.provider_factory import build_provider
    from app.core.storage.journal import EntryResult, NewEntry, OperationMeta
    from app.sandbox.practice import practice_credentials, practice_sandbox

    sandbox = practice_sandbox("infobip", entries=20)
    url = sandbox.start()
    try:
        account = Account("本番", ProviderName.INFOBIP)
        with build_provider(account, practice_credentials("infobip"), base_url=url) as provider:
            meta = OperationMeta(base_host=url.removeprefix("http://"))
            op_id = journal.create_operation(meta, [NewEntry(ListKind.BOUNCES, "a@example.jp")])
            journal.set_state(op_id, OperationState.RUNNING)
            summary = reconcile_unfinished(provider, journal, context=DeletionContext())
        assert summary.skipped_operation_ids == () and summary.error is None
        (checked,) = summary.operations
        assert (checked.operation_id, checked.settled, checked.gone) == (op_id, False, 1)
        asked = [r for r in sandbox.request_log if r.path == "/email/1/suppressions"]
        assert asked and {r.method for r in asked} == {"GET"}
        assert {r.query["emailAddress"][0] for r in asked} == {"a@example.jp"}
        op = journal.operation(op_id)
        assert op is not None and op.state is OperationState.RECONCILED
        (entry,) = journal.entries(op_id)
        assert (entry.result, entry.detail) == (EntryResult.GONE, "")
    finally:
        sandbox.stop()
