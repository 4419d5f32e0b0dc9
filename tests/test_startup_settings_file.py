"""Start-up with a settings.json that is cut short (a crash test, a full disk) or that this
user may not read: the window says so in Japanese, and the file, which may hold every account
the operator set up, is never overwritten with the defaults the app fell back to."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.helpers.app_process import ROOT, run_driver, user_env, window_driver
from tests.helpers.other_user import lockable_folder, run_as_other_user

DRIVER = window_driver(
    r"""
    print("SHOWN", window.status_panel.isVisible(), flush=True)
    if error is not None:
        print("MESSAGE", error.message_ja, error.next_step_ja, flush=True)
    keeper = window.controller.settings_keeper
    keeper.store(keeper.current.replace(timeout_s=12.0))  # any change the operator makes
"""
)

ACCOUNTS = {
    "schema_version": 2,
    "practice_mode": False,
    "accounts": [{"name": "本番（東京）", "provider": "sendgrid", "region": "global"}],
}


def _settings_text() -> str:
    return json.dumps(ACCOUNTS, ensure_ascii=False, indent=2)


def test_a_settings_file_cut_short_is_said_at_start_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "Todoku"
    folder.mkdir(parents=True)
    cut = _settings_text()[:40]  # what a kill during an in-place write leaves
    (folder / "settings.json").write_text(cut, encoding="utf-8")
    result = run_driver(DRIVER, user_env(tmp_path))
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    # Before: the app opened in practice mode with no account and no word about why.
    assert "SHOWN True" in result.stdout, (result.stdout, result.stderr[-800:])
    assert "設定ファイル" in result.stdout and "壊れ" in result.stdout, result.stdout
    kept = [p for p in folder.iterdir() if p.read_text(encoding="utf-8", errors="replace") == cut]
    assert kept, sorted(p.name for p in folder.iterdir())  # the cut file survives the save


def test_a_settings_file_this_user_cannot_read_is_said_and_never_overwritten() -> None:
    with lockable_folder() as home:
        folder = home / "data" / "Todoku"
        folder.mkdir(parents=True)
        for part in (home, home / "data", folder):
            part.chmod(0o777)
        settings = folder / "settings.json"
        settings.write_text(_settings_text(), encoding="utf-8")
        settings.chmod(0o600)  # root's own file: the other user cannot read it
        env = {k: v for k, v in user_env(home).items() if k != "SENDGRID_API_KEY"}
        env["XDG_RUNTIME_DIR"] = str(home / "runtime")
        result = run_as_other_user([sys.executable, "-c", DRIVER], cwd=ROOT, env=env)
        assert "Traceback" not in result.stderr, result.stderr[-1500:]
        assert "SHOWN True" in result.stdout, (result.stdout, result.stderr[-800:])
        assert "設定ファイル" in result.stdout, result.stdout
        # Before: the first save replaced the file it could not read with the defaults.
        assert settings.read_text(encoding="utf-8") == _settings_text()
        assert os.stat(settings).st_uid == 0
