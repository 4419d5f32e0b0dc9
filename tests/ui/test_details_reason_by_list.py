"""The details pane says whose words the 理由 field holds, per list: the receiving server's reply
for bounces and blocks, the delivery service's note for an invalid address, and no reason at all
for spam reports and unsubscribes (the recipient's doing). Their 恒久的 line asks for consent
instead of claiming a resend would not arrive."""

from __future__ import annotations

import time

import pytest

from app.core.types import ListKind
from app.sandbox.scenarios import SandboxRecord
from app.ui import texts
from app.ui.models.entry_columns import Column
from tests.helpers.ui import SandboxFactory, fetch

NOW = int(time.time()) - 3600


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    return SandboxFactory(
        [
            SandboxRecord("bounces", "gone@example.com", NOW, "550 5.1.1 user unknown", "5.1.1"),
            SandboxRecord(
                "invalid_emails",
                "typo@example.con",
                NOW - 60,
                "Mail domain mentioned in email address is unknown",
            ),
            SandboxRecord("spam_reports", "angry@example.com", NOW - 120),
            SandboxRecord("unsubscribes", "bye@example.com", NOW - 180),
        ]
    )


def details_of(window, kind: ListKind) -> str:
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.entry_at(r).list_kind == kind)
    window.table.setCurrentIndex(model.index(row, Column.EMAIL))
    return window.list_page.details.toPlainText()


def test_the_reason_heading_names_who_wrote_it_and_spam_reports_ask_for_consent(
    qtbot, make_window
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    fetch(qtbot, window)
    assert window.model.rowCount() == 4

    bounce = details_of(window, ListKind.BOUNCES)
    assert f"■ {texts.DETAILS_REASON_SERVER}\n550 5.1.1 user unknown" in bounce
    assert texts.PERMANENCE_NOTES[True] in bounce

    # SendGrid's own words, not a receiving server's (the old heading said they were).
    invalid = details_of(window, ListKind.INVALID_EMAILS)
    assert f"■ {texts.DETAILS_REASON_SERVICE}\nMail domain" in invalid
    assert texts.DETAILS_REASON_SERVER not in invalid

    for kind in (ListKind.SPAM_REPORTS, ListKind.UNSUBSCRIBES):
        text = details_of(window, kind)
        assert texts.DETAILS_REASON_SERVER not in text
        assert f"■ {texts.DETAILS_REASON_SERVICE}\n{texts.DETAILS_REASON_NONE}" in text
        # Mail would arrive; the recipient's wish is what stands in the way.
        assert texts.PERMANENCE_NOTES[True] not in text
        assert texts.PERMANENCE_NOTE_CONSENT in text
