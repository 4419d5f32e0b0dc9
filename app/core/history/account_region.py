"""The region the fetch history files an account under, the same for the window and todoku-cli,
and the rows older versions filed under another spelling of it.

History rows are keyed by ``AccountKey(provider, account, subuser, region, practice)`` and 再発
matches them with the deletion journal on (subuser, region, practice), so history spells the
region as the journal does (``app.core.journal_region``): SendGrid ``global``/``eu``, the AWS
region of Amazon SES, "" for CMC and Infobip.

Older spellings of the same account (same provider, name, subuser and practice flag):

* todoku-cli filed every account under its ``--region``: ``global`` (``eu`` when typed), a
  SendGrid setting that means nothing for CMC, Infobip or SES; and ``--account NAME`` without
  ``--provider`` under provider ``sendgrid`` whatever the account's service was;
* the window filed an SES account saved without a region under "" (the journal alignment later
  gave it the region the provider is built with).

None of those is a real region of a non-SendGrid account, so they can only be this account
(names are unique among the saved accounts; the names history gives accounts that are not
saved ones, 既定 and 練習, are never taken from another service); a real AWS region is never
folded into another one. ``settle_account`` moves such rows under
the current key (``HistoryStorage.adopt_spellings``); a read-only store (a report) reads the
older key instead, through ``readable_account``. See docs/history.md, "Account identity".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from app.core.journal_region import SENDGRID_REGIONS, journal_region

if TYPE_CHECKING:
    from app.core.accounts import Account
    from app.core.storage.history.interface import AccountKey, HistoryStorage

_SENDGRID = "sendgrid"
_SES = "ses"
# History's own names (the CLI's and the window's default and practice accounts): no saved
# account, so a SendGrid row under one of them is the default SendGrid account's, never
# a CMC/Infobip/SES account's run through ``--account``.
_UNSAVED_NAMES = ("既定", "練習")


def history_region(account: Account, connected_region: str = "") -> str:
    """The region history files ``account`` under: the journal's spelling of it.

    ``connected_region``: for a SendGrid account saved without a region, the region of the
    connection in use (the window's practice sandbox of a second SendGrid key keeps the
    default's), else ``global``."""
    from app.core.accounts import ProviderName

    if account.provider is ProviderName.SENDGRID:
        return account.region or connected_region or "global"
    return journal_region(account)


def older_spellings(account: AccountKey) -> tuple[AccountKey, ...]:
    """The keys older versions may have filed ``account``'s rows under (none for SendGrid,
    whose region is real, and none for practice rows, which only the window ever wrote)."""
    if account.practice or account.provider == _SENDGRID:
        return ()
    regions: tuple[str, ...] = SENDGRID_REGIONS
    if account.provider == _SES:
        regions = (*regions, "")
    same = tuple(replace(account, region=r) for r in regions if r != account.region)
    if account.account in _UNSAVED_NAMES:
        return same
    # `todoku-cli fetch --account NAME` (no --provider) filed it as a SendGrid account.
    return same + tuple(replace(account, provider=_SENDGRID, region=r) for r in SENDGRID_REGIONS)


def settle_account(store: HistoryStorage, account: AccountKey) -> int:
    """Fold ``account``'s rows filed under older spellings into it (a writable store); how
    many older keys were folded. Idempotent: a second call finds nothing to fold."""
    older = older_spellings(account)
    return store.adopt_spellings(account, older) if older else 0


def readable_account(known: Iterable[AccountKey], account: AccountKey) -> AccountKey:
    """For a store that may not be written (a report): ``account`` when it holds rows, else an
    older spelling of it that does (not yet folded: no fetch since this version)."""
    stored = set(known)
    if account in stored:
        return account
    return next((older for older in older_spellings(account) if older in stored), account)
