"""DMARC aggregate report data as frozen dataclasses (RFC 7489 appendix C and RFC 9990 share it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, NamedTuple

SchemaName = Literal["rfc7489", "rfc9990"]


class AuthResult(NamedTuple):
    """One ``auth_results`` entry: the raw DKIM or SPF verdict for one domain (not yet aligned).

    A NamedTuple rather than a frozen dataclass: an import builds millions of these and
    records, and a tuple is built several times faster (measured in benchmarks/dmarc.py).
    """

    method: Literal["dkim", "spf"]
    domain: str
    result: str  # dkim: none/pass/fail/policy/neutral/temperror/permerror; spf adds softfail
    selector: str = ""  # dkim only
    scope: str = ""  # spf only: mfrom or helo


class ReportRecord(NamedTuple):
    """One ``record``: messages from one source IP with identical results (immutable)."""

    source_ip: str
    messages: int  # the report's ``count`` (a tuple already has a count() method)
    disposition: str  # none / quarantine / reject (RFC 9990 adds pass)
    dkim_aligned: str  # policy_evaluated/dkim: "pass" or "fail" (DKIM pass *and* aligned)
    spf_aligned: str  # policy_evaluated/spf
    reasons: tuple[str, ...]  # policy override reasons: forwarded, mailing_list, local_policy ...
    header_from: str
    envelope_from: str
    dkim_results: tuple[AuthResult, ...]
    spf_results: tuple[AuthResult, ...]

    @property
    def dmarc_pass(self) -> bool:
        """DMARC passes when DKIM or SPF passed *and* aligned (RFC 7489 §3.1, §4.2)."""
        return self.dkim_aligned == "pass" or self.spf_aligned == "pass"


# What a record says besides its source IP and count: ReportRecord[2:].
PatternValues = tuple[
    str, str, str, tuple[str, ...], str, str, tuple[AuthResult, ...], tuple[AuthResult, ...]
]


class RecordPattern:
    """The results of a record (``ReportRecord[2:]``), one object per distinct pattern.

    Hashed and compared by identity, on purpose: the parser hands out one object for all the
    records of an import that carry the same texts (report_parser.PatternTable), so the
    import's counters key on it without hashing its nested results again for every record.
    Two equal patterns may still be two objects (the table is bounded); counters that must
    merge them compare ``values``.
    """

    __slots__ = ("dmarc_pass", "header_from", "values")

    def __init__(self, values: PatternValues) -> None:
        self.values = values
        self.header_from = values[4]
        # DMARC passes when DKIM or SPF passed *and* aligned (RFC 7489 §3.1, §4.2).
        self.dmarc_pass = values[1] == "pass" or values[2] == "pass"

    def __repr__(self) -> str:
        return f"RecordPattern{self.values!r}"


ReportRow = tuple[str, int, RecordPattern]  # source IP, messages, results


@dataclass(frozen=True, slots=True)
class PublishedPolicy:
    """``policy_published``: the DMARC record the receiver found for the domain."""

    domain: str
    p: str
    sp: str = ""
    np: str = ""  # RFC 9990: policy for non-existent subdomains
    adkim: str = "r"
    aspf: str = "r"
    pct: int | None = None  # RFC 7489 only
    testing: str = ""  # RFC 9990 (t=y replaces pct)
    discovery_method: str = ""  # RFC 9990: psl or treewalk


@dataclass(frozen=True, slots=True)
class AggregateReport:
    """One parsed aggregate report."""

    org_name: str
    email: str
    report_id: str
    begin: datetime  # UTC, aware
    end: datetime
    policy: PublishedPolicy
    rows: tuple[ReportRow, ...]  # one per ``record``; ``records`` spells them out
    schema: SchemaName
    origin: str  # file name (and zip member) or IMAP message, for the operator

    @property
    def records(self) -> tuple[ReportRecord, ...]:
        """The records as named tuples (built on demand; the import counts ``rows``)."""
        return tuple(
            ReportRecord(source_ip, messages, *pattern.values)
            for source_ip, messages, pattern in self.rows
        )

    @property
    def key(self) -> tuple[str, str]:
        """Reporter + report id: a report sent twice (or saved twice) counts once."""
        return (self.org_name.strip().lower(), self.report_id.strip())

    @property
    def message_count(self) -> int:
        return sum(messages for _, messages, _ in self.rows)


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A file (or zip member, or mail) that was skipped, with the reason in Japanese."""

    origin: str
    reason_ja: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ReportBlob:
    """Undecoded report bytes and where they came from (a file, a zip member, a mail part)."""

    origin: str
    data: bytes
    path: Path | None = None
