"""What the CMC, Infobip and SES providers share: their httpx client, lifecycle and delete loop."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Self

import httpx

from app import __version__
from app.core import reply_deadline
from app.core.cancel import CancelToken
from app.core.errors import CancelledError
from app.core.providers.base import DeleteProgressCallback
from app.core.providers.collect import EntryCollector
from app.core.providers.esp_errors import Classify, ProviderWording, WordedErrors
from app.core.providers.pacing import RequestPacer, RetryAfterPacing
from app.core.providers.retrying_http import RetryingHttp, Sign
from app.core.retry_notice import RetryListener
from app.core.types import DeleteOutcome, DeleteStatus, FetchResult, ListKind

CANCELLED_DETAIL = "キャンセルしたため未実行"


class HttpProvider:
    """Base of a provider over one httpx client. Not shared across threads (each job builds
    its own; docs/architecture.md); its own page threads share the client, which httpx allows."""

    name = ""
    # True where the provider's list mapped onto our ブロック stops delivery (a suppression):
    # the classifier then explains those rows as the bounce list's (app.core.classify).
    blocks_suppress = False

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str],
        wording: ProviderWording,
        classify: Classify,
        max_concurrency: int,
        timeout_s: float,
        max_retries: int,
        retry_backoff_s: float,
        transport: httpx.BaseTransport | None,
        pacer: RequestPacer | None = None,
        sign: Sign | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._concurrency = max(1, min(16, max_concurrency))
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={
                "Accept": "application/json",
                "User-Agent": f"todoku/{__version__} (+python-httpx)",
                **headers,
            },
            timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
            transport=transport,
            limits=httpx.Limits(max_connections=self._concurrency + 2),
            follow_redirects=False,
        )
        # The deadline of each request then covers its status line and headers too.
        reply_deadline.install(self._client)
        self._http = RetryingHttp(
            self._client,
            errors=WordedErrors(wording, classify),
            pacing=RetryAfterPacing(pacer),
            max_retries=max_retries,
            backoff_base_s=retry_backoff_s,
            sign=sign,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never show a key
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def requests_made(self) -> int:
        return self._http.requests_made

    def set_retry_listener(self, listener: RetryListener | None) -> None:
        """Told before each retry's wait, on the thread that retries: the window says
        "retrying (1/3)" for these services too, instead of a line that stands still."""
        self._http.on_retry = listener

    def _counters(self) -> tuple[int, int]:
        return self._http.requests_made, self._http.retries

    def _result(self, collector: EntryCollector, before: tuple[int, int]) -> FetchResult:
        return FetchResult(
            entries=tuple(collector.entries.values()),
            requests_made=self._http.requests_made - before[0],
            retries=self._http.retries - before[1],
        )


def delete_each(
    list_kind: ListKind,
    emails: Sequence[str],
    delete_one: Callable[[str, CancelToken | None], DeleteOutcome],
    *,
    progress: DeleteProgressCallback | None,
    cancel: CancelToken | None,
) -> tuple[DeleteOutcome, ...]:
    """One request per address, in order; on cancel the rest are reported as not attempted."""
    unique = list(dict.fromkeys(emails))
    outcomes: dict[str, DeleteOutcome] = {}
    try:
        for email in unique:
            if cancel is not None:
                cancel.raise_if_cancelled()
            outcomes[email] = delete_one(email, cancel)
            if progress is not None:
                progress(len(outcomes), len(unique))
    except CancelledError:
        pass
    return in_input_order(list_kind, emails, outcomes)


def in_input_order(
    list_kind: ListKind, emails: Sequence[str], outcomes: Mapping[str, DeleteOutcome]
) -> tuple[DeleteOutcome, ...]:
    """One outcome per input address; those never reached count as failed (retryable)."""
    return tuple(
        outcomes.get(email)
        or DeleteOutcome(list_kind, email, DeleteStatus.FAILED, CANCELLED_DETAIL)
        for email in emails
    )
