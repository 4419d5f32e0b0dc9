"""Both sandboxes share one loopback lifecycle: start once, stop without lingering threads."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from app.sandbox.loopback import LoopbackServer
from app.sandbox.openai_server import OpenAISandbox
from app.sandbox.sendgrid_server import SANDBOX_API_KEY, SendGridSandbox

# (factory, a path below base_url that answers 200, the Authorization header, Server header)
SANDBOXES = {
    "sendgrid": (
        SendGridSandbox,
        "/v3/suppression/bounces",
        f"Bearer {SANDBOX_API_KEY}",
        "SendGridSandbox/1.0",
    ),
    "openai": (OpenAISandbox, "/models", "Bearer sk-sandbox", "OpenAISandbox/1.0"),
}


@pytest.fixture(params=sorted(SANDBOXES))
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


def new_sandbox(kind: str) -> LoopbackServer:
    factory = SANDBOXES[kind][0]
    return factory()


def handler_threads() -> int:
    # ThreadingMixIn names each connection's thread after process_request_thread.
    return sum("process_request_thread" in t.name for t in threading.enumerate())


def test_start_is_idempotent_and_context_manager_stops(kind: str) -> None:
    _, path, auth, server_header = SANDBOXES[kind]
    with new_sandbox(kind) as sandbox:
        url = sandbox.base_url
        assert url.startswith("http://127.0.0.1:")
        assert sandbox.start() == url  # a second start keeps the same server
        reply = httpx.get(url + path, headers={"Authorization": auth}, timeout=5)
        assert reply.status_code == 200
        assert reply.headers["server"] == server_header  # no Python version
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + path, headers={"Authorization": auth}, timeout=5)
    sandbox.stop()  # stopping twice is harmless


def test_stop_closes_idle_keep_alive_connections(kind: str) -> None:
    _, path, auth, _ = SANDBOXES[kind]
    sandbox = new_sandbox(kind)
    before = handler_threads()
    with httpx.Client(base_url=sandbox.start(), headers={"Authorization": auth}) as http:
        assert http.get(path.lstrip("/")).status_code == 200
        assert handler_threads() == before + 1  # the keep-alive connection's thread waits
        sandbox.stop()
        # Without closing tracked connections it would wait for its 30-60 s idle timeout.
        deadline = time.monotonic() + 5
        while handler_threads() > before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert handler_threads() == before


def test_restart_after_stop_serves_again(kind: str) -> None:
    _, path, auth, _ = SANDBOXES[kind]
    sandbox = new_sandbox(kind)
    try:
        sandbox.start()
        sandbox.stop()
        url = sandbox.start()
        reply = httpx.get(url + path, headers={"Authorization": auth}, timeout=5)
        assert reply.status_code == 200
    finally:
        sandbox.stop()


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_a_method_the_sandbox_does_not_serve_gets_405_with_allow(kind: str, method: str) -> None:
    _, path, auth, _ = SANDBOXES[kind]
    with new_sandbox(kind) as sandbox:
        reply = httpx.request(
            method, sandbox.base_url + path, headers={"Authorization": auth}, timeout=5
        )
        served = {name[3:] for name in dir(type(sandbox)._handler_class) if name.startswith("do_")}
    assert reply.status_code == 405
    allowed = {part.strip() for part in reply.headers["allow"].split(",")}
    assert allowed == served
    assert "GET" in allowed
