"""Accounts of every provider in the window: add them through the dialog (secrets only in the
SecretStore), switch, fetch each provider's practice imitation, the CMC guide instead of a delete
request, the journal naming provider and account, 接続テスト against the loopback imitations."""

from __future__ import annotations

import gc
import json
import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.accounts import Account, ProviderName
from app.core.errors import AuthError
from app.core.storage.journal import DeletionJournal
from app.core.types import ALL_LISTS, DateRange, DeleteMode, ListKind
from app.sandbox.practice import practice_credentials, practice_region, practice_sandbox
from app.ui import texts as shell_texts
from app.ui.accounts import account_texts
from app.ui.accounts.edit_dialog import AccountEditDialog
from app.ui.accounts.guidance_dialog import GuidanceDialog
from app.ui.accounts.manage_dialog import AccountsDialog
from app.ui.accounts.manage_flow import AccountsFlow
from app.ui.models.entry_table import ENTRY_ROLE, Column
from tests.helpers.ui import FETCH_TIMEOUT_MS, fetch

SECRETS = {
    ProviderName.SENDGRID: {"api_key": "SG.second-account-secret-0001"},
    ProviderName.CMC: {"api_user": "cmc-user-secret-0002", "api_key": "cmc-key-secret-0003"},
    ProviderName.INFOBIP: {"api_key": "ib-key-secret-0004"},
    ProviderName.SES: {
        "access_key_id": "AKIASECRETTEST00005",
        "secret_access_key": "ses-secret-access-key-0006",
    },
}
NAMES = {
    ProviderName.SENDGRID: "サブ",
    ProviderName.CMC: "CMC本番",
    ProviderName.INFOBIP: "Infobip本番",
    ProviderName.SES: "SES東京",
}
OTHERS = (ProviderName.CMC, ProviderName.INFOBIP, ProviderName.SES)
EXPECTED_LISTS = {
    ProviderName.CMC: {ListKind.BOUNCES, ListKind.BLOCKS},
    ProviderName.INFOBIP: {ListKind.BOUNCES, ListKind.SPAM_REPORTS, ListKind.BLOCKS},
    ProviderName.SES: {ListKind.BOUNCES, ListKind.SPAM_REPORTS},
}


class ProviderSandboxes:
    """The practice imitations the window starts (in this process, so a test can read their
    request logs); small practice data."""

    def __init__(self) -> None:
        self.built: dict[ProviderName, object] = {}

    def __call__(self, provider: ProviderName):
        sandbox = practice_sandbox(provider.value, entries=400, seed=3)
        self.built[provider] = sandbox
        return sandbox


class Guides:
    """The injected guidance dialog: remembers what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, guides, history, provider_label, api_count, parent) -> None:
        self.calls.append((guides, dict(history), provider_label, api_count))


class Confirmer:
    def __init__(self) -> None:
        self.calls = 0
        self.plans: list = []

    def __call__(self, plan, parent, *, practice: bool) -> str:
        self.calls += 1
        self.plans.append(plan)
        return "テスト"


@pytest.fixture
def sandboxes() -> ProviderSandboxes:
    return ProviderSandboxes()


@pytest.fixture
def journal(tmp_path: Path):
    opened = DeletionJournal(tmp_path / "data" / "journal.sqlite3")
    yield opened
    opened.close()


def settings_text(window) -> str:
    return window.controller.settings_keeper.path.read_text(encoding="utf-8")


def fill(dialog: AccountEditDialog, provider: ProviderName, base_url: str = "") -> None:
    """Type an account of ``provider`` into the dialog as an operator would."""
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData(provider.value))
    dialog.name_edit.setText(NAMES[provider])
    for name, value in SECRETS[provider].items():
        dialog.secrets[provider][name].edit.setText(value)
    if provider is ProviderName.CMC:
        dialog.cmc_server.setText("sv-practice")
    elif provider is ProviderName.INFOBIP:
        dialog.infobip_url.setText(base_url or "https://example.api.infobip.com")
    elif provider is ProviderName.SES:
        dialog.ses_region.setCurrentText("ap-northeast-1")
        dialog.ses_keys.setChecked(True)


def add_account(window, provider: ProviderName) -> None:
    def run_edit(dialog: AccountEditDialog) -> bool:
        fill(dialog, provider)
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        return dialog.result() == dialog.DialogCode.Accepted

    flow = AccountsFlow(window.controller.accounts, run_edit=run_edit)
    assert flow.add()


def fetch_wide(qtbot, window) -> None:
    """The practice data spans 60 days: fetch the last 30 (every list the provider has)."""
    today = window.range_bar.today
    window.range_bar.set_range(today - timedelta(days=30), today)
    window.range_bar.set_lists(ALL_LISTS)
    fetch(qtbot, window)


def grid_entries(window):
    model = window.model
    return [model.index(row, 0).data(ENTRY_ROLE) for row in range(model.rowCount())]


def check_where(window, predicate, limit: int = 10**9) -> list:
    model, chosen = window.model, []
    for row in range(model.rowCount()):
        entry = model.index(row, 0).data(ENTRY_ROLE)
        if predicate(entry) and len(chosen) < limit:
            model.setData(
                model.index(row, Column.CHECK),
                Qt.CheckState.Checked,
                Qt.ItemDataRole.CheckStateRole,
            )
            chosen.append(entry)
    return chosen


# -- adding accounts ------------------------------------------------------------------------


def test_add_an_account_of_each_provider_keeps_secrets_out_of_the_settings_file(
    make_window, secrets, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    window = make_window()
    for provider in ProviderName:
        add_account(window, provider)
    accounts = window.controller.accounts.accounts()
    assert [a.name for a in accounts] == ["SendGrid", *NAMES.values()]
    assert [a.provider for a in accounts[1:]] == list(ProviderName)
    by_name = {a.name: a for a in accounts}
    assert by_name["CMC本番"].server_composition == "sv-practice"
    assert by_name["Infobip本番"].base_url == "https://example.api.infobip.com"
    assert (by_name["SES東京"].region, by_name["SES東京"].aws_credentials) == (
        "ap-northeast-1",
        "keys",
    )
    text = settings_text(window)
    for provider, values in SECRETS.items():
        account = by_name[NAMES[provider]]
        for name, value in values.items():
            assert value not in text  # never in settings.json
            assert value not in caplog.text  # nor in the log
            assert secrets.get(account.secret_name(name)) == value  # only in the keyring
    stored = json.loads(text)
    assert stored["schema_version"] == 2 and len(stored["accounts"]) == 4
    # The chooser in the menu bar lists them; the default SendGrid account stays first.
    combo = window.account_bar.combo
    assert [combo.itemText(i) for i in range(combo.count())][:2] == [
        "SendGrid（既定）",
        "サブ（SendGrid）",
    ]


def test_a_new_account_starts_as_sendgrid(qtbot) -> None:
    dialog = AccountEditDialog(None, saved_secrets={}, taken_names=("SendGrid",))
    qtbot.addWidget(dialog)
    assert dialog.provider is ProviderName.SENDGRID
    assert dialog.provider_combo.currentText() == "SendGrid"
    assert dialog.provider_combo.isEnabled()  # still a choice


def test_names_must_be_unique_and_cmc_needs_its_server(qtbot) -> None:
    dialog = AccountEditDialog(None, saved_secrets={}, taken_names=("SendGrid", "本番"))
    qtbot.addWidget(dialog)
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData("cmc"))
    dialog.name_edit.setText("本番")
    assert dialog.problem() == account_texts.NAME_TAKEN.format(name="本番")
    dialog.name_edit.setText("新規")
    assert "サーバー構成" in dialog.problem()
    dialog.cmc_server.setText("sv1")
    assert dialog.problem() == ""
    assert dialog.new_credentials() == {}  # nothing typed: nothing to store


def test_an_infobip_url_the_key_must_not_go_to_cannot_be_saved(qtbot) -> None:
    dialog = AccountEditDialog(None, saved_secrets={}, taken_names=("SendGrid",))
    qtbot.addWidget(dialog)
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData("infobip"))
    dialog.name_edit.setText("本番")
    dialog.infobip_url.setText("http://xxxxx.api.infobip.com")
    assert "http://" in dialog.problem()
    dialog.infobip_url.setText("https://user:ib-key-0123@xxxxx.api.infobip.com")
    assert "パスワード" in dialog.problem() and "ib-key-0123" not in dialog.problem()
    dialog.infobip_url.setText("xxxxx.api.infobip.com")  # as the portal shows it: https
    assert dialog.problem() == ""


def test_editing_ses_from_keys_to_chain_forgets_the_key_pair(make_window, secrets) -> None:
    window = make_window()
    add_account(window, ProviderName.SES)
    accounts = window.controller.accounts
    account = next(a for a in accounts.accounts() if a.provider is ProviderName.SES)
    key_name = account.secret_name("secret_access_key")
    assert secrets.get(key_name)
    chain = Account(account.name, ProviderName.SES, region="ap-northeast-1")
    accounts.save_account(chain, {}, previous=account)
    assert secrets.get(key_name) == ""
    assert accounts.has_credentials(chain)  # the AWS chain is asked at the first request


def test_removing_an_account_forgets_its_secrets_and_returns_to_the_default(
    make_window, secrets
) -> None:
    window = make_window()
    add_account(window, ProviderName.INFOBIP)
    accounts = window.controller.accounts
    assert accounts.switch(NAMES[ProviderName.INFOBIP])
    account = accounts.current
    assert secrets.get(account.secret_name("api_key"))
    flow = AccountsFlow(accounts, confirm_remove=lambda name, parent: True)
    assert not flow.remove("SendGrid")  # the default account stays
    assert flow.remove(account.name)
    assert secrets.get(account.secret_name("api_key")) == ""
    assert accounts.current.is_default
    assert [a.name for a in accounts.accounts()] == ["SendGrid"]


# -- switching and practice fetches ---------------------------------------------------------


@pytest.mark.parametrize("provider", OTHERS, ids=lambda p: p.value)
def test_switch_and_fetch_each_provider_in_practice_mode(
    qtbot, make_window, sandboxes, provider
) -> None:
    window = make_window(provider_sandbox_factory=sandboxes)
    fetch_wide(qtbot, window)  # SendGrid's practice rows first
    assert window.model.total > 0
    add_account(window, provider)
    name = NAMES[provider]
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(name))
    bar.combo.activated.emit(bar.combo.currentIndex())

    account = window.controller.accounts.current
    assert account.name == name
    assert window.model.total == 0  # switching clears the grid
    assert account.label_ja in window.windowTitle() and "練習モード" in window.windowTitle()
    assert provider.label_ja in window.banner.text_label.text()
    boxes = window.range_bar.list_boxes
    shown = {kind for kind, box in boxes.items() if not box.isHidden()}
    assert shown == EXPECTED_LISTS[provider]
    assert not boxes[ListKind.INVALID_EMAILS].isVisibleTo(window)  # no provider here has it

    fetch_wide(qtbot, window)
    entries = grid_entries(window)
    assert entries, "the practice imitation served rows"
    assert {e.list_kind for e in entries} <= shown
    sandbox = sandboxes.built[provider]
    assert sandbox.request_log, "the fetch went to this provider's imitation"
    # 配信状況: no SendGrid statistics for this account, said as a note; the breakdown stays.
    assert "SendGrid のアカウントでのみ" in window.delivery_tab.message
    if provider is ProviderName.CMC:  # CMC's status codes come with their Japanese label
        assert any("ユーザ不明" in e.status for e in entries)
    # The cause column is filled for every row (same grid, same classifier).
    assert all(window.model.index(r, Column.CAUSE).data() for r in range(window.model.rowCount()))


def test_going_live_on_an_account_without_credentials_is_refused(make_window, secrets) -> None:
    window = make_window()
    add_account(window, ProviderName.CMC)
    accounts = window.controller.accounts
    account = next(a for a in accounts.accounts() if a.provider is ProviderName.CMC)
    accounts.switch(account.name)
    for name in ("api_user", "api_key"):
        secrets.delete(account.secret_name(name))
    errors = []
    window.controller.connection.failed.connect(errors.append)
    assert not window.controller.connection.set_practice(False)
    assert window.controller.connection.practice
    assert account.label_ja in errors[0].message_ja


def test_switching_to_an_account_without_credentials_while_live_goes_to_practice(
    make_window, secrets, live_sandbox
) -> None:
    from tests.helpers.ui import TEST_KEY

    secrets.set("sendgrid_api_key", TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    connection, accounts = window.controller.connection, window.controller.accounts
    assert connection.set_practice(False)
    accounts.save_account(Account("空", ProviderName.INFOBIP, base_url="https://x.example"), {})
    assert accounts.switch("空")
    assert connection.practice
    assert account_texts.SWITCHED_TO_PRACTICE.format(label="空（Infobip）") in (
        window.range_bar.progress_label.text()
    )


# -- deletion ---------------------------------------------------------------------------------


def test_cmc_shows_the_guide_instead_of_a_delete_request(
    qtbot, make_window, sandboxes, journal
) -> None:
    guides, confirm = Guides(), Confirmer()
    window = make_window(
        provider_sandbox_factory=sandboxes, show_guidance=guides, journal=journal, confirm=confirm
    )
    add_account(window, ProviderName.CMC)
    window.controller.accounts.switch(NAMES[ProviderName.CMC])
    fetch_wide(qtbot, window)
    sandbox = sandboxes.built[ProviderName.CMC]
    blocks = check_where(window, lambda e: e.list_kind is ListKind.BLOCKS, limit=5)
    bounces = check_where(window, lambda e: e.list_kind is ListKind.BOUNCES)
    assert blocks and bounces
    for request in sandbox.request_log:
        assert request.path.endswith("/list.json")
    sandbox.clear_log()

    window.list_page.delete_bar.delete_button.click()

    ((shown, history, provider_label, api_count),) = guides.calls
    (guide,) = shown
    assert guide.list_kind is ListKind.BLOCKS
    checked_blocks = {e.email for e in grid_entries(window) if e.list_kind is ListKind.BLOCKS}
    assert list(guide.emails) == [e.email for e in blocks]
    assert set(guide.emails) <= checked_blocks
    assert history == {ListKind.BOUNCES: len(bounces)}
    assert (provider_label, api_count) == ("カスタマーズメールクラウド", 0)
    assert sandbox.request_log == []  # nothing was sent: no cancel, not even a lookup
    assert confirm.calls == 0 and journal.list_operations() == ()
    assert window.model.checked_count == len(blocks) + len(bounces)  # rows stay in the grid


def test_infobip_delete_goes_through_the_api_and_the_journal_names_provider_and_account(
    qtbot, make_window, sandboxes, journal
) -> None:
    guides, confirm, reports = Guides(), Confirmer(), []
    window = make_window(
        provider_sandbox_factory=sandboxes,
        show_guidance=guides,
        journal=journal,
        confirm=confirm,
        show_delete_result=lambda report, parent: reports.append(report) is not None,
    )
    add_account(window, ProviderName.INFOBIP)
    window.controller.accounts.switch(NAMES[ProviderName.INFOBIP])
    fetch_wide(qtbot, window)
    check_where(window, lambda e: e.list_kind is ListKind.BOUNCES, limit=3)
    assert check_where(window, lambda e: e.list_kind is ListKind.BLOCKS, limit=1)
    sandbox = sandboxes.built[ProviderName.INFOBIP]
    sandbox.clear_log()
    with qtbot.waitSignal(
        window.controller.deletion.running,
        timeout=FETCH_TIMEOUT_MS,
        check_params_cb=lambda r: not r,
    ):
        window.delete_checked()
    assert guides.calls == [] and confirm.calls == 1
    # Infobip's blocks stop mail: the confirmation says deleting lets it go again, in
    # Infobip's name, not that "SendGrid keeps sending" as it said for every provider.
    blocks_warning = dict(confirm.plans[0].warnings)[ListKind.BLOCKS]
    assert blocks_warning.startswith("Infobip のブロックは") and "SendGrid" not in blocks_warning
    assert [r.method for r in sandbox.request_log].count("DELETE") >= 1
    (operation,) = journal.list_operations()
    assert operation.account_label == "練習モード infobip:Infobip本番"
    assert operation.succeeded == 4
    ((report),) = reports
    assert len(report.succeeded) == 4


def test_guidance_dialog_copies_and_saves_the_guide(qtbot, tmp_path: Path) -> None:
    from app.core.provider_factory import build_provider

    account = Account("CMC", ProviderName.CMC, server_composition="sv1")
    provider = build_provider(account, practice_credentials("cmc"), base_url="http://127.0.0.1:9")
    try:
        assert provider.delete_mode(ListKind.BLOCKS) is DeleteMode.GUIDANCE
        guide = provider.deletion_guidance(ListKind.BLOCKS, ["a@example.jp", "<b>@example.jp"])
    finally:
        provider.close()
    target = tmp_path / "guide.txt"
    dialog = GuidanceDialog(
        (guide,),
        {ListKind.BOUNCES: 2},
        "カスタマーズメールクラウド",
        0,
        ask_path=lambda parent, name: target,
    )
    qtbot.addWidget(dialog)
    assert "<b>@example.jp" in dialog.body.toPlainText()  # plain text, never markup
    assert "「バウンス」（2 件）" in dialog.body.toPlainText()
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == dialog.text
    assert "1. " in dialog.text and "a@example.jp" in dialog.text
    dialog.save_button.click()
    assert target.read_text(encoding="utf-8") == dialog.text
    assert str(target) in dialog.status.text()
    dialog._ask_path = lambda parent, name: tmp_path  # a folder: the OS says "Is a directory"
    dialog.save_button.click()
    assert "同じ名前のフォルダがあるため" in dialog.status.text()
    assert "directory" not in dialog.status.text()


# -- 接続テスト ------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", OTHERS, ids=lambda p: p.value)
def test_connection_test_per_account_against_the_imitation(
    qtbot, make_window, provider, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    window = make_window()
    sandbox = practice_sandbox(provider.value, entries=50, seed=2)
    url = sandbox.start()
    try:
        accounts = window.controller.accounts
        account = Account(
            "テスト",
            provider,
            base_url=url,
            server_composition=practice_credentials("cmc")["server_composition"],
            region=practice_region("ses"),
            aws_credentials="keys",
        )
        accounts.save_account(account, practice_credentials(provider.value))
        flow = AccountsFlow(accounts)
        dialog = AccountsDialog(flow.rows())
        qtbot.addWidget(dialog)
        flow.dialog = dialog
        dialog.test_requested.connect(flow.test)
        dialog.select("テスト")
        with qtbot.waitSignal(accounts.connection_tested, timeout=FETCH_TIMEOUT_MS) as good:
            dialog.test_button.click()
        name, permissions = good.args[0]
        assert (
            name == "テスト"
            and {p.list_kind for p in permissions}
            and all(p.can_read for p in permissions)
        )
        assert shell_texts.SETTINGS_TEST_OK in dialog.result_label.text()
        wrong = {k: "wrong" for k in practice_credentials(provider.value)}
        wrong.pop("server_composition", None)
        with qtbot.waitSignal(accounts.connection_tested, timeout=FETCH_TIMEOUT_MS) as bad:
            accounts.test(account, wrong)
        assert isinstance(bad.args[0][1], AuthError)
        secret = practice_credentials(provider.value)
        secret.pop("server_composition", None)
        secret.pop("access_key_id", None)  # an AWS key id is an identifier, not a secret
        for value in secret.values():
            assert value not in caplog.text
        flow.dialog = None
    finally:
        sandbox.stop()


def test_practice_mode_runs_each_other_provider_as_a_child_process() -> None:
    """The window's default factory: `todoku-cli sandbox --provider` in a child, reached with
    the imitation's practice credentials."""
    from app.core.dates import today_jst
    from app.core.provider_factory import build_provider
    from app.ui.connection.controller import provider_practice_sandbox

    for provider in OTHERS:
        sandbox = provider_practice_sandbox(provider.value)
        url = sandbox.start()
        try:
            account = Account(
                "練習",
                provider,
                server_composition="x",
                region=practice_region(provider.value),
                aws_credentials="keys",
            )
            credentials = practice_credentials(provider.value)
            today = today_jst()
            with build_provider(account, credentials, base_url=url) as client:
                result = client.fetch(
                    DateRange(today - timedelta(days=61), today), client.supported_lists()
                )
            assert len(result.entries) > 100, provider
        finally:
            sandbox.stop()


def test_history_keeps_each_accounts_rows_apart(qtbot, make_window, sandboxes, tmp_path) -> None:
    from app.core.dates import unix_bounds
    from app.core.storage.history.sqlite_store import SqliteHistoryStore

    path = tmp_path / "data" / "history.sqlite3"
    window = make_window(provider_sandbox_factory=sandboxes, history_path=path)
    fetch_wide(qtbot, window)  # the default SendGrid account's practice rows
    add_account(window, ProviderName.INFOBIP)
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(NAMES[ProviderName.INFOBIP]))
    bar.combo.activated.emit(bar.combo.currentIndex())
    fetch_wide(qtbot, window)
    infobip_emails = {entry.email for entry in grid_entries(window)}
    assert infobip_emails

    store = SqliteHistoryStore(path)
    try:
        accounts = {account.provider: account for account in store.accounts()}
        assert set(accounts) == {"sendgrid", "infobip"}  # two accounts, never one mix
        assert accounts["infobip"].account == NAMES[ProviderName.INFOBIP]
        today = window.range_bar.today
        start, end = unix_bounds(DateRange(today - timedelta(days=30), today))
        rows = store.open_range(accounts["infobip"], start, end, ALL_LISTS)
        assert {entry.email for entry in rows.entries()} == infobip_emails
    finally:
        store.close()


def test_a_second_sendgrid_account_keeps_its_own_history(
    qtbot, make_window, sandboxes, tmp_path
) -> None:
    # Two SendGrid accounts (two API keys) used to share the default's history rows, so the
    # second one's fetch could mark the first one's rows 他所で削除 and its trends mixed both.
    from app.core.storage.history.sqlite_store import SqliteHistoryStore

    path = tmp_path / "data" / "history.sqlite3"
    window = make_window(provider_sandbox_factory=sandboxes, history_path=path)
    fetch_wide(qtbot, window)  # the default SendGrid account
    add_account(window, ProviderName.SENDGRID)
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(NAMES[ProviderName.SENDGRID]))
    bar.combo.activated.emit(bar.combo.currentIndex())
    fetch_wide(qtbot, window)

    store = SqliteHistoryStore(path)
    try:
        names = sorted(account.account for account in store.accounts())
    finally:
        store.close()
    assert len(names) == 2, names
    assert NAMES[ProviderName.SENDGRID] in names


def test_the_default_account_says_kitei_once_in_the_list() -> None:
    """The list read 「SendGrid（既定）（既定）（使用中）」: the label already has （既定）."""
    from app.core.accounts import default_account
    from app.ui.accounts.manage_dialog import AccountRow

    line = AccountRow(default_account(), current=True, saved=False).text().splitlines()[0]
    assert line == "SendGrid（既定）" + account_texts.CURRENT_MARK
    other = Account(name="本番", provider=ProviderName.INFOBIP)
    assert AccountRow(other, current=False, saved=True).text().splitlines()[0] == "本番（Infobip）"


# -- fast clicks ----------------------------------------------------------------------------


def choose_account(window, name: str) -> None:
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(name))
    bar.combo.activated.emit(bar.combo.currentIndex())


def test_fast_clicks_switch_cancel_refetch_and_close_during_a_fetch(
    qtbot, make_window, sandboxes
) -> None:
    """An operator who clicks fast: 取得, switch (refused), キャンセル and switch at once, 取得 on
    the other account, again and again; then closes the window while a fetch runs. Meanwhile
    Python's collector must never run on a job's thread: it would free Qt objects there."""
    collections_on: set[int] = set()

    def note_collection(phase: str, info: dict) -> None:
        if phase == "start":
            collections_on.add(threading.get_ident())

    gc.callbacks.append(note_collection)
    try:
        fast_clicks(qtbot, make_window(provider_sandbox_factory=sandboxes))
    finally:
        gc.callbacks.remove(note_collection)
    assert collections_on <= {threading.get_ident()}


def fast_clicks(qtbot, window) -> None:
    add_account(window, ProviderName.INFOBIP)
    accounts, fetching = window.controller.accounts, window.controller.fetch
    default, other = accounts.current.name, NAMES[ProviderName.INFOBIP]
    today = window.range_bar.today
    window.range_bar.set_range(today - timedelta(days=30), today)
    window.range_bar.set_lists(ALL_LISTS)
    for turn in range(6):
        here, there = (default, other) if turn % 2 == 0 else (other, default)
        assert accounts.current.name == here
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
        assert fetching.is_running()
        bar = window.range_bar
        assert not fetching.start(bar.date_range(), bar.chosen_lists())  # a second 取得
        assert [job.name for job in window.controller.runner.active_jobs].count("fetch") == 1
        choose_account(window, there)
        assert accounts.current.name == here  # refused while the fetch runs
        window.controller.cancel_running()
        qtbot.waitUntil(lambda: not window.controller.runner.exclusive_busy, timeout=10_000)
        choose_account(window, there)  # the moment the lane is free
        assert accounts.current.name == there and window.model.total == 0
        assert not fetching.is_running()
    fetch_wide(qtbot, window)  # on the default account again, to the end
    assert window.model.total > 0 and not fetching.is_running()
    assert {e.list_kind for e in grid_entries(window)} == set(ALL_LISTS)  # SendGrid's lists
    qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    assert fetching.is_running()
    runner = window.controller.runner
    window.close()  # cancels and waits (bounded) for the jobs
    assert runner.pool_active_threads == 0
    qtbot.waitUntil(lambda: not runner.active_jobs, timeout=5_000)  # their last events
    assert not fetching.is_running()
