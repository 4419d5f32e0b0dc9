"""The Infobip base URL gets the same check as ``--base-url`` before the API key goes to it.

``--base-url`` is refused when it is plain http to another computer (the key would cross the
network unencrypted) or holds a user name and password (app/core/base_url.py). Infobip's own
URL — ``INFOBIP_BASE_URL``, or the account's URL typed in the accounts dialog — is required and
never went through that check: ``http://xxxxx.api.infobip.com`` sent ``Authorization: App
<key>`` in clear text. Here an HTTP proxy on loopback stands in for the network between this
computer and Infobip and records what crossed it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.core.accounts import Account, ProviderName
from app.core.errors import InvalidInputError
from app.core.provider_factory import build_provider
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json

KEY = "ib-secret-key-0123"


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_plain_http_infobip_url_is_refused_before_the_key_is_sent(monkeypatch, capsys) -> None:
    seen: list[str] = []

    def proxy(handler: HostileHandler) -> None:
        seen.append(f"{handler.command} {handler.path} {handler.headers.get('Authorization')}")
        send_json(handler, {"requestError": {"serviceException": {"text": "no"}}}, status=401)

    with hostile_server(proxy) as proxy_url:
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("http_proxy", proxy_url)
        monkeypatch.setenv("INFOBIP_BASE_URL", "http://xxxxx.api.infobip.com")
        monkeypatch.setenv("INFOBIP_API_KEY", KEY)
        code = main(
            ["fetch", "--provider", "infobip", "--from", "2026-11-01", "--to", "2026-11-01",
             "--no-history"]
        )  # fmt: skip
    err = capsys.readouterr().err
    assert not [line for line in seen if KEY in line], f"the key crossed in clear text: {seen}"
    assert code == 1, err
    assert "http://" in err, err  # says why, as for --base-url


@pytest.mark.parametrize(
    "url",
    ["http://xxxxx.api.infobip.com", f"https://user:{KEY}@xxxxx.api.infobip.com"],
)
def test_an_infobip_account_with_an_unsafe_url_is_not_built(url: str) -> None:
    account = Account("本番", ProviderName.INFOBIP, base_url=url)
    with pytest.raises(InvalidInputError) as caught:
        build_provider(account, {"api_key": "another-key"})
    assert KEY not in str(caught.value.detail)
