"""Plain data shared by the SendGrid sandbox modules: records, log entries, fault plans, scopes."""

from __future__ import annotations

from dataclasses import dataclass

LIST_KINDS: tuple[str, ...] = (
    "bounces",
    "blocks",
    "invalid_emails",
    "spam_reports",
    "unsubscribes",
)
# Lists that have a DELETE-many endpoint and a DELETE-one under /v3/suppression (unsubscribes use
# /v3/asm/suppressions/global instead).
DELETABLE_LISTS: tuple[str, ...] = ("bounces", "blocks", "invalid_emails", "spam_reports")

_LIST_SCOPES = tuple(
    f"suppression.{kind}.{verb}"
    for kind in LIST_KINDS
    for verb in ("create", "read", "update", "delete")
)

# Every scope the sandbox knows; a key mapped to ``None`` has all of them.
FULL_SCOPES: frozenset[str] = frozenset(
    (
        *_LIST_SCOPES,
        "suppression.create",
        "suppression.read",
        "suppression.update",
        "suppression.delete",
        "asm.suppressions.global.create",
        "asm.suppressions.global.read",
        "asm.suppressions.global.delete",
        "stats.read",
        "stats.global.read",
        "mail.send",
    )
)


@dataclass(frozen=True, slots=True)
class SandboxRecord:
    """One address on one list, as the sandbox stores it (``created`` in Unix seconds)."""

    list_kind: str
    email: str
    created: int
    reason: str = ""
    status: str = ""
    ip: str = ""


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request the sandbox received, with what it answered.

    ``path`` is the raw (still percent-encoded) path without the query string, so tests can check
    how a client encoded an address. ``status`` is 0 when the connection was dropped. ``fault``
    names an injected fault ("429", "500", "drop", "garbage", ...) or is ``None``.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int
    fault: str | None
    received_at: float = 0.0

    @property
    def on_behalf_of(self) -> str | None:
        return self.headers.get("on-behalf-of")


_FAULT_NAMES = {"429": "p429", "500": "p500", "drop": "drop", "garbage": "garbage"}


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Per-request probabilities of injected faults; they are mutually exclusive per request."""

    p429: float = 0.0
    p500: float = 0.0
    drop: float = 0.0
    garbage: float = 0.0

    def __post_init__(self) -> None:
        values = (self.p429, self.p500, self.drop, self.garbage)
        if any(not 0.0 <= value <= 1.0 for value in values):
            raise ValueError(f"障害の確率は 0 以上 1 以下にしてください: {values}")
        if sum(values) > 1.0 + 1e-9:
            raise ValueError(f"障害の確率の合計が 1 を超えています: {values}")

    @property
    def active(self) -> bool:
        return any((self.p429, self.p500, self.drop, self.garbage))

    def pick(self, draw: float) -> str | None:
        """Map a uniform draw in [0, 1) to a fault name, or ``None`` for a normal answer."""
        threshold = 0.0
        for name, probability in (
            ("429", self.p429),
            ("500", self.p500),
            ("drop", self.drop),
            ("garbage", self.garbage),
        ):
            threshold += probability
            if draw < threshold:
                return name
        return None

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        """Parse ``"429=0.05,500=0.05,drop=0.02,garbage=0.01"`` (any subset, any order)."""
        values: dict[str, float] = {}
        for item in text.split(","):
            item = item.strip()
            if not item:
                continue
            name, sep, raw = item.partition("=")
            key = _FAULT_NAMES.get(name.strip().lower())
            if not sep or key is None:
                names = ", ".join(_FAULT_NAMES)
                raise ValueError(
                    f"障害の指定 {item!r} を読み取れません。名前=確率 の形で、名前は {names} の"
                    "どれかにしてください（例: 429=0.05,drop=0.02）"
                )
            try:
                values[key] = float(raw)
            except ValueError:
                raise ValueError(f"障害の指定 {item!r} の確率が数値ではありません") from None
        return cls(**values)


@dataclass(slots=True)
class ScriptedFault:
    """A fault queued by ``fail_next``: applies to the next ``remaining`` matching requests."""

    kind: str  # "drop", "garbage" or an HTTP status code as text
    remaining: int
    path_prefix: str | None = None
    method: str | None = None  # None: any method

    def matches(self, path: str, method: str) -> bool:
        return (self.path_prefix is None or path.startswith(self.path_prefix)) and (
            self.method is None or self.method == method
        )
