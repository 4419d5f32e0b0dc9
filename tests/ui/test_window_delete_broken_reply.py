"""A deletion answered with a broken 200 reply (a proxy's HTML page, a cut JSON body): the
sandbox deleted nothing, so the window must not record or show the addresses as deleted.

SendGrid answers a deletion with 204 and no body; such a 200 used to be taken for success, and
the deletion history (the audit record) said the addresses were deleted while SendGrid still
suppressed them."""

from __future__ import annotations

import pytest

from app.core.types import ListKind
from tests.helpers.ui import check_rows, fetch
from tests.ui.test_window_delete import Confirmer, ResultRunner, grid_keys, run_delete


@pytest.mark.parametrize("fault", ["garbage", "deep"])
def test_broken_reply_to_delete_is_not_recorded_as_deleted(
    qtbot, make_window, sandbox_factory, journal, fault
) -> None:
    results = ResultRunner(qtbot)
    window = make_window(journal=journal, confirm=Confirmer(), show_delete_result=results)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    sandbox = sandbox_factory.sandbox
    chosen = check_rows(window, [0, 1, 2])
    # The bulk DELETE gets a 200 whose body is not SendGrid's (SendGrid answers 204, no body):
    # nginx's "502 Bad Gateway" page / a JSON body cut short / JSON nested 100,000 deep.
    # Every attempt, the bulk one and the address-by-address retries, gets the broken reply.
    sandbox.fail_next(100, fault, path_prefix="/v3/suppression/bounces", method="DELETE")

    run_delete(qtbot, window)

    still_listed = {r.email for r in sandbox.records("bounces")}
    assert {e.email for e in chosen} <= still_listed  # the sandbox really deleted nothing
    (report,) = results.reports
    assert not report.succeeded, [o.email for o in report.succeeded]
    assert all(e.key in grid_keys(window) for e in chosen)
    (operation,) = journal.list_operations()
    assert operation.succeeded == 0, (operation.succeeded, operation.failed)
