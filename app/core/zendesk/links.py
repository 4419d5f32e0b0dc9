"""Which Zendesk ticket each bounced address went to: a small JSON file in the data folder.

The details pane shows the link of the selected address; it survives restarts so an operator
can find the ticket a colleague made yesterday. Only addresses and ticket links are kept (no
reason text, no token). A missing or unreadable file starts empty: the links are a convenience,
Zendesk itself stays the record.

Practice tickets live in the imitation on this PC, on a loopback port that ends with the
session: their links are kept for the session only, apart from the saved ones (a practice
ticket no longer replaces the real ticket of the same address), and a practice link found in
the file (saved by an older version) is dropped when it is read.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from app.core import untrusted_json
from app.core.dates import JST
from app.core.durable_files import write_durably
from app.core.zendesk.tickets import TicketOutcome

log = logging.getLogger(__name__)

LINKS_FILE = "zendesk_tickets.json"
MAX_LINKS = 20_000  # oldest dropped beyond this: the file stays small


def is_practice_link(url: str) -> bool:
    """A ticket in the practice imitation, which runs on loopback (a real Zendesk link is an
    https://<subdomain>.zendesk.com address): a browser cannot open it (the imitation answers
    API calls only, on a port that changes each session)."""
    try:
        host = urlsplit(url).hostname or ""
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class TicketLink:
    url: str
    ticket_id: int
    when: str  # ISO 8601 with offset, when Todoku created or appended to the ticket
    created: bool


class TicketLinks:
    """Address (lower case) → the last ticket Todoku used for it: this session's practice
    ticket if there is one, else the saved (real) one. Thread-safe."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._links: dict[str, TicketLink] = {}  # real tickets, saved in the file
        self._practice: dict[str, TicketLink] = {}  # this session's practice tickets, unsaved
        if path is not None:
            self._links = _read(path)

    def get(self, email: str) -> TicketLink | None:
        key = email.strip().lower()
        with self._lock:
            return self._practice.get(key) or self._links.get(key)

    def remember(self, outcomes: list[TicketOutcome], when: datetime) -> None:
        with self._lock:
            saved = False
            for outcome in outcomes:
                practice = is_practice_link(outcome.url)
                links = self._practice if practice else self._links
                saved = saved or not practice
                link = TicketLink(outcome.url, outcome.ticket_id, when.isoformat(), outcome.created)
                for email in outcome.recipients:
                    key = email.strip().lower()
                    links.pop(key, None)  # re-insert: newest last
                    links[key] = link
            for links in (self._links, self._practice):
                while len(links) > MAX_LINKS:
                    del links[next(iter(links))]
            if saved and self._path is not None:
                _write(self._path, self._links)


def _read(path: Path) -> dict[str, TicketLink]:
    try:
        data = untrusted_json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as error:
        log.warning("ticket links not read (%s); starting empty", type(error).__name__)
        return {}
    stored = data.get("links") if isinstance(data, dict) else None
    if not isinstance(stored, dict):  # a hand-edited or foreign file: start empty, as above
        return {}
    links: dict[str, TicketLink] = {}
    for email, item in stored.items():
        try:
            if is_practice_link(str(item["url"])):
                continue  # an earlier session's imitation: the ticket is gone with it
            when = str(item["when"])
            # The details pane shows it in JST: a time no datetime can hold is no link.
            datetime.fromisoformat(when).astimezone(JST)
            links[str(email)] = TicketLink(
                str(item["url"]), int(item["ticket_id"]), when, bool(item["created"])
            )
        except (KeyError, TypeError, ValueError, OverflowError):
            continue
    return links


def _write(path: Path, links: dict[str, TicketLink]) -> None:
    payload = {
        "links": {
            email: {
                "url": link.url,
                "ticket_id": link.ticket_id,
                "when": link.when,
                "created": link.created,
            }
            for email, link in links.items()
        }
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file of this save's own, flushed: the window and todoku-cli zendesk may
        # save at once, and a crash must not leave the file cut short.
        write_durably(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    except OSError as error:  # the tickets exist in Zendesk either way; note and go on
        log.warning("ticket links not saved (%s)", type(error).__name__)
