"""The main controller's parts that stay invisible until used: deletion, the delivery
overview, export and AI refinement.

Each is built on first use, so its module and dialogs load after the window appears (the window
builds them all in the pass after its first paint). Whoever needs a part's signals wires them
with ``when_built``, whichever comes first: the wiring or the part.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.storage.journal import DeletionJournal
    from app.ui.ai.controller import LlmController, LlmSandboxFactory
    from app.ui.controller import MainController
    from app.ui.delete.controller import (
        ConfirmFunction,
        DeletionController,
        HistoryRunner,
        ResultRunner,
    )
    from app.ui.delivery.controller import DeliveryController
    from app.ui.export.controller import ExportController, ExportDialogRunner

PART_NAMES = ("deletion", "delivery", "export", "llm")


class ControllerParts:
    """Builds and holds the four parts of one MainController. The dialog runners and the LLM
    sandbox factory default to the real ones (tests pass their own)."""

    def __init__(
        self,
        host: MainController,
        *,
        data_dir: Path,
        journal: DeletionJournal | None = None,
        journal_path: Path | None = None,
        confirm: ConfirmFunction | None = None,
        show_delete_result: ResultRunner | None = None,
        run_history_dialog: HistoryRunner | None = None,
        run_export_dialog: ExportDialogRunner | None = None,
        llm_sandbox_factory: LlmSandboxFactory | None = None,
    ) -> None:
        self._host = host
        self._data_dir = data_dir
        self._journal, self._journal_path = journal, journal_path
        self._confirm, self._show_delete_result = confirm, show_delete_result
        self._run_history_dialog, self._run_export_dialog = run_history_dialog, run_export_dialog
        self._llm_sandbox_factory = llm_sandbox_factory
        self._built: dict[str, Any] = {}
        self._wiring: dict[str, list[Callable[[Any], None]]] = {}

    def built(self, name: str) -> Any | None:
        """The part named ``name`` if it exists already (never builds it)."""
        return self._built.get(name)

    def when_built(self, name: str, wire: Callable[[Any], None]) -> None:
        """Call ``wire`` with the part ``name`` once it exists: now if it does, else right
        after it is built."""
        part = self._built.get(name)
        if part is not None:
            wire(part)
        else:
            self._wiring.setdefault(name, []).append(wire)

    def build_all(self) -> None:
        for name in PART_NAMES:
            getattr(self, name)

    def deletion_available(self) -> bool:
        """A journal is open, or will be (as ``DeletionController.available``, without
        building that part just to ask)."""
        deletion = self._built.get("deletion")
        if deletion is not None:
            return bool(deletion.available)
        return self._journal is not None or self._journal_path is not None

    @property
    def deletion(self) -> DeletionController:
        part = self._built.get("deletion")
        if part is None:
            from app.ui.delete import controller as module

            part = self._add(
                "deletion",
                module.DeletionController(
                    self._host,
                    self._journal,
                    journal_path=self._journal_path,
                    confirm=self._confirm or module.ask_confirmation,
                    show_result=self._show_delete_result or module.show_result_dialog,
                    run_history=self._run_history_dialog or module.exec_history_dialog,
                ),
            )
        return part

    @property
    def delivery(self) -> DeliveryController:
        part = self._built.get("delivery")
        if part is None:
            from app.ui.delivery.controller import DeliveryController

            part = self._add("delivery", DeliveryController(self._host.runner, self._host))
        return part

    @property
    def export(self) -> ExportController:
        part = self._built.get("export")
        if part is None:
            from app.ui.export import controller as module

            run_dialog = self._run_export_dialog or module.exec_export_dialog
            part = self._add("export", module.ExportController(self._host, run_dialog=run_dialog))
        return part

    @property
    def llm(self) -> LlmController:
        part = self._built.get("llm")
        if part is None:
            from app.ui.ai import controller as module

            part = self._add(
                "llm",
                module.LlmController(
                    self._host,
                    cache_path=self._data_dir / module.CACHE_FILE,
                    sandbox_factory=self._llm_sandbox_factory or module.practice_llm_sandbox,
                ),
            )
        return part

    def _add(self, name: str, part: Any) -> Any:
        self._built[name] = part
        for wire in self._wiring.pop(name, ()):
            wire(part)
        return part
