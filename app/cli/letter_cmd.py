"""`todoku-cli letter`: Japanese letters (連絡文) for the entries of a fetch output file."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from app.cli.common import report_error, terminal_text
from app.cli.japanese_argparse import JapaneseRawDescriptionHelpFormatter
from app.cli.letter_input import (
    add_input_arguments,
    load_letter_templates,
    load_settings,
    read_classified,
)
from app.core.dates import JST
from app.core.errors import TodokuError
from app.core.letters.chooser import group_for_letters
from app.core.letters.compose import SenderFacts, compose_letter
from app.core.letters.templates import LetterKind

_EPILOG = """\
宛先のドメイン（lg.jp、携帯電話会社、その他）と分類結果から、指定した種類の連絡文が合う
宛先だけを選び、同じ相手（自治体・企業はドメイン、個人はアドレス）ごとに 1 通ずつ出力します。
送信元の組織名・ドメイン・IP アドレス・連絡先は設定ファイルから読み、空欄は【…を記入】と表示します。
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = JapaneseRawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument(
        "--kind",
        required=True,
        choices=[kind.value for kind in LetterKind],
        help="municipal（自治体）/ company（企業）/ carrier（携帯）/ consumer（受信箱・入力誤り）",
    )
    add_input_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        kind = LetterKind(args.kind)
        settings = load_settings(args)
        templates = load_letter_templates(args)
        pairs = read_classified(args.jsonl)
        groups, left_out = group_for_letters(pairs, kind)
        facts = SenderFacts.from_settings(settings)
        now = datetime.now(tz=JST)
        for number, group in enumerate(groups, start=1):
            letter = compose_letter(group, templates, facts, now)
            if number > 1:
                print()
            # The side is a domain or an address from the fetch file, i.e. from outside.
            print(
                terminal_text(
                    f"===== 連絡文 {number}/{len(groups)}: {letter.title}"
                    f"（相手: {letter.side}、宛先 {len(letter.recipients)} 件） ====="
                )
            )
            print(letter.as_text(), end="")
            if letter.missing_ja:
                print(
                    f"注意: 連絡文 {number} に記入が必要な箇所があります: "
                    + "、".join(letter.missing_ja),
                    file=sys.stderr,
                )
        other_kind = sum(1 for item in left_out if item.choice.letter_id)
        no_letter = len(left_out) - other_kind
        print(
            f"完了: {kind.label_ja}の連絡文 {len(groups)} 通"
            f"（ほかの種類が合う宛先 {other_kind} 件、連絡文が合わない宛先 {no_letter} 件）",
            file=sys.stderr,
        )
        return 0
    except TodokuError as error:
        return report_error(error)
