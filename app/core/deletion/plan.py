"""What a deletion will do: entries grouped per list, counts, and warnings in plain Japanese."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.storage.journal_records import EntryRecord, OperationRecord
from app.core.types import ALL_LISTS, UNKNOWN_CREATED, Explanation, ListKind, SuppressionEntry

TYPED_CONFIRMATION_THRESHOLD = 100  # from this many entries the operator types the count
CONSENT_LISTS = frozenset((ListKind.SPAM_REPORTS, ListKind.UNSUBSCRIBES))
# Bounce causes that will bounce again if the address is mailed unchanged.
PERMANENT_REASONS = frozenset(("userunknown", "hostunknown", "hasmoved", "notaccept"))

WARNING_BOUNCE_PERMANENT = (
    "このうち {count:,} 件は、宛先が存在しないなど恒久的な原因で戻ってきたアドレスです。"
    "削除して再び送ると、また戻ってきて送信元の評判（レピュテーション）を下げます。"
)
WARNING_BOUNCE_RESUME = "削除すると、これらのアドレスへの配信が再開されます。"
# Blocks mean different things per provider: SendGrid keeps sending to its blocks, while the
# block lists of CMC (配信停止状態) and Infobip (OVER_QUOTA) stop mail like a suppression
# (``blocks_suppress``). The warning names the provider the deletion goes to.
WARNING_BLOCKS = (
    "ブロックに載っていても、SendGrid は送信を止めません（他のリストとの違いです）。"
    "削除しても配信の扱いは変わらず、一覧が整理されるだけです。"
)
WARNING_BLOCKS_SUPPRESS = (
    "{provider}のブロックは、載っているアドレスへの配信を止めています。"
    "削除すると、これらのアドレスへの配信が再開されます。"
)
# The provider is not known (a plan made without one): claim neither behaviour.
WARNING_BLOCKS_ANY = (
    "ブロックを削除したときの扱いは配信サービスによって異なります。"
    "配信を止めるサービスでは、削除すると、これらのアドレスへの配信が再開されます。"
)
WARNING_INVALID = (
    "無効アドレスは、アドレスの誤りを直していない場合、再び送っても同じように拒否されます。"
)
WARNING_SPAM = (
    "迷惑メール報告を削除すると、これらのアドレスへの配信が再開されます。"
    "受信者本人から「また受け取りたい」という同意を得た場合だけ削除してください。"
)
WARNING_UNSUBSCRIBES = (
    "配信停止を削除すると、これらのアドレスへの配信が再開されます。"
    "受信者本人から「また受け取りたい」という同意を得た場合だけ削除してください。"
)


@dataclass(frozen=True, slots=True)
class PlanItem:
    entry: SuppressionEntry
    explanation: Explanation | None = None

    @property
    def permanent(self) -> bool:
        """A bounce that will bounce again (the classifier says so, or its reason says so)."""
        explanation = self.explanation
        return explanation is not None and (
            explanation.permanent or explanation.reason.lower() in PERMANENT_REASONS
        )


@dataclass(frozen=True, slots=True)
class ListPlan:
    """The addresses of one list, with what deleting them means (plain Japanese)."""

    list_kind: ListKind
    items: tuple[PlanItem, ...]
    warnings: tuple[str, ...]
    permanent_count: int = 0

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def emails(self) -> tuple[str, ...]:
        return tuple(item.entry.email for item in self.items)


@dataclass(frozen=True, slots=True)
class DeletionPlan:
    """What the operator is about to delete, grouped per list in the app's list order."""

    lists: tuple[ListPlan, ...]
    provider: str = ""  # the ProviderName value the deletion goes to; "" when not known

    @property
    def total(self) -> int:
        return sum(plan.count for plan in self.lists)

    @property
    def items(self) -> tuple[PlanItem, ...]:
        return tuple(item for plan in self.lists for item in plan.items)

    @property
    def counts(self) -> tuple[tuple[ListKind, int], ...]:
        return tuple((plan.list_kind, plan.count) for plan in self.lists)

    @property
    def warnings(self) -> tuple[tuple[ListKind, str], ...]:
        return tuple((plan.list_kind, text) for plan in self.lists for text in plan.warnings)

    @property
    def requires_typed_confirmation(self) -> bool:
        return self.total >= TYPED_CONFIRMATION_THRESHOLD

    @property
    def requires_consent(self) -> bool:
        return any(plan.list_kind in CONSENT_LISTS for plan in self.lists)

    @property
    def confirmation_number(self) -> str:
        """What the operator types to confirm a large deletion: the count, in digits."""
        return str(self.total)

    def list_plan(self, list_kind: ListKind) -> ListPlan | None:
        return next((plan for plan in self.lists if plan.list_kind is list_kind), None)


def blocks_warning(provider: str) -> str:
    """What deleting blocks means at ``provider`` (``sendgrid``, ``cmc``, ``infobip``…; ""
    when not known)."""
    from app.core.accounts import ProviderName, before_particle_ja
    from app.core.provider_factory import blocks_suppress

    try:
        name = ProviderName(provider)
    except ValueError:
        return WARNING_BLOCKS_ANY
    if blocks_suppress(name):
        return WARNING_BLOCKS_SUPPRESS.format(provider=before_particle_ja(name.label_ja))
    return WARNING_BLOCKS if name is ProviderName.SENDGRID else WARNING_BLOCKS_ANY


def _warnings(kind: ListKind, permanent_count: int, provider: str) -> tuple[str, ...]:
    if kind is ListKind.BOUNCES:
        texts = [WARNING_BOUNCE_RESUME]
        if permanent_count:
            texts.append(WARNING_BOUNCE_PERMANENT.format(count=permanent_count))
        return tuple(texts)
    if kind is ListKind.BLOCKS:
        return (blocks_warning(provider),)
    return {
        ListKind.INVALID_EMAILS: (WARNING_INVALID,),
        ListKind.SPAM_REPORTS: (WARNING_SPAM,),
        ListKind.UNSUBSCRIBES: (WARNING_UNSUBSCRIBES,),
    }[kind]


def plan_deletion(
    items: Iterable[tuple[SuppressionEntry, Explanation | None] | PlanItem],
    *,
    provider: str = "",
) -> DeletionPlan:
    """Group the chosen entries per list; the same address twice on one list counts once.
    ``provider`` (a ``ProviderName`` value) is where they will be deleted, for the warnings
    whose meaning depends on it; "" says nothing of any provider."""
    grouped: dict[ListKind, dict[str, PlanItem]] = {kind: {} for kind in ALL_LISTS}
    for item in items:
        plan_item = item if isinstance(item, PlanItem) else PlanItem(item[0], item[1])
        entry = plan_item.entry
        grouped[entry.list_kind].setdefault(entry.email.lower(), plan_item)
    lists = []
    for kind, by_email in grouped.items():
        if not by_email:
            continue
        chosen = tuple(by_email.values())
        permanent = sum(item.permanent for item in chosen) if kind is ListKind.BOUNCES else 0
        lists.append(ListPlan(kind, chosen, _warnings(kind, permanent, provider), permanent))
    return DeletionPlan(tuple(lists), provider)


def plan_for_addresses(
    list_kind: ListKind, emails: Iterable[str], *, provider: str = ""
) -> DeletionPlan:
    """A plan from bare addresses of one list (the CLI reads them from a file)."""
    return plan_deletion(
        ((SuppressionEntry(list_kind, email, UNKNOWN_CREATED), None) for email in emails),
        provider=provider,
    )


def plan_from_records(records: Iterable[EntryRecord]) -> DeletionPlan:
    """Rebuild a plan from journal entries (for a retry), keeping what the journal knew."""
    items = []
    for record in records:
        entry = SuppressionEntry(
            list_kind=record.list_kind,
            email=record.email,
            created=record.created or record.updated_at,
            status=record.status,
            reason=record.reason,
            ip=record.ip,
        )
        explanation = None
        if record.explanation_reason or record.explanation_label:
            explanation = Explanation(
                reason=record.explanation_reason,
                category="",
                permanent=record.explanation_permanent,
                label_ja=record.explanation_label,
                explanation_ja="",
                action_ja="",
            )
        items.append(PlanItem(entry, explanation))
    return plan_deletion(items)


@dataclass(frozen=True, slots=True)
class DeletionContext:
    """Where and why: copied into the journal with the operation."""

    account_label: str = ""
    subuser: str = ""
    region: str = "global"
    practice: bool = False
    note: str = ""
    base_url: str = ""  # empty: taken from the provider's ``base_url``


@dataclass(frozen=True, slots=True)
class DeleteProgress:
    """Progress of a deletion, reported after every recorded batch."""

    done: int
    total: int
    list_kind: ListKind


def base_host(base_url: str) -> str:
    """``host:port`` of a URL (what the journal stores to tell servers apart)."""
    return urlsplit(base_url).netloc if "//" in base_url else base_url


def same_server(operation: OperationRecord, context: DeletionContext, base_url: str) -> bool:
    """Whether ``operation`` was made against the very account and server ``context`` points
    at (reconciling reads that server's lists to learn what the operation did)."""
    return (
        operation.practice == context.practice
        and operation.subuser == context.subuser
        and operation.base_host == base_host(context.base_url or base_url)
    )


def same_account(operation: OperationRecord, context: DeletionContext, base_url: str) -> bool:
    """Whether ``operation`` was made on the account ``context`` points at (a retry may go
    there). Every session starts its practice servers afresh on new loopback ports, so a
    practice operation belongs to the practice account with its journal label (SendGrid's
    practice server or another provider's imitation) and subuser, whatever its port."""
    if operation.practice and context.practice:
        return (
            operation.account_label == context.account_label
            and operation.subuser == context.subuser
        )
    return same_server(operation, context, base_url)
