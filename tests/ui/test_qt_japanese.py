"""Qt's own texts (standard buttons, line-edit menus, file dialog labels) are Japanese once
app.ui.qt_japanese is installed, whatever the OS locale; tests/test_startup.py checks that
start-up installs it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
)
from pytestqt.qtbot import QtBot

from app.ui.qt_japanese import GAPS_NAME, TRANSLATOR_NAME, install_qt_japanese


def _ours(app: QApplication) -> list[QTranslator]:
    return [
        t for t in app.findChildren(QTranslator) if t.objectName() in (TRANSLATOR_NAME, GAPS_NAME)
    ]


@pytest.fixture
def bare_app(qapp: QApplication) -> Iterator[QApplication]:
    """The test application without our translators, and without them again afterwards, so
    other tests see the texts they always saw; the default locale is put back too."""

    def remove() -> None:
        for translator in _ours(qapp):
            qapp.removeTranslator(translator)
            translator.setParent(None)

    locale = QLocale()
    remove()
    yield qapp
    remove()
    QLocale.setDefault(locale)


def _button_texts(box: QDialogButtonBox) -> dict[str, str]:
    return {box.standardButton(b).name: b.text() for b in box.buttons()}


def _standard_box() -> QDialogButtonBox:
    Button = QDialogButtonBox.StandardButton
    return QDialogButtonBox(Button.Ok | Button.Cancel | Button.Close | Button.Save)


def test_without_the_catalogue_qt_speaks_english(bare_app: QApplication) -> None:
    # What the operators saw before: the test below would fail without the install.
    assert _button_texts(_standard_box())["Cancel"] == "Cancel"


def test_standard_buttons_and_menus_are_japanese(bare_app: QApplication, qtbot: QtBot) -> None:
    from app.ui.team.settings_dialog import SharedDatabaseDialog, TeamValues

    translator = install_qt_japanese(bare_app)
    assert translator is not None
    assert install_qt_japanese(bare_app) is translator  # once only
    assert len(_ours(bare_app)) == 2
    assert QLocale().language() is QLocale.Language.Japanese

    assert _button_texts(_standard_box()) == {
        "Ok": "OK",
        "Cancel": "キャンセル",
        "Close": "閉じる",
        "Save": "保存",
    }
    box = QMessageBox()
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert sorted(b.text() for b in box.buttons()) == ["いいえ(&N)", "はい(&Y)"]

    for edit in (QLineEdit(), QPlainTextEdit()):
        menu = edit.createStandardContextMenu()
        texts = [a.text().split("\t")[0] for a in menu.actions() if a.text()]
        assert texts == [
            "元に戻す(&U)",
            "やり直す(&R)",
            "切り取り(&T)",
            "コピー(&C)",
            "貼り付け(&P)",
            "削除",
            "すべてを選択",
        ]

    files = QFileDialog()
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    assert files.labelText(QFileDialog.DialogLabel.LookIn) == "場所(&L):"
    assert files.labelText(QFileDialog.DialogLabel.FileType) == "ファイルの種類(&T):"
    assert files.labelText(QFileDialog.DialogLabel.Accept) == "開く(&O)"

    # One of our dialogs that leaves its standard buttons to Qt.
    dialog = SharedDatabaseDialog(TeamValues(), password_stored=False)
    qtbot.addWidget(dialog)
    assert sorted(b.text() for b in dialog.buttons.buttons()) == ["キャンセル", "保存"]
