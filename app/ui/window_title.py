"""The main window's title: which account it is on, and whether that is practice or live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui import texts
from app.ui.accounts import account_texts

if TYPE_CHECKING:
    from app.core.accounts import Account


def window_title(account: Account, *, practice: bool, masked_key: str) -> str:
    """「届く — 練習モード」, 「届く — 本番アカウント (…abcd)」, or another account's provider and
    name before the mode. ``masked_key`` is "" until the key is read (after the first paint)."""
    title = texts.APP_TITLE if account.is_default else account_texts.APP_TITLE
    if not account.is_default:  # which account, where it is not today's SendGrid one
        title += f" — {account.label_ja}"
    if practice:
        title += f" — {texts.PRACTICE_TITLE}"
    elif account.is_default:
        # The key itself is read after the first paint (keyring); until then no mask.
        title += f" — {texts.LIVE_MODE}" + (f" ({masked_key})" if masked_key else "")
    else:
        title += f" — {texts.LIVE_MODE}"
    return title
