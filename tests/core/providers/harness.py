"""One harness per provider: its imitation with a shared data set, and clients built on it.

The data set is provider-neutral (bounce, block, complaint, over_quota); each harness says
which of our lists a record lands on, so the suite can compute what a fetch must return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.core.dates import JST, unix_bounds
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.cmc import CmcProvider
from app.core.providers.infobip import InfobipProvider
from app.core.providers.sendgrid import SendGridProvider
from app.core.providers.ses import SesProvider
from app.core.types import DateRange, ListKind
from app.sandbox import cmc_server, infobip_server, ses_server
from app.sandbox.esp_practice import PRACTICE_DOMAINS, PracticeRecord
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox

BASE = int(datetime(2026, 10, 1, tzinfo=JST).timestamp())
COUNT = 1300
KINDS = ("bounce",) * 7 + ("block", "complaint", "over_quota")
RANGE = DateRange(date(2026, 10, 3), date(2026, 10, 7))
FAST = {"retry_backoff_s": 0.01, "max_retries": 8}


def dataset() -> list[PracticeRecord]:
    """1300 unique addresses, 10 minutes apart over 9 days (JST), a few with tricky characters."""
    records = []
    for i in range(COUNT):
        local = f"user{i:04d}" if i % 97 else f"taro+news{i}"
        kind = KINDS[i % len(KINDS)]
        reason = "" if kind == "complaint" else f"550 5.1.1 <{local}@example.jp>: User unknown"
        if kind == "over_quota":
            reason = "552 5.2.2 Mailbox full"
        records.append(
            PracticeRecord(
                kind=kind,
                email=f"{local}@example.jp",
                created=BASE + i * 600,
                reason=reason,
                status="5.2.2" if kind == "over_quota" else "5.1.1",
                subject="ご注文確認",
                sender="info@shop.example.jp",
                domain=PRACTICE_DOMAINS[1] if i % 5 == 0 else PRACTICE_DOMAINS[0],
            )
        )
    return records


@dataclass
class Harness:
    name: str
    sandbox: Any
    list_of: Callable[[PracticeRecord], ListKind | None]
    make: Callable[..., Any]  # make(role="full"|"readonly"|"bad", **options) -> provider
    listed: Callable[[ListKind], set[str]]  # what the imitation holds now
    delete_kind: ListKind
    fault_path: str

    def expected(self, date_range: DateRange = RANGE) -> set[tuple[ListKind, str]]:
        start, end = unix_bounds(date_range)
        found = set()
        for record in dataset():
            kind = self.list_of(record)
            if kind is not None and start <= record.created <= end:
                found.add((kind, record.email.lower()))
        return found


def _sendgrid_list(record: PracticeRecord) -> ListKind:
    return {
        "bounce": ListKind.BOUNCES,
        "block": ListKind.BLOCKS,
        "complaint": ListKind.SPAM_REPORTS,
        "over_quota": ListKind.BLOCKS,
    }[record.kind]


@contextmanager
def sendgrid_harness() -> Iterator[Harness]:
    records = [
        SandboxRecord(
            _sendgrid_list(r).value, r.email, r.created, r.reason, r.status if r.reason else ""
        )
        for r in dataset()
    ]
    readonly = {
        "suppression.bounces.read",
        "suppression.blocks.read",
        "suppression.spam_reports.read",
    }
    with SendGridSandbox(
        records, api_keys={"SG.full": None, "SG.read": readonly, "SG.none": set()}
    ) as sandbox:

        def make(role: str = "full", **options: Any) -> SendGridProvider:
            key = {"full": "SG.full", "readonly": "SG.read", "bad": "SG.wrong", "noread": "SG.none"}
            return SendGridProvider(key[role], base_url=sandbox.base_url, **{**FAST, **options})

        yield Harness(
            "sendgrid",
            sandbox,
            _sendgrid_list,
            make,
            lambda kind: {r.email for r in sandbox.records(kind.value)},
            ListKind.BOUNCES,
            "/v3/suppression",
        )


@contextmanager
def cmc_harness() -> Iterator[Harness]:
    user, key, server = cmc_server.SANDBOX_API_USER, "cmc-key", cmc_server.SANDBOX_SERVER
    users = {
        (user, key): frozenset({"read", "cancel"}),
        (user, "cmc-readonly"): frozenset({"read"}),
        (user, "cmc-none"): frozenset(),
    }
    with cmc_server.CmcSandbox(dataset(), users=users, cancel_api=True) as sandbox:

        def make(role: str = "full", **options: Any) -> CmcProvider:
            secret = {"full": key, "readonly": "cmc-readonly", "bad": "nope", "noread": "cmc-none"}
            options.setdefault("block_cancel_api", True)  # the contract's delete uses the API
            return CmcProvider(
                user, secret[role], server, base_url=sandbox.base_url, **{**FAST, **options}
            )

        def list_of(record: PracticeRecord) -> ListKind:
            return ListKind.BOUNCES if record.kind in ("bounce", "over_quota") else ListKind.BLOCKS

        yield Harness(
            "cmc",
            sandbox,
            list_of,
            make,
            lambda kind: sandbox.emails("bounces" if kind is ListKind.BOUNCES else "blocks"),
            ListKind.BLOCKS,
            "/transaction/v2",
        )


@contextmanager
def infobip_harness() -> Iterator[Harness]:
    full = {d: dict(infobip_server.FULL_ACCESS) for d in PRACTICE_DOMAINS}
    readonly = {d: {f: f.startswith("read") for f in infobip_server.FULL_ACCESS} for d in full}
    none = {d: dict.fromkeys(infobip_server.FULL_ACCESS, False) for d in full}
    keys = {"ib-full": full, "ib-read": readonly, "ib-none": none}
    with infobip_server.InfobipSandbox(dataset(), keys=keys) as sandbox:

        def make(role: str = "full", **options: Any) -> InfobipProvider:
            key = {"full": "ib-full", "readonly": "ib-read", "bad": "nope", "noread": "ib-none"}
            options.setdefault("page_size", 200)
            return InfobipProvider(sandbox.base_url, key[role], **{**FAST, **options})

        def list_of(record: PracticeRecord) -> ListKind:
            return {
                "bounce": ListKind.BOUNCES,
                "block": ListKind.BOUNCES,
                "complaint": ListKind.SPAM_REPORTS,
                "over_quota": ListKind.BLOCKS,
            }[record.kind]

        types = {ListKind.BOUNCES: "BOUNCE", ListKind.SPAM_REPORTS: "COMPLAINT"}
        yield Harness(
            "infobip",
            sandbox,
            list_of,
            make,
            lambda kind: sandbox.emails(types.get(kind, "OVER_QUOTA")),
            ListKind.BOUNCES,
            "/email/1/suppressions",
        )


@contextmanager
def ses_harness() -> Iterator[Harness]:
    all_ops = frozenset({"list", "get", "delete"})
    credentials = {
        "AKIAFULL": ("secret-full", all_ops),
        "AKIAREAD": ("secret-read", frozenset({"list", "get"})),
        "AKIANONE": ("secret-none", frozenset()),
    }
    with ses_server.SesSandbox(dataset(), credentials=credentials) as sandbox:

        def make(role: str = "full", **options: Any) -> SesProvider:
            pair = {
                "full": ("AKIAFULL", "secret-full"),
                "readonly": ("AKIAREAD", "secret-read"),
                "bad": ("AKIAFULL", "wrong-secret"),
                "noread": ("AKIANONE", "secret-none"),
            }[role]
            options.setdefault("page_size", 100)
            options.setdefault("slices_per_reason", 2)
            return SesProvider(
                ses_server.SANDBOX_REGION,
                AwsCredentials(*pair),
                base_url=sandbox.base_url,
                **{**FAST, **options},
            )

        def list_of(record: PracticeRecord) -> ListKind | None:
            if record.kind == "over_quota":
                return None
            return ListKind.SPAM_REPORTS if record.kind == "complaint" else ListKind.BOUNCES

        reasons = {ListKind.BOUNCES: "BOUNCE", ListKind.SPAM_REPORTS: "COMPLAINT"}
        yield Harness(
            "ses",
            sandbox,
            list_of,
            make,
            lambda kind: sandbox.emails(reasons[kind]),
            ListKind.BOUNCES,
            "/v2/email",
        )


HARNESSES = {
    "sendgrid": sendgrid_harness,
    "cmc": cmc_harness,
    "infobip": infobip_harness,
    "ses": ses_harness,
}
