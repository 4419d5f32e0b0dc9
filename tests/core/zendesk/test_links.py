"""TicketLinks: the address → ticket link store behind the details pane."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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
