"""Japanese errors for CMC, Infobip and SES: one wording, each naming its provider.

``RetryingHttp`` hands what it gives up on to ``WordedErrors``; a final error status goes to the
provider's own ``classify``, which knows its error bodies and falls back on ``generic_error``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from app.core import untrusted_json
from app.core.errors import (
    AuthError,
    NetworkError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TodokuError,
    UnexpectedPayloadError,
)
from app.core.providers.error_detail import describe

Classify = Callable[[httpx.Request, httpx.Response, str], TodokuError]

# A deletion answered in a way that does not say whether it happened: only a new fetch can tell.
DELETE_UNCONFIRMED_STEP_JA = "もう一度取得し、一覧に残っていれば削除し直してください。"


@dataclass(frozen=True, slots=True)
class ProviderWording:
    """How errors name the provider and where the operator fixes credentials, in Japanese."""

    name_ja: str
    credentials_hint_ja: str
    permission_hint_ja: str


def generic_error(wording: ProviderWording, status: int, detail: str) -> TodokuError:
    """The Japanese error for a status no provider-specific rule explained."""
    name = wording.name_ja
    if status == 401:
        return AuthError(
            f"{name} の認証情報が正しくないか、無効になっています。",
            next_step_ja=wording.credentials_hint_ja,
            detail=detail,
        )
    if status == 403:
        return PermissionDeniedError(
            f"{name} の認証情報に、この操作の権限がありません。",
            next_step_ja=wording.permission_hint_ja,
            detail=detail,
        )
    if status == 429:
        return RateLimitError(
            f"{name} の利用回数の上限に達したため、続けられませんでした。",
            next_step_ja="数分待ってからもう一度お試しください。",
            detail=detail,
        )
    if status >= 500:
        return ServerError(
            f"{name} のサーバーでエラーが発生しました。",
            next_step_ja=(
                f"しばらく待ってからもう一度お試しください。{name} の稼働状況も確認してください。"
            ),
            detail=detail,
        )
    return UnexpectedPayloadError(
        f"{name} から想定外の応答（HTTP {status}）が返りました。", detail=detail
    )


@dataclass(frozen=True, slots=True)
class WordedErrors:
    """``RetryingHttp``'s errors for one of these providers. Every final status, 429s that never
    stop included, goes through ``classify``; they carry no scope, so it is not used."""

    wording: ProviderWording
    classify: Classify

    @property
    def service_ja(self) -> str:
        return self.wording.name_ja

    def network(self, request: httpx.Request, error: httpx.TransportError) -> TodokuError:
        name = self.wording.name_ja
        detail = describe(request, None, f"{type(error).__name__}: {error}")
        if isinstance(error, httpx.TimeoutException):
            return NetworkError(
                f"{name} からの応答が時間内に返りませんでした。",
                next_step_ja="ネットワークの状態を確認し、しばらくしてからもう一度お試しください。",
                detail=detail,
            )
        return NetworkError(
            f"{name} に接続できませんでした。",
            next_step_ja="インターネット接続やプロキシ、接続先 URL の設定を確認してください。",
            detail=detail,
        )

    def rate_limited(self, request: httpx.Request, response: httpx.Response) -> TodokuError:
        return self.classify(request, response, describe(request, response))

    def status(self, request: httpx.Request, response: httpx.Response, scope: str) -> TodokuError:
        return self.classify(request, response, describe(request, response))

    def payload(self, request: httpx.Request, response: httpx.Response, note: str) -> TodokuError:
        return UnexpectedPayloadError(
            f"{self.wording.name_ja} から想定外の形式の応答が返りました。",
            detail=describe(request, response, note),
        )


def json_errors_excerpt(response: httpx.Response) -> Any:
    """The parsed body of an error response, or None when it is not JSON (an HTML page)."""
    try:
        return untrusted_json.loads(response.content or b"null")
    except (ValueError, RecursionError):
        return None
