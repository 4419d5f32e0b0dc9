"""連絡文 from the grid: the chooser's letter per kind, kind override, missing facts, copy and
save, hostile reasons kept literal, and the optional AI polish against the OpenAI imitation."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit

from app.core.letters import LetterKind
from app.core.types import ListKind, SuppressionEntry
from app.sandbox.openai_server import OpenAISandbox, ScriptedReply
from tests.helpers.letters import (
    CARRIER,
    COMPANY,
    HOSTILE,
    HOSTILE_REASON,
    MAILBOX_FULL,
    MUNICIPAL,
    TYPO,
    WHEN,
    classified,
    select_rows,
    with_sender_facts,
)
from tests.helpers.ui import longest_line_handed_to_qt

ALL = (MUNICIPAL, COMPANY, CARRIER, TYPO, MAILBOX_FULL, HOSTILE)


@pytest.fixture
def window(make_window):
    """A window whose letter dialog is shown without a modal loop, with the rows above."""
    settings_answers: list = []

    def run_settings(dialog) -> bool:
        answer = settings_answers.pop(0) if settings_answers else None
        if answer is None:
            return False
        answer(dialog)
        return True

    win = make_window(
        run_letter_dialog=lambda dialog: dialog.show(), run_contact_settings=run_settings
    )
    win.settings_answers = settings_answers
    win.model.append(list(ALL), classified(*ALL))
    win.list_page.ensure_grid()
    win._update_counts()  # as a fetch's `grew` would
    return win


select = select_rows


def open_for(window, *emails: str):
    select(window, *emails)
    window.contact_actions.letters_action.trigger()
    dialog = window.controller.letters.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


@pytest.mark.parametrize(
    ("entry", "kind", "letter_id", "must_read"),
    [
        (
            MUNICIPAL,
            LetterKind.MUNICIPAL,
            "municipal",
            ["city.yokohama.lg.jp", "LGWAN", "受信許可"],
        ),
        (COMPANY, LetterKind.COMPANY, "company", ["zen.spamhaus.org", "SPF / DKIM / DMARC"]),
        (CARRIER, LetterKind.CARRIER, "carrier", ["受信リスト設定", "mail.todoku.example"]),
        (TYPO, LetterKind.CONSUMER, "consumer_typo", ["hanako@gmail.com", "hanako@gmial.com"]),
        (MAILBOX_FULL, LetterKind.CONSUMER, "consumer_mailbox_full", ["受信箱", "空き"]),
    ],
)
def test_each_kind_from_a_suitable_entry(window, entry, kind, letter_id, must_read):
    window.controller.settings_keeper.store(with_sender_facts(window.controller.settings))
    dialog = open_for(window, entry.email)
    letter = dialog.current_letter
    assert letter is not None and letter.letter_id == letter_id and letter.kind is kind
    shown = dialog.text.toPlainText()
    assert shown == letter.as_text()
    for text in must_read:
        assert text in shown
    assert letter.missing_ja == ()
    assert "すべて入っています" in dialog.missing_label.text()
    assert not dialog.warning_label.isVisible()


def test_several_entries_and_changing_the_kind(window):
    dialog = open_for(window, MUNICIPAL.email, CARRIER.email, TYPO.email)
    assert dialog.letter_combo.count() == 3
    assert dialog.letter_combo.isEnabled()
    # Forcing the company kind: one letter per domain, with a warning that it is not the
    # kind the causes call for.
    dialog.select_kind(LetterKind.COMPANY)
    assert {dialog._letters[i].kind for i in range(dialog.letter_combo.count())} == {
        LetterKind.COMPANY
    }
    assert dialog.warning_label.isVisible()
    assert "異なる種類" in dialog.warning_label.text()
    dialog.select_kind(None)
    assert not dialog.warning_label.isVisible()


def test_kind_without_a_letter_says_why(window):
    dialog = open_for(window, TYPO.email)
    dialog.select_kind(LetterKind.MUNICIPAL)
    # Forcing is allowed (the operator decides), but spam reports would stay out; here the
    # consumer still gets a municipal letter with the warning.
    assert dialog.current_letter is not None
    assert dialog.warning_label.isVisible()


def test_missing_facts_are_listed_and_filled_in_through_settings(window):
    dialog = open_for(window, COMPANY.email)
    letter = dialog.current_letter
    assert "【送信元ドメインを記入】" in letter.missing_ja
    assert "【送信元ドメインを記入】" in dialog.missing_label.text()
    assert dialog.fill_in_button.isVisible()

    def fill(settings_dialog) -> None:
        assert settings_dialog.tabs.currentIndex() == 0  # 送信元の情報
        page = settings_dialog.sender_page
        page.org_edit.setText("株式会社トドク")
        page.domain_edit.setText("mail.todoku.example")
        page.ips_edit.setText("203.0.113.10 203.0.113.11")
        page.contact_edit.setText("配信担当 山田")
        page.auth_edit.setText("SPF pass / DKIM pass / DMARC pass")

    window.settings_answers.append(fill)
    dialog.fill_in_button.click()
    assert window.controller.settings.sender_domain == "mail.todoku.example"
    assert dialog.current_letter.missing_ja == ()
    assert "203.0.113.10, 203.0.113.11" in dialog.text.toPlainText()


def test_hostile_reason_stays_literal_and_plain(window):
    window.controller.settings_keeper.store(with_sender_facts(window.controller.settings))
    dialog = open_for(window, HOSTILE.email)
    shown = dialog.text.toPlainText()
    # Quoted exactly as the server wrote it: no substitution, no markup, no formula.
    assert f"    > {HOSTILE_REASON}" in shown
    assert shown.count("mail.todoku.example") == dialog.current_letter.as_text().count(
        "mail.todoku.example"
    )
    assert "{sender_domain} {{org_name}} <b>bold</b>" in shown
    assert isinstance(dialog.text, QPlainTextEdit)
    # Every label that can carry an address, a reason or an AI answer is plain text.
    for label in (
        dialog.missing_label,
        dialog.left_out_label,
        dialog.warning_label,
        dialog.status_label,
    ):
        assert label.textFormat().name == "PlainText"
    assert dialog.letter_combo.currentText().endswith("hostile-corp.co.jp")


def test_copy_and_save(window, tmp_path):
    dialog = open_for(window, MAILBOX_FULL.email)
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.current_letter.as_text()
    target = tmp_path / dialog.suggested_file_name()
    dialog._ask_path = lambda parent, name: target
    dialog.save_button.click()
    assert target.read_text(encoding="utf-8") == dialog.current_letter.as_text()
    assert str(target) in dialog.status_label.text()
    dialog._ask_path = lambda parent, name: tmp_path / "missing-folder" / "x.txt"
    dialog.save_button.click()
    # In Japanese, not the OS's English strerror ("No such file or directory").
    assert "保存先のフォルダが見つかりません" in dialog.status_label.text()
    assert "No such file" not in dialog.status_label.text()


def test_nothing_selected_says_so(window):
    window.table.clearSelection()
    window.contact_actions.letters_action.trigger()
    assert window.controller.letters.dialog is None
    assert "行を選ぶ" in window.status_bar.currentMessage()


def test_nothing_selected_on_another_tab_shows_the_list_to_choose_from(window):
    window.table.clearSelection()
    window.tabs.setCurrentWidget(window.history_part.trends_tab)
    window.contact_actions.letters_action.trigger()  # Ctrl+L or the 連絡 menu
    assert window.controller.letters.dialog is None
    assert window.tabs.currentWidget() is window.list_page
    window.tabs.setCurrentWidget(window.delivery_tab)
    window.contact_actions.zendesk_action.trigger()
    assert window.tabs.currentWidget() is window.list_page
    assert "行を選ぶ" in window.status_bar.currentMessage()


def test_polish_off_without_ai(window):
    from app.ui import texts as shell_texts

    dialog = open_for(window, MAILBOX_FULL.email)
    assert not dialog.polish_button.isEnabled()
    # The tooltip names the setting by the words the 設定 dialog shows (it said 「説明の改善」,
    # a setting no screen has) and where it is.
    tip = dialog.polish_button.toolTip()
    assert shell_texts.SETTINGS_LLM_ENABLED.split("（")[0] in tip
    assert "ツール → 設定" in tip


@pytest.fixture
def llm():
    sandbox = OpenAISandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def ai_window(make_window, llm):
    win = make_window(
        run_letter_dialog=lambda dialog: dialog.show(), llm_sandbox_factory=lambda: llm
    )
    controller = win.controller
    controller.settings_keeper.store(
        with_sender_facts(controller.settings).replace(llm_enabled=True)
    )
    win.model.append(list(ALL), classified(*ALL))
    win.list_page.ensure_grid()
    win._update_counts()  # as a fetch's `grew` would
    return win


def polish(qtbot, window, dialog) -> None:
    letters = window.controller.letters
    with qtbot.waitSignal(letters.running, check_params_cb=lambda r: not r, timeout=30_000):
        dialog.polish_button.click()


def test_polish_accepted_when_it_adds_no_fact(qtbot, ai_window, llm):
    dialog = open_for(ai_window, MAILBOX_FULL.email)
    original = dialog.current_letter
    polished = original.body.replace("誠にありがとうございます。", "心より御礼申し上げます。")
    assert polished != original.body
    llm.script(ScriptedReply(content=polished))
    polish(qtbot, ai_window, dialog)
    assert dialog.current_letter.body.strip() == polished.strip()
    assert "心より御礼申し上げます" in dialog.text.toPlainText()
    assert "整えた文面にしました" in dialog.status_label.text()
    assert len(llm.chat_requests) == 1


def test_polish_refused_when_it_adds_a_fact(qtbot, ai_window, llm):
    dialog = open_for(ai_window, COMPANY.email)
    original = dialog.current_letter
    invented = original.body + "\n追伸: 03-9999-9999 までお電話ください。\n"
    llm.script(ScriptedReply(content=invented))
    polish(qtbot, ai_window, dialog)
    assert dialog.current_letter is original
    assert dialog.text.toPlainText() == original.as_text()
    status = dialog.status_label.text()
    assert "使いませんでした" in status and "9999" in status


def test_no_letter_fits_says_why(window):
    from app.core.types import ListKind, SuppressionEntry
    from tests.helpers.letters import WHEN

    free_mail = SuppressionEntry(
        ListKind.BOUNCES, "someone@gmail.com", WHEN, "5.1.1", "550 5.1.1 User unknown"
    )
    window.model.append([free_mail], classified(free_mail))
    dialog = open_for(window, free_mail.email)
    assert dialog.current_letter is None
    assert "この種類の連絡文はありません" in dialog.text.toPlainText()
    assert "someone@gmail.com" in dialog.text.toPlainText()
    assert not dialog.copy_button.isEnabled() and not dialog.save_button.isEnabled()


def test_a_hostile_address_gives_a_file_name_every_os_takes(window, tmp_path):
    """The consumer letter's suggested name is built from the address the provider sent: a
    NUL made ``write_text`` raise ValueError (no message, the save just failed), control and
    bidi characters went into the name (U+202E shows 'txt.exe' backwards in a file manager),
    and a 300-character local part made a name over the 255-byte limit of every OS."""
    hostile = "a\x00b\x1b[31m\u202etxt.exe\u200b" + "あ" * 300 + "@example.ne.jp"
    entry = SuppressionEntry(
        ListKind.BOUNCES, hostile, WHEN, "5.2.2", "552 5.2.2 Mailbox full: quota exceeded"
    )
    window.model.append([entry], classified(entry))
    dialog = open_for(window, hostile)
    name = dialog.suggested_file_name()
    assert name.startswith("連絡文_") and name.endswith(".txt")
    assert len(name.encode("utf-8")) <= 255
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in name)
    assert not any(c in name for c in "\u202e\u200b")
    target = tmp_path / name
    dialog._ask_path = lambda parent, suggested: target
    dialog.save_button.click()
    assert target.read_text(encoding="utf-8") == dialog.current_letter.as_text()


def test_a_megabyte_address_does_not_freeze_the_letter_dialog(window):
    """An address is at most 254 characters, but a hostile provider may send a megabyte. The
    letter wrote it whole, on one line, into the dialog's text pane (Qt lays an unbroken line
    out glyph by glyph: 86 s for a megabyte in a details pane) and into the letter chooser.

    Judged by the longest line the dialog hands Qt, not by the seconds it took: what freezes the
    window is that line's length, and a busy machine takes longer for a short one too."""
    from PySide6.QtWidgets import QApplication

    hostile = "a" * 1_000_000 + "@example.ne.jp"
    entry = SuppressionEntry(
        ListKind.BOUNCES, hostile, WHEN, "5.2.2", "552 5.2.2 Mailbox full: quota exceeded"
    )
    window.model.append([entry], classified(entry))
    dialog = open_for(window, hostile)
    # Checked before anything is painted: with a megabyte line the paint below takes minutes.
    # A line of the letter holds an address of at most 320 characters and some prose.
    longest = longest_line_handed_to_qt(dialog)
    assert longest <= 2_000, f"the dialog lays out a line of {longest:,} characters"
    for pane in dialog.findChildren(QPlainTextEdit):
        pane.viewport().repaint()
    QApplication.processEvents()
    text = dialog.current_letter.as_text()
    assert "a" * 200 in text and len(text) < 20_000


@pytest.mark.parametrize("filled", [True, False], ids=["facts-filled", "facts-missing"])
def test_practice_polish_shows_an_accepted_rewrite(qtbot, ai_window, llm, filled):
    """Practice mode's own AI answer, unscripted: the review's two tries on the 札幌市 letter
    were both refused (a 記入欄 gone, then the quoted server reply changed), so a learner never
    saw what an accepted polish looks like. The guard is unchanged; the imitation now keeps
    every quoted line and every 【…を記入】 mark."""
    if not filled:
        keeper = ai_window.controller.settings_keeper
        keeper.store(keeper.current.replace(sender_contact="", sender_ips=""))
    dialog = open_for(ai_window, MUNICIPAL.email)
    original = dialog.current_letter
    assert bool(original.missing_ja) is not filled
    polish(qtbot, ai_window, dialog)
    assert "整えた文面にしました" in dialog.status_label.text(), dialog.status_label.text()
    polished = dialog.current_letter
    assert polished.body != original.body
    assert polished.missing_ja == original.missing_ja

    def quoted(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.strip().startswith(">")]

    assert quoted(polished.body) == quoted(original.body) and quoted(original.body)
    assert dialog.text.toPlainText() == polished.as_text()
    assert len(llm.chat_requests) == 1
