"""Turn one report's XML into an AggregateReport; reads the RFC 7489 and RFC 9990 schemas.

Both schemas share element names; RFC 9990 puts them in the ``urn:ietf:params:xml:ns:dmarc-2.0``
namespace, drops ``pct`` and adds ``np``, ``testing``, ``discovery_method``, ``generator`` and
DKIM ``selector`` (7489 had the selector too, optional). Element names are read in whatever
namespace the root uses, so a report with an unexpected namespace still reads. Optional
elements may be missing (many reporters leave out ``sp``, ``fo``, ``envelope_from``, even
``auth_results/spf``); the required ones are checked and named in the error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime

from app.core.dmarc.errors import ReportFileError
from app.core.dmarc.model import (
    AggregateReport,
    AuthResult,
    PublishedPolicy,
    ReportRecord,
    SchemaName,
)
from app.core.dmarc.safe_xml import parse_xml

RFC9990_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0"
_RFC9990_ONLY = ("np", "testing", "discovery_method")
_MAX_COUNT = 10**12  # a count beyond this is a broken report, not mail


def parse_report(data: bytes, origin: str) -> AggregateReport:
    """Parse ``data`` (uncompressed XML) into a report.

    Raises:
        UnsafeReportError: DTD/entity declarations.
        ReportFileError: not XML, not an aggregate report, or a required element is missing.
    """
    return report_from_element(parse_xml(data, origin), origin)


class _Tags:
    """Element names qualified with the document's namespace (``find`` matches exact names,
    and a plain name keeps ``find`` on ElementTree's fast C path)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.report_metadata = prefix + "report_metadata"
        self.org_name = prefix + "org_name"
        self.email = prefix + "email"
        self.report_id = prefix + "report_id"
        self.date_range = prefix + "date_range"
        self.begin = prefix + "begin"
        self.end = prefix + "end"
        self.policy_published = prefix + "policy_published"
        self.domain = prefix + "domain"
        self.p = prefix + "p"
        self.sp = prefix + "sp"
        self.np = prefix + "np"
        self.adkim = prefix + "adkim"
        self.aspf = prefix + "aspf"
        self.pct = prefix + "pct"
        self.testing = prefix + "testing"
        self.discovery_method = prefix + "discovery_method"
        self.record = prefix + "record"
        self.row = prefix + "row"
        self.source_ip = prefix + "source_ip"
        self.count = prefix + "count"
        self.policy_evaluated = prefix + "policy_evaluated"
        self.disposition = prefix + "disposition"
        self.dkim = prefix + "dkim"
        self.spf = prefix + "spf"
        self.reason = prefix + "reason"
        self.type = prefix + "type"
        self.identifiers = prefix + "identifiers"
        self.header_from = prefix + "header_from"
        self.envelope_from = prefix + "envelope_from"
        self.auth_results = prefix + "auth_results"
        self.selector = prefix + "selector"
        self.result = prefix + "result"
        self.scope = prefix + "scope"


def report_from_element(root: ET.Element, origin: str) -> AggregateReport:
    if root.tag[:1] == "{":  # parsed with namespace processing (the defusedxml path)
        namespace, _, local = root.tag[1:].rpartition("}")
        tags = _Tags(f"{{{namespace}}}")
    else:  # the fast path: plain names, the default namespace kept as an attribute
        namespace, local = root.get("xmlns", ""), root.tag
        tags = _Tags("")
    if local != "feedback":
        raise ReportFileError(
            "DMARC 集計レポートではありません（XML の最上位が feedback ではありません）。",
            detail=f"{origin}: root element {root.tag!r}",
        )
    metadata = _required(root, tags.report_metadata, "report_metadata", origin)
    report_id = _text(metadata, tags.report_id)
    org_name = _text(metadata, tags.org_name)
    email = _text(metadata, tags.email)
    if not org_name and email:
        org_name = email.rpartition("@")[2]
    if not report_id or not org_name:
        missing = "report_id" if not report_id else "org_name"
        raise _missing(missing, origin)
    date_range = _required(metadata, tags.date_range, "date_range", origin)
    begin = _timestamp(_text(date_range, tags.begin), "begin", origin)
    end = _timestamp(_text(date_range, tags.end), "end", origin)
    policy_element = _required(root, tags.policy_published, "policy_published", origin)
    policy = _policy(policy_element, tags, origin)
    records = _records(root, tags, origin)
    schema: SchemaName = "rfc9990" if namespace == RFC9990_NAMESPACE else "rfc7489"
    if schema == "rfc7489" and any(
        policy_element.find(tags.prefix + n) is not None for n in _RFC9990_ONLY
    ):
        schema = "rfc9990"  # some draft-era reporters used the new elements without the namespace
    return AggregateReport(
        org_name=org_name,
        email=email,
        report_id=report_id,
        begin=begin,
        end=end,
        policy=policy,
        records=records,
        schema=schema,
        origin=origin,
    )


def _policy(element: ET.Element, tags: _Tags, origin: str) -> PublishedPolicy:
    domain = _text(element, tags.domain).lower()
    if not domain:
        raise _missing("policy_published/domain", origin)
    pct_text = _text(element, tags.pct)
    pct: int | None
    try:
        pct = int(pct_text) if pct_text else None
    except ValueError:
        pct = None  # advisory only; a broken pct must not cost the whole report
    return PublishedPolicy(
        domain=domain,
        p=_text(element, tags.p).lower(),
        sp=_text(element, tags.sp).lower(),
        np=_text(element, tags.np).lower(),
        adkim=_text(element, tags.adkim).lower() or "r",
        aspf=_text(element, tags.aspf).lower() or "r",
        pct=pct,
        testing=_text(element, tags.testing).lower(),
        discovery_method=_text(element, tags.discovery_method).lower(),
    )


class _Cleaned(dict[str | None, str]):
    """Raw element text → trimmed lower-case text ("" for a missing element), remembered.

    A report repeats a handful of values (pass, fail, none, its domains) thousands of times;
    one dictionary look-up replaces ``(text or "").strip().lower()`` and every record then
    shares one string object per value.
    """

    def __init__(self) -> None:
        super().__init__({None: ""})

    def __missing__(self, text: str | None) -> str:
        cleaned = self[text] = text.strip().lower() if text else ""
        return cleaned


_RawAuthResult = tuple[str | None, str | None, str | None]


class _AuthResults(dict[_RawAuthResult, AuthResult]):
    """Raw texts of one ``auth_results`` entry (domain, result, selector or scope) → its
    AuthResult, built once per report: the same servers sign and pass the same way."""

    def __init__(self, build: Callable[[str | None, str | None, str | None], AuthResult]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, raw: _RawAuthResult) -> AuthResult:
        built = self[raw] = self._build(*raw)
        return built


def _records(root: ET.Element, tags: _Tags, origin: str) -> tuple[ReportRecord, ...]:
    """Every ``record``. The hot loop of an import: tag names and methods are bound to locals
    and texts read with ``findtext`` (ElementTree's C fast path for plain names)."""
    t_row, t_ip, t_count = tags.row, tags.source_ip, tags.count
    t_evaluated, t_disposition, t_dkim, t_spf = (
        tags.policy_evaluated,
        tags.disposition,
        tags.dkim,
        tags.spf,
    )
    t_reason, t_type, t_identifiers = tags.reason, tags.type, tags.identifiers
    t_header_from, t_envelope_from, t_auth = tags.header_from, tags.envelope_from, tags.auth_results
    t_domain, t_result, t_selector, t_scope = tags.domain, tags.result, tags.selector, tags.scope
    clean = _Cleaned()
    dkim_result = _AuthResults(
        lambda domain, result, selector: AuthResult(
            "dkim", clean[domain], clean[result], (selector or "").strip(), ""
        )
    )
    spf_result = _AuthResults(
        lambda domain, result, scope: AuthResult(
            "spf", clean[domain], clean[result], "", clean[scope]
        )
    )
    records: list[ReportRecord] = []
    for element in root.findall(tags.record):
        row = element.find(t_row)
        if row is None:
            raise _missing("record/row", origin)
        source_ip = (row.findtext(t_ip) or "").strip()
        if not source_ip:
            raise _missing("row/source_ip", origin)
        count = _count(row.findtext(t_count) or "", origin)
        evaluated = row.find(t_evaluated)
        if evaluated is None:
            disposition = dkim = spf = ""
            reasons: tuple[str, ...] = ()
        else:
            disposition = clean[evaluated.findtext(t_disposition)]
            dkim = clean[evaluated.findtext(t_dkim)]
            spf = clean[evaluated.findtext(t_spf)]
            reasons = (
                tuple([clean[reason.findtext(t_type)] for reason in evaluated.findall(t_reason)])
                if len(evaluated) > 3
                else ()
            )
        identifiers = element.find(t_identifiers)
        if identifiers is None:
            header_from = envelope_from = ""
        else:
            header_from = clean[identifiers.findtext(t_header_from)]
            envelope_from = clean[identifiers.findtext(t_envelope_from)]
        auth = element.find(t_auth)
        if auth is None:
            dkim_results: tuple[AuthResult, ...] = ()
            spf_results: tuple[AuthResult, ...] = ()
        else:
            dkim_results = tuple(
                [
                    dkim_result[
                        result.findtext(t_domain),
                        result.findtext(t_result),
                        result.findtext(t_selector),
                    ]
                    for result in auth.findall(t_dkim)
                ]
            )
            spf_results = tuple(
                [
                    spf_result[
                        result.findtext(t_domain),
                        result.findtext(t_result),
                        result.findtext(t_scope),
                    ]
                    for result in auth.findall(t_spf)
                ]
            )
        records.append(
            ReportRecord(
                source_ip,
                count,
                disposition,
                dkim,
                spf,
                reasons,
                header_from,
                envelope_from,
                dkim_results,
                spf_results,
            )
        )
    return tuple(records)


def _count(text: str, origin: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise ReportFileError(
            f"メッセージ数（count）が数値ではありません: {text.strip()[:40]!r}",
            detail=f"{origin}: count {text[:80]!r}",
        ) from None
    if not 0 <= count <= _MAX_COUNT:
        raise ReportFileError(
            "メッセージ数（count）が範囲外です。", detail=f"{origin}: count {count}"
        )
    return count


def _text(element: ET.Element, tag: str) -> str:
    text = element.findtext(tag)
    return text.strip() if text else ""


def _required(element: ET.Element, tag: str, name: str, origin: str) -> ET.Element:
    found = element.find(tag)
    if found is None:
        raise _missing(name, origin)
    return found


def _missing(name: str, origin: str) -> ReportFileError:
    return ReportFileError(
        f"DMARC 集計レポートに必須の要素「{name}」がありません。",
        detail=f"{origin}: missing {name}",
    )


def _timestamp(text: str, name: str, origin: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(text), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise ReportFileError(
            f"レポートの期間（date_range/{name}）を読み取れません: {text[:40]!r}",
            detail=f"{origin}: date_range/{name} {text[:80]!r}",
        ) from None
