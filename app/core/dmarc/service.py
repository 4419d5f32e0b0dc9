"""The DMARC use cases the UI tab and the CLI call: import + analyse, then check DNS.

Typical use (each call is blocking; the UI runs it in a job with ``progress`` and ``cancel``)::

    result = analyse_reports(paths=[folder], progress=on_progress, cancel=token)
    checks = check_published_records(result.check_order, make_resolver())  # may say "offline"
    export_dmarc_xlsx(result, context, path)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.cancel import CancelToken
from app.core.dmarc.analysis import DmarcAnalysis, DmarcResult
from app.core.dmarc.archive import DEFAULT_LIMITS, UnpackLimits
from app.core.dmarc.errors import DnsUnavailableError
from app.core.dmarc.imap_source import ImapReportSource, ImapSettings
from app.core.dmarc.importer import ReportImporter
from app.core.dmarc.model import AggregateReport, ImportProblem

if TYPE_CHECKING:
    import dns.resolver

    from app.core.dmarc.dns_check import DomainCheck

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class MailboxRequest:
    settings: ImapSettings
    password: str
    delete_after_import: bool = False  # only when the operator explicitly asked


_KEPT_JA = "読み込めなかったレポートがあるため、このメールは削除せずに残しました。"


def _mailbox_reports(
    importer: ReportImporter,
    source: ImapReportSource,
    progress: Progress | None,
    cancel: CancelToken | None,
) -> Iterator[AggregateReport]:
    """The mailbox's reports; a mail with an attachment the importer could not read (a
    truncated gzip, bad XML) is given back to ``source`` so that it is never deleted."""
    for blob in source.blobs(progress=progress, cancel=cancel):
        problems_before = len(importer.problems)
        yield from importer.read_blob(blob)
        if len(importer.problems) > problems_before:
            source.keep(blob)


def analyse_reports(
    *,
    paths: Sequence[Path] = (),
    mailbox: MailboxRequest | None = None,
    limits: UnpackLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    document_progress: Progress | None = None,
) -> DmarcResult:
    """Import reports from files/folders and/or an IMAP folder and aggregate them.

    Bad files are listed in ``result.problems`` (Japanese reasons); the rest is analysed.
    ``progress(files done, files)`` follows the files or mails; ``document_progress(bytes
    read, size)`` the document being read when it is large (a few MB and more).

    Raises:
        ImapError: the mailbox could not be opened (files given alongside are not read then).
        CancelledError: ``cancel`` was set.
    """
    importer = ReportImporter(limits, cancel=cancel, document_progress=document_progress)
    analysis = DmarcAnalysis(cancel=cancel)
    if paths:
        analysis.add_all(importer.read_paths(paths, progress=progress, cancel=cancel))
    mailbox_problems = []
    if mailbox is not None:
        with ImapReportSource(mailbox.settings, mailbox.password) as source:
            analysis.add_all(_mailbox_reports(importer, source, progress, cancel))
            mailbox_problems = list(source.problems)
            if mailbox.delete_after_import:
                source.delete(source.uids_read)
                mailbox_problems += [
                    ImportProblem(origin, _KEPT_JA) for origin in source.kept.values()
                ]
    return analysis.result(
        duplicates=importer.duplicates, problems=[*importer.problems, *mailbox_problems]
    )


@dataclass(frozen=True, slots=True)
class PublishedCheck:
    """DNS results per domain, or why there are none (``offline_ja``)."""

    checks: tuple[DomainCheck, ...]
    offline_ja: str = ""
    detail: str = ""
    left_out_ja: str = ""  # domains not asked about (too many, or the time ran out)


def check_published_records(
    domains: Sequence[str],
    resolver: dns.resolver.Resolver | None,
    *,
    dkim_selectors: Sequence[str] = (),
    seconds: float | None = None,
    cancel: CancelToken | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> PublishedCheck:
    """Look up the records of the first ``MAX_DOMAIN_CHECKS`` domains, within ``seconds``
    (``PASS_SECONDS``, by ``clock``); stop at the first sign that DNS is unreachable.

    Pass ``DmarcResult.check_order`` (the operator's own domains first, then by mail), not the
    name-sorted ``domains``: the first ``MAX_DOMAIN_CHECKS`` are the ones asked about.

    The domains come from the reports, which anyone can send: a flood of them must neither
    send a query for every name nor hold the check for long. What is left out is said in
    ``left_out_ja``.

    Raises:
        CancelledError: ``cancel`` was set (looked at before every query).
    """
    from app.core.dmarc.dns_check import (
        MAX_DOMAIN_CHECKS,
        PASS_SECONDS,
        QueryBudget,
        TimeUpError,
        check_domain,
    )

    if resolver is None:
        return PublishedCheck((), DnsUnavailableError.default_message_ja)
    budget = QueryBudget(PASS_SECONDS if seconds is None else seconds, cancel, clock)
    asked = list(domains[:MAX_DOMAIN_CHECKS])
    checks: list[DomainCheck] = []
    try:
        for domain in asked:
            checks.append(
                check_domain(domain, resolver, dkim_selectors=dkim_selectors, budget=budget)
            )
    except DnsUnavailableError as error:
        return PublishedCheck(tuple(checks), error.message_ja, error.detail)
    except TimeUpError:
        return PublishedCheck(
            tuple(checks), left_out_ja=_left_out_ja(len(domains) - len(checks), time_up=True)
        )
    left = len(domains) - len(checks)
    return PublishedCheck(tuple(checks), left_out_ja=_left_out_ja(left) if left else "")


def _left_out_ja(count: int, *, time_up: bool = False) -> str:
    from app.core.dmarc.dns_check import MAX_DOMAIN_CHECKS

    if time_up:
        return f"DNS の応答に時間がかかりすぎたため、残りの {count} ドメインは確認していません。"
    return (
        f"レポートに載っていたドメインが多いため、{MAX_DOMAIN_CHECKS} ドメインだけを確認しました"
        f"（残りの {count} ドメインは未確認）。自社ドメインとして報告されたメールの多いドメイン"
        "から順に確認しています。自社のものでないドメインが並ぶときは、レポートの送り主を"
        "確かめてください。"
    )
