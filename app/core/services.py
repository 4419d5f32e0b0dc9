"""Use cases the UI and CLI call on worker threads: fetch-and-classify, connection test."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.cancel import CancelToken, ignore_progress
from app.core.classify import ClassifyFunction, explain_blocks_as_suppressions
from app.core.providers.base import FetchProgressCallback, Provider
from app.core.providers.in_range import fetch_in_range
from app.core.retry_notice import RetryListener
from app.core.types import (
    DateRange,
    Explanation,
    FetchResult,
    ListKind,
    ListPermissions,
    SuppressionEntry,
)

if TYPE_CHECKING:
    from app.core.accounts import Account

log = logging.getLogger(__name__)

CLASSIFY_CHUNK = 100  # entries classified between two cancellation checks
ProviderFactory = Callable[[], Provider]


@dataclass(frozen=True, slots=True)
class ConnectionConfig:
    """How to reach SendGrid (or the practice sandbox). ``api_key`` never goes to a log.

    ``account`` (with its ``credentials``) is set for an account of another provider (CMC,
    Infobip, SES): ``provider_factory`` then builds that provider. ``account_label`` is what the
    deletion journal and the export record as the account ("" = the SendGrid wording).
    """

    api_key: str
    region: str = "global"
    subuser: str = ""
    base_url: str | None = None  # set for the sandbox; None = the region's official host
    timeout_s: float = 30.0
    max_concurrency: int = 4
    max_retries: int = 5
    practice: bool = False
    account: Account | None = None
    credentials: Mapping[str, str] = field(default_factory=dict, compare=False)
    account_label: str = ""

    def __repr__(self) -> str:  # keep the key out of any accidental log line or traceback
        return (
            f"ConnectionConfig(region={self.region!r}, subuser={self.subuser!r}, "
            f"base_url={self.base_url!r}, practice={self.practice}, "
            f"account={self.account.name if self.account else None!r})"
        )


def same_lists(fetched: ConnectionConfig, current: ConnectionConfig) -> bool:
    """Whether ``current`` reaches the suppression lists ``fetched`` read: the same account,
    key or credentials, subuser, region and server. Practice and live never match; a practice
    server may have been started again on another port, so there only the imitated account
    counts (its provider, name and journal label)."""
    if fetched.practice != current.practice:
        return False
    if fetched.practice:
        return _practice_account(fetched) == _practice_account(current)
    return _live_account(fetched) == _live_account(current)


def history_connection(config: ConnectionConfig) -> str | None:
    """The stamp the fetch history keeps of the endpoint and credentials ``config`` reaches
    (app/core/history/connection_stamp.py; a digest, never the key), or None for the practice
    sandbox, whose port changes from one start to the next while its account stays the same.
    Costs tens of milliseconds (scrypt): call it on a worker thread."""
    if config.practice:
        return None
    from app.core.history.connection_stamp import connection_stamp

    return connection_stamp(
        config.account,
        dict(config.credentials) or {"api_key": config.api_key},
        base_url=config.base_url or None,
        region=config.region or "global",
    )


def _practice_account(config: ConnectionConfig) -> tuple[str, str, str, str]:
    account = config.account
    provider = "sendgrid" if account is None else account.provider.value
    return provider, "" if account is None else account.name, config.account_label, config.subuser


def _live_account(config: ConnectionConfig) -> tuple[object, ...]:
    return (
        config.api_key,
        config.region,
        config.subuser,
        config.base_url or None,
        config.account,
        dict(config.credentials),
    )


def sendgrid_factory(config: ConnectionConfig) -> ProviderFactory:
    """A factory that builds a fresh SendGrid client; call it on the thread that uses it."""

    def make() -> Provider:
        from app.core.providers.sendgrid import SendGridProvider  # httpx loads on first fetch

        return SendGridProvider(
            config.api_key,
            base_url=config.base_url,
            region=config.region,
            subuser=config.subuser,
            max_concurrency=config.max_concurrency,
            timeout_s=config.timeout_s,
            max_retries=config.max_retries,
        )

    return make


def provider_factory(config: ConnectionConfig) -> ProviderFactory:
    """A factory for the config's provider: SendGrid as ``sendgrid_factory``, any other
    account's provider through ``provider_factory.build_provider`` (imported when built)."""
    account = config.account
    if account is None or account.provider.value == "sendgrid":
        return sendgrid_factory(config)

    def make() -> Provider:
        from app.core.provider_factory import build_provider

        return build_provider(
            account,
            config.credentials,
            base_url=config.base_url,
            timeout_s=config.timeout_s,
            max_concurrency=config.max_concurrency,
        )

    return make


@dataclass(frozen=True, slots=True)
class ClassifiedPage:
    """One page of new entries and their explanations, index for index."""

    entries: Sequence[SuppressionEntry]  # a tuple, or the EntryRows of a history fetch
    explanations: tuple[Explanation, ...]


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """A completed fetch: the provider's result and how many entries were explained."""

    result: FetchResult
    classified: int


def fetch_and_classify(
    make_provider: ProviderFactory,
    date_range: DateRange,
    lists: Iterable[ListKind],
    classify: ClassifyFunction,
    *,
    progress: FetchProgressCallback | None = None,
    on_page: Callable[[ClassifiedPage], None] | None = None,
    cancel: CancelToken | None = None,
    on_retry: RetryListener | None = None,
) -> FetchOutcome:
    """Fetch ``lists`` for ``date_range`` and explain every entry page by page.

    The provider is created here (on the calling worker thread) and closed before returning.
    ``on_page`` receives each page already classified, so the GUI thread only inserts rows.
    ``on_retry`` hears each retry before its wait (providers that offer
    ``set_retry_listener``; the others retry silently).
    """
    emit_page = on_page or ignore_progress
    counted = 0

    def classify_page(page: tuple[SuppressionEntry, ...]) -> None:
        nonlocal counted
        explained: list[Explanation] = []
        # A cold memo makes a 500-entry page cost ~0.1 s of pure Python: check the token per
        # chunk, so a cancel lands sooner and a GUI job token can yield the GIL (app.ui.workers).
        for first in range(0, len(page), CLASSIFY_CHUNK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            explained.extend(classify(page[first : first + CLASSIFY_CHUNK]))
        explanations = tuple(explained)
        counted += len(explanations)
        emit_page(ClassifiedPage(page, explanations))

    provider = make_provider()
    if getattr(provider, "blocks_suppress", False):
        classify = explain_blocks_as_suppressions(classify)
    listen = getattr(provider, "set_retry_listener", None)
    if on_retry is not None and listen is not None:
        listen(on_retry)
    try:
        result = fetch_in_range(
            provider, date_range, lists, progress=progress, on_page=classify_page, cancel=cancel
        )
    finally:
        provider.close()
    log.info(
        "fetch done: %d entries, %d requests, %d retries",
        len(result.entries),
        result.requests_made,
        result.retries,
    )
    return FetchOutcome(result=result, classified=counted)


def check_permissions(
    make_provider: ProviderFactory,
    *,
    progress: Callable[..., None] | None = None,
    on_page: Callable[..., None] | None = None,
    cancel: CancelToken | None = None,
) -> tuple[ListPermissions, ...]:
    """Ask the provider which lists the key may read and delete (SendGrid: /v3/scopes)."""
    del progress, on_page  # one request: nothing to stream
    if cancel is not None:
        cancel.raise_if_cancelled()
    provider = make_provider()
    try:
        return provider.permissions()
    finally:
        provider.close()
