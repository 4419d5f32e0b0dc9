"""`todoku-cli sandbox`: run a provider's imitation (SendGrid by default) on loopback until
interrupted.

The first stdout line is the base URL (other tools read it); everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from app.core.dates import JST
from app.paths import resources_dir
from app.sandbox.loopback import LoopbackServer
from app.sandbox.scenarios import generate_records, load_records_jsonl
from app.sandbox.sendgrid_server import SANDBOX_API_KEY, FaultPlan, SendGridSandbox

_SPAN_SECONDS = 60 * 86400  # generated entries cover the last 60 days
# Generated entries are held in memory (about 1 KB each with the indexes); the benchmarks use
# up to 200,000. Beyond this a typo ("--entries 99999999999") would eat the machine's memory.
MAX_ENTRIES = 2_000_000
MAX_INCIDENT_DAYS_AGO = 3650  # ten years back: more than any report or trend looks at
WATCH_PARENT_ENV = "TODOKU_SANDBOX_WATCH_PARENT"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="待ち受けアドレス（既定: 127.0.0.1）")
    add("--port", type=int, default=0, help="ポート番号（0 = 空きポートを自動選択）")
    add("--entries", type=int, default=2000, help="生成するエントリー数（既定: 2000）")
    add("--seed", type=int, default=1, help="データと障害注入の乱数シード")
    add("--data", type=Path, help="JSON Lines のデータファイル（指定時は生成しない）")
    add("--latency-ms", type=float, default=0.0, help="応答ごとに加える遅延（ミリ秒）")
    add("--rate-limit", type=int, default=None, help="1 分あたりの上限（省略時は無制限）")
    add("--faults", default="", help="障害注入の確率。例: 429=0.05,500=0.05,drop=0.02,garbage=0.01")
    add("--api-key", default=None, help="受け付ける API キー（既定: 練習用のキー）")
    add(
        "--provider",
        choices=("sendgrid", "cmc", "infobip", "ses"),
        default="sendgrid",
        help="模擬する配信サービス（既定: sendgrid）",
    )
    # Extensions beyond the scripted contract above (optional; other tools need not pass them).
    add(
        "--incident-days-ago",
        type=int,
        default=None,
        help="この日数前の日を配信率の低い日（障害日）にする（練習モード用）",
    )


def _watch_parent(stopping: threading.Event) -> None:
    """With TODOKU_SANDBOX_WATCH_PARENT=1 (set by the app's practice mode), stop when the
    process that started us is gone, so a killed app leaves no server behind."""
    if os.environ.get(WATCH_PARENT_ENV) != "1":
        return
    parent = os.getppid()

    def watch() -> None:
        while not stopping.wait(1.0):
            if os.getppid() != parent:  # re-parented: the app died
                stopping.set()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _other_provider(args: argparse.Namespace, faults: FaultPlan) -> LoopbackServer[Any]:
    """The CMC / Infobip / SES imitation with the same flags as SendGrid's."""
    from app.sandbox.practice import practice_sandbox

    reasons = resources_dir() / "sandbox" / "bounce-reasons.jsonl"
    return practice_sandbox(
        args.provider,
        entries=args.entries,
        seed=args.seed,
        latency_ms=args.latency_ms,
        rate_limit_per_minute=args.rate_limit,
        faults=faults,
        host=args.host,
        port=args.port,
        reasons_path=reasons,
        api_key=args.api_key,
    )


def _credentials_text(args: argparse.Namespace) -> str:
    from app.sandbox.practice import practice_credentials

    values = practice_credentials(args.provider)
    if args.api_key:
        secret = "secret_access_key" if args.provider == "ses" else "api_key"
        values[secret] = args.api_key
    return "\n".join(f"{name}: {value}" for name, value in values.items())


def _check_numbers(args: argparse.Namespace) -> None:
    if not 0 <= args.entries <= MAX_ENTRIES:
        raise ValueError(f"--entries は 0 以上 {MAX_ENTRIES:,} 以下にしてください")
    if not 0 <= args.port <= 65535:
        raise ValueError("--port は 0〜65535 にしてください（0 = 空きポートを自動選択）")
    if not 0.0 <= args.latency_ms <= 600_000.0:  # also refuses NaN
        raise ValueError("--latency-ms は 0 以上（ミリ秒）にしてください")
    if args.rate_limit is not None and args.rate_limit < 0:  # 0: every request gets a 429
        raise ValueError("--rate-limit は 0 以上にしてください（省略すると無制限）")
    # A day before year 1 is an OverflowError; a negative count names a day to come.
    days = args.incident_days_ago
    if days is not None and not 0 <= days <= MAX_INCIDENT_DAYS_AGO:
        raise ValueError(
            f"--incident-days-ago は 0〜{MAX_INCIDENT_DAYS_AGO:,} の日数にしてください（0 = 今日）"
        )


def run(args: argparse.Namespace) -> int:
    try:
        _check_numbers(args)
    except ValueError as error:
        print(f"todoku-cli sandbox: 起動できません: {error}", file=sys.stderr)
        return 2
    if args.provider != "sendgrid":
        return _run_other(args)
    if args.api_key is None:
        args.api_key = SANDBOX_API_KEY
    try:
        faults = FaultPlan.parse(args.faults)
        if args.data is not None:
            records = load_records_jsonl(args.data)
        else:
            now = int(time.time())
            reasons = resources_dir() / "sandbox" / "bounce-reasons.jsonl"
            start = now - _SPAN_SECONDS
            records = generate_records(args.entries, args.seed, start, now, reasons_path=reasons)
    except (OSError, ValueError) as error:
        print(f"todoku-cli sandbox: 起動できません: {error}", file=sys.stderr)
        return 2
    sandbox = SendGridSandbox(
        records=records,
        api_keys={args.api_key: None},
        latency_ms=args.latency_ms,
        rate_limit_per_minute=args.rate_limit,
        faults=faults,
        seed=args.seed,
        host=args.host,
        port=args.port,
    )
    if args.incident_days_ago is not None:
        incident = datetime.now(tz=JST).date() - timedelta(days=args.incident_days_ago)
        sandbox.set_bad_day(incident, delivered_ratio=0.88)
    return _serve(
        sandbox,
        lambda base_url: (
            f"練習用 SendGrid 模擬サーバーを起動しました（{len(records)} 件）。\n"
            f"接続先 URL: {base_url}\nAPI キー: {args.api_key}\n"
            "本物のメールや API キーは使われません。終了するには Ctrl+C を押してください。"
        ),
    )


def _run_other(args: argparse.Namespace) -> int:
    try:
        faults = FaultPlan.parse(args.faults)
        if args.data is not None:
            raise ValueError("--data は sendgrid の模擬サーバーでのみ使えます")
        sandbox = _other_provider(args, faults)
    except (OSError, ValueError) as error:
        print(f"todoku-cli sandbox: 起動できません: {error}", file=sys.stderr)
        return 2
    credentials = _credentials_text(args)
    return _serve(
        sandbox,
        lambda base_url: (
            f"練習用 {args.provider} 模擬サーバーを起動しました。\n接続先 URL: {base_url}\n"
            f"{credentials}\n"
            "本物のメールや認証情報は使われません。終了するには Ctrl+C を押してください。"
        ),
    )


def _serve(sandbox: LoopbackServer[Any], banner: Callable[[str], str]) -> int:
    """Serve until SIGINT/SIGTERM (or the parent app dies): base URL first on stdout."""
    stopping = threading.Event()
    _watch_parent(stopping)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    try:
        base_url = sandbox.start()
    except OSError as error:  # a --host no interface has, a port in use
        print(f"todoku-cli sandbox: 起動できません: {error}", file=sys.stderr)
        return 2
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(base_url, flush=True)
        print(banner(base_url), file=sys.stderr, flush=True)
        # A timed wait keeps the main thread responsive to signals on every platform.
        while not stopping.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("模擬サーバーを停止しました。", file=sys.stderr, flush=True)
    return 0
