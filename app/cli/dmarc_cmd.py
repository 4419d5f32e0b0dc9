"""`todoku-cli dmarc PATH... [--imap-folder NAME] [--xlsx FILE] [--json]`: DMARC in Japanese.

Exit codes:
    0  every sending source passes DMARC (SPF or DKIM aligned)
    3  at least one source fails alignment (spoofing, forwarding or a set-up gap: see the summary)
    1  nothing could be judged (mailbox unreachable, workbook not written, not one report read)
    2  wrong arguments
Unreadable files are listed with a Japanese reason; they change the code only when no report at
all could be read (a 0 would then claim that every source passed).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import json_text, report_error, terminal_text
from app.core.errors import InvalidInputError, TodokuError

if TYPE_CHECKING:  # imported when the command runs, so `todoku-cli --help` stays light
    import dns.resolver

    from app.core.dmarc.analysis import DmarcResult
    from app.core.dmarc.service import MailboxRequest, PublishedCheck

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ALIGNMENT_FAILS = 3
PASSWORD_ENV = "TODOKU_IMAP_PASSWORD"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "DMARC 集計レポート（.xml / .xml.gz / .gz / .zip、フォルダ、IMAP のフォルダ）を読み、"
        "送信元ごとの判定と対応を日本語で表示します。"
        "終了コード: 0=すべて合格、3=DMARC に失敗した送信元あり、1=読み込めなかった。"
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="レポートのファイルまたはフォルダ")
    parser.add_argument("--imap-folder", metavar="NAME", help="レポートが届く IMAP のフォルダ")
    parser.add_argument("--xlsx", metavar="FILE", help="Excel ブック（一覧・集計・条件）の出力先")
    parser.add_argument("--json", action="store_true", help="結果を JSON で標準出力へ")
    imap = parser.add_argument_group("IMAP（TLS のみ。パスワードは OS の資格情報ストアか環境変数）")
    imap.add_argument("--imap-host", default=os.environ.get("TODOKU_IMAP_HOST", ""))
    imap.add_argument("--imap-port", type=int, default=993)
    imap.add_argument("--imap-user", default=os.environ.get("TODOKU_IMAP_USER", ""))
    imap.add_argument("--imap-cafile", type=Path, help="追加で信頼する証明書（社内 CA など）")
    imap.add_argument(
        "--imap-delete",
        action="store_true",
        help="読み込んだレポートのメールを削除する（指定しない限り、メールは読むだけ）",
    )
    dns = parser.add_argument_group("DNS")
    dns.add_argument("--no-dns", action="store_true", help="公開レコードと逆引きを確認しない")
    dns.add_argument("--dns-server", metavar="IP[:PORT]", help="問い合わせる DNS サーバー")
    dns.add_argument(
        "--dkim-selector",
        action="append",
        default=[],
        metavar="NAME",
        help="確認する DKIM セレクタ",
    )


def run(args: argparse.Namespace) -> int:
    from app import __version__
    from app.core.dmarc.dns_check import NOT_CHECKED_NOTE_JA, OFFLINE_NOTE_JA, resolve_sources
    from app.core.dmarc.service import analyse_reports, check_published_records
    from app.core.dmarc.summary import result_json, summary_ja

    if not args.paths and not args.imap_folder:
        print("エラー: PATH か --imap-folder を指定してください。", file=sys.stderr)
        return EXIT_USAGE
    try:
        mailbox = _mailbox_request(args) if args.imap_folder else None
        result = analyse_reports(paths=[Path(p) for p in args.paths], mailbox=mailbox)
        resolver = None
        published = None
        if not args.no_dns:
            resolver = _resolver(args.dns_server)
            published = check_published_records(
                result.check_order, resolver, dkim_selectors=args.dkim_selector
            )
            if published.offline_ja:
                resolver = None
        unchecked = NOT_CHECKED_NOTE_JA if args.no_dns else OFFLINE_NOTE_JA
        result = replace(
            result, sources=resolve_sources(result.sources, resolver, unchecked_note_ja=unchecked)
        )
        if args.xlsx:
            _export(result, published, args, __version__)
    except TodokuError as error:
        report_error(error)
        return EXIT_FAILED
    if args.json:
        print(json_text(result_json(result, published), sys.stdout, indent=2))
    else:
        # Reporter names, From domains and DNS records come from strangers' reports.
        print(terminal_text(summary_ja(result, published)), flush=True)
    if not result.reports and result.problems:
        # Nothing could be read: a 0 would tell a calling script "every source passed".
        print("エラー: 読み込めたレポートがありません（理由は上の一覧）。", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_ALIGNMENT_FAILS if result.failing_sources else EXIT_OK


def _mailbox_request(args: argparse.Namespace) -> MailboxRequest:
    from app.core.dmarc.errors import ImapError
    from app.core.dmarc.imap_source import ImapSettings, imap_password
    from app.core.dmarc.service import MailboxRequest

    if not args.imap_host or not args.imap_user:
        raise ImapError(
            "IMAP サーバーとユーザー名が指定されていません。",
            next_step_ja=(
                "--imap-host と --imap-user（または環境変数 TODOKU_IMAP_HOST / "
                "TODOKU_IMAP_USER）を指定してください。"
            ),
        )
    password = os.environ.get(PASSWORD_ENV, "")
    if not password:
        from app.core.storage.secrets import KeyringSecretStore

        password = imap_password(KeyringSecretStore())
    if not password:
        raise ImapError(
            "IMAP のパスワードが見つかりません。",
            next_step_ja=f"環境変数 {PASSWORD_ENV} に設定するか、アプリの設定で保存してください。",
        )
    settings = ImapSettings(
        host=args.imap_host,
        username=args.imap_user,
        folder=args.imap_folder,
        port=args.imap_port,
        cafile=args.imap_cafile,
    )
    return MailboxRequest(settings, password, delete_after_import=args.imap_delete)


def _resolver(server: str | None) -> dns.resolver.Resolver:
    from app.core.dmarc.dns_check import make_resolver

    if not server:
        return make_resolver()
    host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "53")
    try:
        return make_resolver(host, int(port or 53))
    except ValueError:
        raise InvalidInputError(
            f"DNS サーバーの指定を読み取れません: {server}",
            next_step_ja=(
                "IP アドレス、または IP:ポート の形で指定してください（例: 127.0.0.1:5353）。"
            ),
        ) from None


def _export(
    result: DmarcResult, published: PublishedCheck | None, args: argparse.Namespace, version: str
) -> None:
    from app.core.dmarc.export_xlsx import DmarcExportContext, export_dmarc_xlsx
    from app.core.dmarc.policy_advice import policy_advice_ja

    inputs = [str(Path(p)) for p in args.paths]
    if args.imap_folder:
        inputs.append(f"IMAP {args.imap_host}:{args.imap_port} {args.imap_folder}")
    if published is None:
        dns_note = "確認していません（--no-dns）"
    elif published.offline_ja:
        dns_note = published.offline_ja
    else:
        dns_note = "、".join(
            f"{check.domain}: {check.dmarc.text or 'DMARC レコードなし'}"
            for check in published.checks
        )
        if published.left_out_ja:
            dns_note += f" {published.left_out_ja}"
    advice: list[str] = []
    for policy in result.policies or (None,):
        advice.extend(policy_advice_ja(policy, result))
    context = DmarcExportContext(
        inputs=tuple(inputs),
        exported_at=datetime.now(UTC),
        app_version=version,
        dns_note_ja=dns_note,
        advice_ja=tuple(advice),
    )
    export_dmarc_xlsx(result, context, Path(args.xlsx))
