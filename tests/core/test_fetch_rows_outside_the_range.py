"""Rows a server returns from outside the asked range, in the window's two fetch paths.

``fetch_and_classify`` (the window without history) streamed them into the grid;
``fetch_with_history`` recorded them, and one from the future lifted the list's high-water mark
past what had been fetched, so the next incremental fetch asked only from there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from app.core.classify.classifier import Classifier
from app.core.dates import unix_bounds
from app.core.history.incremental import fetch_with_history
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.in_range import OUTSIDE_NOTE
from app.core.providers.ses import SesProvider
from app.core.services import ClassifiedPage, fetch_and_classify
from app.core.storage.history import AccountKey
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import DateRange, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json

RANGE = DateRange(date(2026, 11, 1), date(2026, 11, 1))
IN_RANGE = 1793500000  # 2026-11-01 11:26:40 JST
FUTURE = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
SUMMARIES = [
    {"EmailAddress": "inside@example.jp", "Reason": "BOUNCE", "LastUpdateTime": IN_RANGE},
    {"EmailAddress": "in2020@example.jp", "Reason": "BOUNCE", "LastUpdateTime": 1600000000},
    {"EmailAddress": "future@example.jp", "Reason": "BOUNCE", "LastUpdateTime": FUTURE},
]


def _reply(handler: HostileHandler) -> None:
    send_json(handler, {"SuppressedDestinationSummaries": SUMMARIES})  # whatever was asked


def _ses(url: str):
    return lambda: SesProvider(
        "ap-northeast-1", AwsCredentials("AKIDEXAMPLE", "secret"), base_url=url, max_retries=0
    )


def test_the_window_without_history_streams_only_the_periods_rows() -> None:
    pages: list[ClassifiedPage] = []
    with hostile_server(_reply) as url:
        outcome = fetch_and_classify(
            _ses(url),
            RANGE,
            (ListKind.BOUNCES,),
            Classifier.load().classify_entries,
            on_page=pages.append,
        )
    streamed = [entry.email for page in pages for entry in page.entries]
    assert streamed == ["inside@example.jp"]
    assert [entry.email for entry in outcome.result.entries] == ["inside@example.jp"]
    assert OUTSIDE_NOTE.format(count=2) in outcome.result.notes


def test_history_records_only_the_periods_rows(tmp_path: Path) -> None:
    store = SqliteHistoryStore(tmp_path / "history.sqlite3")
    account = AccountKey(provider="ses", account="本番")
    try:
        with hostile_server(_reply) as url:
            fetched = fetch_with_history(_ses(url), store, account, RANGE, (ListKind.BOUNCES,))
        assert [entry.email for entry in fetched.entries] == ["inside@example.jp"]
        start, end = unix_bounds(RANGE)
        held = store.open_range(account, 0, FUTURE + 1, (ListKind.BOUNCES,))
        assert [entry.email for entry in held.entries()] == ["inside@example.jp"]
        high_water = store.coverage(account, (ListKind.BOUNCES,))[ListKind.BOUNCES].high_water
        assert start <= high_water <= end
    finally:
        store.close()
