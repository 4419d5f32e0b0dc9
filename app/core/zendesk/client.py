"""A small Zendesk Support API client over httpx: the few calls Todoku needs, done carefully.

- Auth: HTTP Basic with ``{agent_email}/token:{api_token}`` (the token never reaches a log or
  an error's detail).
- 429: wait ``Retry-After`` seconds (capped), then retry; a 429 was not processed, so this is
  safe even for a create.
- 5xx and dropped connections: retried with exponential back-off for reads. A create or an
  update may have been applied before the failure, so those raise ``ZendeskUncertainError``
  instead and the caller re-checks (see ``tickets.Escalator``) before trying again.
- 401 / 403 / 404 / 422 become typed Japanese errors (``errors.py``).
- Each request, sent to last byte read (status line and headers included), must be over within
  ``REPLY_DEADLINE_READS`` timeouts, as a provider's: the timeout bounds each network read, and
  a reply that dribbles in never trips it. One still arriving then is not sent again.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx

from app.core import reply_deadline, untrusted_json
from app.core.providers.bounded_read import ReplyTooSlowError, ResponseTooLargeError, send_bounded
from app.core.providers.retrying_http import REPLY_DEADLINE_READS
from app.core.zendesk.errors import (
    ZendeskAuthError,
    ZendeskError,
    ZendeskForbiddenError,
    ZendeskNetworkError,
    ZendeskNotFoundError,
    ZendeskRateLimitError,
    ZendeskServerError,
    ZendeskSettingsError,
    ZendeskTooSlowError,
    ZendeskValidationError,
)

_SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
OPEN_STATUSES = frozenset({"new", "open", "pending", "hold"})  # "status<solved" in search terms
MAX_SEARCH_PAGES = 10  # the Search API stops at 1,000 results (10 pages of 100)
MAX_REPLY_BYTES = 32 * 1024 * 1024  # 100 tickets with long descriptions stay far below


class ZendeskUncertainError(ZendeskServerError):
    """A write failed in a way that does not say whether Zendesk applied it (5xx, dropped)."""


def normalise_subdomain(text: str) -> str:
    """``acme``, ``acme.zendesk.com`` or ``https://acme.zendesk.com/`` → ``acme``."""
    value = text.strip().lower()
    value = re.sub(r"^https?://", "", value).split("/", 1)[0]
    value = value.removesuffix(".zendesk.com")
    if not _SUBDOMAIN_RE.match(value):
        raise ZendeskSettingsError(
            "Zendesk のサブドメインの形式が正しくありません。",
            next_step_ja="https://○○.zendesk.com の「○○」の部分を入力してください。",
            detail=f"subdomain={text!r}",
        )
    return value


@dataclass(frozen=True, slots=True)
class ZendeskAccount:
    """Where to connect and as whom. ``base_url`` replaces the real host (the imitation)."""

    subdomain: str
    email: str
    api_token: str = field(repr=False)
    base_url: str = ""

    @property
    def root(self) -> str:
        return (self.base_url or f"https://{self.subdomain}.zendesk.com").rstrip("/")

    def ticket_url(self, ticket_id: int) -> str:
        """The agent's link to a ticket (what goes into the history / details pane)."""
        return f"{self.root}/agent/tickets/{ticket_id}"

    @classmethod
    def create(cls, subdomain: str, email: str, api_token: str, base_url: str = "") -> Self:
        missing = [
            name
            for name, value in (("メールアドレス", email), ("API トークン", api_token))
            if not value.strip()
        ]
        if not base_url and not subdomain.strip():
            missing.insert(0, "サブドメイン")
        if missing:
            raise ZendeskSettingsError(f"Zendesk の{'・'.join(missing)}が設定されていません。")
        sub = normalise_subdomain(subdomain) if subdomain.strip() else "sandbox"
        return cls(sub, email.strip(), api_token.strip(), base_url.strip())


Sleep = Callable[[float], None]


class ZendeskClient:
    def __init__(
        self,
        account: ZendeskAccount,
        *,
        timeout_s: float = 30.0,
        max_attempts: int = 5,
        max_wait_s: float = 60.0,
        backoff_s: float = 0.5,
        sleep: Sleep = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.account = account
        self._max_attempts = max(1, max_attempts)
        self._max_wait_s = max_wait_s
        self._backoff_s = backoff_s
        self._sleep = sleep
        self.requests_made = 0
        self._deadline_s = REPLY_DEADLINE_READS * timeout_s
        self._http = httpx.Client(
            base_url=account.root,
            auth=httpx.BasicAuth(f"{account.email}/token", account.api_token),
            timeout=timeout_s,
            headers={"Accept": "application/json", "User-Agent": "Todoku"},
            transport=transport,
        )
        reply_deadline.install(self._http)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- calls --------------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """The authenticated agent. Zendesk answers an unauthenticated call with an anonymous
        user (no id) rather than 401, so that counts as a failed sign-in too."""
        user = self._send("GET", "/api/v2/users/me.json").get("user") or {}
        if not isinstance(user, dict) or user.get("id") is None:
            raise ZendeskAuthError(detail="users/me returned no signed-in user")
        return user

    def tickets_by_external_id(self, external_id: str) -> list[dict[str, Any]]:
        data = self._send("GET", "/api/v2/tickets.json", params={"external_id": external_id})
        return _dict_list(data.get("tickets"))

    def search_tickets(self, query: str) -> list[dict[str, Any]]:
        """Tickets matching a Zendesk search query (at most 1,000: the Search API's limit)."""
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_SEARCH_PAGES + 1):
            data = self._send(
                "GET", "/api/v2/search.json", params={"query": query, "page": page, "per_page": 100}
            )
            results = _dict_list(data.get("results"))
            found.extend(r for r in results if r.get("result_type", "ticket") == "ticket")
            if not data.get("next_page") or not results:
                break
        return found

    def create_ticket(self, ticket: dict[str, Any]) -> dict[str, Any]:
        data = self._send("POST", "/api/v2/tickets.json", json={"ticket": ticket}, safe=False)
        return _ticket(data)

    def add_comment(self, ticket_id: int, body: str, *, public: bool = False) -> dict[str, Any]:
        payload = {"ticket": {"comment": {"body": body, "public": public}}}
        data = self._send("PUT", f"/api/v2/tickets/{ticket_id}.json", json=payload, safe=False)
        return _ticket(data)

    # -- transport ----------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        safe: bool = True,
    ) -> dict[str, Any]:
        last: ZendeskError | None = None
        for attempt in range(1, self._max_attempts + 1):
            final = attempt == self._max_attempts
            self.requests_made += 1
            try:
                request = self._http.build_request(method, path, params=params, json=json)
                # Read up to a ceiling: a reply is a page of at most 100 tickets, and an endless
                # or gigabyte answer must not be held in memory before any check sees it.
                response = send_bounded(
                    self._http, request, "Zendesk", MAX_REPLY_BYTES, deadline_s=self._deadline_s
                )
            except ReplyTooSlowError as error:
                detail = f"{method} {path}: {type(error).__name__}: {error}"
                if not safe:
                    raise ZendeskUncertainError(
                        "Zendesk からの応答が時間内に返りませんでした。"
                        "チケットの作成・更新が反映されたかどうかは分かりません。",
                        detail=detail,
                    ) from None
                raise ZendeskTooSlowError(detail=detail) from None
            except ResponseTooLargeError as error:
                too_large = ZendeskUncertainError if not safe else ZendeskServerError
                raise too_large(
                    "Zendesk からの応答が大きすぎるため、読み込みを中止しました。",
                    detail=error.detail,
                ) from None
            except httpx.TransportError as error:
                detail = f"{method} {path}: {type(error).__name__}"
                if not safe:
                    raise ZendeskUncertainError(
                        "Zendesk との通信が途中で切れました。", detail=detail
                    ) from None
                last = ZendeskNetworkError(detail=detail)
                if not final:
                    self._sleep(self._backoff(attempt))
                continue
            status = response.status_code
            if status == 429:
                last = ZendeskRateLimitError(detail=f"{method} {path}: 429")
                if final:
                    break
                self._sleep(self._retry_after(response, attempt))
                continue
            if status >= 500:
                detail = f"{method} {path}: HTTP {status} {_excerpt(response)}"
                if not safe:
                    raise ZendeskUncertainError(detail=detail)
                last = ZendeskServerError(detail=detail)
                if not final:
                    self._sleep(self._backoff(attempt))
                continue
            if status >= 400:
                raise _client_error(status, method, path, response)
            try:
                data = untrusted_json.loads(response.content)
            except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
                raise ZendeskServerError(
                    "Zendesk から想定外の形式の応答が返りました。",
                    detail=f"{method} {path}: HTTP {status} {_excerpt(response)}",
                ) from None
            return data if isinstance(data, dict) else {}
        assert last is not None
        raise last

    def _backoff(self, attempt: int) -> float:
        return float(min(self._max_wait_s, self._backoff_s * 2 ** (attempt - 1)))

    def _retry_after(self, response: httpx.Response, attempt: int) -> float:
        try:
            wait = float(response.headers.get("retry-after", ""))
        except ValueError:
            wait = self._backoff(attempt)
        return float(min(self._max_wait_s, max(0.0, wait)))


def _dict_list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _ticket(data: dict[str, Any]) -> dict[str, Any]:
    ticket = data.get("ticket")
    if not isinstance(ticket, dict) or not isinstance(ticket.get("id"), int):
        raise ZendeskServerError(
            "Zendesk から想定外の形式の応答が返りました。", detail="no ticket.id in the reply"
        )
    return ticket


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    return response.text[:limit].replace("\n", " ")


def _client_error(status: int, method: str, path: str, response: httpx.Response) -> ZendeskError:
    detail = f"{method} {path}: HTTP {status} {_excerpt(response)}"
    if status == 401:
        return ZendeskAuthError(detail=detail)
    if status == 403:
        return ZendeskForbiddenError(detail=detail)
    if status == 404:
        return ZendeskNotFoundError(detail=detail)
    if status == 422:
        return ZendeskValidationError(detail=_validation_detail(response) or detail)
    return ZendeskError(f"Zendesk が要求を受け付けませんでした（HTTP {status}）。", detail=detail)


def _validation_detail(response: httpx.Response) -> str:
    """``{"error": "RecordInvalid", "details": {"field": [{"description": ...}]}}`` → lines."""
    try:
        data = untrusted_json.loads(response.content)
    except (ValueError, RecursionError):
        return ""
    if not isinstance(data, dict):
        return ""
    lines = [str(data.get("description") or data.get("error") or "")]
    details = data.get("details")
    if isinstance(details, dict):
        for name, problems in details.items():
            for problem in problems if isinstance(problems, list) else []:
                if isinstance(problem, dict):
                    lines.append(f"{name}: {problem.get('description', '')}")
    return json.dumps([line for line in lines if line], ensure_ascii=False)
