"""削除履歴 › 再試行 of a practice deletion made before the app was restarted. The practice server
is started afresh by every session on a new loopback port, and the retry compares that port
with the one recorded: it refuses and tells the operator, who is in practice mode, to switch to
the account the deletion was made on (「練習モードかどうかも同じ」) — which they already are on.
No switch can ever satisfy it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.types import ListKind
from app.ui.delete.history_dialog import HistoryDialog
from tests.helpers.ui import check_rows, fetch
from tests.ui.test_window_delete import Confirmer, ResultRunner, run_delete


def test_retrying_yesterdays_practice_deletion_does_not_ask_to_switch_accounts(
    qtbot, make_window, sandbox_factory, journal
) -> None:
    first = make_window(
        journal=journal, confirm=Confirmer(), show_delete_result=ResultRunner(qtbot)
    )
    fetch(qtbot, first, lists=(ListKind.BOUNCES,))
    check_rows(first, [0, 1])
    sandbox_factory.sandbox.fail_next(10, 400, path_prefix="/v3/suppression/bounces")
    run_delete(qtbot, first)  # both addresses failed: the journal offers a retry
    first.close()  # the app is closed; the practice server stops with it

    def run_history(dialog: HistoryDialog) -> int:
        dialog.operations_view.selectRow(0)
        if dialog.retry_button.isEnabled():  # offered (found so): the operator clicks it
            qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    second = make_window(  # the next session, practice mode again
        journal=journal,
        confirm=Confirmer(),
        show_delete_result=ResultRunner(qtbot),
        run_history_dialog=run_history,
    )
    assert second.controller.connection.practice
    fetch(qtbot, second, lists=(ListKind.BOUNCES,))  # its own practice server, a new port
    errors: list = []
    second.controller.deletion.failed.connect(errors.append)
    second.window_actions.history_action.trigger()
    qtbot.waitUntil(lambda: not second.controller.deletion.is_running(), timeout=15_000)

    # Found: InvalidInputError 「この削除は別のアカウントまたは接続先で行われたため、ここからは
    # 再試行できません。」「削除したときと同じアカウント（練習モードかどうかも同じ）に切り替えて
    # ください。」 (deletion/run.retry_failed → plan.same_account compares host:port).
    messages = [f"{e.message_ja} {e.next_step_ja}" for e in errors]
    assert not any("切り替えて" in m for m in messages), messages
