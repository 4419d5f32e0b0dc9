"""Menu item labels with an access key, the way Japanese desktop apps write them: 月次レポート(&M)…

Japanese labels have no Latin letter to underline, so the key is added in parentheses; without
one, Alt+R (履歴) opened the menu but no key chose an item in it.
"""

from __future__ import annotations

_ELLIPSES = ("…", "...")


def menu_text(text: str, key: str) -> str:
    """``text`` with ``(&key)`` before its trailing ellipsis, if it has one."""
    for ellipsis in _ELLIPSES:
        if text.endswith(ellipsis):
            return f"{text[: -len(ellipsis)]}(&{key}){ellipsis}"
    return f"{text}(&{key})"
