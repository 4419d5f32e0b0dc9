"""`todoku-cli --help` and argparse's errors in Japanese (使い方, 引数, オプション, エラー), with
every command and option exactly as before."""

from __future__ import annotations

import argparse
import importlib

import pytest

from app.cli import _COMMANDS, main
from app.cli.japanese_argparse import japanese_error

ENGLISH_FRAME = (
    "usage:",
    "positional arguments",
    "options:",
    "optional arguments",
    "show this help message",
    "error:",
)


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["", *_COMMANDS])
def test_help_has_a_japanese_frame(capsys: pytest.CaptureFixture[str], command: str) -> None:
    text = _help(capsys, *([command] if command else []))
    assert text.startswith(f"使い方: todoku-cli {command}".rstrip() + " [-h]")
    assert "\nオプション:\n" in text
    assert "  -h, --help" in text and "このヘルプを表示して終了する" in text
    for english in ENGLISH_FRAME:
        assert english not in text
    if not command:
        assert "\n引数:\n  COMMAND\n" in text
        for name in _COMMANDS:
            assert f"\n    {name} " in text


@pytest.mark.parametrize("command", list(_COMMANDS))
def test_every_option_is_kept(capsys: pytest.CaptureFixture[str], command: str) -> None:
    """The usage line lists the same options and metavars as a plain argparse parser."""
    plain = argparse.ArgumentParser(prog=f"todoku-cli {command}")
    importlib.import_module(_COMMANDS[command][0]).add_arguments(plain)
    expected = plain.format_usage().split()  # its first word: the prefix of its formatter
    usage = _help(capsys, command).split("\n\n")[0].split()
    assert usage[0] == "使い方:"
    assert usage[1:] == expected[1:]


def test_errors_are_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["fetch", "--from", "2026-01-01"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("使い方: todoku-cli fetch [-h] --from DATE_FROM --to DATE_TO")
    assert err.endswith("todoku-cli fetch: エラー: 次の指定が必要です: --to\n")

    with pytest.raises(SystemExit):
        main(["fetc"])
    err = capsys.readouterr().err
    assert "todoku-cli: エラー: COMMAND: 'fetc' は選べません（選べるもの: 'fetch', " in err
    for english in ENGLISH_FRAME:
        assert english not in err


@pytest.mark.parametrize(
    ("english", "japanese"),
    [
        ("argument --lists: expected one argument", "--lists: 値を 1 つ指定してください"),
        ("unrecognized arguments: --bogus x", "認識できない引数があります: --bogus x"),
        (
            "argument --region: invalid choice: 'us' (choose from 'global', 'eu')",
            "--region: 'us' は選べません（選べるもの: 'global', 'eu'）",
        ),
        (
            "argument --port: invalid int value: 'x'",
            "--port: 'x' は int の値として正しくありません",
        ),
        (
            "ambiguous option: --s could match --subuser, --settings",
            "--s だけではどのオプションか決まりません（候補: --subuser, --settings）",
        ),
        (
            "argument --days: 日数は整数で指定してください: abc",
            "--days: 日数は整数で指定してください: abc",
        ),
        ("something argparse adds one day", "something argparse adds one day"),
    ],
)
def test_argparse_messages_in_japanese(english: str, japanese: str) -> None:
    assert japanese_error(english) == japanese
