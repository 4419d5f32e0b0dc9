"""A NUL in the address itself, and in a PC's history moved to the shared store.

The server keeps each NUL as U+FFFD (``storage/team/pg_text.py``); whatever Python matches
against rows read back (claims, results, the history's next fetch, an imported file's texts)
must agree with it, or the second fetch of the row broke on the unique key and a claim could
not find its own row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.storage.journal_records import EntryResult, NewEntry, OperationState, ResultUpdate
from app.core.storage.team.history_pg import PostgresHistoryStore
from app.core.storage.team.import_local import move_local_history
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.types import ALL_LISTS, ListKind, SuppressionEntry
from tests.core.storage.test_history_pg import ACCOUNT, BASE, entry, fetch, open_pg  # noqa: F401
from tests.core.storage.test_team_nul_in_provider_text import HOSTILE_REASON
from tests.core.storage.test_team_store import CREATED, META, team  # noqa: F401

ODD_ADDRESS = "odd\x00@example.jp"


def test_shared_journal_records_and_releases_an_address_with_a_nul(
    team: Callable[..., PostgresJournal],  # noqa: F811
) -> None:
    store = team()
    odd = NewEntry(ListKind.BOUNCES, ODD_ADDRESS, CREATED, "5.1.1", HOSTILE_REASON)
    claim = store.claim_operation(META, [odd])
    assert claim.operation_id is not None and claim.claimed == (odd,)
    store.record_results(
        claim.operation_id,
        [ResultUpdate(ListKind.BOUNCES, ODD_ADDRESS, EntryResult.DELETED, "deleted\x00ok")],
    )
    store.set_state(claim.operation_id, OperationState.DONE)
    (stored,) = store.entries(claim.operation_id)
    assert stored.email == "odd\ufffd@example.jp"
    assert stored.reason == "550 5.1.1 unknown\ufffduser"
    assert stored.result is EntryResult.DELETED
    # The same listing again: already deleted (found through the cleaned address), not claimed.
    again = store.claim_operation(META, [odd])
    assert again.operation_id is None
    assert [c.email for c in again.conflicts] == [ODD_ADDRESS]


def test_shared_history_sees_an_address_with_a_nul_again(
    open_pg: Callable[[], PostgresHistoryStore],  # noqa: F811
) -> None:
    store = open_pg()
    odd = SuppressionEntry(
        ListKind.BOUNCES,
        ODD_ADDRESS,
        datetime.fromtimestamp(BASE + 60, UTC),
        "5.1.1\x00",
        HOSTILE_REASON,
        "192.0.2.1\x00",
    )
    first = store.record_fetch(fetch([entry(1), odd], when=datetime(2026, 11, 20, tzinfo=UTC)))
    second = store.record_fetch(fetch([entry(1), odd], when=datetime(2026, 11, 21, tzinfo=UTC)))
    assert (first.new, second.new, second.gone_elsewhere) == (2, 0, 0)
    rows = store.open_range(ACCOUNT, BASE, BASE + 86400 * 30, ALL_LISTS)
    kept = {e.email: e for e in rows.entries()}
    assert set(kept) == {"user1@example.jp", "odd\ufffd@example.jp"}
    assert kept["odd\ufffd@example.jp"].status == "5.1.1\ufffd"


def test_moving_a_pcs_history_that_holds_a_nul(
    open_pg: Callable[[], PostgresHistoryStore],  # noqa: F811
    tmp_path,
) -> None:
    """SQLite kept the NUL as it came; moving the file into the shared history keeps the row."""
    local = SqliteHistoryStore(tmp_path / "history.sqlite3")
    odd = SuppressionEntry(
        ListKind.BOUNCES, ODD_ADDRESS, datetime.fromtimestamp(BASE + 60, UTC), "5.1.1",
        HOSTILE_REASON,
    )  # fmt: skip
    local.record_fetch(fetch([entry(1), odd], when=datetime(2026, 11, 20, tzinfo=UTC)))
    local.close()
    shared = open_pg()
    moved = move_local_history(tmp_path / "history.sqlite3", shared)
    assert moved.entries == 2
    rows = shared.open_range(ACCOUNT, BASE, BASE + 86400 * 30, ALL_LISTS)
    assert {e.reason for e in rows.entries() if e.email.startswith("odd")} == {
        "550 5.1.1 unknown\ufffduser"
    }
