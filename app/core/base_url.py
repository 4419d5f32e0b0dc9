"""Checks the optional SendGrid-compatible base URL (a company API gateway or proxy, or a sandbox
started by hand) before any API key is sent to it."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from app.core.errors import InvalidInputError

LOOPBACK_NAMES = frozenset({"localhost"})

_NEXT_STEP = (
    "設定画面の「詳細設定」で、https:// で始まる URL を入力してください"
    "（例: https://sendgrid-proxy.example.co.jp）。"
    "空欄にすると、リージョンの標準の接続先（api.sendgrid.com など）を使います。"
)


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_can_be_asked(url: str) -> bool:
    """Whether httpx and the resolver accept the URL's host: a control character, a lone
    surrogate, an "xn--" label the idna package cannot decode or a label over 63 letters
    otherwise surfaced as InvalidURL / IDNAError / UnicodeError from a fetch's worker thread."""
    import httpx  # lazy: the settings screen imports this module at start-up

    try:
        parsed = httpx.URL(url)
        parsed.host  # noqa: B018 - httpx decodes "xn--" labels here (idna.IDNAError)
        parsed.raw_host.decode("ascii").encode("idna")  # what getaddrinfo does with it
    except (httpx.InvalidURL, UnicodeError):
        return False
    return True


def normalize_base_url(text: str) -> str:
    """The URL to build requests on, without a trailing ``/`` or ``/v3`` (the client adds
    ``/v3/...``); "" when empty (the region's own host).

    Raises InvalidInputError for anything the API key must not be sent to: not http(s), no
    host, a user name or password in the URL, a query or fragment, or plain http to a host
    other than this computer (the key would cross the network unencrypted).
    """
    text = text.strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        scheme, host = parts.scheme.lower(), parts.hostname or ""
    except ValueError:  # "http://[::1": an unclosed IPv6 bracket
        scheme = host = ""
    problem = ""
    if not host or scheme not in ("http", "https"):
        problem = "接続先 URL の形式が正しくありません。"
    elif parts.username is not None or parts.password is not None:
        problem = "接続先 URL にユーザー名やパスワードを含めないでください。"
    elif parts.query or parts.fragment:
        problem = "接続先 URL に ? や # 以降を含めないでください。"
    elif scheme == "http" and not _is_loopback(host):
        problem = (
            "http:// の接続先にはこの PC（127.0.0.1 / localhost）しか使えません。"
            "API キーが暗号化されずに送られるためです。"
        )
    else:
        try:
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            problem = "接続先 URL のポート番号が正しくありません。"
        else:
            if not host_can_be_asked(text):
                problem = "接続先 URL の形式が正しくありません。"
    if problem:
        raise InvalidInputError(problem, next_step_ja=_NEXT_STEP, detail=f"base URL: {text!r}")
    path = parts.path.rstrip("/")
    if path.lower().endswith("/v3"):
        path = path[: -len("/v3")]
    return f"{scheme}://{parts.netloc}{path}"
