"""GenerationalMemo: bounded to two generations; keys in use survive a rotation."""

from __future__ import annotations

from app.core.classify.memo import GenerationalMemo


def test_a_key_in_use_survives_while_one_off_keys_age_out() -> None:
    memo: GenerationalMemo[str, int] = GenerationalMemo(size=3)
    memo.put("kept", 1)
    for number in range(20):
        memo.put(f"once-{number}", number)  # a per-message id: never asked for again
        assert memo.get("kept") == 1  # asked for all along: moved forward each rotation
        assert len(memo) <= 6
    assert memo.get("once-0") is None


def test_a_key_found_in_the_previous_generation_moves_to_the_current_one() -> None:
    memo: GenerationalMemo[str, int] = GenerationalMemo(size=2)
    memo.put("a", 1)
    memo.put("b", 2)
    memo.put("c", 3)  # full: {"a", "b"} becomes the previous generation
    assert "a" in memo.previous and "a" not in memo.current
    assert memo.get("a") == 1
    assert "a" in memo.current
    memo.put("d", 4)  # full again: the old previous generation ("b") is forgotten
    assert memo.get("b") is None
    assert memo.get("a") == 1 and memo.get("c") == 3 and memo.get("d") == 4


def test_falsy_values_are_remembered() -> None:
    memo: GenerationalMemo[str, int] = GenerationalMemo(size=1)
    memo.put("zero", 0)
    memo.put("one", 1)
    assert memo.get("zero") == 0
