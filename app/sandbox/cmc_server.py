"""Customers Mail Cloud transactional API imitation on loopback: bounces, blocks, (guessed) cancel.

Speaks the wire format in docs/providers.md: ``POST /transaction/v2/{bounces|blocks}/list.json``
with ``api_user``/``api_key``/``server_composition`` in a form (or JSON) body, JST day filters,
``email`` (a partial match, as the service's own search box), ``p``/``r`` paging (``r`` ≤ 100)
and ``{"errors": [...]}`` failures. CMC does not publish which
HTTP statuses go with its errors; this imitation uses 401 (credentials), 403 (role), 400 (bad
parameters) and 429 (too frequent), and the client accepts an ``errors`` body on any status.

``POST /transaction/v2/blocks/cancel.json`` (by block ``id``) is a GUESS, served only when
``cancel_api=True``, to exercise the client's off-by-default API path.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from app.sandbox.esp_practice import PracticeRecord, cmc_code
from app.sandbox.esp_server import EspRequest, EspSandbox
from app.sandbox.sendgrid_endpoints import Reply
from app.sandbox.sendgrid_stats import JST

__all__ = ["SANDBOX_API_KEY", "SANDBOX_API_USER", "SANDBOX_SERVER", "CmcSandbox", "EspRequest"]

SANDBOX_API_USER = "practice-user"
SANDBOX_API_KEY = "cmc-practice-key-not-real"
SANDBOX_SERVER = "練習用サーバー構成"
MAX_ROWS = 100
_LIST_PATH = "/transaction/v2/{}/list.json"


def _time_text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, JST).strftime("%Y-%m-%d %H:%M:%S")


class CmcSandbox(EspSandbox):
    """A local CMC imitation. ``users`` maps (api_user, api_key) to granted roles:
    ``"read"`` (data reference) and ``"cancel"``."""

    def __init__(
        self,
        records: Iterable[PracticeRecord] = (),
        *,
        users: dict[tuple[str, str], frozenset[str]] | None = None,
        server_compositions: Iterable[str] = (SANDBOX_SERVER,),
        cancel_api: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._users = (
            {(SANDBOX_API_USER, SANDBOX_API_KEY): frozenset({"read", "cancel"})}
            if users is None
            else dict(users)
        )
        self._servers = frozenset(server_compositions)
        self._cancel_api = cancel_api
        # A gateway that drops ``p``: every page is the first one (a client must not loop).
        self.ignore_page = False
        # A reply whose blocks carry no ``id`` (an API version or a gateway that drops it):
        # nothing may then be sent to cancel them.
        self.omit_block_ids = False
        self._data_lock = threading.Lock()
        self._bounces: list[dict[str, str]] = []
        self._blocks: list[dict[str, str]] = []
        self._next_id = 1
        self._matches: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
        self.add_records(records)

    def add_records(self, records: Iterable[PracticeRecord]) -> None:
        with self._data_lock:
            for record in records:
                code = cmc_code(record)
                created = _time_text(record.created)
                if record.kind in ("bounce", "over_quota"):
                    self._bounces.append(
                        {
                            "created": created,
                            "from": record.sender,
                            "to": record.email,
                            "returnPath": "bounce@" + record.sender.split("@")[1],
                            "messageId": f"<{record.created}.{self._next_id}@practice.smtps.jp>",
                            "subject": record.subject,
                            "apiData": "",
                            "reason": record.reason,
                            "status": code,
                        }
                    )
                else:
                    self._blocks.append(
                        {
                            "created": created,
                            "email": record.email,
                            "id": f"blk{self._next_id:08d}",
                            "occurred": "1",
                            "status": code,
                            "removed": "",
                        }
                    )
                self._next_id += 1
            # Newest first, like a console list; ties by address keep paging stable.
            self._bounces.sort(key=lambda r: (r["created"], r["to"]), reverse=True)
            self._blocks.sort(key=lambda r: (r["created"], r["email"]), reverse=True)
            self._matches.clear()

    def emails(self, resource: str) -> set[str]:
        """Addresses currently listed (blocks not cancelled), for tests."""
        with self._data_lock:
            if resource == "bounces":
                return {r["to"] for r in self._bounces}
            return {r["email"] for r in self._blocks if not r["removed"]}

    # -- wire -----------------------------------------------------------------------------------

    def _error_reply(self, status: int, code: str, message: str) -> Reply:
        body = {"errors": [{"code": code, "field": "", "message": message}]}
        return Reply(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[Reply | None, str | None]:
        routes = {
            _LIST_PATH.format("bounces"): ("bounces", "read"),
            _LIST_PATH.format("blocks"): ("blocks", "read"),
        }
        if self._cancel_api:
            routes["/transaction/v2/blocks/cancel.json"] = ("cancel", "cancel")
        if path not in routes:
            return self._error_reply(404, "00-404", "リソースが見つかりません"), None
        if method != "POST":
            return self._error_reply(405, "00-405", "POST のみ受け付けます"), None
        params = _params(headers.get("content-type", ""), body)
        user = (params.get("api_user", ""), params.get("api_key", ""))
        if user not in self._users:
            return self._error_reply(401, "01-001", "認証に失敗しました"), None
        early, fault, _ = self._rate_and_faults(user[0], path)
        if early is not None or fault is not None:
            return early, fault
        resource, role = routes[path]
        if role not in self._users[user]:
            return self._error_reply(403, "01-003", "この操作の権限がありません"), None
        if params.get("server_composition", "") not in self._servers:
            return self._error_reply(400, "02-001", "サーバー構成が見つかりません"), None
        if resource == "cancel":
            return self._cancel(params.get("id", "")), None
        return self._list(resource, params), None

    def _list(self, resource: str, params: dict[str, str]) -> Reply:
        try:
            page = 0 if self.ignore_page else int(params.get("p", "0"))
            rows = int(params.get("r", "10"))
        except ValueError:
            return self._error_reply(400, "02-002", "p または r が数値ではありません")
        if rows < 1 or rows > MAX_ROWS or page < 0:
            return self._error_reply(400, "02-003", f"r は 1〜{MAX_ROWS} で指定してください")
        start, end = params.get("start_date", ""), params.get("end_date", "")
        if start and end and start > end:
            return self._error_reply(400, "02-004", "start_date は end_date 以前にしてください")
        email = params.get("email", "")
        with self._data_lock:
            # Paging re-reads the same filter many times: keep its result until data changes.
            cache_key = (resource, start, end, email)
            matched = self._matches.get(cache_key)
            if matched is None:
                matched = self._filter(resource, start, end, email)
                self._matches[cache_key] = matched
        chunk = matched[page * rows : (page + 1) * rows]
        if resource == "blocks":
            hidden = {"removed", "id"} if self.omit_block_ids else {"removed"}
            chunk = [{k: v for k, v in row.items() if k not in hidden} for row in chunk]
        return Reply(200, json.dumps({resource: chunk}, ensure_ascii=False).encode("utf-8"))

    def _filter(self, resource: str, start: str, end: str, email: str) -> list[dict[str, str]]:
        address_field = "to" if resource == "bounces" else "email"
        source = self._bounces if resource == "bounces" else self._blocks
        return [
            row
            for row in source
            if (not start or row["created"][:10] >= start)
            and (not end or row["created"][:10] <= end)
            and (not email or email in row[address_field])
            and (resource == "bounces" or not row["removed"])
        ]

    def _cancel(self, block_id: str) -> Reply:
        with self._data_lock:
            for row in self._blocks:
                if row["id"] == block_id and not row["removed"]:
                    row["removed"] = "1"
                    self._matches.clear()
                    return Reply(200, b"{}")
        return self._error_reply(404, "03-001", "指定された配信停止情報が見つかりません")


def _params(content_type: str, body: bytes) -> dict[str, str]:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
