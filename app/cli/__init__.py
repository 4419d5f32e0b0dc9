"""`todoku-cli`: headless commands for operators' scripts and scheduled jobs.

Each sub-command lives in its own module exposing ``add_arguments(parser)`` and
``run(args) -> int``; modules are imported only when their command runs, so one command's
heavy imports never slow another.
"""

from __future__ import annotations

import argparse
import importlib
import io
import logging
import os
import sys
from types import ModuleType

from app.cli.japanese_argparse import JapaneseArgumentParser
from app.cli.std_streams import StdStreamError, flush_stdout, guard_streams, silence_stdout
from app.core.glossary import term

_LISTS = term("lists")  # resources/glossary.toml: the window says the same
_COMMANDS: dict[str, tuple[str, str]] = {
    "fetch": ("app.cli.fetch_cmd", f"{_LISTS}を取得して JSON Lines などに書き出す"),
    "dmarc": ("app.cli.dmarc_cmd", "DMARC 集計レポートを読み、送信元ごとに判定する"),
    "delete": ("app.cli.delete_cmd", f"指定したアドレスを{_LISTS}から削除する"),
    "classify": ("app.cli.classify_cmd", "バウンス理由を分類する（JSON Lines 入出力）"),
    "sandbox": ("app.cli.sandbox_cmd", "練習用の模擬サーバー（既定は SendGrid）を起動する"),
    "check": ("app.cli.check_cmd", "配信率を確認し、しきい値を下回ったら通知する"),
    "letter": ("app.cli.letter_cmd", "取得結果の宛先に送る連絡文（日本語）を作る"),
    "zendesk": ("app.cli.zendesk_cmd", "取得結果の宛先ごとに Zendesk のチケットを作る・追記する"),
    "report": ("app.cli.report_cmd", "取得履歴から月次レポートを作る（Excel など）"),
    "db": (
        "app.cli.db_cmd",
        "共有データベース（チーム利用）の作成・更新、ロール作成用 SQL の表示",
    ),
}


def _build_parser(argv: list[str]) -> tuple[argparse.ArgumentParser, ModuleType | None]:
    # The frame (使い方, オプション, errors) in Japanese; sub-commands inherit the class.
    parser = JapaneseArgumentParser(prog="todoku-cli", description="Todoku コマンドライン")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = argv[0] if argv else None
    chosen: ModuleType | None = None
    for name, (module_name, help_text) in _COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == wanted:
            try:
                chosen = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                chosen = None
            if chosen is not None:
                chosen.add_arguments(sub)
    return parser, chosen


# Options whose values are file names: a Linux file name may hold bytes that are not UTF-8,
# which Python keeps as lone surrogates (surrogateescape) and open() turns back into the bytes.
_PATH_OPTIONS = frozenset(
    (
        "paths", "jsonl", "xlsx", "csv", "pdf", "journal", "history", "emails_file", "settings",
        "letters_dir",
    )
)  # fmt: skip

_OPTION_NAMES = {"date_from": "--from", "date_to": "--to"}  # dest → what the user typed


def _undecodable_option(args: argparse.Namespace) -> str | None:
    """The first non-path option whose value holds bytes that are not UTF-8.

    Python keeps such argv bytes as lone surrogates; as a note, an account name or a folder
    they then fail at the first encoder (SQLite, a header, the terminal) with a traceback.
    """
    for name, value in vars(args).items():
        if name in _PATH_OPTIONS:
            continue
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and any("\ud800" <= char <= "\udfff" for char in text):
                return _OPTION_NAMES.get(name, "--" + name.replace("_", "-"))
    return None


def _never_fail_on_output_encoding() -> None:
    """Write a character the output encoding lacks as ``\\U0001f600`` instead of raising.

    On Windows, output redirected to a file (``todoku-cli letter ... > letters.txt``) is
    encoded in the ANSI code page (cp932 in Japan), which has no emoji and no U+FFFD: one such
    character in a bounce reason stopped the command half-way with UnicodeEncodeError. stderr
    already behaves this way by default; stdout gets the same.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    # The commands tell the user what happened in Japanese; the library's English log lines
    # (e.g. "no keyring backend") would otherwise reach the terminal through logging's
    # last-resort handler.
    logging.getLogger().addHandler(logging.NullHandler())
    guard_streams()
    _never_fail_on_output_encoding()
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = args_list[0] if args_list and args_list[0] in _COMMANDS else ""
    prefix = f"todoku-cli {command}".rstrip()
    try:
        try:
            code = _parse_and_run(args_list)
        except SystemExit:  # argparse's --help and usage errors: their text must arrive too
            flush_stdout()
            raise
        flush_stdout()  # here, so a full disk or a closed stdout still changes the exit code
        return code
    except BrokenPipeError:
        # The reader went away (`todoku-cli classify < in | head`): not an error worth a
        # traceback. Python's signal docs: point stdout at devnull so the interpreter's
        # final flush does not fail again, and exit 1.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except StdStreamError as error:
        silence_stdout()
        print(f"{prefix}: {error.message_ja}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prefix}: 中断しました（Ctrl+C）。", file=sys.stderr)
        return 130


def _parse_and_run(args_list: list[str]) -> int:
    parser, module = _build_parser(args_list)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    if module is None:
        print(f"todoku-cli: コマンド「{args.command}」はまだ利用できません。", file=sys.stderr)
        return 2
    undecodable = _undecodable_option(args)
    if undecodable is not None:
        print(
            f"todoku-cli {args.command}: {undecodable} の値に UTF-8 として読めない文字が"
            "含まれています。端末（またはスクリプト）の文字コードを UTF-8 にしてください。",
            file=sys.stderr,
        )
        return 2
    from app.cli.common import settle_connection_defaults

    settle_connection_defaults(args)
    return int(module.run(args))


if __name__ == "__main__":
    sys.exit(main())
