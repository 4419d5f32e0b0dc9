"""A key or name that an HTTP header cannot carry is refused in Japanese before any request.

httpx encodes header values as ASCII: a key pasted with a zero-width space, or typed in
full-width (ＳＧ．…), raised UnicodeEncodeError out of the fetch; a line break inside it came
back as "cannot connect". The message names the position and code point, never the secret.
"""

from __future__ import annotations

import pytest

from app.core.errors import InvalidInputError
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.infobip import InfobipProvider
from app.core.providers.sendgrid import SendGridProvider
from app.core.providers.ses import SesProvider
from app.core.types import ListKind
from tests.helpers.core_sandbox import RANGE

BAD = ["SG.secret\u200bkey", "ＳＧ．secretkey", "SG.secret\nkey", "SG.secret key", "SG.秘密"]


@pytest.mark.parametrize("key", BAD)
def test_sendgrid_key(make_sandbox, key: str) -> None:
    sandbox = make_sandbox([])
    with (
        pytest.raises(InvalidInputError, match="API キーに使えない文字") as caught,
        SendGridProvider(key, base_url=sandbox.base_url) as provider,
    ):
        provider.fetch(RANGE, [ListKind.BOUNCES])
    assert "secret" not in caught.value.detail and "U+" in caught.value.detail
    assert sandbox.request_log == []  # nothing was sent


def test_sendgrid_subuser(make_sandbox) -> None:
    sandbox = make_sandbox([])
    with pytest.raises(InvalidInputError, match="サブユーザー名に使えない文字"):
        SendGridProvider("SG.key", base_url=sandbox.base_url, subuser="営業部")


def test_infobip_key() -> None:
    with pytest.raises(InvalidInputError, match="Infobip の API キーに使えない文字"):
        InfobipProvider("https://example.api.infobip.com", "ｋｅｙ")


@pytest.mark.parametrize(
    ("credentials", "region", "what"),
    [
        (AwsCredentials("AKIA\u200bX", "secret"), "ap-northeast-1", "アクセスキー ID"),
        (AwsCredentials("AKIAX", "sec ret"), "ap-northeast-1", "シークレットアクセスキー"),
        (AwsCredentials("AKIAX", "secret", "tok\nen"), "ap-northeast-1", "セッショントークン"),
        (AwsCredentials("AKIAX", "secret"), "東京", "リージョン"),
    ],
)
def test_ses_credentials(credentials: AwsCredentials, region: str, what: str) -> None:
    with pytest.raises(InvalidInputError, match=f"AWS の{what}に使えない文字"):
        SesProvider(region, credentials, base_url="http://127.0.0.1:9")
