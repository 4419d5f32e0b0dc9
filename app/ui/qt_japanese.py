"""Qt's own texts in Japanese, whatever the OS locale: the operators read only Japanese.

Qt writes some texts itself: the standard buttons of QMessageBox and QDialogButtonBox (OK,
Cancel, Yes, No, Close, Save…), the context menu of line edits and text boxes (Undo, Cut, Copy,
Paste, Select All), QFileDialog, QColorDialog. Qt translates them with the catalogue
``qtbase_ja.qm`` that PySide6 ships in ``QLibraryInfo.path(TranslationsPath)``
(https://doc.qt.io/qt-6/internationalization.html, "Qt's own translations"). It must be
installed on the QApplication before the first widget is built: a button takes its text when
it is made (https://doc.qt.io/qt-6/qcoreapplication.html#installTranslator).

The catalogue is chosen by an explicit Japanese locale, not the OS one, and the default QLocale
is set to Japanese too, so dates and month names in Qt's dialogs follow.

Frozen builds: PyInstaller collects the catalogue into ``PySide6/Qt/translations`` beside the
Qt libraries and its runtime hook points Qt's prefix there, so ``QLibraryInfo`` finds it;
``packaging/todoku.spec`` keeps every ``*_ja.qm``. The folder next to the PySide6 package is
the fallback should ``QLibraryInfo`` say otherwise.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

CATALOGUE = "qtbase"  # qt_ja.qm is a meta-catalogue naming modules PySide6-Essentials lacks
TRANSLATOR_NAME = "todoku-qtbase-ja"
GAPS_NAME = "todoku-qtbase-ja-gaps"

# (context, source text) → Japanese, for the texts of the dialogs we open that qtbase_ja.qm
# (Qt 6.11) leaves in English: the two labels of Qt's own file dialog (the one Linux shows
# without a desktop portal; Windows and macOS show the OS's dialog).
GAPS: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "場所(&L):",
    ("QFileDialog", "Files of &type:"): "ファイルの種類(&T):",
}


class _Gaps(QTranslator):
    """Answers the few texts of GAPS; every other text falls through to the next catalogue.

    ``QTranslator.translate`` is virtual and Qt asks the translators installed last first;
    None (a null QString) means "not mine" (https://doc.qt.io/qt-6/qtranslator.html#translate).
    """

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        return GAPS.get((context, source))

    def isEmpty(self) -> bool:  # Qt asks it before translate
        return False


def japanese() -> QLocale:
    return QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)


def translation_folders() -> list[str]:
    """Where ``qtbase_ja.qm`` may be: Qt's own answer first, then beside the PySide6 package."""
    import PySide6

    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
    beside = str(Path(PySide6.__file__).resolve().parent / "Qt" / "translations")
    if beside not in folders:
        folders.append(beside)
    return folders


def installed_translator(app: QCoreApplication) -> QTranslator | None:
    return app.findChild(QTranslator, TRANSLATOR_NAME)


def install_qt_japanese(app: QCoreApplication) -> QTranslator | None:
    """Install the Japanese catalogue of Qt's own texts once; None (and a log line) if missing.

    The window still works without it, with Qt's English button texts.
    """
    QLocale.setDefault(japanese())
    existing = installed_translator(app)
    if existing is not None:
        return existing
    translator = QTranslator(app)
    for folder in translation_folders():
        if translator.load(japanese(), CATALOGUE, "_", folder):
            translator.setObjectName(TRANSLATOR_NAME)
            app.installTranslator(translator)
            gaps = _Gaps(app)
            gaps.setObjectName(GAPS_NAME)
            app.installTranslator(gaps)  # after: asked first
            return translator
    log.warning("Qt's Japanese texts (%s_ja.qm) not found in %s", CATALOGUE, translation_folders())
    translator.deleteLater()
    return None
