"""One history key per account for the window and todoku-cli, and the rows older versions filed
under another spelling folded into it, on SQLite and on the team's PostgreSQL.

Older todoku-cli versions filed a CMC/Infobip/SES account under their SendGrid ``--region``
("global", "eu" when typed), and under provider ``sendgrid`` when only ``--account`` was given;
the window filed an SES account saved without a region under "". The old rows are written here
through the store's own ``record_fetch`` with the keys those versions built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.accounts import Account, ProviderName
from app.core.history.account_region import (
    history_region,
    older_spellings,
    readable_account,
    settle_account,
)
from app.core.storage.history import AccountKey, Deletion, FetchWrite, HistoryStorage
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import ALL_LISTS, ListKind, SuppressionEntry

BASE = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
END = BASE + 86400 * 30
SES = AccountKey("ses", "本番", "", "ap-northeast-1")
OLD_CLI = AccountKey("ses", "本番", "", "global")  # `fetch --provider ses --account 本番`
OLD_CLI_NO_PROVIDER = AccountKey("sendgrid", "本番", "", "global")  # `fetch --account 本番`
OLD_WINDOW = AccountKey("ses", "本番", "", "")  # the window, SES saved without a region


def entry(i: int, *, created: int | None = None, kind: ListKind = ListKind.BOUNCES):
    email = f"user{i}@example.jp"
    when = created if created is not None else BASE + i * 60
    return SuppressionEntry(
        kind, email, datetime.fromtimestamp(when, tz=UTC), "5.1.1", f"550 <{email}> unknown"
    )


def fetch(
    store: HistoryStorage,
    account: AccountKey,
    rows: list[SuppressionEntry],
    when: datetime,
    deletions: tuple[Deletion, ...] = (),
    lists: tuple[ListKind, ...] = (ListKind.BOUNCES,),
):
    return store.record_fetch(
        FetchWrite(
            account, lists, BASE, END, dict.fromkeys(lists, BASE), True, when, rows, None,
            deletions,
        )
    )  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request, tmp_path: Path) -> Iterator[Callable[[], HistoryStorage]]:
    opened: list[HistoryStorage] = []

    if request.param == "sqlite":

        def make() -> HistoryStorage:
            store = SqliteHistoryStore(tmp_path / "history.sqlite3")
            opened.append(store)
            return store

    else:
        from app.core.storage.team.connection import parse_database_url
        from app.core.storage.team.history_pg import PostgresHistoryStore

        server = request.getfixturevalue("postgres_server")
        name = request.getfixturevalue("team_database")({"tanaka": ("田中", "delete")})

        def make() -> HistoryStorage:
            store = PostgresHistoryStore(parse_database_url(server.url("tanaka", name)))
            opened.append(store)
            return store

    yield make
    for store in opened:
        store.close()


def _state(store: HistoryStorage, account: AccountKey):
    """What the window and todoku-cli read of an account: rows, 新着, gone rows, 再発."""
    rows = store.open_range(account, BASE, END, ALL_LISTS)
    listed = sorted(
        (e.email, int(e.created.timestamp()), rows.is_new(i)) for i, e in enumerate(rows.entries())
    )
    gone = sorted((email, why) for _, email, why, _ in store.gone_in_range(
        account, BASE, END, ALL_LISTS
    ))  # fmt: skip
    returns = {email: r.count for email, r in store.recurrences(account).items()}
    return listed, gone, returns


def test_history_region_is_the_journals_for_every_provider() -> None:
    assert history_region(Account("本番", ProviderName.SES, region="ap-northeast-1")) == (
        "ap-northeast-1"
    )
    assert history_region(Account("本番", ProviderName.CMC)) == ""
    assert history_region(Account("本番", ProviderName.INFOBIP)) == ""
    assert history_region(Account("EU", region="eu")) == "eu"
    assert history_region(Account("二つ目")) == "global"
    assert history_region(Account("二つ目"), "eu") == "eu"  # the connection's, as before


def test_older_spellings_never_name_another_real_account() -> None:
    assert set(older_spellings(SES)) == {
        OLD_CLI, AccountKey("ses", "本番", "", "eu"), OLD_WINDOW,
        OLD_CLI_NO_PROVIDER, AccountKey("sendgrid", "本番", "", "eu"),
    }  # fmt: skip
    cmc = AccountKey("cmc", "配信", "", "")
    assert AccountKey("cmc", "配信", "", "global") in older_spellings(cmc)
    assert AccountKey("ses", "本番", "", "us-east-1") not in older_spellings(SES)
    assert older_spellings(AccountKey("sendgrid", "EU", "", "eu")) == ()
    assert older_spellings(AccountKey("ses", "本番", "", "ap-northeast-1", practice=True)) == ()
    # The CLI's default name with --provider: never the default SendGrid account's rows.
    default_cmc = AccountKey("cmc", "既定", "", "")
    assert all(key.provider == "cmc" for key in older_spellings(default_cmc))


def test_rows_of_the_old_cli_and_window_spellings_end_under_one_key(
    open_store: Callable[[], HistoryStorage],
) -> None:
    store = open_store()
    day = datetime(2026, 11, 20, tzinfo=UTC)
    # The old CLI saw user0..2; the old window saw user1..3 a day later, and had deleted user1
    # (Todoku で削除) and seen user2 listed again; an unrelated account keeps its rows.
    fetch(store, OLD_CLI_NO_PROVIDER, [entry(0), entry(1), entry(2)], day)
    fetch(store, OLD_CLI, [entry(4, kind=ListKind.BLOCKS)], day, lists=(ListKind.BLOCKS,))
    deleted = Deletion(ListKind.BOUNCES, "user2@example.jp", day + timedelta(hours=1))
    again = BASE + 86400 * 25
    fetch(store, OLD_WINDOW, [entry(1), entry(2), entry(3)], day)
    fetch(
        store, OLD_WINDOW, [entry(2, created=again), entry(3)], day + timedelta(days=1),
        deletions=(deleted,),
    )  # fmt: skip
    other = AccountKey("ses", "本番", "", "us-east-1")  # a real region: another account
    sendgrid = AccountKey("sendgrid", "既定", "", "global")
    fetch(store, other, [entry(9)], day)
    fetch(store, sendgrid, [entry(8)], day)
    before_other, before_sendgrid = _state(store, other), _state(store, sendgrid)

    assert settle_account(store, SES) == 3
    assert set(store.accounts()) == {SES, other, sendgrid}
    listed, gone, returns = _state(store, SES)
    # The newest knowledge of each address: user2 relisted (the window's last fetch, 新着),
    # user1 gone; user0 only the CLI saw; user4 on its own list.
    assert [(email, created) for email, created, _ in listed] == [
        ("user0@example.jp", BASE), ("user2@example.jp", again),
        ("user3@example.jp", BASE + 180), ("user4@example.jp", BASE + 240),
    ]  # fmt: skip
    assert [email for email, _, new in listed if new] == ["user2@example.jp"]
    assert [email for email, _ in gone] == ["user1@example.jp"]
    assert returns == {"user2@example.jp": 1}
    # Bounces were covered by both spellings: the next fetch of bounces is a full pass; blocks
    # only by one: kept.
    assert set(store.coverage(SES, ALL_LISTS)) == {ListKind.BLOCKS}
    assert (_state(store, other), _state(store, sendgrid)) == (before_other, before_sendgrid)

    # Idempotent: nothing left to fold, nothing changes.
    assert settle_account(store, SES) == 0
    assert _state(store, SES) == (listed, gone, returns)
    # The next fetch merges as one account: user0 and user3 seen again, nothing 新着.
    summary = fetch(
        store, SES, [entry(0), entry(2, created=again), entry(3)], day + timedelta(days=2)
    )
    assert (summary.new, summary.returned) == (0, 0)


def test_a_first_fold_renames_and_a_late_old_client_is_folded_again(
    open_store: Callable[[], HistoryStorage],
) -> None:
    store = open_store()
    day = datetime(2026, 11, 20, tzinfo=UTC)
    fetch(store, OLD_CLI, [entry(0), entry(1)], day)
    assert settle_account(store, SES) == 1
    assert store.accounts() == (SES,)
    first = _state(store, SES)
    assert [new for _, _, new in first[0]] == [True, True]
    # A PC still on the older version fetches into the shared history under its old key.
    fetch(store, OLD_CLI, [entry(0), entry(1), entry(2)], day + timedelta(days=1))
    assert settle_account(open_store(), SES) == 1
    listed, _, _ = _state(store, SES)
    assert [(email, new) for email, _, new in listed] == [
        ("user0@example.jp", False), ("user1@example.jp", False), ("user2@example.jp", True),
    ]  # fmt: skip
    assert store.accounts() == (SES,)


def test_a_report_reads_the_older_key_until_a_fetch_folds_it(
    open_store: Callable[[], HistoryStorage],
) -> None:
    store = open_store()
    fetch(store, OLD_CLI_NO_PROVIDER, [entry(0)], datetime(2026, 11, 20, tzinfo=UTC))
    assert readable_account(store.accounts(), SES) == OLD_CLI_NO_PROVIDER
    settle_account(store, SES)
    assert readable_account(store.accounts(), SES) == SES
    assert readable_account((), SES) == SES
