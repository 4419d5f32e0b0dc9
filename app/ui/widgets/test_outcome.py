"""The result of a 接続テスト in a label: which lists the key may read and delete, or the error."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QLabel

from app.core.errors import TodokuError
from app.core.types import ListPermissions
from app.ui import texts
from app.ui.widgets.tint import set_text_colour


def show_test_outcome(
    label: QLabel,
    outcome: Sequence[ListPermissions] | TodokuError,
    prefix: str = "",
    next_step: Callable[[str], str] = str,
) -> None:
    """Green list of permissions, or the Japanese error and its next step in red.

    ``next_step`` rewords the error's next step for where it is shown (inside the settings
    dialog, 「設定画面で」 becomes 「この画面で」)."""
    if isinstance(outcome, TodokuError):
        set_text_colour(label, "#c62828")
        label.setText(f"{prefix}{outcome.message_ja}\n{next_step(outcome.next_step_ja)}")
        return
    lines = [prefix + texts.SETTINGS_TEST_OK]
    for permission in outcome:
        lines.append(
            texts.SETTINGS_TEST_LIST.format(
                label=permission.list_kind.label_ja,
                read=texts.SETTINGS_YES if permission.can_read else texts.SETTINGS_NO,
                delete=texts.SETTINGS_YES if permission.can_delete else texts.SETTINGS_NO,
            )
        )
    set_text_colour(label, "#1b5e20")
    label.setText("\n".join(lines))
