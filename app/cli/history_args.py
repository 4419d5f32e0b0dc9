"""What `todoku-cli fetch` and `report` share about history: files, account name, opening."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from app.cli.shared_store import (
    add_database_argument,
    database_from_args,
    open_cli_history,
    open_cli_journal,
)
from app.core.errors import TodokuError
from app.core.history.incremental import HistoryFetch
from app.core.providers.base import FetchProgressCallback, Provider
from app.core.storage.history.interface import (
    AccountKey,
    Deletion,
    HistoryError,
    HistoryStorage,
)
from app.core.types import DateRange, ListKind

HISTORY_FILE = "history.sqlite3"
JOURNAL_FILE = "journal.sqlite3"
DEFAULT_ACCOUNT = "既定"
PRACTICE_ACCOUNT = "練習"


def add_history_arguments(parser: argparse.ArgumentParser, *, with_account: bool = True) -> None:
    """``--history``/``--journal`` files, and ``--account`` unless the command already has it
    (fetch takes the provider's ``--account``, which names the history account too), and
    ``--database`` for a team's shared store."""
    add_database_argument(parser)
    parser.add_argument(
        "--history", help=f"取得履歴のファイル（既定: アプリと同じデータフォルダの {HISTORY_FILE}）"
    )
    parser.add_argument(
        "--journal", help=f"削除履歴のファイル（既定: アプリと同じデータフォルダの {JOURNAL_FILE}）"
    )
    if not with_account:
        return
    parser.add_argument(
        "--account",
        help=(
            f"履歴上のアカウント名（既定: {DEFAULT_ACCOUNT}、"
            f"--base-url 指定時は {PRACTICE_ACCOUNT}）"
        ),
    )


def _data_file(explicit: str | None, name: str) -> Path:
    if explicit:
        return Path(explicit)
    from app.paths import user_paths

    return user_paths().data_dir / name


def history_path(args: argparse.Namespace) -> Path:
    return _data_file(getattr(args, "history", None), HISTORY_FILE)


def journal_path(args: argparse.Namespace) -> Path:
    return _data_file(getattr(args, "journal", None), JOURNAL_FILE)


def account_key(args: argparse.Namespace) -> AccountKey:
    """The history account of a CLI run. ``practice`` stays False: `todoku-cli delete` records
    its journal rows that way, and 再発 matches journal rows on (subuser, region, practice); a
    sandbox run is kept apart by its account name (練習) instead.

    The region is the account's as the window spells it (``history_region``): an SES account
    is its AWS region, a CMC or Infobip one "", not the SendGrid ``--region`` it was before
    (``settle_account`` folds rows filed that way into the key)."""
    from app.cli.common import selected_account
    from app.core.history.account_region import history_region

    name = getattr(args, "account", None) or (
        PRACTICE_ACCOUNT if getattr(args, "base_url", None) else DEFAULT_ACCOUNT
    )
    try:
        account = selected_account(args)
    except TodokuError:
        # A report may name a history account no saved one has (another PC's, in a shared
        # history): its rows keep the key the command line gives.
        account = None
    provider = account.provider.value if account is not None else "sendgrid"
    region = getattr(args, "region", "global") or "global"
    return AccountKey(
        provider=getattr(args, "provider", None) or provider,
        account=name,
        subuser=getattr(args, "subuser", "") or "",
        region=region if account is None else history_region(account),
    )


def warn(error: HistoryError) -> None:
    print(f"注意: {error.message_ja}", file=sys.stderr)
    print(f"対処: {error.next_step_ja}", file=sys.stderr)
    if error.detail:
        print(f"詳細: {error.detail}", file=sys.stderr)


def fetch_into_history(
    args: argparse.Namespace,
    make_provider: Callable[[argparse.Namespace], Provider],
    date_range: DateRange,
    lists: tuple[ListKind, ...],
    *,
    progress: FetchProgressCallback | None = None,
) -> HistoryFetch:
    """Open history and the journal (either may fail: the fetch goes on without), then fetch."""
    from app.cli.common import connection_stamp_of, journal_region_of
    from app.core.classify.classifier import Classifier
    from app.core.history.account_region import settle_account
    from app.core.history.incremental import fetch_with_history
    from app.core.history.journal_link import journal_deletions
    from app.core.storage.journal import JournalError

    account = account_key(args)
    store: HistoryStorage | None = None
    try:
        store = open_cli_history(args, history_path(args))
        if store.recovery_notice is not None:
            warn(store.recovery_notice)
    except HistoryError as error:
        warn(error)
    if store is not None:
        try:
            settle_account(store, account)
        except HistoryError as error:  # the older rows stay where they are: tried next time
            warn(error)
    deletions: tuple[Deletion, ...] = ()
    path = journal_path(args)
    if store is not None and (path.exists() or database_from_args(args) is not None):
        try:
            journal = open_cli_journal(args, path)
            try:
                deletions = journal_deletions(journal, account, region=journal_region_of(args))
            finally:
                journal.close()
        except JournalError as error:
            print(f"注意: {error.message_ja}（再発と削除済みの判定を省きます）", file=sys.stderr)
    classifier = Classifier.load()
    try:
        # History tied to the endpoint and credentials in use: another key or --base-url for
        # the same --account is another provider account (docs/history.md, "Connection
        # identity").
        connection = connection_stamp_of(args) if store is not None else None
        # Tails of an incremental fetch are paged one request at a time (see fetch_with_history).
        tail_args = argparse.Namespace(**{**vars(args), "concurrency": 1})
        return fetch_with_history(
            lambda: make_provider(args),
            store,
            account,
            date_range,
            lists,
            classify=classifier.classify_entries,
            deletions=deletions,
            full=bool(getattr(args, "full", False)),
            progress=progress,
            make_tail_provider=lambda: make_provider(tail_args),
            connection=connection,
        )
    finally:
        if store is not None:
            store.close()
