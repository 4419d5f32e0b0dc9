"""The window and `todoku-cli delete` on the same Amazon SES account (the loopback imitation) file
their deletions under the same region, so each sees the other's claims: an address the CLI
already deleted is not sent again by the window, and one the window is deleting is skipped by
the CLI. Before, the CLI filed every account under its --region ("global") and the window
under the account's AWS region: neither saw the other."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt

from app.core.accounts import Account, ProviderName, save_credentials
from app.core.storage.journal import DeletionJournal, OperationState
from app.core.storage.journal_records import ClaimState
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.types import ListKind
from app.sandbox import ses_server
from app.sandbox.esp_practice import PRACTICE_DOMAINS, PracticeRecord
from tests.helpers.ui import check_rows, fetch
from tests.ui.test_window_delete import Confirmer, ResultRunner, run_delete

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 15_000
# How long the imitation holds the window's delete request: the CLI runs meanwhile.
HELD_MS = 12_000


def _records(count: int = 2) -> list[PracticeRecord]:
    now = int(time.time())
    return [
        PracticeRecord(
            "bounce", f"shared{i}@example.jp", now - 3600 * (i + 1), "550 5.1.1 unknown",
            "5.1.1", "件名", "info@shop.example.jp", PRACTICE_DOMAINS[0],
        )
        for i in range(count)
    ]  # fmt: skip


def _live_ses_window(make_window, secrets, tmp_path: Path, sandbox, journal, results):
    account = Account(
        "本番",
        ProviderName.SES,
        region=ses_server.SANDBOX_REGION,
        base_url=sandbox.base_url,
        aws_credentials="keys",
    )
    save_credentials(
        account,
        secrets,
        {
            "access_key_id": ses_server.SANDBOX_ACCESS_KEY_ID,
            "secret_access_key": ses_server.SANDBOX_SECRET,
        },
    )
    SettingsStore(tmp_path / "data" / "settings.json").save(
        AppSettings(practice_mode=False, accounts=(account,), active_account="本番")
    )
    return make_window(journal=journal, confirm=Confirmer(), show_delete_result=results)


def _cli_delete(email: str, sandbox, journal_file: Path, tmp_path: Path):
    """`todoku-cli delete --provider ses` of ``email`` into the window's journal."""
    emails = tmp_path / "emails.txt"
    emails.write_text(email + "\n", encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SENDGRID_"))},
        "AWS_ACCESS_KEY_ID": ses_server.SANDBOX_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": ses_server.SANDBOX_SECRET,
        "XDG_DATA_HOME": str(tmp_path / "cli-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "cli-config"),
        "HOME": str(tmp_path),
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [
            sys.executable, "-m", "app.cli", "delete", "--provider", "ses",
            "--aws-region", ses_server.SANDBOX_REGION, "--base-url", sandbox.base_url,
            "--list", "bounces", "--emails-file", str(emails), "--yes",
            "--journal", str(journal_file),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip


def _deletes(sandbox) -> int:
    return len([r for r in sandbox.request_log if r.method != "GET"])


def test_an_address_the_cli_deleted_is_not_sent_again_by_the_window(
    qtbot, make_window, secrets, tmp_path: Path, journal: DeletionJournal
) -> None:
    with ses_server.SesSandbox(_records()) as sandbox:
        results = ResultRunner(qtbot)
        window = _live_ses_window(make_window, secrets, tmp_path, sandbox, journal, results)
        fetch(qtbot, window, lists=(ListKind.BOUNCES,))
        (entry,) = check_rows(window, [0])

        done = _cli_delete(entry.email, sandbox, journal.path, tmp_path)
        assert done.returncode == 0, done.stderr
        assert f"deleted\t{entry.email}" in done.stdout
        sent = _deletes(sandbox)

        run_delete(qtbot, window)
        (report,) = results.reports
        assert report.outcomes == ()
        assert [(c.email, c.state) for c in report.conflicts] == [(entry.email, ClaimState.DELETED)]
        assert _deletes(sandbox) == sent  # the window sent nothing
        window.close()


def test_an_address_the_window_is_deleting_is_skipped_by_the_cli(
    qtbot, make_window, secrets, tmp_path: Path, journal: DeletionJournal
) -> None:
    with ses_server.SesSandbox(_records()) as sandbox:
        results = ResultRunner(qtbot)
        window = _live_ses_window(make_window, secrets, tmp_path, sandbox, journal, results)
        fetch(qtbot, window, lists=(ListKind.BOUNCES,))
        (entry,) = check_rows(window, [0])
        sent = _deletes(sandbox)
        sandbox.configure(latency_ms=HELD_MS)  # the window's request is held at the server

        qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: [op.state for op in journal.list_operations()] == [OperationState.RUNNING],
            timeout=TIMEOUT_MS,
        )
        done = _cli_delete(entry.email, sandbox, journal.path, tmp_path)
        sandbox.configure(latency_ms=0)
        assert done.returncode == 0, done.stderr
        assert f"skipped\t{entry.email}" in done.stdout, done.stdout + done.stderr

        deletion = window.controller.deletion
        qtbot.waitUntil(lambda: not deletion.is_running(), timeout=HELD_MS + TIMEOUT_MS)
        (report,) = results.reports
        assert [(o.email, o.status.value) for o in report.outcomes] == [(entry.email, "deleted")]
        assert _deletes(sandbox) == sent + 1  # the window's request only
        assert entry.email not in sandbox.emails()
        window.close()
