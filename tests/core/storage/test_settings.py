"""AppSettings JSON: round trip, unknown keys kept, bad values fall back with a log line."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from app.core.storage.settings import SCHEMA_VERSION, AppSettings, SettingsStore


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert SettingsStore(tmp_path / "none.json").load() == AppSettings()


def test_round_trip_keeps_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": 1, "region": "eu", "future_option": [1, 2]}))
    store = SettingsStore(path)
    loaded = store.load()
    assert loaded.region == "eu"
    store.save(loaded.replace(subuser="shop-a", llm_enabled=True))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["future_option"] == [1, 2]
    assert saved["schema_version"] == SCHEMA_VERSION
    assert saved["subuser"] == "shop-a" and saved["llm_enabled"] is True
    assert store.load().subuser == "shop-a"


def test_bad_values_fall_back_with_a_log_line(tmp_path: Path, caplog) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps({"region": "mars", "timeout_s": "fast", "max_concurrency": True, "subuser": 3})
    )
    with caplog.at_level(logging.WARNING):
        loaded = SettingsStore(path).load()
    assert loaded.region == "global"
    assert loaded.timeout_s == AppSettings().timeout_s
    assert loaded.max_concurrency == AppSettings().max_concurrency
    assert loaded.subuser == ""
    assert sum("bad value" in record.message for record in caplog.records) == 4


def test_garbled_file_gives_defaults(tmp_path: Path, caplog) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert SettingsStore(path).load() == AppSettings()
    assert "not JSON" in caplog.text


def test_a_settings_file_nested_too_deep_gives_defaults(tmp_path: Path, caplog) -> None:
    """json raises RecursionError, not ValueError, past its nesting limit: the app must still
    start (with defaults), as for any other unreadable file."""
    path = tmp_path / "settings.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert SettingsStore(path).load() == AppSettings()
    assert "not JSON" in caplog.text


def test_a_settings_file_that_is_not_utf8_gives_defaults(tmp_path: Path, caplog) -> None:
    """read_text raised UnicodeDecodeError (not an OSError): the window did not start."""
    path = tmp_path / "settings.json"
    path.write_bytes('{"llm_model": "モデル"}'.encode("shift_jis"))
    with caplog.at_level(logging.WARNING):
        assert SettingsStore(path).load() == AppSettings()
    assert "not JSON" in caplog.text


def test_a_settings_file_saved_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"llm_model": "gpt", "subuser": "s"}).encode())
    loaded = SettingsStore(path).load()
    assert (loaded.llm_model, loaded.subuser) == ("gpt", "s")


def test_a_lone_surrogate_escape_survives_a_save(tmp_path: Path) -> None:
    """json reads "\\ud800" as a lone surrogate; writing it as UTF-8 raised UnicodeEncodeError,
    so no setting could be saved any more."""
    path = tmp_path / "settings.json"
    path.write_text('{"llm_model": "a\\ud800b", "sender_org_name": "株式会社\\\\x"}')
    store = SettingsStore(path)
    loaded = store.load()
    store.save(loaded.replace(subuser="new"))
    path.read_bytes().decode("utf-8")  # valid UTF-8
    again = store.load()
    assert again.llm_model == "a\ud800b" and again.sender_org_name == "株式会社\\x"
    assert again.subuser == "new"


def test_an_unreadable_settings_file_is_kept_when_new_settings_are_saved(tmp_path: Path) -> None:
    """The app runs on defaults when the file is unreadable; its first save must not destroy
    the accounts a half-written or hand-broken file still holds."""
    path = tmp_path / "settings.json"
    broken = b'{"accounts": [{"name": "\xe6\x9c\xac\xe7\x95\xaa", "provider": "sendgrid"}], "sub'
    path.write_bytes(broken)
    store = SettingsStore(path)
    store.save(store.load().replace(subuser="after"))
    assert (tmp_path / "settings.json.unreadable").read_bytes() == broken
    assert store.load().subuser == "after"
    store.save(store.load().replace(subuser="again"))  # a readable file is simply replaced
    assert (tmp_path / "settings.json.unreadable").read_bytes() == broken
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "settings.json",
        "settings.json.unreadable",
    ]


def _settings_with_accounts(path: Path, count: int) -> Path:
    """``count`` accounts, then a second "acc7" (a repeated name)."""
    accounts = [{"name": f"acc{i}", "provider": "sendgrid"} for i in range(count)]
    accounts.append({"name": "acc7", "provider": "sendgrid", "region": "eu"})
    path.write_text(json.dumps({"accounts": accounts}), encoding="utf-8")
    return path


def _python_steps_to_load(path: Path) -> int:
    """How many Python-level steps (calls, lines, loop turns) reading ``path`` takes: work
    counted, not timed, so a busy machine counts the same."""
    store = SettingsStore(path)
    steps = 0

    def count(_frame: object, _event: str, _arg: object) -> object:
        nonlocal steps
        steps += 1
        return count

    previous = sys.gettrace()  # a coverage tracer, if any, gets its place back
    sys.settrace(count)  # type: ignore[arg-type]
    try:
        store.load()
    finally:
        sys.settrace(previous)
    return steps


def test_twenty_thousand_accounts_are_read_with_the_first_of_a_repeated_name_kept(
    tmp_path: Path, caplog
) -> None:
    # A file grown by a script or a bad merge: a repeated name is skipped, the first one kept.
    settings = SettingsStore(_settings_with_accounts(tmp_path / "settings.json", 20_000)).load()
    assert [a.name for a in settings.accounts] == [f"acc{i}" for i in range(20_000)]
    assert settings.accounts[7].region != "eu"
    assert "repeated account" in caplog.text


def test_reading_accounts_is_linear_in_their_number(tmp_path: Path) -> None:
    # Each name was once checked against every earlier one: quadratic, ~11 s for 20,000. Twice
    # the accounts must cost about twice the steps (that check made it four times).
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    once = _python_steps_to_load(_settings_with_accounts(tmp_path / "a" / "settings.json", 1000))
    twice = _python_steps_to_load(_settings_with_accounts(tmp_path / "b" / "settings.json", 2000))
    assert twice / once < 2.5, (once, twice)
