"""fetch_and_classify over the loopback sandbox: classified pages; a cancel lands mid-page."""

from __future__ import annotations

import pytest

from app.core.cancel import CancelToken
from app.core.classify.classifier import Classifier
from app.core.errors import CancelledError
from app.core.services import (
    CLASSIFY_CHUNK,
    ClassifiedPage,
    ConnectionConfig,
    fetch_and_classify,
    sendgrid_factory,
)
from app.core.types import ListKind
from tests.helpers.core_sandbox import API_KEY, RANGE, bounce


def test_every_streamed_entry_comes_with_its_explanation(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(1200)])
    config = ConnectionConfig(api_key=API_KEY, base_url=sandbox.base_url, max_retries=0)
    pages: list[ClassifiedPage] = []
    outcome = fetch_and_classify(
        sendgrid_factory(config),
        RANGE,
        (ListKind.BOUNCES,),
        Classifier.load().classify_entries,
        on_page=pages.append,
    )
    assert outcome.classified == 1200 == sum(len(page.entries) for page in pages)
    for page in pages:
        assert len(page.explanations) == len(page.entries)
    # One shared object per distinct explanation (the grid relies on it for memory).
    assert len({id(x) for page in pages for x in page.explanations}) == 1


def test_a_cancel_during_classification_stops_before_the_page_is_emitted(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(500)])  # exactly one page
    config = ConnectionConfig(api_key=API_KEY, base_url=sandbox.base_url, max_retries=0)
    classify = Classifier.load().classify_entries
    cancel = CancelToken()
    calls = 0

    def classify_then_cancel(entries):
        nonlocal calls
        calls += len(entries)
        if calls >= 10:
            cancel.cancel()  # e.g. the operator pressed Cancel while the page was classified
        return classify(entries)

    pages: list[ClassifiedPage] = []
    with pytest.raises(CancelledError):
        fetch_and_classify(
            sendgrid_factory(config),
            RANGE,
            (ListKind.BOUNCES,),
            classify_then_cancel,
            on_page=pages.append,
            cancel=cancel,
        )
    assert pages == []
    assert calls == CLASSIFY_CHUNK  # the rest of the page was not classified
