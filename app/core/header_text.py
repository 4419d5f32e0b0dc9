"""Secrets and names that travel in an HTTP header: refused early when a header cannot carry
them, with a message that says what to fix.

HTTP header values are bytes; httpx encodes a ``str`` value as ASCII and raises
``UnicodeEncodeError`` for anything else, and h11 refuses a line break. An API key copied from
a web page with a zero-width space, or typed with the IME in full-width mode (ＳＧ．…), used to
end the fetch or the connection test with a traceback (or with "cannot connect", which sends the
operator looking at the network).
"""

from __future__ import annotations

from app.core.errors import InvalidInputError


def header_value(value: str, what_ja: str) -> str:
    """``value`` when every character is visible ASCII (U+0021..U+007E), as API keys, AWS keys
    and SendGrid subuser names are; else InvalidInputError naming the first bad character by
    position and code point only (the value may be a secret)."""
    for position, char in enumerate(value, 1):
        if not "\x21" <= char <= "\x7e":
            raise InvalidInputError(
                f"{what_ja}に使えない文字（全角文字・空白・改行など）が含まれています。",
                next_step_ja=(
                    f"{what_ja}をコピーし直して貼り付けてください。前後や途中に空白・全角文字・"
                    "見えない文字が入っていないか確認してください。"
                ),
                detail=f"{what_ja}: {len(value)} 文字中 {position} 文字目が U+{ord(char):04X}",
            )
    return value
