"""The app's settings.json as todoku-cli commands read it: never silently replaced by defaults.

The window starts on the defaults when the file is damaged and says so; a command has no window
to say it in, and would quietly act with another account, journal, webhook or sender than the
operator set up. So every command that reads the file refuses when it is there but unusable.
"""

from __future__ import annotations

from pathlib import Path

from app.core.storage.settings import AppSettings, SettingsStore


def load_cli_settings(path: Path | None = None) -> AppSettings:
    """The settings in ``path`` (default: the app's settings.json); defaults when there is no
    file yet. Raises SettingsFileError (Japanese, naming the file) when it cannot be used."""
    if path is None:
        from app.paths import user_paths

        path = user_paths().settings_file
    store = SettingsStore(path, command=True)
    settings = store.load()
    if store.problem is not None:
        raise store.problem
    return settings
