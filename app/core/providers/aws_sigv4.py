"""AWS Signature Version 4 on the standard library, for httpx requests (SES v2 only).

Why not botocore: it is ~33 MB installed and importing it plus building an ``sesv2`` client
costs ~300 ms (measured, docs/providers.md); Todoku makes four kinds of GET/DELETE calls. The
algorithm follows AWS's public "Signature Version 4 signing process"; tests check it against
botocore's own ``SigV4Auth`` and the SES imitation verifies every signature it receives.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

import httpx

from app.core.header_text import header_value

ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True, slots=True)
class AwsCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str = ""

    def __repr__(self) -> str:  # never show the secret
        return f"AwsCredentials(access_key_id={self.access_key_id[:4]!r}…)"


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def canonical_uri(raw_path: str) -> str:
    """Non-S3 services encode the (already percent-encoded) path once more: ``%40`` → ``%2540``."""
    return quote(raw_path or "/", safe="/~")


def canonical_query(raw_query: str) -> str:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret).encode("utf-8"), day)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def string_to_sign(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: dict[str, str],
    signed_headers: list[str],
    body: bytes,
    amz_date: str,
    scope: str,
) -> str:
    """The text whose HMAC is the signature; shared by the client and the imitation."""
    canonical_headers = "".join(
        f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed_headers
    )
    canonical_request = "\n".join(
        (
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            canonical_headers,
            ";".join(signed_headers),
            _sha256_hex(body),
        )
    )
    return "\n".join((ALGORITHM, amz_date, scope, _sha256_hex(canonical_request.encode("utf-8"))))


def signature(secret: str, day: str, region: str, service: str, text: str) -> str:
    return hmac.new(
        signing_key(secret, day, region, service), text.encode("utf-8"), hashlib.sha256
    ).hexdigest()


class SigV4Signer:
    """Adds ``X-Amz-Date``, the session token and ``Authorization`` to each request."""

    def __init__(
        self,
        credentials: AwsCredentials,
        region: str,
        service: str = "ses",
        clock: type[datetime] = datetime,
    ) -> None:
        # All of these end up in a header (the secret inside the signature, the rest as text).
        header_value(credentials.access_key_id, "AWS のアクセスキー ID")
        header_value(credentials.secret_access_key, "AWS のシークレットアクセスキー")
        if credentials.session_token:
            header_value(credentials.session_token, "AWS のセッショントークン")
        self._credentials = credentials
        self._region = header_value(region, "AWS のリージョン")
        self._service = service
        self._clock = clock

    def __call__(self, request: httpx.Request) -> None:
        now = self._clock.now(UTC)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = amz_date[:8]
        request.headers["X-Amz-Date"] = amz_date
        if self._credentials.session_token:
            request.headers["X-Amz-Security-Token"] = self._credentials.session_token
        raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
        headers = {name.lower(): value for name, value in request.headers.items()}
        headers["host"] = request.url.netloc.decode("ascii")
        signed = sorted(
            name for name in headers if name in ("host", "x-amz-date", "x-amz-security-token")
        )
        scope = f"{day}/{self._region}/{self._service}/aws4_request"
        text = string_to_sign(
            method=request.method,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            signed_headers=signed,
            body=request.content,
            amz_date=amz_date,
            scope=scope,
        )
        sig = signature(self._credentials.secret_access_key, day, self._region, self._service, text)
        request.headers["Authorization"] = (
            f"{ALGORITHM} Credential={self._credentials.access_key_id}/{scope}, "
            f"SignedHeaders={';'.join(signed)}, Signature={sig}"
        )
