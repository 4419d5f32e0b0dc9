"""Read reports from files, folders and raw blobs: unpack, parse, de-duplicate, list bad files.

The importer is a generator: reports are handed out one at a time so a caller that aggregates
them (``analysis.DmarcAnalysis``) keeps memory flat however many reports there are. A file that
cannot be read becomes an ``ImportProblem`` with a Japanese reason and the batch goes on.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.dmarc.archive import DEFAULT_LIMITS, GZIP_MAGIC, ZIP_MAGIC, UnpackLimits, unpack
from app.core.dmarc.errors import ReportFileError
from app.core.dmarc.model import AggregateReport, ImportProblem, ReportBlob
from app.core.dmarc.report_parser import DocumentProgress, PatternTable, parse_report

log = logging.getLogger(__name__)

FileProgress = Callable[[int, int], None]  # (inputs done, inputs in total; 0 = unknown)
REPORT_SUFFIXES = (".xml", ".gz", ".zip")


class ReportImporter:
    """Turns blobs into reports; remembers duplicates and problems across calls.

    Attributes:
        problems: files skipped, each with a Japanese reason.
        duplicates: reports skipped because reporter + report id was already read.
        reports_read: reports handed out.
    """

    def __init__(
        self,
        limits: UnpackLimits = DEFAULT_LIMITS,
        *,
        cancel: CancelToken | None = None,
        document_progress: DocumentProgress | None = None,
    ) -> None:
        self._limits = limits
        self._cancel = cancel  # also looked at inside a document, while it is parsed
        self._document_progress = document_progress  # how far into a large document
        self._seen: set[tuple[str, str]] = set()
        self._patterns = PatternTable()  # shared by every report of this import
        self.problems: list[ImportProblem] = []
        self.duplicates = 0
        self.reports_read = 0

    def read_blob(self, blob: ReportBlob) -> Iterator[AggregateReport]:
        """The new reports in ``blob`` (an XML file, a gzip, or a zip of several).

        Zip members are unpacked one at a time. When a member breaks a limit or is damaged,
        the members already read stay read and the file is listed with the reason.
        """
        documents = unpack(blob, self._limits)
        while True:
            try:
                document = next(documents)
            except StopIteration:
                return
            except ReportFileError as error:
                self._problem(blob.origin, error)
                return
            try:
                report = parse_report(
                    document.data,
                    document.origin,
                    self._patterns,
                    cancel=self._cancel,
                    progress=self._document_progress,
                )
            except ReportFileError as error:
                self._problem(document.origin, error)
                continue
            if report.key in self._seen:
                self.duplicates += 1
                continue
            self._seen.add(report.key)
            self.reports_read += 1
            yield report

    def read_blobs(
        self,
        blobs: Iterable[ReportBlob],
        *,
        total: int = 0,
        progress: FileProgress | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[AggregateReport]:
        if progress is not None and total:
            progress(0, total)  # the total before the first file, which may be large
        for done, blob in enumerate(blobs, 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            yield from self.read_blob(blob)
            if progress is not None:
                progress(done, total)

    def read_paths(
        self,
        paths: Sequence[Path],
        *,
        progress: FileProgress | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[AggregateReport]:
        """Reports from files and folders (folders are searched recursively)."""
        files = self.collect_files(paths)
        yield from self.read_blobs(
            self._file_blobs(files), total=len(files), progress=progress, cancel=cancel
        )

    def collect_files(self, paths: Sequence[Path]) -> list[Path]:
        """The files to read: given files as they are, report-looking files inside folders."""
        files: list[Path] = []
        for path in paths:
            path = Path(path)
            if path.is_dir():
                files.extend(_report_files_in(path))
            elif path.exists():  # a file, or something else that _file_blobs names
                files.append(path)
            else:
                self.problems.append(
                    ImportProblem(str(path), "ファイルまたはフォルダが見つかりません。")
                )
        return files

    def _file_blobs(self, files: Sequence[Path]) -> Iterator[ReportBlob]:
        for path in files:
            try:
                status = path.stat()
                size = status.st_size
                if not stat.S_ISREG(status.st_mode):
                    # A named pipe (or a device) named report.xml: reading it would wait for
                    # a writer that never comes, and the import would hang.
                    self.problems.append(
                        ImportProblem(str(path), "通常のファイルではないため読み込みませんでした。")
                    )
                    continue
                if size > self._limits.max_total_bytes:
                    self.problems.append(
                        ImportProblem(
                            str(path),
                            f"ファイルが大きすぎるため読み込みませんでした（{size:,} バイト）。",
                        )
                    )
                    continue
                data = path.read_bytes()
            except OSError as error:
                self.problems.append(
                    ImportProblem(
                        str(path),
                        "ファイルを開けませんでした（権限がないか、使用中の可能性があります）。",
                        detail=f"{type(error).__name__}: {error}",
                    )
                )
                continue
            yield ReportBlob(str(path), data, path)

    def _problem(self, origin: str, error: ReportFileError) -> None:
        log.info("dmarc: skipped %s: %s", origin, error.detail or error.message_ja)
        self.problems.append(ImportProblem(origin, error.message_ja, error.detail))


def _report_files_in(folder: Path) -> list[Path]:
    """Files under ``folder`` that look like reports: by suffix, or by their first bytes (a
    gzip saved without ``.gz``). Hidden files and other documents are left alone silently."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(root, name)
            if name.lower().endswith(REPORT_SUFFIXES) or _starts_like_report(path):
                found.append(path)
    return found


def _starts_like_report(path: Path) -> bool:
    if not path.is_file():
        return False  # a pipe or device cannot be peeked at without waiting on it
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError:
        return True  # listed, so the problem is reported rather than the file silently ignored
    return head.startswith((GZIP_MAGIC, ZIP_MAGIC, b"<?xml", b"\xef\xbb\xbf<", b"<feedback"))
