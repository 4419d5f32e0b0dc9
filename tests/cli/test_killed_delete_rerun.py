"""`todoku-cli delete` killed mid-run on Amazon SES or Infobip: the next run of the same account
checks each address of the dead deletion against the list (gone / still listed), closes it and
deletes the addresses again, instead of reporting them as 「ほかの担当者が削除済み・削除中」 for
ever (and, until the exact check, recording them all 「結果不明」).

Real child processes, a real SIGKILL, the providers' imitations over loopback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.core.storage.journal import DeletionJournal, EntryResult, OperationState
from app.sandbox import infobip_server, ses_server
from app.sandbox.esp_server import EspSandbox
from tests.core.providers.harness import dataset
from tests.helpers.killed_child import kill_once_deleting

ROOT = Path(__file__).resolve().parents[2]
EMAILS = ("user0001@example.jp", "user0002@example.jp")  # two bounces of the data set

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def env_for(tmp_path: Path, provider: str, base_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "SENDGRID_", "INFOBIP_", "CMC_"))
    }
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path),  # no ~/.aws of the machine
        PYTHONIOENCODING="utf-8",
    )
    if provider == "ses":
        env.update(
            AWS_ACCESS_KEY_ID=ses_server.SANDBOX_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY=ses_server.SANDBOX_SECRET,
        )
    else:
        env.update(INFOBIP_API_KEY=infobip_server.SANDBOX_API_KEY, INFOBIP_BASE_URL=base_url)
    return env


@contextmanager
def imitation(provider: str) -> Iterator[EspSandbox]:
    # Latency keeps the first DELETE in flight long enough to kill the CLI while it waits.
    sandbox: EspSandbox
    if provider == "ses":
        sandbox = ses_server.SesSandbox(dataset(), latency_ms=700)
    else:
        sandbox = infobip_server.InfobipSandbox(dataset(), latency_ms=700)
    with sandbox:
        yield sandbox


def delete_command(provider: str, base_url: str, emails: Path, journal: Path) -> list[str]:
    command = [sys.executable, "-m", "app.cli", "delete", "--provider", provider]
    if provider == "ses":
        command += ["--aws-region", ses_server.SANDBOX_REGION, "--base-url", base_url]
    return [
        *command,
        "--list", "bounces", "--emails-file", str(emails), "--yes", "--journal", str(journal),
    ]  # fmt: skip


def listed(sandbox: EspSandbox) -> set[str]:
    """The bounces the imitation still holds."""
    kind = "BOUNCE"  # the name of the list on both services
    assert isinstance(sandbox, ses_server.SesSandbox | infobip_server.InfobipSandbox)
    return {email.lower() for email in sandbox.emails(kind)}


@pytest.mark.parametrize("provider", ["ses", "infobip"])
def test_the_rerun_checks_the_killed_deletion_and_deletes_again(
    tmp_path: Path, provider: str
) -> None:
    emails = tmp_path / "emails.txt"
    emails.write_text("\n".join(EMAILS) + "\n", encoding="utf-8")
    journal_file = tmp_path / "journal.sqlite3"
    with imitation(provider) as sandbox:
        assert set(EMAILS) <= listed(sandbox)
        env = env_for(tmp_path, provider, sandbox.base_url)
        command = delete_command(provider, sandbox.base_url, emails, journal_file)
        assert kill_once_deleting(command, journal_file, cwd=ROOT, env=env) == -signal.SIGKILL
        time.sleep(1.5)  # a request in flight at the kill still lands at the server
        # What the killed run left listed: the rerun's reconcile records exactly this.
        left = {e for e in EMAILS if e in listed(sandbox)}
        again = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8",
            timeout=120, check=False,
        )  # fmt: skip
        still_listed = {e for e in EMAILS if e in listed(sandbox)}
    assert again.returncode == 0, again.stderr[-2000:]
    # Before: both addresses came back 「skipped … さんが HH:MM から削除中」, never sent again.
    assert "skipped" not in again.stdout, again.stdout
    assert "ほかの担当者" not in again.stderr, again.stderr
    statuses = {line.split("\t")[1]: line.split("\t")[0] for line in again.stdout.splitlines()}
    assert set(statuses) == set(EMAILS), again.stdout
    assert set(statuses.values()) <= {"deleted", "not_found"}, again.stdout
    assert still_listed == set()
    # What the operator is told: the provider's list was checked; nothing is left unknown.
    name = "Amazon SES" if provider == "ses" else "Infobip"
    assert f"{name} の状態を確認し、記録を更新しました" in again.stderr, again.stderr
    assert "結果不明" not in again.stderr, again.stderr
    # Nothing of the killed run's record is lost: it is closed, every address still in it,
    # each with what the list said (before: all pending, 「結果不明」).
    journal = DeletionJournal(journal_file)
    try:
        first, second = sorted(journal.list_operations(), key=lambda op: op.id)
        assert first.state is OperationState.RECONCILED
        assert second.state is OperationState.DONE
        killed = journal.entries(first.id)
        assert [e.email for e in killed] == list(EMAILS)
        for entry in killed:
            expected = EntryResult.STILL_LISTED if entry.email in left else EntryResult.GONE
            assert (entry.result, entry.detail) == (expected, ""), entry
        assert {e.email for e in journal.entries(second.id)} == set(EMAILS)
    finally:
        journal.close()


def test_a_live_deletion_of_another_process_is_left_alone(tmp_path: Path) -> None:
    """The window and todoku-cli share the journal of this PC: a reconcile in one process must
    not check and close (and release the claims of) a deletion another process is running.
    Before, the SQLite journal let any process take any operation over."""
    from app.core.accounts import Account, ProviderName
    from app.core.deletion.plan import DeletionContext
    from app.core.deletion.reconcile import ReconcileSummary, reconcile_unfinished
    from app.core.provider_factory import build_provider
    from app.core.storage.journal import NewEntry, OperationMeta
    from app.core.types import ListKind
    from tests.helpers.killed_child import kill_when, operation_states

    emails = tmp_path / "emails.txt"
    emails.write_text("\n".join(EMAILS) + "\n", encoding="utf-8")
    journal_file = tmp_path / "journal.sqlite3"
    seen: list[ReconcileSummary] = []
    with ses_server.SesSandbox(dataset(), latency_ms=3000) as sandbox:
        account = Account("CLI（ses）", ProviderName.SES, region=ses_server.SANDBOX_REGION)
        credentials = {
            "access_key_id": ses_server.SANDBOX_ACCESS_KEY_ID,
            "secret_access_key": ses_server.SANDBOX_SECRET,
        }
        context = DeletionContext("CLI ses:CLI（ses）", base_url=sandbox.base_url)
        with build_provider(account, credentials, base_url=sandbox.base_url) as provider:

            def check_while_it_runs() -> bool:
                if operation_states(journal_file) != [OperationState.RUNNING]:
                    return False
                journal = DeletionJournal(journal_file)
                try:
                    seen.append(reconcile_unfinished(provider, journal, context=context))
                    (running,) = journal.list_operations()
                    meta = OperationMeta(
                        running.account_label, running.subuser, running.region, running.base_host
                    )  # the same account as the running deletion
                    blocked = journal.claim_operation(meta, [NewEntry(ListKind.BOUNCES, EMAILS[1])])
                    assert blocked.operation_id is None  # its claims still hold
                finally:
                    journal.close()
                return True

            command = delete_command("ses", sandbox.base_url, emails, journal_file)
            env = env_for(tmp_path, "ses", sandbox.base_url)
            returncode = kill_when(
                command, check_while_it_runs, never="the CLI never started", cwd=ROOT, env=env
            )
            assert returncode == -signal.SIGKILL
            (live,) = seen
            assert live.operations == () and live.running_elsewhere_ids == (1,)
            assert operation_states(journal_file) == [OperationState.RUNNING]
            # Killed now: the same reconcile checks it.
            journal = DeletionJournal(journal_file)
            try:
                dead = reconcile_unfinished(provider, journal, context=context)
            finally:
                journal.close()
    assert [op.operation_id for op in dead.operations] == [1]
    assert not dead.operations[0].settled and dead.operations[0].unknown == 0
    assert operation_states(journal_file) == [OperationState.RECONCILED]
