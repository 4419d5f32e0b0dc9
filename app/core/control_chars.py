"""Character classes of text that must not reach a terminal, a letter or a note as it is.

Text from outside (bounce reasons, DNS records, report fields, LLM replies) can carry characters
that drive a terminal or reorder what a reader sees. Each consumer removes or replaces a
slightly different set, but from these same pieces, so that a class added to one (as C1 once
was to the letter quote) is not forgotten by the others. Fragments for a regex ``[...]``.
"""

from __future__ import annotations

# C0 controls but tab and line feed, which plain text keeps.
C0_BUT_TAB_LF = "\x00-\x08\x0b-\x1f"
# DEL and C1: U+009B and U+009D are one-character CSI and OSC for terminals that take 8-bit
# controls.
DEL_AND_C1 = "\x7f-\x9f"
# Bidi marks (the Arabic letter mark among them), embeddings, overrides and isolates: they
# reorder what is shown.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Zero-width space, non-joiner and joiner: invisible, they hide or split words.
ZERO_WIDTH = "\u200b-\u200d"


# Characters a reader cannot see that still make two texts differ: zero-width space,
# non-joiner and joiner, the word joiner, and U+FEFF (a byte order mark, as it is read inside
# a text). "user@exa\u200bmple.com" looked exactly like the address it is not.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff"

# Each bidi control and invisible character with its visible stand-in (⟨U+202E⟩ and the like).
HIDDEN_SHOWN = {ord(char): f"⟨U+{ord(char):04X}⟩" for char in BIDI + _INVISIBLE_CHARS}


def hidden_shown(text: str) -> str:
    """``text`` with each bidi control and invisible character written out as ⟨U+202E⟩,
    ⟨U+200B⟩ and the like.

    For text a person reads (the window, the Excel report): "user@example.com\u202egnp.exe"
    displays as "user@example.comexe.png", and "user@exa\u200bmple.com" as an address it is
    not; written out, the character is seen for what it is and nothing after it is reordered.
    The data itself (what is stored, deleted, journalled, copied or written to CSV) keeps the
    characters.
    """
    return text.translate(HIDDEN_SHOWN)
