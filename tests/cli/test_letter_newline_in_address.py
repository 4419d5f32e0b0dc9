"""An address or status holding a line feed writes free lines into the letter, outside the
quote, as if the company had written them (compose._safe and _evidence strip C0 controls but
keep LF). The fields come from the provider's reply or a JSONL file: untrusted text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.core.storage.settings import AppSettings, SettingsStore

INJECTED = "件名: 【至急】パスワード再設定のお願い"


def test_a_line_feed_in_the_address_or_status_adds_no_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "settings.json"
    SettingsStore(settings).save(
        AppSettings(sender_org_name="株式会社トドク", sender_domain="mail.todoku.example")
    )
    entry = {
        "list": "bounces",
        "email": f"soumu\n\n{INJECTED}\nsoumu@city.example.lg.jp",
        "created": 1764900000,
        "status": f"5.7.1\n{INJECTED}",
        "reason": "550 5.7.1 Relay access denied by LGWAN gateway",
    }
    source = tmp_path / "entries.jsonl"
    source.write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    code = main(["letter", "--kind", "municipal", "--jsonl", str(source),
                 "--settings", str(settings), "--letters-dir", str(tmp_path / "none")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "連絡文 1/1" in out
    # The letter's own subject line is "件名: 【ご依頼】…"; no other line may start a subject.
    assert [line for line in out.splitlines() if line.startswith(INJECTED)] == []
