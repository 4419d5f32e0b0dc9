"""Secrets written to the OS keyring by a job while the dialog that saves them waits.

A keyring write may wait for seconds, like a read (the Secret Service asking to unlock, D-Bus
giving up after 25 s): on the GUI thread it froze the window. ``write_while_waiting`` runs the
writes in a job and waits for it in a local event loop, so the window and the dialog keep
painting, and returns the keyring's refusal (SecretsUnwritableError, Japanese) for the dialog to
show while it stays open with what the operator typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QLabel, QWidget

from app.core.errors import TodokuError
from app.core.storage.secrets import SecretStore, write_secrets
from app.ui.workers import Job, JobRunner


def write_while_waiting(
    runner: JobRunner, store: SecretStore, changes: Mapping[str, str]
) -> TodokuError | None:
    """Write ``changes`` (name: value, "" removes) in a job; None once all are written, else
    the error that stopped them. Returns only when the job has ended."""
    if not changes:
        return None
    values = dict(changes)
    outcome: list[TodokuError] = []
    ended: list[bool] = []
    loop = QEventLoop()
    job = Job("secret-write", lambda **_: write_secrets(store, values))
    job.signals.failed.connect(outcome.append)

    def on_finished() -> None:
        ended.append(True)
        loop.quit()

    job.signals.finished.connect(on_finished)
    runner.start(job)
    if not ended:
        loop.exec()
    return outcome[0] if outcome else None


def save_showing_progress(
    label: QLabel, buttons: QWidget, saving_ja: str, write: Callable[[], TodokuError | None]
) -> bool:
    """Run ``write`` (a ``write_while_waiting`` call) with ``buttons`` disabled and
    ``saving_ja`` in ``label``. True when it wrote (the label is hidden again); else the
    keyring's refusal stays in ``label`` in red, for a dialog that remains open as typed."""
    buttons.setEnabled(False)
    label.setStyleSheet("color: #555;")
    label.setText(saving_ja)
    label.setVisible(True)
    try:
        error = write()
    finally:
        buttons.setEnabled(True)
    if error is None:
        label.setVisible(False)
        return True
    label.setStyleSheet("color: #c62828;")
    label.setText(error.user_text().strip())
    return False
