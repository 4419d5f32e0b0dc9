"""Auth, scopes, rate limits, injected faults, concurrency and the request log of the sandbox."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from urllib.parse import quote

import httpx
import pytest

from app.sandbox.sendgrid_server import FULL_SCOPES, FaultPlan, SendGridSandbox

BOUNCES = "/v3/suppression/bounces"


def auth(key: str = "SG.test") -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer SG.wrong"}, {"Authorization": "Basic SG.test"}],
)
def test_missing_or_unknown_key_is_401(sandbox: SendGridSandbox, headers) -> None:
    response = httpx.get(sandbox.base_url + BOUNCES, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"errors": [{"field": None, "message": "authorization required"}]}
    assert "x-ratelimit-limit" in response.headers


def test_scopes_decide_each_endpoint(make_sandbox) -> None:
    sandbox = make_sandbox(
        api_keys={
            "SG.bounce-reader": {"suppression.bounces.read"},
            "SG.umbrella": {"suppression.read"},
            "SG.global": {"asm.suppressions.global.delete"},
        }
    )
    url = sandbox.base_url

    def status(method: str, path: str, key: str) -> int:
        return httpx.request(method, url + path, headers=auth(key), json={"emails": []}).status_code

    assert status("GET", BOUNCES, "SG.bounce-reader") == 200
    assert status("DELETE", BOUNCES, "SG.bounce-reader") == 403
    assert status("GET", "/v3/suppression/blocks", "SG.bounce-reader") == 403
    assert status("GET", "/v3/suppression/unsubscribes", "SG.bounce-reader") == 403
    assert status("GET", "/v3/suppression/blocks", "SG.umbrella") == 200
    assert status("GET", "/v3/asm/suppressions/global/a%40b.jp", "SG.umbrella") == 200
    assert status("DELETE", "/v3/asm/suppressions/global/a%40b.jp", "SG.umbrella") == 403
    assert status("DELETE", "/v3/asm/suppressions/global/a%40b.jp", "SG.global") == 204
    forbidden = httpx.delete(url + BOUNCES + "/user01%40example.jp", headers=auth("SG.umbrella"))
    assert forbidden.json() == {"errors": [{"field": None, "message": "access forbidden"}]}
    assert len(sandbox.records("bounces")) == 25 + 8  # nothing deleted by the forbidden call


def test_scopes_endpoint_lists_the_keys_scopes(make_sandbox) -> None:
    sandbox = make_sandbox(
        api_keys={"SG.a": {"suppression.bounces.read", "stats.read"}, "SG.b": None}
    )
    a = httpx.get(sandbox.base_url + "/v3/scopes", headers=auth("SG.a")).json()
    b = httpx.get(sandbox.base_url + "/v3/scopes", headers=auth("SG.b")).json()
    assert a == {"scopes": ["stats.read", "suppression.bounces.read"]}
    assert set(b["scopes"]) == FULL_SCOPES
    assert {"suppression.unsubscribes.read", "asm.suppressions.global.read"} <= FULL_SCOPES


def test_accept_must_allow_json_when_present(sandbox: SendGridSandbox) -> None:
    url = sandbox.base_url + BOUNCES
    assert httpx.get(url, headers={**auth(), "Accept": "text/html"}).status_code == 406
    assert httpx.get(url, headers={**auth(), "Accept": "*/*"}).status_code == 200
    assert httpx.get(url, headers={**auth(), "Accept": "application/json"}).status_code == 200


def test_rate_limit_headers_count_down_and_429_until_reset(make_sandbox) -> None:
    clock = FakeClock(1_800_000_010.5)
    sandbox = make_sandbox(rate_limit_per_minute=3, clock=clock)
    with httpx.Client(base_url=sandbox.base_url, headers=auth()) as http:
        answers = [http.get(BOUNCES) for _ in range(4)]
        other_endpoint = http.get("/v3/suppression/blocks")
        clock.now = int(answers[-1].headers["x-ratelimit-reset"])
        after_reset = http.get(BOUNCES)
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]
    assert {r.headers["x-ratelimit-limit"] for r in answers} == {"3"}
    assert {r.headers["x-ratelimit-reset"] for r in answers} == {"1800000060"}
    assert answers[-1].json() == {"errors": [{"field": None, "message": "too many requests"}]}
    assert other_endpoint.status_code == 200  # limits are per endpoint
    assert after_reset.status_code == 200
    assert after_reset.headers["x-ratelimit-remaining"] == "2"


def test_short_real_window_recovers_after_reset(make_sandbox) -> None:
    sandbox = make_sandbox(rate_limit_per_minute=2, rate_window_seconds=1)
    with httpx.Client(base_url=sandbox.base_url, headers=auth()) as http:
        statuses = []
        for _ in range(6):
            response = http.get(BOUNCES)
            statuses.append(response.status_code)
            if response.status_code == 429:
                break
        assert statuses[-1] == 429
        time.sleep(max(0.0, int(response.headers["x-ratelimit-reset"]) - time.time()) + 0.05)
        assert http.get(BOUNCES).status_code == 200


def test_unlimited_still_sends_headers(make_sandbox) -> None:
    sandbox = make_sandbox(clock=FakeClock(1_800_000_010.5))
    response = httpx.get(sandbox.base_url + BOUNCES, headers=auth())
    assert response.headers["x-ratelimit-limit"] == "600"
    # An epoch second (the end of the current minute's window), not a count of seconds left.
    assert response.headers["x-ratelimit-reset"] == "1800000060"


def test_scripted_500_and_429_faults(make_sandbox) -> None:
    sandbox = make_sandbox(clock=FakeClock(1_800_000_010.5))
    sandbox.fail_next(1, 500)
    sandbox.fail_next(1, 429)
    with httpx.Client(base_url=sandbox.base_url, headers=auth()) as client:
        server_error = client.get(BOUNCES)
        throttled = client.get(BOUNCES)
        after = client.get(BOUNCES)
    assert server_error.status_code == 500
    assert server_error.json()["errors"][0]["message"] == "internal server error"
    assert throttled.status_code == 429
    assert throttled.headers["x-ratelimit-remaining"] == "0"
    # An epoch second, one to two seconds away (the next whole second, plus one), not a count.
    assert throttled.headers["x-ratelimit-reset"] == "1800000012"
    assert after.status_code == 200
    assert [r.fault for r in sandbox.request_log] == ["500", "429", None]


def test_fault_path_prefix_only_hits_matching_requests(sandbox, client) -> None:
    sandbox.fail_next(1, 503, path_prefix="/v3/suppression/blocks")
    assert client.get(BOUNCES).status_code == 200
    gateway = client.get("/v3/suppression/blocks")
    assert gateway.status_code == 503
    assert gateway.headers["content-type"].startswith("text/html")


def test_drop_closes_the_connection_without_an_answer(sandbox, client) -> None:
    sandbox.fail_next(1, "drop")
    with pytest.raises(httpx.TransportError):
        client.get(BOUNCES)
    assert client.get(BOUNCES).status_code == 200
    assert (sandbox.request_log[0].status, sandbox.request_log[0].fault) == (0, "drop")


def test_garbage_is_a_200_with_an_unparsable_body(sandbox, client) -> None:
    sandbox.fail_next(6, "garbage")
    for _ in range(6):
        response = client.get(BOUNCES)
        assert response.status_code == 200
        with pytest.raises(ValueError):
            json.loads(response.content)


def test_faulted_deletes_change_nothing(make_sandbox) -> None:
    sandbox = make_sandbox(faults=FaultPlan(p500=0.5, drop=0.2, garbage=0.3))
    path = BOUNCES + "/" + quote("user01@example.jp", safe="")
    with httpx.Client(base_url=sandbox.base_url, headers=auth()) as http:
        for _ in range(10):
            for send in (
                lambda: http.delete(path),
                lambda: http.request("DELETE", BOUNCES, json={"delete_all": True}),
            ):
                with contextlib.suppress(httpx.TransportError):  # a dropped connection
                    send()
    assert len(sandbox.records("bounces")) == 25 + 8
    assert {r.fault for r in sandbox.request_log} <= {"500", "drop", "garbage"}
    assert len(sandbox.request_log) == 20


def test_random_faults_are_reproducible_for_a_seed(make_sandbox) -> None:
    def fault_sequence(seed: int) -> list[str | None]:
        plan = FaultPlan.parse("429=0.2,500=0.2,garbage=0.2")
        sandbox = make_sandbox(faults=plan, seed=seed)
        with httpx.Client(base_url=sandbox.base_url, headers=auth()) as http:
            for _ in range(30):
                http.get(BOUNCES)
        return [r.fault for r in sandbox.request_log]

    first = fault_sequence(5)
    assert first == fault_sequence(5)
    assert first != fault_sequence(6)
    assert {"429", "500", "garbage", None} == set(first)


def test_fault_plan_parse_and_validation() -> None:
    plan = FaultPlan.parse("429=0.05,500=0.05,drop=0.02,garbage=0.01")
    assert plan == FaultPlan(p429=0.05, p500=0.05, drop=0.02, garbage=0.01)
    assert FaultPlan.parse("") == FaultPlan()
    for bad in ("404=0.1", "drop", "drop=x", "drop=1.5", "429=0.6,500=0.6"):
        with pytest.raises(ValueError):
            FaultPlan.parse(bad)


def test_configure_at_runtime(make_sandbox) -> None:
    sandbox = make_sandbox(clock=FakeClock(1_800_000_000))
    with httpx.Client(base_url=sandbox.base_url, headers=auth()) as client:
        sandbox.configure(faults=FaultPlan(p500=1.0))
        assert client.get(BOUNCES).status_code == 500
        # The faulted request counted against the new limit of 2 too (same window).
        sandbox.configure(faults=FaultPlan(), rate_limit_per_minute=2)
        assert client.get(BOUNCES).status_code == 200
        assert client.get(BOUNCES).status_code == 429
        sandbox.configure(rate_limit_per_minute=None)
        assert client.get(BOUNCES).status_code == 200
        sandbox.configure(latency_ms=30)
        assert client.get(BOUNCES).status_code == 200


def test_parallel_requests_overlap_their_latency(make_sandbox) -> None:
    # Counted, not timed: the sandbox records how many requests it was answering at once. A
    # sandbox that held a lock through its latency would answer one at a time (a peak of 1);
    # the 2 s latency is far longer than it takes to start eight threads, so all eight are
    # inside it together however busy the machine is.
    sandbox = make_sandbox(latency_ms=2000)
    clients = [
        httpx.Client(base_url=sandbox.base_url, headers=auth(), timeout=30) for _ in range(8)
    ]
    statuses: list[int] = []
    lock = threading.Lock()

    def fetch(client: httpx.Client) -> None:
        response = client.get(BOUNCES)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=fetch, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    assert statuses == [200] * 8
    assert sandbox.peak_in_flight == 8


def test_request_log_records_what_was_sent(sandbox: SendGridSandbox) -> None:
    headers = {**auth(), "On-Behalf-Of": "subuser-a", "Content-Type": "application/json"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers) as http:
        http.get(BOUNCES, params={"limit": 5, "email": "user%"})
        http.request("DELETE", BOUNCES, content=b'{"emails":["user01@example.jp"]}')
        http.get("/v3/nope")
    listing, delete, unknown = sandbox.request_log
    assert (listing.method, listing.path, listing.status) == ("GET", BOUNCES, 200)
    assert listing.query == {"limit": ["5"], "email": ["user%"]}
    assert listing.headers["authorization"] == "Bearer SG.test"
    assert listing.on_behalf_of == "subuser-a"
    assert (delete.method, delete.status, delete.body) == (
        "DELETE",
        204,
        b'{"emails":["user01@example.jp"]}',
    )
    assert (unknown.status, unknown.fault) == (404, None)
    sandbox.clear_log()
    assert sandbox.request_log == []


def test_request_log_keeps_the_raw_encoded_path(sandbox, client) -> None:
    client.get(BOUNCES + "/taro%2Bnewsletter%40gmail.com")
    assert sandbox.request_log[-1].path == BOUNCES + "/taro%2Bnewsletter%40gmail.com"


def test_stop_closes_idle_keep_alive_connections(make_sandbox) -> None:
    sandbox = make_sandbox()
    with httpx.Client(base_url=sandbox.base_url, headers=auth()) as http:
        assert http.get(BOUNCES).status_code == 200
        before = threading.active_count()
        sandbox.stop()
        deadline = time.monotonic() + 5
        while threading.active_count() >= before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert threading.active_count() < before
