"""An LLM endpoint that accepts the request and then sends its headers a byte at a time.

The ``openai`` client's timeout bounds each network read; a server dribbling header bytes
(or one byte a second of anything) never trips it, and ``create`` returns only when the
headers are complete, before the body check of ``create_completion`` ever runs: refinement
and the letter polish waited for as long as the server liked. The whole request must now end
at the reply deadline (twice the timeout) with the batch's rules kept and the operator told,
without a retry, and a cancel must still return at once.
"""

from __future__ import annotations

import threading
import time

from app.core.cancel import CancelToken
from app.core.classify.cache import ExplanationCache
from app.core.classify.llm import LlmRefiner
from tests.core.classify.test_llm import distinct_items, settings
from tests.helpers.hostile_server import dribbled_headers, run_bounded

TIMEOUT_S = 0.5  # the reply deadline is twice this: 1 s


def test_dribbled_headers_end_at_the_deadline_and_keep_the_rules(cache: ExplanationCache) -> None:
    items = distinct_items(2)
    with dribbled_headers() as (url, server):
        refiner = LlmRefiner(settings(url, timeout_s=TIMEOUT_S, max_retries=2), cache)
        # The headers never end: reaching the assertions shows the deadline ended the request
        # (the failure says so). The bound is a hang guard, not a speed check.
        ended, result = run_bounded(lambda: refiner.refine(items), 60.0)
    assert ended, "headers dribbled on with a 0.5 s timeout and nothing ended the request"
    assert not isinstance(result, BaseException), result
    assert result.explanations == [rule for *_, rule in items]
    assert any("still arriving after 1 s" in line for line in result.failures), result.failures
    assert server.asked() == 1, "the dribbled request was sent again"
    assert len(cache) == 0


def test_cancel_during_dribbled_headers_returns_and_the_request_ends(
    cache: ExplanationCache,
) -> None:
    items = distinct_items(4)
    token = CancelToken()
    with dribbled_headers() as (url, server):
        refiner = LlmRefiner(settings(url, timeout_s=TIMEOUT_S, batch_size=2), cache)
        box: list[object] = []
        worker = threading.Thread(target=lambda: box.append(refiner.refine(items, cancel=token)))
        worker.start()
        wait_until = time.monotonic() + 5
        while not server.asked() and time.monotonic() < wait_until:
            time.sleep(0.02)
        time.sleep(0.1)  # the status line is in: the client now waits for the headers
        token.cancel()
        worker.join(timeout=3)
        assert not worker.is_alive(), "cancel did not return"
        # The request thread left behind must end too (at the deadline), not dribble on.
        stray = [t for t in threading.enumerate() if t.name.startswith("llm-request")]
        for thread in stray:
            thread.join(timeout=5)
        assert not any(t.is_alive() for t in stray), "the request thread is still waiting"
    (result,) = box
    assert result.cancelled
    assert result.explanations == [rule for *_, rule in items]
