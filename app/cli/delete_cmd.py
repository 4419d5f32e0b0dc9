"""`todoku-cli delete`: remove listed addresses from one suppression list, after confirmation,
recording every address in the deletion journal before and after the request.

Each address is looked up first, so the journal keeps the entry as SendGrid had it (reason,
status, date) — the one copy left once the entry is gone. Addresses not on the list are
reported and not sent.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from app.cli.common import (
    account_description,
    add_connection_arguments,
    add_provider_arguments,
    journal_region_of,
    make_any_provider,
    report_error,
    terminal_text,
)
from app.cli.shared_store import add_database_argument, database_from_args, open_cli_journal
from app.core.bounded_lines import TextLine, text_lines
from app.core.deletion.plan import (
    DeletionContext,
    DeletionPlan,
    plan_deletion,
    plan_for_addresses,
)
from app.core.deletion.run import delete_with_record
from app.core.errors import InvalidInputError, TodokuError
from app.core.types import DeleteStatus, ListKind, SuppressionEntry

if TYPE_CHECKING:
    from app.core.deletion.reconcile import ListingProvider
    from app.core.providers.base import Provider

EXIT_USAGE = 2
CONFLICT_STATUS = "skipped"  # claimed by another operator's operation, or already deleted
LOOKUP_PROGRESS_EVERY = 50
NOT_LISTED = "すでにリストにありません"
EXIT_GUIDANCE = 3  # nothing deleted: the provider needs its console (the guide is on stdout)
SHOWN_ADDRESSES = 20
CONSENT_NEEDED = (
    "迷惑メール報告・配信停止の削除には、受信者本人の同意が必要です。"
    "--yes で確認を省略する場合は、同意を得ていることを示す --consent も指定してください。"
)


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
    parser.add_argument(
        "--consent",
        action="store_true",
        help="迷惑メール報告・配信停止の削除で、受信者の同意を得ていることを示す（--yes と併用）",
    )
    parser.add_argument("--note", default="", help="削除の理由（記録に残ります）")
    parser.add_argument(
        "--journal",
        default=None,
        metavar="PATH",
        help="削除履歴のファイル（既定: アプリと同じデータフォルダの journal.sqlite3）",
    )
    add_database_argument(parser)
    add_connection_arguments(parser)
    add_provider_arguments(parser)


# An address is at most 254 characters; a line far longer is not an address list (a binary or
# a log picked by mistake) and is refused by its line number instead of being read whole.
MAX_EMAIL_LINE_BYTES = 64 * 1024


def read_emails(path: Path, max_line_bytes: int = MAX_EMAIL_LINE_BYTES) -> list[str]:
    """The addresses of ``path``, one a line (``#`` lines and blanks skipped, duplicates once).

    Streamed line by line with each line bounded, so a huge or binary file never sits in
    memory whole. Any unreadable line refuses the whole file: a deletion must act on exactly
    the addresses written, never on a guess.
    """
    emails: dict[str, None] = {}
    try:
        with path.open("rb") as source:
            for line in text_lines(source, max_line_bytes):
                if line.problem_ja:
                    raise _unreadable_line(path, line)
                email = line.text.strip()
                if email and not email.startswith("#"):
                    emails[email] = None
    except OSError as error:
        raise InvalidInputError(
            f"ファイル「{path}」を読めません。",
            next_step_ja="ファイルの場所と名前を確認してください。",
            detail=str(error),
        ) from None
    if not emails:
        raise InvalidInputError("ファイルに削除するアドレスがありません。")
    return list(emails)


def _unreadable_line(path: Path, line: TextLine) -> InvalidInputError:
    problem_ja = line.problem_ja
    if line.not_utf8:
        # Not guessed as Shift_JIS: a deletion must act on exactly the addresses written.
        return InvalidInputError(
            f"ファイル「{path}」は UTF-8 として読めません（{problem_ja}）。",
            next_step_ja=(
                "UTF-8 で保存し直してください（Excel なら「CSV UTF-8」、メモ帳なら"
                "文字コード「UTF-8」で保存）。"
            ),
        )
    return InvalidInputError(
        f"ファイル「{path}」はアドレスの一覧として読めません（{problem_ja}）。",
        next_step_ja="1 行に 1 つのメールアドレスを書いたテキストファイルを指定してください。",
    )


def journal_path(args: argparse.Namespace) -> Path:
    if args.journal:
        return Path(args.journal)
    from app.paths import user_paths

    return user_paths().data_dir / "journal.sqlite3"


def look_up(provider: Provider, kind: ListKind, emails: list[str]) -> list[SuppressionEntry]:
    """The listed entries of ``emails`` (in file order); unlisted addresses are printed.

    A provider without a one-address lookup gets the bare addresses: the journal then keeps
    the address and list but not the reason (said on the terminal).
    """
    lookup = getattr(provider, "lookup", None)
    if lookup is None:
        print(
            "注意: このサービスでは削除前に理由を読めないため、アドレスだけを記録します。",
            file=sys.stderr,
        )
        return [item.entry for item in plan_for_addresses(kind, emails).items]
    entries: list[SuppressionEntry] = []
    for done, email in enumerate(emails, 1):
        entry = lookup(kind, email)
        if entry is None:
            print(f"{DeleteStatus.NOT_FOUND.value}\t{terminal_text(email)}\t{NOT_LISTED}")
        else:
            entries.append(entry)
        if done % LOOKUP_PROGRESS_EVERY == 0 or done == len(emails):
            print(f"確認中… {done}/{len(emails)} 件", file=sys.stderr)
    return entries


def explained_plan(entries: list[SuppressionEntry], provider: str = "") -> DeletionPlan:
    """A plan whose journal rows carry each entry's explanation, as the window's do; its
    warnings speak of ``provider`` (the provider's name)."""
    from app.core.classify.classifier import Classifier

    explanations = Classifier.load().classify_entries(entries)
    return plan_deletion(zip(entries, explanations, strict=True), provider=provider)


def _describe(kind: ListKind, plan: DeletionPlan, provider_name: str) -> None:
    emails = [item.entry.email for item in plan.items]
    print(f"{kind.label_ja}リストから次の {plan.total} 件を削除します。", file=sys.stderr)
    for email in emails[:SHOWN_ADDRESSES]:
        print(f"  {terminal_text(email)}", file=sys.stderr)
    if len(emails) > SHOWN_ADDRESSES:
        print(f"  …ほか {len(emails) - SHOWN_ADDRESSES} 件", file=sys.stderr)
    for _, warning in plan.warnings:
        print(terminal_text(f"注意: {warning}"), file=sys.stderr)
    print(f"{_label_ja(provider_name)}では削除した項目を元に戻せません。", file=sys.stderr)


def _label_ja(provider_name: str) -> str:
    """``Amazon SES ``, ``Infobip ``…: the provider's name as the operator knows it."""
    from app.core.accounts import ProviderName, before_particle_ja

    try:
        return before_particle_ja(ProviderName(provider_name).label_ja)
    except ValueError:
        return before_particle_ja(provider_name)


def _confirm(plan: DeletionPlan) -> bool:
    """Ask on the terminal: consent first when needed, then the count or y/N."""
    if not sys.stdin or not sys.stdin.isatty():
        print("確認できないため中止しました（--yes で確認を省略できます）。", file=sys.stderr)
        return False
    if plan.requires_consent:
        answer = input("受信者本人から再びメールを受け取る同意を得ていますか？ [y/N]: ")
        if answer.strip().lower() not in ("y", "yes"):
            print("同意が確認できないため中止しました。", file=sys.stderr)
            return False
    if plan.requires_typed_confirmation:
        number = plan.confirmation_number
        answer = input(f"削除するには件数（{number}）を入力してください: ").strip()
        return answer == number
    return input("削除しますか？ [y/N]: ").strip().lower() in ("y", "yes")


def _show_guidance(args: argparse.Namespace, kind: ListKind, emails: list[str]) -> int | None:
    """For a list the provider cleans only in its console (CMC blocks): print the Japanese
    guide with the addresses, send nothing, record nothing. None: delete as usual."""
    if getattr(args, "provider", None) in (None, "sendgrid") and args.account is None:
        return None
    from app.core.providers.base import deletion_guidance, deletion_mode
    from app.core.types import DeleteMode

    try:
        with make_any_provider(args) as provider:
            mode = deletion_mode(provider, kind)
            if mode is DeleteMode.API:
                if kind not in provider.supported_lists():
                    raise InvalidInputError(f"このサービスには{kind.label_ja}リストがありません。")
                return None
            if mode is DeleteMode.NONE:
                raise InvalidInputError(
                    f"{kind.label_ja}は配信履歴のため、このサービスでは削除できません。",
                    next_step_ja="ブロック（管理画面では「配信停止」）からの解除を検討してください。",
                )
            guide = deletion_guidance(provider, kind, emails)
    except TodokuError as error:
        return report_error(error)
    if guide is None:  # unreachable: the mode above was GUIDANCE
        return None
    print(terminal_text(guide.as_text()))  # the addresses come from the operator's file
    print(
        "このサービスでは API で削除できないため、何も送信していません。"
        "上の手順で解除してください。",
        file=sys.stderr,
    )
    return EXIT_GUIDANCE


def reconcile_earlier(
    args: argparse.Namespace, provider: Provider, context: DeletionContext
) -> None:
    """Check what became of deletions a killed or crashed run left unfinished (same account).

    Their addresses were claimed before the requests went out, so the journal holds them; what
    the provider did with them is learnt here, as the window does at start-up, and said on
    stderr. Without it, a CLI-only user's interrupted operation stayed "running", every
    outcome unknown. Every provider is asked about each unrecorded address; only a list it
    cannot be asked about (CMC's bounces, an Infobip list on a domain the key may not read) is
    settled: its unknown outcomes are recorded 「結果不明」. Either way the record is closed and
    its claims released, so this run deletes those addresses again rather than skipping them
    as another operator's. No journal yet: nothing can be unfinished (and none is created).
    """
    from app.core.deletion.reconcile import reconcile_unfinished

    local_path = journal_path(args)
    local = bool(args.journal) or database_from_args(args) is None  # as open_cli_journal
    if local and not local_path.exists():
        return
    journal = open_cli_journal(args, local_path)
    try:
        # A list the provider cannot be asked about has this account's dead deletions settled.
        summary = reconcile_unfinished(cast("ListingProvider", provider), journal, context=context)
    finally:
        journal.close()
    for line in summary.notice_ja.splitlines():
        print(terminal_text(line), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        kind = ListKind.parse(args.list_name)
    except ValueError as error:
        return report_error(InvalidInputError("リスト名を読み取れません。", detail=str(error)))
    try:
        emails = read_emails(Path(args.emails_file))
    except TodokuError as error:
        return report_error(error)
    guided = _show_guidance(args, kind, emails)
    if guided is not None:
        return guided
    try:
        context = DeletionContext(
            account_label=account_description(args),
            subuser=args.subuser,
            region=journal_region_of(args),
            note=args.note,
        )
        with make_any_provider(args) as provider:
            reconcile_earlier(args, provider, context)
            entries = look_up(provider, kind, emails)
            not_listed = len(emails) - len(entries)
            if not entries:
                print(f"{kind.label_ja}リストに該当するアドレスはありません。", file=sys.stderr)
                return 0
            plan = explained_plan(entries, provider.name)
            _describe(kind, plan, provider.name)
            if args.yes:
                if plan.requires_consent and not args.consent:
                    print(f"エラー: {CONSENT_NEEDED}", file=sys.stderr)
                    return EXIT_USAGE
            elif not _confirm(plan):
                return 1
            journal = open_cli_journal(args, journal_path(args))
            try:
                report = delete_with_record(provider, journal, plan, context=context)
            finally:
                journal.close()
    except TodokuError as error:
        return report_error(error)
    # Addresses come from the operator's file or the provider and details from the server:
    # neither may drive the terminal.
    for outcome in report.outcomes:
        email, detail = terminal_text(outcome.email), terminal_text(outcome.detail)
        print(f"{outcome.status.value}\t{email}\t{detail}")
    for conflict in report.conflicts:  # another operator holds or already deleted it: not sent
        print(f"{CONFLICT_STATUS}\t{terminal_text(conflict.email)}\t{conflict.label_ja}")
    gone = not_listed + sum(o.status is DeleteStatus.NOT_FOUND for o in report.outcomes)
    print(
        f"削除 {sum(o.status is DeleteStatus.DELETED for o in report.outcomes)} 件、"
        f"リストになし {gone} 件、"
        f"失敗 {len(report.failed)} 件"
        + (
            f"、ほかの担当者が削除済み・削除中 {len(report.conflicts)} 件"
            if report.conflicts
            else ""
        )
        + (f"（削除履歴の記録番号 #{report.operation_id}）" if report.operation_id else ""),
        file=sys.stderr,
    )
    return 1 if report.failed else 0
