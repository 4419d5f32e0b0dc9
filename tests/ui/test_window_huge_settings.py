"""A window opening on a settings.json grown to 20,000 accounts (a script or a bad merge)."""

from __future__ import annotations

import json
from pathlib import Path


def test_window_opens_on_a_one_megabyte_settings_file(qtbot, make_window, tmp_path: Path) -> None:
    settings = tmp_path / "data" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    accounts = [{"name": f"acc{i}", "provider": "sendgrid"} for i in range(20_000)]
    settings.write_text(json.dumps({"accounts": accounts}), encoding="utf-8")
    assert settings.stat().st_size < 1_000_000
    # The reader once checked every account's name against all the ones before it: ~11 s of
    # the GUI thread before anything showed, minutes for 50,000. That it reads in linear time
    # is checked where it lives (tests/core/storage/test_settings.py); here the window opens on
    # such a file and keeps every account.
    window = make_window()
    qtbot.waitExposed(window)
    assert len(window.controller.accounts.settings.current.accounts) == 20_000
