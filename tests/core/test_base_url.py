"""The SendGrid-compatible base URL setting: what may receive the API key."""

from __future__ import annotations

import pytest

from app.core.base_url import normalize_base_url, shown_url
from app.core.errors import InvalidInputError


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", ""),
        ("  https://sendgrid-proxy.example.co.jp/  ", "https://sendgrid-proxy.example.co.jp"),
        ("https://gw.example.co.jp/sendgrid/v3/", "https://gw.example.co.jp/sendgrid"),
        ("HTTPS://gw.example.co.jp:8443", "https://gw.example.co.jp:8443"),
        ("http://127.0.0.1:8025", "http://127.0.0.1:8025"),
        ("http://localhost:8025/v3", "http://localhost:8025"),
        ("http://[::1]:8025", "http://[::1]:8025"),
    ],
)
def test_accepted_urls_are_normalised(typed: str, expected: str) -> None:
    assert normalize_base_url(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "sendgrid-proxy.example.co.jp",  # no scheme
        "ftp://gw.example.co.jp",
        "https://",
        "http://gw.example.co.jp",  # the key would cross the network unencrypted
        "http://10.0.0.5:8080",
        "https://user:secret@gw.example.co.jp",
        "https://gw.example.co.jp/?key=1",
        "https://gw.example.co.jp/#x",
        "https://gw.example.co.jp:99999",
        "http://[::1",  # urlsplit raises ValueError for the unclosed bracket
        "https://[gw.example.co.jp",
        # Hosts httpx or the resolver refuse only later, from a fetch's worker thread, as
        # InvalidURL / idna.IDNAError / UnicodeError tracebacks:
        "https://gw\x00.example.co.jp",
        "https://xn--.example.co.jp",
        "https://" + "a" * 64 + ".example.co.jp",
        "https://gw.example.co.jp/\udc80",
    ],
)
def test_urls_the_key_must_not_go_to_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        normalize_base_url(typed)
    assert caught.value.message_ja and "設定画面" in caught.value.next_step_ja
    assert "secret" not in caught.value.message_ja


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("https://user:secret@gw.example.co.jp/v3", "https://***@gw.example.co.jp/v3"),
        ("https://secret@gw.example.co.jp", "https://***@gw.example.co.jp"),
        ("https://gw.example.co.jp/?key=secret", "https://gw.example.co.jp/?***"),
        ("user:secret@gw.example.co.jp", "***@gw.example.co.jp"),  # no scheme
        ("http://user:secret@[::1", "http://***@[::1"),  # not parsable either
    ],
)
def test_the_detail_line_never_repeats_a_secret_in_the_url(typed: str, shown: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        normalize_base_url(typed)
    assert caught.value.detail == f"base URL: {shown!r}"


def test_an_at_sign_in_the_path_is_no_user_name() -> None:
    assert shown_url("https://gw.example.co.jp/a@b") == "https://gw.example.co.jp/a@b"
