"""`todoku-cli check` run as a real subprocess against the sandbox and a loopback webhook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.dates import today_jst
from tests.helpers.core_sandbox import API_KEY
from tests.helpers.webhook_receiver import WebhookReceiver, refused_url

BAD_SUMMARY_START = "過去7日間の配信率: 最低 "


def run_check(
    sandbox, tmp_path: Path, *args: str, key: str = API_KEY
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["SENDGRID_API_KEY"] = key
    # platformdirs reads these: the command must not see the developer's own settings.
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "check", "--base-url", sandbox.base_url, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def bad_sandbox(make_sandbox):
    sandbox = make_sandbox()
    bad_day = today_jst() - timedelta(days=2)
    sandbox.set_bad_day(bad_day, delivered_ratio=0.85)
    sandbox.bad_day = bad_day
    return sandbox


def test_all_days_fine_exits_0(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox()
    result = run_check(sandbox, tmp_path, "--days", "7", "--threshold", "0.97")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("過去7日間の配信率: 最低 ")
    assert "すべての日でしきい値 97% 以上です。" in result.stdout
    assert result.stderr == ""
    (request,) = sandbox.request_log
    assert request.path == "/v3/stats"
    assert request.query["start_date"] == [(today_jst() - timedelta(days=6)).isoformat()]
    assert request.query["end_date"] == [today_jst().isoformat()]
    assert request.query["aggregated_by"] == ["day"]


def test_bad_day_exits_3_and_names_the_day(bad_sandbox, tmp_path: Path) -> None:
    result = run_check(bad_sandbox, tmp_path, "--days", "7")
    assert result.returncode == 3, result.stderr
    day = f"{bad_sandbox.bad_day.month}/{bad_sandbox.bad_day.day}"
    assert result.stdout.startswith(BAD_SUMMARY_START)
    assert f"（{day}）。しきい値 97% を下回った日が 1 日あります: {day}（8" in result.stdout
    assert "ブロック" in result.stdout and result.stderr == ""


def test_bad_day_outside_the_window_is_not_reported(bad_sandbox, tmp_path: Path) -> None:
    result = run_check(bad_sandbox, tmp_path, "--days", "2")
    assert result.returncode == 0, result.stdout


def test_lower_threshold_accepts_the_bad_day(bad_sandbox, tmp_path: Path) -> None:
    result = run_check(bad_sandbox, tmp_path, "--days", "7", "--threshold", "0.80")
    assert result.returncode == 0
    assert "しきい値 80% 以上" in result.stdout


def test_webhook_receives_the_summary(bad_sandbox, tmp_path: Path) -> None:
    with WebhookReceiver() as receiver:
        result = run_check(bad_sandbox, tmp_path, "--days", "7", "--slack-webhook", receiver.url)
    assert result.returncode == 3
    assert receiver.texts() == ["⚠ " + result.stdout.strip()]
    assert result.stderr == ""


@pytest.mark.parametrize("failure", ["500", "refused"])
def test_webhook_failure_keeps_result_and_exit_code(
    bad_sandbox, make_sandbox, tmp_path: Path, failure: str
) -> None:
    fine_sandbox = make_sandbox()
    with WebhookReceiver(status=500) as receiver:
        url = receiver.url if failure == "500" else refused_url()
        bad = run_check(bad_sandbox, tmp_path, "--days", "7", "--slack-webhook", url)
        fine = run_check(fine_sandbox, tmp_path, "--days", "7", "--slack-webhook", url)
    expected = "（HTTP 500）" if failure == "500" else "送信先に接続できませんでした"
    for result, code in ((bad, 3), (fine, 0)):
        assert result.returncode == code
        assert result.stdout.startswith("過去7日間の配信率: 最低 ")
        assert result.stderr.startswith("通知エラー: 通知（Webhook）")
        assert expected in result.stderr
        assert "secret-token" not in result.stderr  # the webhook URL is a credential


def test_a_webhook_answer_cannot_drive_the_terminal(make_sandbox, tmp_path: Path) -> None:
    """The error's detail quotes the endpoint's answer: an ESC sequence (OSC 52 writes the
    clipboard), a C1 CSI or a right-to-left override in it reached stderr as is."""
    with WebhookReceiver(status=500) as receiver:
        receiver.error_answer = "bad\x1b]52;c;aGk=\x07 \u009b2J \u202eevil".encode()
        result = run_check(make_sandbox(), tmp_path, "--days", "7", "--slack-webhook", receiver.url)
    assert result.returncode == 0
    assert "詳細: " in result.stderr and "bad\ufffd]52;c;aGk=\ufffd" in result.stderr
    assert not any(char in result.stderr for char in "\x1b\x07\u009b\u202e")


def test_alert_only_posts_nothing_on_a_good_week(make_sandbox, tmp_path: Path) -> None:
    with WebhookReceiver() as receiver:
        result = run_check(
            make_sandbox(), tmp_path, "--days", "7", "--slack-webhook", receiver.url, "--alert-only"
        )
    assert result.returncode == 0 and receiver.posts == []


def test_webhook_from_settings_file(bad_sandbox, tmp_path: Path) -> None:
    settings = tmp_path / "data" / "Todoku" / "settings.json"
    settings.parent.mkdir(parents=True)
    with WebhookReceiver() as receiver:
        settings.write_text(
            json.dumps({"schema_version": 1, "alert_webhook_url": receiver.url}), encoding="utf-8"
        )
        result = run_check(bad_sandbox, tmp_path, "--days", "7")
    assert result.returncode == 3
    assert len(receiver.posts) == 1


def test_stats_failure_exits_1_and_notifies(make_sandbox, tmp_path: Path) -> None:
    with WebhookReceiver() as receiver:
        result = run_check(
            make_sandbox(),
            tmp_path,
            "--days",
            "7",
            "--slack-webhook",
            receiver.url,
            key="SG.wrong-key",
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("エラー: API キーが正しくないか")
    assert receiver.texts()[0].startswith("⚠ 配信状況を確認できませんでした: API キー")


@pytest.mark.parametrize("args", [["--threshold", "97"], ["--threshold", "0"], ["--days", "0"]])
def test_bad_arguments_exit_2(make_sandbox, tmp_path: Path, args: list[str]) -> None:
    sandbox = make_sandbox()
    result = run_check(sandbox, tmp_path, *args)
    assert result.returncode == 2
    assert "しきい値" in result.stderr or "日数" in result.stderr
    assert sandbox.request_log == []
