"""Offline classification of bounce reasons and optional LLM refinement.

The package's front door is ``LazyClassifier``, the classify function the window and the CLI
hold: it loads the rule engine (``classifier.py``, ~20 ms with its rules) on first use, on a
worker thread, so holding one costs nothing at start-up.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from app.core.types import Explanation, ListKind, SuppressionEntry

# Explains a run of entries, index for index (Classifier.classify_entries): one call per chunk
# instead of one per entry, as a method call per entry is a third of the cost at a million.
ClassifyFunction = Callable[[Sequence[SuppressionEntry]], Sequence[Explanation]]


class LazyClassifier:
    """Loads the rule classifier on first use (on a worker thread), then shares it.

    The classifier is read-only after loading and memoises by text; sharing it across jobs is
    safe (unlike providers, it holds no connection).
    """

    def __init__(
        self,
        loader: Callable[[], ClassifyFunction] | None = None,
        rules_dir: Path | None = None,
    ) -> None:
        self._loader = loader or functools.partial(_load_rule_classifier, rules_dir)
        self._classify: ClassifyFunction | None = None
        self._lock = threading.Lock()

    def __call__(self, entries: Sequence[SuppressionEntry]) -> Sequence[Explanation]:
        classify = self._classify
        if classify is None:
            with self._lock:
                if self._classify is None:
                    self._classify = self._loader()
                classify = self._classify
        return classify(entries)


def _load_rule_classifier(rules_dir: Path | None) -> ClassifyFunction:
    from app.core.classify.classifier import Classifier

    return Classifier.load(rules_dir).classify_entries


def explain_blocks_as_suppressions(classify: ClassifyFunction) -> ClassifyFunction:
    """``classify`` for a provider whose block list suppresses (CMC's 配信停止, Infobip's
    OVER_QUOTA): its block rows are explained as the bounce list's, where deleting lets mail go
    again. SendGrid's blocks suppress nothing (it keeps sending), and the advice written for them
    — "deleting changes nothing" — would be wrong for these providers."""

    def explain(entries: Sequence[SuppressionEntry]) -> Sequence[Explanation]:
        return classify(
            [
                dataclasses.replace(entry, list_kind=ListKind.BOUNCES)
                if entry.list_kind is ListKind.BLOCKS
                else entry
                for entry in entries
            ]
        )

    return explain
