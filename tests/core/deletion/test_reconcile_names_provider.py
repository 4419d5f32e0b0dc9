"""The notice after a crash names the provider the unfinished deletion was made on (from its
journal label), not SendGrid for every one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.core.accounts import Account, ProviderName, provider_in_journal_label
from app.core.deletion.plan import DeletionContext
from app.core.deletion.reconcile import reconcile_unfinished
from app.core.provider_factory import build_provider
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal import DeletionJournal, NewEntry, OperationMeta, OperationState
from app.core.types import ListKind
from app.sandbox.practice import practice_credentials, practice_sandbox
from app.sandbox.sendgrid_server import SendGridSandbox
from tests.helpers.core_sandbox import API_KEY


def test_journal_labels_name_their_provider() -> None:
    assert provider_in_journal_label("CLI cmc:CLI（cmc）") is ProviderName.CMC
    assert provider_in_journal_label("練習モード infobip:キャンペーン") is ProviderName.INFOBIP
    assert provider_in_journal_label("本番 ses:本番 東京") is ProviderName.SES
    for label in ("CLI", "練習モード", "本番 SG.ab…yz", "", "CLI other:x"):
        assert provider_in_journal_label(label) is ProviderName.SENDGRID


def test_a_practice_deletion_of_another_provider_is_closed_under_its_own_name(
    make_sandbox: Callable[..., SendGridSandbox], tmp_path: Path
) -> None:
    """A practice CMC deletion from an earlier session, closed while SendGrid's practice
    server is in use: the notice said "SendGrid の状態を確認し" of it."""
    sandbox = make_sandbox([])
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    try:
        meta = OperationMeta("練習モード cmc:本番", base_host="127.0.0.1:9", practice=True)
        op_id = journal.create_operation(meta, [NewEntry(ListKind.BLOCKS, "a@example.jp")])
        journal.set_state(op_id, OperationState.RUNNING)
        context = DeletionContext("練習モード", practice=True, base_url=sandbox.base_url)
        with SendGridProvider(API_KEY, base_url=sandbox.base_url) as provider:
            summary = reconcile_unfinished(provider, journal, context=context)
    finally:
        journal.close()
    (closed,) = summary.operations
    assert closed.unchecked == 1
    assert "カスタマーズメールクラウドの状態" in summary.notice_ja, summary.notice_ja
    assert "SendGrid" not in summary.notice_ja


def test_a_checked_deletion_of_another_provider_is_named_with_its_provider(
    tmp_path: Path,
) -> None:
    """An Infobip deletion, checked against Infobip's list: the notice names Infobip."""
    sandbox = practice_sandbox("infobip", entries=5)
    url = sandbox.start()
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    try:
        account = Account("CLI（infobip）", ProviderName.INFOBIP)
        with build_provider(account, practice_credentials("infobip"), base_url=url) as provider:
            meta = OperationMeta(
                "CLI infobip:CLI（infobip）", base_host=url.removeprefix("http://")
            )
            op_id = journal.create_operation(meta, [NewEntry(ListKind.BOUNCES, "a@example.jp")])
            journal.set_state(op_id, OperationState.RUNNING)
            other = journal.create_operation(OperationMeta(base_host="api.sendgrid.com"), [])
            summary = reconcile_unfinished(provider, journal, context=DeletionContext())
    finally:
        journal.close()
        sandbox.stop()
    assert summary.skipped_operation_ids == (other,)  # another account's: left for later
    (checked,) = summary.operations  # this account's: checked, named with its provider
    assert checked.operation_id == op_id and not checked.settled and checked.gone == 1
    text = summary.notice_ja
    assert "Infobip の状態を確認し、記録を更新しました" in text, text
    assert "SendGrid" not in text
