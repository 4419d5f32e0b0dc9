"""Records of the deletion journal: states, results and the rows it stores (no SQL here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from app.core.dates import JST
from app.core.errors import TodokuError
from app.core.types import ListKind


class JournalError(TodokuError):
    """The journal file could not be read or written."""

    default_message_ja = "削除の記録（削除履歴）を読み書きできませんでした。"
    default_next_step_ja = (
        "ディスクの空き容量とデータフォルダの権限を確認してください。"
        "記録できない間は削除を実行しません。"
    )


class JournalSchemaTooNewError(JournalError):
    default_message_ja = (
        "削除履歴のデータベースが新しい版の Todoku で作られているため、開けません。"
    )
    default_next_step_ja = "Todoku を最新版に更新してください。データベースには手を加えていません。"


class JournalPermissionError(JournalError):
    """The store refused a claim: this operator may only view (閲覧), or is not registered."""

    default_message_ja = "この担当者には削除の権限がありません（閲覧のみ）。"
    default_next_step_ja = (
        "削除が必要な場合は、共有データベースの管理者に「削除可」の権限を依頼してください。"
    )


# Where the connection is set, for a message read in the window and in todoku-cli alike (the
# 共有データベース dialog, where the operator already is, says 「この画面の」 instead).
SHARED_SETTINGS_WHERE = (
    "接続先の設定（アプリは「ツール → 共有データベース…」、todoku-cli は --database）"
)


class SharedStoreUnavailableError(JournalError):
    """The shared database could not be reached (or went away during an operation).

    The default next step is about the connection only: most callers (opening the store,
    ``db upgrade``, a claim) kept nothing. Only a write the local outbox kept adds
    ``KEPT_ON_THIS_PC``."""

    default_message_ja = "共有データベースに接続できません。"
    default_next_step_ja = (
        "ネットワーク（VPN など）がつながっているか、共有データベースのサーバーが動いているか、"
        f"{SHARED_SETTINGS_WHERE}のホスト・ポート・ユーザーを確認してください。"
    )


# Said only when the outbox really kept the write that failed.
KEPT_ON_THIS_PC = "書き込めなかった削除の記録はこのPCに保存してあり、次に接続できたときに送ります。"


class OperationTakenOverError(JournalError):
    """This process lost the lock that marks one of its operations as running here (its
    session to the shared store ended) and another PC took the operation over meanwhile."""

    def __init__(self, operation_id: int, *, detail: str = "") -> None:
        super().__init__(
            f"共有データベースとの接続が切れている間に、この削除（#{operation_id}）を"
            "別のPCが引き継いだため、このPCでの削除を止めました。",
            next_step_ja=(
                "これ以上の削除は送っていません。送信済みの結果は削除履歴に記録されています。"
                "引き継いだPCの確認が終わってから、削除履歴で結果を確かめてください。"
            ),
            detail=detail or f"operation {operation_id}: advisory lock held by another session",
        )
        self.operation_id = operation_id


class OperatorRole(StrEnum):
    """What an administrator lets an operator do in the shared store."""

    VIEW = "view"  # 閲覧: view, export, letters
    DELETE = "delete"  # 削除可: also delete

    @property
    def label_ja(self) -> str:
        return "閲覧" if self is OperatorRole.VIEW else "削除可"


@dataclass(frozen=True, slots=True)
class Operator:
    """Who is using the store: the database login, the name the team sees, and the role."""

    db_user: str
    display_name: str
    role: OperatorRole
    registered: bool = True  # False: not in the operators table (treated as 閲覧)

    @property
    def may_delete(self) -> bool:
        return self.role is OperatorRole.DELETE


class ClaimState(StrEnum):
    IN_PROGRESS = "in_progress"  # claimed by an unfinished operation (possibly a crashed one)
    DELETED = "deleted"  # already removed by an earlier operation after this listing appeared


@dataclass(frozen=True, slots=True)
class ClaimConflict:
    """An address the store would not claim, and who has it (「〇〇さんが 10:42 に削除済み」)."""

    list_kind: ListKind
    email: str
    state: ClaimState
    operation_id: int
    display_name: str  # the operator's name as the administrator registered it (or OS user)
    os_user: str
    at: datetime  # when it was deleted, or when the claiming operation started

    @property
    def label_ja(self) -> str:
        when = self.at.astimezone(JST).strftime("%H:%M")
        if self.at.astimezone(JST).date() != datetime.now(JST).date():
            when = self.at.astimezone(JST).strftime("%m/%d %H:%M")
        name = self.display_name or self.os_user or "別の担当者"
        if self.state is ClaimState.DELETED:
            return f"{name}さんが {when} に削除済み"
        return f"{name}さんが {when} から削除中"


@dataclass(frozen=True, slots=True)
class Claim:
    """What ``claim_operation`` took: the operation (None when nothing was left to claim), the
    entries it holds, and those another operation holds or already deleted."""

    operation_id: int | None
    claimed: tuple[NewEntry, ...]
    conflicts: tuple[ClaimConflict, ...]


class OperationState(StrEnum):
    PENDING = "pending"  # written, no request sent yet
    RUNNING = "running"  # requests may have been sent
    DONE = "done"
    INTERRUPTED = "interrupted"  # an error stopped it; pending entries have an unknown state
    RECONCILED = "reconciled"  # unfinished, later checked against the list

    @property
    def label_ja(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    OperationState.PENDING: "未実行",
    OperationState.RUNNING: "実行中",
    OperationState.DONE: "完了",
    OperationState.INTERRUPTED: "中断",
    OperationState.RECONCILED: "途中終了・確認済み",
}
UNFINISHED_STATES = (OperationState.PENDING, OperationState.RUNNING, OperationState.INTERRUPTED)


class EntryResult(StrEnum):
    PENDING = "pending"
    DELETED = "deleted"
    NOT_FOUND = "not_found"  # already gone when we asked: the goal holds
    FAILED = "failed"
    STILL_LISTED = "still_listed"  # after an interruption: checked, still on the list
    GONE = "gone"  # after an interruption: checked, no longer on the list

    @property
    def label_ja(self) -> str:
        return _RESULT_LABELS[self]

    @property
    def succeeded(self) -> bool:
        return self in SUCCESS_RESULTS


_RESULT_LABELS = {
    EntryResult.PENDING: "未確定",
    EntryResult.DELETED: "削除済み",
    EntryResult.NOT_FOUND: "すでにリストになし",
    EntryResult.FAILED: "失敗",
    EntryResult.STILL_LISTED: "リストに残っている",
    EntryResult.GONE: "リストから消えている",
}
SUCCESS_RESULTS = frozenset((EntryResult.DELETED, EntryResult.NOT_FOUND, EntryResult.GONE))
FAILURE_RESULTS = frozenset((EntryResult.FAILED, EntryResult.STILL_LISTED))
# What a retry of a closed operation sends again: its failures, and the addresses whose outcome
# was never learnt (still ``pending`` once the record is closed: a killed run settled on a list
# its provider cannot be asked about one address). Deleting those again is safe: an address
# already gone is answered "not found".
RETRY_RESULTS = FAILURE_RESULTS | {EntryResult.PENDING}


@dataclass(frozen=True, slots=True)
class OperationMeta:
    """Who deleted, where, and why; written with the operation before any request."""

    account_label: str = ""
    subuser: str = ""
    region: str = "global"
    base_host: str = ""
    practice: bool = False
    note: str = ""
    os_user: str = ""  # empty: filled with the OS login name
    retry_of: int | None = None
    # SQLite: as given (empty: the OS user); the shared store writes the registered name.
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class NewEntry:
    """One address to delete, as planned (a copy of the entry, so the record stands alone)."""

    list_kind: ListKind
    email: str
    created: datetime | None = None
    status: str = ""
    reason: str = ""
    ip: str = ""
    explanation_reason: str = ""
    explanation_label: str = ""
    explanation_permanent: bool = False


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """One delete operation with its entry counts."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    os_user: str
    account_label: str
    subuser: str
    region: str
    base_host: str
    practice: bool
    note: str
    state: OperationState
    retry_of: int | None
    total: int
    succeeded: int
    failed: int
    pending: int
    display_name: str = ""

    @property
    def unfinished(self) -> bool:
        return self.state in UNFINISHED_STATES


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """One address of an operation and what happened to it."""

    operation_id: int
    seq: int
    list_kind: ListKind
    email: str
    created: datetime | None
    status: str
    reason: str
    ip: str
    explanation_reason: str
    explanation_label: str
    explanation_permanent: bool
    result: EntryResult
    detail: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ResultUpdate:
    """A result for one address of an operation."""

    list_kind: ListKind
    email: str
    result: EntryResult
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OperationQuery:
    """History search: ``text`` matches an address, the note or the account; days are JST."""

    text: str = ""
    start: date | None = None
    end: date | None = None
    limit: int = 1000

    @property
    def contains_pattern(self) -> str:
        """``text`` as a LIKE pattern matching it anywhere (backslash escapes); "" for none."""
        text = self.text.strip()
        if not text:
            return ""
        return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def started_bounds(self) -> tuple[datetime | None, datetime | None]:
        """[from, before): JST midnight of ``start`` and of the day after ``end``."""
        first = None if self.start is None else datetime.combine(self.start, time(), JST)
        after = (
            None
            if self.end is None
            else datetime.combine(self.end + timedelta(days=1), time(), JST)
        )
        return first, after
