"""`todoku-cli delete`: remove listed addresses from one suppression list, after confirmation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import add_connection_arguments, make_provider, report_error
from app.core.errors import InvalidInputError, TodokuError
from app.core.types import DeleteStatus, ListKind


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--list",
        dest="list_name",
        required=True,
        help="bounces, blocks, invalid_emails, spam_reports, unsubscribes のいずれか",
    )
    parser.add_argument(
        "--emails-file", required=True, help="削除するアドレスを 1 行に 1 つ書いたファイル"
    )
    parser.add_argument("--yes", action="store_true", help="確認せずに削除する")
    parser.add_argument("--note", default="", help="削除の理由（記録に残ります）")
    add_connection_arguments(parser)


def read_emails(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InvalidInputError(
            f"ファイル「{path}」を読めません。",
            next_step_ja="ファイルの場所と名前を確認してください。",
            detail=str(error),
        ) from None
    emails = [line.strip() for line in text.splitlines()]
    emails = list(dict.fromkeys(e for e in emails if e and not e.startswith("#")))
    if not emails:
        raise InvalidInputError("ファイルに削除するアドレスがありません。")
    return emails


def _confirm(kind: ListKind, emails: list[str]) -> bool:
    print(f"{kind.label_ja}リストから次の {len(emails)} 件を削除します。", file=sys.stderr)
    for email in emails[:20]:
        print(f"  {email}", file=sys.stderr)
    if len(emails) > 20:
        print(f"  …ほか {len(emails) - 20} 件", file=sys.stderr)
    print("SendGrid では削除した項目を元に戻せません。", file=sys.stderr)
    if not sys.stdin or not sys.stdin.isatty():
        print("確認できないため中止しました（--yes で確認を省略できます）。", file=sys.stderr)
        return False
    answer = input(f"削除するには件数（{len(emails)}）を入力してください: ").strip()
    return answer == str(len(emails))


def run(args: argparse.Namespace) -> int:
    try:
        kind = ListKind.parse(args.list_name)
    except ValueError as error:
        return report_error(InvalidInputError("リスト名を読み取れません。", detail=str(error)))
    try:
        emails = read_emails(Path(args.emails_file))
        if not args.yes and not _confirm(kind, emails):
            return 1
        with make_provider(args) as provider:
            outcomes = provider.delete(kind, emails)
    except TodokuError as error:
        return report_error(error)
    failed = [o for o in outcomes if o.status is DeleteStatus.FAILED]
    for outcome in outcomes:
        print(f"{outcome.status.value}\t{outcome.email}\t{outcome.detail}")
    print(
        f"削除 {sum(o.status is DeleteStatus.DELETED for o in outcomes)} 件、"
        f"リストになし {sum(o.status is DeleteStatus.NOT_FOUND for o in outcomes)} 件、"
        f"失敗 {len(failed)} 件",
        file=sys.stderr,
    )
    return 1 if failed else 0
