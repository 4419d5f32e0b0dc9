"""A bounded memo with two generations, for the classifier's hot path.

Clearing a full dict forgets the few keys that repeat along with the many that never will
(texts carrying a per-message id). Here a full generation becomes the previous one instead; a
key found there moves back to the current one, so keys in use survive and the rest age out.
At most two generations are held: memory stays within twice the size.
"""

from __future__ import annotations

from typing import Generic, TypeVar

_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


class GenerationalMemo(Generic[_Key, _Value]):
    """``get``/``put`` over two dicts; ``current`` may be read directly on a hot path."""

    __slots__ = ("_size", "current", "previous")

    def __init__(self, size: int) -> None:
        self._size = max(1, size)
        self.current: dict[_Key, _Value] = {}
        self.previous: dict[_Key, _Value] = {}

    def __len__(self) -> int:
        return len(self.current) + len(self.previous)

    def get(self, key: _Key) -> _Value | None:
        value = self.current.get(key)
        if value is None:
            value = self.previous.get(key)
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: _Key, value: _Value) -> None:
        current = self.current
        if len(current) >= self._size:
            # A plain dict read stays atomic for other threads: the swap only rebinds names.
            self.previous, self.current = current, {}
            current = self.current
        current[key] = value
