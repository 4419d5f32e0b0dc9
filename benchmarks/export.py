"""Benchmark: export_xlsx against a naive openpyxl write-only loop writing the same cell values.

Run:  .venv/bin/python benchmarks/export.py [--rows 100000] [--repeat 3]

Both writers run in the same process, alternating, ``--repeat`` times each; the medians and their
ratio are printed (goal: ours ≤ 1.0× naive). Memory is measured in fresh subprocesses, one per
writer: tracemalloc peak above the data, and RSS growth (peak RSS minus RSS with the data built).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.core.classify.vocabulary import delete_effect_shown
from app.core.dates import JST
from app.core.export.columns import CATEGORY_LABELS_JA, COLUMNS, ExportRow
from app.core.export.context import ExportContext
from app.core.export.excel import export_xlsx
from app.core.glossary import permanence_label
from app.core.types import DateRange, Explanation, ListKind, SuppressionEntry

HEADERS = [column.header_ja for column in COLUMNS]
START = date(2025, 5, 1)
DAYS = 31

_REASON_TEMPLATES = (
    "550 5.1.1 <{email}>: Recipient address rejected: User unknown in virtual mailbox table "
    "(mx{n}.example.net [203.0.113.{n}])",
    "552 5.2.2 <{email}>: The email account that you tried to reach is over quota. Please direct "
    "the recipient to https://support.example.com/mail/?p={n}",
    "421 4.7.0 [TSS04] Messages from 198.51.100.{n} temporarily deferred due to unexpected volume "
    "or user complaints - see https://postmaster.example.com/error-codes",
    "550 5.7.1 Service unavailable, Client host [198.51.100.{n}] blocked using Spamhaus. "
    "To request removal from this list see https://www.spamhaus.org/query/ip/198.51.100.{n}",
    "554 5.7.1 <{email}>: Relay access denied; message rejected by policy filter at "
    "mx{n}.example.jp (transaction id {n})",
)

_EXPLANATIONS = (
    Explanation(
        "userunknown",
        "Invalid Address",
        True,
        "宛先不明",
        "宛先のメールアドレスが受信側のサーバーに存在しません。退職や解約によってアドレスが削除"
        "されたか、登録時の入力ミスが考えられます。再送しても届くことはありません。",
        "このアドレスへの送信は止め、顧客情報の連絡先を本人に確認して正しいアドレスに更新して"
        "ください。確認できない場合は配信リストから削除してください。",
    ),
    Explanation(
        "mailboxfull",
        "Mailbox Unavailable",
        False,
        "容量超過",
        "受信者のメールボックスが容量の上限に達しているため受け取れませんでした。受信者が古い"
        "メールを削除すれば、再び届くようになる一時的な状態です。",
        "数日おいてから再送してください。長期間続く場合は使われていないアドレスの可能性が高い"
        "ため、別の連絡手段でアドレスの利用状況を確認してください。",
    ),
    Explanation(
        "blocked",
        "Reputation",
        False,
        "送信元拒否",
        "受信側が送信元の IP アドレスやドメインの評価を理由に受け取りを拒否しました。苦情率や"
        "宛先不明の多さ、送信量の急増が評価を下げる主な原因です。",
        "送信量を段階的に戻し、宛先不明のアドレスをリストから除いてください。ブラックリストに"
        "載っている場合は、掲載元の案内に従って解除を申請してください。",
    ),
    Explanation(
        "policyviolation",
        "Content",
        False,
        "内容拒否",
        "受信側のフィルターがメールの内容（本文、リンク、添付ファイル）を迷惑メールやポリシー"
        "違反と判断して拒否しました。特定の URL や表現が原因になることがあります。",
        "本文のリンク先や短縮 URL、添付ファイルを見直し、テスト送信で届くことを確認してから"
        "再送してください。同じ内容で繰り返し送信しないでください。",
    ),
    Explanation(
        "norelaying",
        "Technical Failure",
        False,
        "中継拒否",
        "受信側のサーバーがこの宛先へのメールの中継を拒否しました。宛先ドメインの MX 設定の"
        "誤りや、ドメイン部分の入力ミスが原因であることが多い状態です。",
        "アドレスのドメイン部分に誤りがないか確認してください。誤りがない場合は、受信側の"
        "管理者に MX レコードの設定を確認してもらうよう依頼してください。",
    ),
)

_DOMAINS = (
    ["gmail.com"] * 30
    + ["yahoo.co.jp"] * 20
    + ["docomo.ne.jp"] * 10
    + ["ezweb.ne.jp"] * 8
    + ["outlook.jp"] * 6
    + [f"corp{n}.co.jp" for n in range(1500)]
)


def build_rows(count: int, seed: int = 7) -> list[ExportRow]:
    """Realistic rows: five lists, skewed domains, ~120-char reasons, ~100-char explanations."""
    rng = random.Random(seed)
    lists = list(ListKind)
    start = datetime(START.year, START.month, START.day, tzinfo=JST).astimezone(UTC)
    rows = []
    for index in range(count):
        domain = rng.choice(_DOMAINS)
        email = f"user{index:06d}.{rng.randrange(10_000)}@{domain}"
        which = rng.randrange(len(_EXPLANATIONS))
        created = start + timedelta(seconds=rng.randrange(DAYS * 86_400))
        reason = _REASON_TEMPLATES[which].format(email=email, n=rng.randrange(1, 255))
        entry = SuppressionEntry(lists[index % len(lists)], email, created, "5.1.1", reason)
        rows.append(ExportRow(entry, _EXPLANATIONS[which]))
    return rows


def context() -> ExportContext:
    return ExportContext(
        date_range=DateRange(START, START + timedelta(days=DAYS - 1)),
        account_label="ベンチマーク用アカウント",
        subuser="",
        region="global",
        lists=tuple(ListKind),
        filter_description="",
        exported_at=datetime.now(UTC),
        app_version="bench",
    )


def naive_export(rows: list[ExportRow], path: Path) -> None:
    """What a first attempt looks like: append plain values per row, no styles, no summaries."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("一覧")
    sheet.append(HEADERS)
    for row in rows:
        entry, explanation = row.entry, row.explanation
        assert explanation is not None
        sheet.append(
            [
                entry.list_kind.label_ja,
                entry.email,
                entry.domain,
                entry.created.astimezone(JST).replace(tzinfo=None),
                entry.status,
                entry.reason,
                explanation.explanation_ja,
                explanation.action_ja,
                CATEGORY_LABELS_JA[explanation.category],
                explanation.label_ja,
                delete_effect_shown(explanation),
                permanence_label(explanation.permanent),
                row.history or None,  # 履歴: an empty cell, as ours leaves it
            ]
        )
    workbook.save(path)


def styled_naive_export(rows: list[ExportRow], path: Path) -> None:
    """The naive loop plus only the cell styles ours uses (textbook WriteOnlyCell per styled cell).

    Not a goal line: it shows how much of the gap is openpyxl's price for styled cells.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    wrap = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("一覧")
    sheet.append(HEADERS)

    def styled(value: object, alignment: Alignment, number_format: str = "General") -> object:
        cell = WriteOnlyCell(sheet, value)
        cell.alignment = alignment
        cell.number_format = number_format
        return cell

    for row in rows:
        entry, explanation = row.entry, row.explanation
        assert explanation is not None
        created = entry.created.astimezone(JST).replace(tzinfo=None)
        sheet.append(
            [
                entry.list_kind.label_ja,
                entry.email,
                entry.domain,
                styled(created, top, "yyyy/mm/dd hh:mm:ss"),
                entry.status,
                styled(entry.reason, wrap),
                styled(explanation.explanation_ja, wrap),
                styled(explanation.action_ja, wrap),
                CATEGORY_LABELS_JA[explanation.category],
                explanation.label_ja,
                delete_effect_shown(explanation),
                permanence_label(explanation.permanent),
                row.history or None,  # 履歴: an empty cell, as ours leaves it
            ]
        )
    workbook.save(path)


def ours_export(rows: list[ExportRow], path: Path) -> None:
    export_xlsx(rows, context(), path)


WRITERS = {"ours": ours_export, "naive": naive_export, "styled": styled_naive_export}


def check_same_values(ours: Path, naive: Path, limit: int = 2000) -> None:
    """The comparison is only fair if both files hold the same cell values."""
    from openpyxl import load_workbook

    books = [load_workbook(p, read_only=True) for p in (ours, naive)]
    sheets = [
        book["一覧"].iter_rows(min_row=2, max_row=limit + 1, values_only=True) for book in books
    ]
    for ours_row, naive_row in zip(*sheets, strict=True):
        if ours_row != naive_row:
            raise SystemExit(f"values differ:\n{ours_row}\n{naive_row}")
    for book in books:
        book.close()


def measure_memory(writer: str, rows: int) -> dict[str, float]:
    """Run one export in a fresh interpreter so the figures are not mixed with the other run."""
    output = subprocess.run(
        [sys.executable, __file__, "--memory-child", writer, "--rows", str(rows)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _memory_child(writer: str, count: int) -> None:
    import openpyxl  # noqa: F401  -- import cost is not export memory
    import psutil

    rows = build_rows(count)
    process = psutil.Process()
    rss_before = process.memory_info().rss
    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        WRITERS[writer](rows, Path(folder) / "out.xlsx")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    # ru_maxrss is the life-time peak (KiB on Linux); building the rows came first, so the
    # difference is an upper bound of what the export added.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {"tracemalloc_peak_mb": peak / 2**20, "rss_growth_mb": (peak_rss - rss_before) / 2**20}
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument("--memory-child", choices=sorted(WRITERS), help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="a tiny run (the test suite's)")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.repeat, args.no_memory = 300, 1, True
    if args.memory_child:
        _memory_child(args.memory_child, args.rows)
        return 0

    rows = build_rows(args.rows)
    names = list(WRITERS)
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu_times: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(args.repeat):
            # Rotate the order so neither writer always runs on a warmer (or busier) machine.
            shift = attempt % len(names)
            for name in names[shift:] + names[:shift]:
                path = Path(folder) / f"{name}.xlsx"
                began, began_cpu = time.perf_counter(), time.process_time()
                WRITERS[name](rows, path)
                times[name].append(time.perf_counter() - began)
                cpu_times[name].append(time.process_time() - began_cpu)
        for name in names[1:]:
            check_same_values(Path(folder) / "ours.xlsx", Path(folder) / f"{name}.xlsx")
        sizes = {name: (Path(folder) / f"{name}.xlsx").stat().st_size for name in names}

    print(f"rows: {args.rows:,}  repeats: {args.repeat} (order rotated each round)")
    # CPU time is printed beside wall time: on a shared machine it is the steadier figure.
    medians = {name: statistics.median(times[name]) for name in names}
    cpu = {name: statistics.median(cpu_times[name]) for name in names}
    for name in names:
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        print(
            f"{name:>6}: median {medians[name]:.2f} s wall, {cpu[name]:.2f} s CPU  "
            f"({args.rows / medians[name]:,.0f} rows/s)  runs [{runs}]  "
            f"file {sizes[name] / 2**20:.1f} MiB"
        )
    for label, top, bottom, note in (
        ("ours/naive", "ours", "naive", "goal <= 1.00x"),
        ("styled/naive", "styled", "naive", "openpyxl's price for styled cells"),
        ("ours/styled", "ours", "styled", "our other work: summaries, cleaning, sheets"),
    ):
        print(
            f"ratio {label:<13} {medians[top] / medians[bottom]:.2f}x wall, "
            f"{cpu[top] / cpu[bottom]:.2f}x CPU  ({note})"
        )
    if args.no_memory:
        return 0
    for name in ("ours", "naive"):
        memory = measure_memory(name, args.rows)
        print(
            f"{name:>6} memory above the data: "
            f"tracemalloc peak {memory['tracemalloc_peak_mb']:.1f} MB, "
            f"RSS growth {memory['rss_growth_mb']:.1f} MB  (goal <= 50 MB)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
