"""A NUL character in a provider's text (a reason, a status, an address) in team mode.

JSON carries ``\\u0000`` and a broken or hostile server may send it in any string; the SQLite
history and journal store it like any other character. PostgreSQL refuses NUL in text, and
psycopg raises DataError for the whole statement: one such row made the shared history drop
the whole fetch (nothing recorded for any row, on every fetch while the provider keeps the row)
and made a deletion plan holding that row impossible (no claim, nothing deleted), both with a
message about the shared database being unreadable. The SQLite stores and the shared ones
must agree: the row is kept (its NUL made visible, e.g. U+FFFD) and the others are not lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from app.core.storage.journal_records import NewEntry
from app.core.storage.team.history_pg import PostgresHistoryStore
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.types import ALL_LISTS, ListKind, SuppressionEntry
from tests.core.storage.test_history_pg import ACCOUNT, BASE, entry, fetch, open_pg  # noqa: F401
from tests.core.storage.test_team_store import CREATED, META, entries, team  # noqa: F401

HOSTILE_REASON = "550 5.1.1 unknown\x00user"


def test_shared_history_keeps_a_fetch_with_a_nul_in_one_reason(
    open_pg: Callable[[], PostgresHistoryStore],  # noqa: F811
) -> None:
    store = open_pg()
    odd = SuppressionEntry(
        ListKind.BOUNCES,
        "odd@example.jp",
        datetime.fromtimestamp(BASE + 60, UTC),
        "5.1.1",
        HOSTILE_REASON,
    )
    summary = store.record_fetch(
        fetch([entry(1), entry(2), odd], when=datetime(2026, 11, 20, tzinfo=UTC))
    )
    assert summary.new == 3
    rows = store.open_range(ACCOUNT, BASE, BASE + 86400 * 30, ALL_LISTS)
    assert {e.email for e in rows.entries()} == {
        "user1@example.jp",
        "user2@example.jp",
        "odd@example.jp",
    }


def test_shared_journal_claims_a_plan_with_a_nul_in_one_reason(
    team: Callable[..., PostgresJournal],  # noqa: F811
) -> None:
    store = team()
    odd = NewEntry(ListKind.BOUNCES, "odd@example.jp", CREATED, "5.1.1", HOSTILE_REASON)
    claim = store.claim_operation(META, [*entries(2), odd])
    assert claim.operation_id is not None
    assert {e.email for e in claim.claimed} == {"user0@example.jp", "user1@example.jp", odd.email}
