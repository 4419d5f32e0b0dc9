"""What the window needs to know about an account without talking to its provider: which lists
it has, whether its credentials are complete, how the journal names it, how practice mode
rewrites it. No Qt, no network; provider modules are imported only for a non-SendGrid account.
"""

from __future__ import annotations

import dataclasses

from app.core.accounts import SECRET_FIELDS, Account, ProviderName
from app.core.storage.secrets import SecretStore
from app.core.types import ALL_LISTS, ListKind
from app.ui.accounts import account_texts as texts


def supported_lists(provider: ProviderName) -> tuple[ListKind, ...]:
    """The lists ``provider`` has (the list chooser hides the others)."""
    if provider is ProviderName.CMC:
        from app.core.providers.cmc import SUPPORTED_LISTS as cmc

        return cmc
    if provider is ProviderName.INFOBIP:
        from app.core.providers.infobip import SUPPORTED_LISTS as infobip

        return infobip
    if provider is ProviderName.SES:
        from app.core.providers.ses import SUPPORTED_LISTS as ses

        return ses
    return ALL_LISTS


def missing_fields(account: Account, secrets: SecretStore) -> list[str]:
    """What live mode still lacks for ``account`` (secret and setting names); [] when complete.

    SES with the standard AWS chain stores nothing: the chain is asked at the first request.
    """
    missing = [name for name, key in account.secret_names().items() if not secrets.get(key)]
    if account.provider is ProviderName.CMC and not account.server_composition:
        missing.append("server_composition")
    if account.provider is ProviderName.INFOBIP and not account.base_url:
        missing.append("base_url")
    if account.provider is ProviderName.SES and not account.region:
        missing.append("region")
    return missing


def journal_label(account: Account, practice: bool) -> str:
    """``練習モード cmc:本番`` / ``本番 infobip:キャンペーン``: provider and account, as the CLI
    records ``CLI <provider>:<account>``."""
    template = texts.JOURNAL_PRACTICE if practice else texts.JOURNAL_LIVE
    return template.format(provider=account.provider.value, name=account.name)


def practice_account(account: Account, region: str) -> Account:
    """The account as its practice imitation serves it: the imitation's region (SES signs
    with it), every practice domain (Infobip), the imitation's own credentials."""
    return dataclasses.replace(
        account,
        region=region or account.region,
        infobip_domains=(),
        aws_credentials="keys" if account.provider is ProviderName.SES else account.aws_credentials,
        aws_profile="",
    )


def secret_fields(provider: ProviderName) -> tuple[str, ...]:
    return SECRET_FIELDS[provider]
