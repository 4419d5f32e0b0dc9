"""Letter templates as data: ``resources/letters/*.toml``, overridable from a user folder.

One file per letter. The file name (without ``.toml``) is the letter's id; the file declares
its ``kind``, a ``title`` for pickers, the ``variables`` it uses, ``subject`` and ``body``
(plain text with ``{{name}}`` placeholders) and optional ``blocks`` (named text pieces the
composer picks from, e.g. one set of steps per carrier). A file in the user folder with the
same name wins; when it cannot be used the shipped one is kept and a Japanese warning says why.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.core.letters.render import KNOWN_VARIABLES, names_in
from app.core.regular_files import FileTooLargeError, NotARegularFileError, read_regular_file


class LetterKind(StrEnum):
    """Who the letter is for (the ``--kind`` of ``todoku-cli letter``)."""

    MUNICIPAL = "municipal"  # a municipality's IT desk (lg.jp, LGWAN relay)
    COMPANY = "company"  # a company's mail administrator
    CARRIER = "carrier"  # a consumer on docomo / au / SoftBank: 指定受信
    CONSUMER = "consumer"  # a consumer: mailbox full, or a mistyped address

    @property
    def label_ja(self) -> str:
        return _KIND_LABELS[self]


# A template is a few KB; an organisation's folder may hold anything (a link to /dev/zero).
MAX_TEMPLATE_BYTES = 1024 * 1024

_KIND_LABELS = {
    LetterKind.MUNICIPAL: "自治体の情報システム担当者あて",
    LetterKind.COMPANY: "企業のメール管理者あて",
    LetterKind.CARRIER: "携帯電話のお客様あて（受信設定）",
    LetterKind.CONSUMER: "お客様あて（受信箱・アドレス確認）",
}


class TemplateError(ValueError):
    """A template file cannot be used; the message is Japanese and names the problem."""


@dataclass(frozen=True, slots=True)
class LetterTemplate:
    letter_id: str
    kind: LetterKind
    title: str
    variables: tuple[str, ...]
    subject: str
    body: str
    blocks: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    overridden: bool = False  # True when it came from the user folder


@dataclass(frozen=True, slots=True)
class TemplateSet:
    templates: dict[str, LetterTemplate]
    warnings_ja: tuple[str, ...] = ()

    def get(self, letter_id: str) -> LetterTemplate:
        return self.templates[letter_id]


def default_letters_dir() -> Path:
    """resources/letters/ of a source checkout (callers pass another dir when frozen)."""
    return Path(__file__).resolve().parents[3] / "resources" / "letters"


def parse_template(letter_id: str, text: str, path: Path | None = None) -> LetterTemplate:
    """Parse and check one file; raise ``TemplateError`` with a Japanese reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"TOML として読めません（{error}）") from None
    except RecursionError:  # tomllib nests one call per bracket: "a = [[[[..." 10,000 deep
        raise TemplateError("TOML の入れ子が深すぎて読めません") from None
    kind_text = data.get("kind")
    try:
        kind = LetterKind(str(kind_text))
    except ValueError:
        names = ", ".join(k.value for k in LetterKind)
        raise TemplateError(f"kind は {names} のいずれかにしてください") from None
    subject = _text(data, "subject")
    body = _text(data, "body")
    title = data.get("title", letter_id)
    if not isinstance(title, str):
        raise TemplateError("title は文字列にしてください")
    variables = data.get("variables")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise TemplateError("variables は変数名の配列にしてください")
    unknown = sorted(set(variables) - KNOWN_VARIABLES.keys())
    if unknown:
        raise TemplateError(f"使えない変数名があります: {', '.join(unknown)}")
    blocks_raw: Any = data.get("blocks", {})
    if not isinstance(blocks_raw, dict) or not all(isinstance(v, str) for v in blocks_raw.values()):
        raise TemplateError("blocks は「名前 = 文字列」の表にしてください")
    blocks: dict[str, str] = dict(blocks_raw)
    used = names_in(subject) | names_in(body)
    for block in blocks.values():
        used |= names_in(block)
    undeclared = sorted(used - set(variables))
    if undeclared:
        listed = ", ".join("{{" + name + "}}" for name in undeclared)
        raise TemplateError(f"variables に書かれていない変数が使われています: {listed}")
    return LetterTemplate(
        letter_id=letter_id,
        kind=kind,
        title=title,
        variables=tuple(variables),
        subject=subject,
        body=body,
        blocks=blocks,
        path=path,
    )


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TemplateError(f"{key} は空でない文字列にしてください")
    return value


def _read(path: Path) -> LetterTemplate:
    try:
        text = read_regular_file(path, MAX_TEMPLATE_BYTES).decode("utf-8")
    except NotARegularFileError:
        raise TemplateError(
            "通常のファイルではない（デバイス・パイプ・フォルダなど）ため読みません"
        ) from None
    except FileTooLargeError:
        raise TemplateError(
            f"連絡文テンプレートとしては大きすぎます（{MAX_TEMPLATE_BYTES:,} バイトまで）"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"ファイルを読めません（{error}）") from None
    return parse_template(path.stem, text, path)


def load_templates(shipped_dir: Path | None = None, user_dir: Path | None = None) -> TemplateSet:
    """The shipped templates, each replaced by a usable user file of the same name.

    A shipped file that fails is a packaging bug and raises ``TemplateError``; a user file that
    fails is the organisation's edit, so it is skipped with a warning the UI and CLI show.
    """
    shipped_dir = shipped_dir or default_letters_dir()
    templates: dict[str, LetterTemplate] = {}
    for path in sorted(shipped_dir.glob("*.toml")):
        try:
            templates[path.stem] = _read(path)
        except TemplateError as error:
            raise TemplateError(f"同梱の連絡文テンプレート {path.name}: {error}") from None
    warnings: list[str] = []
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.toml")):
            try:
                template = _read(path)
            except TemplateError as error:
                fallback = (
                    "同梱のテンプレートを使います" if path.stem in templates else "使いません"
                )
                warnings.append(
                    f"連絡文テンプレート「{path.name}」（{path.parent}）を読み込めないため、"
                    f"{fallback}。理由: {error}"
                )
                continue
            shipped = templates.get(path.stem)
            if shipped is not None and shipped.kind != template.kind:
                warnings.append(
                    f"連絡文テンプレート「{path.name}」の kind（{template.kind}）が同梱の"
                    f"（{shipped.kind}）と違うため、同梱のテンプレートを使います。"
                )
                continue
            templates[path.stem] = _with_override(template)
    return TemplateSet(templates=templates, warnings_ja=tuple(warnings))


def _with_override(template: LetterTemplate) -> LetterTemplate:
    from dataclasses import replace

    return replace(template, overridden=True)
