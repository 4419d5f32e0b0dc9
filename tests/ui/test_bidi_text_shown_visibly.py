"""Bidi controls from a server, in the real window (practice sandbox over loopback).

A reason "user@example.com" U+202E "gnp.exe" displayed as "user@example.comexe.png": the grid
and the details pane showed what the server never said. They show each control written out
(⟨U+202E⟩) now, while the entry itself, the copied row and what a deletion sends keep the text
as it came.

Zero-width characters, the word joiner and U+FEFF are written out the same way: an address
"user@exa" U+200B "mple.com" looked exactly like user@example.com, which it is not.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.types import ListKind
from app.sandbox.scenarios import SandboxRecord
from app.ui.models.entry_columns import Column
from tests.helpers.ui import SandboxFactory, fetch

REASON = "550 user@example.com\u202egnp.exe \u2067x\u2069 \u200e\u200f\u061c"
REASON_SHOWN = "550 user@example.com⟨U+202E⟩gnp.exe ⟨U+2067⟩x⟨U+2069⟩ ⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩"
EMAIL = "ab\u202ecd@example.jp"
EMAIL_SHOWN = "ab⟨U+202E⟩cd@example.jp"
STATUS = "5.1.1\u202a"
# Every bidi control the window writes out.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# An address that looks like user@example.com, and a reason with every invisible character.
ZW_EMAIL = "user@exa\u200bmple.com"
ZW_EMAIL_SHOWN = "user@exa⟨U+200B⟩mple.com"
ZW_REASON = "550 user@exa\u200bmple.com: no\u200cs\u200duch\u2060user \ufeffhere"
ZW_REASON_SHOWN = "550 user@exa⟨U+200B⟩mple.com: no⟨U+200C⟩s⟨U+200D⟩uch⟨U+2060⟩user ⟨U+FEFF⟩here"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    now = int(time.time()) - 3600
    return SandboxFactory(
        [
            SandboxRecord("bounces", EMAIL, now, REASON, STATUS, ""),
            SandboxRecord("bounces", ZW_EMAIL, now - 60, ZW_REASON, "5.1.1", ""),
        ]
    )


def _fetched_row(qtbot, make_window, email: str = EMAIL):
    window = make_window()
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.entry_at(r).email == email)
    return window, row


def test_the_grid_writes_bidi_controls_out(qtbot, make_window) -> None:
    window, row = _fetched_row(qtbot, make_window)
    model = window.model

    def cell(column: Column, role=Qt.ItemDataRole.DisplayRole):
        return model.index(row, column).data(role)

    assert cell(Column.REASON) == REASON_SHOWN
    assert cell(Column.EMAIL) == EMAIL_SHOWN
    assert cell(Column.STATUS) == "5.1.1⟨U+202A⟩"
    assert "⟨U+202E⟩gnp.exe" in cell(Column.REASON, Qt.ItemDataRole.ToolTipRole)
    for column in Column:
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = cell(column, role)
            if isinstance(value, str):
                assert not any(char in value for char in BIDI), (column, role, value)
    # The data keeps them: the entry (what a deletion sends) and the copied row.
    assert model.entry_at(row).email == EMAIL and model.entry_at(row).reason == REASON
    window.table.selectRow(row)
    window.list_page.copy_selection()
    copied = QApplication.clipboard().text()
    assert REASON in copied and EMAIL in copied


def test_the_details_pane_writes_bidi_controls_out(qtbot, make_window) -> None:
    window, row = _fetched_row(qtbot, make_window)
    window.table.setCurrentIndex(window.model.index(row, Column.EMAIL))
    details = window.list_page.details.toPlainText()
    assert REASON_SHOWN in details and EMAIL_SHOWN in details, details
    assert not any(char in details for char in BIDI), details


def test_the_grid_writes_zero_width_characters_out(qtbot, make_window) -> None:
    window, row = _fetched_row(qtbot, make_window, ZW_EMAIL)
    model = window.model

    def cell(column: Column, role=Qt.ItemDataRole.DisplayRole):
        return model.index(row, column).data(role)

    assert cell(Column.EMAIL) == ZW_EMAIL_SHOWN
    assert cell(Column.REASON) == ZW_REASON_SHOWN
    assert cell(Column.DOMAIN) == "exa⟨U+200B⟩mple.com"
    assert ZW_EMAIL_SHOWN in cell(Column.REASON, Qt.ItemDataRole.ToolTipRole)
    for column in Column:
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = cell(column, role)
            if isinstance(value, str):
                assert not any(char in value for char in INVISIBLE), (column, role, value)
    # The data keeps them: the entry (what a deletion sends) and the copied row.
    assert model.entry_at(row).email == ZW_EMAIL and model.entry_at(row).reason == ZW_REASON
    window.table.selectRow(row)
    window.list_page.copy_selection()
    copied = QApplication.clipboard().text()
    assert ZW_REASON in copied and ZW_EMAIL in copied


def test_the_details_pane_writes_zero_width_characters_out(qtbot, make_window) -> None:
    window, row = _fetched_row(qtbot, make_window, ZW_EMAIL)
    window.table.setCurrentIndex(window.model.index(row, Column.EMAIL))
    details = window.list_page.details.toPlainText()
    assert ZW_REASON_SHOWN in details and ZW_EMAIL_SHOWN in details, details
    assert not any(char in details for char in INVISIBLE), details
