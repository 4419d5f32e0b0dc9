"""Saving a text (連絡文, the CMC deletion guidance) over an older file on a full disk: the older
file is kept whole and the failure is said in Japanese. Written in place, the old file was cut
to nothing before the write failed."""

from __future__ import annotations

from pathlib import Path

from app.core.accounts import Account, ProviderName
from app.core.provider_factory import build_provider
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.types import ListKind
from app.sandbox.practice import practice_credentials
from app.ui.accounts.guidance_dialog import GuidanceDialog
from tests.helpers.letters import MAILBOX_FULL, classified, select_rows, with_sender_facts
from tests.helpers.tiny_disk import fill, tiny_disk

OLD = "前に保存した文面\n"


def test_guidance_saved_over_an_older_file_on_a_full_disk_keeps_it(qtbot, tmp_path: Path) -> None:
    account = Account("CMC", ProviderName.CMC, server_composition="sv1")
    provider = build_provider(account, practice_credentials("cmc"), base_url="http://127.0.0.1:9")
    try:
        addresses = [f"user{i:05d}@example.jp" for i in range(400)]  # well over one 4 KB page
        guide = provider.deletion_guidance(ListKind.BLOCKS, addresses)
    finally:
        provider.close()
    with tiny_disk(tmp_path / "disk") as disk:
        target = disk / "guide.txt"
        target.write_text(OLD, encoding="utf-8")
        fill(disk)
        dialog = GuidanceDialog(
            (guide,), {}, "カスタマーズメールクラウド", 0, ask_path=lambda parent, name: target
        )
        qtbot.addWidget(dialog)
        dialog.save_button.click()
        assert "空き容量" in dialog.status.text()
        assert target.read_text(encoding="utf-8") == OLD
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin", "guide.txt"]


def test_a_letter_saved_over_an_older_file_on_a_full_disk_keeps_it(make_window, tmp_path) -> None:
    # A sender name long enough that the letter needs more than the one 4 KB page the old
    # file frees when it is cut: the in-place write must then fail.
    long_name = "株式会社とどくテスト" * 300
    SettingsStore(tmp_path / "data" / "settings.json").save(
        with_sender_facts(AppSettings(), sender_org_name=long_name)
    )
    window = make_window(run_letter_dialog=lambda dialog: dialog.show())
    window.model.append([MAILBOX_FULL], classified(MAILBOX_FULL))
    window.list_page.ensure_grid()
    window._update_counts()
    select_rows(window, MAILBOX_FULL.email)
    window.contact_actions.letters_action.trigger()
    dialog = window.controller.letters.dialog
    assert dialog is not None
    with tiny_disk(tmp_path / "disk") as disk:
        target = disk / "letter.txt"
        target.write_text(OLD, encoding="utf-8")
        assert len(dialog.current_letter.as_text().encode("utf-8")) > 8192
        fill(disk)
        dialog._ask_path = lambda parent, name: target
        dialog.save_button.click()
        assert "空き容量" in dialog.status_label.text()
        assert target.read_text(encoding="utf-8") == OLD
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin", "letter.txt"]
