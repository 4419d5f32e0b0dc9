"""resources/glossary.toml is the one source of the operator's words: every list and category has
a label, the umbrella term collides with no list name, and no other wording is left in the app."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from app.core import glossary
from app.core.classify.vocabulary import CATEGORY_LABELS_JA
from app.core.deletion.plan import WARNING_BLOCKS
from app.core.types import ALL_LISTS

ROOT = Path(__file__).resolve().parents[2]
# What the app used to call the lists together (issue 13): none may come back. 送信停止 was
# the classifier's word for blocks ("not a 送信停止 list") and drops; blocks stop nothing.
# 送信元の評価: the delete confirmation's word where the details pane and the category (送信元の
# 評判で拒否) say 評判; one thing, one name.
RETIRED = ("配信停止リスト", "サプレッションリスト", "送信停止", "送信元の評価")


def test_every_list_and_category_has_its_label_from_the_glossary() -> None:
    raw = tomllib.loads(glossary.glossary_path().read_text(encoding="utf-8"))
    assert {kind.label_ja for kind in ALL_LISTS} == set(raw["lists"].values())
    assert raw["categories"] == CATEGORY_LABELS_JA
    assert list(CATEGORY_LABELS_JA) == list(raw["categories"])  # charts keep this order


def test_the_umbrella_term_is_no_list_name_and_categories_say_what_happened() -> None:
    umbrella = glossary.term("lists")
    for kind in ALL_LISTS:
        assert kind.label_ja not in umbrella  # 配信停止 is one list, not all five
    assert umbrella in glossary.term("app_title")
    assert len(CATEGORY_LABELS_JA["Reputation"]) >= 6 and "評判" in CATEGORY_LABELS_JA["Reputation"]
    assert len(CATEGORY_LABELS_JA["Content"]) >= 6 and "内容" in CATEGORY_LABELS_JA["Content"]
    assert len(set(CATEGORY_LABELS_JA.values())) == len(CATEGORY_LABELS_JA)


def test_no_retired_wording_is_left_in_the_app() -> None:
    found = []
    # The app's code and the texts it shows from data (rules, letters); the glossary itself
    # names SendGrid's word on purpose (lists_sendgrid).
    data = [p for p in (ROOT / "resources").rglob("*.toml") if p.name != "glossary.toml"]
    for path in sorted([*(ROOT / "app").rglob("*.py"), *data]):
        text = path.read_text(encoding="utf-8")
        for word in RETIRED:
            if word in text:
                found.append(f"{path.relative_to(ROOT)}: {word}")
    assert found == []
    assert "配信停止リスト" not in WARNING_BLOCKS


def test_cli_help_uses_the_glossary_term() -> None:
    from app.cli import _build_parser

    parser, _ = _build_parser([])
    help_text = parser.format_help()
    assert re.search(glossary.term("lists"), help_text)
