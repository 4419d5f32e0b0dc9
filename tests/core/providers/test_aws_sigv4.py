"""Todoku's standard-library SigV4 signer produces exactly what botocore's SigV4Auth produces."""

from __future__ import annotations

import httpx
import pytest

from app.core.providers.aws_sigv4 import AwsCredentials, SigV4Signer, canonical_uri

botocore_auth = pytest.importorskip("botocore.auth")
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402


@pytest.mark.parametrize(
    ("method", "url", "token"),
    [
        (
            "GET",
            "https://email.ap-northeast-1.amazonaws.com/v2/email/suppression/addresses"
            "?Reason=BOUNCE&Reason=COMPLAINT&StartDate=2026-10-01T00%3A00%3A00Z&PageSize=1000",
            "",
        ),
        (
            "DELETE",
            "https://email.ap-northeast-1.amazonaws.com/v2/email/suppression/addresses/"
            "taro%2Bnews%40example.jp",
            "session-token-xyz",
        ),
        (
            "GET",
            "https://email.us-east-1.amazonaws.com/v2/email/suppression/addresses"
            "?NextToken=abc%2Bdef%3D%3D&PageSize=10",
            "",
        ),
    ],
)
def test_signature_matches_botocore(method: str, url: str, token: str) -> None:
    region = url.split(".")[1]
    credentials = AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    request = httpx.Request(method, url)
    SigV4Signer(credentials, region)(request)
    ours = request.headers["authorization"]
    amz_date = request.headers["x-amz-date"]

    theirs = AWSRequest(method=method, url=url, data=b"")
    theirs.context["timestamp"] = amz_date
    theirs.headers["X-Amz-Date"] = amz_date
    if token:
        theirs.headers["X-Amz-Security-Token"] = token
    auth = botocore_auth.SigV4Auth(
        Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token or None),
        "ses",
        region,
    )
    canonical = auth.canonical_request(theirs)
    string_to_sign = auth.string_to_sign(theirs, canonical)
    expected = auth.signature(string_to_sign, theirs)
    assert ours.endswith(f"Signature={expected}")
    assert f"SignedHeaders={auth.signed_headers(auth.headers_to_sign(theirs))}," in ours


def test_path_is_encoded_twice_for_non_s3_services() -> None:
    assert canonical_uri("/v2/x/a%40b.jp") == "/v2/x/a%2540b.jp"
