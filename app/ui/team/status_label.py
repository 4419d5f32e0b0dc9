"""TeamStatusLabel: in the status bar while the shared store is in use — who this operator is
in the team (閲覧 / 削除可) and how many results wait on this PC to be sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:  # the journal's records load with the journal, after the first paint
    from app.core.storage.journal_records import Operator
from app.ui.safe_text import plain_label, single_line, tooltip_text
from app.ui.team import team_texts as texts
from app.ui.widgets.tint import set_text_colour

# A name longer than this would push the rest of the status bar off a 1280 px screen.
NAME_CHARS = 40


def team_status_label(parent: QWidget | None = None) -> QLabel:
    label = plain_label("", parent)
    label.setVisible(False)
    return label


def show_team_state(
    label: QLabel,
    *,
    shared: bool,
    operator: Operator | None,
    outbox: int,
    refusal: str,
    connecting: bool = False,
    unreachable: bool = False,
) -> None:
    """Hidden with the SQLite journal; else 「共有データベース: 佐藤（閲覧）」 (or 接続中… /
    接続できません while the store is not open) and, when rows wait, 「未送信の記録 3 件…」 in red.
    ``refusal`` (why deletion is off) is the tooltip."""
    if not shared:
        label.setVisible(False)
        return
    parts = []
    if operator is None and connecting:
        parts.append(texts.STATUS_CONNECTING)
    elif operator is None and unreachable:
        parts.append(texts.STATUS_UNREACHABLE)
    if operator is not None:
        role = operator.role.label_ja + (texts.STATUS_NO_DELETE if refusal else "")
        # The name comes from the shared store (someone else wrote it): one line, bidi and
        # invisible characters written out.
        name = single_line(operator.display_name, NAME_CHARS)
        parts.append(texts.STATUS_SHARED.format(name=name, role=role))
    if outbox:
        parts.append(texts.STATUS_OUTBOX.format(count=outbox))
    label.setText("　".join(parts))
    set_text_colour(label, "#b00020" if outbox or (unreachable and operator is None) else "#333333")
    tips = [text for text in (refusal, texts.STATUS_OUTBOX_TIP if outbox else "") if text]
    if operator is not None and len(operator.display_name) > NAME_CHARS:
        tips.insert(0, operator.display_name)  # cut short in the bar: whole on hover
    label.setToolTip(tooltip_text("\n".join(tips)))  # the name comes from the shared store
    label.setVisible(bool(parts))
