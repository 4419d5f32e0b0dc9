"""Infobip Email suppressions (BOUNCE, COMPLAINT, OVER_QUOTA) over httpx.

Wire format (docs/providers.md, "Infobip"): ``GET /email/1/suppressions`` per domain and type,
paged by ``page`` (from 0) and ``size`` (≤ 1000) with no total count, so a list ends at its first
short page; ``GET /email/1/suppressions/domains`` tells which domains the key may read and delete
in each list; ``DELETE /email/1/suppressions`` takes a JSON body and answers 204. The published
limit is 100 requests per second per account: the client paces itself just under it.

Our lists: BOUNCE → bounces, COMPLAINT → spam reports, OVER_QUOTA → blocks (a full mailbox is a
temporary refusal, like SendGrid's blocks); the Infobip type stays visible in ``status``.

Look-up: ``GET /email/1/suppressions`` also takes ``emailAddress``; ``is_listed`` asks it on each
domain a deletion of that list is sent to (reconciling a deletion a killed process left
unfinished). Deleting is asynchronous at Infobip, so an address whose deletion was accepted just
before the kill may still be listed: it is then recorded as still listed, and deleting it again
is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from app.core.cancel import CancelToken
from app.core.dates import JST, showable
from app.core.errors import (
    AuthError,
    CancelledError,
    InvalidInputError,
    PermissionDeniedError,
    ProviderSetupError,
    TodokuError,
    UnexpectedPayloadError,
)
from app.core.header_text import header_value
from app.core.providers.base import DeleteProgressCallback, FetchProgressCallback, PageCallback
from app.core.providers.collect import EntryCollector
from app.core.providers.esp_errors import ProviderWording, generic_error, json_errors_excerpt
from app.core.providers.http_provider import HttpProvider, in_input_order
from app.core.providers.pacing import RequestPacer
from app.core.providers.page_scan import RepeatedPageError, pages_until_short, scan_numbered_pages
from app.core.types import (
    DateRange,
    DeleteOutcome,
    DeleteStatus,
    FetchResult,
    ListKind,
    ListPermissions,
    SuppressionEntry,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # documented maximum of ``size``
DOMAIN_PAGE_SIZE = 100  # the documented default; no maximum is published for domains
DELETE_CHUNK = 100  # no published maximum of addresses per DELETE: stay modest
PUBLISHED_RATE_PER_SECOND = 100.0
DEFAULT_RATE_PER_SECOND = 97.0  # just under the published limit: no 429 from our own bursts

TYPE_FOR_LIST = {
    ListKind.BOUNCES: "BOUNCE",
    ListKind.SPAM_REPORTS: "COMPLAINT",
    ListKind.BLOCKS: "OVER_QUOTA",
}
_ZERO = timedelta(0)
ASYNC_DELETE_DETAIL = "削除を受け付けました（Infobip 側の反映には少し時間がかかる場合があります）"
LIST_FOR_TYPE = {value: key for key, value in TYPE_FOR_LIST.items()}
SUPPORTED_LISTS: tuple[ListKind, ...] = tuple(TYPE_FOR_LIST)
# Permission flags of /email/1/suppressions/domains per suppression type.
_READ_FLAG = {
    "BOUNCE": "readBounces",
    "COMPLAINT": "readComplaints",
    "OVER_QUOTA": "readOverquotas",
}
_DELETE_FLAG = {
    "BOUNCE": "deleteBounces",
    "COMPLAINT": "deleteComplaints",
    "OVER_QUOTA": "deleteOverquotas",
}

WORDING = ProviderWording(
    name_ja="Infobip",
    credentials_hint_ja="設定画面で Infobip のベース URL と API キーを確認してください。",
    permission_hint_ja=(
        "Infobip の管理画面で API キーの権限（メールの抑制リストの参照・削除）と、"
        "ドメインへのアクセス権を確認してください。"
    ),
)


@dataclass(frozen=True, slots=True)
class DomainAccess:
    """What the key may do with one sending domain's suppressions."""

    domain: str
    data_access: str  # OWNER or GRANTED
    can_read: frozenset[str]  # suppression types
    can_delete: frozenset[str]


def _classify(request: httpx.Request, response: httpx.Response, detail: str) -> TodokuError:
    if response.status_code == 400:
        text = _error_text(json_errors_excerpt(response))
        return InvalidInputError(
            "Infobip が要求内容を受け付けませんでした。",
            next_step_ja="期間やドメインを確認してください。" + (f"（{text}）" if text else ""),
            detail=detail,
        )
    return generic_error(WORDING, response.status_code, detail)


def _error_text(payload: Any) -> str:
    """The message of either error shape Infobip uses (``requestError`` or ``errorCode``)."""
    if not isinstance(payload, dict):
        return ""
    request_error = payload.get("requestError")
    if isinstance(request_error, dict):
        service = request_error.get("serviceException") or request_error.get("policyException")
        if isinstance(service, dict):
            return f"{service.get('messageId', '')} {service.get('text', '')}".strip()
    if "errorCode" in payload:
        return f"{payload.get('errorCode', '')} {payload.get('description', '')}".strip()
    return ""


def _iso_millis(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def created_bounds(date_range: DateRange) -> tuple[str, str]:
    """``createdDateFrom``/``createdDateTo`` for JST days, inclusive, in UTC with milliseconds."""
    start = datetime.combine(date_range.start, time(0, 0), tzinfo=JST)
    end = datetime.combine(date_range.end, time(0, 0), tzinfo=JST) + timedelta(days=1)
    return _iso_millis(start), _iso_millis(end - timedelta(milliseconds=1))


class InfobipProvider(HttpProvider):
    """One Infobip account's email suppressions. Not shared across threads."""

    name = "infobip"
    # Its block list is a suppression: deleting an entry lets mail go to it again (unlike
    # SendGrid's blocks); the classifier explains those rows as suppressions.
    blocks_suppress = True

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        domains: Sequence[str] = (),
        max_concurrency: int = 8,
        rate_per_second: float | None = DEFAULT_RATE_PER_SECOND,
        page_size: int = PAGE_SIZE,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        retry_backoff_s: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url:
            raise ProviderSetupError(
                "Infobip のベース URL が設定されていません。",
                next_step_ja=(
                    "Infobip の管理画面に表示される URL（例: https://xxxxx.api.infobip.com）を"
                    "設定してください。"
                ),
            )
        super().__init__(
            base_url if "://" in base_url else "https://" + base_url,
            headers={"Authorization": f"App {header_value(api_key, 'Infobip の API キー')}"},
            wording=WORDING,
            classify=_classify,
            max_concurrency=max_concurrency,
            timeout_s=timeout_s,
            max_retries=max_retries,
            retry_backoff_s=retry_backoff_s,
            transport=transport,
            pacer=RequestPacer(rate_per_second) if rate_per_second else None,
        )
        self._page_size = max(1, min(PAGE_SIZE, page_size))
        self._only_domains = tuple(d.strip().lower() for d in domains if d.strip())
        self._domains: tuple[DomainAccess, ...] | None = None
        self._seen: dict[tuple[ListKind, str], tuple[str, ...]] = {}  # (list, address) → domains

    # -- capabilities ------------------------------------------------------------------------

    def supported_lists(self) -> tuple[ListKind, ...]:
        return SUPPORTED_LISTS

    def domains(self, cancel: CancelToken | None = None) -> tuple[DomainAccess, ...]:
        """Domains whose suppressions the key may manage (cached for this provider)."""
        if self._domains is None:

            def get_page(page: int) -> list[Any]:
                result = self._http.call(
                    "GET",
                    "/email/1/suppressions/domains",
                    params={"page": page, "size": DOMAIN_PAGE_SIZE},
                    cancel=cancel,
                )
                return _results(result.payload, "suppressions/domains")

            pages = pages_until_short(
                get_page,
                DOMAIN_PAGE_SIZE,
                lambda page: RepeatedPageError(detail=f"suppressions/domains page {page}"),
            )
            found = [_domain_access(item) for items in pages for item in items]
            if self._only_domains:
                found = [d for d in found if d.domain.lower() in self._only_domains]
            self._domains = tuple(found)
        return self._domains

    def permissions(self, cancel: CancelToken | None = None) -> tuple[ListPermissions, ...]:
        domains = self.domains(cancel)
        return tuple(
            ListPermissions(
                kind,
                can_read=any(TYPE_FOR_LIST[kind] in d.can_read for d in domains),
                can_delete=any(TYPE_FOR_LIST[kind] in d.can_delete for d in domains),
            )
            for kind in SUPPORTED_LISTS
        )

    # -- look-up -----------------------------------------------------------------------------

    def _look_up_domains(self, kind_type: str, cancel: CancelToken | None) -> tuple[str, ...]:
        """The domains a deletion of ``kind_type`` is sent to (``delete``: those whose delete
        flag is set): where an interrupted deletion may have removed an address."""
        return tuple(d.domain for d in self.domains(cancel) if kind_type in d.can_delete)

    def can_look_up(self, kind: ListKind, cancel: CancelToken | None = None) -> bool:
        """Whether ``is_listed`` can answer for ``kind``: the key must be able to read every
        domain a deletion of it is sent to (a delete-only domain cannot be asked), and there
        must be one (with none, no deletion of it was ever sent)."""
        kind_type = TYPE_FOR_LIST.get(kind)
        if kind_type is None:
            return False
        readable = {d.domain for d in self.domains(cancel) if kind_type in d.can_read}
        targets = self._look_up_domains(kind_type, cancel)
        return bool(targets) and set(targets) <= readable

    def is_listed(self, kind: ListKind, email: str, cancel: CancelToken | None = None) -> bool:
        """Whether ``email`` is on ``kind`` on any domain a deletion of it is sent to.

        Only Infobip's own result rows count: an error or an answer without ``results``
        raises, so nothing is recorded "gone" that the service did not say. The rows are
        compared with the address exactly (a service that ignored ``emailAddress`` would send
        the whole list: it is then read to its end, slowly but still exactly)."""
        kind_type = TYPE_FOR_LIST.get(kind)
        if kind_type is None:
            raise InvalidInputError(
                f"Infobip には{kind.label_ja}リストがありません。", detail=f"is_listed {kind.value}"
            )
        return any(
            self._listed_on(domain, kind_type, email, cancel)
            for domain in self._look_up_domains(kind_type, cancel)
        )

    def _listed_on(
        self, domain: str, kind_type: str, email: str, cancel: CancelToken | None
    ) -> bool:
        wanted = email.lower()

        def get_page(page: int) -> list[Any]:
            params = {
                "domainName": domain,
                "type": kind_type,
                "emailAddress": email,
                "page": page,
                "size": self._page_size,
            }
            result = self._http.call("GET", "/email/1/suppressions", params=params, cancel=cancel)
            return _results(result.payload, f"suppressions {domain} {kind_type} {email}")

        pages = pages_until_short(
            get_page,
            self._page_size,
            lambda page: RepeatedPageError(
                "Infobip が別のページに同じ内容を返し続けたため、確認を止めました。",
                detail=f"suppressions {domain} {kind_type} {email} page {page}",
            ),
        )
        return any(
            isinstance(item, dict)
            and str(item.get("emailAddress", "")).lower() == wanted
            and str(item.get("type") or kind_type) == kind_type
            for items in pages
            for item in items
        )

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
        kinds = tuple(k for k in dict.fromkeys(lists) if k in SUPPORTED_LISTS)
        before = self._counters()
        domains = self.domains(cancel)
        if not domains:
            raise ProviderSetupError(
                "この Infobip の API キーで管理できる送信ドメインがありません。",
                next_step_ja="Infobip の管理画面でドメインの登録とアクセス権を確認してください。",
            )
        streams = [
            (d.domain, TYPE_FOR_LIST[kind])
            for kind in kinds
            for d in domains
            if TYPE_FOR_LIST[kind] in d.can_read
        ]
        if kinds and not streams:
            raise PermissionDeniedError(
                "この Infobip の API キーでは、選んだ抑制リストをどのドメインでも参照できません。",
                next_step_ja=WORDING.permission_hint_ja,
            )
        created_from, created_to = created_bounds(date_range)
        collector = EntryCollector(on_page, progress)

        def get_page(stream: tuple[str, str], number: int, token: CancelToken) -> list[Any]:
            domain, kind_type = stream
            params = {
                "domainName": domain,
                "type": kind_type,
                "createdDateFrom": created_from,
                "createdDateTo": created_to,
                "page": number,
                "size": self._page_size,
            }
            result = self._http.call("GET", "/email/1/suppressions", params=params, cancel=token)
            return _results(result.payload, f"suppressions {domain} {kind_type} page {number}")

        def accept(stream: tuple[str, str], number: int, items: list[Any]) -> None:
            domain, kind_type = stream
            kind = LIST_FOR_TYPE[kind_type]
            entries = [self._parse(kind, domain, item, collector) for item in items]
            collector.add_page(kind, entries)

        scan_numbered_pages(
            streams,
            get_page,
            page_size=self._page_size,
            concurrency=self._concurrency,
            accept=accept,
            cancel=cancel,
        )
        return self._result(collector, before)

    def _parse(
        self, kind: ListKind, domain: str, item: Any, collector: EntryCollector
    ) -> SuppressionEntry:
        if not isinstance(item, dict) or not isinstance(item.get("emailAddress"), str):
            raise UnexpectedPayloadError(
                "Infobip から想定外の形式の応答が返りました。",
                detail=f"suppression without emailAddress: {str(item)[:200]}",
            )
        email = item["emailAddress"]
        key = (kind, email.lower())
        known = self._seen.get(key)
        if known is None:
            self._seen[key] = (domain,)  # a tuple: most addresses sit on one domain
        elif domain not in known:
            self._seen[key] = (*known, domain)
        created = _parse_created(item.get("createdDate"))
        return SuppressionEntry(
            kind,
            email,
            created,
            collector.intern(str(item.get("type") or TYPE_FOR_LIST[kind])),
            collector.intern(str(item.get("reason") or "")),
        )

    # -- delete ------------------------------------------------------------------------------

    def delete(
        self,
        list_kind: ListKind,
        emails: Sequence[str],
        *,
        progress: DeleteProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> tuple[DeleteOutcome, ...]:
        """Delete after checking each domain's delete permission; nothing is sent for a domain
        the key may not delete in (those addresses fail with the reason)."""
        kind_type = TYPE_FOR_LIST.get(list_kind)
        if kind_type is None:
            return tuple(
                DeleteOutcome(list_kind, e, DeleteStatus.FAILED, "Infobip にないリストです")
                for e in emails
            )
        domains = self.domains(cancel)
        deletable = {d.domain for d in domains if kind_type in d.can_delete}
        unique = list(dict.fromkeys(emails))
        outcomes: dict[str, DeleteOutcome] = {}
        plan: dict[str, list[str]] = {}  # domain → addresses
        for email in unique:
            known = self._seen.get((list_kind, email.lower()))
            targets = set(known) if known else {d.domain for d in domains}
            allowed = targets & deletable
            if not allowed:
                outcomes[email] = DeleteOutcome(
                    list_kind,
                    email,
                    DeleteStatus.FAILED,
                    "このドメインの抑制リストを削除する権限がありません",
                )
                continue
            for domain in sorted(allowed):
                plan.setdefault(domain, []).append(email)
        done_count = len(outcomes)
        try:
            for domain, addresses in plan.items():
                for start in range(0, len(addresses), DELETE_CHUNK):
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    chunk = addresses[start : start + DELETE_CHUNK]
                    for email, outcome in self._delete_chunk(
                        list_kind, kind_type, domain, chunk, cancel
                    ).items():
                        previous = outcomes.get(email)
                        # An address on several domains: one failure makes it a failure.
                        if previous is None or outcome.status is DeleteStatus.FAILED:
                            outcomes[email] = outcome
                    done_count = len(outcomes)
                    if progress is not None:
                        progress(done_count, len(unique))
        except CancelledError:
            pass
        return in_input_order(list_kind, emails, outcomes)

    def _delete_chunk(
        self,
        kind: ListKind,
        kind_type: str,
        domain: str,
        chunk: list[str],
        cancel: CancelToken | None,
    ) -> dict[str, DeleteOutcome]:
        body = {"suppressions": [{"domainName": domain, "emailAddress": chunk, "type": kind_type}]}
        try:
            self._http.call(
                "DELETE",
                "/email/1/suppressions",
                json_body=body,
                expect_json=False,
                expect_empty=True,
                cancel=cancel,
            )
        except CancelledError:
            raise
        except TodokuError as error:
            if isinstance(error, AuthError | PermissionDeniedError) or len(chunk) == 1:
                return {
                    e: DeleteOutcome(kind, e, DeleteStatus.FAILED, error.message_ja) for e in chunk
                }
            log.info("bulk delete of %d failed (%s); trying one by one", len(chunk), error)
            result: dict[str, DeleteOutcome] = {}
            for email in chunk:
                result.update(self._delete_chunk(kind, kind_type, domain, [email], cancel))
            return result
        for email in chunk:
            self._seen.pop((kind, email.lower()), None)
        # Infobip accepts the request and deletes asynchronously: the address can still show in
        # a fetch made right after.
        return {e: DeleteOutcome(kind, e, DeleteStatus.DELETED, ASYNC_DELETE_DETAIL) for e in chunk}


def _results(payload: Any, note: str) -> list[Any]:
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise UnexpectedPayloadError(
            "Infobip から想定外の形式の応答が返りました。", detail=f"{note}: {str(payload)[:300]}"
        )
    return results


def _domain_access(item: Any) -> DomainAccess:
    if not isinstance(item, dict) or not isinstance(item.get("domainName"), str):
        raise UnexpectedPayloadError(
            "Infobip から想定外の形式の応答が返りました。", detail=f"domain: {str(item)[:200]}"
        )
    return DomainAccess(
        domain=item["domainName"],
        data_access=str(item.get("dataAccess", "")),
        can_read=frozenset(t for t, flag in _READ_FLAG.items() if item.get(flag) is True),
        can_delete=frozenset(t for t, flag in _DELETE_FLAG.items() if item.get(flag) is True),
    )


def _parse_created(value: Any) -> datetime:
    """``2024-08-14T14:02:17.366Z`` or ``…+0000`` (both documented)."""
    text = str(value or "")
    try:
        moment = datetime.fromisoformat(text)  # Python 3.11 reads "Z" and "+0000" itself
        if moment.tzinfo is None:
            return showable(moment.replace(tzinfo=UTC))
        # OverflowError: "0001-01-01T00:00:00+05:00" lies before the first UTC moment.
        return showable(moment if moment.utcoffset() == _ZERO else moment.astimezone(UTC))
    except (ValueError, OverflowError):
        raise UnexpectedPayloadError(
            "Infobip から想定外の形式の応答が返りました。", detail=f"bad createdDate {value!r}"
        ) from None
