"""CMC blocks whose list reply carries no ``id``: the cancel request is never sent with the
text "None" as the id; the address is reported as not cancelled, with the console to use."""

from __future__ import annotations

from app.core.providers.cmc import CmcProvider
from app.core.types import DeleteStatus, ListKind
from app.sandbox import cmc_server
from tests.core.providers.harness import RANGE, dataset

CANCEL_PATH = "/transaction/v2/blocks/cancel.json"


def _provider(sandbox: cmc_server.CmcSandbox) -> CmcProvider:
    return CmcProvider(
        cmc_server.SANDBOX_API_USER,
        cmc_server.SANDBOX_API_KEY,
        cmc_server.SANDBOX_SERVER,
        base_url=sandbox.base_url,
        block_cancel_api=True,
    )


def test_a_looked_up_block_without_an_id_is_not_cancelled_as_none() -> None:
    with cmc_server.CmcSandbox(dataset(), cancel_api=True) as sandbox, _provider(sandbox) as cmc:
        sandbox.omit_block_ids = True
        email = sorted(sandbox.emails("blocks"))[0]  # not fetched: the id is looked up
        (outcome,) = cmc.delete(ListKind.BLOCKS, [email])
        # Before: the look-up answered "None" (str of a missing id) and the request went out
        # with id=None; the imitation's 404 then hid that the id was never known.
        assert [r.path for r in sandbox.request_log if r.path == CANCEL_PATH] == []
        assert outcome.status is DeleteStatus.FAILED
        assert "ID がない" in outcome.detail
        assert email in sandbox.emails("blocks")


def test_fetched_blocks_without_an_id_are_not_cancelled_as_none() -> None:
    with cmc_server.CmcSandbox(dataset(), cancel_api=True) as sandbox, _provider(sandbox) as cmc:
        sandbox.omit_block_ids = True
        entries = cmc.fetch(RANGE, [ListKind.BLOCKS]).entries
        emails = [entries[0].email, entries[1].email]
        sandbox.clear_log()
        outcomes = cmc.delete(ListKind.BLOCKS, emails)
        assert [r.path for r in sandbox.request_log if r.path == CANCEL_PATH] == []
        assert {o.status for o in outcomes} == {DeleteStatus.FAILED}
        assert set(emails) <= sandbox.emails("blocks")
