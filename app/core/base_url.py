"""Checks a provider URL before any API key is sent to it: the optional SendGrid-compatible base
URL (a company API gateway or proxy, or a sandbox started by hand) and Infobip's per-account
URL."""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

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


def shown_url(text: str) -> str:
    """``text`` fit for an error's 詳細 line and the log: a user name or password before ``@``
    and anything after ``?`` or ``#`` (where a key is sometimes pasted) become ``***``.

    Works on the raw text, so even a URL ``urlsplit`` cannot parse is never echoed with its
    secret."""
    text = text.strip()
    cut = min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=-1)
    rest = ""
    if cut >= 0:
        text, rest = text[:cut], text[cut] + "***"
    scheme, sep, after = text.partition("://")
    if not sep:
        scheme, after = "", text
    authority, slash, path = after.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}{authority}{slash}{path}{rest}"


def refuse_unsafe_url(text: str, *, next_step_ja: str = _NEXT_STEP) -> SplitResult:
    """The parts of ``text`` (stripped, not empty) when an API key may be sent to it.

    Raises InvalidInputError for anything the key must not be sent to: not http(s), no host, a
    user name or password in the URL, a query or fragment, or plain http to a host other than
    this computer (the key would cross the network unencrypted). The error's detail shows the
    URL through ``shown_url``: a password typed into the URL is the reason for the refusal and
    must not be printed back to the terminal, the details pane or the log.
    """
    try:
        parts = urlsplit(text)
        scheme, host = parts.scheme.lower(), parts.hostname or ""
    except ValueError:  # "http://[::1": an unclosed IPv6 bracket
        parts, scheme, host = SplitResult("", "", "", "", ""), "", ""
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
        raise InvalidInputError(
            problem, next_step_ja=next_step_ja, detail=f"base URL: {shown_url(text)!r}"
        )
    return parts


def normalize_base_url(text: str) -> str:
    """The URL to build requests on, without a trailing ``/`` or ``/v3`` (the client adds
    ``/v3/...``); "" when empty (the region's own host).

    Raises InvalidInputError (``refuse_unsafe_url``) for a URL the API key must not go to.
    """
    text = text.strip()
    if not text:
        return ""
    parts = refuse_unsafe_url(text)
    path = parts.path.rstrip("/")
    if path.lower().endswith("/v3"):
        path = path[: -len("/v3")]
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"
