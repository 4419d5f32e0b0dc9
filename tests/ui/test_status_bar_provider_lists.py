"""The status bar counts the lists the current account's provider has. Before, a CMC account
showed 無効アドレス 0 / 迷惑メール報告 0 / 配信停止 0 beside its bounces and blocks, as if
those lists had been fetched and found empty: CMC has no such lists."""

from __future__ import annotations

import pytest

from app.core.accounts import DEFAULT_ACCOUNT_NAME
from app.core.types import ALL_LISTS
from tests.ui.test_accounts import (
    EXPECTED_LISTS,
    NAMES,
    OTHERS,
    ProviderSandboxes,
    add_account,
    fetch_wide,
)


def counted_lists(window) -> set[str]:
    """List labels in the status bar's counts (the part before 「｜」 and the categories)."""
    counts = window.status_bar.counts_label.full_text.split("｜")[0]
    return {kind.label_ja for kind in ALL_LISTS if f"{kind.label_ja} " in counts}


def choose(window, name: str) -> None:
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(name))
    bar.combo.activated.emit(bar.combo.currentIndex())
    assert window.controller.accounts.current.name == name


@pytest.mark.parametrize("provider", OTHERS, ids=lambda p: p.value)
def test_counts_name_only_the_providers_lists(qtbot, make_window, provider) -> None:
    window = make_window(provider_sandbox_factory=ProviderSandboxes())
    assert counted_lists(window) == {kind.label_ja for kind in ALL_LISTS}
    add_account(window, provider)
    choose(window, NAMES[provider])
    expected = {kind.label_ja for kind in EXPECTED_LISTS[provider]}
    assert counted_lists(window) == expected  # before any fetch: no 0 for a list it lacks
    fetch_wide(qtbot, window)
    assert window.model.total > 0
    assert counted_lists(window) == expected
    # Back on SendGrid, all five lists are counted again.
    choose(window, DEFAULT_ACCOUNT_NAME)
    assert counted_lists(window) == {kind.label_ja for kind in ALL_LISTS}
