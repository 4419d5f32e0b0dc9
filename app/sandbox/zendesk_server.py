"""Zendesk Support API imitation on 127.0.0.1: tickets, search, users, comments, auth, limits.

Served (``.json`` suffix optional, as on Zendesk):

- ``GET  /api/v2/users/me``                 the signed-in agent
- ``GET  /api/v2/users/{id}``, ``GET /api/v2/users/search?query=<email>``
- ``POST /api/v2/tickets``                  create (``requester: {email, name}`` finds or
  creates the end user; 422 ``RecordInvalid`` without a comment body)
- ``GET  /api/v2/tickets?external_id=…``    list (optionally by external id)
- ``GET  /api/v2/tickets/{id}``, ``PUT /api/v2/tickets/{id}`` (comment, status, tags)
- ``GET  /api/v2/tickets/{id}/comments``
- ``GET  /api/v2/search?query=…``           ``type:ticket``, ``tags:x``, ``requester:email``,
  ``status:x`` / ``status<solved``, ``external_id:x`` and quoted or bare words; new tickets
  become searchable only after ``search_delay_s`` (Zendesk's index lags a few minutes)

Auth is HTTP Basic ``{email}/token:{token}``; ``revoke_token()`` makes it 401. A per-minute
budget sends ``X-Rate-Limit`` / ``X-Rate-Limit-Remaining`` and answers 429 with ``Retry-After``
when spent. ``inject(Fault(...))`` queues faults for the next requests: a status with a body,
or a dropped connection (optionally after the request was applied, to test duplicate safety).
The agent link of a ticket is ``{base_url}/agent/tickets/{id}``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.sandbox.loopback import LoopbackHandler, LoopbackHTTPServer, LoopbackServer

SANDBOX_ZENDESK_EMAIL = "agent@todoku-practice.example"
SANDBOX_ZENDESK_TOKEN = "zendesk-practice-token-not-real"
SANDBOX_SUBDOMAIN = "todoku-practice"

_STATUS_ORDER = ("new", "open", "pending", "hold", "solved", "closed")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Fault:
    """What to do to the next matching request instead of (or after) serving it.

    ``status`` answers with that status and ``body``; ``drop`` closes the connection without an
    answer; ``after_apply`` performs the request first (the write happens) and then fails.
    ``method`` / ``path_contains`` restrict which request it hits (default: the next one).
    """

    status: int = 0
    body: dict[str, Any] | None = None
    retry_after: int | None = None
    drop: bool = False
    after_apply: bool = False
    method: str = ""
    path_contains: str = ""

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method == method) and self.path_contains in path


@dataclass
class _Ticket:
    id: int
    subject: str
    status: str
    requester_id: int
    submitter_id: int
    tags: list[str]
    external_id: str | None
    type: str | None
    created: float  # monotonic: when the search index may show it
    comments: list[dict[str, Any]] = field(default_factory=list)
    created_wall: float = field(default_factory=time.time)

    def as_json(self, base_url: str) -> dict[str, Any]:
        stamp = datetime.fromtimestamp(self.created_wall, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "id": self.id,
            "url": f"{base_url}/api/v2/tickets/{self.id}.json",
            "subject": self.subject,
            "description": self.comments[0]["body"] if self.comments else "",
            "status": self.status,
            "requester_id": self.requester_id,
            "submitter_id": self.submitter_id,
            "tags": list(self.tags),
            "external_id": self.external_id,
            "type": self.type,
            "created_at": stamp,
            "updated_at": stamp,
        }


class _Handler(LoopbackHandler):
    server_version = "ZendeskSandbox/1.0"
    timeout = 30
    server: _Server

    def _serve(self) -> None:
        raw = self.read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.sandbox._process(self.command, self.path, headers, raw)
        if reply is None:  # a dropped connection
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        status, body, extra = reply
        data = json.dumps(body, ensure_ascii=False).encode()
        data += b" " * self.server.sandbox.reply_padding_bytes  # still JSON, just huge
        self.send_body(status, data, extra, "application/json; charset=utf-8")

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class _Server(LoopbackHTTPServer):
    sandbox: ZendeskSandbox


Reply = tuple[int, dict[str, Any], list[tuple[str, str]]]


class _Error(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class ZendeskSandbox(LoopbackServer[LoggedRequest]):
    """A local Zendesk. Thread-safe; ``start()`` returns the base URL (no path)."""

    _server_class = _Server
    _handler_class = _Handler

    def __init__(
        self,
        *,
        email: str = SANDBOX_ZENDESK_EMAIL,
        token: str = SANDBOX_ZENDESK_TOKEN,
        rate_limit_per_minute: int = 700,
        retry_after_s: int = 1,
        search_delay_s: float = 0.0,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host, 0)
        self.email = email
        self._token = token
        self._revoked = False
        self.rate_limit_per_minute = rate_limit_per_minute
        self.retry_after_s = retry_after_s
        self.search_delay_s = search_delay_s
        self.reply_padding_bytes = 0  # blanks after every JSON reply: a huge (hostile) answer
        self._lock = threading.Lock()
        self._window_start = time.monotonic()
        self._window_used = 0
        self._faults: deque[Fault] = deque()
        self._tickets: dict[int, _Ticket] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._next_ticket = 1
        self._next_user = 1000
        self._agent_id = self._add_user(email, "Todoku 練習用エージェント", "agent")

    # -- scripting ------------------------------------------------------------------------------

    def revoke_token(self) -> None:
        with self._lock:
            self._revoked = True

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def set_rate_limit(self, per_minute: int) -> None:
        with self._lock:
            self.rate_limit_per_minute = per_minute
            self._window_start = time.monotonic()
            self._window_used = 0

    def tickets(self) -> list[dict[str, Any]]:
        with self._lock:
            return [t.as_json(self.base_url) for t in self._tickets.values()]

    def comments(self, ticket_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._tickets[ticket_id].comments]

    def solve(self, ticket_id: int) -> None:
        with self._lock:
            self._tickets[ticket_id].status = "solved"

    # -- processing -------------------------------------------------------------------------------

    def _process(
        self, method: str, raw_path: str, headers: dict[str, str], raw: bytes
    ) -> Reply | None:
        split = urlsplit(raw_path)
        path = re.sub(r"\.json$", "", split.path.rstrip("/"))
        query = parse_qs(split.query)
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self._record(LoggedRequest(method, path, query, headers, body))
        with self._lock:
            fault = self._next_fault(method, path)
            if fault is not None and not fault.after_apply:
                return None if fault.drop else self._fault_reply(fault)
            limited = self._rate_limit()
            if limited is not None:
                return limited
            extra = self._limit_headers()
            try:
                self._authenticate(headers)
                status, payload = self._route(method, path, query, body)
            except _Error as error:
                return error.status, error.body, extra
            if fault is not None:  # after_apply: the write happened, the answer is lost
                return None if fault.drop else self._fault_reply(fault)
            return status, payload, extra

    def _next_fault(self, method: str, path: str) -> Fault | None:
        for index, fault in enumerate(self._faults):
            if fault.matches(method, path):
                del self._faults[index]
                return fault
        return None

    def _fault_reply(self, fault: Fault) -> Reply:
        extra = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
        body = fault.body if fault.body is not None else {"error": f"Injected {fault.status}"}
        return fault.status, body, extra

    def _rate_limit(self) -> Reply | None:
        now = time.monotonic()
        if now - self._window_start >= 60:
            self._window_start, self._window_used = now, 0
        if self._window_used >= self.rate_limit_per_minute:
            headers = [("Retry-After", str(self.retry_after_s)), *self._limit_headers()]
            return 429, {"error": "APIRateLimitExceeded"}, headers
        self._window_used += 1
        return None

    def _limit_headers(self) -> list[tuple[str, str]]:
        remaining = max(0, self.rate_limit_per_minute - self._window_used)
        return [
            ("X-Rate-Limit", str(self.rate_limit_per_minute)),
            ("X-Rate-Limit-Remaining", str(remaining)),
        ]

    def _authenticate(self, headers: dict[str, str]) -> None:
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = ""
        expected = f"{self.email}/token:{self._token}"
        if scheme.lower() != "basic" or decoded != expected or self._revoked:
            raise _Error(401, {"error": "Couldn't authenticate you"})

    # -- routes -----------------------------------------------------------------------------------

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, dict[str, Any]]:
        if not path.startswith("/api/v2/"):
            raise _Error(404, {"error": "InvalidEndpoint", "description": "Not found"})
        parts = path.removeprefix("/api/v2/").split("/")
        match (method, parts):
            case ("GET", ["users", "me"]):
                return 200, {"user": self._users[self._agent_id]}
            case ("GET", ["users", "search"]):
                needle = _first(query, "query").lower()
                users = [u for u in self._users.values() if u["email"] == needle]
                return 200, {"users": users, "count": len(users), "next_page": None}
            case ("GET", ["users", user_id]) if user_id.isdigit():
                user = self._users.get(int(user_id))
                if user is None:
                    raise _not_found()
                return 200, {"user": user}
            case ("POST", ["tickets"]):
                return 201, {"ticket": self._create(body)}
            case ("GET", ["tickets"]):
                wanted = _first(query, "external_id")
                tickets = [
                    t.as_json(self.base_url)
                    for t in self._tickets.values()
                    if not wanted or t.external_id == wanted
                ]
                return 200, {"tickets": tickets, "count": len(tickets), "next_page": None}
            case ("GET", ["tickets", ticket_id]) if ticket_id.isdigit():
                return 200, {"ticket": self._ticket(ticket_id).as_json(self.base_url)}
            case ("PUT", ["tickets", ticket_id]) if ticket_id.isdigit():
                return 200, {"ticket": self._update(self._ticket(ticket_id), body)}
            case ("GET", ["tickets", ticket_id, "comments"]) if ticket_id.isdigit():
                comments = self._ticket(ticket_id).comments
                return 200, {"comments": comments, "count": len(comments), "next_page": None}
            case ("GET", ["search"]):
                return 200, self._search(query)
        raise _Error(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _ticket(self, text_id: str) -> _Ticket:
        ticket = self._tickets.get(int(text_id))
        if ticket is None:
            raise _not_found()
        return ticket

    def _add_user(self, email: str, name: str, role: str) -> int:
        user_id = self._next_user
        self._next_user += 1
        self._users[user_id] = {"id": user_id, "email": email.lower(), "name": name, "role": role}
        return user_id

    def _user_for(self, requester: Any) -> int:
        if not isinstance(requester, dict) or not isinstance(requester.get("email"), str):
            raise _invalid("requester", "Requester: メールアドレスが必要です")
        email = requester["email"].strip().lower()
        for user in self._users.values():
            if user["email"] == email:
                return int(user["id"])
        return self._add_user(email, str(requester.get("name") or email), "end-user")

    def _create(self, body: Any) -> dict[str, Any]:
        ticket = body.get("ticket") if isinstance(body, dict) else None
        if not isinstance(ticket, dict):
            raise _Error(400, {"error": "Unprocessable Entity", "description": "ticket missing"})
        comment = ticket.get("comment")
        if not isinstance(comment, dict) or not str(comment.get("body") or "").strip():
            raise _invalid("description", "Description: cannot be blank")
        tags = ticket.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) and " " not in t for t in tags):
            raise _invalid("tags", "Tags: invalid")
        requester_id = (
            self._user_for(ticket["requester"]) if "requester" in ticket else self._agent_id
        )
        ticket_id = self._next_ticket
        self._next_ticket += 1
        record = _Ticket(
            id=ticket_id,
            subject=str(ticket.get("subject") or "")[:250],
            status="new" if requester_id != self._agent_id else "open",
            requester_id=requester_id,
            submitter_id=self._agent_id,
            tags=sorted({t.lower() for t in tags}),
            external_id=ticket.get("external_id"),
            type=ticket.get("type"),
            created=time.monotonic(),
        )
        record.comments.append(self._comment(comment))
        self._tickets[ticket_id] = record
        return record.as_json(self.base_url)

    def _comment(self, comment: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": sum(len(t.comments) for t in self._tickets.values()) + 1,
            "author_id": self._agent_id,
            "body": str(comment.get("body") or ""),
            "public": bool(comment.get("public", True)),
        }

    def _update(self, ticket: _Ticket, body: Any) -> dict[str, Any]:
        changes = body.get("ticket") if isinstance(body, dict) else None
        if not isinstance(changes, dict):
            raise _Error(400, {"error": "Unprocessable Entity", "description": "ticket missing"})
        if ticket.status == "closed":
            raise _invalid("status", "Status: closed prevents ticket update")
        comment = changes.get("comment")
        if isinstance(comment, dict):
            if not str(comment.get("body") or "").strip():
                raise _invalid("comment", "Comment: cannot be blank")
            ticket.comments.append(self._comment(comment))
            if ticket.status == "new":
                ticket.status = "open"
        status = changes.get("status")
        if status is not None:
            if status not in _STATUS_ORDER:
                raise _invalid("status", "Status: invalid")
            ticket.status = status
        if isinstance(changes.get("tags"), list):
            ticket.tags = sorted({str(t).lower() for t in changes["tags"]})
        return ticket.as_json(self.base_url)

    def _search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        text = _first(query, "query")
        try:
            page = max(1, int(_first(query, "page") or 1))
            per_page = min(100, max(1, int(_first(query, "per_page") or 100)))
        except ValueError:
            raise _invalid("page", "page must be an integer") from None
        if page * per_page > 1000:
            raise _Error(422, {"error": "InsufficientResourceError", "description": "page limit"})
        visible_before = time.monotonic() - self.search_delay_s
        hits = [
            t
            for t in self._tickets.values()
            if t.created <= visible_before and self._matches(t, text)
        ]
        if "type:user" in text:
            hits = []
        chunk = hits[(page - 1) * per_page : page * per_page]
        results = [dict(t.as_json(self.base_url), result_type="ticket") for t in chunk]
        more = page * per_page < len(hits)
        next_page = f"{self.base_url}/api/v2/search.json?page={page + 1}" if more else None
        return {"results": results, "count": len(hits), "next_page": next_page}

    def _matches(self, ticket: _Ticket, text: str) -> bool:
        requester = self._users.get(ticket.requester_id, {})
        for term in re.findall(r'[^\s"]+:"[^"]*"|"[^"]*"|\S+', text):
            key, op, value = _split_term(term)
            if key == "type":
                continue
            if key == "tags" and value.lower() not in ticket.tags:
                return False
            if key == "requester" and not _wildcard_match(value.lower(), requester.get("email")):
                return False
            if key == "external_id" and ticket.external_id != value:
                return False
            if key == "status":
                rank = _STATUS_ORDER.index(ticket.status)
                target = _STATUS_ORDER.index(value) if value in _STATUS_ORDER else -1
                ok = {":": rank == target, "<": rank < target, ">": rank > target}[op]
                if not ok:
                    return False
            if key == "":
                haystack = ticket.subject + " " + " ".join(c["body"] for c in ticket.comments)
                if value.lower() not in haystack.lower():
                    return False
        return True


def _wildcard_match(pattern: str, value: object) -> bool:
    """Zendesk's search reads ``*`` in a value as "any characters"."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return isinstance(value, str) and re.fullmatch(regex, value) is not None


def _split_term(term: str) -> tuple[str, str, str]:
    match = re.match(r"^([a-z_]+)([:<>])(.*)$", term)
    if not match:
        return "", "", term.strip('"')
    return match.group(1), match.group(2), match.group(3).strip('"')


def _first(query: dict[str, list[str]], name: str) -> str:
    return query.get(name, [""])[0]


def _not_found() -> _Error:
    return _Error(404, {"error": "RecordNotFound", "description": "Not found"})


def _invalid(field_name: str, description: str) -> _Error:
    return _Error(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field_name: [{"description": description, "error": "InvalidValue"}]},
        },
    )
