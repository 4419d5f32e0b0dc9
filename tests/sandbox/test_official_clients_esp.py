"""The official SDKs (boto3 for SES v2, Infobip's Python client) work against our imitations.

boto3 signs with AWS's own SigV4 code, so its calls passing the SES imitation's signature check
show that check (shared with Todoku's signer) computes what AWS computes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.sandbox import infobip_server, ses_server
from app.sandbox.esp_practice import PRACTICE_DOMAINS
from tests.core.providers.harness import BASE, dataset

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402  (after the importorskip above)
from botocore.exceptions import ClientError  # noqa: E402


@pytest.fixture
def ses_sandbox():
    credentials = {
        "AKIAFULL": ("secret-full", frozenset({"list", "get", "delete"})),
        "AKIAREAD": ("secret-read", frozenset({"list", "get"})),
    }
    with ses_server.SesSandbox(dataset(), credentials=credentials) as sandbox:
        yield sandbox


def sesv2(sandbox, key: str = "AKIAFULL", secret: str = "secret-full"):
    return boto3.session.Session().client(
        "sesv2",
        region_name=ses_server.SANDBOX_REGION,
        endpoint_url=sandbox.base_url,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def test_boto3_lists_with_filters_and_next_token(ses_sandbox) -> None:
    client = sesv2(ses_sandbox)
    start = datetime.fromtimestamp(BASE, UTC)
    end = datetime.fromtimestamp(BASE + 86400, UTC)
    seen, token, calls = [], None, 0
    while True:
        kwargs = {"Reasons": ["BOUNCE"], "StartDate": start, "EndDate": end, "PageSize": 50}
        if token:
            kwargs["NextToken"] = token
        page = client.list_suppressed_destinations(**kwargs)
        calls += 1
        seen += page["SuppressedDestinationSummaries"]
        token = page.get("NextToken")
        if not token:
            break
    expected = {
        r.email
        for r in dataset()
        if r.kind in ("bounce", "block") and BASE <= r.created <= BASE + 86400
    }
    assert {item["EmailAddress"] for item in seen} == expected
    assert calls >= 2
    assert all(isinstance(item["LastUpdateTime"], datetime) for item in seen)
    logged = ses_sandbox.request_log[0]
    assert logged.query["StartDate"] == ["2026-09-30T15:00:00Z"]  # ISO 8601 UTC on the wire
    assert logged.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIAFULL/")


def test_boto3_get_and_delete_an_address_with_plus(ses_sandbox) -> None:
    client = sesv2(ses_sandbox)
    email = "taro+news0@example.jp"
    found = client.get_suppressed_destination(EmailAddress=email)["SuppressedDestination"]
    assert found["Reason"] == "BOUNCE"
    client.delete_suppressed_destination(EmailAddress=email)
    assert ses_sandbox.request_log[-1].path.endswith("/taro%2Bnews0%40example.jp")
    with pytest.raises(ClientError) as error:
        client.delete_suppressed_destination(EmailAddress=email)
    assert error.value.response["Error"]["Code"] == "NotFoundException"


def test_boto3_wrong_secret_and_missing_permission(ses_sandbox) -> None:
    with pytest.raises(ClientError) as error:
        sesv2(ses_sandbox, secret="wrong").list_suppressed_destinations()
    assert error.value.response["Error"]["Code"] == "InvalidSignatureException"
    with pytest.raises(ClientError) as error:
        sesv2(ses_sandbox, "AKIAREAD", "secret-read").delete_suppressed_destination(
            EmailAddress="user0001@example.jp"
        )
    assert error.value.response["Error"]["Code"] == "AccessDeniedException"


def test_infobip_official_client() -> None:
    client_module = pytest.importorskip("infobip_api_client")
    from infobip_api_client.api.email_api import EmailApi
    from infobip_api_client.models import EmailDeleteSuppression, EmailDeleteSuppressionRequest
    from infobip_api_client.models.email_suppression_type import EmailSuppressionType

    with infobip_server.InfobipSandbox(dataset()) as sandbox:
        configuration = client_module.Configuration(
            host=sandbox.base_url,
            api_key=infobip_server.SANDBOX_API_KEY,  # 6.0 adds the "App" prefix itself
        )
        with client_module.ApiClient(configuration) as api_client:
            api = EmailApi(api_client)
            domains = api.get_domains(page=0, size=10)
            assert {d.domain_name for d in domains.results} == set(PRACTICE_DOMAINS)
            page = api.get_suppressions(
                domain_name=PRACTICE_DOMAINS[0],
                type=EmailSuppressionType.BOUNCE,
                created_date_from=datetime.fromtimestamp(BASE, UTC),
                created_date_to=datetime.fromtimestamp(BASE + 86400, UTC),
                page=0,
                size=1000,
            )
            emails = [item.email_address for item in page.results]
            assert emails and all(item.type == "BOUNCE" for item in page.results)
            api.delete_suppressions(
                EmailDeleteSuppressionRequest(
                    suppressions=[
                        EmailDeleteSuppression(
                            domain_name=PRACTICE_DOMAINS[0],
                            email_address=emails[:2],
                            type=EmailSuppressionType.BOUNCE,
                        )
                    ]
                )
            )
        logged = sandbox.request_log
        assert logged[0].headers["authorization"] == f"App {infobip_server.SANDBOX_API_KEY}"
        assert logged[-1].method == "DELETE" and logged[-1].status == 204
        assert not set(emails[:2]) & sandbox.emails("BOUNCE")
