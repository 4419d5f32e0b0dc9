"""OpenAI-compatible chat-completions imitation on 127.0.0.1, with scripted hostile replies.

Convention: ``start()`` returns a base URL ending in ``/v1`` (the ``openai`` client appends
``/chat/completions``), so the served paths are ``POST /v1/chat/completions`` and
``GET /v1/models``; anything else is a 404 in OpenAI's error shape. Every request needs
``Authorization: Bearer <api_key>`` (401 otherwise). Used by tests, benchmarks and practice mode.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.sandbox.loopback import LoopbackHandler, LoopbackHTTPServer, LoopbackServer
from app.sandbox.openai_answers import letter_request, polished_letter, smart_reply

__all__ = [
    "SANDBOX_LLM_KEY",
    "SANDBOX_MODEL",
    "LoggedRequest",
    "OpenAISandbox",
    "ScriptedReply",
    "smart_reply",
]

SANDBOX_LLM_KEY = "sk-sandbox"
SANDBOX_MODEL = "sandbox-model"


@dataclass(frozen=True)
class LoggedRequest:
    """One request as received: ``body`` is the parsed JSON (``None`` if it was not JSON)."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: Any
    raw: bytes = field(repr=False)


@dataclass(frozen=True)
class ScriptedReply:
    """What to answer to the next chat request instead of the default smart reply.

    ``content`` replaces the message text verbatim; ``mutate`` receives the smart reply
    (a dict; for a letter polish the reworded letter, a str) and returns what to send (a
    dict is JSON-encoded, a str is sent as is).
    ``padding_bytes`` blanks follow the JSON body (still valid JSON, just huge);
    ``drip_s`` sends the body in small pieces with that pause between them, a stream that
    never stalls long enough for a per-read timeout.
    """

    status: int = 200
    content: str | None = None
    mutate: Callable[[dict[str, Any]], Any] | None = None
    finish_reason: str = "stop"
    refusal: str | None = None
    delay_s: float = 0.0
    error: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    padding_bytes: int = 0
    drip_s: float = 0.0

    @classmethod
    def padded(cls, size: int) -> ScriptedReply:
        return cls(padding_bytes=size)

    @classmethod
    def dripping(cls, pause_s: float) -> ScriptedReply:
        return cls(drip_s=pause_s)

    @classmethod
    def invalid_json(cls) -> ScriptedReply:
        return cls(content='{"items": [{"index": 0, "reason": "userunknown",')

    @classmethod
    def off_schema(cls) -> ScriptedReply:
        return cls(mutate=lambda reply: {"results": reply["items"], "note": "extra"})

    @classmethod
    def html_in_texts(cls) -> ScriptedReply:
        return cls(mutate=lambda reply: _each(reply, label_ja="<b>今すぐ削除</b>"))

    @classmethod
    def huge_text(cls, size: int = 1_000_000) -> ScriptedReply:
        return cls(mutate=lambda reply: _each(reply, explanation_ja="あ" * size))

    @classmethod
    def reason_outside_vocabulary(cls) -> ScriptedReply:
        return cls(mutate=lambda reply: _each(reply, reason="deadmailbox"))

    @classmethod
    def rate_limited(cls, retry_after_s: int = 0) -> ScriptedReply:
        error = _error("Rate limit reached for requests", "requests", "rate_limit_exceeded")
        return cls(status=429, error=error, headers=(("Retry-After", str(retry_after_s)),))

    @classmethod
    def server_error(cls, status: int = 500) -> ScriptedReply:
        return cls(status=status, error=_error("The server had an error", "server_error", None))

    @classmethod
    def slow(cls, delay_s: float) -> ScriptedReply:
        return cls(delay_s=delay_s)

    @classmethod
    def content_filter(cls) -> ScriptedReply:
        return cls(content="", finish_reason="content_filter")

    @classmethod
    def refused(cls) -> ScriptedReply:
        return cls(content="", refusal="I can't help with that.")


def _each(reply: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"items": [{**item, **changes} for item in reply["items"]]}


def _error(message: str, kind: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


# -- HTTP plumbing ----------------------------------------------------------------------------


class _Handler(LoopbackHandler):
    server_version = "OpenAISandbox/1.0"
    timeout = 30
    server: _Server

    def _serve(self) -> None:
        raw = self.read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.sandbox._answer(self.command, self.path, headers, raw)
        status, body, extra, drip = answer
        if drip:
            self._send_dripping(status, body, extra, drip)
        else:
            self.send_body(status, body, extra)

    _DRIP_PIECE = 16

    def _send_dripping(
        self, status: int, body: bytes, extra: tuple[tuple[str, str], ...], pause_s: float
    ) -> None:
        stopping = self.server.sandbox._stopping
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            for start in range(0, len(body), self._DRIP_PIECE):
                self.wfile.write(body[start : start + self._DRIP_PIECE])
                self.wfile.flush()
                if stopping.wait(pause_s):
                    self.close_connection = True
                    return
        except OSError:
            self.close_connection = True  # the client gave up: what it should do

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class _Server(LoopbackHTTPServer):
    sandbox: OpenAISandbox


class OpenAISandbox(LoopbackServer[LoggedRequest]):
    """A local OpenAI-compatible endpoint. Thread-safe; start, point a client, read the log.

    ``start()`` returns the base URL, ending in ``/v1``.
    """

    _server_class = _Server
    _handler_class = _Handler
    _url_path = "/v1"

    def __init__(
        self, api_key: str = SANDBOX_LLM_KEY, latency_ms: float = 0, host: str = "127.0.0.1"
    ) -> None:
        super().__init__(host, 0)
        self.api_key = api_key
        self._latency = latency_ms / 1000.0
        self._lock = threading.Lock()
        self._script: deque[ScriptedReply] = deque()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()

    def start(self) -> str:
        self._stopping.clear()
        return super().start()

    def stop(self) -> None:
        """Stop serving; delayed answers are abandoned so no handler thread lingers."""
        self._stopping.set()
        super().stop()

    # -- scripting and log --------------------------------------------------------------------

    def script(self, *replies: ScriptedReply) -> None:
        """Queue replies for the next chat requests (one each); then smart replies resume."""
        with self._lock:
            self._script.extend(replies)

    @property
    def chat_requests(self) -> list[LoggedRequest]:
        return [r for r in self.request_log if r.path.rstrip("/").endswith("/chat/completions")]

    # -- processing ---------------------------------------------------------------------------

    def _answer(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, bytes, tuple[tuple[str, str], ...], float]:
        """Status, body, extra headers, and the pause between body pieces (0: all at once)."""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self._record(LoggedRequest(method, path, headers, body, raw))
        if self._latency:
            self._stopping.wait(self._latency)
        route = path.split("?", 1)[0].rstrip("/")
        if headers.get("authorization", "") != f"Bearer {self.api_key}":
            code = "invalid_api_key"  # OpenAI's own code for a wrong key
            error = _error("Incorrect API key provided.", "invalid_request_error", code)
            return 401, _encode(error), (), 0.0
        if method == "GET" and route == "/v1/models":
            model = {"id": SANDBOX_MODEL, "object": "model", "created": 0, "owned_by": "sandbox"}
            return 200, _encode({"object": "list", "data": [model]}), (), 0.0
        if route != "/v1/chat/completions":
            return (
                404,
                _encode(_error(f"Unknown path {route}", "invalid_request_error", None)),
                (),
                0.0,
            )
        if method != "POST":
            return 405, _encode(_error("Use POST", "invalid_request_error", None)), (), 0.0
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            error = _error("Request body must be JSON with messages", "invalid_request_error", None)
            return 400, _encode(error), (), 0.0
        with self._lock:
            scripted = self._script.popleft() if self._script else ScriptedReply()
        if scripted.delay_s and self._stopping.wait(scripted.delay_s):
            return 503, _encode(_error("Sandbox stopping", "server_error", None)), (), 0.0
        if scripted.status != 200:
            error = scripted.error or _error("Error", "server_error", None)
            return scripted.status, _encode(error), scripted.headers, 0.0
        reply = _encode(self._completion(body, scripted)) + b" " * scripted.padding_bytes
        return 200, reply, scripted.headers, scripted.drip_s

    def _completion(self, body: dict[str, Any], scripted: ScriptedReply) -> dict[str, Any]:
        if scripted.content is not None:
            content = scripted.content
        else:
            # A letter polish gets the reworded letter; everything else the refinement answer.
            letter = letter_request(body)
            reply: Any = smart_reply(body) if letter is None else polished_letter(letter)
            if scripted.mutate is not None:
                reply = scripted.mutate(reply)
            content = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body["messages"]) // 4
        completion_tokens = len(content) // 4
        return {
            "id": f"chatcmpl-sandbox-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or SANDBOX_MODEL),
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": content,
                        "refusal": scripted.refusal,
                    },
                    "logprobs": None,
                    "finish_reason": scripted.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _encode(data: Any) -> bytes:
    # backslashreplace: a scripted text with a lone surrogate goes out as the JSON escape
    # "\ud800", as a broken server would send it; real text is unchanged.
    return json.dumps(data, ensure_ascii=False).encode("utf-8", errors="backslashreplace")
