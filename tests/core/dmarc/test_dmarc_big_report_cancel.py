"""キャンセル inside one large report: a legitimately shaped report with a record per address
(up to 160,000 within the 64 MiB limit) took most of a minute to read, and the cancel was
looked at only between files. Now it is looked at while the document is parsed and while the
sources are aggregated; a cancelled import returns nothing, never the records read so far."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.dmarc.analysis import DmarcAnalysis
from app.core.dmarc.importer import ReportImporter
from app.core.dmarc.report_parser import parse_report
from app.core.dmarc.service import analyse_reports
from app.core.errors import CancelledError
from app.sandbox.dmarc_reports import many_sources_report_xml


@pytest.fixture(scope="module")
def big_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big-receiver.example!example.co.jp.xml"
    path.write_bytes(many_sources_report_xml(60_000))  # ~24 MB: seconds to read
    return path


class _CancelAfterLooks(CancelToken):
    """Cancels itself at its ``looks``-th look: deterministic 'the operator clicked
    キャンセル while this file was being read', whatever the machine's speed."""

    def __init__(self, looks: int) -> None:
        super().__init__()
        self.looks_left = looks
        self.looks = 0

    def raise_if_cancelled(self) -> None:
        self.looks += 1
        self.looks_left -= 1
        if self.looks_left == 0:
            self.cancel()
        super().raise_if_cancelled()


def test_the_cancel_is_looked_at_inside_one_file(big_report: Path):
    # Before, the only look was before the first file: the import then ran to its end and
    # returned the whole report as if nothing had been asked.
    token = _CancelAfterLooks(50)  # ~50 pieces of 8 KiB into a 24 MB document
    with pytest.raises(CancelledError):
        analyse_reports(paths=[big_report], cancel=token)
    assert token.looks == 50


class _LooksAfterCancel(CancelToken):
    """Counts the looks made once it is cancelled (the first one should end the work)."""

    def __init__(self) -> None:
        super().__init__()
        self.looks_after_cancel = 0

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            self.looks_after_cancel += 1
        super().raise_if_cancelled()


def test_a_cancel_while_a_big_file_is_read_ends_the_import_at_the_next_piece(big_report: Path):
    token = _LooksAfterCancel()
    read: list[int] = []

    def progress(done: int, _size: int) -> None:
        read.append(done)
        if len(read) == 1:
            token.cancel()  # キャンセル pressed 2 MiB into the 24 MB document

    with pytest.raises(CancelledError):
        analyse_reports(paths=[big_report], cancel=token, document_progress=progress)
    # Counted, not timed: the very next look (the next 8 KiB piece) ended the import; the
    # rest of the document was never read.
    assert token.looks_after_cancel == 1
    assert read == [2 * 1024 * 1024]


def test_a_cancelled_parse_hands_out_no_report(big_report: Path):
    importer = ReportImporter(cancel=_CancelAfterLooks(100))
    reports = []
    with pytest.raises(CancelledError):
        reports.extend(importer.read_paths([big_report]))
    assert reports == []  # nothing half-read counts as read
    assert importer.reports_read == 0 and importer.problems == []


def test_the_cancel_is_looked_at_while_sources_are_aggregated(big_report: Path):
    report = parse_report(big_report.read_bytes(), big_report.name)
    assert len(report.rows) == 60_000
    adding = DmarcAnalysis(cancel=_CancelAfterLooks(3))
    with pytest.raises(CancelledError):
        adding.add(report)
    analysis = DmarcAnalysis()
    analysis.add(report)
    analysis._cancel = _CancelAfterLooks(3)  # set after the adding: the views are cut short
    with pytest.raises(CancelledError):
        analysis.result()


def test_without_a_cancel_the_big_report_is_read_whole(big_report: Path):
    result = analyse_reports(paths=[big_report], cancel=CancelToken())
    assert result.reports == 1 and not result.problems
    assert len(result.sources) == 60_000
    assert all(source.messages >= 1 and source.dmarc_pass == 0 for source in result.sources)
    assert {source.verdict_ja for source in result.sources} == {"なりすましの疑い"}


def test_sources_with_one_pattern_get_the_same_view_as_by_the_counters():
    # Most sources of a big report carry one result pattern; their view is the pattern's
    # one-message view scaled by their count. It must equal what the counters build.
    import copy

    from app.core.dmarc import analysis as analysis_module
    from app.sandbox.dmarc_reports import generate_reports

    reports = []
    importer = ReportImporter()
    generated_reports = [
        *generate_reports(8, extra_spoof_records=40),
        # the same sources with other dispositions: sources with several patterns
        *generate_reports(4, seed=3, policy="quarantine"),
    ]
    for generated in generated_reports:
        xml = generated.xml.replace(b"<count>3</count>", b"<count>0</count>", 1)
        reports.append(parse_report(xml, generated.file_name, importer._patterns))
    analysis = DmarcAnalysis().add_all(reports)
    by_counters = copy.deepcopy(analysis)
    single = sum(1 for totals in analysis._sources.values() if len(totals.patterns) == 1)
    assert 0 < single < len(analysis._sources)  # both paths are taken
    expected = {
        key: analysis_module._source_view(
            key, totals, totals.fold_all(by_counters._judge_for(key[1]))
        )
        for key, totals in by_counters._sources.items()
    }
    got = {(view.source_ip, view.header_from): view for view in analysis.result().sources}
    assert got == expected
