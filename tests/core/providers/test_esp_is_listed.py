"""``is_listed`` of Customers Mail Cloud, Infobip and Amazon SES: one address, asked of the
provider itself (SES ``GetSuppressedDestination``, CMC ``blocks/list`` with ``email``, Infobip
``GET /email/1/suppressions`` with ``emailAddress``), as reconciling a killed deletion needs.

False comes only from the provider's own "not listed"; any other answer raises, so a reconcile
never records "gone" for an address the provider may still list.
"""

from __future__ import annotations

import pytest

from app.core.errors import TodokuError
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.cmc import CmcProvider
from app.core.providers.infobip import InfobipProvider
from app.core.providers.page_scan import RepeatedPageError
from app.core.providers.ses import SesProvider
from app.core.types import ListKind
from app.sandbox import cmc_server, infobip_server
from app.sandbox.esp_practice import PRACTICE_DOMAINS, PracticeRecord
from tests.core.providers.harness import HARNESSES
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json

FAST = {"max_retries": 1, "retry_backoff_s": 0.01}


@pytest.mark.parametrize("name", ["cmc", "infobip", "ses"])
def test_listed_then_gone_then_absent(name: str) -> None:
    with HARNESSES[name]() as harness, harness.make() as provider:
        kind = harness.delete_kind
        listed = sorted(harness.listed(kind))
        plain = next(e for e in listed if e.startswith("user"))
        tricky = next(e for e in listed if "+" in e)  # "+" is a space in a form or a query
        assert provider.can_look_up(kind)
        assert provider.is_listed(kind, plain) and provider.is_listed(kind, tricky)
        if name != "cmc":  # CMC's own search is not known to ignore case: not asked of it
            assert provider.is_listed(kind, plain.upper())  # addresses compare in any case
        provider.delete(kind, [plain, tricky])
        assert not provider.is_listed(kind, plain) and not provider.is_listed(kind, tricky)
        assert not provider.is_listed(kind, "nobody@example.jp")
        # Another list's address is not on this one.
        other = next(k for k in provider.supported_lists() if k is not kind)
        if provider.can_look_up(other):
            on_other = sorted(harness.listed(other))[0]
            assert not provider.is_listed(kind, on_other)
            assert provider.is_listed(other, on_other)


def test_ses_asks_get_suppressed_destination_and_a_dot_stays_one_segment() -> None:
    with HARNESSES["ses"]() as harness, harness.make() as provider:
        sent = len(harness.sandbox.request_log)
        assert not provider.is_listed(ListKind.BOUNCES, "..")
        (asked,) = harness.sandbox.request_log[sent:]
        # Not the list operation (GET …/addresses), which ".." would have turned it into.
        assert (asked.method, asked.path) == ("GET", "/v2/email/suppression/addresses/%2E%2E")
        assert asked.status == 404  # the imitation's NotFoundException for the address ".."


def test_ses_a_gateways_404_is_no_answer() -> None:
    def reply(handler: HostileHandler) -> None:
        send_json(handler, {"message": "Not Found"}, status=404)

    with hostile_server(reply) as url:
        credentials = AwsCredentials("AKIAEXAMPLE", "secret")
        with (
            SesProvider("ap-northeast-1", credentials, base_url=url, **FAST) as provider,
            pytest.raises(TodokuError),
        ):
            provider.is_listed(ListKind.BOUNCES, "taro@example.jp")


def test_ses_an_unexpected_200_is_no_answer() -> None:
    def reply(handler: HostileHandler) -> None:
        send_json(handler, {"error": "maintenance"})

    with hostile_server(reply) as url:
        credentials = AwsCredentials("AKIAEXAMPLE", "secret")
        with (
            SesProvider("ap-northeast-1", credentials, base_url=url, **FAST) as provider,
            pytest.raises(TodokuError, match="確かめられませんでした"),
        ):
            provider.is_listed(ListKind.BOUNCES, "taro@example.jp")


def test_cmc_finds_the_exact_block_past_a_page_of_partial_matches() -> None:
    """``email`` is a partial match: 120 addresses contain "a@example.jp"; the exact one sorts
    last, on the second page. (The block cancel looked at the first page only.)"""
    records = [
        PracticeRecord(
            "block",
            f"{'x' * (i + 1)}a@example.jp",
            2_000_000_000 - i,
            "",
            "",
            "",
            "s@x.jp",
            PRACTICE_DOMAINS[0],
        )
        for i in range(120)
    ] + [PracticeRecord("block", "a@example.jp", 1_000_000_000, "", "", "", "s@x.jp", "d")]
    user, key, server = (
        cmc_server.SANDBOX_API_USER, cmc_server.SANDBOX_API_KEY, cmc_server.SANDBOX_SERVER,
    )  # fmt: skip
    with (
        cmc_server.CmcSandbox(records, cancel_api=True) as sandbox,
        CmcProvider(
            user, key, server, base_url=sandbox.base_url, block_cancel_api=True, **FAST
        ) as provider,
    ):
        assert provider.is_listed(ListKind.BLOCKS, "a@example.jp")
        assert not provider.is_listed(ListKind.BLOCKS, "b@example.jp")
        (outcome,) = provider.delete(ListKind.BLOCKS, ["a@example.jp"])
        assert outcome.status.value == "deleted", outcome
        assert not provider.is_listed(ListKind.BLOCKS, "a@example.jp")
        assert "xa@example.jp" in sandbox.emails("blocks")
        sandbox.ignore_page = True  # a gateway that drops ``p``: the look-up must end
        with pytest.raises(RepeatedPageError):
            provider.is_listed(ListKind.BLOCKS, "a@example.jp")


def test_cmc_bounces_cannot_be_looked_up() -> None:
    with HARNESSES["cmc"]() as harness, harness.make() as provider:
        assert not provider.can_look_up(ListKind.BOUNCES)
        with pytest.raises(TodokuError, match="1 件ずつ確認できません"):
            provider.is_listed(ListKind.BOUNCES, sorted(harness.listed(ListKind.BOUNCES))[0])


def test_cmc_an_errors_body_is_no_answer() -> None:
    def reply(handler: HostileHandler) -> None:
        send_json(handler, {"errors": [{"code": "99", "message": "メンテナンス中"}]})

    with (
        hostile_server(reply) as url,
        CmcProvider("u", "k", "s", base_url=url, **FAST) as provider,
        pytest.raises(TodokuError),
    ):
        provider.is_listed(ListKind.BLOCKS, "taro@example.jp")


def test_infobip_asks_each_domain_a_deletion_goes_to() -> None:
    """Listed on the second domain only: found there. A domain the key may not delete in is
    not asked (no deletion went there); a delete-only domain cannot be asked at all."""
    first, second = sorted(PRACTICE_DOMAINS)[:2]
    records = [
        PracticeRecord("bounce", "b@example.jp", 1_900_000_000, "550", "5.1.1", "", "s@x.jp", d)
        for d in (second,)
    ]
    full = dict(infobip_server.FULL_ACCESS)
    keys = {
        "both": {first: full, second: full},
        "read-only-second": {first: full, second: {**full, "deleteBounces": False}},
        "delete-only-second": {first: full, second: {**full, "readBounces": False}},
    }
    with infobip_server.InfobipSandbox(records, keys=keys) as sandbox:

        def make(key: str) -> InfobipProvider:
            return InfobipProvider(sandbox.base_url, key, **FAST)

        with make("both") as provider:
            assert provider.can_look_up(ListKind.BOUNCES)
            assert provider.is_listed(ListKind.BOUNCES, "b@example.jp")
            asked = [r for r in sandbox.request_log if r.path == "/email/1/suppressions"]
            assert {r.query["domainName"][0] for r in asked} == {first, second}
            assert {r.query["emailAddress"][0] for r in asked} == {"b@example.jp"}
        with make("read-only-second") as provider:
            assert provider.can_look_up(ListKind.BOUNCES)
            assert not provider.is_listed(ListKind.BOUNCES, "b@example.jp")
        with make("delete-only-second") as provider:
            assert not provider.can_look_up(ListKind.BOUNCES)


def test_infobip_an_answer_without_results_is_no_answer() -> None:
    def reply(handler: HostileHandler) -> None:
        if "/domains" in handler.path:
            row = {"domainName": "d.example.jp", **infobip_server.FULL_ACCESS}
            send_json(handler, {"results": [row], "paging": {"page": 0, "size": 100}})
        else:
            send_json(handler, {"message": "ok"})

    with (
        hostile_server(reply) as url,
        InfobipProvider(url, "key", **FAST) as provider,
        pytest.raises(TodokuError),
    ):
        provider.is_listed(ListKind.BOUNCES, "taro@example.jp")
