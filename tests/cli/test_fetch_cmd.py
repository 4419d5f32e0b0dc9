"""`todoku-cli fetch` as an operator's script runs it: a subprocess against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.dates import today_jst, unix_bounds
from app.core.types import DateRange
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY

ROOT = Path(__file__).resolve().parents[2]
TODAY = today_jst()
RANGE = DateRange(TODAY - timedelta(days=6), TODAY)
START, END = unix_bounds(RANGE)


def run_cli(*args: str, key: str = API_KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SENDGRID_API_KEY"}
    if key:
        env["SENDGRID_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "fetch", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture(autouse=True)
def private_data_dir(monkeypatch, tmp_path: Path) -> None:
    """The CLI keeps its fetch history in the user's data folder: a temporary one here."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def sandbox(make_sandbox):
    return make_sandbox(
        [
            SandboxRecord(
                "bounces", "taro+news@city.example.lg.jp", START, "550 5.1.1 User unknown", "5.1.1"
            ),
            SandboxRecord(
                "blocks", "hanako@docomo.ne.jp", END, '=HYPERLINK("http://x","y")', "4.7.0"
            ),
            SandboxRecord("spam_reports", "jiro@gmail.com", START + 60, ip="192.0.2.1"),
            SandboxRecord("bounces", "old@example.jp", START - 1, "550 5.1.1", "5.1.1"),
        ]
    )


def dates() -> list[str]:
    return ["--from", RANGE.start.isoformat(), "--to", RANGE.end.isoformat()]


def test_fetch_writes_one_json_object_per_entry(sandbox, tmp_path: Path) -> None:
    out = tmp_path / "entries.jsonl"
    result = run_cli(*dates(), "--base-url", sandbox.base_url, "--jsonl", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["email"] for r in rows) == [
        "hanako@docomo.ne.jp",
        "jiro@gmail.com",
        "taro+news@city.example.lg.jp",
    ]
    spam = next(r for r in rows if r["list"] == "spam_reports")
    assert spam["ip"] == "192.0.2.1" and spam["created"] == START + 60
    assert spam["created_jst"].endswith("+09:00")
    # What deleting would do, as `todoku-cli classify` says it (fields added, none renamed).
    assert spam["delete_effect"] == "harmful" and spam["permanent"] is True
    bounce = next(r for r in rows if r["list"] == "bounces")
    assert bounce["delete_effect"] == "after_fix" and bounce["permanent"] is True
    block = next(r for r in rows if r["list"] == "blocks")
    assert block["delete_effect"] == "no_effect"
    assert set(block) >= {"list", "email", "created", "created_jst", "status", "reason", "ip"}


def test_fetch_to_stdout_with_chosen_lists(sandbox) -> None:
    result = run_cli(*dates(), "--lists", "blocks", "--base-url", sandbox.base_url, "--quiet")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["email"] for r in rows] == ["hanako@docomo.ne.jp"]
    assert {r.path for r in sandbox.request_log if r.method == "GET"} >= {"/v3/suppression/blocks"}
    assert not any("bounces" in r.path for r in sandbox.request_log)


def test_fetch_writes_xlsx_and_csv(sandbox, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    xlsx, csv_path = tmp_path / "out.xlsx", tmp_path / "out.csv"
    result = run_cli(
        *dates(), "--base-url", sandbox.base_url, "--xlsx", str(xlsx), "--csv", str(csv_path)
    )
    assert result.returncode == 0, result.stderr
    book = load_workbook(xlsx)
    assert book.sheetnames[:3] == ["一覧", "集計", "条件"]
    values = [[c.value for c in row] for row in book["一覧"].iter_rows()]
    assert len(values) == 4  # header + 3 entries
    flat = [str(v) for row in values for v in row]
    assert '=HYPERLINK("http://x","y")' in flat  # kept as text, not a formula
    text = csv_path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert "hanako@docomo.ne.jp" in text.decode("utf-8-sig")


def test_bad_key_exits_non_zero_with_japanese_message(sandbox) -> None:
    result = run_cli(*dates(), "--base-url", sandbox.base_url, key="SG.wrong-key")
    assert result.returncode != 0
    assert "API キー" in result.stderr
    assert "SG.wrong-key" not in result.stderr
    # The key came from the environment: the advice says where to fix it, not the app's screen.
    assert "環境変数 SENDGRID_API_KEY" in result.stderr
    assert "設定画面" not in result.stderr


def test_no_english_log_line_reaches_the_terminal(sandbox) -> None:
    # No keyring backend on this machine is the usual cause of "secrets: no keyring backend".
    env_key = ""
    result = run_cli(*dates(), "--base-url", sandbox.base_url, key=env_key)
    assert result.returncode != 0
    assert "API キー" in result.stderr
    assert not [line for line in result.stderr.splitlines() if line.isascii() and line.strip()]


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (TODAY, TODAY - timedelta(days=1), "開始日が終了日より後"),
        (TODAY + timedelta(days=1), TODAY + timedelta(days=2), "未来"),
    ],
)
def test_bad_ranges_are_refused_before_any_request(sandbox, start, end, words) -> None:
    result = run_cli(
        "--from", start.isoformat(), "--to", end.isoformat(), "--base-url", sandbox.base_url
    )
    assert result.returncode != 0
    assert words in result.stderr
    assert sandbox.request_log == []


def test_unreadable_date_and_list_names(sandbox) -> None:
    result = run_cli("--from", "2026/11/01", "--to", "x", "--base-url", sandbox.base_url)
    assert result.returncode != 0 and "YYYY-MM-DD" in result.stderr
    result = run_cli(*dates(), "--lists", "bounce", "--base-url", sandbox.base_url)
    assert result.returncode != 0 and "リスト名" in result.stderr
    assert sandbox.request_log == []


@pytest.mark.parametrize("lists", [",", " , ,"])
def test_lists_without_a_name_are_refused(sandbox, lists: str) -> None:
    # Before, this fetched nothing, printed nothing and exited 0.
    result = run_cli(*dates(), "--lists", lists, "--base-url", sandbox.base_url, "--no-history")
    assert result.returncode == 1
    assert "--lists にリスト名がありません" in result.stderr
    assert sandbox.request_log == []


def test_fetch_records_history_and_the_second_run_is_incremental(sandbox, tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite3"
    first = run_cli(*dates(), "--base-url", sandbox.base_url, "--history", str(history))
    assert first.returncode == 0, first.stderr
    assert "全件取得" in first.stderr and history.exists()
    sandbox.add_records(
        [SandboxRecord("bounces", "new@example.jp", END - 10, "550 5.1.1 User unknown", "5.1.1")]
    )
    # Removed elsewhere, inside the window the incremental pass asks for (it is the newest
    # block): noticed without --full.
    sandbox.remove("blocks", "hanako@docomo.ne.jp")
    second = run_cli(*dates(), "--base-url", sandbox.base_url, "--history", str(history))
    assert second.returncode == 0, second.stderr
    assert "差分取得" in second.stderr and "新着 1 件" in second.stderr
    rows = [json.loads(line) for line in second.stdout.splitlines()]
    assert {r["email"] for r in rows if r["new"]} == {"new@example.jp"}
    assert all(r["delete_effect"] in ("resend", "after_fix", "no_effect", "harmful") for r in rows)
    assert len(rows) == 3  # the whole range, not only the tail
    full = run_cli(*dates(), "--full", "--base-url", sandbox.base_url, "--history", str(history))
    assert "全件取得" in full.stderr
    assert sorted(json.loads(line)["email"] for line in full.stdout.splitlines()) == [
        "jiro@gmail.com",
        "new@example.jp",
        "taro+news@city.example.lg.jp",
    ]
    bare = run_cli(*dates(), "--no-history", "--base-url", sandbox.base_url, "--quiet")
    assert bare.returncode == 0 and len(bare.stdout.splitlines()) == 3
    bare_rows = [json.loads(line) for line in bare.stdout.splitlines()]
    assert {r["email"]: r["delete_effect"] for r in bare_rows}["jiro@gmail.com"] == "harmful"
    xlsx = tmp_path / "whole.xlsx"
    again = run_cli(
        *dates(), "--base-url", sandbox.base_url, "--history", str(history), "--xlsx", str(xlsx)
    )
    assert again.returncode == 0 and "差分取得" in again.stderr and xlsx.exists()


@pytest.mark.parametrize("history", [[], ["--no-history"]])
def test_a_jsonl_target_that_cannot_be_written_fails_before_fetching(
    sandbox, tmp_path: Path, history: list[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "entries.jsonl"
    result = run_cli(*dates(), "--base-url", sandbox.base_url, "--jsonl", str(missing), *history)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "保存先のフォルダが見つかりません" in result.stderr
    assert sandbox.request_log == []  # nothing fetched (nor recorded) for an output never made


def test_a_jsonl_file_appears_only_when_complete(sandbox, tmp_path: Path) -> None:
    out = tmp_path / "entries.jsonl"
    out.write_text("older\n", encoding="utf-8")
    result = run_cli(*dates(), "--base-url", sandbox.base_url, "--jsonl", str(out), "--no-history")
    assert result.returncode == 0, result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    "base_url",
    ["http://api.example.net", "https://user:secret@proxy.example.net", "javascript:alert(1)",
     "http://[::1"],
)  # fmt: skip
def test_a_base_url_the_key_must_not_go_to_is_refused_before_any_request(base_url: str) -> None:
    """As in the settings screen: plain http only to this computer (the key would cross the
    network unencrypted), no credentials in the URL, a URL at all. Was: the key was sent, or
    an httpx traceback for "http://[::1"."""
    result = run_cli(*dates(), "--base-url", base_url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "詳細: base URL:" in result.stderr  # refused by the check, not by the network


def test_a_lone_surrogate_from_the_server_does_not_lose_the_fetch(
    make_sandbox, tmp_path: Path
) -> None:
    """A reply with "\\ud800" escapes (a broken proxy or a hostile server) once ended the fetch
    with a UnicodeEncodeError traceback from the history's SQLite insert."""
    sandbox = make_sandbox(
        [
            SandboxRecord("bounces", "a\ud800@example.jp", START + 60, "550 \udfff x", "5.1.1"),
            SandboxRecord("bounces", "b@example.jp", START + 120, "550 5.1.1 unknown", "5.1.1"),
        ]
    )
    jsonl, csv_path, xlsx = tmp_path / "out.jsonl", tmp_path / "out.csv", tmp_path / "out.xlsx"
    result = run_cli(
        "--from", RANGE.start.isoformat(), "--to", RANGE.end.isoformat(),
        "--base-url", sandbox.base_url,
        "--jsonl", str(jsonl), "--csv", str(csv_path), "--xlsx", str(xlsx),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    emails = {json.loads(line)["email"] for line in jsonl.read_text(encoding="utf-8").splitlines()}
    assert emails == {"a\ufffd@example.jp", "b@example.jp"}
    assert "a\ufffd@example.jp" in csv_path.read_text(encoding="utf-8-sig")
    assert xlsx.stat().st_size > 0


def test_a_base_url_whose_host_cannot_be_asked_is_refused_before_sending() -> None:
    """ "https://xn--" passed the URL check and failed in a worker thread with idna's IDNAError."""
    result = run_cli("--from", "2026-12-01", "--to", "2026-12-02", "--base-url", "https://xn--")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "接続先 URL の形式が正しくありません" in result.stderr


def test_a_key_pasted_with_a_zero_width_space_is_a_japanese_error(sandbox) -> None:
    result = run_cli(
        "--from", RANGE.start.isoformat(), "--to", RANGE.end.isoformat(),
        "--base-url", sandbox.base_url, "--no-history",
        key=API_KEY + "\u200b",
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "API キーに使えない文字" in result.stderr


def test_jsonl_on_a_cp932_stdout_is_valid_json_with_the_same_text(make_sandbox) -> None:
    """Windows encodes redirected stdout in cp932: an emoji in a reason raised
    UnicodeEncodeError; with escapes every line stays JSON and round-trips."""
    reason = "550 5.1.1 \U0001f600 ユーザー不明 \ufffd"
    sandbox = make_sandbox([SandboxRecord("bounces", "a@example.jp", START + 60, reason, "5.1.1")])
    env = {**os.environ, "SENDGRID_API_KEY": API_KEY, "PYTHONIOENCODING": "cp932"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "fetch", "--from", RANGE.start.isoformat(),
         "--to", RANGE.end.isoformat(), "--base-url", sandbox.base_url, "--no-history"],
        cwd=ROOT, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode("cp932", "replace")
    (line,) = result.stdout.decode("cp932").splitlines()
    assert json.loads(line)["reason"] == reason


def test_a_data_folder_that_is_a_file_is_a_warning_and_the_fetch_goes_on(
    sandbox, tmp_path: Path, monkeypatch
) -> None:
    """XDG_DATA_HOME pointing at a file: opening the history raised NotADirectoryError out of
    `fetch` as a traceback and nothing was written (the window caught it, the CLI did not).
    Now it is the history warning every other history failure gives, and the entries come."""
    data = tmp_path / "data-is-a-file"
    data.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    result = run_cli(*dates(), "--base-url", sandbox.base_url)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "取得履歴を読み書きできませんでした" in result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert data.read_text(encoding="utf-8") == "not a folder"


def test_bidi_and_c1_characters_of_a_reason_are_escaped_in_the_json_lines(
    make_sandbox,
) -> None:
    """JSON escapes C0 controls but not U+202E (right-to-left override) or C1 characters such
    as U+009B (a one-character CSI): a bounce reason holding them reached the terminal raw.
    They are written as \\u escapes now: the same JSON value, nothing for a terminal to obey."""
    reason = "550 5.7.1 \u202edenied\u009b2J by policy"
    sandbox = make_sandbox([SandboxRecord("bounces", "a@example.jp", START + 60, reason, "5.7.1")])
    result = run_cli(*dates(), "--base-url", sandbox.base_url, "--no-history")
    assert result.returncode == 0, result.stderr
    assert "\u202e" not in result.stdout and "\u009b" not in result.stdout
    assert "\\u202e" in result.stdout
    assert json.loads(result.stdout.splitlines()[0])["reason"] == reason
