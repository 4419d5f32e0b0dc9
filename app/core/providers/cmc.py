"""Customers Mail Cloud (カスタマーズメールクラウド): bounces and blocks (配信停止状態) over httpx.

Wire format (docs/providers.md, "Customers Mail Cloud"): ``POST
{base}/transaction/v2/{bounces|blocks}/list.json`` with a form body holding ``api_user``,
``api_key`` and ``server_composition``, the JST days ``start_date``/``end_date`` (inclusive),
``p`` (page index from 0) and ``r`` (rows, at most 100). Answers are ``{"bounces": [...]}`` or
``{"blocks": [...]}``; failures carry ``{"errors": [{"code", "field", "message"}]}``.

Deletion: bounces are event history (nothing to delete). Cancelling a block is offered by the
console, but no public source shows the API call's shape, so by default ``delete`` sends nothing
and ``deletion_guidance`` returns a step-by-step guide for the console. The guessed API path
(``blocks/cancel.json`` with the block ``id``) is used only when ``block_cancel_api=True``.

Look-up: ``blocks/list`` also takes ``email`` (a partial match), so ``is_listed`` pages through
its matches and keeps the exact address: that is how reconciling checks a block cancel a killed
process left unfinished. The bounces list is not looked up: no public page shows that
``bounces/list`` filters by address (and bounces are history that no deletion sends anything
for), so an unfinished bounces entry is settled as 「結果不明」 (``can_look_up`` is False).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from app.core.cancel import CancelToken
from app.core.dates import JST
from app.core.errors import (
    CancelledError,
    InvalidInputError,
    TodokuError,
    UnexpectedPayloadError,
)
from app.core.providers.base import DeleteProgressCallback, FetchProgressCallback, PageCallback
from app.core.providers.cmc_codes import describe_status, status_for
from app.core.providers.collect import EntryCollector
from app.core.providers.esp_errors import (
    DELETE_UNCONFIRMED_STEP_JA,
    ProviderWording,
    generic_error,
    json_errors_excerpt,
)
from app.core.providers.http_provider import HttpProvider, delete_each
from app.core.providers.page_scan import (
    RepeatedPageError,
    pages_until_short,
    scan_numbered_pages,
)
from app.core.types import (
    DateRange,
    DeleteMode,
    DeleteOutcome,
    DeleteStatus,
    DeletionGuidance,
    FetchResult,
    ListKind,
    ListPermissions,
    SuppressionEntry,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.smtps.jp"
CONSOLE_NAME_JA = "カスタマーズメールクラウドの管理画面"
PAGE_ROWS = 100  # the documented maximum of ``r`` (Blocks/list)
SUPPORTED_LISTS: tuple[ListKind, ...] = (ListKind.BOUNCES, ListKind.BLOCKS)
_RESOURCE = {ListKind.BOUNCES: "bounces", ListKind.BLOCKS: "blocks"}
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
GUIDANCE_DETAIL = "API では解除できないため、管理画面での解除手順を表示しました（未実行）"

WORDING = ProviderWording(
    name_ja="カスタマーズメールクラウド",
    credentials_hint_ja=(
        "設定画面でカスタマーズメールクラウドの API ユーザー・API キー・サーバー構成名を"
        "確認してください。"
    ),
    permission_hint_ja=(
        "管理画面で API ユーザーのロール（API グループ管理者、または「データ参照」権限のある"
        " API ユーザー）を確認してください。"
    ),
)


def _classify(request: httpx.Request, response: httpx.Response, detail: str) -> TodokuError:
    messages = _error_messages(json_errors_excerpt(response))
    if response.status_code == 400 and messages:
        return InvalidInputError(
            "カスタマーズメールクラウドが要求内容を受け付けませんでした。",
            next_step_ja=f"期間やサーバー構成名を確認してください。（{'; '.join(messages)}）",
            detail=detail,
        )
    return generic_error(WORDING, response.status_code, detail)


def _error_messages(payload: Any) -> list[str]:
    if not isinstance(payload, dict) or not isinstance(payload.get("errors"), list):
        return []
    return [
        f"{item.get('code', '')} {item.get('message', '')}".strip()
        for item in payload["errors"]
        if isinstance(item, dict)
    ]


class CmcProvider(HttpProvider):
    """One CMC server composition's bounces and blocks. Not shared across threads."""

    name = "cmc"
    # Its block list is a suppression: deleting an entry lets mail go to it again (unlike
    # SendGrid's blocks); the classifier explains those rows as suppressions.
    blocks_suppress = True

    def __init__(
        self,
        api_user: str,
        api_key: str,
        server_composition: str,
        *,
        base_url: str | None = None,
        max_concurrency: int = 8,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        retry_backoff_s: float = 0.5,
        block_cancel_api: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url or DEFAULT_BASE_URL,
            # The API words its error messages in Japanese when asked.
            headers={"Accept-Language": "ja"},
            wording=WORDING,
            classify=_classify,
            max_concurrency=max_concurrency,
            timeout_s=timeout_s,
            max_retries=max_retries,
            retry_backoff_s=retry_backoff_s,
            transport=transport,
        )
        self._auth = {
            "api_user": api_user,
            "api_key": api_key,
            "server_composition": server_composition,
        }
        self.block_cancel_api = block_cancel_api
        self._block_ids: dict[str, str] = {}  # address (lower case) → block id, from fetches

    # -- capabilities ------------------------------------------------------------------------

    def supported_lists(self) -> tuple[ListKind, ...]:
        return SUPPORTED_LISTS

    def delete_mode(self, list_kind: ListKind) -> DeleteMode:
        if list_kind is ListKind.BLOCKS:
            return DeleteMode.API if self.block_cancel_api else DeleteMode.GUIDANCE
        return DeleteMode.NONE

    def permissions(self, cancel: CancelToken | None = None) -> tuple[ListPermissions, ...]:
        """CMC has no permission query: one one-row read shows whether the user may read."""
        self._list_page(ListKind.BLOCKS, {"r": "1"}, 0, cancel or CancelToken())
        return (
            ListPermissions(ListKind.BOUNCES, can_read=True, can_delete=False),
            ListPermissions(ListKind.BLOCKS, can_read=True, can_delete=self.block_cancel_api),
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
        collector = EntryCollector(on_page, progress)
        period = {
            "start_date": date_range.start.isoformat(),
            "end_date": date_range.end.isoformat(),
        }

        def get_page(kind: ListKind, number: int, token: CancelToken) -> list[Any]:
            return self._list_page(kind, period, number, token)

        def accept(kind: ListKind, number: int, items: list[Any]) -> None:
            note = f"{_RESOURCE[kind]} p={number}"
            collector.add_page(kind, (self._parse(kind, item, collector, note) for item in items))

        scan_numbered_pages(
            kinds,
            get_page,
            page_size=PAGE_ROWS,
            concurrency=self._concurrency,
            accept=accept,
            cancel=cancel,
        )
        return self._result(collector, before)

    def _list_page(
        self, kind: ListKind, extra: dict[str, str], number: int, cancel: CancelToken
    ) -> list[Any]:
        form = {**self._auth, "r": str(PAGE_ROWS), **extra, "p": str(number)}
        resource = _RESOURCE[kind]
        # A read sent as POST: キャンセル may end it while the page is arriving.
        result = self._http.call(
            "POST",
            f"/transaction/v2/{resource}/list.json",
            form=form,
            cancel=cancel,
            read_only=True,
        )
        payload = result.payload
        if isinstance(payload, dict) and payload.get("errors"):
            raise InvalidInputError(
                "カスタマーズメールクラウドがエラーを返しました。",
                next_step_ja="設定（サーバー構成名など）と期間を確認してください。",
                detail=f"{resource}: {'; '.join(_error_messages(payload))}",
            )
        items = payload.get(resource) if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise UnexpectedPayloadError(
                "カスタマーズメールクラウドから想定外の形式の応答が返りました。",
                detail=f"{resource} p={number}: {str(payload)[:300]}",
            )
        return items

    def _parse(
        self, kind: ListKind, item: Any, collector: EntryCollector, note: str
    ) -> SuppressionEntry:
        if not isinstance(item, dict):
            raise UnexpectedPayloadError(detail=f"{note}: item is not an object: {str(item)[:200]}")
        email = item.get("to" if kind is ListKind.BOUNCES else "email")
        if not isinstance(email, str) or not email:
            raise UnexpectedPayloadError(detail=f"{note}: item without address: {str(item)[:200]}")
        created = _parse_time(item.get("created"), note)
        code = str(item.get("status", "")).strip()
        if kind is ListKind.BOUNCES:
            reason = str(item.get("reason") or "")
        else:
            block_id = _block_id(item)
            if block_id is not None:
                self._block_ids[email.lower()] = block_id
            # Blocks carry no SMTP text: the code's explanation is the best reason we have.
            reason = status_for(code).explanation_ja if code else ""
        return SuppressionEntry(
            kind,
            email,
            created,
            collector.intern(describe_status(code) if code else ""),
            collector.intern(reason),
        )

    # -- delete ------------------------------------------------------------------------------

    def deletion_guidance(self, list_kind: ListKind, emails: Sequence[str]) -> DeletionGuidance:
        """How to cancel blocks by hand in the CMC console (the safe default)."""
        unique = tuple(dict.fromkeys(emails))
        server = self._auth["server_composition"] or "（対象のサーバー構成）"
        return DeletionGuidance(
            provider=self.name,
            list_kind=list_kind,
            title_ja=(
                "カスタマーズメールクラウドのブロック（管理画面の「配信停止」）を解除する手順"
                f"（{len(unique)} 件）"
            ),
            steps_ja=(
                f"{CONSOLE_NAME_JA}に、ブロックを解除できる権限のあるユーザーでログインします。",
                "「配信停止」（ブロック）タブを開きます。",
                f"左のサーバー構成一覧から「{server}」を選びます。",
                "検索欄に下のアドレスを入力して検索し、配信停止状態であることを確認します。",
                "該当するアドレスを選び、解除を実行します"
                "（スタンダードプランでは、アドレスごとに解除を申請します）。",
                "すべてのアドレスを処理したら、Todoku でもう一度取得し、"
                "一覧から消えたことを確認します。",
            ),
            emails=unique,
            notes_ja=(
                "解除すると、そのアドレスへの送信が再開されます。宛先不明（ユーザ不明など）の"
                "アドレスを解除すると再びエラーになり、送信元の評判が下がるおそれがあります。",
                "Todoku は解除の API を呼びません（公開資料で API の形が確認できないため）。",
            ),
        )

    def delete(
        self,
        list_kind: ListKind,
        emails: Sequence[str],
        *,
        progress: DeleteProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> tuple[DeleteOutcome, ...]:
        """Cancel blocks through the API only when ``block_cancel_api`` is set; otherwise nothing
        is sent and every address is reported as not done, pointing to the guidance."""
        if self.delete_mode(list_kind) is not DeleteMode.API:
            detail = (
                GUIDANCE_DETAIL
                if list_kind is ListKind.BLOCKS
                else "バウンスは配信履歴のため削除できません"
            )
            return tuple(DeleteOutcome(list_kind, e, DeleteStatus.FAILED, detail) for e in emails)
        return delete_each(list_kind, emails, self._cancel_block, progress=progress, cancel=cancel)

    def _cancel_block(self, email: str, cancel: CancelToken | None) -> DeleteOutcome:
        kind = ListKind.BLOCKS
        token = cancel or CancelToken()
        try:
            block_id = self._block_ids.get(email.lower()) or self._find_block_id(email, token)
            if block_id is None:
                return DeleteOutcome(
                    kind, email, DeleteStatus.NOT_FOUND, "すでにリストにありません"
                )
            result = self._http.call(
                "POST",
                "/transaction/v2/blocks/cancel.json",
                form={**self._auth, "id": block_id},
                # The service answers in JSON: a page that is not (a proxy's error page sent
                # with 200) is retried and then a failure, never "cancelled".
                expect_json=True,
                cancel=token,
            )
            _check_cancelled(result.payload, email)
        except CancelledError:
            raise
        except TodokuError as error:
            return DeleteOutcome(kind, email, DeleteStatus.FAILED, error.message_ja)
        self._block_ids.pop(email.lower(), None)
        return DeleteOutcome(kind, email, DeleteStatus.DELETED)

    def _find_block_id(self, email: str, cancel: CancelToken) -> str | None:
        """The block's id; None when the address is not listed. A listed block without a
        usable id cannot be cancelled: refused, never sent as the text "None"."""
        for item in self._blocks_of(email, cancel):
            block_id = _block_id(item)
            if block_id is None:
                raise UnexpectedPayloadError(
                    "カスタマーズメールクラウドのブロックに ID がないため、"
                    "解除を送信しませんでした。",
                    next_step_ja=(
                        f"{CONSOLE_NAME_JA}で「配信停止」タブを開き、"
                        "このアドレスを解除してください。"
                    ),
                    detail=f"blocks: item without id: {str(item)[:200]}",
                )
            return block_id
        return None

    # -- look-up -----------------------------------------------------------------------------

    def can_look_up(self, kind: ListKind, cancel: CancelToken | None = None) -> bool:
        """Only the block list can be asked about one address (see the module docstring)."""
        return kind is ListKind.BLOCKS

    def is_listed(self, kind: ListKind, email: str, cancel: CancelToken | None = None) -> bool:
        """Whether ``email`` is blocked now (reconciling an interrupted block cancel).

        Only CMC's own list answers count: an error, or a reply that is not a ``blocks`` list,
        raises, so nothing is recorded "gone" that the service did not say."""
        if kind is not ListKind.BLOCKS:
            raise InvalidInputError(
                f"カスタマーズメールクラウドの{kind.label_ja}は 1 件ずつ確認できません。",
                detail=f"is_listed {kind.value}",
            )
        return next(iter(self._blocks_of(email, cancel or CancelToken())), None) is not None

    def _blocks_of(self, email: str, cancel: CancelToken) -> Iterator[dict[str, Any]]:
        """The blocks of exactly ``email``, page by page until a short page. ``email`` is a
        partial match (``a@x.jp`` also finds ``ba@x.jp``), so the exact address may lie past
        the first page when many addresses contain it."""
        pages = pages_until_short(
            lambda number: self._list_page(ListKind.BLOCKS, {"email": email}, number, cancel),
            PAGE_ROWS,
            lambda number: RepeatedPageError(
                "カスタマーズメールクラウドが別のページに同じ内容を返し続けたため、"
                "確認を止めました。",
                detail=f"blocks email={email} p={number}",
            ),
        )
        for items in pages:
            for item in items:
                if isinstance(item, dict) and str(item.get("email", "")).lower() == email.lower():
                    yield item


def _block_id(item: dict[str, Any]) -> str | None:
    """A block's ``id`` as the cancel request sends it; None when it is missing or not an id
    (null, empty, an object): ``str()`` of those would send "None" or "{}" as the id."""
    value = item.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text or None


def _check_cancelled(payload: Any, email: str) -> None:
    """Raise unless ``payload`` is a JSON object without errors: CMC words a refusal as
    ``{"errors": [...]}`` and may send it with 200 (its list answers are read the same way),
    and an empty or non-object answer is not its own: neither says the block was lifted."""
    messages = "; ".join(_error_messages(payload))
    if messages:
        raise InvalidInputError(
            f"カスタマーズメールクラウドが解除を受け付けませんでした（{messages[:200]}）。",
            next_step_ja=DELETE_UNCONFIRMED_STEP_JA,
            detail=f"blocks/cancel {email}: {str(payload)[:300]}",
        )
    if not isinstance(payload, dict) or "errors" in payload:
        raise UnexpectedPayloadError(
            "カスタマーズメールクラウドから想定外の応答が返り、解除できたか確かめられませんでした。",
            next_step_ja=DELETE_UNCONFIRMED_STEP_JA,
            detail=f"blocks/cancel {email}: {str(payload)[:300]}",
        )


def _parse_time(value: Any, note: str) -> datetime:
    """CMC writes ``YYYY-MM-DD hh:mm:ss`` without an offset; the service is Japanese: JST."""
    try:
        # OverflowError: 0001-01-01 at JST is before the first UTC moment Python can hold.
        return datetime.strptime(str(value), _TIME_FORMAT).replace(tzinfo=JST).astimezone(UTC)
    except (ValueError, OverflowError):
        raise UnexpectedPayloadError(detail=f"{note}: bad created {value!r}") from None
