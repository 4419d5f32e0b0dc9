"""Concurrent paging shared by the page-number APIs (CMC, Infobip) and token chains (SES).

Page-number lists carry no total count, so a list ends at its first short page. Each list starts
with one page in flight and doubles its window while pages come back full, so a one-page list
costs one request and a long list soon keeps ``concurrency`` pages in flight. Callbacks
(``accept``) run on the calling thread, in arrival order.

A server that ignores the paging parameter (or the gateway before it) would be read forever.
Pages are therefore compared by the rows they hold, whatever their order (``page_identity``):
a database without ORDER BY lists the same rows differently each time, and a token chain may
hand out a new token with every answer while the rows stay the same. A chain that answers
with empty pages, each with a new token, holds no rows to compare: it is stopped after
``MAX_EMPTY_PAGES`` such pages in a row.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from app.core.cancel import CancelToken
from app.core.errors import UnexpectedPayloadError

StreamT = TypeVar("StreamT", bound=Hashable)


class RepeatedPageError(UnexpectedPayloadError):
    default_message_ja = (
        "サーバーが別のページに同じ内容を返し続けたため、取得を止めました。"
        "表示中の一覧は不完全な可能性があります。"
    )
    default_next_step_ja = (
        "時間をおいてもう一度お試しください。API の前にプロキシがある場合は、その設定も"
        "確認してください。続く場合は詳細をコピーして担当者に連絡してください。"
    )


# Empty pages one token chain may answer in a row before the read is stopped. A filtering API
# (SES filters by date after reading) can return a few empty pages with a token while it scans
# rows outside the range; a thousand in a row, about 100 s at a real endpoint, is a server
# handing out tokens that lead nowhere.
MAX_EMPTY_PAGES = 1000


class EndlessEmptyPagesError(UnexpectedPayloadError):
    default_message_ja = (
        "サーバーが行のない空のページと「次のページ」の指定を返し続けたため、取得を止めました。"
        "表示中の一覧は不完全な可能性があります。"
    )
    default_next_step_ja = RepeatedPageError.default_next_step_ja


@dataclass
class _Stream(Generic[StreamT]):
    key: StreamT
    next_page: int = 0
    end_page: int | None = None  # first short page seen
    in_flight: int = 0
    window: int = 1
    full_pages: dict[int, int] = field(default_factory=dict)  # identity of a full page -> number

    def check_not_repeated(self, number: int, items: list[Any]) -> None:
        """A server that ignores the page number answers every page with the first one, and
        the list would be read forever; no list that pages correctly gives one full page twice."""
        seen_at = self.full_pages.setdefault(page_identity(items), number)
        if seen_at != number:
            raise RepeatedPageError(detail=f"{self.key!r}: page {number} repeats page {seen_at}")

    def wants_more(self) -> bool:
        return self.end_page is None or self.next_page <= self.end_page


def page_identity(items: list[Any]) -> int:
    """The page as the set of its rows: equal for the same rows in any order. (A row's keys
    keep the order the server's serialiser gives them; ``repr`` is several times cheaper than
    a canonical JSON text, and this runs on every page of a 100,000-row fetch.)"""
    return hash(frozenset(map(repr, items)))


def pages_until_short(
    get_page: Callable[[int], list[Any]],
    page_size: int,
    repeated: Callable[[int], Exception],
) -> Iterator[list[Any]]:
    """Pages 0, 1, … of a numbered list, one request at a time, up to the first short page.
    A full page with the rows of an earlier one (a gateway that drops the page number) raises
    ``repeated(number)``: the list would never end."""
    seen: set[int] = set()
    number = 0
    while True:
        items = get_page(number)
        yield items
        if len(items) < page_size:
            return
        identity = page_identity(items)
        if identity in seen:
            raise repeated(number)
        seen.add(identity)
        number += 1


def scan_numbered_pages(
    streams: Sequence[StreamT],
    get_page: Callable[[StreamT, int, CancelToken], list[Any]],
    *,
    page_size: int,
    concurrency: int,
    accept: Callable[[StreamT, int, list[Any]], None],
    cancel: CancelToken | None = None,
) -> None:
    """Read every page of every stream; ``accept(stream, page_number, items)`` per page."""
    outer = cancel
    inner = outer.child() if outer is not None else CancelToken()
    states = [_Stream(key) for key in streams]
    pending: dict[Future[list[Any]], tuple[_Stream[StreamT], int]] = {}
    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="provider-page") as pool:

        def submit_more() -> None:
            for state in states:
                while (
                    state.wants_more()
                    and state.in_flight < state.window
                    and len(pending) < concurrency
                ):
                    number = state.next_page
                    state.next_page += 1
                    state.in_flight += 1
                    future = pool.submit(get_page, state.key, number, inner)
                    pending[future] = (state, number)

        try:
            submit_more()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                arrived = []
                for future in done:
                    state, number = pending.pop(future)
                    state.in_flight -= 1
                    items = future.result()  # re-raises the page's TodokuError
                    if len(items) < page_size:
                        if state.end_page is None or number < state.end_page:
                            state.end_page = number
                    else:
                        state.window = min(concurrency, state.window * 2)
                        state.check_not_repeated(number, items)
                    arrived.append((state.key, number, items))
                submit_more()  # keep the network busy while this thread parses
                for key, number, items in arrived:
                    if state_end_passed(states, key, number):
                        continue  # a page past the end (read speculatively) holds nothing new
                    accept(key, number, items)
                if outer is not None:
                    outer.raise_if_cancelled()
        except BaseException:
            _stop(inner, pending)
            raise


def _stop(token: CancelToken, pending: Iterable[Future[Any]]) -> None:
    """Stop sibling requests quickly after a failure: they check the token before sending."""
    token.cancel()
    for future in pending:
        future.cancel()


def state_end_passed(states: Sequence[_Stream[StreamT]], key: StreamT, number: int) -> bool:
    for state in states:
        if state.key == key:
            return state.end_page is not None and number > state.end_page
    return False


ChainT = TypeVar("ChainT", bound=Hashable)


def scan_token_chains(
    chains: Sequence[ChainT],
    get_page: Callable[[ChainT, str | None, CancelToken], tuple[list[Any], str | None]],
    *,
    concurrency: int,
    accept: Callable[[ChainT, list[Any]], None],
    cancel: CancelToken | None = None,
) -> None:
    """Follow each chain's ``NextToken`` to its end; chains run concurrently.

    A token API has no parallel pages inside one chain; splitting the request (by date slice,
    by reason) into independent chains is what lets several requests fly at once.
    """
    outer = cancel
    inner = outer.child() if outer is not None else CancelToken()
    pending: dict[Future[tuple[list[Any], str | None]], ChainT] = {}
    queue = list(chains)
    # A token that comes back a second time would read the same pages forever; so would a
    # server that puts a fresh request id into every token but answers with the same rows.
    tokens_seen: dict[ChainT, set[str]] = {chain: set() for chain in chains}
    pages_seen: dict[ChainT, set[int]] = {chain: set() for chain in chains}
    empty_run: dict[ChainT, int] = dict.fromkeys(chains, 0)
    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="provider-chain") as pool:
        try:
            while queue and len(pending) < concurrency:
                chain = queue.pop(0)
                pending[pool.submit(get_page, chain, None, inner)] = chain
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                arrived = []
                for future in done:
                    chain = pending.pop(future)
                    items, token = future.result()
                    if token and token in tokens_seen[chain]:
                        raise RepeatedPageError(detail=f"{chain!r}: NextToken repeats")
                    if token and items:  # empty pages hold no rows to compare
                        identity = page_identity(items)
                        if identity in pages_seen[chain]:
                            raise RepeatedPageError(
                                detail=f"{chain!r}: a new NextToken brought the same rows again"
                            )
                        pages_seen[chain].add(identity)
                    empty_run[chain] = 0 if items else empty_run[chain] + 1
                    if token and empty_run[chain] >= MAX_EMPTY_PAGES:
                        raise EndlessEmptyPagesError(
                            detail=f"{chain!r}: {empty_run[chain]} empty pages in a row, "
                            "each with a new NextToken"
                        )
                    if token:
                        tokens_seen[chain].add(token)
                        pending[pool.submit(get_page, chain, token, inner)] = chain
                    arrived.append((chain, items))
                while queue and len(pending) < concurrency:
                    chain = queue.pop(0)
                    pending[pool.submit(get_page, chain, None, inner)] = chain
                for chain, items in arrived:
                    accept(chain, items)
                if outer is not None:
                    outer.raise_if_cancelled()
        except BaseException:
            _stop(inner, pending)
            raise
