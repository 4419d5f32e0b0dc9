"""Accounts: which provider, which name, which non-secret settings; secrets stay in the keyring.

An ``Account`` is plain data stored with the settings (``AppSettings.accounts``). Today's
SendGrid key, region and subuser form the *default account* (``DEFAULT_ACCOUNT_NAME``), so a
settings file from before accounts existed keeps working unchanged. Credentials are read by
``credential_names`` / ``load_credentials`` from the environment first (for scripts), then from
the ``SecretStore`` under per-account names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.core.errors import ProviderSetupError
from app.core.storage.secrets import SecretStore


class ProviderName(StrEnum):
    SENDGRID = "sendgrid"
    CMC = "cmc"
    INFOBIP = "infobip"
    SES = "ses"

    @property
    def label_ja(self) -> str:
        return _LABELS_JA[self]


_LABELS_JA = {
    ProviderName.SENDGRID: "SendGrid",
    ProviderName.CMC: "カスタマーズメールクラウド",
    ProviderName.INFOBIP: "Infobip",
    ProviderName.SES: "Amazon SES",
}


def before_particle_ja(name: str) -> str:
    """``SendGrid `` / ``カスタマーズメールクラウド``: a name ready for 「の」「では」, with the
    space Japanese text puts after a Latin word only."""
    return name + " " if name[-1:].isascii() else name


def between_words_ja(name: str) -> str:
    """`` Amazon SES `` / ``カスタマーズメールクラウド``: a name ready to sit between Japanese
    words (「実際の…には」), a space on each side of a Latin name and none around katakana."""
    return (" " if name[:1].isascii() else "") + before_particle_ja(name)


def provider_in_journal_label(label: str) -> ProviderName:
    """The provider a deletion journal's account label names: ``<where> <provider>:<account>``
    (``CLI cmc:本番``, ``練習モード infobip:キャンペーン``). A label without one (``CLI``,
    ``本番 SG.…``, ``練習モード``) is the default SendGrid account's."""
    _, _, rest = label.partition(" ")
    token, colon, _ = rest.partition(":")
    if colon and token in {provider.value for provider in ProviderName}:
        return ProviderName(token)
    return ProviderName.SENDGRID


def journal_label_ja(label: str) -> str:
    """A journal account label as an operator reads it: 「練習モード Amazon SES「ses1」」 for
    ``練習モード ses:ses1`` (the provider's code meant nothing in 削除履歴); a label without a
    provider (``本番``, ``CLI``, ``練習モード``) as it is."""
    where, space, rest = label.partition(" ")
    token, colon, name = rest.partition(":")
    if space and colon and token in {provider.value for provider in ProviderName}:
        return f"{where} {ProviderName(token).label_ja}「{name}」"
    return label


DEFAULT_ACCOUNT_NAME = "SendGrid"

SENDGRID_DEFAULT_SECRET = "sendgrid_api_key"  # the name today's key has in the keyring

# Secrets each provider needs (names inside the account's keyring namespace).
SECRET_FIELDS: dict[ProviderName, tuple[str, ...]] = {
    ProviderName.SENDGRID: ("api_key",),
    ProviderName.CMC: ("api_user", "api_key"),
    ProviderName.INFOBIP: ("api_key",),
    ProviderName.SES: ("access_key_id", "secret_access_key"),
}
# The environment variables that stand in for an account's secrets and settings (CLI, scripts).
ENVIRONMENT: dict[ProviderName, dict[str, str]] = {
    ProviderName.SENDGRID: {"api_key": "SENDGRID_API_KEY"},
    ProviderName.CMC: {
        "api_user": "CMC_API_USER",
        "api_key": "CMC_API_KEY",
        "server_composition": "CMC_SERVER_COMPOSITION",
    },
    ProviderName.INFOBIP: {"api_key": "INFOBIP_API_KEY", "base_url": "INFOBIP_BASE_URL"},
    ProviderName.SES: {
        "access_key_id": "AWS_ACCESS_KEY_ID",
        "secret_access_key": "AWS_SECRET_ACCESS_KEY",
        "session_token": "AWS_SESSION_TOKEN",
    },
}
AWS_CREDENTIAL_SOURCES = ("chain", "keys")


@dataclass(frozen=True, slots=True)
class Account:
    """One connection to one provider. Nothing here is secret.

    Fields a provider does not use keep their defaults:
      * ``region``: SendGrid ``global``/``eu``; SES an AWS region such as ``ap-northeast-1``.
      * ``subuser``: SendGrid ``on-behalf-of``.
      * ``base_url``: Infobip's per-account URL (required there); elsewhere an override.
      * ``server_composition``: CMC's server configuration name (サーバー構成).
      * ``cmc_block_cancel_api``: call CMC's *unconfirmed* block-cancel API instead of showing
        the console guide. Off by default; see docs/providers.md before turning it on.
      * ``infobip_domains``: limit Infobip to these sending domains (empty: every domain the key
        may read).
      * ``aws_credentials``: ``chain`` (environment, ~/.aws, SSO... ) or ``keys`` (a key pair
        saved in the keyring for this account); ``aws_profile`` picks a profile of the chain.
    """

    name: str
    provider: ProviderName = ProviderName.SENDGRID
    region: str = ""
    subuser: str = ""
    base_url: str = ""
    server_composition: str = ""
    cmc_block_cancel_api: bool = False
    infobip_domains: tuple[str, ...] = ()
    aws_credentials: str = "chain"
    aws_profile: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def label_ja(self) -> str:
        """``"本番（Infobip）"``: what the window shows to say which account it is on; the
        default account is ``"SendGrid（既定）"`` rather than repeating the service's name."""
        if self.is_default:
            return f"{self.name}（既定）"
        return f"{self.name}（{self.provider.label_ja}）"

    @property
    def is_default(self) -> bool:
        return self.provider is ProviderName.SENDGRID and self.name == DEFAULT_ACCOUNT_NAME

    def secret_name(self, secret_field: str) -> str:
        """The keyring entry of one secret; today's SendGrid key keeps its old name."""
        if self.is_default and secret_field == "api_key":
            return SENDGRID_DEFAULT_SECRET
        return f"account/{self.provider.value}/{self.name}/{secret_field}"

    def secret_names(self) -> dict[str, str]:
        fields = SECRET_FIELDS[self.provider]
        if self.provider is ProviderName.SES and self.aws_credentials != "keys":
            fields = ()
        return {name: self.secret_name(name) for name in fields}


_STR_FIELDS = ("region", "subuser", "base_url", "server_composition", "aws_profile")


def account_to_dict(account: Account) -> dict[str, Any]:
    data: dict[str, Any] = dict(account.extra)
    data.update(
        {
            "name": account.name,
            "provider": account.provider.value,
            **{name: getattr(account, name) for name in _STR_FIELDS},
            "cmc_block_cancel_api": account.cmc_block_cancel_api,
            "infobip_domains": list(account.infobip_domains),
            "aws_credentials": account.aws_credentials,
        }
    )
    return data


def account_from_dict(data: Mapping[str, Any]) -> Account | None:
    """An account from stored JSON, or None when it cannot be one (logged by the caller)."""
    name = data.get("name")
    try:
        provider = ProviderName(str(data.get("provider", "sendgrid")))
    except ValueError:
        return None
    if not isinstance(name, str) or not name.strip():
        return None
    values: dict[str, Any] = {}
    for key in _STR_FIELDS:
        value = data.get(key, "")
        values[key] = value if isinstance(value, str) else ""
    domains = data.get("infobip_domains", [])
    source = data.get("aws_credentials", "chain")
    known = {"name", "provider", *(_STR_FIELDS), "cmc_block_cancel_api", "infobip_domains"}
    known.add("aws_credentials")
    return Account(
        name=name.strip(),
        provider=provider,
        cmc_block_cancel_api=data.get("cmc_block_cancel_api") is True,
        infobip_domains=tuple(str(d) for d in domains) if isinstance(domains, list) else (),
        aws_credentials=source if source in AWS_CREDENTIAL_SOURCES else "chain",
        extra={k: v for k, v in data.items() if k not in known},
        **values,
    )


def default_account(region: str = "global", subuser: str = "") -> Account:
    """Today's SendGrid connection as an account (its key stays where it always was)."""
    return Account(DEFAULT_ACCOUNT_NAME, ProviderName.SENDGRID, region=region, subuser=subuser)


def find_account(accounts: tuple[Account, ...], name: str) -> Account:
    for account in accounts:
        if account.name == name:
            return account
    names = "、".join(a.name for a in accounts) or "（なし）"
    raise ProviderSetupError(
        f"アカウント「{name}」が見つかりません。",
        next_step_ja=(
            f"設定画面で登録されているアカウント名を確認してください（登録済み: {names}）。"
        ),
    )


def load_credentials(
    account: Account,
    secrets: SecretStore | None,
    environ: Mapping[str, str] | None = None,
    *,
    use_environment: bool = True,
) -> dict[str, str]:
    """Secrets and environment-given settings for ``account``: environment first, then keyring.

    The environment applies only when ``use_environment`` (the CLI) and only to the account the
    command runs on, so a script's ``INFOBIP_API_KEY`` never leaks into a different account.
    Missing values are simply absent; ``build_provider`` says in Japanese what is missing.
    """
    env = os.environ if environ is None else environ
    found: dict[str, str] = {}
    if use_environment:
        for key, variable in ENVIRONMENT[account.provider].items():
            value = env.get(variable, "").strip()
            if value:
                found[key] = value
    if secrets is not None:
        for key, secret_name in account.secret_names().items():
            if key not in found:
                value = secrets.get(secret_name)
                if value:
                    found[key] = value
    return found


def credential_changes(
    account: Account, values: Mapping[str, str], previous: Account | None = None
) -> dict[str, str]:
    """The keyring writes saving ``account`` makes (keyring name: value, "" removes): each of
    its secrets given in ``values``, and the removal of every secret ``previous`` (the account
    as it was) kept that ``account`` no longer has (SES moving from a key pair to the chain)."""
    changes = {
        name: ""
        for key, name in (previous.secret_names() if previous else {}).items()
        if key not in account.secret_names()
    }
    for key, name in account.secret_names().items():
        if key in values:
            changes[name] = values[key]
    return changes


def forget_changes(account: Account) -> dict[str, str]:
    """The keyring writes removing every secret of a deleted account."""
    return dict.fromkeys(account.secret_names().values(), "")


def save_credentials(account: Account, secrets: SecretStore, values: Mapping[str, str]) -> None:
    """Store (or, with an empty value, remove) the account's secrets in the SecretStore."""
    for name, value in credential_changes(account, values).items():
        secrets.set(name, value)


def forget_credentials(account: Account, secrets: SecretStore) -> None:
    """Remove every secret of a deleted account from the keyring."""
    for name in forget_changes(account):
        secrets.delete(name)


def set_endpoint_host(account: Account, sendgrid_base_url: str) -> str:
    """The host (and port) of a base URL the operator set for ``account``, "" when it uses its
    provider's own: the default account's 詳細設定 URL, another account's override. Infobip's
    URL is always the account's own address at Infobip, so it is never "set" in this sense."""
    from urllib.parse import urlsplit

    if account.provider is ProviderName.INFOBIP:
        return ""
    url = sendgrid_base_url if account.is_default else account.base_url
    if not url.strip():
        return ""
    try:
        return urlsplit(url.strip()).netloc or url.strip()
    except ValueError:
        return url.strip()
