"""TicketLinks: the address → ticket link store behind the details pane."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.zendesk.links import TicketLinks
from app.core.zendesk.tickets import TicketOutcome

WHEN = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_remembered_per_address_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "links.json"
    links = TicketLinks(path)
    links.remember(
        [TicketOutcome(7, "http://z/agent/tickets/7", True, ("A@Example.jp", "b@example.jp"))],
        WHEN,
    )
    links.remember([TicketOutcome(9, "http://z/agent/tickets/9", False, ("b@example.jp",))], WHEN)
    again = TicketLinks(path)
    first, second = again.get("a@example.jp"), again.get("B@example.jp")
    assert first is not None and first.ticket_id == 7 and first.created
    assert second is not None and second.url.endswith("/9") and not second.created
    assert again.get("c@example.jp") is None


def test_unreadable_file_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "links.json"
    path.write_text("{not json", encoding="utf-8")
    links = TicketLinks(path)
    assert links.get("a@example.jp") is None
    links.remember([TicketOutcome(1, "http://z/agent/tickets/1", True, ("a@example.jp",))], WHEN)
    assert TicketLinks(path).get("a@example.jp") is not None


@pytest.mark.parametrize(
    "content",
    [
        '{"links": ["a@example.jp"]}',  # .items() of a list: AttributeError
        '{"links": "x"}',
        "[" * 100_000,  # RecursionError
        '{"links": {"a@example.jp": {"url": "u", "ticket_id": 1, "created": true,'
        ' "when": "9999-12-31T23:00:00+00:00"}}}',  # OverflowError in the JST details line
    ],
)
def test_a_damaged_links_file_is_no_crash(tmp_path: Path, content: str) -> None:
    path = tmp_path / "links.json"
    path.write_text(content, encoding="utf-8")
    links = TicketLinks(path)
    assert links.get("a@example.jp") is None
    links.remember([TicketOutcome(1, "http://z/agent/tickets/1", True, ("a@example.jp",))], WHEN)
    assert TicketLinks(path).get("a@example.jp") is not None  # the file is usable again


def test_a_links_file_with_surrogate_escapes_can_still_be_written(tmp_path: Path) -> None:
    path = tmp_path / "links.json"
    path.write_text(
        '{"links": {"\\ud800@example.jp": {"url": "u", "ticket_id": 1, "created": true,'
        ' "when": "2026-12-01T09:00:00+09:00"}}}',
        encoding="utf-8",
    )
    links = TicketLinks(path)
    links.remember([TicketOutcome(2, "http://z/agent/tickets/2", True, ("b@example.jp",))], WHEN)
    again = TicketLinks(path)
    assert again.get("\ufffd@example.jp") is not None and again.get("b@example.jp") is not None


def test_a_practice_ticket_is_kept_for_the_session_only(tmp_path: Path) -> None:
    """The imitation's port ends with the session: its link is not saved, and it does not
    replace the real ticket of the same address in the file."""
    path = tmp_path / "links.json"
    links = TicketLinks(path)
    links.remember(
        [TicketOutcome(7, "https://z.zendesk.com/agent/tickets/7", True, ("a@x.jp",))], WHEN
    )
    practice = "http://127.0.0.1:50123/agent/tickets/1"
    links.remember([TicketOutcome(1, practice, True, ("a@x.jp", "b@x.jp"))], WHEN)
    now_a, now_b = links.get("a@x.jp"), links.get("b@x.jp")
    assert now_a is not None and now_a.url == practice  # this session: the practice ticket
    assert now_b is not None and now_b.url == practice
    later = TicketLinks(path)
    saved = later.get("a@x.jp")
    assert saved is not None and saved.url.endswith("/7")
    assert later.get("b@x.jp") is None


def test_a_practice_link_saved_by_an_older_version_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "links.json"
    item = {"ticket_id": 1, "created": True, "when": "2026-12-01T12:00:00+09:00"}
    stored = {
        "a@x.jp": dict(item, url="http://localhost:50123/agent/tickets/1"),
        "b@x.jp": dict(item, url="http://[::1]:50123/agent/tickets/1"),
        "c@x.jp": dict(item, url="https://z.zendesk.com/agent/tickets/1"),
    }
    path.write_text(json.dumps({"links": stored}), encoding="utf-8")
    links = TicketLinks(path)
    assert links.get("a@x.jp") is None and links.get("b@x.jp") is None
    assert links.get("c@x.jp") is not None
