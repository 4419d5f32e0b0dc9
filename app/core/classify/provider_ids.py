"""Provider reply ids whose digits are the message ("[TSS04]", "OFR_416", "S3150").

The canonical form masks every other digit after the leading codes; these ids keep theirs, and
the classifier keys its memo on their digits (docs/classification.md, "Provider ids").
"""

from __future__ import annotations

import re
import string
import unicodedata

from app.core.classify.folding import INVISIBLE

# Provider reply ids whose digits are the message (docs/classification.md, "Provider ids"): Yahoo
# and AOL Sender Hub [TSS04] [TS01] [GL01] [BL21] [PH01], Apple [HM08] [CS01] [HME1], Orange /
# La Poste OFR005_104 OFR_416 LPN007_420 LPN416 LPNAAA_101 OUK_513, GoDaddy IB504, Microsoft S3150,
# Spectrum AUP#I1000, Charter's older AUP#In-1020 / AUP#I-1010 and Cox AUP#IPBL0001, Facebook
# POL-P7 RCP-P2, AOL's legacy RLY:B1 DYN:T1, Vade Secure / OX's OXSUS0001_101 OXSEU0001_403,
# Sophos Central Email's XGEMAIL_0011 and SFR's SFR_IN_104.
# Written as the providers send them (capitals; Orange's also in lower case); every alternative
# starts with a letter and digits appear only as [0-9], so where ids are depends on the text with
# its digits zeroed alone, which is what lets the classifier key its memo on the ids' own digits
# (provider_ids).
_ID_CORE = "|".join(
    [
        *(f"{name}[0-9]{{2}}" for name in ("TSS", "TS", "GL", "BL", "PH", "HM", "CS")),
        "HME[0-9]{1,2}",
        *(f"{name}[A-Z]{{0,3}}[0-9]{{0,3}}_[0-9]{{3}}" for name in ("OFR", "LPN", "OUK")),
        # Orange's relays also write them in lower case ("Mail rejected. ofr_506 [506]", as
        # Sisimai's Exim decoder quotes one): the "_" before the digits still marks the shape.
        *(f"{name}[a-z]{{0,3}}[0-9]{{0,3}}_[0-9]{{3}}" for name in ("ofr", "lpn", "ouk")),
        "LPN[0-9]{3}", "IB[0-9]{3}", "S[0-9]{4}", "AUP#[A-Z]{0,6}[0-9]{3,5}", "AUP#In?-[0-9]{4}",
        *(f"{name}-[PT][0-9]" for name in ("POL", "RCP", "MSG", "INT", "DNS", "CON")),
        *(f"{name}:[A-Z]{{1,3}}[0-9]{{1,2}}" for name in ("RLY", "CON", "DYN", "HVU", "DNS")),
        "OXS[A-Z]{0,2}[0-9]{4}_[0-9]{3}", "XGEMAIL_[0-9]{4}", "SFR_IN_[0-9]{3}",
    ]
)  # fmt: skip
_ID_RUN_CHARS = frozenset(string.ascii_letters + string.digits + "_#:-")  # what ids are made of
# An id is a whole run of id characters: the end is checked here, the start by provider_ids
# (a look-behind first would cost the scan its fast start).
ID_FIND = re.compile(rf"(?:{_ID_CORE})(?![A-Za-z0-9_#:-])").finditer
_ID_FULL = re.compile(_ID_CORE).fullmatch
# Every id has a capital, "_" or "#" right before a digit, or a capital right after "#": a C-level
# test of that shape (capitals as "A", digits as "0") spares most texts the scan, which costs more
# than the rest of the key.
_ID_SHAPE = bytearray(b" " * 256)
for _char in string.ascii_uppercase:
    _ID_SHAPE[ord(_char)] = ord("A")
for _char in string.digits:
    _ID_SHAPE[ord(_char)] = ord("0")
for _char in "_#":
    _ID_SHAPE[ord(_char)] = ord(_char)
_ID_SHAPES = bytes(_ID_SHAPE)
_ID_EDGES = "()[]{}<>.,;'\"!?"  # punctuation around an id token ("[TSS04]", "(S3150).")


def may_hold_ids(text: str) -> bool:
    """False when ``text`` cannot hold a provider id (no capital, "_" or "#" before a digit, no
    capital after "#").

    Exact for any text: in UTF-8 every byte of a non-ASCII character is 0x80 or above, which the
    shape table maps to neither a capital nor a digit."""
    shape = text.encode("utf-8", "surrogatepass").translate(_ID_SHAPES)
    # "#A": Charter's "AUP#In-1020", whose digits follow a lower-case letter or "-".
    return b"A0" in shape or b"_0" in shape or b"#0" in shape or b"#A" in shape


def provider_id_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the provider ids of an ASCII ``text`` are (start, end), in order.

    The places depend on the text with its digits zeroed alone: texts with equal digit keys
    have their ids at the same places, and only the ids' own digits can tell them apart.
    """
    if not may_hold_ids(text):
        return ()
    return tuple(
        match.span() for match in ID_FIND(text)
        if not match.start() or text[match.start() - 1] not in _ID_RUN_CHARS
    )  # fmt: skip


def provider_ids(text: str) -> tuple[str, ...]:
    """The provider ids in ``text`` (as sent, in order): every id ``canonical`` keeps is one."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    return tuple(text[start:end] for start, end in provider_id_spans(text))


def id_tokens(rest: str, before: str) -> list[str]:
    """Per whitespace token of ``rest``: the token in lower case when it is a provider id
    (inside punctuation such as "[TSS04]"), else "".

    An id must be a whole run of id characters, as ``provider_ids`` finds it, so a first token
    glued to the lead or wrapper before it ("550-TSS04") is not one.
    """
    tokens = rest.split()
    kept = [token.lower() if _ID_FULL(token.strip(_ID_EDGES)) else "" for token in tokens]
    if kept and kept[0] and before and before in _ID_RUN_CHARS and rest[:1] in _ID_RUN_CHARS:
        kept[0] = ""
    return kept
