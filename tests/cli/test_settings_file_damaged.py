"""`todoku-cli --account NAME` with a settings.json cut short by a crash: the error names the
damaged file, instead of claiming that the account does not exist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.core_sandbox import API_KEY, RANGE

ROOT = Path(__file__).resolve().parents[2]


def test_an_account_in_a_settings_file_cut_short_names_the_file(make_sandbox, tmp_path) -> None:
    sandbox = make_sandbox([])
    folder = tmp_path / "data" / "Todoku"
    folder.mkdir(parents=True)
    settings = folder / "settings.json"
    settings.write_text('{"schema_version": 2, "accounts": [{"name": "本番', encoding="utf-8")
    env = {**os.environ, "SENDGRID_API_KEY": API_KEY, "PYTHONIOENCODING": "utf-8"}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "fetch", "--account", "本番",
         "--base-url", sandbox.base_url, "--no-history",
         "--from", RANGE.start.isoformat(), "--to", RANGE.end.isoformat()],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    # Before: 「アカウント「本番」が見つかりません。設定画面で…確認してください」, which sent the
    # operator looking for an account that is there, in a file the app could not read.
    assert "設定ファイル" in result.stderr and "壊れ" in result.stderr, result.stderr
    assert str(settings) in result.stderr
    assert "見つかりません" not in result.stderr
