"""Accounts in the settings (schema 2) and their credentials in the SecretStore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.accounts import (
    DEFAULT_ACCOUNT_NAME,
    Account,
    ProviderName,
    find_account,
    forget_credentials,
    load_credentials,
    save_credentials,
)
from app.core.errors import ProviderSetupError
from app.core.provider_factory import build_provider
from app.core.storage.secrets import SENDGRID_KEY, MemorySecretStore
from app.core.storage.settings import SCHEMA_VERSION, SettingsStore

INFOBIP = Account(
    "本番", ProviderName.INFOBIP, base_url="https://abc.api.infobip.com", infobip_domains=("a.jp",)
)
SES = Account("AWS 東京", ProviderName.SES, region="ap-northeast-1", aws_credentials="keys")
CMC = Account("CMC", ProviderName.CMC, server_composition="shop", cmc_block_cancel_api=False)


def test_a_version_1_file_reads_as_the_default_sendgrid_account(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": 1, "region": "eu", "subuser": "shop-a"}))
    settings = SettingsStore(path).load()
    (default,) = settings.all_accounts()
    assert default.name == DEFAULT_ACCOUNT_NAME and default.provider is ProviderName.SENDGRID
    assert (default.region, default.subuser) == ("eu", "shop-a")
    assert settings.current_account() == default
    # Today's key keeps its keyring name: nothing to migrate for the operator.
    assert default.secret_name("api_key") == SENDGRID_KEY


def test_accounts_round_trip_and_unknown_fields_survive(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    store.save(store.load().replace(accounts=(INFOBIP, SES, CMC), active_account="本番"))
    raw = json.loads(store.path.read_text(encoding="utf-8"))
    assert raw["schema_version"] == SCHEMA_VERSION == 2
    raw["accounts"][0]["future"] = {"x": 1}
    raw["accounts"].append({"name": "壊れた", "provider": "mailchimp"})  # unknown provider
    store.path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    loaded = store.load()
    assert loaded.accounts == (INFOBIP, SES, CMC)
    assert loaded.accounts[0].extra == {"future": {"x": 1}}
    assert loaded.current_account() == INFOBIP
    assert [a.name for a in loaded.all_accounts()] == [
        DEFAULT_ACCOUNT_NAME,
        "本番",
        "AWS 東京",
        "CMC",
    ]
    assert "api_key" not in store.path.read_text(encoding="utf-8")  # no secret in the file
    assert loaded.accounts[0].label_ja == "本番（Infobip）"


def test_credentials_per_account_in_the_secret_store() -> None:
    secrets = MemorySecretStore()
    save_credentials(CMC, secrets, {"api_user": "u1", "api_key": "k1"})
    save_credentials(INFOBIP, secrets, {"api_key": "ib"})
    assert load_credentials(CMC, secrets, {}) == {"api_user": "u1", "api_key": "k1"}
    assert load_credentials(INFOBIP, secrets, {}) == {"api_key": "ib"}
    # The environment wins for the account the command runs on (scripts), the keyring fills gaps.
    env = {"CMC_API_KEY": "from-env", "CMC_SERVER_COMPOSITION": "env-server"}
    assert load_credentials(CMC, secrets, env) == {
        "api_user": "u1",
        "api_key": "from-env",
        "server_composition": "env-server",
    }
    assert load_credentials(CMC, secrets, env, use_environment=False)["api_key"] == "k1"
    forget_credentials(CMC, secrets)
    assert load_credentials(CMC, secrets, {}) == {}
    # SES with the standard chain keeps nothing in the keyring.
    assert Account("x", ProviderName.SES).secret_names() == {}
    assert set(SES.secret_names()) == {"access_key_id", "secret_access_key"}


def test_missing_credentials_are_named_in_japanese() -> None:
    with pytest.raises(ProviderSetupError) as error:
        build_provider(CMC, {"api_user": "u"})
    assert "api_key" in error.value.message_ja and "CMC_API_KEY" in error.value.next_step_ja
    with pytest.raises(ProviderSetupError):
        build_provider(Account("x", ProviderName.INFOBIP), {"api_key": "k"})  # no base URL
    with pytest.raises(ProviderSetupError):
        build_provider(SES, {})  # keys chosen but none saved


def test_find_account_names_the_choices() -> None:
    with pytest.raises(ProviderSetupError) as error:
        find_account((INFOBIP,), "ない")
    assert "本番" in error.value.next_step_ja
