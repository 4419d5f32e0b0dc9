"""Amazon SES v2 suppression-list imitation on loopback, verifying every SigV4 signature.

Operations (docs/providers.md, "Amazon SES"): ``ListSuppressedDestinations`` (GET
``/v2/email/suppression/addresses`` with ``Reason``, ``StartDate``, ``EndDate``, ``PageSize``,
``NextToken``), ``GetSuppressedDestination`` and ``DeleteSuppressedDestination`` (GET/DELETE
``…/addresses/{EmailAddress}``). Errors are rest-json: ``x-amzn-ErrorType`` plus
``{"message": …}``. The official boto3 client runs against it in the tests, which is what shows
the signature check (shared with the client's signer) matches AWS's own implementation.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from app.core.providers.aws_sigv4 import signature, string_to_sign
from app.sandbox.esp_practice import PracticeRecord
from app.sandbox.esp_server import EspRequest, EspSandbox
from app.sandbox.sendgrid_endpoints import Reply

__all__ = ["SANDBOX_ACCESS_KEY_ID", "SANDBOX_REGION", "SANDBOX_SECRET", "EspRequest", "SesSandbox"]

SANDBOX_ACCESS_KEY_ID = "AKIAPRACTICE0NOTREAL"
SANDBOX_SECRET = "practice-secret-not-real"
SANDBOX_REGION = "ap-northeast-1"
DEFAULT_PAGE_SIZE = 100  # what we answer without PageSize (AWS does not publish a default)
MAX_PAGE_SIZE = 1000
_BASE = "/v2/email/suppression/addresses"
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<day>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<signed>[^,]+), ?"
    r"Signature=(?P<sig>[0-9a-f]+)$"
)
_REASONS = ("BOUNCE", "COMPLAINT")


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            return datetime.fromtimestamp(float(text), UTC)
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SesSandbox(EspSandbox):
    """``credentials`` maps an access key id to (secret, granted operations); operations are
    ``"list"``, ``"get"`` and ``"delete"``."""

    def __init__(
        self,
        records: Iterable[PracticeRecord] = (),
        *,
        credentials: dict[str, tuple[str, frozenset[str]]] | None = None,
        region: str = SANDBOX_REGION,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._credentials = (
            {SANDBOX_ACCESS_KEY_ID: (SANDBOX_SECRET, frozenset({"list", "get", "delete"}))}
            if credentials is None
            else credentials
        )
        self._region = region
        # A broken service that hands back the token it was given: a client must not loop.
        self.repeat_token = False
        self._raw_target: dict[int, tuple[str, str, str]] = {}  # handler thread → raw target
        self._data_lock = threading.Lock()
        self._rows: dict[str, dict[str, object]] = {}  # lower-case address → summary
        self._ordered: list[dict[str, object]] | None = None  # cache, rebuilt after changes
        self._times: list[float] = []
        self._pages: dict[tuple[tuple[str, ...], float, float, int, int], bytes] = {}
        self.add_records(records)

    def add_records(self, records: Iterable[PracticeRecord]) -> None:
        with self._data_lock:
            for record in records:
                if record.kind == "over_quota":
                    continue  # SES suppresses hard bounces and complaints only
                reason = "COMPLAINT" if record.kind == "complaint" else "BOUNCE"
                self._rows[record.email.lower()] = {
                    "EmailAddress": record.email,
                    "Reason": reason,
                    "LastUpdateTime": record.created,
                    "MessageId": f"0106018{record.created:x}-practice",
                }
            self._ordered = None
            self._pages.clear()

    def emails(self, reason: str | None = None) -> set[str]:
        with self._data_lock:
            return {
                str(r["EmailAddress"])
                for r in self._rows.values()
                if reason is None or r["Reason"] == reason
            }

    # -- wire -----------------------------------------------------------------------------------

    def _error_reply(self, status: int, code: str, message: str) -> Reply:
        names = {429: "TooManyRequestsException", 500: "InternalFailure", 503: "ServiceUnavailable"}
        kind = names.get(status, code) if code in ("TOO_MANY_REQUESTS", "INTERNAL") else code
        body = json.dumps({"message": message}).encode("utf-8")
        return Reply(status, body, "application/json", (("x-amzn-ErrorType", kind),))

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[Reply | None, str | None]:
        if path == _BASE:
            operation = "list" if method == "GET" else ""
        elif path.startswith(_BASE + "/"):
            operation = {"GET": "get", "DELETE": "delete"}.get(method, "")
        else:
            operation = ""
        if not operation:
            return self._error_reply(404, "UnknownOperationException", "Unknown operation"), None
        key, problem = self._verify(method, path, headers, body)
        if problem:
            status = 403
            return self._error_reply(status, problem, "The request signature is not valid."), None
        early, fault, _ = self._rate_and_faults(key, _BASE)
        if early is not None or fault is not None:
            return early, fault
        if operation not in self._credentials[key][1]:
            return self._error_reply(
                403, "AccessDeniedException", f"User is not authorized to perform: ses:{operation}"
            ), None
        if operation == "list":
            return self._list(query), None
        address = unquote(path[len(_BASE) + 1 :])
        return self._one(operation, address), None

    def _verify(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, str]:
        """(access key, "") when the signature is right, else (key, AWS error type)."""
        match = _AUTH_RE.match(headers.get("authorization", ""))
        if match is None or not headers.get("x-amz-date"):
            return "", "MissingAuthenticationTokenException"
        key = match["key"]
        if key not in self._credentials:
            return key, "UnrecognizedClientException"
        amz_date = headers["x-amz-date"]
        try:
            moment = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return key, "IncompleteSignatureException"
        if abs(datetime.fromtimestamp(self._clock(), UTC) - moment) > timedelta(minutes=15):
            return key, "InvalidSignatureException"
        if match["day"] != amz_date[:8] or match["service"] != "ses":
            return key, "InvalidSignatureException"
        if match["region"] != self._region:
            return key, "InvalidSignatureException"
        signed = match["signed"].split(";")
        raw_path, _, raw_query = self._raw_target.get(threading.get_ident(), (path, "", ""))
        scope = f"{match['day']}/{match['region']}/{match['service']}/aws4_request"
        text = string_to_sign(
            method=method,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            signed_headers=signed,
            body=body,
            amz_date=amz_date,
            scope=scope,
        )
        expected = signature(self._credentials[key][0], match["day"], match["region"], "ses", text)
        if expected != match["sig"]:
            return key, "InvalidSignatureException"
        return key, ""

    def _process(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Reply | None:
        # The signature covers the raw query, which the shared base parses away: keep it.
        path, _, query = target.partition("?")
        self._raw_target[threading.get_ident()] = (path, "", query)
        try:
            return super()._process(method, target, headers, body)
        finally:
            self._raw_target.pop(threading.get_ident(), None)

    def _list(self, query: dict[str, list[str]]) -> Reply:
        reasons = [r for r in query.get("Reason", []) if r]
        if any(r not in _REASONS for r in reasons):
            return self._error_reply(400, "BadRequestException", "Invalid Reason")
        low = _parse_time((query.get("StartDate") or [""])[0] or "1970-01-01T00:00:00Z")
        high = _parse_time((query.get("EndDate") or [""])[0] or "9999-01-01T00:00:00Z")
        if low is None or high is None:
            return self._error_reply(400, "BadRequestException", "Invalid date")
        try:
            size = int((query.get("PageSize") or [str(DEFAULT_PAGE_SIZE)])[0])
        except ValueError:
            return self._error_reply(400, "BadRequestException", "Invalid PageSize")
        if not 1 <= size <= MAX_PAGE_SIZE:
            return self._error_reply(400, "BadRequestException", "PageSize out of range")
        offset = 0
        token = (query.get("NextToken") or [""])[0]
        if token:
            try:
                offset = int(base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii"))
            except ValueError:
                return self._error_reply(400, "InvalidNextTokenException", "Invalid NextToken")
        low_s, high_s = low.timestamp(), high.timestamp()
        cache_key = (tuple(sorted(reasons)), low_s, high_s, offset, size)
        with self._data_lock:
            cached = self._pages.get(cache_key)  # kept until the data changes (see Infobip)
            if cached is not None:
                return Reply(200, cached)
            if self._ordered is None:
                # Newest first, ties by address: a stable order for offset-based tokens.
                self._ordered = sorted(
                    self._rows.values(),
                    key=lambda r: (-float(r["LastUpdateTime"]), str(r["EmailAddress"])),  # type: ignore[arg-type]
                )
                self._times = [-float(r["LastUpdateTime"]) for r in self._ordered]  # type: ignore[arg-type]
                self._pages.clear()
            first = bisect_left(self._times, -high_s)
            last = bisect_right(self._times, -low_s)
            matched = [
                row for row in self._ordered[first:last] if not reasons or row["Reason"] in reasons
            ]
            chunk = matched[offset : offset + size]
            payload: dict[str, object] = {
                "SuppressedDestinationSummaries": [
                    {k: row[k] for k in ("EmailAddress", "Reason", "LastUpdateTime")}
                    for row in chunk
                ]
            }
            if offset + size < len(matched):
                following = offset if self.repeat_token and offset else offset + size
                token = base64.urlsafe_b64encode(str(following).encode()).decode()
                payload["NextToken"] = token
            body = json.dumps(payload).encode("utf-8")
            if not self.repeat_token:
                self._pages[cache_key] = body
        return Reply(200, body)

    def _one(self, operation: str, address: str) -> Reply:
        with self._data_lock:
            row = self._rows.get(address.lower())
            if row is None:
                return self._error_reply(
                    404, "NotFoundException", f"Email address {address} does not exist"
                )
            if operation == "delete":
                del self._rows[address.lower()]
                self._ordered = None
                self._pages.clear()
                return Reply(200, b"{}")
            destination = {
                "EmailAddress": row["EmailAddress"],
                "Reason": row["Reason"],
                "LastUpdateTime": row["LastUpdateTime"],
                "Attributes": {"MessageId": row["MessageId"], "FeedbackId": ""},
            }
        return Reply(200, json.dumps({"SuppressedDestination": destination}).encode("utf-8"))
