"""Team mode: 田中's `todoku-cli delete --provider ses --database …` is killed mid-run while
鈴木 is deleting another address of the same account. 田中's next run checks only his own dead
deletion against the list (each address gone / still listed; its claims released, its record
kept) and deletes those addresses again; 鈴木's live claim is left alone and still reported as
his. Real PostgreSQL, real SIGKILL, the SES imitation.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from app.core.storage.journal_records import EntryResult, NewEntry, OperationMeta, OperationState
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.types import ListKind
from app.sandbox import ses_server
from app.sandbox.postgres_server import PostgresServer
from tests.cli.test_killed_delete_rerun import ROOT, env_for, listed
from tests.core.providers.harness import dataset
from tests.helpers.killed_child import kill_when

KILLED = ("user0001@example.jp", "user0002@example.jp")
SUZUKIS = "user0003@example.jp"  # 鈴木 is deleting it right now, on another PC

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]


def _states(admin_url: str) -> list[str]:
    with psycopg.connect(admin_url) as raw:
        rows = raw.execute("SELECT state FROM todoku.operation_current ORDER BY id").fetchall()
    return [str(row[0]) for row in rows]


def _active_claims(admin_url: str) -> list[tuple[int, str]]:
    with psycopg.connect(admin_url) as raw:
        rows = raw.execute(
            "SELECT operation_id, email_norm FROM todoku.active_claims ORDER BY 1, 2"
        ).fetchall()
    return [(int(row[0]), str(row[1])) for row in rows]


def test_only_the_dead_deletion_is_checked_and_a_live_claim_stays(
    postgres_server: PostgresServer, team_database: Callable[..., str], tmp_path: Path
) -> None:
    name = team_database({"tanaka": ("田中", "delete"), "suzuki": ("鈴木", "delete")})
    admin_url = postgres_server.url(database=name)
    emails = tmp_path / "emails.txt"
    emails.write_text("\n".join(KILLED) + "\n", encoding="utf-8")
    suzuki = PostgresJournal(parse_database_url(postgres_server.url("suzuki", name)))
    try:
        with ses_server.SesSandbox(dataset(), latency_ms=700) as sandbox:
            env = env_for(tmp_path, "ses", sandbox.base_url)
            command = [
                sys.executable, "-m", "app.cli", "delete", "--provider", "ses",
                "--aws-region", ses_server.SANDBOX_REGION, "--base-url", sandbox.base_url,
                "--list", "bounces", "--yes",
                "--database", postgres_server.url("tanaka", name),
            ]  # fmt: skip
            returncode = kill_when(
                [*command, "--emails-file", str(emails)],
                lambda: _states(admin_url) == ["running"],
                never="the CLI never started its deletion",
                cwd=ROOT,
                env=env,
            )
            assert returncode == -signal.SIGKILL
            (killed,) = suzuki.unfinished_operations()
            assert killed.display_name == "田中"
            # 鈴木's own deletion on the same account, live: his process holds it.
            meta = OperationMeta(
                "CLI ses:CLI（ses）", killed.subuser, killed.region, killed.base_host
            )
            live = suzuki.claim_operation(meta, [NewEntry(ListKind.BOUNCES, SUZUKIS)])
            assert live.operation_id is not None and suzuki.take_over(live.operation_id)
            suzuki.set_state(live.operation_id, OperationState.RUNNING)
            # The server ends the killed CLI's session on its own; the lock goes with it.
            deadline = time.monotonic() + 30
            while not suzuki.take_over(killed.id):
                assert time.monotonic() < deadline, "the dead session's lock was never released"
                time.sleep(0.1)
            suzuki.release(killed.id)
            time.sleep(1.0)  # the request in flight at the kill still lands at the imitation
            before = {e for e in KILLED if e.lower() in listed(sandbox)}

            emails.write_text("\n".join((*KILLED, SUZUKIS)) + "\n", encoding="utf-8")
            again = subprocess.run(
                [*command, "--emails-file", str(emails)], cwd=ROOT, env=env,
                capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
            )  # fmt: skip
            left = listed(sandbox)
        assert again.returncode == 0, again.stderr[-2000:]
        lines = [line.split("\t") for line in again.stdout.splitlines()]
        statuses = {fields[1]: (fields[0], fields[2]) for fields in lines}
        # 田中's own addresses are deleted again (or found gone); before, both were skipped
        # 「田中さんが HH:MM から削除中」.
        for email in KILLED:
            assert statuses[email][0] in ("deleted", "not_found"), again.stdout
            assert email.lower() not in left
        # 鈴木's live claim is not taken: not sent, and said to be his.
        assert statuses[SUZUKIS][0] == "skipped", again.stdout
        assert "鈴木さんが" in statuses[SUZUKIS][1] and "削除中" in statuses[SUZUKIS][1]
        assert SUZUKIS in left
        assert "Amazon SES の状態を確認し" in again.stderr, again.stderr
        assert "田中さんの" in again.stderr and "結果不明" not in again.stderr, again.stderr
        # 鈴木's operation and claim are untouched; 田中's killed record is closed, kept whole.
        assert _active_claims(admin_url) == [(live.operation_id, SUZUKIS)]
        assert [op.id for op in suzuki.unfinished_operations()] == [live.operation_id]
        record = suzuki.operation(killed.id)
        assert record is not None and record.state is OperationState.RECONCILED
        entries = suzuki.entries(killed.id)
        assert [e.email for e in entries] == list(KILLED)
        for entry in entries:  # what SES said of each (before: all pending, 「結果不明」)
            expected = EntryResult.STILL_LISTED if entry.email in before else EntryResult.GONE
            assert entry.result is expected, entry
        # The append-only audit still holds every state the killed run wrote.
        with psycopg.connect(admin_url) as raw:
            states = raw.execute(
                "SELECT state FROM todoku.operation_states WHERE operation_id = %s ORDER BY id",
                (killed.id,),
            ).fetchall()
        assert [row[0] for row in states] == ["pending", "running", "reconciled"]
    finally:
        suzuki.close()
