"""A 1 MB ``status`` from the provider: the grid cell is not cut like the 理由 cell is."""

from __future__ import annotations

import time

import pytest

from app.core.types import ListKind
from app.sandbox.scenarios import SandboxRecord
from app.ui.models.entry_columns import Column
from tests.helpers.ui import SandboxFactory, fetch


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    now = int(time.time()) - 3600
    # SendGrid's status is "5.1.1"-like; a broken or hostile server can send anything.
    return SandboxFactory(
        [SandboxRecord("bounces", "a@example.com", now, "550 user unknown", "5" * 1_000_000, "")]
    )


def test_no_grid_cell_hands_the_painter_a_one_megabyte_status(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    assert window.model.rowCount() == 1
    # Judged by what every cell gives the delegate, not by the seconds a repaint takes: before
    # the fix display_text returned entry.status (and entry.email) uncut, and the delegate
    # elided the whole 1 MB string on every scroll, hover and resize (0.4-0.8 s per paint),
    # while the 理由 cell went through single_line(300).
    for column in Column:
        shown = window.model.index(0, column).data()
        assert shown is None or len(str(shown)) <= 300, column
    window.table.viewport().repaint()  # the delegate paints what the cells give
    # Cut for the cell only: a copy of the row still carries the whole status.
    assert "5" * 1_000_000 in window.model.row_text(0)
    # The details pane shows a bounded head of it too.
    window.table.setCurrentIndex(window.model.index(0, Column.EMAIL))
    assert len(window.list_page.details.toPlainText()) < 20_000
