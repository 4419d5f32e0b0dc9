"""CMC blocks: by default nothing is sent to cancel a block; the operator gets a console guide."""

from __future__ import annotations

from app.core.providers.base import deletion_guidance, deletion_mode
from app.core.providers.cmc import GUIDANCE_DETAIL, CmcProvider
from app.core.providers.cmc_codes import describe_status, status_for
from app.core.types import DeleteMode, DeleteStatus, ListKind
from app.sandbox import cmc_server
from tests.core.providers.harness import RANGE, dataset


def provider(sandbox, **options) -> CmcProvider:
    return CmcProvider(
        cmc_server.SANDBOX_API_USER,
        cmc_server.SANDBOX_API_KEY,
        cmc_server.SANDBOX_SERVER,
        base_url=sandbox.base_url,
        **options,
    )


def test_default_delete_sends_nothing_and_guides() -> None:
    # The imitation does not even serve the guessed cancel path unless asked to.
    with cmc_server.CmcSandbox(dataset()) as sandbox, provider(sandbox) as cmc:
        entries = cmc.fetch(RANGE, [ListKind.BLOCKS]).entries
        emails = [entries[0].email, entries[1].email]
        sandbox.clear_log()
        assert deletion_mode(cmc, ListKind.BLOCKS) is DeleteMode.GUIDANCE
        assert deletion_mode(cmc, ListKind.BOUNCES) is DeleteMode.NONE
        outcomes = cmc.delete(ListKind.BLOCKS, emails)
        guide = deletion_guidance(cmc, ListKind.BLOCKS, emails)
        assert sandbox.request_log == []
        assert {o.status for o in outcomes} == {DeleteStatus.FAILED}
        assert outcomes[0].detail == GUIDANCE_DETAIL
        assert guide is not None and guide.emails == tuple(emails)
        text = guide.as_text()
        assert cmc_server.SANDBOX_SERVER in text and emails[1] in text and "解除" in text
        assert set(emails) <= sandbox.emails("blocks")


def test_explicit_setting_uses_the_cancel_api() -> None:
    with cmc_server.CmcSandbox(dataset(), cancel_api=True) as sandbox:
        with provider(sandbox, block_cancel_api=True) as cmc:
            assert deletion_mode(cmc, ListKind.BLOCKS) is DeleteMode.API
            assert deletion_guidance(cmc, ListKind.BLOCKS, ["a@example.jp"]) is None
            email = sorted(sandbox.emails("blocks"))[0]  # not fetched: the id is looked up
            (outcome,) = cmc.delete(ListKind.BLOCKS, [email])
        assert outcome.status is DeleteStatus.DELETED
        assert email not in sandbox.emails("blocks")
        paths = [r.path for r in sandbox.request_log]
        assert paths == ["/transaction/v2/blocks/list.json", "/transaction/v2/blocks/cancel.json"]


def test_every_documented_status_code_is_explained() -> None:
    for code in [*map(str, range(1, 12)), "99"]:
        status = status_for(code)
        assert status.label_ja and status.explanation_ja and not status.label_ja.startswith("不明")
    assert describe_status("2") == "2 ユーザ不明"
    assert status_for("42").label_ja == "不明なコード 42"


def test_bounces_carry_the_code_and_the_smtp_text() -> None:
    with cmc_server.CmcSandbox(dataset()) as sandbox, provider(sandbox) as cmc:
        entries = cmc.fetch(RANGE, [ListKind.BOUNCES]).entries
        form = sandbox.request_log[0].body.decode()
    assert all(e.status.split()[0] in {"2", "5", "99"} for e in entries)
    assert any("User unknown" in e.reason for e in entries)
    assert "start_date=2026-10-03" in form and "end_date=2026-10-07" in form and "r=100" in form
