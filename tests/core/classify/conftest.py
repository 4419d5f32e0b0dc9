"""Fixtures for the LLM tests: the OpenAI imitation on loopback and a fresh explanation cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.classify.cache import ExplanationCache
from app.sandbox.openai_server import OpenAISandbox
from tests.helpers.llm import LLM_KEY


@pytest.fixture
def sandbox() -> Iterator[OpenAISandbox]:
    """The OpenAI imitation (LLM tests); modules that need a SendGrid one define their own."""
    with OpenAISandbox(api_key=LLM_KEY) as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[ExplanationCache]:
    with ExplanationCache(tmp_path / "llm-cache.sqlite3") as c:
        yield c
