"""Suppression list endpoints of the SendGrid sandbox: listing, paging, filters, get and delete."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from app.sandbox.scenarios import generate_records
from tests.helpers.sandbox_data import BASE, TRICKY

LISTS = "/v3/suppression/bounces"


def emails(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return [item["email"] for item in response.json()]


def test_list_is_a_bare_array_newest_first_with_bounce_fields(client: httpx.Client) -> None:
    response = client.get(LISTS, params={"limit": 3})
    body = response.json()
    assert isinstance(body, list)
    assert [item["email"] for item in body] == [TRICKY[-1], TRICKY[-2], TRICKY[-3]]
    assert set(body[0]) == {"created", "email", "reason", "status"}
    assert isinstance(body[0]["created"], int)


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("blocks", {"created", "email", "reason", "status"}),
        ("invalid_emails", {"created", "email", "reason"}),
        ("spam_reports", {"created", "email", "ip"}),
        ("unsubscribes", {"created", "email"}),
    ],
)
def test_each_list_has_its_own_item_fields(client: httpx.Client, kind: str, fields: set) -> None:
    body = client.get(f"/v3/suppression/{kind}").json()
    assert body and all(set(item) == fields for item in body)


def test_time_filters_include_both_ends(client: httpx.Client) -> None:
    # user03 was created at BASE+300, user07 at BASE+700: both bounds are inclusive.
    response = client.get(LISTS, params={"start_time": BASE + 300, "end_time": BASE + 700})
    assert emails(response) == [f"user{i:02d}@example.jp" for i in (7, 6, 5, 4, 3)]
    one_second_less = client.get(LISTS, params={"start_time": BASE + 301, "end_time": BASE + 699})
    assert emails(one_second_less) == [f"user{i:02d}@example.jp" for i in (6, 5, 4)]


def test_offset_paging_is_complete_and_stable(make_sandbox) -> None:
    records = generate_records(1234, seed=3, start=BASE, end=BASE + 86400 * 30)
    sandbox = make_sandbox(records)
    expected = {r.email.lower() for r in records if r.list_kind == "bounces"}
    seen: list[str] = []
    headers = {"Authorization": "Bearer SG.test"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers) as http:
        offset = 0
        while True:
            page = http.get(LISTS, params={"limit": 100, "offset": offset}).json()
            seen += [item["email"].lower() for item in page]
            if len(page) < 100:
                break
            offset += 100
        again = http.get(LISTS, params={"limit": 100, "offset": 200}).json()
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    assert [item["email"].lower() for item in again] == seen[200:300]


def test_limit_defaults_to_500(make_sandbox) -> None:
    sandbox = make_sandbox(generate_records(1500, seed=1, start=BASE, end=BASE + 86400))
    with httpx.Client(base_url=sandbox.base_url, headers={"Authorization": "Bearer SG.test"}) as c:
        assert len(c.get(LISTS).json()) == 500


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": ""}, "limit"),
        ({"offset": -1}, "offset"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"end_time": "1.5"}, "end_time"),
    ],
)
def test_bad_paging_parameters_are_400_with_field(client: httpx.Client, params, field) -> None:
    response = client.get(LISTS, params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_limit_over_500_can_be_clamped(make_sandbox) -> None:
    sandbox = make_sandbox(
        generate_records(1500, seed=1, start=BASE, end=BASE + 86400), limit_over_500="clamp"
    )
    with httpx.Client(base_url=sandbox.base_url, headers={"Authorization": "Bearer SG.test"}) as c:
        response = c.get(LISTS, params={"limit": 1000})
    assert response.status_code == 200
    assert len(response.json()) == 500


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("user0", [f"user0{i}@example.jp" for i in range(9, -1, -1)]),
        ("USER1", [f"user1{i}@example.jp" for i in range(9, -1, -1)]),
        ("%24@", ["user24@example.jp"]),
        ("user2%4@example", ["user24@example.jp"]),
        ("taro+", ["taro+newsletter@gmail.com"]),
        ("nobody", []),
    ],
)
def test_email_filter_is_a_prefix_with_percent_wildcard(client, pattern, expected) -> None:
    assert emails(client.get(LISTS, params={"email": pattern})) == expected


@pytest.mark.parametrize("email", TRICKY)
def test_percent_encoded_addresses_get_and_delete(client: httpx.Client, email: str) -> None:
    path = f"{LISTS}/{quote(email, safe='')}"
    assert emails(client.get(path)) == [email]
    assert client.delete(path).status_code == 204
    assert client.get(path).json() == []
    assert email not in emails(client.get(LISTS))
    assert client.delete(path).status_code == 404


def test_get_and_delete_one_ignore_case(client: httpx.Client, sandbox) -> None:
    path = f"{LISTS}/{quote('USER01@Example.JP', safe='')}"
    assert emails(client.get(path)) == ["user01@example.jp"]
    assert client.delete(path).status_code == 204
    assert all(r.email != "user01@example.jp" for r in sandbox.records("bounces"))


def test_delete_one_absent_is_404_in_error_shape(client: httpx.Client) -> None:
    response = client.delete(f"{LISTS}/{quote('ghost@example.jp', safe='')}")
    assert response.status_code == 404
    error = response.json()["errors"][0]
    assert error["field"] is None and error["message"]


def test_unencoded_plus_can_be_made_to_fail(make_sandbox) -> None:
    # Some servers read "+" in a path as a space; the option lets client tests catch that.
    sandbox = make_sandbox(plus_as_space_in_path=True)
    with httpx.Client(base_url=sandbox.base_url, headers={"Authorization": "Bearer SG.test"}) as c:
        assert c.delete(f"{LISTS}/taro+newsletter%40gmail.com").status_code == 404
        assert c.delete(f"{LISTS}/taro%2Bnewsletter%40gmail.com").status_code == 204


def test_delete_many_removes_present_addresses_only(client: httpx.Client, sandbox) -> None:
    body = {"emails": ["user01@example.jp", "USER02@example.jp", "ghost@example.jp"]}
    response = client.request("DELETE", LISTS, json=body)
    assert response.status_code == 204 and response.content == b""
    left = {r.email for r in sandbox.records("bounces")}
    assert "user01@example.jp" not in left and "user02@example.jp" not in left
    assert "user03@example.jp" in left
    assert len(left) == 25 + len(TRICKY) - 2


def test_delete_all_wipes_only_that_list(client: httpx.Client, sandbox) -> None:
    response = client.request("DELETE", "/v3/suppression/blocks", json={"delete_all": True})
    assert response.status_code == 204
    assert sandbox.records("blocks") == []
    assert len(sandbox.records("bounces")) == 25 + len(TRICKY)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"emails": ["user01@example.jp"], "delete_all": true}', "cannot both be set"),
        (b'{"emails": ["user01@example.jp"], "delete_all": false}', "cannot both be set"),
        (b"{}", "either emails or delete_all"),
        (b'{"delete_all": false}', "either emails or delete_all"),
        (b"not json", "not valid JSON"),
        (b"", "body is required"),
        (b'{"emails": "user01@example.jp"}', "array of strings"),
    ],
)
def test_delete_many_rejects_bad_bodies(client, sandbox, content: bytes, message: str) -> None:
    headers = {"Content-Type": "application/json"}
    response = client.request("DELETE", LISTS, content=content, headers=headers)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]
    assert len(sandbox.records("bounces")) == 25 + len(TRICKY)


def test_unsubscribes_have_no_delete_many(client: httpx.Client) -> None:
    response = client.request("DELETE", "/v3/suppression/unsubscribes", json={"delete_all": True})
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


def test_global_unsubscribes_get_delete_and_add(client: httpx.Client, sandbox) -> None:
    path = "/v3/asm/suppressions/global/" + quote("unsub1@gmail.com", safe="")
    assert client.get(path).json() == {"recipient_email": "unsub1@gmail.com"}
    assert client.delete(path).status_code == 204
    assert client.get(path).json() == {}
    assert client.delete(path).status_code == 204  # idempotent
    added = client.post("/v3/asm/suppressions/global", json={"recipient_emails": ["n@x.jp"]})
    assert added.status_code == 201
    assert added.json() == {"recipient_emails": ["n@x.jp"]}
    assert emails(client.get("/v3/suppression/unsubscribes")) == ["n@x.jp", "unsub2@gmail.com"]


def test_link_header_on_unsubscribes(client: httpx.Client) -> None:
    response = client.get("/v3/suppression/unsubscribes", params={"limit": 1, "offset": 0})
    link = response.headers["link"]
    assert 'limit=1&offset=1>; rel="next"; title="2"' in link
    assert 'rel="last"; title="2"' in link


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v3/suppression/nothing", 404),
        ("GET", "/v3/mail/send", 404),
        ("POST", LISTS, 405),
        ("PUT", f"{LISTS}/a%40b.jp", 405),
        ("GET", "/v3/suppression/unsubscribes/a%40b.jp", 404),
    ],
)
def test_unknown_paths_and_methods(client: httpx.Client, method, path, status) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json()["errors"][0]["message"]
    assert "x-ratelimit-remaining" in response.headers
