"""`todoku-cli fetch`: every entry of the chosen lists and JST date range as JSON Lines."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from typing import TextIO

from app.cli.common import add_connection_arguments, make_provider, parse_lists, report_error
from app.core.cancel import CancelToken
from app.core.dates import JST, parse_iso_date, today_jst, validate_range
from app.core.errors import TodokuError
from app.core.types import DateRange, FetchProgress, SuppressionEntry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", required=True, help="開始日 YYYY-MM-DD（JST）")
    parser.add_argument(
        "--to", dest="date_to", required=True, help="終了日 YYYY-MM-DD（JST、この日を含む）"
    )
    parser.add_argument(
        "--lists",
        help="bounces,blocks,invalid_emails,spam_reports,unsubscribes（既定: すべて）",
    )
    parser.add_argument("--jsonl", help="JSON Lines の出力先（既定: 標準出力）")
    parser.add_argument("--concurrency", type=int, default=8, help="同時に取得するページ数")
    parser.add_argument("--quiet", action="store_true", help="進捗を表示しない")
    add_connection_arguments(parser)


def entry_to_json(entry: SuppressionEntry) -> dict[str, object]:
    return {
        "list": entry.list_kind.value,
        "email": entry.email,
        "created": int(entry.created.timestamp()),
        "created_jst": entry.created.astimezone(JST).isoformat(),
        "status": entry.status,
        "reason": entry.reason,
        "ip": entry.ip,
    }


def run(args: argparse.Namespace) -> int:
    try:
        date_range = validate_range(
            DateRange(parse_iso_date(args.date_from), parse_iso_date(args.date_to)), today_jst()
        )
        lists = parse_lists(args.lists)
        with ExitStack() as stack:
            provider = stack.enter_context(make_provider(args))
            out: TextIO
            if args.jsonl:
                out = stack.enter_context(open(args.jsonl, "w", encoding="utf-8", newline="\n"))
            else:
                out = sys.stdout

            def write_page(entries: tuple[SuppressionEntry, ...]) -> None:
                for entry in entries:
                    out.write(json.dumps(entry_to_json(entry), ensure_ascii=False) + "\n")

            def show_progress(step: FetchProgress) -> None:
                if not args.quiet:
                    print(
                        f"\r取得中: {step.list_kind.label_ja} {step.pages_done} ページ、"
                        f"合計 {step.entries_so_far} 件",
                        end="",
                        file=sys.stderr,
                    )

            result = provider.fetch(
                date_range, lists, progress=show_progress, on_page=write_page, cancel=CancelToken()
            )
        if not args.quiet:
            print(
                f"\n完了: {len(result.entries)} 件（リクエスト {result.requests_made} 回）",
                file=sys.stderr,
            )
            for note in result.notes:
                print(f"注意: {note}", file=sys.stderr)
        return 0
    except TodokuError as error:
        return report_error(error)
    except KeyboardInterrupt:
        print("\n中断しました。", file=sys.stderr)
        return 130
