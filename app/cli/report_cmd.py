"""`todoku-cli report --month YYYY-MM [--account NAME] [--xlsx FILE] [--pdf FILE]`: the monthly
report for managers, from the local fetch history and the deletion journal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import add_region_arguments, report_error, terminal_text
from app.cli.history_args import account_key, add_history_arguments, history_path, journal_path
from app.cli.shared_store import database_from_args, open_cli_history, open_cli_journal
from app.core.errors import InvalidInputError, TodokuError
from app.core.storage.history.interface import HistoryError
from app.core.types import DateRange

if TYPE_CHECKING:
    from app.core.stats import DailyStats


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, help="対象の月 YYYY-MM（日本時間）")
    parser.add_argument("--xlsx", help="Excel ブック（グラフ付き）の出力先")
    parser.add_argument("--pdf", help="PDF（A4 横）の出力先。Qt で印刷します")
    add_history_arguments(parser)
    parser.add_argument(
        "--stats",
        action="store_true",
        help="SendGrid の統計から配信率を読む（API キーが必要。既定: 読まない）",
    )
    parser.add_argument("--base-url", help="API の URL（練習用サーバーなど。既定: SendGrid）")
    add_region_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        from app.core.history.account_region import readable_account
        from app.core.history.report import build_monthly_report
        from app.core.history.report_xlsx import report_text, write_report_xlsx
        from app.core.history.trends import month_range, parse_month

        month = parse_month(args.month)
        path = history_path(args)
        shared = database_from_args(args) is not None
        if not shared and not path.exists():
            raise InvalidInputError(
                "取得履歴がまだありません。",
                next_step_ja="先に todoku-cli fetch（またはアプリ）で対象の月を取得してください。",
                detail=str(path),
            )
        account = account_key(args)
        daily, note = _daily_stats(args, month_range(month)) if args.stats else (None, "")
        store = open_cli_history(args, path, read_only=True)
        journal = (
            open_cli_journal(args, journal_path(args))
            if shared or journal_path(args).exists()
            else None
        )
        try:
            known = store.accounts()
            if not known:
                raise InvalidInputError(
                    "取得履歴にまだ記録がありません。",
                    next_step_ja="先に todoku-cli fetch で取得してから、レポートを作ってください。",
                )
            # A report writes nothing: rows an older version filed under another spelling of
            # the account are read where they are until a fetch folds them in.
            account = readable_account(known, account)
            if account not in known:
                names = "、".join(sorted({a.account for a in known}))
                raise InvalidInputError(
                    f"履歴にアカウント「{account.account}」の記録がありません。",
                    next_step_ja=f"--account で次のいずれかを指定してください: {names}",
                )
            report = build_monthly_report(
                store, account, month, journal=journal, daily_stats=daily, delivery_note=note
            )
        finally:
            store.close()
            if journal is not None:
                journal.close()
        if args.xlsx:
            write_report_xlsx(report, Path(args.xlsx))
            print(f"Excel に書き出しました: {args.xlsx}", file=sys.stderr)
        if args.pdf:
            # Only this path loads Qt (app.report_pdf lives outside the Qt-free packages).
            from app.report_pdf import write_report_pdf

            write_report_pdf(report, Path(args.pdf))
            print(f"PDF に書き出しました: {args.pdf}", file=sys.stderr)
        if not (args.xlsx or args.pdf):
            # Domains and account names come from the provider's replies: nothing in them may
            # drive or reorder the terminal.
            print(terminal_text(report_text(report)))
        return 0
    except HistoryError as error:
        return report_error(error.without_fetch_note())  # nothing was fetched
    except TodokuError as error:
        return report_error(error)


def _daily_stats(
    args: argparse.Namespace, period: DateRange
) -> tuple[tuple[DailyStats, ...] | None, str]:
    """The month's daily stats, or None and the reason they could not be read."""
    from app.cli.common import make_provider
    from app.core.stats import fetch_daily_stats

    try:
        with make_provider(args) as provider:
            return fetch_daily_stats(provider, period), ""
    except TodokuError as error:
        return None, f"配信状況を読めませんでした: {error.message_ja}"
