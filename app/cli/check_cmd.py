"""`todoku-cli check`: daily delivery rate for the last N days, exit 3 and notify when it drops.

Exit codes (for cron / CI / monitoring scripts):
    0  every day with requests is at or above the threshold (days without requests don't count)
    3  at least one day is below the threshold
    1  the stats could not be fetched (API key, permission, network ...), or the app's
       settings.json (where the webhook is kept) is damaged: nothing was judged
    2  wrong arguments (argparse)
A failed webhook post is reported on stderr and never changes the code: the result is the check,
the notification is a courtesy.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from app.cli.common import add_connection_arguments, make_provider, report_error
from app.core.dates import today_jst
from app.core.errors import TodokuError
from app.core.stats import (
    DEFAULT_THRESHOLD,
    RATE_DEFINITION_JA,
    evaluate,
    fetch_daily_stats,
    period_label,
    summary_ja,
)
from app.core.types import DateRange

EXIT_OK = 0
EXIT_FETCH_FAILED = 1
EXIT_BELOW_THRESHOLD = 3
MAX_DAYS = 366


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"直近 N 日間（日本時間、今日を含む）の配信率を確認します。{RATE_DEFINITION_JA}。"
        "終了コード: 0=すべての日がしきい値以上、3=下回った日あり、1=統計を取得できなかった。"
    )
    parser.add_argument("--days", type=_days, default=7, help="確認する日数（今日を含む。既定: 7）")
    parser.add_argument(
        "--threshold",
        type=_threshold,
        default=DEFAULT_THRESHOLD,
        help="しきい値（0〜1 の小数。既定: 0.97 = 97%%）",
    )
    parser.add_argument(
        "--slack-webhook",
        default="",
        metavar="URL",
        help="結果を投稿する Slack 互換 Incoming Webhook の URL（省略時はアプリの設定を使用）",
    )
    parser.add_argument(
        "--alert-only",
        action="store_true",
        help="しきい値を下回ったとき（と取得に失敗したとき）だけ Webhook に投稿する",
    )
    add_connection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    today = today_jst()
    date_range = DateRange(today - timedelta(days=args.days - 1), today)
    try:
        webhook = args.slack_webhook.strip() or _stored_webhook()
    except TodokuError as error:  # a damaged settings.json: its webhook is unknown
        return report_error(error)
    try:
        with make_provider(args) as provider:
            daily = fetch_daily_stats(provider, date_range)
    except TodokuError as error:
        report_error(error)
        if webhook:
            _notify(webhook, f"⚠ 配信状況を確認できませんでした: {error.message_ja}")
        return EXIT_FETCH_FAILED
    report = evaluate(daily, args.threshold)
    text = summary_ja(report, period_label(date_range, today))
    print(text, flush=True)
    if webhook and (report.below_days or not args.alert_only):
        _notify(webhook, ("⚠ " if report.below_days else "") + text)
    return EXIT_OK if report.ok else EXIT_BELOW_THRESHOLD


def _notify(url: str, text: str) -> None:
    """Post; on failure say so on stderr in Japanese (the URL itself is a secret: masked)."""
    from app.core.webhook import WebhookError, post_webhook

    try:
        post_webhook(url, text)
    except WebhookError as error:
        report_error(error, prefix="通知エラー")  # the detail quotes the endpoint's answer


def _stored_webhook() -> str:
    """The webhook URL from the app's settings (``alert_webhook_url``); "" when unset.

    A settings.json that is there but damaged is refused (SettingsFileError), not read as "no
    webhook": a monitoring job would otherwise go on without ever posting its alerts."""
    from app.cli.settings_file import load_cli_settings

    return load_cli_settings().alert_webhook_url.strip()


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日数は整数で指定してください: {text}") from None
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"日数は 1〜{MAX_DAYS} で指定してください: {text}")
    return value


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"しきい値を読み取れません: {text}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"しきい値は 0 より大きく 1 以下の小数で指定してください（例: 0.97 = 97%）: {text}"
        )
    return value
