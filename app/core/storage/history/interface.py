"""The history storage interface: records that cross it and the Protocol every backend implements.

SQLite (``sqlite_store.SqliteHistoryStore``) is the only backend today; a team server database
(PostgreSQL) will implement the same ``HistoryStorage`` Protocol. No SQL here, and none outside
this package: the fetch logic (app/core/history/) talks to storage only through these methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from app.core.errors import TodokuError
from app.core.types import Explanation, ListKind, SuppressionEntry

# ListKind ⇄ the small integer stored per row (one byte instead of a list name).
LIST_CODES: tuple[ListKind, ...] = tuple(ListKind)
LIST_CODE: dict[ListKind, int] = {kind: code for code, kind in enumerate(LIST_CODES)}


# How a history error's next step begins when a fetch met it (the fetched rows are shown all
# the same); a report, which fetches nothing, leaves it out (``without_fetch_note``).
FETCHED_LIST_USABLE = "取得した一覧はそのまま使えます。"


class HistoryError(TodokuError):
    """The history file could not be read or written (the fetched entries are not lost)."""

    default_message_ja = "取得履歴を読み書きできませんでした。"
    default_next_step_ja = (
        FETCHED_LIST_USABLE + "ディスクの空き容量とデータフォルダの権限を確認してください。"
    )

    def without_fetch_note(self) -> HistoryError:
        """This error for a use of history that fetched nothing (a report): the same, minus
        the sentence saying the fetched list is still usable."""
        rest = self.next_step_ja.removeprefix(FETCHED_LIST_USABLE)
        if rest and rest != self.next_step_ja:
            self.next_step_ja = rest
        return self


class HistoryDiskFullError(HistoryError):
    default_message_ja = "ディスクがいっぱいのため、取得履歴に記録できませんでした。"
    default_next_step_ja = (
        FETCHED_LIST_USABLE + "ディスクの空きを増やしてから、もう一度取得してください。"
    )


class HistorySchemaTooNewError(HistoryError):
    default_message_ja = "取得履歴のファイルが新しい版の Todoku で作られているため、開けません。"
    default_next_step_ja = (
        "Todoku を最新版に更新してください。"
        "ファイルには手を加えていません（履歴なしで動作します）。"
    )


class HistoryPermissionError(HistoryError):
    """No permission to read the file or to write where SQLite must (a WAL history needs its
    ``-shm`` file beside it even to read): the file is left as it is, never called broken."""

    default_message_ja = (
        "取得履歴のファイルまたはそのフォルダに読み書きの権限がないため、取得履歴を開けません。"
    )
    default_next_step_ja = (
        FETCHED_LIST_USABLE + "取得履歴のファイルとフォルダに、このユーザーの"
        "読み取りと書き込みの権限があるか確認してください。ファイルには手を加えていません。"
    )


class HistoryInUseError(HistoryError):
    """Another connection (another Todoku window, a todoku-cli fetch) held the file's lock past
    the busy wait: nothing is wrong with the disk, the rights or the file."""

    default_message_ja = (
        "取得履歴のファイルをほかのプログラム（別の Todoku の画面や todoku-cli の取得など）が"
        "使用中のため、取得履歴を読み書きできませんでした。"
    )
    default_next_step_ja = (
        FETCHED_LIST_USABLE + "ほかの Todoku や todoku-cli の処理が終わってから、"
        "もう一度お試しください。ファイルには手を加えていません。"
    )


class HistoryNotAFileError(HistoryError):
    """The history path is a device, pipe, socket or folder: refused untouched, never read."""

    default_message_ja = (
        "取得履歴の保存先が通常のファイルではない（デバイス・パイプ・フォルダなど）"
        "ため、使えません。"
    )
    default_next_step_ja = (
        "取得履歴の保存先には通常のファイル名を指定してください。"
        "指定された場所には手を加えていません。"
    )


class HistoryRecovered(HistoryError):
    """Not raised: kept on the store as ``recovery_notice`` when a bad file was moved aside."""

    default_message_ja = (
        "取得履歴のファイルが壊れているか、Todoku のものではないため、新しく作り直しました。"
    )
    default_next_step_ja = (
        "元のファイルは削除せず、同じフォルダに名前を変えて残しています（詳細を参照）。"
        "必要なら担当者に渡してください。"
    )


class HistoryConnectionChangedError(HistoryError):
    """Another fetch of the account, with another API key or endpoint, was recorded while this
    one ran (two operators of a team, two windows): this fetch is not merged into the other
    connection's history."""

    default_message_ja = (
        "取得中に、同じアカウントが別の API キーまたは接続先で取得されたため、"
        "今回の取得を取得履歴に記録しませんでした。"
    )
    default_next_step_ja = (
        FETCHED_LIST_USABLE + "設定の API キーと接続先を確かめてから、もう一度取得してください。"
    )


class ConnectionSwitch(StrEnum):
    """What ``HistoryStorage.use_connection`` found for an account's connection stamp."""

    FIRST = "first"  # no history for this account yet
    SAME = "same"  # the history was fetched with this connection
    ADOPTED = "adopted"  # history from before stamps existed: taken as this connection's
    CHANGED = "changed"  # another connection's history was set aside; this one starts empty
    RESTORED = "restored"  # another's was set aside and this connection's earlier one is back

    @property
    def switched(self) -> bool:
        return self in (ConnectionSwitch.CHANGED, ConnectionSwitch.RESTORED)


# The name a connection's history is kept under once another connection took its account:
# the account's name, then the start of the stamp (no secret: see connection_stamp.py).
PARKED_FORMAT = "{name}（以前の接続 {short}）"


def parked_key(account: AccountKey, connection: str) -> AccountKey:
    """Where ``account``'s history fetched with ``connection`` is kept while another connection
    uses the account (``todoku-cli report --account`` can read it under that name)."""
    short = connection.partition(":")[2][:12] or connection[:12]
    return replace(account, account=PARKED_FORMAT.format(name=account.account, short=short))


class GoneBy(StrEnum):
    """Why a history row is no longer on its list."""

    TODOKU = "todoku"  # deleted by Todoku (the deletion journal says so)
    ELSEWHERE = "elsewhere"  # 他所で削除: a full pass no longer saw it (console, another tool)

    @property
    def label_ja(self) -> str:
        return "Todoku で削除" if self is GoneBy.TODOKU else "他所で削除"


@dataclass(frozen=True, slots=True)
class AccountKey:
    """Which account rows belong to; two keys that differ in any field never share a row."""

    provider: str = "sendgrid"
    account: str = "既定"  # the operator's name for the account (CLI --account)
    subuser: str = ""
    region: str = "global"
    practice: bool = False  # the loopback sandbox: never mixed with a real account


@dataclass(frozen=True, slots=True)
class Deletion:
    """One successful delete by Todoku, as the deletion journal recorded it."""

    list_kind: ListKind
    email: str
    deleted_at: datetime
    created: datetime | None = None  # of the listing it removed (a return's date, see 再発)
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Coverage:
    """What history holds completely for one list: a window and the newest ``created`` in it."""

    list_kind: ListKind
    start_time: int  # Unix seconds, inclusive
    end_time: int
    high_water: int  # newest ``created`` seen (start_time when the list was empty)


@dataclass(frozen=True, slots=True)
class FetchWrite:
    """Everything one fetch adds to history, written in one transaction (all or nothing)."""

    account: AccountKey
    lists: tuple[ListKind, ...]
    range_start: int  # the whole range the operator asked for (Unix seconds, inclusive)
    range_end: int
    # Per list, where the provider was asked from; rows of [asked_start, range_end] it did not
    # return are 他所で削除 (unless the journal says Todoku deleted them).
    asked_start: dict[ListKind, int]
    full: bool  # every list was asked for the whole range (kept in the fetch record)
    fetched_at: datetime
    entries: Sequence[SuppressionEntry]
    explanations: Sequence[Explanation] | None  # index for index with entries, or None
    deletions: Sequence[Deletion] = ()  # the journal's successful deletes for this account
    requests: int = 0
    # The stamp of the connection fetched with (app/core/history/connection_stamp.py), or None
    # (practice mode, a caller that does not know it): the account's must be the same.
    connection: str | None = None


@dataclass(frozen=True, slots=True)
class FetchSummary:
    fetch_id: int
    new: int  # 新着: listings not seen by the previous fetch
    returned: int  # 再発 noticed in this fetch
    gone_elsewhere: int  # 他所で削除 noticed in this fetch
    gone_todoku: int  # rows closed because the journal says Todoku deleted them


@dataclass(frozen=True, slots=True)
class Return:
    """An address Todoku deleted that was listed again (再発): one per deletion."""

    list_kind: ListKind
    email: str
    deleted_at: datetime
    returned_at: datetime  # ``created`` of the new listing
    reason: str
    noticed_at: datetime


@dataclass(frozen=True, slots=True)
class Recurrence:
    """How often an address came back after Todoku deleted it (for the grid and dialogs)."""

    email: str
    returns: tuple[Return, ...]

    @property
    def count(self) -> int:
        return len(self.returns)


@dataclass(frozen=True, slots=True)
class BucketCount:
    """One cell of a trend table: ``bucket`` is ``YYYY-MM`` or the Monday ``YYYY-MM-DD``."""

    bucket: str
    key: str  # a category, a domain, a list name, or "" for totals
    count: int


class TrendBucket(StrEnum):
    MONTH = "month"
    WEEK = "week"


class TrendKey(StrEnum):
    CATEGORY = "category"
    DOMAIN = "domain"
    LIST = "list"
    CAUSE = "cause"  # the explanation (label_ja) of the row


def stamp(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


# (list_code, email, created, status_id, reason_id, explanation_id, first_seen, last_seen,
# listed_fetch, domain_id): one row of ``entries`` as open_range reads it.
StoredRow = tuple[int, str, int, int, int, int | None, int, int, int, int]


class HistoryRows:
    """Rows of one range as stored: light tuples, objects built only when a row is shown.

    ``rows[i]`` is a ``StoredRow`` (list_code, email, created, status_id, reason_id,
    explanation_id, first_seen, last_seen, listed_fetch, domain_id); ``texts`` and
    ``explanations`` resolve the ids (a domain text is the address's lower-case domain).
    Building 150k frozen dataclasses up front would cost more than reading the rows.
    """

    __slots__ = ("explanations", "latest_fetch", "rows", "texts")

    def __init__(
        self,
        rows: list[StoredRow],
        texts: dict[int, str],
        explanations: dict[int, Explanation],
        latest_fetch: int,
    ) -> None:
        self.rows = rows
        self.texts = texts
        self.explanations = explanations
        self.latest_fetch = latest_fetch

    def __len__(self) -> int:
        return len(self.rows)

    def entry(self, index: int) -> SuppressionEntry:
        return self.entry_of(self.rows[index])

    def explanation(self, index: int) -> Explanation | None:
        return self.explanation_of(self.rows[index])

    # One stored row (an item of ``rows``) decoded; the grid keeps such rows and decodes only
    # what it shows (app/core/history/entry_rows.py).
    def entry_of(self, row: StoredRow) -> SuppressionEntry:
        code, email, created, status_id, reason_id = row[:5]
        return SuppressionEntry(
            LIST_CODES[code],
            email,
            datetime.fromtimestamp(created, tz=UTC),
            self.texts.get(status_id, ""),
            expand_reason(self.texts.get(reason_id, ""), email),
        )

    def explanation_of(self, row: StoredRow) -> Explanation | None:
        explanation_id = row[5]
        return None if explanation_id is None else self.explanations.get(explanation_id)

    def status_of(self, row: StoredRow) -> str:
        return self.texts.get(row[3], "")

    def domain_of(self, row: StoredRow) -> str:
        return self.texts.get(row[9], "")

    def reason_of(self, row: StoredRow) -> str:
        return expand_reason(self.texts.get(row[4], ""), row[1])

    def is_new(self, index: int) -> bool:
        """新着: first listed by the most recent fetch of this account."""
        return self.rows[index][8] == self.latest_fetch

    def first_seen(self, index: int) -> datetime:
        return datetime.fromtimestamp(self.rows[index][6], tz=UTC)

    def last_seen(self, index: int) -> datetime:
        return datetime.fromtimestamp(self.rows[index][7], tz=UTC)

    def entries(self) -> tuple[SuppressionEntry, ...]:
        return tuple(self.entry(i) for i in range(len(self.rows)))


# A reason is stored once per template: the recipient's exact address becomes _ADDRESS_MARK.
# A reason that already holds the mark (a control character: practically never) is stored
# verbatim behind _VERBATIM, so expanding is always exact.
_ADDRESS_MARK = "\x1e"
_VERBATIM = "\x1f"


def reason_to_template(reason: str, email: str) -> str:
    if _ADDRESS_MARK in reason or reason.startswith(_VERBATIM):
        return _VERBATIM + reason
    return reason.replace(email, _ADDRESS_MARK) if email else reason


def expand_reason(template: str, email: str) -> str:
    if template.startswith(_VERBATIM):
        return template[1:]
    return template.replace(_ADDRESS_MARK, email) if _ADDRESS_MARK in template else template


class HistoryStorage(Protocol):
    """What the fetch logic, the report and the UI need from a history backend.

    Every method raises ``HistoryError`` (or a subclass) on failure; writes are atomic.
    """

    recovery_notice: HistoryRecovered | None

    def close(self) -> None: ...

    # -- fetch bookkeeping ---------------------------------------------------------------------
    def coverage(self, account: AccountKey, lists: Iterable[ListKind]) -> dict[ListKind, Coverage]:
        """Per list, the window history holds completely (lists never fetched are absent)."""
        ...

    def record_fetch(self, write: FetchWrite) -> FetchSummary:
        """Merge one fetch in a single transaction; nothing of it is visible if it fails.
        Raises ``HistoryConnectionChangedError`` when ``write.connection`` is not the account's
        (another connection took it meanwhile)."""
        ...

    def use_connection(self, account: AccountKey, connection: str) -> ConnectionSwitch:
        """Make ``account``'s history the one fetched with ``connection`` (one transaction):
        another connection's is set aside under ``parked_key`` and this connection's earlier
        one, if set aside, comes back. Called before a fetch reads coverage or rows."""
        ...

    def open_range(
        self, account: AccountKey, start: int, end: int, lists: Iterable[ListKind]
    ) -> HistoryRows:
        """Rows still listed with ``created`` in [start, end] (Unix seconds, inclusive)."""
        ...

    def gone_in_range(
        self, account: AccountKey, start: int, end: int, lists: Iterable[ListKind]
    ) -> list[tuple[ListKind, str, GoneBy, datetime]]:
        """Rows of the range no longer listed: (list, email, why, date noticed)."""
        ...

    # -- 再発 ----------------------------------------------------------------------------------
    def recurrences(
        self, account: AccountKey, emails: Iterable[str] | None = None
    ) -> dict[str, Recurrence]:
        """再発 by lower-cased address (all addresses when ``emails`` is None)."""
        ...

    def returns_between(self, account: AccountKey, start: int, end: int) -> tuple[Return, ...]:
        """Returns whose new listing was created in [start, end]."""
        ...

    # -- trends and report ---------------------------------------------------------------------
    def counts(
        self,
        account: AccountKey,
        start: int,
        end: int,
        bucket: TrendBucket,
        key: TrendKey,
    ) -> list[BucketCount]:
        """Entries created in [start, end] counted per JST bucket and key (rows of all states)."""
        ...

    def explanations_by_label(self, account: AccountKey) -> dict[str, Explanation]:
        """Stored explanations by ``label_ja`` (the report prints the text of each cause)."""
        ...

    # -- privacy and upkeep --------------------------------------------------------------------
    def erase_address(self, email: str) -> int:
        """Remove every row, return and reason text of ``email`` in every account; count rows."""
        ...

    def purge_older_than(self, cutoff: datetime) -> int:
        """Drop rows last seen before ``cutoff`` (the retention setting); count them."""
        ...

    def accounts(self) -> tuple[AccountKey, ...]: ...

    def adopt_spellings(self, account: AccountKey, older: Sequence[AccountKey]) -> int:
        """Move the rows of the ``older`` keys (the same account as older versions spelt it:
        app/core/history/account_region.py) under ``account``, in one transaction; how many
        older keys held rows. Idempotent."""
        ...

    def schema_version(self) -> int: ...
