"""アカウントの管理 and 共有データベース say where credentials go: the OS keyring, or on a PC
without one, memory until the app closes (as the 設定 dialog says of the SendGrid key). They
promised the keyring on every PC, and what was typed on a PC without one was gone after a
restart."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from app.core.storage.secrets import MemorySecretStore
from app.ui.accounts import account_texts
from app.ui.team import team_texts


class KeptSecrets(MemorySecretStore):
    """Stands in for a working keyring (kept across restarts)."""

    @property
    def persistent(self) -> bool:
        return True


@pytest.fixture(params=[False, True], ids=["no-keyring", "keyring"])
def secrets(request) -> MemorySecretStore:
    return KeptSecrets() if request.param else MemorySecretStore()


def test_the_intro_names_where_the_credentials_are_kept(qtbot, make_window, secrets) -> None:
    window = make_window()
    shown: list[list[str]] = []
    window.accounts_flow.run_manage = lambda dialog: shown.append(
        [label.text() for label in dialog.findChildren(QLabel)]
    )
    window.manage_accounts_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    wanted = account_texts.MANAGE_INTRO if secrets.persistent else account_texts.MANAGE_INTRO_MEMORY
    other = account_texts.MANAGE_INTRO_MEMORY if secrets.persistent else account_texts.MANAGE_INTRO
    assert wanted in shown[0]
    assert other not in shown[0]


def test_the_shared_database_note_names_where_the_password_is_kept(
    qtbot, make_window, secrets
) -> None:
    window = make_window()
    team = window.controller.team
    dialog = team.make_dialog(window)
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    qtbot.waitUntil(lambda: not team.is_running(), timeout=5000)  # the password read
    team.detach()
    if secrets.persistent:
        assert team_texts.PASSWORD_NOTE in texts and team_texts.PASSWORD_NOTE_MEMORY not in texts
    else:
        assert team_texts.PASSWORD_NOTE_MEMORY in texts and team_texts.PASSWORD_NOTE not in texts
