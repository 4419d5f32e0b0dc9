"""untrusted_json.loads: JSON from outside without lone surrogates, everything else as json."""

from __future__ import annotations

import json

import pytest

from app.core import untrusted_json


def test_lone_surrogates_become_replacement_characters_in_values_and_keys() -> None:
    body = b'{"a\\ud800": ["x\\udfff", {"k": "\\uDBFF y"}], "n": 1, "ok": "\\u3042"}'
    value = untrusted_json.loads(body)
    assert value == {"a\ufffd": ["x\ufffd", {"k": "\ufffd y"}], "n": 1, "ok": "あ"}
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # has a UTF-8 form now


def test_a_surrogate_pair_is_one_character_and_stays() -> None:
    assert untrusted_json.loads('"\\ud83d\\ude00"') == "\U0001f600"
    assert untrusted_json.loads(b'["\\ud83d\\ude00", "\\ud83d"]') == ["\U0001f600", "\ufffd"]


def test_a_deep_document_is_scrubbed_without_recursion() -> None:
    depth = 900  # json.loads still reads it; a recursive walk on top of it would not
    body = "[" * depth + '"\\ud800"' + "]" * depth
    value = untrusted_json.loads(body)
    for _ in range(depth):
        value = value[0]
    assert value == "\ufffd"


@pytest.mark.parametrize("body", [b"", b"{", b"\xff", b"[" * 100_000])
def test_what_json_refuses_it_refuses_the_same_way(body: bytes) -> None:
    with pytest.raises((ValueError, RecursionError)):
        untrusted_json.loads(body)
