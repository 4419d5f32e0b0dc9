"""LLM refinement schema (strict reply validation) and its SQLite cache keyed by template."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from app.core.classify.template import HELP_HOSTS
from app.core.classify.vocabulary import REASONS as REASON_TABLE
from app.core.control_chars import BIDI, C0_BUT_TAB_LF, DEL_AND_C1, ZERO_WIDTH

log = logging.getLogger(__name__)

# One vocabulary: the reason table of vocabulary.py decides every category, so a reason lands
# in the same category whether or not AI refinement ran.
CATEGORY_OF: dict[str, str] = {name: info.category for name, info in REASON_TABLE.items()}
REASONS: tuple[str, ...] = tuple(CATEGORY_OF)
LABEL_MAX = 40
TEXT_MAX = 400
_ITEM_KEYS = frozenset({"index", "reason", "permanent", "label_ja", "explanation_ja", "action_ja"})
# Lone surrogates too: a reply may escape one ("\\ud800"), and such text has no UTF-8 form
# (the cache's SQLite insert raised UnicodeEncodeError and lost the whole refinement).
_CONTROL = re.compile(
    f"[{C0_BUT_TAB_LF}\t{DEL_AND_C1}{ZERO_WIDTH}{BIDI}\u2060-\u2065\ufeff\ud800-\udfff]"
)
# HTML tags and entities, and Markdown links and images ("[text](target)", "![](src)"): the
# texts go into Zendesk notes, which render Markdown, and a link needs no scheme to be one.
_MARKUP = re.compile(r"<\s*[/!?]?\s*[A-Za-z][^>]*>|&#?[A-Za-z0-9]{1,10};|\]\s*\(|!\[")
_URL_HOST = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*)://([^/\s?#:]+)")
_ADDRESS = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS refinement (
    template      TEXT NOT NULL,
    status_class  TEXT NOT NULL,
    list_kind     TEXT NOT NULL,
    model         TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    reason        TEXT NOT NULL,
    category      TEXT NOT NULL,
    permanent     INTEGER NOT NULL,
    label_ja      TEXT NOT NULL,
    explanation_ja TEXT NOT NULL,
    action_ja     TEXT NOT NULL,
    created_at    REAL NOT NULL,
    PRIMARY KEY (template, status_class, list_kind, model, prompt_version)
) WITHOUT ROWID
"""


@dataclass(frozen=True, slots=True)
class CacheKey:
    """One work unit: the same masked text in the same context gets the same explanation."""

    template: str
    status_class: str
    list_kind: str
    model: str
    prompt_version: str


@dataclass(frozen=True, slots=True)
class Refinement:
    """The fields an LLM reply may contribute, after ``check_refinement``."""

    reason: str
    category: str
    permanent: bool
    label_ja: str
    explanation_ja: str
    action_ja: str
    created_at: float = 0.0


class ExplanationCache:
    """SQLite in WAL mode; one connection guarded by a lock, so any thread may call it.

    Rows are validated again when read (the file lives in the user's profile and could have
    been edited); invalid rows count as misses.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError:
            # A damaged cache is worth nothing: keep it aside for inspection and start afresh.
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.warning("explanation cache unreadable, moved to %s", aside.name)
            self.path.replace(aside)
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            conn.commit()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def get_many(self, keys: Iterable[CacheKey]) -> dict[CacheKey, Refinement]:
        found: dict[CacheKey, Refinement] = {}
        with self._lock:
            for key in keys:
                row = self._conn.execute(
                    "SELECT reason, category, permanent, label_ja, explanation_ja, action_ja,"
                    " created_at FROM refinement WHERE template=? AND status_class=?"
                    " AND list_kind=? AND model=? AND prompt_version=?",
                    _key_tuple(key),
                ).fetchone()
                if row is None:
                    continue
                try:
                    ref = check_refinement(row[0], bool(row[2]), row[3], row[4], row[5])
                except ValueError:
                    continue  # edited or from an older, laxer version: ask again
                found[key] = replace(ref, created_at=float(row[6]))
        return found

    def put_many(self, rows: Sequence[tuple[CacheKey, Refinement]]) -> None:
        if not rows:
            return
        now = time.time()
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO refinement VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        *_key_tuple(key),
                        ref.reason,
                        ref.category,
                        int(ref.permanent),
                        ref.label_ja,
                        ref.explanation_ja,
                        ref.action_ja,
                        ref.created_at or now,
                    )
                    for key, ref in rows
                ],
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM refinement").fetchone()[0])

    def forget_text(self, text: str) -> int:
        """Drop cached refinements whose template or reply mentions ``text`` (an address the
        operator asked to erase; templates mask addresses, this catches what slipped through)."""
        if not text.strip():
            return 0
        like = (
            "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        with self._lock, self._conn:
            cursor = self._conn.execute(
                "DELETE FROM refinement WHERE template LIKE ?1 ESCAPE '\\'"
                " OR label_ja LIKE ?1 ESCAPE '\\' OR explanation_ja LIKE ?1 ESCAPE '\\'"
                " OR action_ja LIKE ?1 ESCAPE '\\'",
                (like,),
            )
            return int(cursor.rowcount)

    def clear(self) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM refinement")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ExplanationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _key_tuple(key: CacheKey) -> tuple[str, str, str, str, str]:
    return (key.template, key.status_class, key.list_kind, key.model, key.prompt_version)


def check_refinement(
    reason: object, permanent: object, label: object, text: object, action: object
) -> Refinement:
    """Build a Refinement from untrusted values or raise ``ValueError`` saying what is wrong.

    Texts must be plain: no markup, control or bidi characters, addresses or links to unknown
    sites (a prompt injection in a reason could otherwise put a phishing link in front of
    the operator); the category is always derived from the reason, never taken from outside.
    """
    if type(permanent) is not bool:
        raise ValueError("permanent is not a boolean")
    if not isinstance(reason, str) or reason not in CATEGORY_OF:
        raise ValueError("reason outside the vocabulary")
    return Refinement(
        reason=reason,
        category=CATEGORY_OF[reason],
        permanent=permanent,
        label_ja=_plain_text(label, LABEL_MAX, "label_ja", multiline=False),
        explanation_ja=_plain_text(text, TEXT_MAX, "explanation_ja"),
        action_ja=_plain_text(action, TEXT_MAX, "action_ja"),
    )


def _plain_text(value: object, limit: int, name: str, *, multiline: bool = True) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a string")
    text = value.strip()
    if not text or len(text) > limit:
        raise ValueError(f"{name} length {len(text)} outside 1..{limit}")
    if _CONTROL.search(text) or (not multiline and "\n" in text):
        raise ValueError(f"{name} contains control characters")
    if _MARKUP.search(text):
        raise ValueError(f"{name} contains markup")
    if _ADDRESS.search(text):
        raise ValueError(f"{name} contains an address")
    for host in _URL_HOST.findall(text):
        if host.lower() not in HELP_HOSTS:
            raise ValueError(f"{name} links to an unknown site")
    return text


def parse_reply(content: str, batch_len: int) -> tuple[dict[int, Refinement], list[str]]:
    """Strict hand-written schema check of a reply to a batch of ``batch_len`` templates.

    Raises ``ValueError`` when the reply as a whole is unusable; otherwise returns the valid
    answers by template index and a short line per rejected item.
    """
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        raise ValueError("invalid JSON") from None
    if not isinstance(data, dict) or set(data) != {"items"} or not isinstance(data["items"], list):
        raise ValueError("reply off schema")
    if len(data["items"]) > batch_len:
        raise ValueError("reply off schema (too many items)")
    answers: dict[int, Refinement] = {}
    problems: list[str] = []
    duplicates: set[int] = set()
    for raw in data["items"]:
        try:
            index, ref = _validate_item(raw, batch_len)
        except ValueError as exc:
            problems.append(f"item rejected: {exc}")
            continue
        if index in answers:
            duplicates.add(index)
        answers[index] = ref
    for index in duplicates:
        del answers[index]  # two answers for one template: trust neither
        problems.append(f"item rejected: duplicate index {index}")
    return answers, problems


def _validate_item(raw: object, batch_len: int) -> tuple[int, Refinement]:
    if not isinstance(raw, dict) or set(raw) != _ITEM_KEYS:
        raise ValueError("wrong keys")
    index = raw["index"]
    if type(index) is not int or not 0 <= index < batch_len:
        raise ValueError("bad index")
    ref = check_refinement(
        raw["reason"], raw["permanent"], raw["label_ja"], raw["explanation_ja"], raw["action_ja"]
    )
    return index, ref
