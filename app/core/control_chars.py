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
# Bidi marks, embeddings, overrides and isolates: they reorder what is shown.
BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Zero-width space, non-joiner and joiner: invisible, they hide or split words.
ZERO_WIDTH = "\u200b-\u200d"
