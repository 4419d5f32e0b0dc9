"""Which provider account a history key was fetched from, as a stamp that holds no secret.

History keys an account by the operator's name for it (``AccountKey``); the provider knows it
by where it is asked (endpoint, region, server composition, …) and with which credentials.
The same name given another API key or another 接続先 URL is another provider account, and
its history must not be answered from the previous one's rows (see docs/history.md,
"Connection identity"). History stores this stamp per account and compares it at each fetch.

The stamp is ``c1:`` and a scrypt digest (N=2^14, r=8, p=1, 32 bytes) of the canonical JSON
of the non-secret settings and every credential. Why that is safe to keep in a history file
or on the team's server:

* scrypt is one-way: nothing but guessing recovers the input, and each guess costs ~16 MiB
  and tens of milliseconds. The credentials it covers are machine-generated tokens (SendGrid
  ``SG.`` keys of ~69 characters, Infobip and CMC API keys, AWS secret keys of 40
  characters): far past any guessing, however fast.
* The salt is fixed (it names this use and version) rather than random per row, so two PCs
  of a team, or a PC's file and the shared server (「このPCの記録を共有データベースへ移す」),
  compute the same stamp for the same connection and can compare stamps without the key. A
  fixed salt still rules out tables made for any other use; what it gives up, a table made
  for Todoku's stamps, is useless against keys that cannot be enumerated.
* Whoever can read the stamp can read the history itself; the stamp tells them only whether
  two fetches used the same connection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.accounts import Account

STAMP_PREFIX = "c1:"
_SALT = b"todoku/history-connection/v1"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32, "maxmem": 64 * 1024 * 1024}
_SENDGRID_URLS = {"eu": "https://api.eu.sendgrid.com"}
_SENDGRID_GLOBAL = "https://api.sendgrid.com"


def connection_stamp(
    account: Account | None,
    credentials: Mapping[str, str],
    *,
    base_url: str | None,
    region: str = "global",
) -> str:
    """The stamp of a connection: ``account`` (None: the default SendGrid account) reached at
    ``base_url`` (the override in use, None for the account's own) with ``credentials``
    (every secret the provider is built with). ``region``: SendGrid's, when ``account`` is None
    or has none."""
    from app.core.accounts import ProviderName

    provider = ProviderName.SENDGRID if account is None else account.provider
    settings: dict[str, object] = {"provider": provider.value}
    if provider is ProviderName.SENDGRID:
        sendgrid_region = (account.region if account is not None else "") or region or "global"
        url = base_url or (account.base_url if account is not None else "")
        settings["endpoint"] = _url(url or _sendgrid_url(sendgrid_region))
    else:
        assert account is not None
        from app.core.journal_region import journal_region

        url = base_url or credentials.get("base_url") or account.base_url
        settings.update(
            endpoint=_url(url),
            region=journal_region(account),  # SES: the AWS region, environment included
            server_composition=credentials.get("server_composition") or account.server_composition,
            aws_credentials=account.aws_credentials,
            aws_profile=account.aws_profile,
            infobip_domains=sorted(account.infobip_domains),  # which rows the key is asked for
        )
    material = json.dumps(
        {"settings": settings, "credentials": dict(sorted(credentials.items()))},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.scrypt(material.encode("utf-8"), salt=_SALT, **_SCRYPT)
    return STAMP_PREFIX + digest.hex()


def _sendgrid_url(region: str) -> str:
    # The provider's own choice (providers/sendgrid.base_url_for_region), repeated so that a
    # stamp does not load httpx.
    return _SENDGRID_URLS.get(region.lower(), _SENDGRID_GLOBAL)


def _url(url: str) -> str:
    """One spelling per endpoint: a trailing slash or an upper-case host is the same server."""
    url = url.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"
