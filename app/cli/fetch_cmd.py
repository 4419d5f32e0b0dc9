"""`todoku-cli fetch`: every entry of the chosen lists and JST date range as JSON Lines."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.cli.common import (
    add_connection_arguments,
    add_provider_arguments,
    json_text,
    make_any_provider,
    parse_lists,
    report_error,
)
from app.cli.history_args import add_history_arguments, fetch_into_history
from app.cli.japanese_argparse import JapaneseRawDescriptionHelpFormatter
from app.cli.progress_line import ProgressLine
from app.core.cancel import CancelToken
from app.core.dates import JST, parse_iso_date, today_jst, validate_range
from app.core.errors import TodokuError
from app.core.providers.in_range import fetch_in_range
from app.core.types import DateRange, Explanation, FetchProgress, ListKind, SuppressionEntry

if TYPE_CHECKING:
    from app.core.classify.classifier import Classifier

_EPILOG = """\
出力（JSON Lines）: 1 行に 1 件。list, email, created, created_jst, status, reason, ip に加えて、
  permanent: true なら、何かを直さない限り再送しても失敗します（false: 時間をおけば届く見込み）。
  delete_effect: 一覧から削除したときの効果。resend（再送できる）、after_fix（原因を直してから）、
  no_effect（ブロック: 変化なし）、harmful（迷惑メール報告・配信停止: 同意なく削除しない）。
  取得履歴を使うときは new（前回の取得になかった新着）も付きます。
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = JapaneseRawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument("--from", dest="date_from", required=True, help="開始日 YYYY-MM-DD（JST）")
    parser.add_argument(
        "--to", dest="date_to", required=True, help="終了日 YYYY-MM-DD（JST、この日を含む）"
    )
    parser.add_argument(
        "--lists",
        help="bounces,blocks,invalid_emails,spam_reports,unsubscribes（既定: すべて）",
    )
    parser.add_argument("--jsonl", help="JSON Lines の出力先（既定: 標準出力）")
    parser.add_argument("--xlsx", help="Excel ブック（一覧・集計・条件）の出力先")
    parser.add_argument("--csv", help="CSV（UTF-8 BOM 付き、Excel 向け）の出力先")
    parser.add_argument("--concurrency", type=int, default=8, help="同時に取得するページ数")
    parser.add_argument("--quiet", action="store_true", help="進捗を表示しない")
    add_history_arguments(parser, with_account=False)
    parser.add_argument(
        "--no-history", action="store_true", help="取得履歴に記録しない（毎回すべて取得）"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="全件再取得: 履歴があっても範囲全体を取得し、他所で削除されたものを記録する",
    )
    add_connection_arguments(parser)
    add_provider_arguments(parser)


def entry_to_json(
    entry: SuppressionEntry, explanation: Explanation | None = None
) -> dict[str, object]:
    """One output line; with an explanation, also what deleting does (fields are only added,
    never renamed: scripts read this)."""
    row: dict[str, object] = {
        "list": entry.list_kind.value,
        "email": entry.email,
        "created": int(entry.created.timestamp()),
        "created_jst": entry.created.astimezone(JST).isoformat(),
        "status": entry.status,
        "reason": entry.reason,
        "ip": entry.ip,
    }
    if explanation is not None:
        row["permanent"] = explanation.permanent
        row["delete_effect"] = str(explanation.delete_effect)
    return row


def _classifier() -> Classifier:
    from app.core.classify.classifier import Classifier

    return Classifier.load()


def _write_files(
    args: argparse.Namespace,
    date_range: DateRange,
    lists: tuple[ListKind, ...],
    entries: Sequence[SuppressionEntry],
) -> None:
    """The same workbook / CSV the window exports: every entry with its explanation."""
    from app import __version__
    from app.core.classify.classifier import Classifier
    from app.core.export.columns import ExportRow
    from app.core.export.context import ExportContext
    from app.core.export.csv_export import export_csv
    from app.core.export.excel import export_xlsx

    classifier = Classifier.load()
    ordered = sorted(entries, key=lambda e: (e.created, e.email), reverse=True)
    rows = [ExportRow(entry, classifier.classify_entry(entry)) for entry in ordered]
    context = ExportContext(
        date_range=date_range,
        account_label="サブユーザー " + args.subuser if args.subuser else "親アカウント",
        subuser=args.subuser,
        region=args.region,
        lists=lists,
        filter_description="なし（todoku-cli fetch）",
        exported_at=datetime.now(tz=JST),
        app_version=__version__,
        scope="all",
    )
    if args.xlsx:
        export_xlsx(rows, context, Path(args.xlsx))
        if not args.quiet:
            print(f"Excel に書き出しました: {args.xlsx}", file=sys.stderr)
    if args.csv:
        export_csv(rows, context, Path(args.csv))
        if not args.quiet:
            print(f"CSV に書き出しました: {args.csv}", file=sys.stderr)


def _show_progress(args: argparse.Namespace, line: ProgressLine, step: FetchProgress) -> None:
    if not args.quiet:
        line.show(
            f"取得中: {step.list_kind.label_ja} {step.pages_done} ページ、"
            f"合計 {step.entries_so_far} 件"
        )


@contextlib.contextmanager
def _jsonl_output(path: str) -> Iterator[TextIO]:
    """The --jsonl file, written beside its target and moved into place when complete: a
    missing folder, a full disk or no permission is a Japanese ExportError, not a traceback,
    and a failed run leaves no half-written file."""
    from app.core.export.output import atomic_output

    with (
        atomic_output(Path(path)) as temp_path,
        temp_path.open("w", encoding="utf-8", newline="\n") as stream,
    ):
        yield stream


def _check_outputs(args: argparse.Namespace) -> None:
    """Fail before any request (and before the history records a fetch) when an output file
    cannot possibly be written."""
    from app.core.export.output import check_target

    for path in (args.jsonl, args.xlsx, args.csv):
        if path:
            check_target(Path(path))


def run(args: argparse.Namespace) -> int:
    line = ProgressLine()
    try:
        date_range = validate_range(
            DateRange(parse_iso_date(args.date_from), parse_iso_date(args.date_to)), today_jst()
        )
        lists = parse_lists(args.lists)
        _check_outputs(args)
        if not args.no_history:
            return _run_with_history(args, date_range, lists, line)
        with ExitStack() as stack:
            provider = stack.enter_context(make_any_provider(args))
            out: TextIO | None
            if args.jsonl:
                out = stack.enter_context(_jsonl_output(args.jsonl))
            elif args.xlsx or args.csv:
                out = None  # the files are the output; stdout stays quiet
            else:
                out = sys.stdout

            classifier = _classifier() if out is not None else None

            def write_page(entries: tuple[SuppressionEntry, ...]) -> None:
                if out is None or classifier is None:
                    return
                for entry in entries:
                    row = entry_to_json(entry, classifier.classify_entry(entry))
                    out.write(json_text(row, out) + "\n")

            def show_progress(step: FetchProgress) -> None:
                _show_progress(args, line, step)

            result = fetch_in_range(
                provider,
                date_range,
                lists,
                progress=show_progress,
                on_page=write_page,
                cancel=CancelToken(),
            )
        line.end()
        if args.xlsx or args.csv:
            _write_files(args, date_range, lists, result.entries)
        if not args.quiet:
            print(
                f"完了: {len(result.entries)} 件（リクエスト {result.requests_made} 回）",
                file=sys.stderr,
            )
            for note in result.notes:
                print(f"注意: {note}", file=sys.stderr)
        return 0
    except TodokuError as error:
        line.end()
        return report_error(error)
    except KeyboardInterrupt:
        line.end()
        print("中断しました。", file=sys.stderr)
        return 130


def _run_with_history(
    args: argparse.Namespace,
    date_range: DateRange,
    lists: tuple[ListKind, ...],
    line: ProgressLine,
) -> int:
    """Fetch through history (incremental unless --full), then write the whole range."""

    def show_progress(step: FetchProgress) -> None:
        _show_progress(args, line, step)

    fetched = fetch_into_history(args, make_any_provider, date_range, lists, progress=show_progress)
    line.end()
    if args.jsonl or not (args.xlsx or args.csv):
        with ExitStack() as stack:
            out: TextIO = (
                stack.enter_context(_jsonl_output(args.jsonl)) if args.jsonl else sys.stdout
            )
            classifier = _classifier()
            for entry in fetched.entries:
                row = entry_to_json(entry, classifier.classify_entry(entry))
                row["new"] = entry.key in fetched.new_keys  # 新着: not listed at the last fetch
                out.write(json_text(row, out) + "\n")
    if args.xlsx or args.csv:
        _write_files(args, date_range, lists, fetched.entries)
    if not args.quiet:
        way = "差分取得" if fetched.incremental else "全件取得"
        print(
            f"完了: {len(fetched.entries)} 件（{way}、新着 {len(fetched.new_keys)} 件、"
            f"リクエスト {fetched.requests_made} 回）",
            file=sys.stderr,
        )
        for note in fetched.notes:
            print(f"注意: {note}", file=sys.stderr)
    if fetched.history_error is not None:
        error = fetched.history_error
        print(f"注意: {error.message_ja} {error.next_step_ja}", file=sys.stderr)
        if error.detail:
            print(f"詳細: {error.detail}", file=sys.stderr)
    return 0
