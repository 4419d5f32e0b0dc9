"""settings.json under crash tests: a save is on the disk before it takes the file's name, and
two processes saving at once (the app and a second copy of it) never lose a save or leave the
file cut short."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.helpers.app_process import ROOT, child_env, run_side_by_side
from tests.helpers.syscalls import renamed_onto, synced_before, traced_run

SAVER = r"""
import json, sys
from pathlib import Path
from app.core.storage.settings import AppSettings, SettingsStore

path, tag, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
store = SettingsStore(path)
settings = AppSettings(sender_org_name=tag, extra={"padding": tag * 1_000_000})
for _ in range(rounds):
    try:
        store.save(settings)
    except OSError as error:
        print("SAVE FAILED", type(error).__name__, error, flush=True)
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        print("CUT SHORT", flush=True)
print("DONE", flush=True)
"""


def test_a_save_is_flushed_to_the_disk_before_it_takes_the_settings_name(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    result, lines = traced_run(
        [sys.executable, "-c", SAVER, str(target), "a", "1"],
        log=tmp_path / "strace.txt", cwd=ROOT, env=child_env(),
    )  # fmt: skip
    assert "DONE" in result.stdout, result.stderr[-2000:]
    index, source = renamed_onto(lines, target)
    assert index >= 0, "settings.json was not written by a rename"
    # Without the fsync a power cut after the rename can leave an empty settings.json (the
    # rename is on the disk, the bytes are not): every account the operator set up is gone.
    assert synced_before(lines, source, index), f"{source} renamed onto {target} unsynced"


def test_two_processes_saving_at_once_never_fail_or_cut_the_file_short(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    outputs = run_side_by_side(SAVER, [[str(target), tag, "30"] for tag in ("a", "b")])
    for out, err in outputs:
        assert "DONE" in out, err[-2000:]
        # Both used one fixed "settings.json.tmp": one process's rename took the file the other
        # was still writing (FileNotFoundError for the second, a short file for readers).
        assert "SAVE FAILED" not in out, out[:2000]
        assert "CUT SHORT" not in out, out[:2000]
    assert json.loads(target.read_text(encoding="utf-8"))["sender_org_name"] in ("a", "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]  # no temp left


def test_a_save_on_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    from app.core.storage.settings import AppSettings, SettingsStore
    from tests.helpers.tiny_disk import fill, tiny_disk

    with tiny_disk(tmp_path / "disk") as disk:
        store = SettingsStore(disk / "settings.json")
        store.save(AppSettings(sender_org_name="前の設定"))
        fill(disk)
        big = AppSettings(sender_org_name="新しい設定", extra={"padding": "x" * 100_000})
        try:
            store.save(big)
        except OSError:
            pass  # reported to the window as 設定を保存できませんでした
        else:
            raise AssertionError("a save on a full disk reported no failure")
        assert store.load().sender_org_name == "前の設定"
        # Before: a cut-off settings.json.tmp stayed behind on the full disk after every try.
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin", "settings.json"]


def test_a_second_damaged_file_never_replaces_the_first_one_kept(tmp_path: Path) -> None:
    from app.core.storage.settings import SettingsStore

    store = SettingsStore(tmp_path / "settings.json")
    for cut in ('{"accounts": [{"name": "一つ目', '{"accounts": [{"name": "二つ目'):
        store.path.write_text(cut, encoding="utf-8")
        store.save(store.load())
    kept = {p.read_text(encoding="utf-8") for p in tmp_path.iterdir() if p.name != "settings.json"}
    # Before: both went to settings.json.unreadable, the second replacing the first.
    assert kept == {'{"accounts": [{"name": "一つ目', '{"accounts": [{"name": "二つ目'}
