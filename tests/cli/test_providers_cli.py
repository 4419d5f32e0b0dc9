"""`todoku-cli fetch/delete --provider` and `sandbox --provider` as subprocesses on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from app.core.storage.journal import DeletionJournal
from app.sandbox import cmc_server, infobip_server, ses_server
from tests.core.providers.harness import RANGE, dataset

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("AWS_", "CMC_", "INFOBIP_", "SENDGRID_"))
}


def cli(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    full_env = {
        **CLEAN_ENV,
        **env,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),  # no ~/.aws of the machine
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


RANGE_ARGS = ("--from", RANGE.start.isoformat(), "--to", RANGE.end.isoformat(), "--quiet")


def test_fetch_infobip_from_environment(tmp_path: Path) -> None:
    with infobip_server.InfobipSandbox(dataset()) as sandbox:
        env = {
            "INFOBIP_BASE_URL": sandbox.base_url,
            "INFOBIP_API_KEY": infobip_server.SANDBOX_API_KEY,
        }
        done = cli("fetch", "--provider", "infobip", *RANGE_ARGS, env=env, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows and {row["list"] for row in rows} == {"bounces", "spam_reports", "blocks"}
    assert {row["status"] for row in rows} == {"BOUNCE", "COMPLAINT", "OVER_QUOTA"}


def test_fetch_ses_with_aws_variables_and_wrong_secret(tmp_path: Path) -> None:
    with ses_server.SesSandbox(dataset()) as sandbox:
        env = {
            "AWS_ACCESS_KEY_ID": ses_server.SANDBOX_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": ses_server.SANDBOX_SECRET,
            "AWS_REGION": ses_server.SANDBOX_REGION,
        }
        args = ("fetch", "--provider", "ses", "--base-url", sandbox.base_url, *RANGE_ARGS)
        done = cli(*args, env=env, tmp_path=tmp_path)
        wrong = cli(*args, env={**env, "AWS_SECRET_ACCESS_KEY": "x"}, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) > 100
    assert wrong.returncode == 1 and "認証に失敗" in wrong.stderr
    assert ses_server.SANDBOX_SECRET not in wrong.stderr


def test_delete_ses_records_provider_and_account(tmp_path: Path) -> None:
    emails = tmp_path / "emails.txt"
    emails.write_text("user0001@example.jp\nnobody@example.jp\n", encoding="utf-8")
    journal = tmp_path / "journal.sqlite3"
    with ses_server.SesSandbox(dataset()) as sandbox:
        env = {
            "AWS_ACCESS_KEY_ID": ses_server.SANDBOX_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": ses_server.SANDBOX_SECRET,
        }
        done = cli(
            "delete", "--provider", "ses", "--aws-region", ses_server.SANDBOX_REGION,
            "--base-url", sandbox.base_url, "--list", "bounces", "--emails-file", str(emails),
            "--yes", "--journal", str(journal), env=env, tmp_path=tmp_path,
        )  # fmt: skip
        assert "user0001@example.jp" not in sandbox.emails()
    assert done.returncode == 0, done.stderr
    assert "deleted\tuser0001@example.jp" in done.stdout
    assert "not_found\tnobody@example.jp" in done.stdout
    store = DeletionJournal(journal)
    try:
        (operation,) = store.list_operations()
    finally:
        store.close()
    assert operation.account_label == "CLI ses:CLI（ses）"


def test_delete_infobip_blocks_warns_about_infobip_not_sendgrid(tmp_path: Path) -> None:
    # Infobip's blocks (OVER_QUOTA) stop mail: deleting one lets mail go again, the opposite
    # of the SendGrid warning every provider used to print.
    emails = tmp_path / "emails.txt"
    emails.write_text("user0009@example.jp\n", encoding="utf-8")
    with infobip_server.InfobipSandbox(dataset()) as sandbox:
        assert "user0009@example.jp" in sandbox.emails("OVER_QUOTA")
        env = {
            "INFOBIP_BASE_URL": sandbox.base_url,
            "INFOBIP_API_KEY": infobip_server.SANDBOX_API_KEY,
        }
        done = cli(
            "delete", "--provider", "infobip", "--list", "blocks", "--emails-file", str(emails),
            "--yes", "--journal", str(tmp_path / "j.sqlite3"), env=env, tmp_path=tmp_path,
        )  # fmt: skip
        assert "user0009@example.jp" not in sandbox.emails("OVER_QUOTA")
    assert done.returncode == 0, done.stderr
    assert "deleted\tuser0009@example.jp" in done.stdout  # the output lines as before
    assert "注意: Infobip のブロックは" in done.stderr and "配信が再開されます" in done.stderr
    assert "SendGrid" not in done.stderr


def test_delete_cmc_blocks_prints_the_guide_and_sends_nothing(tmp_path: Path) -> None:
    emails = tmp_path / "emails.txt"
    emails.write_text("user0007@example.jp\n", encoding="utf-8")
    with cmc_server.CmcSandbox(dataset(), cancel_api=True) as sandbox:
        env = {
            "CMC_API_USER": cmc_server.SANDBOX_API_USER,
            "CMC_API_KEY": cmc_server.SANDBOX_API_KEY,
            "CMC_SERVER_COMPOSITION": cmc_server.SANDBOX_SERVER,
        }
        done = cli(
            "delete", "--provider", "cmc", "--base-url", sandbox.base_url, "--list", "blocks",
            "--emails-file", str(emails), "--yes", "--journal", str(tmp_path / "j.sqlite3"),
            env=env, tmp_path=tmp_path,
        )  # fmt: skip
        assert sandbox.request_log == []
    assert done.returncode == 3, done.stderr
    assert "user0007@example.jp" in done.stdout and "管理画面" in done.stdout


def test_sandbox_provider_prints_its_base_url_first(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "sandbox", "--provider", "cmc", "--entries", "300"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**CLEAN_ENV, "PYTHONIOENCODING": "utf-8"},
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        form = {**_cmc_auth(), "p": "0", "r": "100"}
        reply = httpx.post(f"{base_url}/transaction/v2/blocks/list.json", data=form)
        assert reply.status_code == 200 and reply.json()["blocks"]
    finally:
        process.terminate()
        process.communicate(timeout=10)
    assert process.returncode == 0


def _cmc_auth() -> dict[str, str]:
    return {
        "api_user": cmc_server.SANDBOX_API_USER,
        "api_key": cmc_server.SANDBOX_API_KEY,
        "server_composition": cmc_server.SANDBOX_SERVER,
    }
