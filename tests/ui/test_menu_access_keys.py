"""Every menu item can be chosen from the keyboard: Alt+menu key, then the item's own key."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QMenu

from app.ui.menu_text import menu_text

ACCESS_KEY = re.compile(r"&([A-Z])")


def menu_keys(menu: QMenu) -> dict[str, str]:
    """Item text (without its shortcut) → its access key; "" for an item without one."""
    keys = {}
    for action in menu.actions():
        if action.isSeparator():
            continue
        text = action.text().split("\t")[0]
        found = ACCESS_KEY.search(text)
        keys[text] = found.group(1) if found else ""
    return keys


def check_menus(window) -> None:
    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is None:
            continue
        keys = menu_keys(menu)
        without = [text for text, key in keys.items() if not key]
        assert not without, f"{top.text()}: no access key for {without}"
        # Two items on one key only cycle between them instead of choosing one.
        assert len(set(keys.values())) == len(keys), f"{top.text()}: {keys}"


def test_every_menu_item_has_its_own_access_key(make_window) -> None:
    window = make_window()
    check_menus(window)
    # The mode item's label flips with the mode; its key stays.
    window.window_actions.show_mode(False)
    check_menus(window)
    assert "(&W)" in window.window_actions.mode_action.text()


def test_bar_buttons_keep_their_label_without_the_key(make_window) -> None:
    window = make_window()
    texts = {button.text() for button in window.list_page.delete_bar._added}
    assert "連絡文を作成" in texts and "Zendesk チケットを作成" in texts, texts


def test_the_key_goes_before_the_ellipsis() -> None:
    assert menu_text("月次レポート…", "M") == "月次レポート(&M)…"
    assert menu_text("設定...", "S") == "設定(&S)..."
    assert menu_text("全件再取得", "F") == "全件再取得(&F)"
