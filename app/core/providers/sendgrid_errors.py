"""Turn SendGrid HTTP answers into TodokuErrors with Japanese text and kept technical detail."""

from __future__ import annotations

import logging

import httpx

from app.core import untrusted_json
from app.core.errors import (
    AuthError,
    InvalidInputError,
    NetworkError,
    RateLimitError,
    ScopeError,
    ServerError,
    TodokuError,
    UnexpectedPayloadError,
)
from app.core.providers.error_detail import describe

log = logging.getLogger(__name__)

# Error messages we understand; anything else is logged at WARNING so the team can learn it.
_KNOWN_MESSAGES = (
    "authorization required",
    "access forbidden",
    "too many requests",
    "internal server error",
    "the provided authorization grant is invalid, expired, or revoked",
    "emails and delete_all cannot both be set",
)


def error_messages(response: httpx.Response) -> list[str]:
    """The ``errors[].message`` strings of a SendGrid error body, or [] when it is not one."""
    try:
        payload = untrusted_json.loads(response.content or b"null")
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep to parse
        return []
    if not isinstance(payload, dict) or not isinstance(payload.get("errors"), list):
        return []
    messages = []
    for item in payload["errors"]:
        if isinstance(item, dict) and isinstance(item.get("message"), str):
            messages.append(item["message"])
    return messages


def error_for_status(
    request: httpx.Request, response: httpx.Response, *, scope: str
) -> TodokuError:
    """Map a final (non-retried) error response to the matching TodokuError."""
    status = response.status_code
    messages = error_messages(response)
    detail = describe(request, response)
    unknown = [m for m in messages if m.lower() not in _KNOWN_MESSAGES]
    if unknown or (not messages and status >= 400):
        # Unknown payloads are recorded, never swallowed: the team learns new error texts here.
        log.warning("SendGrid error payload not recognised: %s", detail)
    if status == 401:
        return AuthError(detail=detail)
    if status == 403:
        return ScopeError(scope, detail=detail)
    if status == 429:
        return RateLimitError(detail=detail)
    if status == 451:
        return TodokuError(
            "データ所在地（リージョン）の制限により、この操作はできません。",
            next_step_ja=(
                "設定画面のリージョン（グローバル / EU）が"
                "アカウントと合っているか確認してください。"
            ),
            detail=detail,
        )
    if status == 400:
        text = "; ".join(messages) or "bad request"
        return InvalidInputError(
            "SendGrid が要求内容を受け付けませんでした。",
            next_step_ja="期間や対象のリストを確認してください。続く場合は詳細を担当者に伝えてください。",
            detail=f"{detail}\n{text}",
        )
    if status >= 500:
        return ServerError(detail=detail)
    return UnexpectedPayloadError(
        f"SendGrid から想定外の応答（HTTP {status}）が返りました。", detail=detail
    )


# The hosts of the two regions (sendgrid.py's base URLs); any other host is an endpoint typed
# in 詳細設定 (a gateway, a proxy, a practice server started by hand).
_SENDGRID_HOSTS = frozenset({"api.sendgrid.com", "api.eu.sendgrid.com"})


def network_error(request: httpx.Request, error: Exception) -> NetworkError:
    host = request.url.host
    if (
        host
        and host.lower() not in _SENDGRID_HOSTS
        and not isinstance(error, httpx.TimeoutException)
    ):
        # "Check the internet connection" sent the operator the wrong way: the internet was
        # fine, the endpoint typed in the settings was wrong or not running.
        where = f"{host}:{request.url.port}" if request.url.port else host
        return NetworkError(
            f"接続先 URL の {where} に接続できませんでした。",
            next_step_ja=(
                "設定画面の「詳細設定」にある接続先 URL が正しいか、"
                "その接続先が動いているかを確認してください。"
            ),
            detail=describe(request, None, f"{type(error).__name__}: {error}"),
        )
    if isinstance(error, httpx.TimeoutException):
        return NetworkError(
            "SendGrid からの応答が時間内に返りませんでした。",
            next_step_ja="ネットワークの状態を確認し、しばらくしてからもう一度お試しください。",
            detail=describe(request, None, f"{type(error).__name__}: {error}"),
        )
    return NetworkError(detail=describe(request, None, f"{type(error).__name__}: {error}"))


class SendGridErrors:
    """``RetryingHttp``'s wording for SendGrid: the errors' SendGrid-worded defaults, a 403 named
    by the scope the request needed."""

    service_ja = "SendGrid"

    def network(self, request: httpx.Request, error: httpx.TransportError) -> TodokuError:
        return network_error(request, error)

    def rate_limited(self, request: httpx.Request, response: httpx.Response) -> TodokuError:
        return RateLimitError(detail=describe(request, response))

    def status(self, request: httpx.Request, response: httpx.Response, scope: str) -> TodokuError:
        return error_for_status(request, response, scope=scope)

    def payload(self, request: httpx.Request, response: httpx.Response, note: str) -> TodokuError:
        return UnexpectedPayloadError(detail=describe(request, response, note))
