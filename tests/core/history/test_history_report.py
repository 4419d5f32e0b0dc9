"""The monthly report: figures from history and the journal, the xlsx and `todoku-cli report`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.core.export.output import ExportError
from app.core.history.report import build_monthly_report
from app.core.history.report_xlsx import write_report_xlsx
from app.core.history.trends import bounds, month_range, trend_by_domain_group
from app.core.storage.history import AccountKey, Deletion, FetchWrite, TrendBucket
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import ALL_LISTS, Explanation, ListKind, SuppressionEntry
from tests.helpers.linked_target import linked_target

ROOT = Path(__file__).resolve().parents[3]
ACCOUNT = AccountKey(account="本番")
UNKNOWN = Explanation(
    "userunknown",
    "Invalid Address",
    True,
    "宛先不明",
    "宛先のアドレスが存在しません。",
    "アドレスを確認してください。",
)
FULL = Explanation(
    "mailboxfull",
    "Mailbox Unavailable",
    False,
    "容量超過",
    "受信箱がいっぱいです。",
    "時間をおいて送ってください。",
)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def entry(
    email: str, day: date, kind: ListKind = ListKind.BOUNCES, reason: str = ""
) -> SuppressionEntry:
    return SuppressionEntry(
        kind, email, at(day), "5.1.1", reason or f"550 5.1.1 <{email}>: User unknown"
    )


def write(store, entries, explanations, when: datetime, deletions=()) -> None:
    start, end = (
        bounds(month_range(date(2026, 10, 1)))[0],
        bounds(month_range(date(2026, 11, 1)))[1],
    )
    store.record_fetch(
        FetchWrite(
            ACCOUNT,
            ALL_LISTS,
            start,
            end,
            dict.fromkeys(ALL_LISTS, start),
            False,
            when,
            entries,
            explanations,
            deletions,
        )
    )


@pytest.fixture
def store(tmp_path: Path):
    store = SqliteHistoryStore(tmp_path / "history.sqlite3")
    october = [entry(f"a{i}@docomo.ne.jp", date(2026, 10, 5)) for i in range(3)]
    november = [entry(f"b{i}@docomo.ne.jp", date(2026, 11, 3)) for i in range(5)]
    november += [
        entry(f"c{i}@gmail.com", date(2026, 11, 4), ListKind.BLOCKS, "=cmd|' /C calc'!A0")
        for i in range(2)
    ]
    rows = october + november
    explanations = [UNKNOWN] * 8 + [FULL] * 2
    write(store, rows, explanations, datetime(2026, 11, 5, tzinfo=UTC))
    # a0 was deleted by Todoku on Nov 6 and came back on Nov 20: a 再発.
    back = entry("a0@docomo.ne.jp", date(2026, 11, 20), reason="550 5.1.1 again")
    gone = Deletion(
        ListKind.BOUNCES,
        "a0@docomo.ne.jp",
        datetime(2026, 11, 6, tzinfo=UTC),
        at(date(2026, 10, 5)),
        "x",
    )
    write(
        store, [*rows, back], [*explanations, UNKNOWN], datetime(2026, 11, 21, tzinfo=UTC), [gone]
    )
    yield store
    store.close()


def test_report_counts_changes_causes_and_returns(store) -> None:
    report = build_monthly_report(
        store, ACCOUNT, date(2026, 11, 1), now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    # a0 moved to November (its new listing), so October has 2 and November 8.
    assert (report.total.current, report.total.previous) == (8, 2)
    assert report.total.change_ja() == "+6 件（+300.0%）"
    assert [(c.label, c.current) for c in report.by_list if c.current] == [
        ("バウンス", 6),
        ("ブロック", 2),
    ]
    assert report.causes[0].label_ja == "宛先不明" and report.causes[0].explanation_ja.startswith(
        "宛先"
    )
    assert [(r.email, r.reason) for r in report.returns] == [("a0@docomo.ne.jp", "550 5.1.1 again")]
    assert "統計" in report.delivery_note
    groups = trend_by_domain_group(
        store, ACCOUNT, month_range(date(2026, 11, 1)), TrendBucket.MONTH
    )
    assert groups.at("2026-11")["docomo"] == 6 and groups.at("2026-11")["Gmail"] == 2


def test_report_xlsx_has_a_chart_print_setup_and_safe_cells(store, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_report_xlsx(build_monthly_report(store, ACCOUNT, date(2026, 11, 1)), path)
    book = load_workbook(path)
    assert book.sheetnames == ["概要", "推移", "ドメイン", "原因", "削除", "再発"]
    trend = book["推移"]
    assert len(trend._charts) == 1
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert book["原因"].print_title_rows == "$3:$3"
    values = [c.value for row in book["再発"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "550 5.1.1 again" in values
    # No cell became a formula.
    assert all(c.data_type != "f" for s in book.worksheets for row in s.iter_rows() for c in row)


def test_report_xlsx_keeps_a_huge_reason_within_excel_limits(tmp_path: Path) -> None:
    """A 40,000-character reason that came back after a deletion: its 再発 row asked for
    thousands of points of height (Excel stops at 409) before the cap."""
    store = SqliteHistoryStore(tmp_path / "history.sqlite3")
    first = entry("z@docomo.ne.jp", date(2026, 10, 5))
    write(store, [first], [UNKNOWN], datetime(2026, 11, 5, tzinfo=UTC))
    huge = entry("z@docomo.ne.jp", date(2026, 11, 20), reason="550 " + "長い理由" * 10_000)
    gone = Deletion(
        ListKind.BOUNCES, "z@docomo.ne.jp", datetime(2026, 11, 6, tzinfo=UTC), first.created, ""
    )
    write(store, [huge], [UNKNOWN], datetime(2026, 11, 21, tzinfo=UTC), [gone])
    path = tmp_path / "report.xlsx"
    write_report_xlsx(build_monthly_report(store, ACCOUNT, date(2026, 11, 1)), path)
    store.close()
    sheet = load_workbook(path)["再発"]
    reasons = [c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith("550")]
    assert len(reasons) == 1 and reasons[0].endswith("（以下省略: 元は40,004文字）")
    heights = [d.height for d in sheet.row_dimensions.values() if d.height is not None]
    assert heights and max(heights) <= 409


def run_cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SENDGRID_API_KEY"}
    env["XDG_DATA_HOME"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_cli_report_writes_xlsx_and_refuses_unknown_accounts(store, tmp_path: Path) -> None:
    history = str(store.path)
    out = tmp_path / "m.xlsx"
    done = run_cli(
        "--month",
        "2026-11",
        "--account",
        "本番",
        "--history",
        history,
        "--xlsx",
        str(out),
        data=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert load_workbook(out)["概要"]["A1"].value == "月次レポート 2026年11月"
    text = run_cli("--month", "2026-11", "--account", "本番", "--history", history, data=tmp_path)
    assert "合計 8 件" in text.stdout
    wrong = run_cli("--month", "2026-11", "--account", "別", "--history", history, data=tmp_path)
    assert wrong.returncode == 1 and "本番" in wrong.stderr
    bad = run_cli("--month", "2026/11", "--history", history, data=tmp_path)
    assert bad.returncode == 1 and "YYYY-MM" in bad.stderr


def test_cli_report_pdf_is_printed_by_qt_only_on_that_path(store, tmp_path: Path) -> None:
    history = str(store.path)
    pdf = tmp_path / "m.pdf"
    done = run_cli(
        "--month",
        "2026-11",
        "--account",
        "本番",
        "--history",
        history,
        "--pdf",
        str(pdf),
        data=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    # Through a symbolic link, the linked file gets the report and the link stays (the old
    # "<name>.part" rename replaced the link with a file of its own).
    link = tmp_path / "link.pdf"
    link.symlink_to(pdf)
    pdf.write_bytes(b"old")
    again = run_cli(
        "--month", "2026-11", "--account", "本番", "--history", history, "--pdf", str(link),
        data=tmp_path,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert link.is_symlink() and pdf.read_bytes().startswith(b"%PDF")
    # The other paths of the command never load Qt.
    code = (
        "import sys; from app.cli import main\n"
        f"main(['report', '--month', '2026-11', '--account', '本番', '--history', {history!r},"
        f" '--xlsx', {str(tmp_path / 'x.xlsx')!r}])\n"
        "sys.exit(1 if [m for m in sys.modules if m.startswith('PySide6')] else 0)\n"
    )
    light = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=120)
    assert light.returncode == 0, light.stderr


def test_weekly_trends_growing_domains_and_recurrence_counts(store) -> None:
    from app.core.history.trends import (
        recurrence_trend,
        top_growing_domains,
        trend_by_category,
    )
    from app.core.types import DateRange

    november = DateRange(date(2026, 11, 1), date(2026, 11, 30))
    weekly = trend_by_category(store, ACCOUNT, november, TrendBucket.WEEK)
    assert weekly.buckets[0] == "2026-10-26" and weekly.buckets[-1] == "2026-11-30"
    assert weekly.at("2026-11-02")["無効なアドレス"] == 5  # Nov 3 (b*) belongs to the week of Nov 2
    assert sum(weekly.total()) == 8
    growing = top_growing_domains(store, ACCOUNT, date(2026, 11, 1))
    assert [(g.domain, g.previous, g.current) for g in growing] == [
        ("docomo.ne.jp", 2, 6),
        ("gmail.com", 0, 2),
    ]
    returns = recurrence_trend(store, ACCOUNT, november, TrendBucket.WEEK)
    assert returns.at("2026-11-16")["再発"] == 1 and sum(returns.total()) == 1


@pytest.mark.parametrize(("region", "shown"), [("global", "グローバル"), ("eu", "EU")])
def test_report_xlsx_names_the_region_in_japanese(
    store, tmp_path: Path, region: str, shown: str
) -> None:
    import dataclasses

    account = dataclasses.replace(ACCOUNT, region=region)
    path = tmp_path / "r.xlsx"
    write_report_xlsx(build_monthly_report(store, account, date(2026, 11, 1)), path)
    cells = [str(c.value) for row in load_workbook(path)["概要"].iter_rows() for c in row]
    assert shown in cells and region not in cells


def test_report_xlsx_to_a_symbolic_link_updates_the_linked_file(store, tmp_path: Path) -> None:
    """The report was saved as "<name>.part" and renamed onto the target: a link to the shared
    folder's report.xlsx became a file of its own, and the shared file kept last month's."""
    link, real = linked_target(tmp_path, "report.xlsx")
    write_report_xlsx(build_monthly_report(store, ACCOUNT, date(2026, 11, 1)), link)
    assert link.is_symlink()
    assert load_workbook(real).sheetnames[0] == "概要"
    assert sorted(p.name for p in real.parent.iterdir()) == ["report.xlsx"]


def test_report_xlsx_into_a_missing_folder_is_the_export_message(store, tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        write_report_xlsx(
            build_monthly_report(store, ACCOUNT, date(2026, 11, 1)),
            tmp_path / "no-such-folder" / "report.xlsx",
        )
    assert caught.value.message_ja == "保存先のフォルダが見つかりません。"


def test_a_month_before_any_fetch_has_no_figures_to_compare(tmp_path: Path) -> None:
    """First month of use: the month before was never fetched, so 前月比 says so instead of
    「+2 件（前月 0 件）」; a month before that was fetched and had no rows keeps its zero."""
    from app.core.history.report import NO_PREVIOUS_RECORD
    from app.core.history.report_xlsx import report_text

    def record(store, first: date) -> None:
        start, end = bounds(month_range(date(2026, 11, 1)))
        if first != date(2026, 11, 1):
            start = bounds(month_range(first))[0]
        rows = [entry(f"c{i}@docomo.ne.jp", date(2026, 11, 3)) for i in range(2)]
        store.record_fetch(
            FetchWrite(
                ACCOUNT,
                ALL_LISTS,
                start,
                end,
                dict.fromkeys(ALL_LISTS, start),
                True,
                at(date(2026, 11, 20)),
                rows,
                [UNKNOWN] * len(rows),
            )
        )

    first_use = SqliteHistoryStore(tmp_path / "first.sqlite3")
    record(first_use, date(2026, 11, 1))  # only November was ever fetched
    report = build_monthly_report(first_use, ACCOUNT, date(2026, 11, 1))
    assert not report.previous_recorded
    assert report.total_change_ja() == NO_PREVIOUS_RECORD
    assert f"合計 2 件（{NO_PREVIOUS_RECORD}）" in report_text(report)
    assert "前月 0 件" not in report_text(report).splitlines()[1]

    fetched_before = SqliteHistoryStore(tmp_path / "both.sqlite3")
    record(fetched_before, date(2026, 10, 1))  # October fetched too, and it had no rows
    report = build_monthly_report(fetched_before, ACCOUNT, date(2026, 11, 1))
    assert report.previous_recorded
    assert report.total_change_ja() == "前月比 +2 件（前月 0 件）"


def test_a_month_still_running_is_compared_day_for_day(tmp_path: Path) -> None:
    # On 8 November, eight days of November set against the whole of October read as a collapse.
    store = SqliteHistoryStore(tmp_path / "history.sqlite3")
    early_october = [entry(f"e{i}@example.jp", date(2026, 10, 3)) for i in range(2)]
    late_october = [entry(f"l{i}@example.jp", date(2026, 10, 25)) for i in range(4)]
    november = [entry(f"n{i}@example.jp", date(2026, 11, 2)) for i in range(3)]
    rows = early_october + late_october + november
    write(store, rows, [UNKNOWN] * len(rows), datetime(2026, 11, 8, tzinfo=UTC))
    running = build_monthly_report(
        store, ACCOUNT, date(2026, 11, 1), now=datetime(2026, 11, 8, 3, tzinfo=UTC)
    )
    assert (running.total.current, running.total.previous) == (3, 2)  # 11/01-08 vs 10/01-08
    assert running.partial and running.through == date(2026, 11, 8)
    assert running.period_ja() == "2026/11/01 〜 2026/11/08（日本時間、途中）"
    assert "8 日分" in running.partial_note_ja() and "10/01〜10/08" in running.partial_note_ja()
    # A first month of use has nothing before it: the note must not claim a comparison.
    first_use = build_monthly_report(
        store, ACCOUNT, date(2026, 10, 1), now=datetime(2026, 10, 8, 3, tzinfo=UTC)
    )
    assert not first_use.previous_recorded and "比べて" not in first_use.partial_note_ja()
    path = tmp_path / "running.xlsx"
    write_report_xlsx(running, path)
    cells = [c.value for row in load_workbook(path)["概要"].iter_rows() for c in row]
    assert running.period_ja() in cells and running.partial_note_ja() in cells
    # Once the month is over the whole of both months is compared, and nothing says 途中.
    done = build_monthly_report(
        store, ACCOUNT, date(2026, 11, 1), now=datetime(2026, 12, 2, tzinfo=UTC)
    )
    assert (done.total.current, done.total.previous) == (3, 6)
    assert not done.partial and "途中" not in done.period_ja()
    store.close()
