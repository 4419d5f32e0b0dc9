"""An account's history belongs to the provider account it was fetched from: its endpoint and
its credentials. Another API key or another 接続先 URL for the same app account must not be
answered from the previous one's rows, nor leave false 他所で削除 records behind.

The new-user review (newuser6, item 1): account A fetched, then the same app account given
another SendGrid account's key; 取得 answered 「差分取得」 with A's rows and 全件再取得 recorded
A's rows as 他所で削除. Real SendGrid sandboxes on loopback, on SQLite and on the team's
PostgreSQL sandbox server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.accounts import Account, ProviderName
from app.core.dates import unix_bounds
from app.core.history.connection_stamp import connection_stamp
from app.core.history.incremental import HistoryFetch, fetch_with_history
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.history import (
    AccountKey,
    ConnectionSwitch,
    FetchWrite,
    GoneBy,
    HistoryConnectionChangedError,
    HistoryStorage,
    parked_key,
)
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import ALL_LISTS, DateRange, ListKind, SuppressionEntry
from app.sandbox.sendgrid_server import SandboxRecord

RANGE = DateRange(datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
START, END = unix_bounds(RANGE)
ACCOUNT = AccountKey(account="本番")
KEY_A = "SG.account-a-key-for-the-connection-test"
KEY_B = "SG.account-b-key-for-the-connection-test"


def records(prefix: str, count: int, step: int) -> list[SandboxRecord]:
    out = []
    for i in range(count):
        email = f"{prefix}{i:05d}@example.jp"
        kind = "bounces" if i % 3 else "blocks"
        out.append(
            SandboxRecord(kind, email, START + i * step, f"550 5.1.1 <{email}>: unknown", "5.1.1")
        )
    return out


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=5)
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path) -> Iterator[HistoryStorage]:
    opened: HistoryStorage
    if request.param == "sqlite":
        opened = SqliteHistoryStore(tmp_path / "history.sqlite3")
    else:
        from app.core.storage.team.connection import parse_database_url
        from app.core.storage.team.history_pg import PostgresHistoryStore

        server = request.getfixturevalue("postgres_server")
        name = request.getfixturevalue("team_database")({"tanaka": ("田中", "delete")})
        opened = PostgresHistoryStore(parse_database_url(server.url("tanaka", name)))
    yield opened
    opened.close()


def fetch(
    store: HistoryStorage, url: str, key: str, clock: Callable[[], datetime], *, full=False
) -> HistoryFetch:
    """What the window and todoku-cli do: the stamp of the connection in use goes with it."""
    return fetch_with_history(
        lambda: SendGridProvider(key, base_url=url, max_retries=0),
        store,
        ACCOUNT,
        RANGE,
        ALL_LISTS,
        full=full,
        clock=clock,
        connection=connection_stamp(None, {"api_key": key}, base_url=url),
    )


def emails(result: HistoryFetch) -> set[str]:
    return {entry.email for entry in result.entries}


def gone_elsewhere(store: HistoryStorage) -> list[str]:
    return [
        email
        for _, email, by, _ in store.gone_in_range(ACCOUNT, START, END, ALL_LISTS)
        if by is GoneBy.ELSEWHERE
    ]


def test_another_key_on_the_same_url_is_a_full_fetch_of_that_account(make_sandbox, store):
    clock = Clock()
    a = make_sandbox(records("a", 1200, 1800), api_keys={KEY_A: None})
    url = a.base_url
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    first = fetch(store, url, KEY_A, clock)
    assert len(first.entries) == 1200
    a.stop()
    # Another SendGrid account answers on the same address (as in the review: one port).
    b = make_sandbox(records("b", 300, 7200), api_keys={KEY_B: None}, port=port)
    assert b.base_url == url

    second = fetch(store, url, KEY_B, clock)
    assert not second.incremental
    assert emails(second) == {r.email for r in records("b", 300, 7200)}
    assert second.connection_changed
    assert gone_elsewhere(store) == []

    full = fetch(store, url, KEY_B, clock, full=True)
    assert emails(full) == emails(second)
    assert gone_elsewhere(store) == []  # A's rows are not B's deletions
    # B's history is B's alone: the next 取得 is incremental again.
    again = fetch(store, url, KEY_B, clock)
    assert again.incremental and not again.connection_changed
    assert emails(again) == emails(second)


def test_another_url_with_the_same_key_and_back_again(make_sandbox, store):
    clock = Clock()
    a = make_sandbox(records("a", 1200, 1800), api_keys={KEY_A: None})
    other = make_sandbox(records("o", 150, 9000), api_keys={KEY_A: None})
    first = fetch(store, a.base_url, KEY_A, clock)
    assert len(first.entries) == 1200

    moved = fetch(store, other.base_url, KEY_A, clock)
    assert not moved.incremental and moved.connection_changed
    assert emails(moved) == {r.email for r in records("o", 150, 9000)}

    # Back to the first URL: its own history comes back, incremental, nothing marked gone.
    back = fetch(store, a.base_url, KEY_A, clock)
    assert back.connection_changed and back.incremental
    assert emails(back) == emails(first)
    assert not back.new_keys
    full = fetch(store, a.base_url, KEY_A, clock, full=True)
    assert emails(full) == emails(first)
    assert gone_elsewhere(store) == []


def test_the_stamp_holds_no_key_and_tells_connections_apart() -> None:
    url = "https://api.sendgrid.com"
    stamp = connection_stamp(None, {"api_key": KEY_A}, base_url=None)
    assert KEY_A not in stamp and "account-a" not in stamp
    assert stamp == connection_stamp(None, {"api_key": KEY_A}, base_url=url + "/")
    assert stamp != connection_stamp(None, {"api_key": KEY_B}, base_url=None)
    assert stamp != connection_stamp(None, {"api_key": KEY_A}, base_url=None, region="eu")
    # Every provider through the same function: its settings and every credential count.
    ses = Account("本番", ProviderName.SES, region="ap-northeast-1", aws_credentials="keys")
    keys = {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": "secret-one"}
    ses_stamp = connection_stamp(ses, keys, base_url=None)
    assert ses_stamp != connection_stamp(
        ses, {**keys, "aws_secret_access_key": "secret-two"}, base_url=None
    )
    tokyo = Account("本番", ProviderName.SES, region="us-east-1", aws_credentials="keys")
    assert ses_stamp != connection_stamp(tokyo, keys, base_url=None)
    infobip = Account("配信", ProviderName.INFOBIP, base_url="https://x1.api.infobip.com")
    assert connection_stamp(infobip, {"api_key": "k"}, base_url=None) != connection_stamp(
        Account("配信", ProviderName.INFOBIP, base_url="https://x2.api.infobip.com"),
        {"api_key": "k"},
        base_url=None,
    )


def write(account: AccountKey, rows: list[str], connection: str | None) -> FetchWrite:
    entries = [
        SuppressionEntry(ListKind.BOUNCES, email, datetime.fromtimestamp(START + 60, tz=UTC))
        for email in rows
    ]
    return FetchWrite(
        account, (ListKind.BOUNCES,), START, END, {ListKind.BOUNCES: START}, True,
        datetime(2026, 12, 1, tzinfo=UTC), entries, None, connection=connection,
    )  # fmt: skip


def test_a_fetch_is_not_merged_into_a_history_another_connection_took_meanwhile(store) -> None:
    """Two operators (or two windows) on one account name with different keys: 田中's fetch
    with key A runs while 山田 fetches with key B. 田中's rows must not land in B's history."""
    a = connection_stamp(None, {"api_key": KEY_A}, base_url=None)
    b = connection_stamp(None, {"api_key": KEY_B}, base_url=None)
    assert store.use_connection(ACCOUNT, a) is ConnectionSwitch.FIRST
    store.record_fetch(write(ACCOUNT, ["a1@example.jp"], a))
    assert store.use_connection(ACCOUNT, a) is ConnectionSwitch.SAME
    assert store.use_connection(ACCOUNT, b) is ConnectionSwitch.CHANGED  # 山田
    with pytest.raises(HistoryConnectionChangedError):
        store.record_fetch(write(ACCOUNT, ["a2@example.jp"], a))  # 田中's fetch ends
    assert len(store.open_range(ACCOUNT, START, END, ALL_LISTS)) == 0
    # A's history was set aside under a name of its own, whole; back under the account's
    # name when key A is used again.
    aside = parked_key(ACCOUNT, a)
    assert aside in store.accounts() and KEY_A not in aside.account
    assert [e.email for e in store.open_range(aside, START, END, ALL_LISTS).entries()] == [
        "a1@example.jp"
    ]
    assert store.use_connection(ACCOUNT, a) is ConnectionSwitch.RESTORED
    assert [e.email for e in store.open_range(ACCOUNT, START, END, ALL_LISTS).entries()] == [
        "a1@example.jp"
    ]


def test_history_from_before_stamps_is_adopted_once(store) -> None:
    """Rows written without a stamp (an older version, or a caller that does not know it) are
    taken as the first stamped connection's; a different one after that is a switch."""
    store.record_fetch(write(ACCOUNT, ["old@example.jp"], None))
    a = connection_stamp(None, {"api_key": KEY_A}, base_url=None)
    assert store.use_connection(ACCOUNT, a) is ConnectionSwitch.ADOPTED
    assert store.use_connection(ACCOUNT, a) is ConnectionSwitch.SAME
    assert len(store.open_range(ACCOUNT, START, END, ALL_LISTS)) == 1
    b = connection_stamp(None, {"api_key": KEY_B}, base_url=None)
    assert store.use_connection(ACCOUNT, b) is ConnectionSwitch.CHANGED
    assert len(store.open_range(ACCOUNT, START, END, ALL_LISTS)) == 0


def test_the_stamp_uses_the_providers_own_sendgrid_hosts() -> None:
    from app.core.providers.sendgrid import base_url_for_region

    for region in ("global", "eu"):
        assert connection_stamp(
            None, {"api_key": KEY_A}, base_url=None, region=region
        ) == connection_stamp(None, {"api_key": KEY_A}, base_url=base_url_for_region(region))


def test_moving_a_pcs_history_keeps_another_connection_apart(
    postgres_server, team_database, tmp_path: Path
) -> None:
    """「このPCの記録を共有データベースへ移す」: this PC fetched the account with key A, the team
    with key B. The PC's rows go aside on the server instead of into B's history."""
    from app.core.storage.team.connection import parse_database_url
    from app.core.storage.team.history_pg import PostgresHistoryStore
    from app.core.storage.team.import_local import move_local_history

    a = connection_stamp(None, {"api_key": KEY_A}, base_url=None)
    b = connection_stamp(None, {"api_key": KEY_B}, base_url=None)
    local = SqliteHistoryStore(tmp_path / "history.sqlite3")
    local.record_fetch(write(ACCOUNT, ["mine@example.jp"], a))
    local.close()
    name = team_database({"tanaka": ("田中", "delete")})
    shared = PostgresHistoryStore(parse_database_url(postgres_server.url("tanaka", name)))
    try:
        shared.record_fetch(write(ACCOUNT, ["team@example.jp"], b))
        move_local_history(tmp_path / "history.sqlite3", shared)
        move_local_history(tmp_path / "history.sqlite3", shared)  # idempotent
        team = [e.email for e in shared.open_range(ACCOUNT, START, END, ALL_LISTS).entries()]
        assert team == ["team@example.jp"]
        assert shared.use_connection(ACCOUNT, a) is ConnectionSwitch.RESTORED
        mine = [e.email for e in shared.open_range(ACCOUNT, START, END, ALL_LISTS).entries()]
        assert mine == ["mine@example.jp"]
    finally:
        shared.close()
