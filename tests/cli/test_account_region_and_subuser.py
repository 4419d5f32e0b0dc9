"""`--account` of a SendGrid account saved with the EU region and a subuser: what the command
line leaves out is the account's. Before, `--region` defaulted to global and replaced the
account's EU region (an EU key sent to the global API), and the journal filed a deletion under
the parent account while the requests went on behalf of the subuser."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.core.accounts import Account, ProviderName
from app.core.storage.journal import DeletionJournal
from app.core.storage.journal_records import OperationRecord
from app.core.storage.settings import AppSettings, SettingsStore
from tests.helpers.core_sandbox import API_KEY, bounce

ACCOUNT = Account("EU店舗", ProviderName.SENDGRID, region="eu", subuser="shop-a")


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)
    folder = tmp_path / "data" / "Todoku"
    folder.mkdir(parents=True)
    SettingsStore(folder / "settings.json").save(AppSettings(accounts=(ACCOUNT,)))


def _operation(journal_file: Path) -> OperationRecord:
    journal = DeletionJournal(journal_file)
    try:
        (operation,) = journal.list_operations()
    finally:
        journal.close()
    return operation


def _delete(tmp_path: Path, sandbox, *extra: str) -> tuple[int, Path]:
    emails = tmp_path / "emails.txt"
    emails.write_text(bounce(1).email + "\n", encoding="utf-8")
    journal_file = tmp_path / "journal.sqlite3"
    code = main(
        ["delete", "--account", ACCOUNT.name, "--base-url", sandbox.base_url,
         "--list", "bounces", "--emails-file", str(emails), "--yes",
         "--journal", str(journal_file), *extra]
    )  # fmt: skip
    return code, journal_file


def test_a_deletion_is_journalled_with_the_accounts_region_and_subuser(
    make_sandbox, tmp_path, capsys
) -> None:
    sandbox = make_sandbox([bounce(1)])
    code, journal = _delete(tmp_path, sandbox)
    assert code == 0, capsys.readouterr().err
    operation = _operation(journal)
    assert (operation.region, operation.subuser) == ("eu", "shop-a")
    deletes = [r for r in sandbox.request_log if r.method == "DELETE"]
    assert deletes and all(r.headers.get("on-behalf-of") == "shop-a" for r in deletes)


def test_the_command_line_still_wins(make_sandbox, tmp_path, capsys) -> None:
    sandbox = make_sandbox([bounce(1)])
    code, journal = _delete(tmp_path, sandbox, "--region", "global", "--subuser", "")
    assert code == 0, capsys.readouterr().err
    operation = _operation(journal)
    assert (operation.region, operation.subuser) == ("global", "")
    deletes = [r for r in sandbox.request_log if r.method == "DELETE"]
    assert deletes and not any(r.headers.get("on-behalf-of") for r in deletes)


def test_without_an_account_the_defaults_stay_global_and_the_parent(
    make_sandbox, tmp_path, capsys
) -> None:
    sandbox = make_sandbox([bounce(1)])
    emails = tmp_path / "emails.txt"
    emails.write_text(bounce(1).email + "\n", encoding="utf-8")
    journal_file = tmp_path / "journal.sqlite3"
    code = main(
        ["delete", "--base-url", sandbox.base_url, "--list", "bounces",
         "--emails-file", str(emails), "--yes", "--journal", str(journal_file)]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    operation = _operation(journal_file)
    assert (operation.region, operation.subuser) == ("global", "")
