"""`todoku-cli zendesk` with 8 recipients: Zendesk refuses the 3rd ticket. Tickets 1 and 2 were
created, but their URLs are never printed (escalate() returns only after every ticket), so the
operator is told only "failed" and does not learn that two tickets now exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.sandbox.zendesk_server import Fault, ZendeskSandbox
from tests.cli.test_letter_zendesk_cli import SAMPLE, settings_file, zendesk_env  # noqa: F401


class ThirdCreateRefused(ZendeskSandbox):
    """Answers the third ticket creation with 422, like a ticket Zendesk's rules refuse."""

    posts = 0

    def _next_fault(self, method: str, path: str) -> Fault | None:
        if method == "POST" and path.endswith("/tickets"):
            self.posts += 1
            if self.posts == 3:
                return Fault(status=422, body={"error": "RecordInvalid", "description": "x"})
        return None


def test_created_tickets_are_reported_when_a_later_one_fails(
    settings_file: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in zendesk_env().items():
        monkeypatch.setenv(name, value)
    with ThirdCreateRefused() as server:
        code = main(["zendesk", "--jsonl", str(SAMPLE), "--base-url", server.base_url,
                     "--settings", str(settings_file)])  # fmt: skip
        created = len(server.tickets())
    out, err = capsys.readouterr()
    assert code != 0
    assert created == 2
    # Both tickets that exist must be named, so nothing made is lost from the operator's view.
    assert f"{server.base_url}/agent/tickets/1" in out
    assert f"{server.base_url}/agent/tickets/2" in out
    assert "作成・追記済みのチケット 2 件" in err
