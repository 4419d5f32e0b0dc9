"""Folder import, de-duplication, problems, verdicts per source, reporter/day views, advice."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.dmarc.analysis import DmarcAnalysis
from app.core.dmarc.model import AuthResult, PublishedPolicy, ReportRecord
from app.core.dmarc.policy_advice import policy_advice_ja
from app.core.dmarc.report_parser import PatternTable, parse_report
from app.core.dmarc.service import analyse_reports
from app.core.dmarc.verdict import Verdict, aligned, judge_record, organizational_domain
from app.core.errors import CancelledError
from app.sandbox.dmarc_reports import generate_reports, pack, write_report_files


def _record(**overrides: object) -> ReportRecord:
    values: dict[str, object] = {
        "source_ip": "192.0.2.1",
        "messages": 5,
        "disposition": "none",
        "dkim_aligned": "fail",
        "spf_aligned": "fail",
        "reasons": (),
        "header_from": "example.co.jp",
        "envelope_from": "",
        "dkim_results": (),
        "spf_results": (),
    }
    values.update(overrides)
    return ReportRecord(**values)  # type: ignore[arg-type]


def dkim(domain: str, result: str) -> AuthResult:
    return AuthResult("dkim", domain, result)


def spf(domain: str, result: str) -> AuthResult:
    return AuthResult("spf", domain, result)


@pytest.mark.parametrize(
    ("record", "verdict", "service"),
    [
        (
            _record(dkim_aligned="pass", spf_results=(spf("fwd.example.ac.jp", "pass"),)),
            Verdict.OK,
            "",
        ),
        (_record(spf_aligned="pass"), Verdict.OK, ""),
        (_record(reasons=("forwarded",)), Verdict.FORWARDED, ""),
        (_record(dkim_results=(dkim("mail.example.co.jp", "fail"),)), Verdict.FORWARDED, ""),
        (
            _record(
                dkim_results=(dkim("sendgrid.net", "pass"),),
                spf_results=(spf("sendgrid.net", "pass"),),
            ),
            Verdict.MISCONFIGURED,
            "SendGrid",
        ),
        (
            _record(spf_results=(spf("bounce.unknown-esp.example", "pass"),)),
            Verdict.MISCONFIGURED,
            "",
        ),
        (_record(spf_results=(spf("example.co.jp", "fail"),)), Verdict.SPOOFED, ""),
        (
            _record(
                dkim_results=(dkim("evil.example", "fail"),),
                spf_results=(spf("evil.example", "softfail"),),
            ),
            Verdict.SPOOFED,
            "",
        ),
    ],
)
def test_record_verdicts(record: ReportRecord, verdict: Verdict, service: str) -> None:
    judged = judge_record(record, "example.co.jp")
    assert (judged.verdict, judged.service) == (verdict, service)


def test_relaxed_alignment_uses_the_organizational_domain() -> None:
    assert organizational_domain("mail.news.example.co.jp") == "example.co.jp"
    assert organizational_domain("a.b.example.com") == "example.com"
    assert aligned("em123.example.co.jp", "example.co.jp")
    assert not aligned("em123.example.co.jp", "example.co.jp", "s")
    assert not aligned("other.co.jp", "example.co.jp")


def _write(folder: Path, count: int = 10, seed: int = 17) -> list[Path]:
    return write_report_files(folder, generate_reports(count, seed=seed))


def test_folder_import_views_and_duplicates(tmp_path: Path) -> None:
    paths = _write(tmp_path / "reports")
    # The same report saved again under another name (and packed differently) counts once.
    reports = list(generate_reports(10))
    _, data = pack(reports[3], "gz")
    (tmp_path / "reports" / "copy-without-suffix").write_bytes(data)
    (tmp_path / "reports" / "broken.xml").write_bytes(b"<feedback>")
    (tmp_path / "reports" / "notes.txt").write_text("not a report")  # not listed, not read
    result = analyse_reports(paths=[tmp_path / "reports"])
    assert result.reports == 10 and result.duplicates == 1
    assert [problem.origin.rsplit("/", 1)[-1] for problem in result.problems] == ["broken.xml"]
    assert len(paths) == 10
    verdicts = {source.source_ip: source.verdict for source in result.sources}
    assert verdicts["192.0.2.10"] is Verdict.OK
    assert verdicts["198.51.100.20"] is Verdict.OK  # SendGrid with domain authentication
    assert verdicts["198.51.100.21"] is Verdict.MISCONFIGURED
    assert verdicts["203.0.113.41"] is Verdict.FORWARDED
    assert verdicts["203.0.113.66"] is Verdict.SPOOFED
    unauthenticated = next(s for s in result.sources if s.source_ip == "198.51.100.21")
    assert unauthenticated.verdict_ja == "認証の設定漏れ（例: SendGrid のドメイン認証が未設定）"
    assert "Sender Authentication" in unauthenticated.advice_ja
    assert result.sources[0].fails_alignment and not result.sources[-1].fails_alignment
    assert {r.org_name for r in result.reporters} == {
        "google.com",
        "Enterprise Outlook",
        "Yahoo",
        "docomo.ne.jp",
        "KDDI",
    }
    assert sum(r.messages for r in result.reporters) == result.messages
    assert sum(d.messages for d in result.days) == result.messages
    assert [d.reports for d in result.days] == [5, 5]
    assert dict(result.schemas) == {"rfc7489": 6, "rfc9990": 4}


def test_a_missing_path_is_listed_and_the_rest_goes_on(tmp_path: Path) -> None:
    paths = _write(tmp_path, 2)
    result = analyse_reports(paths=[tmp_path / "nope.xml", *paths])
    assert result.reports == 2
    assert result.problems[0].reason_ja == "ファイルまたはフォルダが見つかりません。"


def test_gzip_bomb_in_a_folder_is_listed_not_fatal(tmp_path: Path) -> None:
    _write(tmp_path, 2)
    (tmp_path / "bomb.xml.gz").write_bytes(gzip.compress(b" " * (70 * 1024 * 1024)))
    result = analyse_reports(paths=[tmp_path])
    assert result.reports == 2
    (problem,) = result.problems
    assert "圧縮爆弾" in problem.reason_ja


def test_cancel_stops_the_import(tmp_path: Path) -> None:
    _write(tmp_path, 3)
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        analyse_reports(paths=[tmp_path], cancel=token)


def test_advice_moves_the_policy_step_by_step(tmp_path: Path) -> None:
    result = analyse_reports(paths=_write(tmp_path, 5))
    none_policy = PublishedPolicy("example.co.jp", "none")
    advice = policy_advice_ja(none_policy, result)
    assert "SendGrid" in advice[0]  # fix the legitimate source before tightening
    assert any("p=none のまま" in step for step in advice)
    clean = DmarcAnalysis().result()  # nothing failing: ready for the next step
    assert any("p=quarantine に進めましょう" in s for s in policy_advice_ja(none_policy, clean))
    quarantine = PublishedPolicy("example.co.jp", "quarantine", pct=50)
    steps = policy_advice_ja(quarantine, clean)
    assert any("p=reject に進めましょう" in s for s in steps)
    assert any("pct=50" in s for s in steps)
    assert "DMARC レコードが見つかりません" in policy_advice_ja(None, clean)[0]


def test_a_full_pattern_table_starts_again_without_changing_the_result() -> None:
    # Records share one pattern object per distinct result; when the bounded table starts
    # again, equal patterns arrive as new objects and must still be counted together.
    reports = list(generate_reports(15, seed=3, extra_spoof_records=40))

    def analyse(table: PatternTable) -> object:
        analysis = DmarcAnalysis()
        for report in reports:
            analysis.add(parse_report(report.xml, report.file_name, table))
        return analysis.result()

    small = PatternTable(max_patterns=2)
    assert analyse(small) == analyse(PatternTable())
    assert len(small) <= 2
