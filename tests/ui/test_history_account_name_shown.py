"""A history account's name in 推移 and the monthly report dialog: one bounded line with hidden
characters written out. In a shared history another PC, or a script, may have named it anything;
a bidi override made the name read backwards and a line break split the heading."""

from __future__ import annotations

from app.ui.history import texts


def test_a_hostile_account_name_is_one_visible_line() -> None:
    name = "本番\u202eテスト\n2行目" + "x" * 1_000
    for practice in (False, True):
        shown = texts.account_shown(name, practice)
        assert "\u202e" not in shown and "⟨U+202E⟩" in shown
        assert "\n" not in shown and len(shown) < 200


def test_plain_names_are_unchanged() -> None:
    assert texts.account_shown("本番", False) == "本番"
    assert texts.account_shown("", True) == texts.PRACTICE_ACCOUNT_SHOWN
