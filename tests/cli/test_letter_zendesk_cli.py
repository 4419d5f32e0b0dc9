"""`todoku-cli letter` and `todoku-cli zendesk` as scripts run them (subprocesses; Zendesk is the
loopback imitation)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli.fetch_cmd import entry_to_json
from app.core.letters.entries_jsonl import read_entries
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.types import ListKind, SuppressionEntry
from app.sandbox.zendesk_server import (
    SANDBOX_ZENDESK_EMAIL,
    SANDBOX_ZENDESK_TOKEN,
    Fault,
    ZendeskSandbox,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "letters" / "sample.jsonl"


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "settings.json"
    SettingsStore(path).save(
        AppSettings(
            sender_org_name="株式会社トドク",
            sender_domain="mail.todoku.example",
            sender_ips="203.0.113.10",
            sender_contact="配信担当（support@todoku.example）",
            sender_auth_status="SPF pass / DKIM pass / DMARC pass",
        )
    )
    return path


def run_cli(
    *args: str, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def municipal_letters(
    source: Path, settings_file: Path, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """`letter --kind municipal` for ``source`` with the test settings and no custom templates."""
    return run_cli(
        "letter", "--kind", "municipal", "--jsonl", str(source),
        "--settings", str(settings_file), "--letters-dir", str(tmp_path / "none"),
    )  # fmt: skip


def test_fetch_output_reads_back_into_the_same_entries() -> None:
    entry = SuppressionEntry(
        ListKind.BLOCKS,
        "a@b.lg.jp",
        datetime(2025, 12, 5, 3, 0, tzinfo=UTC),
        "5.7.1",
        "554 x",
        "1.2.3.4",
    )
    entries, problems = read_entries(
        [json.dumps(entry_to_json(entry)), "", "not json", '{"email": 1}']
    )
    assert entries == [entry]
    assert [p.line for p in problems] == [3, 4]


@pytest.mark.parametrize(
    ("kind", "count", "first_line"),
    [
        ("municipal", 1, "件名: 【ご依頼】株式会社トドクからのメール受信許可のお願い"),
        (
            "company",
            1,
            "件名: 【ご確認のお願い】mail.todoku.example からのメールの受信拒否について",
        ),
        # au and SoftBank; docomo's 5.0.0 "Unknown user" is a gone address (docs/letters.md).
        ("carrier", 2, "件名: メール受信設定のお願い（株式会社トドク）"),
        (
            "consumer",
            2,
            "件名: メールをお届けできませんでした（受信箱の容量について・株式会社トドク）",
        ),
    ],
)
def test_letter_prints_each_kind(
    settings_file: Path, tmp_path: Path, kind: str, count: int, first_line: str
) -> None:
    result = run_cli(
        "letter",
        "--kind",
        kind,
        "--jsonl",
        str(SAMPLE),
        "--settings",
        str(settings_file),
        "--letters-dir",
        str(tmp_path / "none"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("===== 連絡文 ") == count
    assert result.stdout.splitlines()[1].startswith(first_line)
    assert "記入" not in result.stdout  # every sender fact came from the settings
    assert f"の連絡文 {count} 通" in result.stderr


def test_letter_without_settings_shows_placeholders(tmp_path: Path) -> None:
    result = run_cli(
        "letter",
        "--kind",
        "municipal",
        "--jsonl",
        str(SAMPLE),
        "--settings",
        str(tmp_path / "missing.json"),
        "--letters-dir",
        str(tmp_path),
    )
    assert result.returncode == 0
    assert "【送信元ドメインを記入】" in result.stdout
    assert "記入が必要な箇所があります" in result.stderr
    # The hostile reason in the sample stays literal.
    assert "LGWAN gateway {sender_domain} ${HOME}" in result.stdout


def test_letter_rejects_an_unknown_kind_and_a_missing_file(tmp_path: Path) -> None:
    assert run_cli("letter", "--kind", "spam", "--jsonl", str(SAMPLE)).returncode == 2
    missing = run_cli("letter", "--kind", "company", "--jsonl", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 1 and "JSON Lines ファイルを読めません" in missing.stderr


def test_letter_from_a_file_with_lone_surrogate_escapes(
    settings_file: Path, tmp_path: Path
) -> None:
    """json.loads turns "\\ud800" into a lone surrogate; printing the letter then raised
    UnicodeEncodeError after the first letters were out. The character shows as U+FFFD."""
    source = tmp_path / "odd.jsonl"
    source.write_text(
        json.dumps(
            {
                "list": "blocks",
                "email": "a\ud800@city.example.lg.jp",
                "created": 1764900000,
                "status": "5.7.1",
                "reason": "550 5.7.1 \udfff rejected by policy",
            }
        )  # ensure_ascii: the file holds the escapes, as a broken writer would leave them
        + "\n",
        encoding="utf-8",
    )
    result = municipal_letters(source, settings_file, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "a\ufffd@city.example.lg.jp" in result.stdout
    assert "550 5.7.1 \ufffd rejected by policy" in result.stdout


@pytest.fixture
def zendesk() -> Iterator[ZendeskSandbox]:
    with ZendeskSandbox() as server:
        yield server


def zendesk_env() -> dict[str, str]:
    return {"ZENDESK_EMAIL": SANDBOX_ZENDESK_EMAIL, "ZENDESK_API_TOKEN": SANDBOX_ZENDESK_TOKEN}


def test_zendesk_creates_then_updates_and_prints_urls(
    zendesk: ZendeskSandbox, settings_file: Path
) -> None:
    args = (
        "zendesk",
        "--jsonl",
        str(SAMPLE),
        "--base-url",
        zendesk.base_url,
        "--settings",
        str(settings_file),
    )
    first = run_cli(*args, env_extra=zendesk_env())
    assert first.returncode == 0, first.stderr
    urls = first.stdout.split()
    assert len(urls) == 8 and urls[0] == f"{zendesk.base_url}/agent/tickets/1"
    assert first.stderr.count("新規作成") == 8
    second = run_cli(*args, env_extra=zendesk_env())
    assert second.stdout.split() == urls
    assert second.stderr.count("既存チケットに追記") == 8
    assert len(zendesk.tickets()) == 8


def test_zendesk_batch_makes_one_ticket(zendesk: ZendeskSandbox, settings_file: Path) -> None:
    result = run_cli(
        "zendesk",
        "--jsonl",
        str(SAMPLE),
        "--batch",
        "--base-url",
        zendesk.base_url,
        "--settings",
        str(settings_file),
        env_extra=zendesk_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"{zendesk.base_url}/agent/tickets/1"]
    body = zendesk.comments(1)[0]["body"]
    # 2 lg.jp addresses share one letter; docomo's gone address gets none (docs/letters.md)
    assert body.count("■ 連絡文の下書き") == 6


def test_zendesk_revoked_token_fails_in_japanese(
    zendesk: ZendeskSandbox, settings_file: Path
) -> None:
    zendesk.revoke_token()
    result = run_cli(
        "zendesk",
        "--jsonl",
        str(SAMPLE),
        "--base-url",
        zendesk.base_url,
        "--settings",
        str(settings_file),
        env_extra=zendesk_env(),
    )
    assert result.returncode == 1
    assert "API トークンが正しくないか、無効になっています" in result.stderr
    assert SANDBOX_ZENDESK_TOKEN not in result.stderr + result.stdout
    assert zendesk.tickets() == []


def test_zendesk_error_detail_cannot_drive_the_terminal(
    zendesk: ZendeskSandbox, settings_file: Path
) -> None:
    """The detail of a refused request quotes Zendesk's answer, where JSON leaves C1 and bidi
    controls raw: U+009B (a one-character CSI) and U+202E reached stderr as is."""
    zendesk.inject(Fault(status=422, body={"error": "x\u009b2J\u202eevil"}))
    result = run_cli(
        "zendesk", "--jsonl", str(SAMPLE), "--base-url", zendesk.base_url,
        "--settings", str(settings_file), env_extra=zendesk_env(),
    )  # fmt: skip
    assert result.returncode == 1
    assert "詳細: " in result.stderr and "x\ufffd2J\ufffdevil" in result.stderr
    assert not any(char in result.stderr for char in "\u009b\u202e")


def test_zendesk_without_credentials_says_what_is_missing(settings_file: Path) -> None:
    result = run_cli(
        "zendesk",
        "--jsonl",
        str(SAMPLE),
        "--base-url",
        "http://127.0.0.1:9",
        "--settings",
        str(settings_file),
        env_extra={
            "ZENDESK_EMAIL": "a@b.jp",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        },
    )
    assert result.returncode == 1
    assert "API トークンが設定されていません" in result.stderr


def test_letter_redirected_to_a_cp932_file_does_not_stop_at_an_emoji(
    settings_file: Path, tmp_path: Path
) -> None:
    """Windows encodes redirected output in the ANSI code page (cp932 in Japan): an emoji in a
    reason raised UnicodeEncodeError half-way through the letters. PYTHONIOENCODING plays it."""
    source = tmp_path / "emoji.jsonl"
    entry = {
        "list": "blocks",
        "email": "a@city.example.lg.jp",
        "created": 1764900000,
        "status": "5.7.1",
        "reason": "550 5.7.1 rejected \U0001f600 by policy",
    }
    source.write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "cp932"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "letter", "--kind", "municipal", "--jsonl", str(source),
         "--settings", str(settings_file), "--letters-dir", str(tmp_path / "none")],
        cwd=ROOT, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode("cp932", "replace")
    out = result.stdout.decode("cp932")
    assert "550 5.7.1 rejected \\U0001f600 by policy" in out  # visible, not dropped
    assert out.startswith("=====") and "件名: " in out


def test_letter_reads_the_good_lines_around_a_binary_and_an_endless_one(
    settings_file: Path, tmp_path: Path
) -> None:
    """One undecodable line used to refuse the whole file (UnicodeDecodeError out of the text
    iterator), and a line without end was held in memory whole. Lines are now read one by one,
    each up to 1 MB: the bad ones are reported by number, the letters of the rest still come."""
    good = SAMPLE.read_bytes().splitlines(keepends=True)
    huge = json.dumps(
        {"list": "bounces", "email": "x@corp.example.co.jp", "created": 1764900000,
         "reason": "550 " + "z" * 2_000_000}
    ).encode() + b"\n"  # fmt: skip
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(good[0] + b"\xff\xfe\x00garbage\n" + huge + b"".join(good[1:]))
    result = municipal_letters(source, settings_file, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 行目は UTF-8 として読めません" in result.stderr
    assert "3 行目が長すぎます" in result.stderr
    assert "zzzz" not in result.stdout
    assert "soumu@city.example.lg.jp" in result.stdout  # the lines around them still count


def test_zendesk_progress_carries_no_character_that_drives_the_terminal(
    zendesk: ZendeskSandbox, settings_file: Path, tmp_path: Path
) -> None:
    """The progress line on stderr named each ticket's addresses as read from the fetch file:
    one holding an ESC sequence (OSC 0 retitles the terminal) or a right-to-left override
    reached the terminal as is. (The letters themselves were already cleaned.)"""
    source = tmp_path / "odd.jsonl"
    entry = {
        "list": "blocks", "email": "a\u001b]0;x\u0007\u202e@city.example.lg.jp",
        "created": 1764900000, "status": "5.7.1", "reason": "550 5.7.1 rejected by policy",
    }  # fmt: skip
    source.write_text(json.dumps(entry) + "\n", encoding="utf-8")
    result = run_cli(
        "zendesk", "--jsonl", str(source), "--base-url", zendesk.base_url,
        "--settings", str(settings_file), env_extra=zendesk_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "a\ufffd]0;x\ufffd\ufffd@city.example.lg.jp" in result.stderr
    assert not any(char in result.stderr + result.stdout for char in "\x1b\x07\u202e")
