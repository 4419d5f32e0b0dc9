"""What the CLI advises when the shared database (team mode) cannot be reached.

The advice came from errors written for other situations:
- ``db upgrade`` said "書き込めなかった削除の記録はこのPCに保存してあり、次に接続できたときに
  送ります" — no deletion was involved, nothing was saved anywhere;
- ``fetch`` and ``report`` said "ディスクの空き容量とデータフォルダの権限を確認してください" (the
  advice for a local SQLite history) for a refused network connection, and ``report`` began with
  "取得した一覧はそのまま使えます" although it fetched nothing.
The advice for an unreachable server is the network and the shared database's settings.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from app.cli import main
from tests.helpers.core_sandbox import API_KEY, make_sandbox  # noqa: F401

LOCAL_DISK_ADVICE = ("ディスクの空き容量", "データフォルダの権限")


@pytest.fixture
def unreachable(monkeypatch, tmp_path: Path) -> str:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: connections are refused at once
    return f"postgresql://tanaka@127.0.0.1:{port}/todoku"


def advice_lines(err: str) -> str:
    return "\n".join(line for line in err.splitlines() if line.startswith("対処"))


def test_db_upgrade_does_not_claim_deletions_were_kept(capsys, unreachable: str) -> None:
    code = main(["db", "upgrade", "--database", unreachable])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "削除の記録" not in advice_lines(err), err


def test_report_advises_the_network_not_the_disk(capsys, unreachable: str) -> None:
    code = main(["report", "--month", "2026-11", "--database", unreachable])
    advice = advice_lines(capsys.readouterr().err)
    assert code == 1
    assert not any(words in advice for words in LOCAL_DISK_ADVICE), advice
    assert "取得した一覧" not in advice, advice


def test_fetch_warns_about_the_network_not_the_disk(
    make_sandbox,  # noqa: F811
    capsys,
    unreachable: str,
) -> None:
    sandbox = make_sandbox([])
    code = main(
        ["fetch", "--from", "2026-11-01", "--to", "2026-11-01", "--base-url", sandbox.base_url,
         "--database", unreachable, "--quiet"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "共有データベース" in err, err
    assert not any(words in err for words in LOCAL_DISK_ADVICE), err
