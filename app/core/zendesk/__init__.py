"""Zendesk Support: hand a bounced recipient to the support team as a ticket (docs/zendesk.md).

``client.ZendeskClient`` speaks the API (auth, retries, typed errors); ``tickets.Escalator``
turns entries + explanations + letters into tickets without duplicates; ``account_from``
builds the account from settings and the keyring.
"""

from __future__ import annotations

from app.core.storage.secrets import ZENDESK_TOKEN, SecretStore
from app.core.storage.settings import AppSettings
from app.core.zendesk.client import ZendeskAccount, ZendeskClient
from app.core.zendesk.tickets import EscalationItem, Escalator, TicketOutcome


def account_from(settings: AppSettings, secrets: SecretStore, base_url: str = "") -> ZendeskAccount:
    """The account from the settings (subdomain, agent email) and the keyring (API token)."""
    return ZendeskAccount.create(
        settings.zendesk_subdomain, settings.zendesk_email, secrets.get(ZENDESK_TOKEN), base_url
    )


__all__ = [
    "EscalationItem",
    "Escalator",
    "TicketOutcome",
    "ZendeskAccount",
    "ZendeskClient",
    "account_from",
]
