"""ConfirmDeleteDialog: counts per list, the exact addresses, warnings; Cancel is the default."""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QFont, QFontDatabase, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.deletion.plan import DeletionPlan
from app.ui.delete import deletion_texts as texts
from app.ui.safe_text import address_line, plain_label
from app.ui.widgets.screen_fit import resize_within_screen
from app.ui.widgets.sentence_label import SentenceLabel

_WARNING_STYLE = "QFrame#warnings { background: #fff4e5; border: 1px solid #f0b35a; }"
_PRACTICE_STYLE = "background: #fff3b0; color: #5a4500; padding: 6px; font-weight: bold;"
_IRREVERSIBLE_STYLE = "color: #b00020; font-weight: bold;"
_LIVE_STYLE = "background: #b00020; color: white; padding: 6px; font-weight: bold;"
DIALOG_WIDTH = 900
DIALOG_HEIGHT = 600
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for a widget's size


def normalize_number(text: str) -> str:
    """What the operator typed, as ASCII digits: full-width digits (IME) and commas allowed."""
    return unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "").strip()


def address_listing(plan: DeletionPlan) -> str:
    """The addresses grouped per list, one per line (what the dialog shows and copies)."""
    lines: list[str] = []
    for list_plan in plan.lists:
        label = list_plan.list_kind.label_ja
        lines.append(f"■ {texts.CONFIRM_COUNT_LINE.format(label=label, count=list_plan.count)}")
        lines.extend(address_line(email) for email in list_plan.emails)
        lines.append("")
    return "\n".join(lines).rstrip("\n")


class ConfirmDeleteDialog(QDialog):
    """Asks the operator to confirm a deletion. Data in (the plan), decision out (``exec()``).

    ``exec()`` returns ``Accepted`` only when the operator pressed 削除する with every gate
    satisfied: the typed count for 100 entries or more, and the consent tick box for spam
    reports or unsubscribes. Enter presses the default button, キャンセル.
    """

    def __init__(
        self,
        plan: DeletionPlan,
        parent: QWidget | None = None,
        *,
        practice: bool = False,
        recurrences: dict[str, list[str]] | None = None,
    ) -> None:
        """``recurrences``: address → the 再発 sentence and one line per return (from the
        fetch history), shown as a warning: deleting these again will not make them reach."""
        super().__init__(parent)
        self.plan = plan
        self.recurrences = dict(recurrences or {})
        self.practice = practice
        self.setWindowTitle(texts.CONFIRM_TITLE_PRACTICE if practice else texts.CONFIRM_TITLE)
        self.setModal(True)
        # Fits a 1366×768 laptop with its task bar: warnings and addresses side by side, the
        # counts on one row, the typed count and the note in a form (issue 13: it was 765 px).
        # Cut to the screen: at 200 % on a 1920×1080 laptop Qt's screen is 960×540, and the
        # 削除する・キャンセル row opened below its edge.
        resize_within_screen(self, DIALOG_WIDTH, DIALOG_HEIGHT)
        layout = self._main_layout = QVBoxLayout(self)
        layout.setSpacing(6)

        provider = texts.provider_words(plan.provider)
        if practice:
            # Broken between its sentences, not inside a word (SentenceLabel).
            banner = SentenceLabel(texts.CONFIRM_PRACTICE.format(provider=provider), self)
            banner.setObjectName("practiceBanner")
            banner.setStyleSheet(_PRACTICE_STYLE)
            layout.addWidget(banner)
        else:  # as visible as practice mode's yellow banner: this one deletes for real
            banner = SentenceLabel(texts.CONFIRM_LIVE.format(provider=provider), self)
            banner.setObjectName("liveBanner")
            banner.setStyleSheet(_LIVE_STYLE)
            layout.addWidget(banner)
        self.mode_banner = banner
        self.practice_banner_shown = practice

        headline = plain_label(texts.CONFIRM_HEADLINE.format(total=plan.total), self)
        bold = QFont(headline.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        headline.setFont(bold)
        layout.addWidget(headline)
        self.count_labels: list[QLabel] = []
        counts_row = QHBoxLayout()
        counts_row.setSpacing(18)
        for kind, count in plan.counts:
            label = plain_label(
                "・" + texts.CONFIRM_COUNT_LINE.format(label=kind.label_ja, count=count), self
            )
            self.count_labels.append(label)
            counts_row.addWidget(label)
        counts_row.addStretch(1)
        layout.addLayout(counts_row)

        middle = QHBoxLayout()
        self.warning_labels: list[QLabel] = []
        self.recurrence_labels: list[QLabel] = []
        self._warnings_frame: QFrame | None = None
        self._fitted_width = 0  # the width the warning labels' heights were fitted to
        if plan.warnings or self.recurrences:
            frame = QFrame(self)
            self._warnings_frame = frame
            frame.setObjectName("warnings")
            frame.setStyleSheet(_WARNING_STYLE)
            frame_layout = self._warnings_layout = QVBoxLayout(frame)
            frame_layout.setSpacing(4)
            title = plain_label("⚠ " + texts.CONFIRM_WARNINGS, frame)
            title.setFont(bold)
            frame_layout.addWidget(title)
            for kind, text in plan.warnings:
                label = plain_label(
                    texts.CONFIRM_WARNING_LINE.format(label=kind.label_ja, text=text), frame
                )
                label.setWordWrap(True)
                self.warning_labels.append(label)
                frame_layout.addWidget(label)
            for email, lines in list(self.recurrences.items())[: texts.CONFIRM_RECURRENCE_MAX]:
                label = plain_label(
                    texts.CONFIRM_RECURRENCE.format(email=address_line(email), sentence=lines[0])
                    + "".join(f"\n　・{line}" for line in lines[1:]),
                    frame,
                )
                label.setWordWrap(True)
                self.warning_labels.append(label)
                self.recurrence_labels.append(label)
                frame_layout.addWidget(label)
            hidden = len(self.recurrences) - texts.CONFIRM_RECURRENCE_MAX
            if hidden > 0:
                more = plain_label(texts.CONFIRM_RECURRENCE_MORE.format(count=hidden), frame)
                self.warning_labels.append(more)
                frame_layout.addWidget(more)
            frame_layout.addStretch(1)
            # Five lists' warnings, the consent box and the typed count made the dialog 561 px
            # tall at least, and recurrences far more: taller than a 1920×1080 screen at 200 %
            # (960×540 for Qt), so 削除する・キャンセル were out of reach. The warnings scroll
            # instead when the screen is short; on a laptop at 100 % they all show as before.
            scroll = QScrollArea(self)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidgetResizable(True)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(frame)
            scroll.setMinimumHeight(4 * self.fontMetrics().lineSpacing())
            # No horizontal bar: dragged narrower than the heading (which does not wrap), the
            # box was wider than what shows and every line lost its right end. The dialog
            # stops at the box's own minimum, with room for the vertical bar beside it.
            scroll.setMinimumWidth(
                frame.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
            )
            frame.installEventFilter(self)  # a scroll bar narrows it: lines need re-fitting
            self.warnings_scroll: QScrollArea | None = scroll
            middle.addWidget(scroll, 3)
        else:
            self.warnings_scroll = None

        addresses_column = QVBoxLayout()
        addresses_column.addWidget(plain_label(texts.CONFIRM_ADDRESSES, self))
        self.addresses = QPlainTextEdit(self)
        self.addresses.setReadOnly(True)  # still selectable and copyable
        self.addresses.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.addresses.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.addresses.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.addresses.setPlainText(address_listing(plan))
        self.addresses.setMinimumHeight(120)
        addresses_column.addWidget(self.addresses, 1)
        middle.addLayout(addresses_column, 2)
        layout.addLayout(middle, 1)

        irreversible_text = texts.CONFIRM_IRREVERSIBLE.format(provider=provider).strip()
        irreversible = plain_label(irreversible_text, self)
        irreversible.setStyleSheet(_IRREVERSIBLE_STYLE)
        self.irreversible_label = irreversible
        layout.addWidget(irreversible)
        if practice:
            layout.addWidget(plain_label(texts.CONFIRM_IRREVERSIBLE_PRACTICE, self))

        self.consent_box: QCheckBox | None = None
        if plan.requires_consent:
            self.consent_box = QCheckBox(texts.CONFIRM_CONSENT, self)
            self.consent_box.toggled.connect(self._update_gate)
            layout.addWidget(self.consent_box)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.count_edit: QLineEdit | None = None
        self.count_hint: QLabel | None = None
        if plan.requires_typed_confirmation:
            number = plan.confirmation_number
            prompt = SentenceLabel(texts.CONFIRM_TYPE_COUNT.format(number=number), self)
            layout.addWidget(prompt)
            self.count_edit = QLineEdit(self)
            self.count_edit.setPlaceholderText(texts.CONFIRM_TYPE_PLACEHOLDER.format(number=number))
            self.count_edit.setMaxLength(12)
            self.count_edit.setMaximumWidth(180)
            self.count_edit.textChanged.connect(self._update_gate)
            # The mismatch note sits beside the field and keeps its place while hidden, so
            # nothing below moves when it appears.
            self.count_hint = plain_label("", self)
            self.count_hint.setStyleSheet("color: #b00020;")
            policy = self.count_hint.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.count_hint.setSizePolicy(policy)
            count_row = QHBoxLayout()
            count_row.addWidget(self.count_edit)
            count_row.addWidget(self.count_hint, 1)
            form.addRow(texts.CONFIRM_TYPE_LABEL, count_row)

        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText(texts.CONFIRM_NOTE_PLACEHOLDER)
        self.note_edit.setMaxLength(500)
        form.addRow(texts.CONFIRM_NOTE, self.note_edit)
        layout.addLayout(form)

        buttons = QDialogButtonBox(self)
        self.delete_button = QPushButton(texts.CONFIRM_DELETE, self)
        self.cancel_button = QPushButton(texts.CONFIRM_CANCEL, self)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        # Enter must never delete: Cancel is the default button, and the delete button never
        # becomes default even when it has focus (it needs a click or the space bar).
        self.delete_button.setAutoDefault(False)
        self.cancel_button.setAutoDefault(True)
        self.cancel_button.setDefault(True)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.cancel_button.setFocus()
        self._update_gate()

    # -- layout --------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size() != self.size():
            # A stale event. Without a window manager a drag below the minimum width (xdotool
            # windowsize 515) reaches Qt, which sets the dialog back to its minimum; the event
            # for the smaller size comes after that one, and the layout placed everything for
            # it: at 527 px 「削除するアドレス（選択してコピーできます）」 was 9 px narrower than
            # its text and lost its last character. Lay out again for the size the dialog has.
            self._main_layout.invalidate()
            self._main_layout.activate()
        self._fit_warnings()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_warnings()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self._warnings_frame and event.type() == QEvent.Type.Resize:
            self._fit_warnings()
        return super().eventFilter(watched, event)

    def _fit_warnings(self) -> None:
        # A word-wrapped label's minimum height is computed for a narrow width, so the layout
        # squeezes it until lines overlap. Pin each to the height the frame's width needs
        # (the label's own width is not laid out yet on the first show). Exactly that tall:
        # in the scroll area a label otherwise takes its size hint, reckoned for a narrower
        # width, and blank lines opened between the warnings.
        if self._warnings_frame is None:
            return
        self._main_layout.activate()  # the frame's width for the dialog's current width
        inner = self._warnings_layout.contentsMargins()
        frame = self._warnings_frame.frameWidth() * 2
        width = max(100, self._warnings_frame.width() - inner.left() - inner.right() - frame)
        if width == self._fitted_width:
            return
        self._fitted_width = width
        for label in self.warning_labels:
            # heightForWidth never answers less than the minimum height: unpin it first, or
            # the height for a narrow first width stays when the dialog gets wider.
            label.setMinimumHeight(0)
            label.setMaximumHeight(QWIDGETSIZE_MAX)
            needed = label.heightForWidth(width)
            if needed > 0:
                label.setFixedHeight(needed)

    # -- outcome -------------------------------------------------------------------------------

    @property
    def note(self) -> str:
        return self.note_edit.text().strip()

    @property
    def consent_given(self) -> bool:
        return self.consent_box is not None and self.consent_box.isChecked()

    def gates_satisfied(self) -> bool:
        if self.consent_box is not None and not self.consent_box.isChecked():
            return False
        if self.count_edit is not None:
            return normalize_number(self.count_edit.text()) == self.plan.confirmation_number
        return True

    # -- slots ---------------------------------------------------------------------------------

    @Slot()
    def _update_gate(self) -> None:
        self.delete_button.setEnabled(self.gates_satisfied())
        if self.count_edit is not None and self.count_hint is not None:
            typed = normalize_number(self.count_edit.text())
            mismatch = bool(typed) and typed != self.plan.confirmation_number
            self.count_hint.setText(texts.CONFIRM_TYPE_MISMATCH if mismatch else "")
            self.count_hint.setVisible(mismatch)

    @Slot()
    def _on_delete_clicked(self) -> None:
        if self.gates_satisfied():  # the button is disabled otherwise; checked again on purpose
            self.accept()


def ask_delete_confirmation(
    plan: DeletionPlan,
    parent: QWidget | None = None,
    *,
    practice: bool = False,
    recurrences: dict[str, list[str]] | None = None,
) -> str | None:
    """Show the dialog; return the note ("" when none) if confirmed, ``None`` if cancelled.

    This is the confirmation callable the controller receives (tests inject their own).
    """
    dialog = ConfirmDeleteDialog(plan, parent, practice=practice, recurrences=recurrences)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.note if accepted else None
    finally:
        dialog.deleteLater()
