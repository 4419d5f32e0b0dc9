"""Rule engine: load ordered rules from resources/rules/*.toml and match normalised reason texts.

The rules are data; this module reads, validates and compiles them into a ``RuleSet``
(``rule_set.py``), which evaluates them. Matching runs on a *normalised* text (``normalise.py``:
NFKC, lower case, one space, addresses/IPs/long numbers masked), so the classifier may memoise on
that text: two reasons that normalise alike always get the same answer. The engine's public names
stay importable from here.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from app.core.classify.facts import Facts, extract_facts
from app.core.classify.folding import ZERO_BYTES, fold_codes, trim_gsmtp, zero_digits
from app.core.classify.literals import required_literals
from app.core.classify.normalise import (
    LEAD_MATCH,
    LEAD_START,
    canonical,
    canonical_ids,
    lead_end,
    normalise,
)
from app.core.classify.provider_ids import may_hold_ids, provider_id_spans, provider_ids
from app.core.classify.rule_set import Advice, Example, Rule, RuleSet, any_matches
from app.core.classify.vocabulary import REASONS
from app.core.classify.wrappers import wrapper_match
from app.core.regular_files import read_regular_file

__all__ = [
    "HOST_LAYER", "LEAD_MATCH", "LEAD_START", "SOURCES_FILE", "ZERO_BYTES", "Advice", "Example",
    "Facts", "Rule", "RuleError", "RuleSet", "any_matches", "canonical", "canonical_ids",
    "extract_facts", "fold_codes", "lead_end", "load_rules", "load_sources", "may_hold_ids",
    "normalise", "provider_id_spans", "provider_ids", "trim_gsmtp", "wrapper_match", "zero_digits",
]  # fmt: skip


class RuleError(ValueError):
    """A rule file is malformed (raised at load time, never while classifying)."""


_RULE_KEYS = {
    "id", "reason", "any", "all", "none", "codes", "no_codes", "reply", "hosts", "lists",
    "explanation_ja", "fix_ja", "delete_ja", "examples", "note", "sources", "temporary", "lasting",
    "label_ja",
}  # fmt: skip
# A rule's own short label: one line, as short as the reasons' (the grid and report show it).
LABEL_MAX_CHARS = 20
# A file declaring `layer = "hosts"` is a mailbox-provider catalogue: every rule in it must name
# the host groups it is for, so provider knowledge can never fire for another provider's users.
HOST_LAYER = "hosts"
SOURCES_FILE = "sources.toml"
# The shipped rule files are tens of KB; --rules-dir may name a folder holding anything.
MAX_RULE_FILE_BYTES = 16 * 1024 * 1024


def _read_text(path: Path) -> str:
    """A rule file's text; a device, pipe or folder, or a file past the limit, is an OSError."""
    return read_regular_file(path, MAX_RULE_FILE_BYTES).decode("utf-8")


_LIST_KINDS = {"bounces", "blocks", "invalid_emails", "spam_reports", "unsubscribes"}


def _globs(patterns: Iterable[str], where: str) -> re.Pattern[str] | None:
    patterns = list(patterns)
    if not patterns:
        return None
    for pattern in patterns:
        if not isinstance(pattern, str) or not re.fullmatch(r"[0-9?*.\[\]-]*", pattern):
            raise RuleError(f"{where}: bad code pattern {pattern!r}")
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def _regexes(patterns: object, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise RuleError(f"{where}: expected a list of regular expressions")
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    except re.error as error:
        raise RuleError(f"{where}: {error}") from None


def _example(raw: object, where: str) -> Example:
    if isinstance(raw, str):
        return Example(raw)
    if isinstance(raw, dict) and isinstance(raw.get("text"), str):
        return Example(
            raw["text"], str(raw.get("status", "")), str(raw.get("email", "")),
            str(raw.get("list", "")),
        )  # fmt: skip
    raise RuleError(f"{where}: an example is a string or {{text=..., status=..., email=...}}")


def _rule(
    raw: dict[str, object], source: str, seen: set[str], known_sources: frozenset[str],
    host_layer: bool,
) -> Rule:  # fmt: skip
    rule_id = raw.get("id")
    where = f"{source}: rule {rule_id!r}"
    if not isinstance(rule_id, str) or not rule_id or rule_id in seen:
        raise RuleError(f"{where}: missing or duplicate id")
    seen.add(rule_id)
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    reason = raw.get("reason")
    if reason not in REASONS:
        raise RuleError(f"{where}: unknown reason {reason!r}")
    # TOML values are typed `object`; the casts only tell mypy the expected shape, the checks
    # below (and in _globs/_example) reject anything else at load time, as before.
    lists = frozenset(cast("Iterable[str]", raw.get("lists", [])))
    if not lists <= _LIST_KINDS:
        raise RuleError(f"{where}: unknown list in {sorted(lists)}")
    examples = tuple(
        _example(item, where) for item in cast("Iterable[object]", raw.get("examples", []))
    )
    if not examples:
        raise RuleError(f"{where}: every rule needs at least one example")
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(x, str) for x in sources):
        raise RuleError(f"{where}: every rule names its public sources (sources = [...])")
    unknown_sources = set(sources) - known_sources
    if unknown_sources:
        raise RuleError(f"{where}: sources not in {SOURCES_FILE}: {sorted(unknown_sources)}")
    if host_layer and not raw.get("hosts"):
        raise RuleError(f"{where}: a host-catalogue rule needs hosts = [...]")
    temporary = raw.get("temporary", False)
    lasting = raw.get("lasting", False)
    if not isinstance(temporary, bool) or not isinstance(lasting, bool) or (temporary and lasting):
        raise RuleError(f"{where}: temporary and lasting are true or false, not both true")
    any_patterns = _regexes(raw.get("any", []), where)
    texts = {key: raw.get(key, "") for key in ("explanation_ja", "fix_ja", "delete_ja", "label_ja")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise RuleError(f"{where}: Japanese texts must be strings")
    label = str(texts["label_ja"])
    if len(label) > LABEL_MAX_CHARS or "\n" in label:
        raise RuleError(f"{where}: label_ja is one line of at most {LABEL_MAX_CHARS} characters")
    guarded = tuple((required_literals(p.pattern), p) for p in any_patterns)
    return Rule(
        id=rule_id,
        reason=str(reason),
        any=any_patterns,
        any_guarded=guarded,
        all=_regexes(raw.get("all", []), where),
        none=_regexes(raw.get("none", []), where),
        codes=_globs(cast("Iterable[str]", raw.get("codes", [])), where),
        no_codes=_globs(cast("Iterable[str]", raw.get("no_codes", [])), where),
        reply=_globs(cast("Iterable[str]", raw.get("reply", [])), where),
        hosts=frozenset(cast("Iterable[str]", raw.get("hosts", []))),
        lists=lists,
        explanation_ja=str(texts["explanation_ja"]),
        fix_ja=str(texts["fix_ja"]),
        delete_ja=str(texts["delete_ja"]),
        label_ja=label,
        examples=examples,
        source_file=source,
        sources=tuple(sources),
        temporary=temporary,
        lasting=lasting,
    )


def load_sources(rules_dir: Path) -> dict[str, dict[str, str]]:
    """``sources.toml``: id -> {title, url} of every public page a rule may cite."""
    path = rules_dir / SOURCES_FILE
    try:
        data = tomllib.loads(_read_text(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RuleError(f"{SOURCES_FILE}: {error}") from None
    except RecursionError:  # tomllib nests one call per bracket
        raise RuleError(f"{SOURCES_FILE}: nested too deep") from None
    table: dict[str, dict[str, str]] = {}
    for key, value in data.get("source", {}).items():
        if not isinstance(value, dict) or not isinstance(value.get("title"), str):
            raise RuleError(f"{SOURCES_FILE}: source {key!r} needs a title")
        if not isinstance(value.get("url"), str):
            raise RuleError(f"{SOURCES_FILE}: source {key!r} needs a url")
        table[key] = {"title": value["title"], "url": value["url"]}
    return table


def load_rules(rules_dir: Path) -> RuleSet:
    """Read every rule ``*.toml`` in name order; rules keep file order, then in-file order."""
    files = sorted(path for path in rules_dir.glob("*.toml") if path.name != SOURCES_FILE)
    if not files:
        raise RuleError(f"no rule files in {rules_dir}")
    known_sources = frozenset(load_sources(rules_dir))
    rules: list[Rule] = []
    advice: list[Advice] = []
    seen: set[str] = set()
    for path in files:
        try:
            data = tomllib.loads(_read_text(path))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise RuleError(f"{path.name}: {error}") from None
        except RecursionError:  # "x = [[[[..." 100,000 deep (a --rules-dir file)
            raise RuleError(f"{path.name}: nested too deep") from None
        host_layer = data.get("layer") == HOST_LAYER
        rules.extend(
            _rule(raw, path.name, seen, known_sources, host_layer) for raw in data.get("rule", [])
        )
        for raw in data.get("advice", []):
            if not isinstance(raw.get("fix_ja"), str) or not raw.get("hosts"):
                raise RuleError(f"{path.name}: advice {raw.get('id')!r} needs hosts and fix_ja")
            advice.append(
                Advice(
                    str(raw.get("id", "")),
                    frozenset(raw["hosts"]),
                    frozenset(raw.get("reasons", [])),
                    raw["fix_ja"],
                    raw.get("generic_fix_only") is True,
                )
            )
    return RuleSet(tuple(rules), tuple(advice))
