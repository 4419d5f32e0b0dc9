"""The region the deletion journal files an account's operations under.

Claims (who holds, or already deleted, an address) are kept per server, subuser, region and
practice flag, so the window and todoku-cli must spell an account's region alike or neither sees
the other's deletions. Both take it from the account through ``journal_region``.

Older todoku-cli versions filed every account under their ``--region`` ("global" unless "eu"
was typed), a SendGrid setting that means nothing for CMC, Infobip or SES. Those records are
still found: lookups ask for every spelling ``journal_region_spellings`` gives (the server,
``base_host``, still tells such accounts apart).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.accounts import Account

SENDGRID_REGIONS = ("global", "eu")


def journal_region(account: Account) -> str:
    """``account``'s region as the journal records it: SendGrid's ``global``/``eu``, the AWS
    region Amazon SES is reached in, "" for CMC and Infobip (they have none)."""
    from app.core.accounts import ProviderName

    if account.provider is ProviderName.SENDGRID:
        return account.region or "global"
    if account.provider is ProviderName.SES and not account.region:
        # The region the provider is built with (app/core/provider_factory.py).
        from app.core.providers.aws_credentials import region_from_environment

        return region_from_environment()
    return account.region


def journal_region_spellings(region: str, practice: bool) -> tuple[str, ...]:
    """Every region the journal may have recorded an operation of this account under:
    ``region`` (from ``journal_region``), and for another provider's account the SendGrid
    regions older todoku-cli versions wrote. Practice records were only ever written by the
    window, with ``region`` itself."""
    if practice or region in SENDGRID_REGIONS:
        return (region,)
    return (region, *SENDGRID_REGIONS)
