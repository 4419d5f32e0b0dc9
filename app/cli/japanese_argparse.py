"""argparse with a Japanese frame: 使い方, 引数, オプション, the -h text and the error lines.

argparse writes its frame itself ("usage:", "positional arguments:", "options:", "show this help
message and exit", "error: the following arguments are required: ..."). Python translates those
through gettext (the argparse HOWTO, "How to translate the argparse output",
https://docs.python.org/3/howto/argparse.html), but gettext picks the language from the
LANGUAGE/LANG environment and a catalogue on disk; the operators read Japanese whatever their
terminal says. So the frame is supplied here through argparse's public extension points
(https://docs.python.org/3/library/argparse.html): a ``formatter_class`` that renames the usage
prefix and section headings, ``add_help=False`` plus our own ``-h/--help`` (action="help"), and
an ``error()`` override, which the library reference names as the method to override to change
how errors are reported. No private attribute of argparse is touched.

Commands, options, metavars and defaults are never renamed: only the frame around them.
An error message argparse makes that is not in ``_ERRORS`` keeps its English wording, behind the
Japanese prefix.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

USAGE_PREFIX = "使い方: "
HELP_TEXT = "このヘルプを表示して終了する"
ERROR_LINE = "{prog}: エラー: {message}\n"

# argparse's section headings (Python 3.10+ says "options"; 3.9 said "optional arguments").
SECTION_TITLES = {
    "positional arguments": "引数",
    "options": "オプション",
    "optional arguments": "オプション",
}

# argparse's error messages (Lib/argparse.py, Python 3.11-3.13), as patterns → Japanese.
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), japanese)
    for pattern, japanese in (
        (r"the following arguments are required: (?P<a>.*)", "次の指定が必要です: {a}"),
        (r"unrecognized arguments: (?P<a>.*)", "認識できない引数があります: {a}"),
        (r"one of the arguments (?P<a>.*) is required", "次のどれか 1 つを指定してください: {a}"),
        (r"not allowed with argument (?P<a>.*)", "{a} と一緒には指定できません"),
        (r"expected one argument", "値を 1 つ指定してください"),
        (r"expected at most one argument", "値は 1 つまでです"),
        (r"expected at least one argument", "値を 1 つ以上指定してください"),
        (r"expected (?P<a>\d+) arguments?", "値を {a} 個指定してください"),
        (r"ignored explicit argument (?P<a>.*)", "値 {a} は指定できません"),
        (
            r"invalid choice: (?P<v>.*?) \(choose from (?P<c>.*)\)",
            "{v} は選べません（選べるもの: {c}）",
        ),
        (r"invalid (?P<t>\S+) value: (?P<v>.*)", "{v} は {t} の値として正しくありません"),
        (
            r"ambiguous option: (?P<o>\S+) could match (?P<m>.*)",
            "{o} だけではどのオプションか決まりません（候補: {m}）",
        ),
        (r"unexpected option string: (?P<a>.*)", "想定していないオプションです: {a}"),
    )
)
_ARGUMENT = re.compile(r"argument (?P<name>\S+): (?P<rest>.*)", re.DOTALL)


def japanese_error(message: str) -> str:
    """argparse's English error message in Japanese (unknown ones are kept as they are)."""
    argument = _ARGUMENT.fullmatch(message)
    if argument is not None:
        return f"{argument['name']}: {japanese_error(argument['rest'])}"
    for pattern, japanese in _ERRORS:
        found = pattern.fullmatch(message)
        if found is not None:
            return japanese.format(**found.groupdict())
    return message


class JapaneseHelpFormatter(argparse.HelpFormatter):
    """The usage prefix and the section headings in Japanese; mixes into any HelpFormatter."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(SECTION_TITLES.get(heading or "", heading))


class JapaneseRawDescriptionHelpFormatter(
    JapaneseHelpFormatter, argparse.RawDescriptionHelpFormatter
):
    """For a description laid out by hand (line breaks kept)."""


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose frame is Japanese; sub-commands get the same class.

    ``add_subparsers`` makes its parsers with ``type(self)`` unless told otherwise, so the
    sub-commands' help and errors are Japanese too.
    """

    def __init__(self, *, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", JapaneseHelpFormatter)
        super().__init__(add_help=False, **kwargs)
        if add_help:  # what add_help=True would add, with a Japanese help text
            self.add_argument("-h", "--help", action="help", help=HELP_TEXT)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, ERROR_LINE.format(prog=self.prog, message=japanese_error(message)))
