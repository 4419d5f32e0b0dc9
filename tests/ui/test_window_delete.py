"""Guided deletion from the main window against the loopback sandbox: confirm, delete, record,
drop exactly the deleted rows, retry failures, cancel, history, and the start-up notice."""

from __future__ import annotations

import json
from collections import Counter

from PySide6.QtCore import Qt

from app.core.deletion.plan import DeletionPlan
from app.core.deletion.run import DeletionReport
from app.core.storage.journal import (
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
)
from app.core.storage.secrets import SENDGRID_KEY
from app.core.types import ListKind
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox
from app.ui import texts
from app.ui.delete.delete_result import DeleteResultDialog
from app.ui.delete.history_dialog import HistoryDialog
from app.ui.models.entry_table import ENTRY_ROLE, Column
from tests.helpers.ui import TEST_KEY, check_rows, fetch

DELETE_TIMEOUT_MS = 15_000


class Confirmer:
    """The injected confirmation: remembers each plan, answers with a note or None (cancel)."""

    def __init__(self, answer: str | None = "テスト削除") -> None:
        self.answer = answer
        self.calls: list[tuple[DeletionPlan, bool]] = []

    def __call__(self, plan: DeletionPlan, parent, *, practice: bool) -> str | None:
        self.calls.append((plan, practice))
        return self.answer


class ResultRunner:
    """The injected result dialog: builds the real DeleteResultDialog and clicks retry or close."""

    def __init__(self, qtbot, retry_answers: list[bool] | None = None) -> None:
        self.qtbot = qtbot
        self.retry_answers = list(retry_answers or [])
        self.reports: list[DeletionReport] = []
        self.retry_enabled: list[bool] = []

    def __call__(self, report: DeletionReport, parent) -> bool:
        self.reports.append(report)
        dialog = DeleteResultDialog(report, parent)
        self.qtbot.addWidget(dialog)
        self.retry_enabled.append(dialog.retry_button.isEnabled())
        retry = self.retry_answers.pop(0) if self.retry_answers else False
        button = dialog.retry_button if retry else dialog.close_button
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        return dialog.result() == DeleteResultDialog.RETRY


def grid_keys(window) -> Counter:
    model = window.model
    return Counter(model.index(r, 0).data(ENTRY_ROLE).key for r in range(model.rowCount()))


def run_delete(qtbot, window) -> None:
    """Click the delete button and wait until the deletion job (and any retry) has ended."""
    deletion = window.controller.deletion
    with qtbot.waitSignal(
        deletion.running, timeout=DELETE_TIMEOUT_MS, check_params_cb=lambda r: not r
    ):
        qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not deletion.is_running(), timeout=DELETE_TIMEOUT_MS)


def delete_requests(sandbox: SendGridSandbox) -> list:
    return [r for r in sandbox.request_log if r.method == "DELETE"]


def test_delete_removes_exactly_the_checked_rows(
    qtbot, make_window, sandbox_factory, journal
) -> None:
    confirm = Confirmer()
    results = ResultRunner(qtbot)
    window = make_window(journal=journal, confirm=confirm, show_delete_result=results)
    fetch(qtbot, window, lists=(ListKind.BOUNCES, ListKind.BLOCKS))
    sandbox = sandbox_factory.sandbox
    model = window.model
    assert not window.list_page.delete_bar.delete_button.isEnabled()  # nothing checked yet
    window.table.horizontalHeader().setSortIndicator(Column.EMAIL, Qt.SortOrder.AscendingOrder)
    chosen = check_rows(window, [0, 3, 7])
    # Re-sorting moves the rows: what gets deleted is read from the model, not row numbers.
    window.table.horizontalHeader().setSortIndicator(Column.CREATED, Qt.SortOrder.DescendingOrder)
    assert "3 件" in window.list_page.delete_bar.delete_button.text()
    assert window.list_page.delete_bar.checked_label.text() == texts.CHECKED_COUNT.format(checked=3)
    before_grid = grid_keys(window)
    before_sandbox = {kind: len(sandbox.records(kind.value)) for kind in ListKind}
    sandbox.clear_log()

    run_delete(qtbot, window)

    ((plan, practice),) = confirm.calls
    assert practice is True
    assert sorted(i.entry.key for i in plan.items) == sorted(e.key for e in chosen)
    expected = before_grid - Counter(e.key for e in chosen)
    assert grid_keys(window) == expected
    assert model.total == sum(before_grid.values()) - 3
    assert model.checked_count == 0
    assert not window.list_page.delete_bar.delete_button.isEnabled()
    sent = Counter()
    for request in delete_requests(sandbox):
        kind = request.path.rsplit("/", 1)[1]
        sent.update((kind, email) for email in json.loads(request.body)["emails"])
    assert sent == Counter((e.list_kind.value, e.email) for e in chosen)
    for kind in ListKind:
        gone = sum(1 for e in chosen if e.list_kind is kind)
        assert len(sandbox.records(kind.value)) == before_sandbox[kind] - gone
        remaining = {r.email for r in sandbox.records(kind.value)}
        assert not remaining & {e.email for e in chosen if e.list_kind is kind}
    (report,) = results.reports
    assert (len(report.succeeded), len(report.failed), report.practice) == (3, 0, True)
    assert results.retry_enabled == [False]
    (operation,) = journal.list_operations()
    assert operation.state is OperationState.DONE and operation.practice
    assert (operation.total, operation.succeeded, operation.note) == (3, 3, "テスト削除")
    assert "3 件を削除しました" in window.range_bar.progress_label.text()
    assert window.range_bar.fetch_button.isVisible() and window.range_bar.fetch_button.isEnabled()


def test_cancel_at_confirmation_sends_nothing(qtbot, make_window, sandbox_factory, journal) -> None:
    confirm = Confirmer(answer=None)
    results = ResultRunner(qtbot)
    window = make_window(journal=journal, confirm=confirm, show_delete_result=results)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    sandbox = sandbox_factory.sandbox
    check_rows(window, [1, 2])
    before = grid_keys(window)
    sandbox.clear_log()
    qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
    # The confirmation may come after a job (the key read ahead): wait for it, not a fixed time.
    qtbot.waitUntil(lambda: len(confirm.calls) >= 1, timeout=10_000)
    qtbot.wait(100)  # anything sent after the cancel would be on its way now
    assert len(confirm.calls) == 1
    assert not window.controller.deletion.is_running()
    assert delete_requests(sandbox) == []
    assert grid_keys(window) == before
    assert window.model.checked_count == 2  # the operator's choice is kept
    assert results.reports == []
    assert journal.list_operations() == ()


def test_partial_failure_keeps_failed_rows_and_the_result_dialog_retries(
    qtbot, make_window, sandbox_factory, journal
) -> None:
    confirm = Confirmer()
    results = ResultRunner(qtbot, retry_answers=[True, False])
    window = make_window(journal=journal, confirm=confirm, show_delete_result=results)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    sandbox = sandbox_factory.sandbox
    chosen = check_rows(window, [0, 1, 2])
    first = window.model.checked_items()[0][0]  # the plan keeps the model's arrival order
    # The bulk request fails, then the first one-by-one delete; the other two go through.
    sandbox.fail_next(2, 400, path_prefix="/v3/suppression/bounces")
    before = grid_keys(window)
    removed_first: list = []
    window.controller.deletion.rows_removed.connect(
        lambda n: removed_first.append(grid_keys(window))
    )

    run_delete(qtbot, window)

    failed_report, retry_report = results.reports
    assert [o.email for o in failed_report.failed] == [first.email]
    assert results.retry_enabled == [True, False]
    # After the first run the failed row was still in the grid (and the other two were not).
    assert removed_first[0] == before - Counter(e.key for e in chosen if e is not first)
    assert (len(retry_report.succeeded), len(retry_report.failed)) == (1, 0)
    assert grid_keys(window) == before - Counter(e.key for e in chosen)
    assert first.email not in {r.email for r in sandbox.records("bounces")}
    retry, original = journal.list_operations()
    assert retry.retry_of == original.id
    assert (original.succeeded, original.failed) == (2, 1)
    assert (retry.total, retry.succeeded) == (1, 1)


def test_history_action_opens_the_dialog_and_retries_an_operation(
    qtbot, make_window, sandbox_factory, journal
) -> None:
    seen: list[HistoryDialog] = []
    seen_rows: list[int] = []

    def run_history(dialog: HistoryDialog) -> int:
        seen.append(dialog)  # not qtbot.addWidget: the controller deletes the dialog itself
        seen_rows.append(dialog.operations_model.rowCount())
        dialog.operations_view.selectRow(0)
        assert dialog.retry_button.isEnabled()
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    results = ResultRunner(qtbot, retry_answers=[False, False])
    window = make_window(
        journal=journal,
        confirm=Confirmer(),
        show_delete_result=results,
        run_history_dialog=run_history,
    )
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    sandbox = sandbox_factory.sandbox
    chosen = check_rows(window, [0, 1])
    sandbox.fail_next(3, 400, path_prefix="/v3/suppression/bounces")  # both fail
    run_delete(qtbot, window)
    assert len(results.reports[0].failed) == 2
    assert grid_keys(window)[chosen[0].key] == 1

    with qtbot.waitSignal(
        window.controller.deletion.running,
        timeout=DELETE_TIMEOUT_MS,
        check_params_cb=lambda r: not r,
    ):
        window.window_actions.history_action.trigger()
    assert len(seen) == 1 and seen_rows == [1]
    assert len(results.reports) == 2 and not results.reports[1].failed
    assert not {e.key for e in chosen} & set(grid_keys(window))
    assert journal.list_operations()[0].retry_of == journal.list_operations()[1].id


def test_cancel_during_delete_keeps_unsent_rows(
    qtbot, make_window, sandbox_factory, journal
) -> None:
    results = ResultRunner(qtbot)
    window = make_window(journal=journal, confirm=Confirmer(), show_delete_result=results)
    fetch(qtbot, window, lists=(ListKind.UNSUBSCRIBES,))
    sandbox = sandbox_factory.sandbox
    chosen = check_rows(window, list(range(6)))
    sandbox.configure(latency_ms=250)  # unsubscribes: one request per address
    deletion = window.controller.deletion
    with qtbot.waitSignal(deletion.running, timeout=DELETE_TIMEOUT_MS):
        qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
    assert not window.list_page.delete_bar.delete_button.isEnabled()
    assert window.range_bar.cancel_button.isVisible()
    assert not window.range_bar.fetch_button.isVisible()
    assert not window.controller.fetch.start(window.range_bar.date_range(), (ListKind.BOUNCES,))
    with qtbot.waitSignal(deletion.running, timeout=DELETE_TIMEOUT_MS):
        qtbot.mouseClick(window.range_bar.cancel_button, Qt.MouseButton.LeftButton)
    (report,) = results.reports
    assert report.cancelled and report.failed
    unsent = {o.email for o in report.failed}
    listed = {r.email for r in sandbox.records("unsubscribes")}
    assert unsent <= listed
    assert {e.email for e in chosen} - unsent <= {e.email for e in chosen} - listed
    shown = {key[1] for key in grid_keys(window)}
    assert {email.lower() for email in unsent} <= shown
    assert "キャンセル" in window.range_bar.progress_label.text()


def test_select_all_shown_checks_only_the_filtered_rows(qtbot, make_window, journal) -> None:
    window = make_window(journal=journal)
    fetch(qtbot, window)
    model = window.model
    domain = model.index(0, Column.DOMAIN).data()
    window.list_page.domain_filter.setCurrentIndex(window.list_page.domain_filter.findData(domain))
    window.list_page.domain_filter.activated.emit(window.list_page.domain_filter.currentIndex())
    assert 0 < model.rowCount() < model.total
    qtbot.mouseClick(window.list_page.delete_bar.check_shown_button, Qt.MouseButton.LeftButton)
    assert model.checked_count == model.rowCount()
    assert {e.domain for e, _ in model.checked_items()} == {domain}
    assert window.list_page.delete_bar.delete_button.isEnabled()
    assert window.window_actions.delete_action.isEnabled()
    qtbot.mouseClick(window.list_page.delete_bar.uncheck_button, Qt.MouseButton.LeftButton)
    assert model.checked_count == 0
    assert not window.list_page.delete_bar.delete_button.isEnabled()


def test_without_a_journal_delete_is_disabled(qtbot, make_window) -> None:
    window = make_window()  # journal=None: main.py passes None when the file cannot be opened
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    check_rows(window, [0])
    assert not window.list_page.delete_bar.delete_button.isEnabled()
    assert window.list_page.delete_bar.delete_button.toolTip() == texts.DELETE_NO_JOURNAL
    assert not window.window_actions.history_action.isEnabled()


def test_unfinished_operation_notice_at_start_up(qtbot, make_window, secrets, tmp_path, journal):
    still, gone = "still@example.jp", "gone@example.jp"
    sandbox = SendGridSandbox(
        records=[SandboxRecord("bounces", still, 1_700_000_000, "550 user unknown")],
        api_keys={TEST_KEY: None},
    )
    sandbox.start()
    try:
        operation_id = journal.create_operation(
            OperationMeta(account_label="本番", base_host=sandbox.base_url.removeprefix("http://")),
            [NewEntry(ListKind.BOUNCES, still), NewEntry(ListKind.BOUNCES, gone)],
        )
        journal.set_state(operation_id, OperationState.RUNNING)  # then the app "crashed"
        secrets.set(SENDGRID_KEY, TEST_KEY)
        settings_file = tmp_path / "data" / "settings.json"
        settings_file.write_text(json.dumps({"practice_mode": False}), encoding="utf-8")

        window = make_window(journal=journal, live_base_url=sandbox.base_url)
        assert not window.controller.connection.practice
        panel = window.status_panel
        qtbot.waitUntil(panel.isVisible, timeout=DELETE_TIMEOUT_MS)
        qtbot.waitUntil(lambda: not window.controller.deletion.is_running(), timeout=5000)
        text = panel.message_label.text()
        assert text.startswith("前回の削除が途中で終了しました")
        assert "削除済み 1 件、削除されていない 1 件" in text
        assert panel.next_step_label.text() == texts.RECONCILE_NEXT_STEP
        looked_up = sorted(r.path for r in sandbox.request_log if r.method == "GET")
        assert looked_up == [
            "/v3/suppression/bounces/gone%40example.jp",
            "/v3/suppression/bounces/still%40example.jp",
        ]
        assert delete_requests(sandbox) == []  # a check, never a delete
        operation = journal.operation(operation_id)
        assert operation is not None and operation.state is OperationState.RECONCILED
        results = {e.email: e.result for e in journal.entries(operation_id)}
        assert results == {still: EntryResult.STILL_LISTED, gone: EntryResult.GONE}
        window.close()
    finally:
        sandbox.stop()
