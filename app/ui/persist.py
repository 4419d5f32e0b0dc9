"""What the app remembers: the operator's settings (SettingsKeeper, settings.json) and the
QSettings comfort state (UiState: window geometry, splitter and column widths, last range and
lists)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QSettings, QStandardPaths, Signal

from app.core.dates import Preset
from app.core.errors import TodokuError
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.types import ALL_LISTS, ListKind

if TYPE_CHECKING:
    from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

ORGANIZATION = "Todoku"
APPLICATION = "Todoku"


class SettingsKeeper(QObject):
    """The current settings, shared by the features that read them; ``store`` writes them.

    Signals:
        store_failed: TodokuError, the settings file could not be written.
    """

    store_failed = Signal(object)

    def __init__(self, store: SettingsStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = store.path
        self._store = store
        self.current: AppSettings = store.load()
        # A settings.json that was there but unusable: shown once at start (the defaults rule).
        self.load_problem: TodokuError | None = store.problem

    def store(self, settings: AppSettings) -> None:
        """Make ``settings`` current and write them; a write failure is reported, not raised."""
        self.current = settings
        try:
            self._store.save(settings)
        except OSError as error:
            self.store_failed.emit(
                TodokuError(
                    "設定を保存できませんでした。",
                    next_step_ja="保存先のフォルダーの空き容量や権限を確認してください。",
                    detail=f"{type(error).__name__}: {error}",
                )
            )


class UiState:
    """Reads and writes the comfort state; every read tolerates missing or garbled values."""

    def __init__(self, settings: QSettings | None = None) -> None:
        # INI on every OS (not the Windows registry): one readable file, and tests can redirect
        # it with QSettings.setPath(IniFormat, UserScope, tmp).
        self._settings = settings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )

    @property
    def file_name(self) -> str:
        return self._settings.fileName()

    # -- geometry -------------------------------------------------------------------------

    def save_widget(self, key: str, widget: QWidget) -> None:
        self._settings.setValue(f"geometry/{key}", widget.saveGeometry())

    def restore_widget(self, key: str, widget: QWidget) -> bool:
        value = self._settings.value(f"geometry/{key}")
        return isinstance(value, QByteArray) and widget.restoreGeometry(value)

    def save_splitter(self, key: str, splitter: QSplitter) -> None:
        self._settings.setValue(f"splitter/{key}", splitter.saveState())

    def restore_splitter(self, key: str, splitter: QSplitter) -> bool:
        value = self._settings.value(f"splitter/{key}")
        return isinstance(value, QByteArray) and splitter.restoreState(value)

    def save_header(self, key: str, header: QHeaderView) -> None:
        widths = [header.sectionSize(i) for i in range(header.count())]
        self._settings.setValue(f"columns/{key}", ",".join(str(w) for w in widths))

    def restore_header(self, key: str, header: QHeaderView) -> bool:
        # Plain widths instead of saveState(): the latter also restores the sort indicator,
        # which would claim an order the freshly loaded rows do not have.
        value = self._settings.value(f"columns/{key}")
        if not isinstance(value, str):
            return False
        try:
            widths = [int(part) for part in value.split(",")]
        except ValueError:
            return False
        if len(widths) != header.count():
            return False
        for section, width in enumerate(widths):
            if 0 < width < 4000:
                header.resizeSection(section, width)
        return True

    # -- last range and lists ---------------------------------------------------------------

    def save_range(self, preset: Preset | None, start: date, end: date) -> None:
        self._settings.setValue("range/preset", preset.value if preset else "")
        self._settings.setValue("range/start", start.isoformat())
        self._settings.setValue("range/end", end.isoformat())

    def last_range(self) -> tuple[Preset | None, date | None, date | None]:
        preset_text = self._settings.value("range/preset", "")
        try:
            preset = Preset(preset_text) if isinstance(preset_text, str) and preset_text else None
        except ValueError:
            preset = None
        return preset, self._date("range/start"), self._date("range/end")

    def _date(self, key: str) -> date | None:
        value = self._settings.value(key, "")
        try:
            return date.fromisoformat(value) if isinstance(value, str) and value else None
        except ValueError:
            return None

    def save_lists(self, lists: tuple[ListKind, ...]) -> None:
        self._settings.setValue("lists/chosen", ",".join(kind.value for kind in lists) or "-")

    def last_lists(self) -> tuple[ListKind, ...]:
        value = self._settings.value("lists/chosen", "")
        if not isinstance(value, str) or not value:
            return ALL_LISTS
        chosen = []
        for part in value.split(","):
            try:
                chosen.append(ListKind.parse(part))
            except ValueError:
                continue
        return tuple(chosen)

    # -- export folder ----------------------------------------------------------------------

    def last_export_folder(self) -> Path:
        """Where the last export went, if that folder still exists; else Documents or home."""
        value = self._settings.value("export/folder", "")
        if isinstance(value, str) and value and Path(value).is_dir():
            return Path(value)
        # The OS's own Documents folder (redirected or localised on some Windows PCs).
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        if documents and Path(documents).is_dir():
            return Path(documents)
        return Path.home()

    def save_export_folder(self, folder: Path) -> None:
        self._settings.setValue("export/folder", str(folder))

    def sync(self) -> None:
        self._settings.sync()
