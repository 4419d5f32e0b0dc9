"""The DNS check asks about names taken from reports anyone can send: a stranger's reports
may name hundreds of domains and sending IPs, and the servers answering for those names may
answer slowly on purpose. The check must ask about a bounded number of names, stop asking once
its time is spent, and stop at once when the operator cancels. DNS goes to the loopback
imitation (app/sandbox/dns_server.py).

Nothing here is timed: a slow server is a pass clock that moves a quarter second with each
question answered (a server answering every query just inside its timeout, without the
waiting), and the cancel is pressed at a known question. What is checked is what was asked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.dmarc.dns_check import (
    NO_PTR_NOTE_JA,
    TIME_UP_NOTE_JA,
    make_resolver,
    resolve_sources,
)
from app.core.dmarc.service import analyse_reports, check_published_records
from app.core.errors import CancelledError
from app.sandbox.dmarc_reports import generate_reports, write_report_files
from app.sandbox.dns_server import DnsSandbox


def many_domains(folder: Path, count: int) -> Path:
    """One report each for ``count`` made-up domains (as a flood of strangers' reports)."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        write_report_files(folder, generate_reports(1, domain=f"d{index:03}.example", seed=index))
    return folder


def many_sources(folder: Path) -> Path:
    write_report_files(folder, generate_reports(1, extra_spoof_records=150))
    return folder


@pytest.fixture
def fast_dns() -> Iterator[DnsSandbox]:
    server = DnsSandbox({}).start()
    yield server
    server.stop()


def quarter_second_per_question(server: DnsSandbox) -> Callable[[], float]:
    """A pass clock that each question ``server`` answers moves on by 0.25 s."""
    return lambda: 0.25 * len(server.questions)


def cancelled_at_question(number: int) -> tuple[DnsSandbox, CancelToken]:
    """A started server that cancels the returned token as it answers question ``number``:
    the operator pressing キャンセル while that query is under way."""
    cancel = CancelToken()
    server: DnsSandbox

    def on_question(_name: str, _kind: str) -> None:
        if len(server.questions) == number:
            cancel.cancel()

    server = DnsSandbox({}, on_question=on_question).start()
    return server, cancel


def test_the_record_check_asks_about_a_bounded_number_of_domains(
    tmp_path: Path, fast_dns: DnsSandbox
) -> None:
    result = analyse_reports(paths=[many_domains(tmp_path, 60)])
    assert len(result.domains) == 60
    resolver = make_resolver("127.0.0.1", fast_dns.port, lifetime=1.0)
    published = check_published_records(result.domains, resolver)
    asked = {name for name, kind in fast_dns.questions if name.startswith("_dmarc.")}
    assert 0 < len(asked) <= 20, len(asked)
    assert len(published.checks) == len(asked)
    assert "40" in published.left_out_ja  # the operator is told how many were not asked


def test_a_slow_server_cannot_hold_the_record_check_past_its_time(
    tmp_path: Path, fast_dns: DnsSandbox
) -> None:
    # 20 domains × 2 queries × 0.25 s is 10 s; the pass has 1.5 s: six questions, 3 domains.
    result = analyse_reports(paths=[many_domains(tmp_path, 20)])
    resolver = make_resolver("127.0.0.1", fast_dns.port, lifetime=2.0)
    clock = quarter_second_per_question(fast_dns)
    published = check_published_records(result.domains, resolver, seconds=1.5, clock=clock)
    assert len(fast_dns.questions) == 6  # nothing more was asked once the time was spent
    assert len(published.checks) == 3
    assert not published.offline_ja  # DNS answered: not "offline"
    assert published.left_out_ja == (
        "DNS の応答に時間がかかりすぎたため、残りの 17 ドメインは確認していません。"
    )


def test_cancel_stops_the_record_check_before_its_next_query(tmp_path: Path) -> None:
    result = analyse_reports(paths=[many_domains(tmp_path, 20)])
    server, cancel = cancelled_at_question(3)
    try:
        resolver = make_resolver("127.0.0.1", server.port, lifetime=2.0)
        with pytest.raises(CancelledError):
            check_published_records(result.domains, resolver, cancel=cancel)
    finally:
        server.stop()
    assert len(server.questions) == 3  # the query under way finished; no other was sent


def test_a_slow_server_cannot_hold_the_reverse_lookups_past_their_time(
    tmp_path: Path, fast_dns: DnsSandbox
) -> None:
    result = analyse_reports(paths=[many_sources(tmp_path / "r")])
    assert len({s.source_ip for s in result.sources}) > 100
    resolver = make_resolver("127.0.0.1", fast_dns.port, lifetime=2.0)
    clock = quarter_second_per_question(fast_dns)
    sources = resolve_sources(result.sources, resolver, seconds=1.5, clock=clock)
    assert len(fast_dns.questions) == 6  # nothing more was asked once the time was spent
    notes = [source.name_note_ja for source in sources]
    assert notes[:6] == [NO_PTR_NOTE_JA] * 6  # asked and answered (no name)
    assert set(notes[6:]) == {TIME_UP_NOTE_JA}  # the rest say why they were not asked


def test_cancel_stops_the_reverse_lookups_before_the_next_query(tmp_path: Path) -> None:
    result = analyse_reports(paths=[many_sources(tmp_path / "r")])
    server, cancel = cancelled_at_question(3)
    try:
        resolver = make_resolver("127.0.0.1", server.port, lifetime=2.0)
        with pytest.raises(CancelledError):
            resolve_sources(result.sources, resolver, cancel=cancel)
    finally:
        server.stop()
    assert len(server.questions) == 3  # the query under way finished; no other was sent


def _report(domain: str, records: int, *, from_domain: str = "", seed: int = 1) -> bytes:
    (report,) = generate_reports(1, domain=domain, seed=seed, extra_spoof_records=records)
    if from_domain:  # every record counts mail From: another domain (a stranger's)
        return report.xml.replace(
            f"<header_from>{domain}</header_from>".encode(),
            f"<header_from>{from_domain}</header_from>".encode(),
        )
    return report.xml


def _one_record_report(domain: str, from_domain: str) -> bytes:
    return (
        "<feedback><report_metadata><org_name>r.example</org_name><report_id>one</report_id>"
        "<date_range><begin>1764547200</begin><end>1764633599</end></date_range>"
        f"</report_metadata><policy_published><domain>{domain}</domain><p>none</p>"
        "</policy_published><record><row><source_ip>192.0.2.1</source_ip><count>1</count>"
        "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>"
        f"</policy_evaluated></row><identifiers><header_from>{from_domain}</header_from>"
        "</identifiers></record></feedback>"
    ).encode()


def test_the_check_order_puts_domains_with_their_own_mail_first(tmp_path: Path) -> None:
    folder = tmp_path / "order"
    folder.mkdir()
    files = {
        # much mail, but all From: strangers' domains
        "aa.example": _report("aa.example", 300, from_domain="x.stranger.example", seed=1),
        "ab.example": _report("ab.example", 100, from_domain="y.stranger.example", seed=2),
        # the operator's domains: little and more mail of their own (a subdomain counts)
        "zz-small.example": _one_record_report("zz-small.example", "news.zz-small.example"),
        "zz-big.example": _report("zz-big.example", 60, seed=4),
    }
    for index, (name, xml) in enumerate(files.items()):
        (folder / f"{index}-{name}.xml").write_bytes(xml)
    result = analyse_reports(paths=[folder])
    assert result.domains == ("aa.example", "ab.example", "zz-big.example", "zz-small.example")
    assert result.check_order == (
        "zz-big.example",
        "zz-small.example",
        "aa.example",  # then by all the mail counted
        "ab.example",
    )
