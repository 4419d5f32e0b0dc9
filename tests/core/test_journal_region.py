"""The region the journal files an account under, the same for the window and todoku-cli."""

from __future__ import annotations

import pytest

from app.core.accounts import Account, ProviderName
from app.core.journal_region import journal_region, journal_region_spellings


@pytest.mark.parametrize(
    ("account", "region"),
    [
        (Account("既定"), "global"),
        (Account("EU", region="eu"), "eu"),
        (Account("本番", ProviderName.CMC), ""),
        (Account("本番", ProviderName.INFOBIP, base_url="https://x.api.infobip.com"), ""),
        (Account("本番", ProviderName.SES, region="ap-northeast-1"), "ap-northeast-1"),
    ],
)
def test_journal_region(account: Account, region: str) -> None:
    assert journal_region(account) == region


def test_ses_without_a_region_is_filed_under_the_one_it_is_reached_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert journal_region(Account("CLI（ses）", ProviderName.SES)) == "us-east-1"


def test_spellings_older_cli_records_may_carry() -> None:
    assert journal_region_spellings("", False) == ("", "global", "eu")
    assert journal_region_spellings("ap-northeast-1", False) == ("ap-northeast-1", "global", "eu")
    assert journal_region_spellings("global", False) == ("global",)
    assert journal_region_spellings("eu", False) == ("eu",)
    assert journal_region_spellings("", True) == ("",)
