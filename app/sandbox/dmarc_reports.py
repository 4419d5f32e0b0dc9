"""Realistic DMARC aggregate reports for tests, practice mode and the benchmark.

Imitates what a domain owner receives: daily reports from several receivers (google.com,
Microsoft, Yahoo, docomo, KDDI), each covering the same kinds of senders — the company's own
servers, SendGrid with and without domain authentication, forwarders (with DKIM intact or
broken) and spoofers. Some reporters write the RFC 9990 schema (with its namespace), the others
RFC 7489. Addresses are from the documentation ranges (RFC 5737) so nothing real is named.
All output is deterministic for a given seed.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

RFC9990_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0"
DEFAULT_DOMAIN = "example.co.jp"
FileKind = Literal["xml", "gz", "zip"]


@dataclass(frozen=True, slots=True)
class Reporter:
    org_name: str
    email: str
    file_prefix: str  # receivers name files "<receiver>!<domain>!<begin>!<end>.<ext>"
    schema: Literal["rfc7489", "rfc9990"]
    kind: FileKind  # how this receiver packs its reports


REPORTERS: tuple[Reporter, ...] = (
    Reporter("google.com", "noreply-dmarc-support@google.com", "google.com", "rfc7489", "zip"),
    Reporter(
        "Enterprise Outlook",
        "dmarcreport@microsoft.com",
        "enterprise.protection.outlook.com",
        "rfc7489",
        "gz",
    ),
    Reporter("Yahoo", "dmarchelp@yahooinc.com", "yahoo.com", "rfc9990", "gz"),
    Reporter("docomo.ne.jp", "dmarc-report@docomo.ne.jp", "docomo.ne.jp", "rfc7489", "xml"),
    Reporter("KDDI", "dmarc-report@kddi.com", "kddi.com", "rfc9990", "zip"),
)


@dataclass(frozen=True, slots=True)
class SenderKind:
    """A kind of sending source and the results receivers record for it."""

    name: str
    ips: tuple[str, ...]
    spf: tuple[str, str]  # (domain, result) — "{d}" stands for the report's domain
    dkim: tuple[tuple[str, str], ...]
    spf_aligned: str
    dkim_aligned: str
    reasons: tuple[str, ...] = ()
    volume: tuple[int, int] = (1, 10)
    envelope_from: str = "{d}"


SENDER_KINDS: tuple[SenderKind, ...] = (
    SenderKind(
        "own_server",
        ("192.0.2.10", "192.0.2.11"),
        ("{d}", "pass"),
        (("{d}", "pass"),),
        "pass",
        "pass",
        volume=(200, 900),
    ),
    SenderKind(
        "sendgrid_authenticated",
        ("198.51.100.20",),
        ("em123.{d}", "pass"),
        (("{d}", "pass"),),
        "pass",
        "pass",
        volume=(500, 3000),
        envelope_from="em123.{d}",
    ),
    SenderKind(
        "sendgrid_unauthenticated",
        ("198.51.100.21",),
        ("sendgrid.net", "pass"),
        (("sendgrid.net", "pass"),),
        "fail",
        "fail",
        volume=(50, 400),
        envelope_from="sendgrid.net",
    ),
    SenderKind(
        "forwarder_dkim_intact",
        ("203.0.113.40",),
        ("forward.example.ac.jp", "pass"),
        (("{d}", "pass"),),
        "fail",
        "pass",
        volume=(5, 40),
        envelope_from="forward.example.ac.jp",
    ),
    SenderKind(
        "forwarder_dkim_broken",
        ("203.0.113.41",),
        ("lists.example.or.jp", "pass"),
        (("{d}", "fail"), ("lists.example.or.jp", "pass")),
        "fail",
        "fail",
        reasons=("mailing_list",),
        volume=(3, 30),
        envelope_from="lists.example.or.jp",
    ),
    SenderKind(
        "spoofer",
        ("203.0.113.66", "203.0.113.67", "203.0.113.68"),
        ("{d}", "fail"),
        (),
        "fail",
        "fail",
        volume=(1, 60),
    ),
)
SPOOF_NET = "203.0.113."  # extra spoofing sources for large reports come from here


@dataclass(frozen=True, slots=True)
class GeneratedReport:
    file_name: str
    xml: bytes
    reporter: Reporter
    report_id: str


def report_xml(
    reporter: Reporter,
    domain: str,
    day: date,
    rng: random.Random,
    *,
    report_id: str,
    extra_spoof_records: int = 0,
    policy: str = "none",
) -> bytes:
    """One report for ``day`` (UTC) as UTF-8 XML."""
    begin = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    end = begin + 86_399
    new = reporter.schema == "rfc9990"
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
    out.append(f'<feedback xmlns="{RFC9990_NAMESPACE}">' if new else "<feedback>")
    out.append("<version>1.0</version>")
    out.append(
        f"<report_metadata><org_name>{escape(reporter.org_name)}</org_name>"
        f"<email>{escape(reporter.email)}</email><report_id>{escape(report_id)}</report_id>"
        f"<date_range><begin>{begin}</begin><end>{end}</end></date_range>"
        + ("<generator>Todoku sandbox</generator>" if new else "")
        + "</report_metadata>"
    )
    if new:
        out.append(
            f"<policy_published><domain>{domain}</domain><discovery_method>treewalk"
            f"</discovery_method><adkim>r</adkim><aspf>r</aspf><p>{policy}</p><sp>{policy}</sp>"
            f"<np>{policy}</np><testing>n</testing></policy_published>"
        )
    else:
        out.append(
            f"<policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf>"
            f"<p>{policy}</p><sp>{policy}</sp><pct>100</pct></policy_published>"
        )
    for kind in SENDER_KINDS:
        if kind.name.startswith("forwarder") and rng.random() < 0.3:
            continue  # not every receiver sees forwarded mail every day
        for ip in kind.ips:
            out.append(_record(kind, ip, domain, rng, policy))
    spoofer = SENDER_KINDS[-1]
    for index in range(extra_spoof_records):
        ip = f"{SPOOF_NET}{100 + index % 150}"
        out.append(_record(spoofer, ip, domain, rng, policy))
    out.append("</feedback>")
    return "\n".join(out).encode("utf-8")


def _record(kind: SenderKind, ip: str, domain: str, rng: random.Random, policy: str) -> str:
    count = rng.randint(*kind.volume)
    passed = kind.spf_aligned == "pass" or kind.dkim_aligned == "pass"
    disposition = "none" if passed or policy == "none" else policy
    reasons = "".join(f"<reason><type>{r}</type></reason>" for r in kind.reasons)
    dkim = "".join(
        f"<dkim><domain>{d.format(d=domain)}</domain><selector>s1</selector>"
        f"<result>{result}</result></dkim>"
        for d, result in kind.dkim
    )
    spf_domain = kind.spf[0].format(d=domain)
    return (
        f"<record><row><source_ip>{ip}</source_ip><count>{count}</count><policy_evaluated>"
        f"<disposition>{disposition}</disposition><dkim>{kind.dkim_aligned}</dkim>"
        f"<spf>{kind.spf_aligned}</spf>{reasons}</policy_evaluated></row>"
        f"<identifiers><header_from>{domain}</header_from>"
        f"<envelope_from>{kind.envelope_from.format(d=domain)}</envelope_from></identifiers>"
        f"<auth_results>{dkim}<spf><domain>{spf_domain}</domain><scope>mfrom</scope>"
        f"<result>{kind.spf[1]}</result></spf></auth_results></record>"
    )


def many_sources_report_xml(
    records: int, *, seed: int = 17, domain: str = DEFAULT_DOMAIN, report_id: str = "many-sources"
) -> bytes:
    """One legitimately shaped report with ``records`` records, each from its own address (in
    10.0.0.0/8, so none is real) — the largest kind a receiver could send. About 400 bytes per
    record: 160,000 records come to just under the 64 MiB a document may have. Failing
    spoof-like records, so every source is a row of its own in every view."""
    rng = random.Random(seed)
    spoofer = SENDER_KINDS[-1]
    begin = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<feedback>\n<version>1.0</version>',
        f"<report_metadata><org_name>big-receiver.example</org_name>"
        f"<email>dmarc@big-receiver.example</email><report_id>{escape(report_id)}</report_id>"
        f"<date_range><begin>{begin}</begin><end>{begin + 86_399}</end></date_range>"
        "</report_metadata>",
        f"<policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf>"
        "<p>none</p><sp>none</sp><pct>100</pct></policy_published>",
    ]
    for index in range(records):
        ip = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
        parts.append(_record(spoofer, ip, domain, rng, "none"))
    parts.append("</feedback>")
    return "\n".join(parts).encode("utf-8")


def generate_reports(
    count: int,
    *,
    seed: int = 17,
    domain: str = DEFAULT_DOMAIN,
    start: date = date(2026, 11, 1),
    extra_spoof_records: int = 0,
    policy: str = "none",
) -> Iterator[GeneratedReport]:
    """``count`` reports: each day one per reporter, cycling through the reporters."""
    rng = random.Random(seed)
    for index in range(count):
        reporter = REPORTERS[index % len(REPORTERS)]
        day = start + timedelta(days=index // len(REPORTERS))
        report_id = f"{reporter.file_prefix}-{day:%Y%m%d}-{seed}-{index}"
        xml = report_xml(
            reporter,
            domain,
            day,
            rng,
            report_id=report_id,
            extra_spoof_records=extra_spoof_records,
            policy=policy,
        )
        begin = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        name = f"{reporter.file_prefix}!{domain}!{begin}!{begin + 86_399}!{index}.xml"
        yield GeneratedReport(name, xml, reporter, report_id)


def pack(report: GeneratedReport, kind: FileKind | None = None) -> tuple[str, bytes]:
    """File name and bytes as the reporter sends them (or as ``kind`` says)."""
    kind = kind or report.reporter.kind
    if kind == "gz":
        return report.file_name + ".gz", gzip.compress(report.xml, compresslevel=6, mtime=0)
    if kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(report.file_name, report.xml)
        return report.file_name.removesuffix(".xml") + ".zip", buffer.getvalue()
    return report.file_name, report.xml


def write_report_files(
    folder: Path, reports: Sequence[GeneratedReport] | Iterator[GeneratedReport]
) -> list[Path]:
    """Write each report packed its reporter's way; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for report in reports:
        name, data = pack(report)
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def report_email(report: GeneratedReport, *, to: str = "dmarc@example.co.jp") -> bytes:
    """The report as receivers mail it: a short text part and the packed file attached."""
    name, data = pack(report)
    message = EmailMessage()
    message["From"] = report.reporter.email
    message["To"] = to
    message["Subject"] = (
        f"Report Domain: {DEFAULT_DOMAIN} Submitter: {report.reporter.org_name} "
        f"Report-ID: <{report.report_id}>"
    )
    message.set_content("This is an aggregate report from " + report.reporter.org_name + ".\n")
    subtype = {"gz": "gzip", "zip": "zip"}.get(report.reporter.kind, "xml")
    maintype = "text" if subtype == "xml" else "application"
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def practice_dns_records(domain: str = DEFAULT_DOMAIN) -> dict[tuple[str, str], list[str]]:
    """What the practice domain publishes, for ``dns_server.DnsSandbox``: DMARC at p=none with
    rua, SPF that includes SendGrid, a DKIM key for selector s1, and reverse names for the own
    servers and the SendGrid addresses (spoofers and forwarders have none)."""
    records: dict[tuple[str, str], list[str]] = {
        (f"_dmarc.{domain}", "TXT"): [f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}"],
        (domain, "TXT"): ["v=spf1 ip4:192.0.2.0/24 include:sendgrid.net ~all"],
        (f"s1._domainkey.{domain}", "TXT"): ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"],
    }
    names = {
        "192.0.2.10": f"mail1.{domain}",
        "192.0.2.11": f"mail2.{domain}",
        "198.51.100.20": "o1.ptr2045.sendgrid.net",
        "198.51.100.21": "o2.ptr7781.sendgrid.net",
    }
    for ip, name in names.items():
        reverse = ".".join(reversed(ip.split("."))) + ".in-addr.arpa"
        records[(reverse, "PTR")] = [name + "."]
    return records
