"""The DMARC tab in the real window: folder import of generated reports (zip, gz, xml and a
broken file), drag and drop, hostile report text kept plain, xlsx export, cancel, practice
reports with the loopback DNS imitation, the offline DNS message, and IMAP against a real
Dovecot. DNS in live mode goes to a closed loopback port, so "offline" is real, not mocked."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from app.core.dmarc.dns_check import make_resolver
from app.core.dmarc.imap_source import IMAP_PASSWORD_SECRET
from app.sandbox.dmarc_reports import generate_reports, pack, report_email
from app.ui.dmarc import texts
from app.ui.dmarc.controller import PRACTICE_BROKEN_NAME
from app.ui.dmarc.imap_dialog import ImapChoice, ImapDialog
from app.ui.dmarc.source_table import SOURCE_ROLE
from tests.helpers.dovecot_server import DovecotServer, running_dovecot

JOB_TIMEOUT_MS = 30_000
BROKEN_NAME = "broken!example.co.jp!1.xml.gz"
HOSTILE_ORG = '=HYPERLINK("http://evil.example/","click")'
HOSTILE_FROM = "<b>bold</b>.example.co.jp"


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def offline_window(make_window):
    """A window whose live DNS asks a closed loopback port (what an offline machine sees)."""
    port = _closed_port()
    window = make_window(dmarc_resolver=lambda: make_resolver("127.0.0.1", port, lifetime=0.5))
    window.tabs.setCurrentWidget(window.dmarc_tab)
    return window


def write_mixed_reports(folder: Path, count: int = 15) -> list[Path]:
    """Reports packed as xml, gz and zip in turn, plus one broken gzip."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = ("xml", "gz", "zip")
    paths = []
    for index, report in enumerate(generate_reports(count)):
        name, data = pack(report, kinds[index % 3])
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    broken = folder / BROKEN_NAME
    broken.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 10)
    return [*paths, broken]


def wait_idle(qtbot, window) -> None:
    dmarc = window.controller.dmarc
    qtbot.waitUntil(lambda: dmarc.job is None, timeout=JOB_TIMEOUT_MS)


def start_and_wait(qtbot, window, start) -> None:
    dmarc = window.controller.dmarc
    with qtbot.waitSignal(
        dmarc.running, timeout=JOB_TIMEOUT_MS, check_params_cb=lambda running: not running
    ):
        start()


def click_and_wait(qtbot, window, button) -> None:
    """Click ``button`` and wait until the DMARC job it starts has ended."""
    start_and_wait(qtbot, window, lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton))


def import_folder(qtbot, window, folder: Path, count: int = 15) -> None:
    """Generated reports in ``folder``, opened with フォルダを開く (the dialog answered)."""
    tab = window.dmarc_tab
    write_mixed_reports(folder, count)
    tab.choose_folder = lambda parent, start: [folder]
    click_and_wait(qtbot, window, tab.folder_button)


def table_texts(view) -> list[list[str]]:
    model = view.model
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_folder_import_fills_the_table_and_lists_the_broken_file(qtbot, offline_window, tmp_path):
    window, tab = offline_window, offline_window.dmarc_tab
    import_folder(qtbot, window, tmp_path / "reports")

    result = window.controller.dmarc.current.result
    assert result.reports == 15
    rows = table_texts(tab.view)
    assert len(rows) == len(result.sources) > 0
    verdicts = {row[0] for row in rows}
    assert "なりすましの疑い" in verdicts and "正常" in verdicts
    assert any(v.startswith("認証の設定漏れ") for v in verdicts)
    # Reverse names: DNS unreachable, said in Japanese, not left blank.
    assert {row[2] for row in rows} == {texts.OFFLINE_SHORT}
    # The broken file is listed with its Japanese reason; the others were read.
    [problem] = result.problems
    assert problem.origin.endswith(BROKEN_NAME)
    assert tab.problems_box.isVisible()
    assert f"{problem.origin}: {problem.reason_ja}" in tab.problems_box.toPlainText()
    assert "1 件" in tab.problems_label.text()
    assert tab.summary_label.text().startswith("レポート 15 件を読み込みました")
    assert "読み込めなかったファイル 1 件" in tab.summary_label.text()
    # The first row (failing first) is selected and explained in the details pane.
    assert tab.view.details.toPlainText().startswith("判定: ")
    assert "対応:" in tab.view.details.toPlainText()
    assert tab.export_button.isEnabled()
    # The charts got the days and reporters.
    chart = tab.view.day_chart
    assert len(chart.model().bars) == 3
    tab.view.sections.setCurrentIndex(1)
    chart.resize(600, 300)
    first_day = result.days[0]
    tooltip = chart.tooltip_at(chart._plot().left() + 1)
    assert f"メッセージ {first_day.messages:,} 通" in tooltip
    assert f"失敗 {first_day.dmarc_fail:,} 通" in tooltip
    assert tab.view.reporter_chart.model().total == result.messages


def url_mime(urls: list[QUrl]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(urls)
    return mime


def drag_enter(tab, mime: QMimeData) -> bool:
    """Send a drag entering the tab; True when the tab accepts it."""
    enter = QDragEnterEvent(
        tab.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.setAccepted(False)
    tab.dragEnterEvent(enter)
    return enter.isAccepted()


def test_dropped_files_are_imported(qtbot, offline_window, tmp_path):
    window, tab = offline_window, offline_window.dmarc_tab
    paths = write_mixed_reports(tmp_path / "dropped", count=6)
    mime = url_mime([QUrl.fromLocalFile(str(path)) for path in paths])
    assert drag_enter(tab, mime)
    drop = QDropEvent(
        QPointF(tab.rect().center()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    start_and_wait(qtbot, window, lambda: tab.dropEvent(drop))
    result = window.controller.dmarc.current.result
    assert result.reports == 6
    assert window.controller.dmarc.current.inputs == tuple(str(p) for p in paths)
    assert tab.view.model.rowCount() == len(result.sources) > 0
    assert BROKEN_NAME in tab.problems_box.toPlainText()


def test_a_drop_of_non_files_is_refused(qtbot, offline_window):
    tab = offline_window.dmarc_tab
    assert not drag_enter(tab, url_mime([QUrl("https://example.com/report.xml")]))


def hostile_report(header_from: str = HOSTILE_FROM) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>{_x(HOSTILE_ORG)}</org_name>
<email>a@evil.example</email><report_id>hostile-1</report_id>
<date_range><begin>1793491200</begin><end>1793577599</end></date_range></report_metadata>
<policy_published><domain>example.co.jp</domain><p>none</p></policy_published>
<record><row><source_ip>203.0.113.99</source_ip><count>7</count><policy_evaluated>
<disposition>none</disposition><dkim>fail</dkim><spf>fail</spf>
<reason><type>{_x("<img src=x onerror=alert(1)>")}</type></reason></policy_evaluated></row>
<identifiers><header_from>{_x(header_from)}</header_from></identifiers>
<auth_results><spf><domain>{_x(header_from)}</domain><result>fail</result></spf></auth_results>
</record></feedback>""".encode()


def _x(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


def test_hostile_report_text_stays_plain_and_exports_as_text(qtbot, offline_window, tmp_path):
    window, tab = offline_window, offline_window.dmarc_tab
    report = tmp_path / "hostile.xml"
    report.write_bytes(hostile_report())
    tab.choose_files = lambda parent, start: [report]
    click_and_wait(qtbot, window, tab.files_button)

    view = tab.view
    [row] = table_texts(view)
    assert row[3] == HOSTILE_FROM  # the text itself, not rendered
    details = view.details.toPlainText()
    assert HOSTILE_FROM in details and HOSTILE_ORG in details
    assert "<img src=x onerror=alert(1)>" in details
    tooltip = view.model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>bold</b>" not in tooltip and "&lt;b&gt;bold&lt;/b&gt;" in tooltip
    assert [r.label for r in view.reporter_chart.model().sections[0].rows] == [HOSTILE_ORG]
    for label in (tab.status_label, tab.summary_label, tab.problems_label):
        assert label.textFormat() == Qt.TextFormat.PlainText

    target = tmp_path / "out.xlsx"
    tab.choose_save_path = lambda parent, start: target
    click_and_wait(qtbot, window, tab.export_button)
    workbook = load_workbook(target)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    hostile = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert hostile, "the reporter name was exported"
    assert all(cell.data_type == "s" for cell in hostile)  # text, never a formula ("f")


def test_a_megabyte_field_is_cut_in_the_panes(qtbot, offline_window, tmp_path):
    """One unbroken 400,000-character domain from a stranger's report: Qt would wrap it glyph
    by glyph for minutes; the panes show a bounded head and say so."""
    window, tab = offline_window, offline_window.dmarc_tab
    report = tmp_path / "long.xml"
    report.write_bytes(hostile_report("a" * 400_000 + ".example.co.jp"))
    tab.choose_files = lambda parent, start: [report]
    click_and_wait(qtbot, window, tab.files_button)
    for pane in (tab.view.details, tab.view.domain_box):
        text = pane.toPlainText()
        assert len(text) < texts.PANE_CHARS + 200
    assert "長すぎるため" in tab.view.details.toPlainText()


def test_export_writes_a_workbook(qtbot, make_window, tmp_path):
    window = make_window()  # practice mode: the practice reports
    tab = window.dmarc_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.practice_button.isVisible()
    click_and_wait(qtbot, window, tab.practice_button)
    result = window.controller.dmarc.current.result
    target = tmp_path / "dmarc.xlsx"
    tab.choose_save_path = lambda parent, start: target
    click_and_wait(qtbot, window, tab.export_button)
    assert tab.status_label.text() == texts.EXPORT_DONE.format(path=target)
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["一覧", "集計", "条件"]
    assert workbook["一覧"].max_row == len(result.sources) + 1
    verdicts = {
        workbook["一覧"].cell(row, 1).value for row in range(2, workbook["一覧"].max_row + 1)
    }
    assert "なりすましの疑い" in verdicts


def test_practice_reports_and_the_practice_dns_check(qtbot, make_window):
    window = make_window()
    tab = window.dmarc_tab
    window.tabs.setCurrentWidget(tab)
    # The practice set has a broken file on purpose; said before and in its name, so that the
    # red 「読み込めなかったファイル」 does not look like a fault of the app.
    assert "わざと壊した" in tab.status_label.text()
    click_and_wait(qtbot, window, tab.practice_button)
    result = window.controller.dmarc.current.result
    assert result.reports == 40 and result.duplicates == 1
    assert PRACTICE_BROKEN_NAME in tab.problems_box.toPlainText()
    assert "練習用_わざと壊した" in tab.problems_box.toPlainText()
    reverse = {row[1]: row[2] for row in table_texts(tab.view)}
    assert reverse["192.0.2.10"] == "mail1.example.co.jp"
    assert "SendGrid" in reverse["198.51.100.21"]  # organisation from the reverse name
    tab.view.selectors_edit.setText("s1")
    click_and_wait(qtbot, window, tab.view.check_button)
    text = tab.view.domain_box.toPlainText()
    assert "v=DMARC1; p=none" in text
    assert "DKIM（s1._domainkey.example.co.jp）: あり" in text
    assert "quarantine" in text  # the policy advice
    assert tab.view.sections.currentIndex() == 2


def test_practice_button_only_in_practice_mode(qtbot, make_window, secrets, live_sandbox):
    from app.core.storage.secrets import SENDGRID_KEY
    from tests.helpers.ui import TEST_KEY

    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    tab = window.dmarc_tab
    window.tabs.setCurrentWidget(tab)
    assert window.controller.connection.set_practice(True)
    assert tab.practice_button.isVisible()
    assert window.controller.connection.set_practice(False)
    assert not tab.practice_button.isVisible()
    assert not window.controller.dmarc.load_practice()  # live mode: no made-up reports
    assert window.controller.dmarc.job is None


def test_dns_check_offline_says_so(qtbot, offline_window, tmp_path):
    window, tab = offline_window, offline_window.dmarc_tab
    import_folder(qtbot, window, tmp_path / "reports", count=5)
    click_and_wait(qtbot, window, tab.view.check_button)
    assert tab.status_label.text() == texts.DNS_OFFLINE
    text = tab.view.domain_box.toPlainText()
    assert "DNS: DNS に問い合わせできないため" in text
    assert "p=none" in text  # advice from the policy the reports carried


def test_cancel_keeps_the_shown_result(qtbot, offline_window, tmp_path):
    window, tab = offline_window, offline_window.dmarc_tab
    folder = tmp_path / "many"
    write_mixed_reports(folder, count=300)
    tab.choose_folder = lambda parent, start: [folder]

    def start_then_cancel() -> None:
        qtbot.mouseClick(tab.folder_button, Qt.MouseButton.LeftButton)
        assert tab.cancel_button.isVisible()
        assert not tab.folder_button.isEnabled()
        qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)

    start_and_wait(qtbot, window, start_then_cancel)
    assert tab.status_label.text() == texts.IMPORT_CANCELLED
    assert window.controller.dmarc.current is None
    assert tab.view.model.rowCount() == 0
    assert not tab.cancel_button.isVisible() and tab.folder_button.isEnabled()


@pytest.fixture(scope="module")
def dovecot() -> Iterator[DovecotServer]:
    yield from running_dovecot()


def test_imap_dialog_reads_a_real_mailbox_and_keeps_the_password_in_the_store(
    qtbot, offline_window, secrets, dovecot
):
    import imaplib
    import ssl

    context = ssl.create_default_context(cafile=str(dovecot.cert))
    admin = imaplib.IMAP4_SSL("127.0.0.1", dovecot.port, ssl_context=context, timeout=10)
    admin.login(dovecot.username, dovecot.password)
    admin.create("DmarcTab")
    for report in generate_reports(5):
        admin.append("DmarcTab", None, None, report_email(report))
    admin.logout()

    window, tab = offline_window, offline_window.dmarc_tab
    seen: list[ImapDialog] = []

    def answer(dialog: ImapDialog):
        seen.append(dialog)
        assert dialog.tls_check.isChecked() and not dialog.tls_check.isEnabled()
        dialog.host_edit.setText("127.0.0.1")
        dialog.port_spin.setValue(dovecot.port)
        dialog.user_edit.setText(dovecot.username)
        dialog.folder_edit.setText("DmarcTab")
        dialog.password_edit.setText(dovecot.password)
        dialog.cafile_edit.setText(str(dovecot.cert))
        qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
        return dialog.choice

    tab.run_imap_dialog = answer
    click_and_wait(qtbot, window, tab.imap_button)
    assert secrets.get(IMAP_PASSWORD_SECRET) == dovecot.password
    assert window.controller.dmarc.current.result.reports == 5
    assert tab.view.model.rowCount() > 0
    # Next time the dialog remembers where, and that a password is stored (not the password).
    remembered: list[ImapChoice | None] = []

    def look(dialog: ImapDialog):
        remembered.append(None)
        assert dialog.host_edit.text() == "127.0.0.1"
        assert dialog.folder_edit.text() == "DmarcTab"
        assert dialog.password_edit.text() == ""
        # Read by a job: the dialog opens at once and learns it a moment later.
        qtbot.waitUntil(
            lambda: dialog.password_edit.placeholderText() == texts.IMAP_PASSWORD_KEPT,
            timeout=5000,
        )
        return None

    tab.run_imap_dialog = look
    qtbot.mouseClick(tab.imap_button, Qt.MouseButton.LeftButton)
    assert remembered and window.controller.dmarc.job is None


def test_imap_dialog_asks_for_missing_fields(qtbot):
    dialog = ImapDialog()
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is None
    assert dialog.error_label.text() == texts.IMAP_MISSING


def test_selected_row_drives_the_details(qtbot, offline_window, tmp_path):
    window, tab = offline_window, offline_window.dmarc_tab
    import_folder(qtbot, window, tmp_path / "reports", count=5)
    view = tab.view
    last = view.model.rowCount() - 1
    view.table.selectRow(last)
    source = view.model.index(last, 0).data(SOURCE_ROLE)
    assert view.details.toPlainText().splitlines()[0] == f"判定: {source.verdict_ja}"
    assert source.source_ip in view.details.toPlainText()


def test_a_wrong_imap_password_is_explained_and_nothing_is_replaced(
    qtbot, offline_window, secrets, dovecot
):
    from app.core.dmarc.errors import ImapError

    window, tab = offline_window, offline_window.dmarc_tab

    def answer(dialog: ImapDialog):
        dialog.host_edit.setText("127.0.0.1")
        dialog.port_spin.setValue(dovecot.port)
        dialog.user_edit.setText(dovecot.username)
        dialog.folder_edit.setText("INBOX")
        dialog.password_edit.setText("wrong-password")
        dialog.cafile_edit.setText(str(dovecot.cert))
        qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
        return dialog.choice

    tab.run_imap_dialog = answer
    click_and_wait(qtbot, window, tab.imap_button)
    panel = window.status_panel
    assert panel.isVisible() and isinstance(panel.error, ImapError)
    assert panel.message_label.text() == panel.error.message_ja
    assert tab.status_label.text() == texts.FAILED_LINE
    assert window.controller.dmarc.current is None
    assert "wrong-password" not in panel.error.detail
    assert secrets.get(IMAP_PASSWORD_SECRET) == ""  # a rejected password is not kept


def test_columns_sort_by_their_values(qtbot, offline_window, tmp_path):
    window, tab = offline_window, offline_window.dmarc_tab
    import_folder(qtbot, window, tmp_path / "reports", count=5)
    view = tab.view
    column_of = {title: index for index, title in enumerate(texts.COLUMN_TITLES)}

    def sources() -> list:
        return [view.model.index(r, 0).data(SOURCE_ROLE) for r in range(view.model.rowCount())]

    view.table.sortByColumn(column_of["メッセージ数"], Qt.SortOrder.DescendingOrder)
    counts = [source.messages for source in sources()]
    assert counts == sorted(counts, reverse=True) and len(set(counts)) > 1
    view.table.sortByColumn(column_of["送信元 IP"], Qt.SortOrder.AscendingOrder)
    ips = [tuple(int(part) for part in s.source_ip.split(".")) for s in sources()]
    assert ips == sorted(ips)  # numerically: 192.0.2.10 before 203.0.113.40
    view.table.sortByColumn(column_of["判定"], Qt.SortOrder.AscendingOrder)
    assert sources()[0].verdict.value == "なりすましの疑い"


def test_cancelled_export_leaves_no_file(qtbot, offline_window, tmp_path):
    window, tab = offline_window, offline_window.dmarc_tab
    # キャンセル is clicked before the window has shown the export's result: whether the worker
    # was still writing or had already finished, the cancel wins and no file stays.
    import_folder(qtbot, window, tmp_path / "reports", count=20)
    target = tmp_path / "cancelled.xlsx"
    tab.choose_save_path = lambda parent, start: target

    def start_then_cancel() -> None:
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)

    start_and_wait(qtbot, window, start_then_cancel)
    assert tab.status_label.text() == texts.EXPORT_CANCELLED
    assert not target.exists()
    assert list(tmp_path.glob("*.xlsx*")) == []  # no temporary file either


def test_cancel_inside_one_big_report_stops_the_reading_and_keeps_the_shown_result(
    qtbot, offline_window, tmp_path
):
    # One report of legitimate shape with 60,000 sources takes seconds to read; the cancel
    # was looked at only between files, so the click waited for the whole file.
    from app.sandbox.dmarc_reports import many_sources_report_xml

    window, tab = offline_window, offline_window.dmarc_tab
    import_folder(qtbot, window, tmp_path / "small", count=3)
    shown = window.controller.dmarc.current
    rows = tab.view.model.rowCount()
    assert shown is not None and rows
    big = tmp_path / "big" / "big-receiver.example!example.co.jp.xml"
    big.parent.mkdir()
    big.write_bytes(many_sources_report_xml(60_000))
    tab.choose_folder = lambda parent, start: [big.parent]
    qtbot.mouseClick(tab.folder_button, Qt.MouseButton.LeftButton)
    # well inside the file: the status line says how far (every 2 MiB of a large report)
    inside = texts.IMPORTING_INSIDE.format(current=1, total=1, percent=0).rpartition(" 0%")[0]
    qtbot.waitUntil(lambda: tab.status_label.text().startswith(inside), timeout=JOB_TIMEOUT_MS)
    # Judged by how far the reading went on after the click, not by seconds: the job reports
    # its place every 2 MiB of this 23 MiB report (the window shows none of it once cancelling).
    # At most the step under way arrives after the click; read to its end, the report would
    # report ten more.
    job = window.controller.dmarc.job
    assert job is not None
    after_click: list[object] = []
    job.signals.progress.connect(after_click.append, Qt.ConnectionType.DirectConnection)
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    steps = [step for step in after_click if isinstance(step, tuple) and len(step) == 3]
    assert len(steps) <= 1, steps
    assert tab.status_label.text() == texts.IMPORT_CANCELLED
    assert window.controller.dmarc.current is shown  # nothing half-read replaced it
    assert tab.view.model.rowCount() == rows


def test_the_dmarc_tab_leaves_the_window_within_a_1024x600_screen(qtbot, make_window):
    """The 報告元・日別 charts' minimum height (238 px) was the DMARC page's and so every tab's:
    on 推移, with the practice banner and the delivery warning shown in full, the window's
    minimum grew past a 1024×600 screen (the status bar and the tab's bottom were below it).
    The charts scroll now."""
    window = make_window()
    window.resize(1024, 560)
    window.delivery_alert.update_days(1, 0.97)  # the warning strip, as after a bad week
    tab = window.dmarc_tab
    window.tabs.setCurrentWidget(tab)
    click_and_wait(qtbot, window, tab.practice_button)
    window.tabs.setCurrentWidget(window.history_part.trends_tab)
    qtbot.wait(200)  # the strips are fitted after the tab change
    window.centralWidget().layout().activate()
    assert window.delivery_alert.isVisible() and window.banner.isVisible()
    # 560: a 1024×600 screen less a task bar; the title bar is the window manager's.
    assert window.minimumSizeHint().height() <= 560, window.minimumSizeHint()
