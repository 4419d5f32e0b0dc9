"""The practice banner of another provider's account reads as Japanese: 「実際のカスタマーズ
メールクラウドには」, not 「実際の カスタマーズメールクラウド には」 (spaces belong beside a Latin
name only: 「実際の Amazon SES には」)."""

from __future__ import annotations

import pytest

from app.core.accounts import ProviderName, between_words_ja
from app.ui.accounts.account_texts import practice_text
from tests.ui.test_accounts import NAMES, ProviderSandboxes, add_account


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        (
            ProviderName.CMC,
            "練習用のデータです（カスタマーズメールクラウドの模擬サーバー）。"
            "削除しても実際のカスタマーズメールクラウドには影響しません。",
        ),
        (
            ProviderName.SES,
            "練習用のデータです（Amazon SES の模擬サーバー）。"
            "削除しても実際の Amazon SES には影響しません。",
        ),
    ],
)
def test_the_practice_banner_spaces_latin_names_only(provider, expected) -> None:
    assert practice_text(provider.label_ja) == expected


def test_between_words() -> None:
    assert between_words_ja("Infobip") == " Infobip "
    assert between_words_ja("カスタマーズメールクラウド") == "カスタマーズメールクラウド"


def test_the_window_shows_it_for_a_cmc_account(make_window) -> None:
    window = make_window(provider_sandbox_factory=ProviderSandboxes())
    add_account(window, ProviderName.CMC)
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(NAMES[ProviderName.CMC]))
    bar.combo.activated.emit(bar.combo.currentIndex())
    text = window.banner.text_label.text()
    assert "実際のカスタマーズメールクラウドには" in text
    assert " カスタマーズ" not in text
