"""Accuracy of the offline classifier, per labelled set (reason_text + status + recipient domain).

Usage: python benchmarks/accuracy.py [path.jsonl ...] [--quiet] [--smoke] [--by-source]

Without a path it scores each set on its own: the dev set (resources/sandbox/bounce-reasons.jsonl,
texts from Sisimai's public fixtures), the provider catalogue (benchmarks/data/
provider-catalogue.jsonl, replies from the providers' published error pages, labelled apart from the
rules), the rule author's own catalogue (benchmarks/data/own-catalogue.jsonl) and the blind
catalogue (benchmarks/data/blind-catalogue.jsonl, labelled without sight of rules or classifier) and
the second to thirty-fifth blind sets (benchmarks/data/blind-two.jsonl, blind-three.jsonl,
blind-four.jsonl, blind-five.jsonl, blind-six.jsonl, blind-seven.jsonl, blind-eight.jsonl,
blind-nine.jsonl, blind-ten.jsonl, blind-eleven.jsonl, blind-twelve.jsonl, blind-thirteen.jsonl,
blind-fourteen.jsonl, blind-fifteen.jsonl, blind-sixteen.jsonl, blind-seventeen.jsonl,
blind-eighteen.jsonl, blind-nineteen.jsonl, blind-twenty.jsonl, blind-twenty-one.jsonl,
blind-twenty-two.jsonl, blind-twenty-three.jsonl, blind-twenty-four.jsonl, blind-twenty-five.jsonl,
blind-twenty-six.jsonl, blind-twenty-seven.jsonl, blind-twenty-eight.jsonl, blind-twenty-nine.jsonl,
blind-thirty.jsonl, blind-thirty-one.jsonl, blind-thirty-two.jsonl, blind-thirty-three.jsonl,
blind-thirty-four.jsonl and blind-thirty-five.jsonl,
made the same way from other sources; the thirteenth
holds non-English replies, the fifteenth mostly temporary ones, the sixteenth replies from Japanese
pages, the seventeenth replies quoted on pages in languages other than English and Japanese, the
eighteenth replies from the big mailbox providers, ISPs and security gateways as quoted in pasted
logs and issue threads, the nineteenth replies an operator in Japan meets as Japanese pages quote
them, the twentieth the big providers' 2024-2026 replies, the twenty-first DSN diagnostics and MTA
log lines quoted in the wild, the twenty-second temporary replies beside their permanent
look-alikes, the twenty-third replies pasted into mail-software issue threads, the twenty-fourth
replies of security gateways and corporate systems, the twenty-fifth replies of regional ISPs and
web hosts, the twenty-sixth replies of commercial and less common mail servers, the twenty-seventh
replies whose cause a thread's answer settles, the twenty-eighth texts in languages other than
English, the twenty-ninth bounces as IT help desks and list archives show them, the thirtieth
replies as sending platforms report them, the thirty-first the big providers' replies of 2023-2026
beside their temporary look-alikes, the thirty-second replies in languages other than English and
Japanese, the thirty-third such replies from translated catalogues and documentation, the
thirty-fourth replies of self-hosted and modern mail servers and forwarders as their users met
them, the thirty-fifth replies of Japanese corporate gateways and ISPs), and the
Sisimai lexicon set
(benchmarks/data/sisimai-lexicon.jsonl: one short reply per phrase of the labeler's reason modules;
agreement with its lexicon, not unseen text) and the Sisimai lhost set
(benchmarks/data/sisimai-lhost.jsonl: the message tables of its per-MTA decoders; agreement again,
not generalisation) and the MTA source set (benchmarks/data/mta-source.jsonl: replies filled in from
the MTAs' own source strings), the documentation sets (jp-market, vendor-docs, docs-two, jp-two) and
the issues-two set (benchmarks/data/issues-two.jsonl: replies quoted verbatim in public issue
threads and help pages) when present. Counts ``alt_reasons`` as correct. A line's ``email`` or
``recipient_domain`` gives the recipient host group, as in the app. For each set: overall accuracy,
the accuracy without the rules that cite only the dev set, a per-reason table, the ``permanent``
flag where the line carries one, how many temporary texts came out permanent, and (unless --quiet)
every miss. For the dev set also the ceiling its labels set: lines whose text recurs with a label
their alt_reasons do not cover (Sisimai labels some refusals by the SMTP stage, which the text does
not carry) and the best score any classifier reading the same input could reach. Then "rules that
cite only one source, scored on the other": the catalogue lines decided by rules that exist only
because of the dev set (``sources = ["dev-set"]``) and the dev lines decided by rules that cite only
public catalogues. ``--by-source`` adds the right answers per cited source. ``--smoke`` scores the
first lines of each set only (the test suite runs it so this script cannot rot)."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.classify.classifier import Classifier
from app.core.classify.hosts import host_group
from app.core.classify.rules import RuleSet, lead_end, normalise
from app.core.types import ListKind

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / "resources" / "sandbox" / "bounce-reasons.jsonl"
CATALOGUE_SET = ROOT / "benchmarks" / "data" / "provider-catalogue.jsonl"
OWN_CATALOGUE = ROOT / "benchmarks" / "data" / "own-catalogue.jsonl"
# Labelled without sight of the rules, the classifier or the other sets (benchmarks/data/README.md).
BLIND_CATALOGUE = ROOT / "benchmarks" / "data" / "blind-catalogue.jsonl"
# A second blind set, from sources the other sets do not cite (benchmarks/data/README.md).
BLIND_TWO = ROOT / "benchmarks" / "data" / "blind-two.jsonl"
# A third blind set, from sources none of the other sets cite (benchmarks/data/README.md).
BLIND_THREE = ROOT / "benchmarks" / "data" / "blind-three.jsonl"
# A fourth blind set, again from sources none of the other sets cite (benchmarks/data/README.md).
BLIND_FOUR = ROOT / "benchmarks" / "data" / "blind-four.jsonl"
# A fifth blind set, again from sources none of the other sets cite (benchmarks/data/README.md).
BLIND_FIVE = ROOT / "benchmarks" / "data" / "blind-five.jsonl"
BLIND_SIX = ROOT / "benchmarks" / "data" / "blind-six.jsonl"
BLIND_SEVEN = ROOT / "benchmarks" / "data" / "blind-seven.jsonl"
BLIND_EIGHT = ROOT / "benchmarks" / "data" / "blind-eight.jsonl"
BLIND_NINE = ROOT / "benchmarks" / "data" / "blind-nine.jsonl"
BLIND_TEN = ROOT / "benchmarks" / "data" / "blind-ten.jsonl"
BLIND_ELEVEN = ROOT / "benchmarks" / "data" / "blind-eleven.jsonl"
BLIND_TWELVE = ROOT / "benchmarks" / "data" / "blind-twelve.jsonl"
BLIND_THIRTEEN = ROOT / "benchmarks" / "data" / "blind-thirteen.jsonl"
BLIND_FOURTEEN = ROOT / "benchmarks" / "data" / "blind-fourteen.jsonl"
BLIND_FIFTEEN = ROOT / "benchmarks" / "data" / "blind-fifteen.jsonl"
BLIND_SIXTEEN = ROOT / "benchmarks" / "data" / "blind-sixteen.jsonl"
BLIND_SEVENTEEN = ROOT / "benchmarks" / "data" / "blind-seventeen.jsonl"
BLIND_EIGHTEEN = ROOT / "benchmarks" / "data" / "blind-eighteen.jsonl"
BLIND_NINETEEN = ROOT / "benchmarks" / "data" / "blind-nineteen.jsonl"
BLIND_TWENTY = ROOT / "benchmarks" / "data" / "blind-twenty.jsonl"
BLIND_TWENTY_ONE = ROOT / "benchmarks" / "data" / "blind-twenty-one.jsonl"
BLIND_TWENTY_TWO = ROOT / "benchmarks" / "data" / "blind-twenty-two.jsonl"
BLIND_TWENTY_THREE = ROOT / "benchmarks" / "data" / "blind-twenty-three.jsonl"
BLIND_TWENTY_FOUR = ROOT / "benchmarks" / "data" / "blind-twenty-four.jsonl"
BLIND_TWENTY_FIVE = ROOT / "benchmarks" / "data" / "blind-twenty-five.jsonl"
BLIND_TWENTY_SIX = ROOT / "benchmarks" / "data" / "blind-twenty-six.jsonl"
BLIND_TWENTY_SEVEN = ROOT / "benchmarks" / "data" / "blind-twenty-seven.jsonl"
BLIND_TWENTY_EIGHT = ROOT / "benchmarks" / "data" / "blind-twenty-eight.jsonl"
BLIND_TWENTY_NINE = ROOT / "benchmarks" / "data" / "blind-twenty-nine.jsonl"
BLIND_THIRTY = ROOT / "benchmarks" / "data" / "blind-thirty.jsonl"
BLIND_THIRTY_ONE = ROOT / "benchmarks" / "data" / "blind-thirty-one.jsonl"
BLIND_THIRTY_TWO = ROOT / "benchmarks" / "data" / "blind-thirty-two.jsonl"
BLIND_THIRTY_THREE = ROOT / "benchmarks" / "data" / "blind-thirty-three.jsonl"
BLIND_THIRTY_FOUR = ROOT / "benchmarks" / "data" / "blind-thirty-four.jsonl"
BLIND_THIRTY_FIVE = ROOT / "benchmarks" / "data" / "blind-thirty-five.jsonl"
# Not unseen text: one reply per phrase of Sisimai's reason modules, to measure how far our rules
# agree with the labeler's own lexicon (benchmarks/data/README.md).
SISIMAI_LEXICON = ROOT / "benchmarks" / "data" / "sisimai-lexicon.jsonl"
# Agreement with the message tables of Sisimai's per-MTA decoders (go-sisimai lhost/via-*.go);
# built from the same knowledge the rules cite, so not a generalisation figure either.
SISIMAI_LHOST = ROOT / "benchmarks" / "data" / "sisimai-lhost.jsonl"
# Replies filled in from the message strings of the MTAs' and filters' own source code and docs
# (Postfix, Exim, Sendmail, qmail, OpenSMTPD, Haraka, Dovecot, ...), labelled from what the source
# says the condition is (benchmarks/data/README.md).
MTA_SOURCE = ROOT / "benchmarks" / "data" / "mta-source.jsonl"
# Replies of the Japanese market (carriers, ISPs, hosting, M365/Workspace tenants, lg.jp gateways,
# Japanese-language replies), each labelled from its public source (benchmarks/data/README.md).
JP_MARKET = ROOT / "benchmarks" / "data" / "jp-market.jsonl"
# Replies of commercial mail gateways and hosted mail services (Mimecast, Barracuda, Cisco,
# Symantec, Vade/OX, Sophos, Hornetsecurity, T-Online, Korean portals ...), filled in from their
# published documentation and labelled from what it says (benchmarks/data/README.md).
VENDOR_DOCS = ROOT / "benchmarks" / "data" / "vendor-docs.jsonl"
# A second pass over published documentation and published NDRs (chasquid, Exchange diagnostic
# lines, MailChannels, Kerio, Forpsi/konto.pl, Aruba, Japanese ISPs and hosts ...), kept apart
# from the rules and labelled from what each source says (benchmarks/data/README.md).
DOCS_TWO = ROOT / "benchmarks" / "data" / "docs-two.jsonl"
# Replies people quoted verbatim in public issue threads and help pages (not the blind sets'
# sources), labelled before the first run (benchmarks/data/README.md).
ISSUES_TWO = ROOT / "benchmarks" / "data" / "issues-two.jsonl"
# A second Japanese-market set from pages no other set cites (ISPs, hosting, M365/Workspace
# tenants, SendGrid Japan, enterprise gateways, greylisting), labelled from each page
# (benchmarks/data/README.md).
JP_TWO = ROOT / "benchmarks" / "data" / "jp-two.jsonl"
DEV_SOURCE = "dev-set"  # the source id of rules that exist only because of a dev line
SMOKE_LINES = 12


def load_rows(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows[:limit] if limit is not None else rows


@dataclass
class Scored:
    """One line and what the classifier said about it."""

    row: dict[str, Any]
    reason: str
    rule_id: str
    permanent: bool | None  # None until Explanation carries the flag

    @property
    def expected(self) -> str:
        return str(self.row["expected_reason"])

    @property
    def right(self) -> bool:
        accepted = {self.expected, *(str(alt) for alt in self.row.get("alt_reasons") or [])}
        return self.reason in accepted


@dataclass
class Report:
    name: str
    scored: list[Scored] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return sum(item.right for item in self.scored)


def classify_rows(classifier: Classifier, rows: Iterable[dict[str, Any]]) -> list[Scored]:
    scored = []
    for row in rows:
        domain = str(row.get("recipient_domain") or "")
        email = str(row.get("email") or (f"user@{domain}" if domain else ""))
        kind = row.get("list")
        got = classifier.classify(
            str(row["reason_text"]),
            str(row.get("status") or ""),
            email,
            ListKind(kind) if kind else None,
        )
        permanent = getattr(got, "permanent", None)
        scored.append(Scored(row, got.reason, got.rule_id, permanent))
    return scored


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def print_report(
    report: Report,
    *,
    quiet: bool,
    plain: Report | None = None,
    ceiling: Sequence[dict[str, Any]] | None = None,
) -> None:
    total = len(report.scored)
    print(f"== {report.name}: {total} lines")
    print(f"overall: {report.correct}/{total} = {_percent(report.correct, total)}")
    if plain is not None:
        print(f"without rules citing {DEV_SOURCE}: {plain.correct}/{total}", end="")
        print(f" = {_percent(plain.correct, total)}")
    if ceiling is not None:
        print_ambiguity(ceiling)
    print_permanent(report.scored, quiet=quiet)
    by_reason: Counter[str] = Counter(item.expected for item in report.scored)
    right: Counter[str] = Counter(item.expected for item in report.scored if item.right)
    print(f"{'reason':<16}{'count':>6}{'correct':>9}{'%':>8}")
    for reason, count in sorted(by_reason.items(), key=lambda pair: (-pair[1], pair[0])):
        print(f"{reason:<16}{count:>6}{right[reason]:>9}{_percent(right[reason], count):>8}")
    if not quiet:
        misses = [item for item in report.scored if not item.right]
        print(f"misclassified ({len(misses)}):")
        for item in misses:
            print(f"- expected {item.expected}, got {item.reason} [{item.rule_id or '-'}]", end="")
            print(f" status={item.row.get('status')!r} domain={item.row.get('recipient_domain')!r}")
            print(f"    {_short(item.row)}")
    print()


def print_permanent(scored: Sequence[Scored], *, quiet: bool) -> None:
    labelled = [item for item in scored if isinstance(item.row.get("permanent"), bool)]
    if not labelled:
        return
    known = [item for item in labelled if item.permanent is not None]
    if not known:
        print("permanent: not measured (Explanation has no permanent flag)")
        return
    agree = sum(item.permanent == item.row["permanent"] for item in known)
    temporary = [item for item in known if item.row["permanent"] is False]
    called_permanent = [item for item in temporary if item.permanent]
    print(f"permanent right: {agree}/{len(known)} = {_percent(agree, len(known))}")
    print(f"temporary texts called permanent: {len(called_permanent)} of {len(temporary)}")
    if not quiet:
        for item in called_permanent:
            print(f"  ! {item.reason} [{item.rule_id or '-'}] {_short(item.row)}")


def _accepted(row: dict[str, Any]) -> set[str]:
    return {str(row["expected_reason"]), *(str(alt) for alt in row.get("alt_reasons") or [])}


def input_key(row: dict[str, Any]) -> tuple[str, str, str]:
    """What the classifier sees of a line: its normalised text (addresses and digits after the
    leading codes masked, and here host names too: "name=example.org" and "name=example.net"
    are the same reply), its status and the recipient's host group."""
    text = str(row["reason_text"])
    # As the classifier does: without a recipient, the address the reply quotes names the host.
    quoted = _QUOTED_ADDRESS.search(text)
    domain = str(row.get("recipient_domain") or (quoted.group(1) if quoted else ""))
    return (
        _HOST_NAME.sub("#", normalise(text)),
        str(row.get("status") or "").strip(),
        host_group(domain),
    )


_QUOTED_ADDRESS = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_HOST_NAME = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
_NOT_A_WORD = re.compile(r"[^\w\s]|[\d_]")


def wording_key(row: dict[str, Any]) -> str:
    """Only the words of a line: leading codes, addresses, digits and punctuation dropped."""
    text = _HOST_NAME.sub("#", normalise(str(row["reason_text"])))
    return " ".join(_NOT_A_WORD.sub(" ", text[lead_end(text) :]).split())


def ambiguity(rows: Sequence[dict[str, Any]], key: Any) -> tuple[int, int, int]:
    """(ambiguous lines, groups, best achievable) when lines with the same ``key`` must get the
    same answer: per group, the answer accepted (label or alt_reasons) by most of its lines;
    the group's other lines cannot be right for any classifier that reads only ``key``."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    ambiguous = conflicting = best = 0
    for members in groups.values():
        candidates = set().union(*(_accepted(row) for row in members))
        most = max(sum(answer in _accepted(row) for row in members) for answer in candidates)
        best += most
        if most < len(members):
            ambiguous += len(members) - most
            conflicting += 1
    return ambiguous, conflicting, best


def print_ambiguity(rows: Sequence[dict[str, Any]]) -> None:
    """The ceiling the labels themselves set. Sisimai labels some refusals by the SMTP stage they
    came at (a user-unknown reply after DATA is ``filtered``), which the text does not carry, so
    equal texts can hold different labels; no rule can get every one of them right."""
    total = len(rows)
    for label, key in (
        ("same normalised text (hosts masked), status and host group", input_key),
        ("same words once codes, addresses, digits, punctuation dropped", wording_key),
    ):
        ambiguous, groups, best = ambiguity(rows, key)
        print(f"ambiguous ({label}): {ambiguous} lines in {groups} groups; ", end="")
        print(f"best achievable {best}/{total} = {_percent(best, total)}")


def rule_sources(classifier: Classifier) -> dict[str, frozenset[str]] | None:
    """Rule id -> the source ids it cites; ``None`` when no rule carries a ``sources`` field."""
    rules = classifier.rule_set.rules
    cited = {rule.id: frozenset(getattr(rule, "sources", None) or ()) for rule in rules}
    return cited if any(cited.values()) else None


def print_cross(dev: Report, catalogue: Report, sources: dict[str, frozenset[str]] | None) -> None:
    print("== rules that cite only one source, scored on the other")
    if sources is None:
        print("not measured: no rule carries a `sources` field")
        return
    dev_only = {rule for rule, cited in sources.items() if cited == {DEV_SOURCE}}
    catalogue_only = {rule for rule, cited in sources.items() if cited and DEV_SOURCE not in cited}
    uncited = sum(1 for cited in sources.values() if not cited)
    print(f"rules: {len(dev_only)} dev-only, {len(catalogue_only)} catalogue-only, ", end="")
    print(f"{uncited} without sources")
    for label, report, chosen in (
        ("catalogue set, decided by dev-only rules", catalogue, dev_only),
        ("dev set, decided by catalogue-only rules", dev, catalogue_only),
    ):
        picked = [item for item in report.scored if item.rule_id in chosen]
        good = sum(item.right for item in picked)
        print(f"{label}: {good}/{len(picked)} = {_percent(good, len(picked))}")


def without_dev_rules(classifier: Classifier) -> Classifier:
    """The same rules minus those that cite the dev set (they exist for one of its lines)."""
    rules = classifier.rule_set
    kept = tuple(r for r in rules.rules if DEV_SOURCE not in (getattr(r, "sources", ()) or ()))
    return Classifier(RuleSet(kept, rules.advice))


def print_by_source(reports: Sequence[Report], sources: dict[str, frozenset[str]] | None) -> None:
    if sources is None:
        return
    for report in reports:
        carried: Counter[str] = Counter()
        for item in report.scored:
            if item.right:
                carried.update(sources.get(item.rule_id) or ("(none)",))
        listing = ", ".join(f"{source} {count}" for source, count in carried.most_common())
        print(f"{report.name}: right answers by rule source: {listing}")


def _short(row: dict[str, Any]) -> str:
    return str(row["reason_text"]).replace("\n", " ")[:160]


def main(argv: list[str]) -> int:
    quiet = "--quiet" in argv
    limit = SMOKE_LINES if "--smoke" in argv else None
    paths = [Path(arg) for arg in argv if not arg.startswith("--")]
    classifier = Classifier.load()
    plain_classifier = without_dev_rules(classifier)
    sources = rule_sources(classifier)
    named = [(str(path), path) for path in paths] or [
        ("dev set (resources/sandbox/bounce-reasons.jsonl)", DEV_SET),
        ("provider catalogue (benchmarks/data/provider-catalogue.jsonl)", CATALOGUE_SET),
        *([("own catalogue (benchmarks/data/own-catalogue.jsonl)", OWN_CATALOGUE)]
          if OWN_CATALOGUE.exists() else []),
        *([("blind catalogue (benchmarks/data/blind-catalogue.jsonl)", BLIND_CATALOGUE)]
          if BLIND_CATALOGUE.exists() else []),
        *([("blind two (benchmarks/data/blind-two.jsonl)", BLIND_TWO)]
          if BLIND_TWO.exists() else []),
        *([("blind three (benchmarks/data/blind-three.jsonl)", BLIND_THREE)]
          if BLIND_THREE.exists() else []),
        *([("blind four (benchmarks/data/blind-four.jsonl)", BLIND_FOUR)]
          if BLIND_FOUR.exists() else []),
        *([("blind five (benchmarks/data/blind-five.jsonl)", BLIND_FIVE)]
          if BLIND_FIVE.exists() else []),
        *([("blind six (benchmarks/data/blind-six.jsonl)", BLIND_SIX)]
          if BLIND_SIX.exists() else []),
        *([("blind seven (benchmarks/data/blind-seven.jsonl)", BLIND_SEVEN)]
          if BLIND_SEVEN.exists() else []),
        *([("blind eight (benchmarks/data/blind-eight.jsonl)", BLIND_EIGHT)]
          if BLIND_EIGHT.exists() else []),
        *([("blind nine (benchmarks/data/blind-nine.jsonl)", BLIND_NINE)]
          if BLIND_NINE.exists() else []),
        *([("blind ten (benchmarks/data/blind-ten.jsonl)", BLIND_TEN)]
          if BLIND_TEN.exists() else []),
        *([("blind eleven (benchmarks/data/blind-eleven.jsonl)", BLIND_ELEVEN)]
          if BLIND_ELEVEN.exists() else []),
        *([("blind twelve (benchmarks/data/blind-twelve.jsonl)", BLIND_TWELVE)]
          if BLIND_TWELVE.exists() else []),
        *([("blind thirteen (benchmarks/data/blind-thirteen.jsonl)", BLIND_THIRTEEN)]
          if BLIND_THIRTEEN.exists() else []),
        *([("blind fourteen (benchmarks/data/blind-fourteen.jsonl)", BLIND_FOURTEEN)]
          if BLIND_FOURTEEN.exists() else []),
        *([("blind fifteen (benchmarks/data/blind-fifteen.jsonl)", BLIND_FIFTEEN)]
          if BLIND_FIFTEEN.exists() else []),
        *([("blind sixteen (benchmarks/data/blind-sixteen.jsonl)", BLIND_SIXTEEN)]
          if BLIND_SIXTEEN.exists() else []),
        *([("blind seventeen (benchmarks/data/blind-seventeen.jsonl)", BLIND_SEVENTEEN)]
          if BLIND_SEVENTEEN.exists() else []),
        *([("blind eighteen (benchmarks/data/blind-eighteen.jsonl)", BLIND_EIGHTEEN)]
          if BLIND_EIGHTEEN.exists() else []),
        *([("blind nineteen (benchmarks/data/blind-nineteen.jsonl)", BLIND_NINETEEN)]
          if BLIND_NINETEEN.exists() else []),
        *([("blind twenty (benchmarks/data/blind-twenty.jsonl)", BLIND_TWENTY)]
          if BLIND_TWENTY.exists() else []),
        *([("blind twenty-one (benchmarks/data/blind-twenty-one.jsonl)", BLIND_TWENTY_ONE)]
          if BLIND_TWENTY_ONE.exists() else []),
        *([("blind twenty-two (benchmarks/data/blind-twenty-two.jsonl)", BLIND_TWENTY_TWO)]
          if BLIND_TWENTY_TWO.exists() else []),
        *([("blind twenty-three (benchmarks/data/blind-twenty-three.jsonl)", BLIND_TWENTY_THREE)]
          if BLIND_TWENTY_THREE.exists() else []),
        *([("blind twenty-four (benchmarks/data/blind-twenty-four.jsonl)", BLIND_TWENTY_FOUR)]
          if BLIND_TWENTY_FOUR.exists() else []),
        *([("blind twenty-five (benchmarks/data/blind-twenty-five.jsonl)", BLIND_TWENTY_FIVE)]
          if BLIND_TWENTY_FIVE.exists() else []),
        *([("blind twenty-six (benchmarks/data/blind-twenty-six.jsonl)", BLIND_TWENTY_SIX)]
          if BLIND_TWENTY_SIX.exists() else []),
        *([("blind twenty-seven (benchmarks/data/blind-twenty-seven.jsonl)", BLIND_TWENTY_SEVEN)]
          if BLIND_TWENTY_SEVEN.exists() else []),
        *([("blind twenty-eight (benchmarks/data/blind-twenty-eight.jsonl)", BLIND_TWENTY_EIGHT)]
          if BLIND_TWENTY_EIGHT.exists() else []),
        *([("blind twenty-nine (benchmarks/data/blind-twenty-nine.jsonl)", BLIND_TWENTY_NINE)]
          if BLIND_TWENTY_NINE.exists() else []),
        *([("blind thirty (benchmarks/data/blind-thirty.jsonl)", BLIND_THIRTY)]
          if BLIND_THIRTY.exists() else []),
        *([("blind thirty-one (benchmarks/data/blind-thirty-one.jsonl)", BLIND_THIRTY_ONE)]
          if BLIND_THIRTY_ONE.exists() else []),
        *([("blind thirty-two (benchmarks/data/blind-thirty-two.jsonl)", BLIND_THIRTY_TWO)]
          if BLIND_THIRTY_TWO.exists() else []),
        *([("blind thirty-three (benchmarks/data/blind-thirty-three.jsonl)", BLIND_THIRTY_THREE)]
          if BLIND_THIRTY_THREE.exists() else []),
        *([("blind thirty-four (benchmarks/data/blind-thirty-four.jsonl)", BLIND_THIRTY_FOUR)]
          if BLIND_THIRTY_FOUR.exists() else []),
        *([("blind thirty-five (benchmarks/data/blind-thirty-five.jsonl)", BLIND_THIRTY_FIVE)]
          if BLIND_THIRTY_FIVE.exists() else []),
        *([("sisimai lexicon (benchmarks/data/sisimai-lexicon.jsonl)", SISIMAI_LEXICON)]
          if SISIMAI_LEXICON.exists() else []),
        *([("sisimai lhost (benchmarks/data/sisimai-lhost.jsonl)", SISIMAI_LHOST)]
          if SISIMAI_LHOST.exists() else []),
        *([("mta source (benchmarks/data/mta-source.jsonl)", MTA_SOURCE)]
          if MTA_SOURCE.exists() else []),
        *([("jp market (benchmarks/data/jp-market.jsonl)", JP_MARKET)]
          if JP_MARKET.exists() else []),
        *([("vendor docs (benchmarks/data/vendor-docs.jsonl)", VENDOR_DOCS)]
          if VENDOR_DOCS.exists() else []),
        *([("docs two (benchmarks/data/docs-two.jsonl)", DOCS_TWO)]
          if DOCS_TWO.exists() else []),
        *([("issues two (benchmarks/data/issues-two.jsonl)", ISSUES_TWO)]
          if ISSUES_TWO.exists() else []),
        *([("jp two (benchmarks/data/jp-two.jsonl)", JP_TWO)]
          if JP_TWO.exists() else []),
    ]  # fmt: skip
    reports = []
    for name, path in named:
        rows = load_rows(path, limit)
        report = Report(name, classify_rows(classifier, rows))
        plain = Report(name, classify_rows(plain_classifier, rows))
        ceiling = rows if path == DEV_SET else None
        print_report(report, quiet=quiet, plain=plain if sources is not None else None,
                     ceiling=ceiling)  # fmt: skip
        reports.append(report)
    if not paths:
        print_cross(reports[0], reports[1], sources)
    if "--by-source" in argv:
        print_by_source(reports, sources)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
