"""The OpenAI-compatible sandbox satisfies the real `openai` client and scripts faults."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import httpx
import openai
import pytest

from app.sandbox.openai_server import OpenAISandbox, ScriptedReply, smart_reply

KEY = "sk-sandbox"


@pytest.fixture
def sandbox() -> Iterator[OpenAISandbox]:
    with OpenAISandbox(api_key=KEY) as server:
        yield server


def client(sandbox: OpenAISandbox, key: str = KEY, timeout: float = 5.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=sandbox.base_url, api_key=key, timeout=timeout, max_retries=0)


def batch_message(*texts: str) -> list[dict[str, str]]:
    items = [
        {"index": i, "reason_text": t, "rule_hint": {"reason": "onhold", "permanent": False}}
        for i, t in enumerate(texts)
    ]
    return [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": json.dumps({"items": items}, ensure_ascii=False)},
    ]


def test_base_url_ends_in_v1_and_smart_reply_parses(sandbox):
    assert sandbox.base_url.startswith("http://127.0.0.1:") and sandbox.base_url.endswith("/v1")
    with client(sandbox) as c:
        response = c.chat.completions.create(
            model="m",
            messages=batch_message("550 5.1.1 User unknown", "452 mailbox over quota", "???"),
            response_format={"type": "json_object"},
        )
    assert response.id.startswith("chatcmpl-") and response.object == "chat.completion"
    assert response.model == "m" and response.usage.total_tokens > 0
    choice = response.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    items = json.loads(choice.message.content)["items"]
    assert [(i["index"], i["reason"]) for i in items] == [
        (0, "userunknown"),
        (1, "mailboxfull"),
        (2, "onhold"),
    ]
    assert items[0]["permanent"] is True and items[1]["permanent"] is False
    assert all(isinstance(i["label_ja"], str) and i["label_ja"] for i in items)


def test_smart_reply_is_deterministic_and_tolerates_garbage():
    body = {"messages": batch_message("550 User unknown")}
    assert smart_reply(body) == smart_reply(body)
    assert smart_reply({"messages": [{"role": "user", "content": "not json"}]}) == {"items": []}
    assert smart_reply({}) == {"items": []}


def test_wrong_or_missing_key_is_401_in_openai_shape(sandbox):
    with client(sandbox, key="sk-wrong") as c, pytest.raises(openai.AuthenticationError) as info:
        c.chat.completions.create(model="m", messages=batch_message("x"))
    assert info.value.status_code == 401
    assert info.value.body["code"] == "invalid_api_key"
    raw = httpx.post(sandbox.base_url + "/chat/completions", json={"messages": []})
    assert raw.status_code == 401 and raw.json()["error"]["type"] == "invalid_request_error"


def test_unknown_path_and_models(sandbox):
    headers = {"Authorization": f"Bearer {KEY}"}
    assert (
        httpx.post(sandbox.base_url[:-3] + "/chat/completions", headers=headers).status_code == 404
    )
    with client(sandbox) as c:
        assert [m.id for m in c.models.list()] == ["sandbox-model"]


def test_request_log_has_method_path_headers_and_body(sandbox):
    with client(sandbox) as c:
        c.chat.completions.create(model="m", messages=batch_message("hello"))
    (logged,) = sandbox.request_log
    assert (logged.method, logged.path) == ("POST", "/v1/chat/completions")
    assert logged.headers["authorization"] == f"Bearer {KEY}"
    assert logged.body["model"] == "m" and logged.body["messages"][1]["role"] == "user"
    sandbox.clear_log()
    assert sandbox.request_log == []


def test_script_queue_is_consumed_in_order_then_smart_again(sandbox):
    sandbox.script(ScriptedReply.rate_limited(), ScriptedReply.server_error(502))
    sandbox.script(ScriptedReply.invalid_json())
    with client(sandbox) as c:
        with pytest.raises(openai.RateLimitError):
            c.chat.completions.create(model="m", messages=batch_message("a"))
        with pytest.raises(openai.InternalServerError) as info:
            c.chat.completions.create(model="m", messages=batch_message("a"))
        assert info.value.status_code == 502
        broken = c.chat.completions.create(model="m", messages=batch_message("a"))
        with pytest.raises(ValueError):
            json.loads(broken.choices[0].message.content)
        fine = c.chat.completions.create(model="m", messages=batch_message("a"))
    assert json.loads(fine.choices[0].message.content)["items"][0]["index"] == 0


@pytest.mark.parametrize(
    ("reply", "check"),
    [
        (ScriptedReply.content_filter(), lambda ch: ch.finish_reason == "content_filter"),
        (ScriptedReply.refused(), lambda ch: bool(ch.message.refusal)),
        (ScriptedReply.html_in_texts(), lambda ch: "<b>" in ch.message.content),
        (ScriptedReply.huge_text(), lambda ch: len(ch.message.content) > 1_000_000),
        (ScriptedReply.reason_outside_vocabulary(), lambda ch: "deadmailbox" in ch.message.content),
        (ScriptedReply.off_schema(), lambda ch: '"results"' in ch.message.content),
    ],
)
def test_scripted_bad_replies_reach_the_client(sandbox, reply, check):
    sandbox.script(reply)
    with client(sandbox) as c:
        response = c.chat.completions.create(model="m", messages=batch_message("x"))
    assert check(response.choices[0])


def _handler_threads() -> set[threading.Thread]:
    # ThreadingMixIn names each connection's thread after process_request_thread.
    return {t for t in threading.enumerate() if "process_request_thread" in t.name}


def _ends(thread: threading.Thread) -> bool:
    """Whether ``thread`` ends. The bound is a hang guard, not a speed check: far beyond the
    moment a released handler needs, far short of the hour it was scripted to wait."""
    thread.join(timeout=60)
    return not thread.is_alive()


def test_slow_reply_times_out_and_stop_releases_the_delayed_handler(sandbox):
    before = _handler_threads()
    sandbox.script(ScriptedReply.slow(3600.0))
    with client(sandbox, timeout=0.3) as c, pytest.raises(openai.APITimeoutError):
        c.chat.completions.create(model="m", messages=batch_message("x"))
    (delayed,) = _handler_threads() - before  # still holding the answer, an hour to go
    assert delayed.is_alive()
    stopping = threading.Thread(target=sandbox.stop)
    stopping.start()
    assert _ends(stopping), "stop() waited for the delayed handler"
    assert _ends(delayed), "the delayed handler outlived stop()"


def test_a_dripping_reply_holds_back_the_rest_between_pieces(sandbox):
    """With an hour between pieces the client gets the first piece and then nothing: the body
    really comes in pieces, however fast or slow the machine. stop() cuts the drip short."""
    sandbox.script(ScriptedReply.dripping(3600.0))
    body = json.dumps({"model": "m", "messages": batch_message("550 5.1.1 unknown user")})
    host, port = sandbox.base_url.split("//")[1].split("/")[0].split(":")
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received or received.endswith(b"\r\n\r\n"):
            received += connection.recv(65536)
        head, first = received.split(b"\r\n\r\n", 1)
        declared = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        # Nothing more comes within a second: the server is in its hour-long pause, so this
        # wait can only end one way (a drip without pauses would deliver the rest here).
        connection.settimeout(1.0)
        with pytest.raises(TimeoutError):
            connection.recv(65536)
        sandbox.stop()
    assert first.startswith(b"{") and len(first) <= 16 < declared


def test_padded_and_dripping_replies_are_still_the_same_valid_json(sandbox):
    """The two hostile shapes the refinement bounds: a huge body (blanks after the JSON) and a
    body sent in small pieces with pauses; both stay a well-formed completion."""
    sandbox.script(ScriptedReply.padded(100_000), ScriptedReply.dripping(0.01))
    body = {"model": "m", "messages": batch_message("550 5.1.1 unknown user")}
    headers = {"Authorization": f"Bearer {KEY}"}
    url = sandbox.base_url + "/chat/completions"
    padded = httpx.post(url, json=body, headers=headers, timeout=5.0)
    assert len(padded.content) > 100_000 and padded.content.endswith(b" " * 100_000)
    with httpx.stream("POST", url, json=body, headers=headers, timeout=5.0) as dripping:
        pieces = list(dripping.iter_raw())
    for content in (padded.content, b"".join(pieces)):
        assert json.loads(content)["choices"][0]["message"]["content"]
