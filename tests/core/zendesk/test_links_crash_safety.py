"""zendesk_tickets.json written by two processes at once (the window and todoku-cli zendesk):
no save is lost to the other's temporary file, and each one is flushed before its rename."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.helpers.app_process import ROOT, child_env, run_side_by_side
from tests.helpers.syscalls import renamed_onto, synced_before, traced_run

REMEMBER = r"""
import logging, sys
from datetime import UTC, datetime
from pathlib import Path
from app.core.zendesk.links import TicketLinks
from app.core.zendesk.tickets import TicketOutcome

logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(message)s")
path, tag, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
links = TicketLinks(path)
padding = tuple(f"{tag}{i}@example.jp" for i in range(3000))  # a file worth racing on
for number in range(rounds):
    outcome = TicketOutcome(number + 1, f"https://x.zendesk.com/{number}", True, padding)
    links.remember([outcome], datetime.now(UTC))
print("DONE", flush=True)
"""


def test_two_processes_remembering_at_once_lose_no_save(tmp_path: Path) -> None:
    target = tmp_path / "zendesk_tickets.json"
    for out, err in run_side_by_side(REMEMBER, [[str(target), tag, "40"] for tag in ("a", "b")]):
        assert "DONE" in out, err[-2000:]
        # Before: one fixed zendesk_tickets.tmp; a rename took the other's file mid-write and
        # the other's save failed ("ticket links not saved (FileNotFoundError)").
        assert "not saved" not in out, out[:2000]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zendesk_tickets.json"]


def test_the_links_are_flushed_before_they_take_their_name(tmp_path: Path) -> None:
    target = tmp_path / "zendesk_tickets.json"
    result, lines = traced_run(
        [sys.executable, "-c", REMEMBER, str(target), "a", "1"],
        log=tmp_path / "strace.txt",
        cwd=ROOT,
        env=child_env(),
    )
    assert "DONE" in result.stdout, result.stderr[-2000:]
    index, source = renamed_onto(lines, target)
    assert index >= 0
    assert synced_before(lines, source, index)
