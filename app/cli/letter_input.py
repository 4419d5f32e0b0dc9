"""What `todoku-cli letter` and `todoku-cli zendesk` share: entries from a fetch file, their
explanations, the settings (sender facts, Zendesk account) and the letter templates."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from app.cli.settings_file import load_cli_settings
from app.core.errors import InvalidInputError
from app.core.letters.templates import TemplateError, TemplateSet, load_templates
from app.core.storage.settings import AppSettings
from app.core.types import Explanation, SuppressionEntry


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jsonl",
        required=True,
        help="todoku-cli fetch --jsonl で書き出したファイル（- は標準入力）",
    )
    parser.add_argument(
        "--settings",
        type=Path,
        default=None,
        help="設定ファイル（既定: アプリの settings.json。送信元の組織名・ドメインなどを使います）",
    )
    parser.add_argument(
        "--letters-dir",
        type=Path,
        default=None,
        help="組織で編集した連絡文テンプレートのフォルダ（既定: データフォルダの letters）",
    )


def load_settings(args: argparse.Namespace) -> AppSettings:
    """``--settings`` or the app's file; a damaged one is refused (letters would otherwise
    go out with 【…を記入】 where the sender's organisation and contact belong)."""
    return load_cli_settings(args.settings)


def load_letter_templates(args: argparse.Namespace) -> TemplateSet:
    user_dir = args.letters_dir
    if user_dir is None:
        from app.paths import user_paths

        user_dir = user_paths().data_dir / "letters"
    try:
        templates = load_templates(user_dir=user_dir)
    except TemplateError as error:
        raise InvalidInputError(
            "連絡文テンプレートを読み込めません。",
            next_step_ja="アプリを入れ直してください。",
            detail=str(error),
        ) from None
    for warning in templates.warnings_ja:
        print(f"注意: {warning}", file=sys.stderr)
    return templates


def read_classified(path: str) -> list[tuple[SuppressionEntry, Explanation]]:
    """Entries of a fetch file with their rule-based explanations; bad lines are reported."""
    from app.core.classify.classifier import Classifier
    from app.core.letters.entries_jsonl import read_entries_from

    try:
        if path == "-":
            entries, problems = read_entries_from(sys.stdin.buffer)
        else:
            with open(path, "rb") as source:
                _refuse_device(path, source)
                entries, problems = read_entries_from(source)
    except OSError as error:
        raise InvalidInputError(
            "JSON Lines ファイルを読めません。",
            next_step_ja=(
                "todoku-cli fetch --jsonl で書き出した UTF-8 のファイルを指定してください。"
            ),
            detail=str(error),
        ) from None
    for problem in problems:
        print(f"注意: {problem.message_ja}", file=sys.stderr)
    classifier = Classifier.load()
    return list(zip(entries, classifier.classify_entries(entries), strict=True))


def _refuse_device(path: str, source: BinaryIO) -> None:
    """A device (/dev/zero, /dev/urandom) or socket never ends: refused before it is read.

    A named pipe is read (``--jsonl <(…)``, a shell's process substitution, is one)."""
    mode = os.fstat(source.fileno()).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise InvalidInputError(
            f"「{path}」は通常のファイルではありません（デバイスなど）。",
            next_step_ja="todoku-cli fetch --jsonl で書き出したファイルを指定してください。",
        )
