"""The official `sendgrid` Python library works against the sandbox (paths, bodies, encoding)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import sendgrid
from python_http_client.exceptions import NotFoundError, UnauthorizedError

from tests.helpers.sandbox_data import BASE, TRICKY


@pytest.fixture
def sg(sandbox):
    return sendgrid.SendGridAPIClient(api_key="SG.test", host=sandbox.base_url)


def test_list_bounces_with_query_params(sg, sandbox) -> None:
    params = {"start_time": BASE + 300, "end_time": BASE + 700, "limit": 2, "offset": 1}
    response = sg.client.suppression.bounces.get(query_params=params)
    assert response.status_code == 200
    assert [item["email"] for item in json.loads(response.body)] == [
        "user06@example.jp",
        "user05@example.jp",
    ]
    logged = sandbox.request_log[-1]
    assert logged.headers["accept"] == "application/json"
    assert logged.query["limit"] == ["2"]


def test_delete_many_and_one(sg, sandbox) -> None:
    response = sg.client.suppression.bounces.delete(
        request_body={"emails": ["user01@example.jp", "user02@example.jp"]}
    )
    assert response.status_code == 204
    email = TRICKY[0]  # contains "+"
    single = sg.client.suppression.bounces._(quote(email, safe="")).delete()
    assert single.status_code == 204
    left = {r.email for r in sandbox.records("bounces")}
    assert not left & {"user01@example.jp", "user02@example.jp", email}
    with pytest.raises(NotFoundError) as error:
        sg.client.suppression.bounces._(quote(email, safe="")).delete()
    assert error.value.status_code == 404


def test_wrong_key_raises_unauthorized(sandbox) -> None:
    sg = sendgrid.SendGridAPIClient(api_key="SG.wrong", host=sandbox.base_url)
    with pytest.raises(UnauthorizedError):
        sg.client.suppression.blocks.get()


def test_impersonation_header_is_logged(sandbox) -> None:
    sg = sendgrid.SendGridAPIClient(
        api_key="SG.test", host=sandbox.base_url, impersonate_subuser="subuser-a"
    )
    assert sg.client.suppression.spam_reports.get().status_code == 200
    assert sandbox.request_log[-1].on_behalf_of == "subuser-a"
