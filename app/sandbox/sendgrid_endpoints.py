"""Routing and endpoint behaviour of the SendGrid sandbox: request in, reply out, no sockets."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import unquote, urlencode

from app.sandbox.sendgrid_stats import (
    CLASSIFICATIONS,
    classification_counts,
    classifications_csv,
    global_stats,
    parse_day,
)
from app.sandbox.sendgrid_store import SuppressionStore
from app.sandbox.sendgrid_types import DELETABLE_LISTS, LIST_KINDS, SandboxRecord

JSON_TYPE = "application/json; charset=utf-8"
MAX_LIMIT = 500
_INTEGER = re.compile(r"\d{1,15}")
_MAX_STATS_DAYS = 3660


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()


class ApiError(Exception):
    """An error answer in SendGrid's ``{"errors": [...]}`` shape."""

    def __init__(
        self, status: int, message: str, field: str | None = None, allow: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.allow = status, message, field, allow

    def reply(self) -> Reply:
        extra = (("Allow", self.allow),) if self.allow else ()
        return Reply(self.status, error_body(self.message, self.field), headers=extra)


def error_body(message: str, field: str | None = None) -> bytes:
    return json_bytes({"errors": [{"field": field, "message": message}]})


def json_bytes(value: object) -> bytes:
    # backslashreplace: a record holding a lone surrogate (a test of broken servers) is served
    # as the JSON escape "\ud800", as a broken encoder would write it; real text is unchanged.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", errors="backslashreplace")


@dataclass(frozen=True, slots=True)
class Route:
    """A matched endpoint. ``scopes`` lists alternatives: any one of them grants access."""

    name: str
    family: str  # rate-limit bucket: the endpoint's path template
    scopes: frozenset[str] = field(default_factory=frozenset)
    kind: str = ""
    email: str = ""
    classification: str | None = None
    csv_allowed: bool = False


def _scopes(*names: str) -> frozenset[str]:
    return frozenset(names)


def resolve(method: str, raw_path: str, plus_as_space: bool = False) -> Route:
    """Match a raw path; ``ApiError`` 404 for unknown paths, 405 for a wrong method."""
    raw_segments = raw_path.rstrip("/").split("/")[1:] if raw_path != "/" else []

    def decode(segment: str) -> str:
        # Some servers read "+" in a path as a space; optional, to catch clients that do not encode.
        return unquote(segment.replace("+", " ") if plus_as_space else segment, errors="replace")

    parts = [decode(segment) for segment in raw_segments]
    route, methods = _match(parts)
    if route is None:
        raise ApiError(404, "not found")
    if method not in methods:
        raise ApiError(405, "method not allowed", allow=", ".join(sorted(methods)))
    if route.name in {"list", "item"}:
        verb = "delete" if method == "DELETE" else "read"
        route = _with_scopes(route, f"suppression.{route.kind}.{verb}", f"suppression.{verb}")
    elif route.name in {"global", "global_item"}:
        verb = {"GET": "read", "DELETE": "delete", "POST": "create"}[method]
        route = _with_scopes(route, f"asm.suppressions.global.{verb}", f"suppression.{verb}")
    return route


def _with_scopes(route: Route, *names: str) -> Route:
    return Route(route.name, route.family, _scopes(*names), route.kind, route.email)


_CLASSIFICATION_PATHS = (
    ["v3", "suppression", "bounces", "classifications"],
    ["v3", "suppressions", "bounces", "classifications"],
)


def _match(parts: list[str]) -> tuple[Route | None, set[str]]:
    if parts == ["v3", "scopes"]:
        return Route("scopes", "/v3/scopes"), {"GET"}
    if parts == ["v3", "stats"]:
        return Route("stats", "/v3/stats", _scopes("stats.read", "stats.global.read")), {"GET"}
    if len(parts) in (4, 5) and parts[:4] in _CLASSIFICATION_PATHS:
        # Both spellings are in use (docs/sendgrid-notes.md); scope undocumented: bounce read.
        read = _scopes("suppression.bounces.read", "suppression.read")
        name = parts[4] if len(parts) == 5 else None
        family = "/v3/suppression/bounces/classifications" + ("/{c}" if name else "")
        return Route("classifications", family, read, "bounces", "", name, True), {"GET"}
    if len(parts) in (3, 4) and parts[:2] == ["v3", "suppression"] and parts[2] in LIST_KINDS:
        kind = parts[2]
        deletable = kind in DELETABLE_LISTS
        if len(parts) == 3:
            methods = {"GET", "DELETE"} if deletable else {"GET"}
            return Route("list", f"/v3/suppression/{kind}", kind=kind), methods
        if deletable:  # unsubscribes have no item path under /v3/suppression
            family = f"/v3/suppression/{kind}/{{email}}"
            return Route("item", family, kind=kind, email=parts[3]), {"GET", "DELETE"}
    if parts[:4] == ["v3", "asm", "suppressions", "global"]:
        if len(parts) == 4:
            return Route("global", "/v3/asm/suppressions/global", kind="unsubscribes"), {"POST"}
        if len(parts) == 5:
            family = "/v3/asm/suppressions/global/{email}"
            route = Route("global_item", family, kind="unsubscribes", email=parts[4])
            return route, {"GET", "DELETE"}
    return None, set()


def render_item(record: SandboxRecord) -> dict[str, object]:
    """A list item as SendGrid shapes it (docs/sendgrid-notes.md; ``created`` always an int)."""
    kind = record.list_kind
    item: dict[str, object] = {"created": record.created, "email": record.email}
    if kind in ("bounces", "blocks", "invalid_emails"):
        item["reason"] = record.reason
    if kind in ("bounces", "blocks"):
        item["status"] = record.status
    if kind == "spam_reports":
        item["ip"] = record.ip
    return item


@functools.lru_cache(maxsize=400_000)
def _item_json(record: SandboxRecord) -> bytes:
    """One list item's JSON, cached: paging re-serialises the same records again and again, and
    a slow sandbox would hide the client's own speed in the fetch benchmark."""
    return json_bytes(render_item(record))


def _integer(query: Mapping[str, list[str]], name: str) -> int | None:
    values = query.get(name)
    if not values:
        return None
    text = values[0].strip()
    if not _INTEGER.fullmatch(text):
        raise ApiError(400, f"{name} must be a non-negative integer", name)
    return int(text)


def _day(query: Mapping[str, list[str]], name: str) -> date | None:
    values = query.get(name)
    if not values or not values[0]:
        return None
    try:
        return parse_day(values[0])
    except ValueError:
        raise ApiError(400, f"{name} must be a date in YYYY-MM-DD format", name) from None


def _json_body(body: bytes) -> dict[str, object]:
    if not body.strip():
        raise ApiError(400, "request body is required")
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise ApiError(400, "request body must be a JSON object")
    return value


def _email_list(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ApiError(400, f"{name} must be an array of strings", name)
    return value


@dataclass(slots=True)
class EndpointOptions:
    limit_over_500: str = "400"  # or "clamp" (SendGrid's real reaction is undocumented)
    default_limit: int = MAX_LIMIT  # legacy docs: 500 when omitted
    link_header: bool = True
    seed: int = 0
    bad_days: dict[date, float] = field(default_factory=dict)
    # A proxy or gateway that drops the offset: every page is the first one, so a pager that
    # trusts full pages would read forever.
    ignore_offset: bool = False


class Endpoints:
    """Answers matched, authorised requests from the store."""

    def __init__(self, store: SuppressionStore, options: EndpointOptions) -> None:
        self.store = store
        self.options = options

    def handle(
        self,
        route: Route,
        method: str,
        query: Mapping[str, list[str]],
        body: bytes,
        *,
        base_url: str,
        now: float,
        today: date,
        granted: frozenset[str],
        wants_csv: bool,
    ) -> Reply:
        if route.name == "scopes":
            return Reply(200, json_bytes({"scopes": sorted(granted)}))
        if route.name == "list":
            if method == "DELETE":
                return self._delete_many(route.kind, body)
            return self._list(route.kind, query, base_url)
        if route.name == "item":
            record = self.store.get(route.kind, route.email)
            if method == "GET":
                return Reply(200, json_bytes([render_item(record)] if record else []))
            if not self.store.remove(route.kind, [route.email]):
                raise ApiError(404, "email not found")
            return Reply(204)
        if route.name == "global_item":
            record = self.store.get("unsubscribes", route.email)
            if method == "GET":
                return Reply(200, json_bytes({"recipient_email": record.email} if record else {}))
            self.store.remove("unsubscribes", [route.email])  # idempotent: 204 either way
            return Reply(204)
        if route.name == "global":
            return self._add_global(body, int(now))
        if route.name == "stats":
            return self._stats(query, today)
        return self._classifications(route, query, today, wants_csv)

    def _list(self, kind: str, query: Mapping[str, list[str]], base_url: str) -> Reply:
        limit = _integer(query, "limit")
        if limit is None:
            limit = self.options.default_limit
        if limit < 1:
            raise ApiError(400, "limit must be at least 1", "limit")
        if limit > MAX_LIMIT:
            if self.options.limit_over_500 != "clamp":
                raise ApiError(400, f"limit must be less than or equal to {MAX_LIMIT}", "limit")
            limit = MAX_LIMIT
        offset = 0 if self.options.ignore_offset else _integer(query, "offset") or 0
        start, end = _integer(query, "start_time"), _integer(query, "end_time")
        pattern = (query.get("email") or [""])[0]
        records, total = self.store.page(
            kind, start=start, end=end, email_pattern=pattern, offset=offset, limit=limit
        )
        headers: tuple[tuple[str, str], ...] = ()
        if self.options.link_header and kind in ("unsubscribes", "spam_reports"):
            link = _link_header(f"{base_url}/v3/suppression/{kind}", query, limit, offset, total)
            headers = (("Link", link),)
        body = b"[" + b",".join([_item_json(r) for r in records]) + b"]"
        return Reply(200, body, headers=headers)

    def _delete_many(self, kind: str, body: bytes) -> Reply:
        payload = _json_body(body)
        if "emails" in payload and "delete_all" in payload:
            raise ApiError(400, "emails and delete_all cannot both be set")
        if payload.get("delete_all") is True:
            self.store.clear(kind)
            return Reply(204)
        if "emails" not in payload:
            raise ApiError(400, "either emails or delete_all must be set")
        # An empty list is accepted as a no-op (real behaviour undocumented).
        self.store.remove(kind, _email_list(payload["emails"], "emails"))
        return Reply(204)

    def _add_global(self, body: bytes, now: int) -> Reply:
        emails = _email_list(_json_body(body).get("recipient_emails"), "recipient_emails")
        if not emails:
            raise ApiError(400, "recipient_emails must not be empty", "recipient_emails")
        self.store.add(SandboxRecord("unsubscribes", email, now) for email in emails)
        return Reply(201, json_bytes({"recipient_emails": emails}))

    def _stats(self, query: Mapping[str, list[str]], today: date) -> Reply:
        start = _day(query, "start_date")
        if start is None:
            raise ApiError(400, "start_date is required", "start_date")
        end = _day(query, "end_date") or today
        if end < start:
            raise ApiError(400, "end_date must not be before start_date", "end_date")
        if (end - start).days > _MAX_STATS_DAYS:
            raise ApiError(400, "date range is too long", "end_date")
        aggregated_by = (query.get("aggregated_by") or ["day"])[0]
        if aggregated_by not in ("day", "week", "month"):
            raise ApiError(400, "aggregated_by must be day, week or month", "aggregated_by")
        result = global_stats(
            self.store,
            seed=self.options.seed,
            start=start,
            end=end,
            aggregated_by=aggregated_by,
            today=today,
            bad_days=self.options.bad_days,
        )
        offset = _integer(query, "offset") or 0
        limit = _integer(query, "limit")
        result = result[offset : None if limit is None else offset + limit]
        return Reply(200, json_bytes(result))

    def _classifications(
        self, route: Route, query: Mapping[str, list[str]], today: date, wants_csv: bool
    ) -> Reply:
        if route.classification is not None and route.classification not in CLASSIFICATIONS:
            raise ApiError(400, "unknown classification", "classification")
        end = _day(query, "end_date") or today
        start = _day(query, "start_date") or end - timedelta(days=29)
        if end < start or (end - start).days > _MAX_STATS_DAYS:
            raise ApiError(400, "invalid date range", "end_date")
        result = classification_counts(self.store, start, end, route.classification)
        if wants_csv:
            return Reply(
                200, classifications_csv(result).encode("utf-8"), "text/csv; charset=utf-8"
            )
        return Reply(200, json_bytes({"result": result}))


def _link_header(
    url: str, query: Mapping[str, list[str]], limit: int, offset: int, total: int
) -> str:
    kept = [(k, v[0]) for k, v in query.items() if k not in ("limit", "offset") and v]
    last_offset = max(0, (total - 1) // limit * limit)

    def link(target: int, rel: str) -> str:
        params = urlencode([*kept, ("limit", limit), ("offset", target)])
        return f'<{url}?{params}>; rel="{rel}"; title="{target // limit + 1}"'

    links = []
    if offset + limit < total:
        links.append(link(offset + limit, "next"))
    if offset > 0:
        links.append(link(max(0, offset - limit), "prev"))
    links.append(link(last_offset, "last"))
    links.append(link(0, "first"))
    return ", ".join(links)
