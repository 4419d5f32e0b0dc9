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

from app.core.cancel import CancelToken
from app.core.dates import LAST_SHOWABLE, showable
from app.core.dmarc.errors import ReportFileError, UnsafeReportError
from app.core.dmarc.model import (
    AggregateReport,
    AuthResult,
    PatternValues,
    PublishedPolicy,
    RecordPattern,
    ReportRow,
    SchemaName,
)
from app.core.dmarc.safe_xml import FEED_CHUNK, FLOOD_MESSAGE_JA, parse_xml

DocumentProgress = Callable[[int, int], None]  # (bytes of the document read, its size)
# A large document says how far it is every this many pieces (2 MiB): a few dozen times for
# the largest allowed, never for the reports real receivers send.
_PROGRESS_EVERY = 256

RFC9990_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0"
_RFC9990_ONLY = ("np", "testing", "discovery_method")
_MAX_COUNT = 10**12  # a count beyond this is a broken report, not mail
# Elements a report has besides its records: version, report_metadata, policy_published and
# perhaps a few extensions at the root; below the root, at most a few dozen children each (a
# record's DKIM results). Elements past these are kept in the tree while the document is read:
# millions of them (a few MB gzipped) cost minutes and gigabytes before.
_MAX_OTHER_ROOT_CHILDREN = 100
_MAX_CHILDREN = 1_000
_MAX_DEPTH = 32  # a report is five deep (feedback/record/auth_results/dkim/domain)


def parse_report(
    data: bytes,
    origin: str,
    patterns: PatternTable | None = None,
    *,
    cancel: CancelToken | None = None,
    progress: DocumentProgress | None = None,
) -> AggregateReport:
    """Parse ``data`` (uncompressed XML) into a report.

    ``patterns`` is shared by the reports of one import (see PatternTable); without it the
    report gets a table of its own. Records are read while the document is parsed and then
    dropped from the tree (``_RecordReader``); the checks and their order are the same as
    for a whole tree: broken XML first, then the report's metadata, then the records.
    ``cancel`` is looked at after every piece the parser is fed (8 KiB, about 20 records), so
    a 64 MB report stops within milliseconds of キャンセル instead of after the whole file.
    ``progress(read, size)`` is called every 2 MiB of a document larger than that.

    Raises:
        CancelledError: ``cancel`` was set; nothing of the report is returned.
        UnsafeReportError: DTD/entity declarations.
        ReportFileError: not XML, not an aggregate report, or a required element is missing.
    """
    reader = _RecordReader(origin, PatternTable() if patterns is None else patterns, cancel)
    if progress is not None:
        reader.follow(progress, len(data))
    return report_from_element(parse_xml(data, origin, reader.take_closed), origin, reader=reader)


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


def _root_tags(root: ET.Element) -> tuple[str, str, _Tags]:
    """The root's namespace and local name, and the element names in that namespace."""
    tag = root.tag
    if tag[:1] == "{":
        namespace, _, local = tag[1:].rpartition("}")
    else:
        namespace, local = "", tag
    tags = _TAGS.get(namespace)
    if tags is None:
        tags = _Tags(f"{{{namespace}}}" if namespace else "")
        if len(_TAGS) < 16:  # a few namespaces are real; more come from odd files
            _TAGS[namespace] = tags
    return namespace, local, tags


_TAGS: dict[str, _Tags] = {}


class _RecordReader:
    """Reads the ``record`` children while the document is still being parsed.

    ``take_closed`` (safe_xml.parse_xml's ``consume``) turns the complete records into rows
    and removes them from the tree, so their memory is reused for the next piece of the
    document while it is still in the processor's cache. Other children (metadata, policy)
    stay for report_from_element. A bad record is remembered, not raised: the document may
    still turn out broken, or miss its metadata, and those are reported first.
    """

    def __init__(
        self, origin: str, patterns: PatternTable, cancel: CancelToken | None = None
    ) -> None:
        self.origin = origin
        self.patterns = patterns
        self._cancel = cancel
        self._progress: DocumentProgress | None = None
        self._size = 0
        self._pieces = 0
        self.rows: list[ReportRow] = []
        self.error: ReportFileError | None = None
        self._kept = 0  # leading children of the root that are not records

    def follow(self, progress: DocumentProgress, size: int) -> None:
        """Call ``progress`` while the ``size`` bytes of the document are parsed."""
        self._progress, self._size = progress, size

    def take_closed(self, root: ET.Element) -> None:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        if self._progress is not None:
            self._pieces += 1  # called once per piece fed to the parser
            if not self._pieces % _PROGRESS_EVERY:
                self._progress(min(self._pieces * FEED_CHUNK, self._size), self._size)
        closed = len(root) - 1  # the last child may still be open
        self._refuse_flood(root)
        if self.error is not None or closed <= self._kept:
            return
        _, local, tags = _root_tags(root)
        if local != "feedback":
            return  # not a report: report_from_element says so
        kept = self._kept
        children = root[kept:closed]
        t_record = tags.record
        others = [child for child in children if child.tag != t_record]
        try:
            self.take(children if not others else [c for c in children if c.tag == t_record], tags)
        except ReportFileError as error:
            self.error = error
            return
        root[kept:closed] = others
        self._kept = kept + len(others)
        if self._kept > _MAX_OTHER_ROOT_CHILDREN:
            raise self._flood(f"more than {_MAX_OTHER_ROOT_CHILDREN} children besides records")

    def _refuse_flood(self, root: ET.Element) -> None:
        """Refuse a document whose open elements (the root's last child, its last child and
        so on) hold more children, or go deeper, than any report does."""
        element, depth = root, 0
        while len(element):
            element = element[-1]
            depth += 1
            if depth > _MAX_DEPTH:
                raise self._flood(f"elements nested more than {_MAX_DEPTH} deep")
            if len(element) > _MAX_CHILDREN:
                raise self._flood(f"an element with more than {_MAX_CHILDREN} children")

    def _flood(self, detail: str) -> UnsafeReportError:
        return UnsafeReportError(FLOOD_MESSAGE_JA, detail=f"{self.origin}: {detail}")

    def take(self, records: list[ET.Element], tags: _Tags) -> None:
        _records(records, tags, self.origin, self.patterns, self.rows)


def report_from_element(
    root: ET.Element,
    origin: str,
    patterns: PatternTable | None = None,
    *,
    reader: _RecordReader | None = None,
) -> AggregateReport:
    """The report in a parsed tree (plus what ``reader`` took out of it while parsing)."""
    if reader is None:
        reader = _RecordReader(origin, PatternTable() if patterns is None else patterns)
    namespace, local, tags = _root_tags(root)
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
    if reader.error is not None:
        raise reader.error
    reader.take(root.findall(tags.record), tags)
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
        rows=tuple(reader.rows),
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


_Raw = tuple[object, ...]  # a record's raw texts, the key of PatternTable


class PatternTable(dict[_Raw, RecordPattern]):
    """Raw texts of a record (everything but source IP and count) → its RecordPattern.

    One table serves a whole import (the importer passes it to every ``parse_report``): the
    same servers pass and fail the same way in report after report, so nearly every record
    finds its pattern here with one look-up, instead of cleaning a dozen texts and building
    nested tuples again. The pattern is a function of the raw texts alone, so a hit is exact.
    Bounded: when full it starts again (memory stays flat; equal patterns are merged by
    content where it matters, analysis._SourceTotals.fold).
    """

    def __init__(self, max_patterns: int = 50_000) -> None:
        super().__init__()
        self._max_patterns = max_patterns
        self._texts: dict[str, str] = {}  # one string object per cleaned value

    def __missing__(self, raw: _Raw) -> RecordPattern:
        if len(self) >= self._max_patterns:
            self.clear()
            self._texts.clear()
        pattern = self[raw] = RecordPattern(self._values(raw))
        return pattern

    def _clean(self, text: object, *, lower: bool = True) -> str:
        """Trimmed (lower-case) text, "" for a missing element."""
        if not isinstance(text, str):
            return ""
        cleaned = text.strip().lower() if lower else text.strip()
        return self._texts.setdefault(cleaned, cleaned)

    def _values(self, raw: _Raw) -> PatternValues:
        # Layout of the key, written by _records: disposition, dkim, spf, raw reason types,
        # header_from, envelope_from, then (domain, result, selector) per DKIM result, the
        # marker _SPF, and (domain, result, scope) per SPF result.
        clean = self._clean
        disposition, dkim, spf, reasons, header_from, envelope_from = raw[:6]
        marker = raw.index(_SPF, 6)
        dkim_raw, spf_raw = raw[6:marker], raw[marker + 1 :]
        assert isinstance(reasons, tuple)
        return (
            clean(disposition),
            clean(dkim),
            clean(spf),
            tuple(clean(reason) for reason in reasons),
            clean(header_from),
            clean(envelope_from),
            tuple(
                AuthResult(
                    "dkim",
                    clean(dkim_raw[i]),
                    clean(dkim_raw[i + 1]),
                    clean(dkim_raw[i + 2], lower=False),
                )
                for i in range(0, len(dkim_raw), 3)
            ),
            tuple(
                AuthResult(
                    "spf", clean(spf_raw[i]), clean(spf_raw[i + 1]), "", clean(spf_raw[i + 2])
                )
                for i in range(0, len(spf_raw), 3)
            ),
        )


_SPF = 0  # marks where the SPF results start in a raw key (texts are str or None, never 0)


def _records(
    records: list[ET.Element],
    tags: _Tags,
    origin: str,
    patterns: PatternTable,
    rows: list[ReportRow],
) -> None:
    """Append each ``record`` to ``rows`` as (source IP, count, pattern). The hot loop of an
    import: it reads the raw texts with ``findtext`` (ElementTree's C fast path for plain
    names) and looks the pattern up by them; nothing else is built per record."""
    t_row, t_ip, t_count = tags.row, tags.source_ip, tags.count
    t_evaluated, t_identifiers, t_auth = tags.policy_evaluated, tags.identifiers, tags.auth_results
    t_disposition, t_dkim, t_spf, t_reason, t_type = (
        tags.disposition,
        tags.dkim,
        tags.spf,
        tags.reason,
        tags.type,
    )
    t_header_from, t_envelope_from = tags.header_from, tags.envelope_from
    t_domain, t_result, t_selector, t_scope = tags.domain, tags.result, tags.selector, tags.scope
    max_count = _MAX_COUNT
    append = rows.append
    for element in records:
        row = element.find(t_row)
        if row is None:
            raise _missing("record/row", origin)
        source_ip = row.findtext(t_ip)
        source_ip = source_ip.strip() if source_ip else ""
        if not source_ip:
            raise _missing("row/source_ip", origin)
        count_text = row.findtext(t_count) or ""
        try:
            count = int(count_text)
        except ValueError:
            count = -1
        if not 0 <= count <= max_count:
            raise _bad_count(count_text, origin)
        # The key's layout is read back by PatternTable._values.
        evaluated = row.find(t_evaluated)
        raw: list[object]
        if evaluated is None:
            raw = [None, None, None, ()]
        else:
            text = evaluated.findtext
            raw = [
                text(t_disposition),
                text(t_dkim),
                text(t_spf),
                # Override reasons follow disposition, dkim and spf; most records have none.
                tuple([reason.findtext(t_type) for reason in evaluated.findall(t_reason)])
                if len(evaluated) > 3
                else (),
            ]
        identifiers = element.find(t_identifiers)
        if identifiers is None:
            raw += (None, None)
        else:
            text = identifiers.findtext
            raw += (text(t_header_from), text(t_envelope_from))
        auth = element.find(t_auth)
        if auth is not None:
            for result in auth.findall(t_dkim):
                text = result.findtext
                raw += (text(t_domain), text(t_result), text(t_selector))
            raw.append(_SPF)
            for result in auth.findall(t_spf):
                text = result.findtext
                raw += (text(t_domain), text(t_result), text(t_scope))
        else:
            raw.append(_SPF)
        append((source_ip, count, patterns[tuple(raw)]))


def _bad_count(text: str, origin: str) -> ReportFileError:
    try:
        int(text)
    except ValueError:
        return ReportFileError(
            f"メッセージ数（count）が数値ではありません: {text.strip()[:40]!r}",
            detail=f"{origin}: count {text[:80]!r}",
        )
    return ReportFileError(
        "メッセージ数（count）が範囲外です。", detail=f"{origin}: count {int(text)}"
    )


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
        moment = datetime.fromtimestamp(int(text), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise ReportFileError(
            f"レポートの期間（date_range/{name}）を読み取れません: {text[:40]!r}",
            detail=f"{origin}: date_range/{name} {text[:80]!r}",
        ) from None
    try:
        # Every report is shown by its JST day: 9999-12-31T23:59:59Z is valid UTC but has no
        # JST date, and would stop the whole import in the analysis far from this file.
        return showable(moment)
    except OverflowError:
        raise ReportFileError(
            f"レポートの期間（date_range/{name}）が扱える範囲"
            f"（{LAST_SHOWABLE:%Y-%m-%d %H:%M:%S} 日本時間まで）を超えています: {text[:40]!r}",
            detail=f"{origin}: date_range/{name} {text[:80]!r} is past {LAST_SHOWABLE.isoformat()}",
        ) from None
