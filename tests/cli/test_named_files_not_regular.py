"""A settings file, a letter template or a rule file that is not a small regular file.

``--settings``, ``--letters-dir`` and ``--rules-dir`` name files an operator or an organisation
keeps; the window reads settings.json from its data folder. Each was read with
``Path.read_bytes``/``read_text``, which reads whatever is there: ``--settings /dev/zero`` (or a
template linked to it) read until memory ran out and ended in a MemoryError traceback, and a
named pipe in its place waited for a writer for ever. Now each is refused in Japanese, without
reading from it. Real subprocesses, memory capped so the old code fails fast."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.core.regular_files import FileTooLargeError, read_regular_file
from app.core.storage.settings import SettingsStore

ROOT = Path(__file__).resolve().parents[2]
ENTRY = (
    '{"list": "blocks", "email": "a@example.co.jp", "created": 1796586114, "status": "5.7.1", '
    '"reason": "550 5.7.1 blocked by policy"}\n'
)


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # /dev/zero: MemoryError at once


def _run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg-data")}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env,
        timeout=60, check=False, preexec_fn=_cap_memory,
    )  # fmt: skip


def _fetched(tmp_path: Path) -> Path:
    path = tmp_path / "fetched.jsonl"
    path.write_text(ENTRY, encoding="utf-8")
    return path


@pytest.fixture
def pipe(tmp_path: Path) -> Path:
    path = tmp_path / "settings.json"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("where", ["/dev/zero", "pipe", "folder"])
def test_a_settings_path_that_is_no_file_is_refused(tmp_path: Path, where: str) -> None:
    if where == "pipe":
        target = tmp_path / "settings.json"
        os.mkfifo(target)
    elif where == "folder":
        target = tmp_path / "settings-folder"
        target.mkdir()
    else:
        target = Path(where)
    jsonl = str(_fetched(tmp_path))
    result = _run(
        tmp_path, "letter", "--kind", "company", "--jsonl", jsonl, "--settings", str(target)
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert "通常のファイルではない" in result.stderr


def test_a_letter_template_linked_to_dev_zero_is_skipped(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    letters.mkdir()
    (letters / "company.toml").symlink_to("/dev/zero")
    jsonl = str(_fetched(tmp_path))
    result = _run(
        tmp_path, "letter", "--kind", "company", "--jsonl", jsonl, "--letters-dir", str(letters)
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "company.toml" in result.stderr and "通常のファイルではない" in result.stderr
    assert "連絡文 1/1" in result.stdout  # the shipped template took its place


def test_a_rule_file_linked_to_dev_zero_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "resources" / "rules", rules)
    (rules / "zz-extra.toml").symlink_to("/dev/zero")
    stdin = '{"reason_text": "550 5.1.1 User unknown"}\n'
    result = _run(tmp_path, "classify", "--rules-dir", str(rules), stdin=stdin)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "ルールファイルを読めません" in result.stderr and "zz-extra.toml" in result.stderr


def test_the_windows_settings_store_is_not_held_by_a_pipe(pipe: Path) -> None:
    store = SettingsStore(pipe)  # the window: it starts on the defaults and says so
    store.load()
    assert store.problem is not None
    assert "通常のファイルではない" in store.problem.message_ja
    with pytest.raises(OSError):
        store.save(store.load())  # never replaces what it could not judge
    assert pipe.is_fifo()


def test_a_file_past_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(FileTooLargeError):
        read_regular_file(path, 1000)
    assert read_regular_file(path, 1001) == b"x" * 1001


def _ses_fetch(tmp_path: Path, credentials: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_REGION": "ap-northeast-1",
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "fetch", "--provider", "ses", "--from", "2026-11-01",
         "--to", "2026-11-01", "--no-history", "--base-url", "http://127.0.0.1:9"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60,
        check=False, preexec_fn=_cap_memory,
    )  # fmt: skip


def test_aws_credentials_at_dev_zero_are_not_read(tmp_path: Path) -> None:
    result = _ses_fetch(tmp_path, Path("/dev/zero"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert "認証情報が見つかりません" in result.stderr


def test_aws_credentials_handed_over_through_a_pipe_still_work(tmp_path: Path) -> None:
    # AWS_SHARED_CREDENTIALS_FILE=<(vault read …): the operator's own pipe, read to its end.
    credentials = tmp_path / "credentials"
    os.mkfifo(credentials)
    text = "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = not-real\n"
    writer = threading.Thread(target=credentials.write_text, args=(text,), daemon=True)
    writer.start()
    result = _ses_fetch(tmp_path, credentials)
    writer.join(timeout=10)
    assert "認証情報が見つかりません" not in result.stderr  # it got as far as the (closed) port
    assert "127.0.0.1:9" in result.stderr
