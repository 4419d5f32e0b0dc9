"""ExportController: the 書き出し dialog, then Excel/CSV writing in a job with row progress."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from app import __version__
from app.core.cancel import CancelToken
from app.core.errors import CancelledError, TodokuError
from app.core.storage.secrets import mask_secret
from app.core.types import DateRange, Explanation, ListKind, SuppressionEntry
from app.ui import texts
from app.ui.feature import FeatureController
from app.ui.workers import JobRunner

if TYPE_CHECKING:
    from app.core.export.columns import ExportRow
    from app.core.export.context import ExportContext, ExportScope
    from app.core.export.incomplete import IncompleteFetch, ListCoverage
    from app.core.export.summary import ExportSummary
    from app.core.services import ConnectionConfig
    from app.ui.export.options_dialog import ExportChoice, ExportOptionsDialog
    from app.ui.models.entry_table import EntryTableModel

log = logging.getLogger(__name__)

# run(dialog) -> the operator's choice, or None when the dialog was cancelled
ExportDialogRunner = Callable[["ExportOptionsDialog"], "ExportChoice | None"]


def exec_export_dialog(dialog: ExportOptionsDialog) -> ExportChoice | None:
    return dialog.choice if dialog.exec() == dialog.DialogCode.Accepted else None


class RowSnapshot(Sequence["ExportRow"]):
    """The rows to export, frozen at the moment the operator chose them.

    Holds the model's storage lists and a copy of the chosen row ids; ExportRow objects are made
    one at a time while the job writes (on the job thread), so the GUI thread only copies the
    lists — building a million dataclasses there would freeze the window ~1 s.
    The export modules are imported here, not at the top: their column table loads the rule
    engine, which start-up does not need.
    """

    def __init__(
        self,
        entries: Sequence[SuppressionEntry],
        explanations: Sequence[Explanation | None],
        ids: Sequence[int] | None,
        marks: Mapping[tuple[ListKind, str], str] | None = None,
    ) -> None:
        self._entries = entries
        self._explanations = explanations
        self._ids = ids
        self._marks = marks or {}

    def __len__(self) -> int:
        return len(self._entries) if self._ids is None else len(self._ids)

    @overload
    def __getitem__(self, index: int) -> ExportRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ExportRow]: ...

    def __getitem__(self, index: int | slice) -> ExportRow | Sequence[ExportRow]:
        from app.core.export.columns import ExportRow

        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        row_id = index if self._ids is None else self._ids[index]
        entry = self._entries[row_id]
        return ExportRow(entry, self._explanations[row_id], self._marks.get(entry.key, ""))

    def coverage(self, lists: Sequence[ListKind]) -> tuple[ListCoverage, ...]:
        """Rows and JST days per list over every row of the grid (not only the exported ones:
        a filter must not read as a list that was never fetched). Whole columns where the rows
        are an ``EntryRows`` (stored history rows are not decoded)."""
        from app.core.export.incomplete import coverage_of

        entries: Any = self._entries
        if hasattr(entries, "list_kinds") and hasattr(entries, "created_seconds"):
            kinds, seconds = entries.list_kinds(), entries.created_seconds()
        else:
            kinds = [entry.list_kind for entry in self._entries]
            seconds = [int(entry.created.timestamp()) for entry in self._entries]
        return coverage_of(lists, kinds, seconds)

    def __iter__(self) -> Iterator[ExportRow]:
        from app.core.export.columns import ExportRow

        entries, explanations, marks = self._entries, self._explanations, self._marks
        ids = range(len(entries)) if self._ids is None else self._ids
        for row_id in ids:
            entry = entries[row_id]
            yield ExportRow(entry, explanations[row_id], marks.get(entry.key, "") if marks else "")


def snapshot_rows(model: EntryTableModel, scope: ExportScope) -> RowSnapshot:
    """The rows of ``scope`` ("filtered": visible rows in view order; "all": every row in
    arrival order), read from the model's storage, never by formatting cells. A fetch (the
    only thing that appends rows) cannot run during an export."""
    return RowSnapshot(*model.snapshot(shown_only=scope == "filtered"), model.history_marks())


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """Everything the job needs; built on the GUI thread."""

    rows: RowSnapshot
    context: ExportContext
    path: Path
    fmt: str


def run_export(
    request: ExportRequest,
    *,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
) -> ExportSummary:
    """``export_xlsx``/``export_csv`` with the job calling convention (imports them lazily:
    openpyxl is heavy and only needed now)."""
    del on_page

    def rows_done(done: int, total: int) -> None:
        if progress is not None:
            progress((done, total))

    context = request.context
    if context.incomplete is not None:
        coverage = request.rows.coverage(context.lists)
        context = dataclasses.replace(
            context, incomplete=context.incomplete.with_coverage(coverage)
        )
    if request.fmt == "csv":
        from app.core.export.csv_export import export_csv as exporter
    else:
        from app.core.export.excel import export_xlsx as exporter
    return exporter(request.rows, context, request.path, progress=rows_done, cancel=cancel)


class ExportController(FeatureController):
    """Runs one export job at a time (the runner's exclusive lane).

    Signals:
        running / progress / done / failed: see FeatureController.
    """

    CANCELLING = texts.EXPORT_CANCELLING

    def __init__(
        self,
        runner: JobRunner,
        model: EntryTableModel,
        *,
        fetched_connection: Callable[[], ConnectionConfig | None],
        fetch_incomplete: Callable[[], IncompleteFetch | None] = lambda: None,
        run_dialog: ExportDialogRunner = exec_export_dialog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._model = model
        self._fetched_connection = fetched_connection  # the account the rows came from
        self._fetch_incomplete = fetch_incomplete  # did that fetch stop before its end?
        self._exporting: ExportRequest | None = None
        self._run_dialog = run_dialog
        self.last_summary: ExportSummary | None = None

    def ask(
        self,
        *,
        date_range: DateRange,
        last_folder: Path,
        parent: QWidget | None = None,
    ) -> ExportChoice | None:
        """Run the options dialog for the current grid; None when cancelled."""
        from app.ui.export.options_dialog import ExportOptionsDialog

        model = self._model
        dialog = ExportOptionsDialog(
            date_range=date_range,
            total_rows=model.total,
            shown_rows=model.rowCount(),
            last_folder=last_folder,
            incomplete=self._fetch_incomplete(),
            parent=parent,
        )
        try:
            return self._run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def start(
        self,
        choice: ExportChoice,
        *,
        date_range: DateRange,
        lists: tuple[ListKind, ...],
        filter_description: str,
    ) -> bool:
        """Write the chosen rows in a job; False when nothing was started."""
        from app.core.export.context import ExportContext

        if self.runner.exclusive_busy or self._model.total == 0:
            return False
        scope: ExportScope = "filtered" if choice.scope == "filtered" else "all"
        config = self._fetched_connection()
        if config is not None and config.account_label:  # another account: provider and name
            account, subuser, region = config.account_label, config.subuser, config.region
        elif config is None or config.practice:
            account, subuser, region = texts.ACCOUNT_PRACTICE, "", ""
        else:
            account = texts.ACCOUNT_LIVE.format(masked=mask_secret(config.api_key))
            subuser, region = config.subuser, config.region
        context = ExportContext(
            date_range=date_range,
            account_label=account,
            subuser=subuser,
            region=region,
            lists=lists,
            filter_description=filter_description if scope == "filtered" else "",
            exported_at=datetime.now().astimezone(),
            app_version=__version__,
            scope=scope,
            incomplete=self._fetch_incomplete(),
        )
        request = ExportRequest(snapshot_rows(self._model, scope), context, choice.path, choice.fmt)
        self.last_summary = None
        self._exporting = request
        log.info("export %s (%s, %d rows)", choice.fmt, scope, len(request.rows))
        first_line = texts.EXPORTING.format(done=0, total=len(request.rows))
        return self.run("export", lambda **kwargs: run_export(request, **kwargs), first_line)

    @Slot(object)
    def on_progress(self, progress: Any) -> None:
        if self.job is None or self.job.cancel.cancelled:
            return
        done, total = progress
        self.progress.emit(texts.EXPORTING.format(done=done, total=total))

    @Slot(object)
    def on_succeeded(self, summary: ExportSummary) -> None:
        self.last_summary = summary
        request, self._exporting = self._exporting, None
        if request is not None and request.context.incomplete is not None:
            where = (
                texts.EXPORT_INCOMPLETE_CSV
                if request.fmt == "csv"
                else texts.EXPORT_INCOMPLETE_XLSX
            )
            line = texts.EXPORT_DONE_INCOMPLETE.format(
                rows=summary.row_count, where=where, path=summary.path
            )
        else:
            line = texts.EXPORT_DONE.format(rows=summary.row_count, path=summary.path)
        self.done.emit(line)

    def on_finished(self) -> None:
        self._exporting = None  # its snapshot holds a copy of every row

    @Slot(object)
    def on_failed(self, error: TodokuError) -> None:
        if isinstance(error, CancelledError):
            self.done.emit(texts.EXPORT_CANCELLED)
            return
        log.warning("export failed: %s: %s", type(error).__name__, error.message_ja)
        super().on_failed(error)
