"""Amazon SES v2 account-level suppression list (BOUNCE, COMPLAINT) over httpx with SigV4.

Wire format (docs/providers.md, "Amazon SES"): ``GET /v2/email/suppression/addresses`` with
``Reason`` (repeatable), ``StartDate``/``EndDate`` (ISO 8601 UTC), ``PageSize`` and
``NextToken``; answers ``{"SuppressedDestinationSummaries": [{"EmailAddress", "Reason",
"LastUpdateTime"}], "NextToken"}``. ``DELETE /v2/email/suppression/addresses/{EmailAddress}``
removes one address (404 ``NotFoundException`` when it is not listed). Errors name their type in
``x-amzn-ErrorType``. No per-operation rate is published: the client backs off on 429.
``GET /v2/email/suppression/addresses/{EmailAddress}`` (GetSuppressedDestination) answers
``{"SuppressedDestination": {"EmailAddress", "Reason", …}}`` for a listed address and 404
``NotFoundException`` otherwise: ``is_listed`` asks it, address by address, to reconcile a
deletion a killed process left unfinished.

A token chain cannot be read in parallel, so a fetch splits its range into date slices (one
chain per slice and reason) and runs the chains concurrently; slices overlap by a second and
the collector drops the duplicates.

Our lists: BOUNCE → bounces, COMPLAINT → spam reports. SES keeps no SMTP text in this list, so
``reason`` stays empty and ``status`` holds the SES reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
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
from app.core.providers.aws_sigv4 import AwsCredentials, SigV4Signer
from app.core.providers.base import DeleteProgressCallback, FetchProgressCallback, PageCallback
from app.core.providers.collect import EntryCollector
from app.core.providers.esp_errors import (
    DELETE_UNCONFIRMED_STEP_JA,
    ProviderWording,
    generic_error,
    json_errors_excerpt,
)
from app.core.providers.http_provider import HttpProvider, delete_each
from app.core.providers.page_scan import scan_token_chains
from app.core.providers.path_segment import path_segment
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

LIST_PATH = "/v2/email/suppression/addresses"
PAGE_SIZE = 1000  # the model sets no bound; 1000 is the common AWS list maximum (docs)
REASON_FOR_LIST = {ListKind.BOUNCES: "BOUNCE", ListKind.SPAM_REPORTS: "COMPLAINT"}
LIST_FOR_REASON = {value: key for key, value in REASON_FOR_LIST.items()}
SUPPORTED_LISTS: tuple[ListKind, ...] = tuple(REASON_FOR_LIST)
_AUTH_ERRORS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignatureException",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "MissingAuthenticationTokenException",
    }
)

WORDING = ProviderWording(
    name_ja="Amazon SES",
    credentials_hint_ja=(
        "設定画面の AWS アクセスキー・リージョン、または AWS の認証情報"
        "（環境変数、~/.aws/credentials）を確認してください。"
    ),
    permission_hint_ja=(
        "IAM ポリシーで ses:ListSuppressedDestinations、ses:GetSuppressedDestination、"
        "ses:DeleteSuppressedDestination が許可されているか確認してください。"
    ),
)


def endpoint_for_region(region: str) -> str:
    return f"https://email.{region}.amazonaws.com"


def error_type(response: httpx.Response) -> str:
    """``NotFoundException`` from ``x-amzn-ErrorType: NotFoundException:http://…`` or the body."""
    header = response.headers.get("x-amzn-errortype", "")
    if header:
        return str(header).split(":", 1)[0].strip()
    payload = json_errors_excerpt(response)
    if isinstance(payload, dict):
        kind = str(payload.get("__type") or payload.get("code") or "")
        return str(kind.rsplit("#", 1)[-1])
    return ""


def _classify(request: httpx.Request, response: httpx.Response, detail: str) -> TodokuError:
    kind = error_type(response)
    status = response.status_code
    if kind in _AUTH_ERRORS or status == 401:
        return AuthError(
            "Amazon SES の認証に失敗しました（アクセスキー、署名、リージョンのいずれか）。",
            next_step_ja=WORDING.credentials_hint_ja,
            detail=detail,
        )
    if kind == "AccessDeniedException" or status == 403:
        return PermissionDeniedError(
            "この AWS の認証情報には、SES の抑制リストを扱う権限がありません。",
            next_step_ja=WORDING.permission_hint_ja,
            detail=detail,
        )
    if status == 400:
        return InvalidInputError(
            "Amazon SES が要求内容を受け付けませんでした。",
            next_step_ja="期間とリージョンを確認してください。",
            detail=detail,
        )
    return generic_error(WORDING, status, detail)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_slices(date_range: DateRange, count: int) -> list[tuple[str, str]]:
    """``count`` consecutive (StartDate, EndDate) pairs covering the JST days, overlapping by 1 s
    so an address added exactly at a boundary is found whether the bounds are open or closed."""
    start = datetime.combine(date_range.start, time(0, 0), tzinfo=JST)
    end = datetime.combine(date_range.end, time(23, 59, 59), tzinfo=JST)  # inclusive, as SendGrid
    count = max(1, count)
    step = (end - start) / count
    bounds = [start + step * index for index in range(count)] + [end]
    return [
        (_iso(bounds[i]), _iso(min(end, bounds[i + 1] + timedelta(seconds=1))))
        for i in range(count)
    ]


class SesProvider(HttpProvider):
    """One AWS account's SES suppression list in one region. Not shared across threads."""

    name = "ses"

    def __init__(
        self,
        region: str,
        credentials: AwsCredentials,
        *,
        base_url: str | None = None,
        max_concurrency: int = 8,
        slices_per_reason: int | None = None,
        page_size: int = PAGE_SIZE,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        retry_backoff_s: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not region:
            raise ProviderSetupError(
                "Amazon SES のリージョンが設定されていません。",
                next_step_ja="設定画面でリージョン（例: ap-northeast-1）を指定してください。",
            )
        super().__init__(
            base_url or endpoint_for_region(region),
            headers={},
            wording=WORDING,
            classify=_classify,
            max_concurrency=max_concurrency,
            timeout_s=timeout_s,
            max_retries=max_retries,
            retry_backoff_s=retry_backoff_s,
            transport=transport,
            sign=SigV4Signer(credentials, region, "ses"),
        )
        self.region = region
        self._slices = slices_per_reason
        self._page_size = max(1, page_size)

    # -- capabilities ------------------------------------------------------------------------

    def supported_lists(self) -> tuple[ListKind, ...]:
        return SUPPORTED_LISTS

    def permissions(self, cancel: CancelToken | None = None) -> tuple[ListPermissions, ...]:
        """IAM cannot be asked cheaply: one one-row read proves reading; deleting is assumed
        allowed and a refusal shows on the first delete (as a PermissionDeniedError outcome)."""
        self._http.call("GET", LIST_PATH, params={"PageSize": "1"}, cancel=cancel)
        return tuple(ListPermissions(k, can_read=True, can_delete=True) for k in SUPPORTED_LISTS)

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
        collector = EntryCollector(on_page, progress)
        slices = self._slices or max(1, min(date_range.days, self._concurrency))
        chains = [
            (REASON_FOR_LIST[kind], start, end)
            for kind in kinds
            for start, end in date_slices(date_range, slices)
        ]

        def get_page(
            chain: tuple[str, str, str], token: str | None, cancel_token: CancelToken
        ) -> tuple[list[Any], str | None]:
            reason, start, end = chain
            params: dict[str, str] = {
                "Reason": reason,
                "StartDate": start,
                "EndDate": end,
                "PageSize": str(self._page_size),
            }
            if token:
                params["NextToken"] = token
            result = self._http.call("GET", LIST_PATH, params=params, cancel=cancel_token)
            payload = result.payload
            items = (
                payload.get("SuppressedDestinationSummaries") if isinstance(payload, dict) else None
            )
            if not isinstance(items, list):
                raise UnexpectedPayloadError(
                    "Amazon SES から想定外の形式の応答が返りました。",
                    detail=f"{reason} {start}..{end}: {str(payload)[:300]}",
                )
            next_token = payload.get("NextToken") if isinstance(payload, dict) else None
            return items, str(next_token) if next_token else None

        def accept(chain: tuple[str, str, str], items: list[Any]) -> None:
            kind = LIST_FOR_REASON[chain[0]]
            # A chain asks for one reason: its rows share one status string.
            status = collector.intern(chain[0])
            collector.add_page(kind, [_parse(kind, item, status) for item in items])

        scan_token_chains(
            chains, get_page, concurrency=self._concurrency, accept=accept, cancel=cancel
        )
        return self._result(collector, before)

    # -- delete ------------------------------------------------------------------------------

    def delete(
        self,
        list_kind: ListKind,
        emails: Sequence[str],
        *,
        progress: DeleteProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> tuple[DeleteOutcome, ...]:
        """``DeleteSuppressedDestination`` per address. SES holds one reason per address, so
        this removes the address from the account-level list whatever its reason."""

        def one(email: str, token: CancelToken | None) -> DeleteOutcome:
            return self._delete_one(list_kind, email, token)

        return delete_each(list_kind, emails, one, progress=progress, cancel=cancel)

    def _delete_one(self, kind: ListKind, email: str, cancel: CancelToken | None) -> DeleteOutcome:
        try:
            result = self._http.call(
                "DELETE",
                f"{LIST_PATH}/{path_segment(email)}",
                # Success is 200 with an empty body (or "{}"): parsing it as JSON makes a
                # proxy's page sent with 200 a retried failure instead of "deleted".
                expect_json=True,
                accept_statuses=(404,),
                own_answer=is_not_found_exception,
                cancel=cancel,
            )
            if result.status != 404 and result.payload not in (None, {}):
                # JSON that is not SES's empty result (a gateway's {"error": ...} sent with
                # 200) says nothing about whether the address was removed.
                raise UnexpectedPayloadError(
                    "Amazon SES から想定外の応答が返り、削除できたか確かめられませんでした。",
                    next_step_ja=DELETE_UNCONFIRMED_STEP_JA,
                    detail=f"DELETE {email}: HTTP {result.status} {str(result.payload)[:300]}",
                )
        except CancelledError:
            raise
        except TodokuError as error:
            return DeleteOutcome(kind, email, DeleteStatus.FAILED, error.message_ja)
        if result.status == 404:
            return DeleteOutcome(kind, email, DeleteStatus.NOT_FOUND, "すでにリストにありません")
        return DeleteOutcome(kind, email, DeleteStatus.DELETED)

    # -- look-up -----------------------------------------------------------------------------

    def can_look_up(self, kind: ListKind, cancel: CancelToken | None = None) -> bool:
        """Every SES list can be asked about one address (``GetSuppressedDestination``)."""
        return kind in SUPPORTED_LISTS

    def is_listed(self, kind: ListKind, email: str, cancel: CancelToken | None = None) -> bool:
        """Whether ``email`` is on ``kind`` now (reconciling an interrupted deletion).

        False only on SES's own answers: its 404 ``NotFoundException``, or the address listed
        under the other reason (SES keeps one reason per address, so it is then not on this
        list, and deleting it again would remove a suppression nobody asked to remove). Any
        other answer raises: a gateway's 404 or an unexpected body would otherwise be recorded
        as "gone" while the address may still be listed.
        """
        reason = REASON_FOR_LIST.get(kind)
        if reason is None:
            raise InvalidInputError(
                f"Amazon SES には{kind.label_ja}リストがありません。",
                detail=f"is_listed {kind.value}",
            )
        path = f"{LIST_PATH}/{path_segment(email)}"
        result = self._http.call(
            "GET",
            path,
            accept_statuses=(404,),
            own_answer=is_not_found_exception,
            cancel=cancel,
        )
        if result.status == 404:
            return False
        payload = result.payload
        found = payload.get("SuppressedDestination") if isinstance(payload, dict) else None
        if (
            isinstance(found, dict)
            and isinstance(found.get("EmailAddress"), str)
            and found["EmailAddress"].lower() == email.lower()
            and found.get("Reason") in LIST_FOR_REASON
        ):
            return bool(found["Reason"] == reason)
        raise UnexpectedPayloadError(
            "Amazon SES から想定外の応答が返り、リストに載っているか確かめられませんでした。",
            detail=f"GET {path}: HTTP {result.status} {str(payload)[:300]}",
        )


def is_not_found_exception(response: httpx.Response) -> bool:
    """SES's own "not on the list": a 404 naming ``NotFoundException`` (an API gateway's or
    proxy's 404 names no AWS error type, and says nothing about the list)."""
    return error_type(response) == "NotFoundException"


def _parse(kind: ListKind, item: Any, status: str) -> SuppressionEntry:
    """One summary; kept lean (a fetch parses up to a million of them on one thread)."""
    try:
        email = item["EmailAddress"]
        created = showable(datetime.fromtimestamp(item["LastUpdateTime"], UTC))
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        email = None
    if type(email) is not str:
        raise UnexpectedPayloadError(
            "Amazon SES から想定外の形式の応答が返りました。",
            detail=f"bad summary: {str(item)[:200]}",
        )
    return SuppressionEntry(kind, email, created, status, "")
