"""The window at start-up, on a live Infobip account whose last deletion was killed mid-run:
each address the deletion never recorded is checked against Infobip's list (here nothing was
sent, so both are still listed) and said so in the status panel, its claims are released, and
削除履歴's 再試行 is offered for it. Before the settle, the window said nothing and the
addresses stayed claimed for ever; before the exact check, they were settled as 「結果不明」."""

from __future__ import annotations

from pathlib import Path

from app.core.accounts import Account, ProviderName, save_credentials
from app.core.deletion.plan import base_host
from app.core.storage.journal import (
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
)
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.types import ListKind
from app.sandbox import infobip_server
from app.ui import texts
from app.ui.delete.history_dialog import HistoryDialog
from tests.core.providers.harness import dataset

TIMEOUT_MS = 15_000


def test_a_killed_infobip_deletion_is_checked_at_start_up(
    qtbot, make_window, secrets, tmp_path: Path, journal
) -> None:
    addresses = ["user0001@example.jp", "user0002@example.jp"]
    with infobip_server.InfobipSandbox(dataset()) as sandbox:
        account = Account("本番", ProviderName.INFOBIP, base_url=sandbox.base_url)
        save_credentials(account, secrets, {"api_key": infobip_server.SANDBOX_API_KEY})
        SettingsStore(tmp_path / "data" / "settings.json").save(
            AppSettings(practice_mode=False, accounts=(account,), active_account="本番")
        )
        meta = OperationMeta("本番 infobip:本番", base_host=base_host(sandbox.base_url))
        operation_id = journal.create_operation(
            meta, [NewEntry(ListKind.BOUNCES, e) for e in addresses]
        )
        journal.set_state(operation_id, OperationState.RUNNING)  # then the process was killed

        window = make_window(journal=journal)
        panel = window.status_panel
        qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: not window.controller.deletion.is_running(), timeout=5000)
        text = panel.message_label.text()
        assert text.startswith("前回の削除が途中で終了しました。"), text
        assert "Infobip の状態を確認し、記録を更新しました" in text, text
        assert "削除済み 0 件、削除されていない 2 件" in text and "結果不明" not in text, text
        assert "必要ならもう一度削除してください" in text, text
        assert panel.next_step_label.text() == texts.RECONCILE_NEXT_STEP
        assert not [r for r in sandbox.request_log if r.method == "DELETE"]  # nothing sent
        asked = [r for r in sandbox.request_log if r.path == "/email/1/suppressions"]
        assert {r.query["emailAddress"][0] for r in asked} == set(addresses)

        record = journal.operation(operation_id)
        assert record is not None and record.state is OperationState.RECONCILED
        entries = journal.entries(operation_id)
        assert [(e.email, e.result) for e in entries] == [
            (e, EntryResult.STILL_LISTED) for e in addresses
        ]
        # 削除履歴 offers 再試行 for the checked record (its addresses still listed).
        dialog = HistoryDialog(journal, window)
        qtbot.addWidget(dialog)
        assert dialog.operations_model.rowCount() == 1
        assert getattr(dialog.operations_model.record(0), "id", None) == operation_id
        dialog.operations_view.selectRow(0)
        assert dialog.retry_button.isEnabled()
        dialog.close()
        # The claims are released: a new deletion of the same addresses is not refused.
        claim = journal.claim_operation(meta, [NewEntry(ListKind.BOUNCES, e) for e in addresses])
        assert claim.operation_id is not None and claim.conflicts == ()
        window.close()


def test_a_deletion_running_in_another_process_of_this_pc_is_left_alone(
    qtbot, make_window, secrets, tmp_path: Path, journal
) -> None:
    """todoku-cli (here: this test, holding the operation as a running deletion does) deletes
    while the window starts: the window's reconcile leaves it and says where it runs. Without
    the SQLite journal's operation locks, the window would close it and release its claims."""
    with infobip_server.InfobipSandbox(dataset()) as sandbox:
        account = Account("本番", ProviderName.INFOBIP, base_url=sandbox.base_url)
        save_credentials(account, secrets, {"api_key": infobip_server.SANDBOX_API_KEY})
        SettingsStore(tmp_path / "data" / "settings.json").save(
            AppSettings(practice_mode=False, accounts=(account,), active_account="本番")
        )
        meta = OperationMeta("CLI infobip:本番", base_host=base_host(sandbox.base_url))
        operation_id = journal.create_operation(meta, [NewEntry(ListKind.BOUNCES, "a@example.jp")])
        journal.set_state(operation_id, OperationState.RUNNING)
        assert journal.take_over(operation_id)  # the deleting process holds it

        window = make_window(journal=journal)
        line = window.range_bar.progress_label
        qtbot.waitUntil(lambda: "このPCのほかの" in line.text(), timeout=TIMEOUT_MS)
        assert f"記録番号 #{operation_id}" in line.text()
        record = journal.operation(operation_id)
        assert record is not None and record.state is OperationState.RUNNING
        journal.release(operation_id)
        window.close()


def test_a_deletion_killed_while_the_window_is_open_is_checked_when_it_holds_rows(
    qtbot, make_window, secrets, tmp_path: Path, journal
) -> None:
    """Another Todoku of this PC was killed mid-deletion after this window started: deleting
    one of its addresses here is refused as held (「…さんが から削除中」); the window then
    checks the dead deletion at once (notice: the address is still listed), and the next
    delete goes through."""
    import time

    from app.sandbox.esp_practice import PRACTICE_DOMAINS, PracticeRecord
    from tests.helpers.ui import check_rows, fetch
    from tests.ui.test_window_delete import Confirmer, ResultRunner, run_delete

    now = int(time.time())
    records = [
        PracticeRecord(
            "bounce", f"held{i}@example.jp", now - 3600 * (i + 1), "550 5.1.1 unknown", "5.1.1",
            "件名", "info@shop.example.jp", PRACTICE_DOMAINS[0],
        )
        for i in range(2)
    ]  # fmt: skip
    with infobip_server.InfobipSandbox(records) as sandbox:
        account = Account("本番", ProviderName.INFOBIP, base_url=sandbox.base_url)
        save_credentials(account, secrets, {"api_key": infobip_server.SANDBOX_API_KEY})
        SettingsStore(tmp_path / "data" / "settings.json").save(
            AppSettings(practice_mode=False, accounts=(account,), active_account="本番")
        )
        results = ResultRunner(qtbot)
        window = make_window(journal=journal, confirm=Confirmer(), show_delete_result=results)
        fetch(qtbot, window, lists=(ListKind.BOUNCES,))
        (entry,) = check_rows(window, [0])
        # The other Todoku's deletion of that address, left "running" by its kill.
        config = window.controller.accounts.config()
        meta = OperationMeta(
            config.account_label, config.subuser, config.region, base_host(sandbox.base_url)
        )
        dead = journal.create_operation(meta, [NewEntry(ListKind.BOUNCES, entry.email)])
        journal.set_state(dead, OperationState.RUNNING)

        run_delete(qtbot, window)
        (held,) = results.reports
        assert [c.email for c in held.conflicts] == [entry.email] and held.outcomes == ()
        panel = window.status_panel
        qtbot.waitUntil(
            lambda: "削除されていない 1 件" in panel.message_label.text(), timeout=TIMEOUT_MS
        )
        qtbot.waitUntil(lambda: not window.controller.deletion.is_running(), timeout=5000)
        record = journal.operation(dead)
        assert record is not None and record.state is OperationState.RECONCILED
        (entry_record,) = journal.entries(dead)
        assert entry_record.result is EntryResult.STILL_LISTED  # nothing had been sent

        check_rows(window, [0])
        run_delete(qtbot, window)
        (outcome,) = results.reports[-1].outcomes
        assert (outcome.email, results.reports[-1].conflicts) == (entry.email, ())
        assert entry.email not in sandbox.emails("BOUNCE")
        window.close()
