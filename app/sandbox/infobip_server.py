"""Infobip Email suppressions imitation on loopback (docs/providers.md, "Infobip").

``GET /email/1/suppressions/domains`` (per-domain read/delete flags), ``GET /email/1/suppressions``
(``domainName`` and ``type`` required, ``createdDateFrom``/``To``, ``emailAddress`` (one address,
any case), ``page``/``size`` ≤ 1000, ``{"results": [...], "paging": {"page", "size"}}``),
``DELETE /email/1/suppressions`` (JSON body, 204). ``Authorization: App <key>``; errors in the
``requestError.serviceException`` shape; the published 100 requests/second per account is
enforced when ``rate_limit`` is given.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from app.sandbox.esp_practice import PRACTICE_DOMAINS, PracticeRecord
from app.sandbox.esp_server import EspRequest, EspSandbox
from app.sandbox.sendgrid_endpoints import Reply

__all__ = ["FULL_ACCESS", "PUBLISHED_RATE_LIMIT", "SANDBOX_API_KEY", "EspRequest", "InfobipSandbox"]

SANDBOX_API_KEY = "infobip-practice-key-not-real"
PUBLISHED_RATE_LIMIT = 100  # requests per second per account (Get suppressions page)
MAX_SIZE = 1000
TYPES = ("BOUNCE", "COMPLAINT", "OVER_QUOTA")
_FLAGS = {
    "BOUNCE": ("readBounces", "deleteBounces"),
    "COMPLAINT": ("readComplaints", "deleteComplaints"),
    "OVER_QUOTA": ("readOverquotas", "deleteOverquotas"),
}
# Every flag of a domain in the documented response (the official client requires the create
# flags too, though only BOUNCE and COMPLAINT can be created).
FULL_ACCESS: dict[str, bool] = {
    **{flag: True for pair in _FLAGS.values() for flag in pair},
    "createBounces": True,
    "createComplaints": True,
}
_KIND_TYPE = {
    "bounce": "BOUNCE",
    "block": "BOUNCE",
    "complaint": "COMPLAINT",
    "over_quota": "OVER_QUOTA",
}


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _text(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class InfobipSandbox(EspSandbox):
    """``keys`` maps an API key to its domains' permission flags (``{domain: {flag: bool}}``);
    the default practice key owns the practice domains with every flag set."""

    def __init__(
        self,
        records: Iterable[PracticeRecord] = (),
        *,
        keys: dict[str, dict[str, dict[str, bool]]] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._keys = (
            {SANDBOX_API_KEY: {domain: dict(FULL_ACCESS) for domain in PRACTICE_DOMAINS}}
            if keys is None
            else keys
        )
        self._data_lock = threading.Lock()
        self._rows: list[dict[str, str]] = []
        # A gateway that drops ``page`` (domains and suppressions): a client must not loop.
        self.ignore_page = False
        self.add_records(records)

    def add_records(self, records: Iterable[PracticeRecord]) -> None:
        with self._data_lock:
            for record in records:
                kind_type = _KIND_TYPE[record.kind]
                self._rows.append(
                    {
                        "domainName": record.domain,
                        "emailAddress": record.email,
                        "type": kind_type,
                        "createdDate": _iso(record.created),
                        "reason": record.reason if kind_type != "COMPLAINT" else "",
                    }
                )
            self._reindex()

    def _reindex(self) -> None:
        """Rows per (domain, type), newest first (called with the data lock held)."""
        self._rows.sort(key=lambda r: (r["createdDate"], r["emailAddress"]), reverse=True)
        self._index: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._pages: dict[tuple[str, str, str, str, str, int, int], bytes] = {}
        self._matches: dict[tuple[str, str, str, str, str], list[dict[str, str]]] = {}
        for row in self._rows:
            self._index.setdefault((row["domainName"], row["type"]), []).append(row)

    def emails(self, kind_type: str) -> set[str]:
        with self._data_lock:
            return {r["emailAddress"] for r in self._rows if r["type"] == kind_type}

    # -- wire -----------------------------------------------------------------------------------

    def _error_reply(self, status: int, code: str, message: str) -> Reply:
        body = {"requestError": {"serviceException": {"messageId": code, "text": message}}}
        return Reply(status, json.dumps(body).encode("utf-8"))

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[Reply | None, str | None]:
        routes = {
            ("GET", "/email/1/suppressions/domains"),
            ("GET", "/email/1/suppressions"),
            ("DELETE", "/email/1/suppressions"),
        }
        if (method, path) not in routes:
            return self._error_reply(404, "NOT_FOUND", "Not found"), None
        scheme, _, key = headers.get("authorization", "").partition(" ")
        if scheme != "App" or key.strip() not in self._keys:
            return self._error_reply(401, "UNAUTHORIZED", "Invalid login details"), None
        key = key.strip()
        early, fault, rate_headers = self._rate_and_faults(key, path)
        if early is not None or fault is not None:
            return early, fault
        access = self._keys[key]
        if path.endswith("/domains"):
            reply = self._domains(access, query)
        elif method == "GET":
            reply = self._list(access, query)
        else:
            reply = self._delete(access, body)
        return Reply(
            reply.status, reply.body, reply.content_type, reply.headers + rate_headers
        ), None

    def _domains(self, access: dict[str, dict[str, bool]], query: dict[str, list[str]]) -> Reply:
        page, size, error = _paging(query, default_size=100, max_size=None)
        if error:
            return self._error_reply(400, "BAD_REQUEST", error)
        if self.ignore_page:
            page = 0
        names = sorted(access)
        results = [
            {"domainName": name, "dataAccess": "OWNER", **access[name]}
            for name in names[page * size : (page + 1) * size]
        ]
        return _json({"results": results, "paging": {"page": page, "size": size}})

    def _list(self, access: dict[str, dict[str, bool]], query: dict[str, list[str]]) -> Reply:
        domain = (query.get("domainName") or [""])[0]
        kind_type = (query.get("type") or [""])[0]
        if not domain or kind_type not in TYPES:
            return self._error_reply(400, "BAD_REQUEST", "domainName and type are required")
        if not access.get(domain, {}).get(_FLAGS[kind_type][0]):
            return self._error_reply(403, "FORBIDDEN", "No access to the requested domain")
        page, size, error = _paging(query, default_size=100, max_size=MAX_SIZE)
        if error:
            return self._error_reply(400, "BAD_REQUEST", error)
        if self.ignore_page:
            page = 0
        low = _parse_time((query.get("createdDateFrom") or [""])[0] or "1970-01-01T00:00:00Z")
        high = _parse_time((query.get("createdDateTo") or [""])[0] or "9999-01-01T00:00:00Z")
        if low is None or high is None:
            return self._error_reply(400, "BAD_REQUEST", "createdDate must be a date-time")
        # Stored times share one format, so comparing the texts compares the moments.
        low_text, high_text = _text(low), _text(high)
        address = (query.get("emailAddress") or [""])[0].lower()
        cache_key = (domain, kind_type, low_text, high_text, address, page, size)
        with self._data_lock:
            # Encoding a 1000-row page costs milliseconds of this process's single GIL; a
            # benchmark re-reads the same pages, so answers are kept until the data changes.
            cached = self._pages.get(cache_key)
            if cached is None:
                match_key = (domain, kind_type, low_text, high_text, address)
                matched = self._matches.get(match_key)
                if matched is None:
                    matched = [
                        row
                        for row in self._index.get((domain, kind_type), ())
                        if low_text <= row["createdDate"] <= high_text
                        and (not address or row["emailAddress"].lower() == address)
                    ]
                    self._matches[match_key] = matched
                chunk = matched[page * size : (page + 1) * size]
                cached = _json({"results": chunk, "paging": {"page": page, "size": size}}).body
                self._pages[cache_key] = cached
        return Reply(200, cached)

    def _delete(self, access: dict[str, dict[str, bool]], body: bytes) -> Reply:
        try:
            data: Any = json.loads(body or b"{}")
            groups = data["suppressions"]
            wanted = [
                (g["domainName"], g["type"], list(g["emailAddress"]))
                for g in groups
                if g["type"] in TYPES
            ]
        except (ValueError, KeyError, TypeError):
            return self._error_reply(400, "BAD_REQUEST", "Invalid suppressions body")
        for domain, kind_type, _ in wanted:
            if not access.get(domain, {}).get(_FLAGS[kind_type][1]):
                return self._error_reply(403, "FORBIDDEN", "No delete permission for the domain")
        with self._data_lock:
            for domain, kind_type, emails in wanted:
                lowered = {e.lower() for e in emails}
                self._rows = [
                    r
                    for r in self._rows
                    if not (
                        r["domainName"] == domain
                        and r["type"] == kind_type
                        and r["emailAddress"].lower() in lowered
                    )
                ]
            self._reindex()
        return Reply(204)


def _paging(
    query: dict[str, list[str]], *, default_size: int, max_size: int | None
) -> tuple[int, int, str]:
    try:
        page = int((query.get("page") or ["0"])[0])
        size = int((query.get("size") or [str(default_size)])[0])
    except ValueError:
        return 0, 0, "page and size must be integers"
    if page < 0 or size < 1 or (max_size is not None and size > max_size):
        return 0, 0, f"size must be between 1 and {max_size}"
    return page, size, ""


def _json(payload: object) -> Reply:
    return Reply(200, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
