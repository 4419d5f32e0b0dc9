"""A key saved in the settings while in practice mode: the window stays in practice mode (the
operator switches when ready), and the yellow banner now says so and what to press. Before, 保存
closed the dialog and nothing on the screen changed: a first-day operator took the practice
rows for their own account's."""

from __future__ import annotations

from app.core.storage.secrets import SENDGRID_KEY
from app.ui import texts
from tests.helpers.ui import TEST_KEY


def test_saving_a_key_in_practice_mode_says_how_to_go_live(qtbot, make_window, secrets) -> None:
    def save_key(dialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.key_edit.setText(TEST_KEY)
        return True

    window = make_window(run_settings_dialog=save_key)
    window.resize(1024, 560)
    banner_text = window.banner.text_label
    assert banner_text.text() == texts.PRACTICE_TEXT
    window.open_settings()
    assert secrets.get(SENDGRID_KEY) == TEST_KEY
    assert window.controller.connection.practice
    assert window.banner.isVisible()
    shown = banner_text.text()
    assert "保存しました" in shown and "右のボタン" in shown, shown
    assert "練習用" in shown  # still says what the rows are
    qtbot.wait(20)
    assert banner_text.width() >= banner_text.sizeHint().width()  # whole on a 1024-px screen


def test_saving_other_settings_leaves_the_banner_as_it_was(qtbot, make_window) -> None:
    window = make_window(run_settings_dialog=lambda dialog: True)  # 保存 without a key typed
    window.open_settings()
    assert window.banner.text_label.text() == texts.PRACTICE_TEXT
