"""SendGrid v3 suppression lists over httpx: list pages, scopes, stats, chunked delete."""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx

from app import __version__
from app.core import reply_deadline
from app.core.cancel import CancelToken
from app.core.dates import showable, unix_bounds
from app.core.errors import (
    AuthError,
    CancelledError,
    ScopeError,
    TodokuError,
    UnexpectedPayloadError,
)
from app.core.header_text import header_value
from app.core.providers.base import (
    DeleteProgressCallback,
    FetchProgressCallback,
    PageCallback,
)
from app.core.providers.paging import OffsetPager
from app.core.providers.path_segment import path_segment
from app.core.providers.rate_budget import RateBudget
from app.core.providers.retrying_http import RetryingHttp
from app.core.providers.sendgrid_errors import SendGridErrors, error_messages
from app.core.retry_notice import RetryListener
from app.core.types import (
    ALL_LISTS,
    UNKNOWN_CREATED,
    DateRange,
    DeleteOutcome,
    DeleteStatus,
    FetchResult,
    ListKind,
    ListPermissions,
    SuppressionEntry,
)

log = logging.getLogger(__name__)

GLOBAL_BASE_URL = "https://api.sendgrid.com"
EU_BASE_URL = "https://api.eu.sendgrid.com"
PAGE_LIMIT = 500  # the API's maximum page size
DELETE_CHUNK = 100  # SendGrid documents no maximum for `emails`; stay modest

_READ_SCOPES = {
    ListKind.BOUNCES: ("suppression.bounces.read",),
    ListKind.BLOCKS: ("suppression.blocks.read",),
    ListKind.INVALID_EMAILS: ("suppression.invalid_emails.read",),
    ListKind.SPAM_REPORTS: ("suppression.spam_reports.read",),
    ListKind.UNSUBSCRIBES: ("suppression.unsubscribes.read", "asm.suppressions.global.read"),
}
_DELETE_SCOPES = {
    ListKind.BOUNCES: ("suppression.bounces.delete",),
    ListKind.BLOCKS: ("suppression.blocks.delete",),
    ListKind.INVALID_EMAILS: ("suppression.invalid_emails.delete",),
    ListKind.SPAM_REPORTS: ("suppression.spam_reports.delete",),
    ListKind.UNSUBSCRIBES: ("asm.suppressions.global.delete",),
}
_UMBRELLA_READ = "suppression.read"
_UMBRELLA_DELETE = "suppression.delete"


def base_url_for_region(region: str) -> str:
    return EU_BASE_URL if region.lower() == "eu" else GLOBAL_BASE_URL


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once per process: building it reads the CA bundle
    (~25 ms), and every fetch makes new providers (a fetch through history, two)."""
    return httpx.create_ssl_context()


class SendGridProvider:
    """SendGrid's suppression lists for one API key (and optional subuser).

    Not shared across threads: each job builds its own provider. Pages are read by
    ``paging.OffsetPager``; callbacks run on the thread that called ``fetch``.
    """

    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        region: str = "global",
        subuser: str = "",
        max_concurrency: int = 8,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        retry_backoff_s: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {
            "Authorization": f"Bearer {header_value(api_key, 'SendGrid の API キー')}",
            "Accept": "application/json",
            "User-Agent": f"todoku/{__version__} (+python-httpx)",
        }
        if subuser:
            headers["on-behalf-of"] = header_value(subuser, "サブユーザー名")
        self.base_url = (base_url or base_url_for_region(region)).rstrip("/")
        self._concurrency = max(1, min(16, max_concurrency))
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
            transport=transport,
            limits=httpx.Limits(max_connections=self._concurrency + 2),
            follow_redirects=False,
            verify=_tls_context(),
        )
        # The deadline of each request then covers its status line and headers too.
        reply_deadline.install(self._client)
        self._http = RetryingHttp(
            self._client,
            errors=SendGridErrors(),
            pacing=RateBudget(),
            max_retries=max_retries,
            backoff_base_s=retry_backoff_s,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SendGridProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never show the key
        return f"SendGridProvider(base_url={self.base_url!r})"

    @property
    def requests_made(self) -> int:
        return self._http.requests_made

    def set_retry_listener(self, listener: RetryListener | None) -> None:
        """Told before each retry's wait, on the thread that retries."""
        self._http.on_retry = listener

    # -- capabilities ------------------------------------------------------------------------

    def supported_lists(self) -> tuple[ListKind, ...]:
        return ALL_LISTS

    def scopes(self, cancel: CancelToken | None = None) -> frozenset[str]:
        result = self._http.call("GET", "/v3/scopes", scope="", bucket="scopes", cancel=cancel)
        payload = result.payload
        if not isinstance(payload, dict) or not isinstance(payload.get("scopes"), list):
            raise UnexpectedPayloadError(detail=f"/v3/scopes: {str(payload)[:300]}")
        return frozenset(str(scope) for scope in payload["scopes"])

    def permissions(self, cancel: CancelToken | None = None) -> tuple[ListPermissions, ...]:
        return permissions_from_scopes(self.scopes(cancel))

    def global_stats(self, start: date, end: date, cancel: CancelToken | None = None) -> list[Any]:
        """GET /v3/stats by day (days in the account's timezone): the raw parsed JSON array.

        Parsing and rates live in app.core.stats; this only sends the request.
        """
        params = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "aggregated_by": "day",
        }
        result = self._http.call(
            "GET", "/v3/stats", scope="stats.read", bucket="stats", params=params, cancel=cancel
        )
        return ensure_list(result.payload, "/v3/stats")

    # -- fetch -------------------------------------------------------------------------------

    def fetch(
        self,
        date_range: DateRange,
        lists: Iterable[ListKind],
        *,
        progress: FetchProgressCallback | None = None,
        on_page: PageCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> FetchResult:
        start_time, end_time = unix_bounds(date_range)
        requests_before, retries_before = self._http.requests_made, self._http.retries
        interned: dict[str, str] = {}
        pager = OffsetPager(
            lambda kind, offset, token: self._get_page(kind, start_time, end_time, offset, token),
            lambda kind, email, item, note: _parse_entry(kind, email, item, interned, note),
            page_limit=PAGE_LIMIT,
            concurrency=self._concurrency,
            progress=progress,
            on_page=on_page,
            cancel=cancel,
        )
        entries = pager.fetch(tuple(dict.fromkeys(lists)))  # keep order, drop repeats
        return FetchResult(
            entries=entries,
            requests_made=self._http.requests_made - requests_before,
            retries=self._http.retries - retries_before,
            notes=tuple(pager.notes),
        )

    def _get_page(
        self,
        kind: ListKind,
        start_time: int,
        end_time: int,
        offset: int,
        cancel: CancelToken | None,
    ) -> list[Any]:
        params = {
            "start_time": start_time,
            "end_time": end_time,
            "limit": PAGE_LIMIT,
            "offset": offset,
        }
        result = self._http.call(
            "GET",
            f"/v3/suppression/{kind.value}",
            scope=_READ_SCOPES[kind][0],
            bucket=kind.value,
            params=params,
            cancel=cancel,
        )
        return ensure_list(result.payload, f"{kind.value} offset {offset}")

    # -- delete ------------------------------------------------------------------------------

    def delete(
        self,
        list_kind: ListKind,
        emails: Sequence[str],
        *,
        progress: DeleteProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> tuple[DeleteOutcome, ...]:
        """Delete ``emails`` from one list. Never sends ``delete_all``.

        Bounces, blocks, invalid emails and spam reports go in chunks through the list's
        delete-many endpoint; a chunk that fails is retried address by address so each address
        gets its own outcome. Global unsubscribes have no delete-many: one request per address.
        """
        unique = list(dict.fromkeys(emails))
        outcomes: dict[str, DeleteOutcome] = {}
        total = len(unique)

        def report() -> None:
            if progress is not None:
                progress(len(outcomes), total)

        try:
            if list_kind is ListKind.UNSUBSCRIBES:
                for email in unique:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    outcomes[email] = self._delete_one(list_kind, email, cancel)
                    report()
            else:
                for start in range(0, total, DELETE_CHUNK):
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    chunk = unique[start : start + DELETE_CHUNK]
                    outcomes.update(self._delete_chunk(list_kind, chunk, cancel))
                    report()
        except CancelledError:
            pass  # addresses not reached are reported as not attempted below
        return tuple(
            outcomes.get(email)
            or DeleteOutcome(list_kind, email, DeleteStatus.FAILED, "キャンセルしたため未実行")
            for email in emails
        )

    def _delete_chunk(
        self, kind: ListKind, chunk: list[str], cancel: CancelToken | None
    ) -> dict[str, DeleteOutcome]:
        try:
            self._http.call(
                "DELETE",
                f"/v3/suppression/{kind.value}",
                scope=_DELETE_SCOPES[kind][0],
                bucket=f"{kind.value}:delete",
                json_body={"emails": chunk},
                expect_json=False,
                expect_empty=True,
                cancel=cancel,
            )
        except CancelledError:
            raise
        except TodokuError as error:
            log.info("bulk delete of %d failed (%s); trying one by one", len(chunk), error)
            if isinstance(error, AuthError | ScopeError):
                return {e: _failed(kind, e, error) for e in chunk}
            result = {}
            for email in chunk:
                if cancel is not None and cancel.cancelled:
                    break
                result[email] = self._delete_one(kind, email, cancel)
            return result
        return {e: DeleteOutcome(kind, e, DeleteStatus.DELETED) for e in chunk}

    def _delete_one(self, kind: ListKind, email: str, cancel: CancelToken | None) -> DeleteOutcome:
        # The address is a path segment: '+', '/', '%' and non-ASCII must be percent-encoded.
        segment = path_segment(email)
        if kind is ListKind.UNSUBSCRIBES:
            path, scope = f"/v3/asm/suppressions/global/{segment}", _DELETE_SCOPES[kind][0]
        else:
            path, scope = f"/v3/suppression/{kind.value}/{segment}", _DELETE_SCOPES[kind][0]
        try:
            result = self._http.call(
                "DELETE",
                path,
                scope=scope,
                bucket=f"{kind.value}:delete-one",
                expect_json=False,
                expect_empty=True,
                accept_statuses=(404,),
                # A gateway's or proxy's 404 page says nothing about the list.
                own_answer=is_sendgrid_error,
                cancel=cancel,
            )
        except CancelledError:
            raise
        except TodokuError as error:
            return _failed(kind, email, error)
        if result.status == 404:
            return DeleteOutcome(kind, email, DeleteStatus.NOT_FOUND, "すでにリストにありません")
        return DeleteOutcome(kind, email, DeleteStatus.DELETED)

    def lookup(
        self, kind: ListKind, email: str, cancel: CancelToken | None = None
    ) -> SuppressionEntry | None:
        """The entry of ``email`` on ``kind`` as SendGrid keeps it, or None when not listed.

        The CLI looks each address up before deleting so the journal keeps the reason and date
        that SendGrid cannot give back afterwards; reconciling an interrupted deletion records
        "gone" on None. So None comes only from SendGrid's own "not listed" (``[]``, ``{}`` for
        global unsubscribes, or its 404); any other answer raises. Global unsubscribes carry no
        date.
        """
        segment = path_segment(email)
        if kind is ListKind.UNSUBSCRIBES:
            path = f"/v3/asm/suppressions/global/{segment}"
        else:
            path = f"/v3/suppression/{kind.value}/{segment}"
        result = self._http.call(
            "GET",
            path,
            scope=_READ_SCOPES[kind][0],
            bucket=f"{kind.value}:get-one",
            accept_statuses=(404,),
            own_answer=is_sendgrid_error,
            cancel=cancel,
        )
        payload = result.payload
        if result.status == 404:
            return None
        if kind is ListKind.UNSUBSCRIBES and isinstance(payload, dict):
            if payload == {}:
                return None
            if isinstance(payload.get("recipient_email"), str):
                return SuppressionEntry(kind, email, UNKNOWN_CREATED)
        elif kind is not ListKind.UNSUBSCRIBES and isinstance(payload, list):
            for item in payload:
                if isinstance(item, dict) and str(item.get("email", "")).lower() == email.lower():
                    return _parse_entry(kind, email, item, {}, f"GET {path}")
            if not payload:
                return None
        raise UnexpectedPayloadError(
            "SendGrid から想定外の応答が返り、リストに載っているか確かめられませんでした。",
            detail=f"GET {path}: HTTP {result.status} {str(payload)[:300]}",
        )

    def is_listed(self, kind: ListKind, email: str, cancel: CancelToken | None = None) -> bool:
        """Whether ``email`` is still on ``kind`` (used to reconcile an interrupted delete)."""
        return self.lookup(kind, email, cancel) is not None


def permissions_from_scopes(scopes: frozenset[str]) -> tuple[ListPermissions, ...]:
    return tuple(
        ListPermissions(
            kind,
            can_read=_UMBRELLA_READ in scopes or any(s in scopes for s in _READ_SCOPES[kind]),
            can_delete=(kind is not ListKind.UNSUBSCRIBES and _UMBRELLA_DELETE in scopes)
            or any(s in scopes for s in _DELETE_SCOPES[kind]),
        )
        for kind in ALL_LISTS
    )


def ensure_list(payload: Any, request_note: str) -> list[Any]:
    if not isinstance(payload, list):
        raise UnexpectedPayloadError(
            detail=f"{request_note}: expected a JSON array, got {type(payload).__name__}"
        )
    return payload


def is_sendgrid_error(response: httpx.Response) -> bool:
    """Whether an error reply is SendGrid's own ``{"errors": [{"message": ...}]}``: a proxy's
    or gateway's page (HTML, or ``{"message": "Not Found"}``) is not SendGrid's answer."""
    return bool(error_messages(response))


def _failed(kind: ListKind, email: str, error: TodokuError) -> DeleteOutcome:
    return DeleteOutcome(kind, email, DeleteStatus.FAILED, error.message_ja)


def _parse_entry(
    kind: ListKind, email: str, item: dict[str, Any], interned: dict[str, str], page_note: str
) -> SuppressionEntry:
    try:
        created = showable(datetime.fromtimestamp(int(float(item.get("created", 0))), tz=UTC))
    except (TypeError, ValueError, OverflowError, OSError):
        raise UnexpectedPayloadError(
            detail=f"{page_note}: bad created {item.get('created')!r}"
        ) from None
    # Reasons and statuses repeat a lot across a fetch; one shared string object per distinct
    # text keeps a million-row grid small.
    reason = item.get("reason") or ""
    status = item.get("status") or ""
    ip = item.get("ip") or ""
    if not isinstance(reason, str):
        reason = str(reason)
    if not isinstance(status, str):
        status = str(status)
    if not isinstance(ip, str):
        ip = str(ip)
    return SuppressionEntry(
        kind,
        email,
        created,
        interned.setdefault(status, status),
        interned.setdefault(reason, reason),
        ip,
    )
