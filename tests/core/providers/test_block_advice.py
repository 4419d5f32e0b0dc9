"""A block is no suppression on SendGrid (it keeps sending), but CMC's 配信停止 and Infobip's
OVER_QUOTA are: there, deleting an entry lets mail go again, and the advice must say so."""

from __future__ import annotations

import pytest

from app.core.classify import LazyClassifier
from app.core.services import fetch_and_classify
from app.core.types import DeleteEffect, ListKind
from tests.core.providers.harness import HARNESSES, RANGE


@pytest.mark.parametrize("name", ["sendgrid", "cmc", "infobip"])
def test_block_rows_get_advice_for_what_deleting_does_at_that_provider(name: str) -> None:
    pages = []
    with HARNESSES[name]() as harness:
        fetch_and_classify(
            harness.make, RANGE, tuple(ListKind), LazyClassifier(), on_page=pages.append
        )
    blocks = [
        explanation
        for page in pages
        for entry, explanation in zip(page.entries, page.explanations, strict=True)
        if entry.list_kind is ListKind.BLOCKS
    ]
    assert blocks, f"{name}: the imitation serves block rows"
    effects = {explanation.delete_effect for explanation in blocks}
    if name == "sendgrid":
        assert effects == {DeleteEffect.NO_EFFECT}
    else:
        assert DeleteEffect.NO_EFFECT not in effects
        assert all("送信を止めません" not in e.explanation_ja for e in blocks)
