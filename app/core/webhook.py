"""Post a plain-text message to a Slack-compatible incoming webhook (``{"text": ...}``) via httpx.

httpx's timeout bounds each network read, not the post: an endpoint that accepts the request
and then sends its headers (or an error body) a byte at a time never trips it. The whole post,
connect to last byte read, therefore ends at ``deadline_s`` (twice the timeout unless given),
through the same socket-level deadline as the providers' requests (``reply_deadline``).

A webhook URL is a credential (whoever has it can post to the channel): it is never logged or
shown in full; messages name only its scheme and host.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx

from app import __version__
from app.core import reply_deadline
from app.core.errors import TodokuError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 10.0
_SLACK_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class WebhookError(TodokuError):
    """The notification could not be delivered (the check result itself is unaffected)."""

    default_message_ja = "通知（Webhook）を送信できませんでした。"
    default_next_step_ja = (
        "Webhook の URL が正しいか、Slack などの受け側でその Webhook が有効かを確認してください。"
    )


def masked_url(url: str) -> str:
    """``https://hooks.slack.com/…``: enough to recognise, not enough to post."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # "http://[::1": an unclosed IPv6 bracket
        return "（URL ではありません）"
    if not parts.scheme or not parts.netloc:
        return "（URL ではありません）"
    return f"{parts.scheme}://{host}/…"


def slack_text(text: str) -> str:
    """Slack reads ``<…>`` as links and mentions (``<!channel>``): escape as its docs ask."""
    return text.translate(_SLACK_ESCAPES)


def post_webhook(
    url: str,
    text: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    deadline_s: float | None = None,
    transport: httpx.BaseTransport | None = None,
) -> None:
    """POST ``{"text": text}`` once (no retry: a duplicate alert is worse than a late one).

    ``timeout_s`` bounds each network wait; ``deadline_s`` (default ``2 * timeout_s``) the
    whole exchange. Raises WebhookError with a Japanese message on a bad URL, a connection
    failure, a timeout (either one) or a non-2xx answer.
    """
    if deadline_s is None:
        deadline_s = 2 * timeout_s
    bad_url = WebhookError(
        "通知（Webhook）の URL が正しくありません。",
        next_step_ja="https:// で始まる Incoming Webhook の URL を指定してください。",
        detail=masked_url(url),
    )
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise bad_url from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise bad_url
    where = masked_url(url)
    headers = {"User-Agent": f"todoku/{__version__} (+python-httpx)"}
    deadline: reply_deadline.Deadline | None = None
    try:
        with (
            reply_deadline.within(deadline_s) as deadline,
            reply_deadline.install(
                httpx.Client(
                    timeout=httpx.Timeout(timeout_s), transport=transport, follow_redirects=False
                )
            ) as client,
        ):
            request = client.build_request(
                "POST", url.strip(), json={"text": slack_text(text)}, headers=headers
            )
            # Streamed: only an error's first bytes are ever used, and an endpoint answering
            # with hundreds of megabytes (or without end) must not be read whole.
            response = client.send(request, stream=True)
            try:
                excerpt = b"" if 200 <= response.status_code < 300 else _first_bytes(response)
            finally:
                response.close()
    except (httpx.InvalidURL, UnicodeError) as error:
        # A control character, a host IDNA refuses ("xn--", a 64-letter label), a lone
        # surrogate: httpx or the idna codec refuse the URL before anything is sent.
        raise bad_url from error
    except httpx.TimeoutException as error:
        # Which bound ended it: one network wait, or the whole exchange (a dribbling server).
        cause = type(error).__name__
        if deadline is not None and deadline.hit:
            cause = f"no complete reply after {deadline_s:g} s ({cause})"
        raise WebhookError(
            "通知（Webhook）の送信がタイムアウトしました。", detail=f"{where}: {cause}"
        ) from error
    except httpx.HTTPError as error:
        raise WebhookError(
            "通知（Webhook）の送信先に接続できませんでした。",
            detail=f"{where}: {type(error).__name__}: {error}",
        ) from error
    if not 200 <= response.status_code < 300:
        body = excerpt.decode("utf-8", errors="replace")[:200].replace("\n", " ")
        raise WebhookError(
            f"通知（Webhook）の送信先がエラーを返しました（HTTP {response.status_code}）。",
            detail=f"{where}: HTTP {response.status_code}: {body}",
        )
    log.info("webhook notification sent to %s", where)


def _first_bytes(response: httpx.Response, limit: int = 4096) -> bytes:
    """Up to ``limit`` bytes of the (decoded) body, for the error's detail."""
    kept = b""
    for chunk in response.iter_bytes():
        kept += chunk
        if len(kept) >= limit:
            break
    return kept[:limit]
