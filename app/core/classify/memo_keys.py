"""Memo keys that stand for a reason text up to the digits its canonical form masks.

``normalise()`` keeps the leading codes' digits and masks every later one, so a key built from
the leading codes (as sent) and the text with its digits zeroed gives equal canonical forms for
equal keys; the classifier reaches most answers through such a key without normalising.
"""

from __future__ import annotations

import re

from app.core.classify.folding import ZERO_BYTES
from app.core.classify.normalise import lead_end
from app.core.classify.wrappers import wrapper_match

_CODE_CHARS = "#(0123456789 -."  # every character the lead regex of normalise.py can match
_SHORT_RUN = 12  # "550-5.7.26 " and "#550 5.1.1 " fit; "554 5.7.1 192.0.2.1" does not
# Runs in a zeroed text that normalise() masks whatever their length or letters: an IPv4
# address ("000.0.00.0") and a stand-alone hex id of 8+ characters with a digit ("00DC000D...",
# a Microsoft or queue id). Each is a whole token or a whole piece of one, never next to a word
# character, a dot or the other characters provider ids are made of ("AUP#100.2.3.4" holds an
# id), so no id, code or word changes. Only used for unwrapped ASCII texts shorter than the
# classifier's MATCH_CHARS: there the form is the lead plus masked tokens, while a wrapper's
# bounded patterns and the cut at MATCH_CHARS depend on lengths.
# Both patterns start with the run's first character and look behind it from there: a pattern
# that starts with a look-behind is tried at every position, one that starts with a character
# (set) lets the regex engine skip to candidates, which halves the time on a typical reply.
_IP_RUNS = re.compile(rb"0(?<![\w.#:-].)0{0,2}\.0{1,3}\.0{1,3}\.0{1,3}(?![\w.#:-])").sub
_HEX_RUNS = re.compile(rb"[0a-fA-F](?<![\w.#:-].)[0a-fA-F]{7,}(?![\w.#:-])").sub

# Every character a hex run can hold, written "h": a text without "hhhhhhhh" after this holds no
# run _HEX_RUNS could mask (a C-level test that spares most texts the regex scan; a run of other
# letters that happens to read "hhhhhhhh", as in "beachhead", only costs the scan).
_HEX_MARK = bytes.maketrans(b"0abcdefABCDEF", b"h" * 13)

RawKey = tuple[str, bytes, str, str, str]  # digit_key(text), status, host group, list kind


def _hex_id(match: re.Match[bytes]) -> bytes:
    run = match.group()
    return b"00000000" if b"0" in run else run  # a run without a digit is a word ("deadbeef")


def loose_digits(digits: bytes) -> bytes:
    """The zeroed text with those runs written one way: equal results, equal canonical forms."""
    if b"0.0" in digits:  # every zeroed IPv4 address holds it
        digits = _IP_RUNS(b"0.0.0.0", digits)
    if b"hhhhhhhh" not in digits.translate(_HEX_MARK):
        return digits
    return _HEX_RUNS(_hex_id, digits)


def digit_key(text: str) -> tuple[str, bytes]:
    """The part of a memo key that stands for ``text`` up to its digits after the lead.

    ``normalise()`` reads the leading codes as sent and the rest with digits as 0, so texts
    with equal keys get equal canonical forms. The lead regex only reads characters of
    ``_CODE_CHARS`` (and one more, which fails it whatever it is), so the run of such
    characters the text starts with, kept as sent, decides the lead as well: found by a
    C-level ``lstrip`` (of the first few characters only) instead of the regex. A long run
    (an IP address after the codes) would make the key as variable as the text, so then the
    lead itself is kept, marked by a leading NUL that no run of code characters can start with.
    """
    digits = text.encode("utf-8", "surrogatepass").translate(ZERO_BYTES)
    wrapped = wrapper_match(text)
    if wrapped is not None:
        # A sending MTA's wrapper: the reply it quotes has the lead (its place depends on the
        # zeroed text only); SOH marks such keys apart from the two kinds below.
        reply = text[wrapped.end() :]
        return "\1" + reply[: lead_end(reply)], digits
    head = text[: _SHORT_RUN + 1]
    run = len(head) - len(head.lstrip(_CODE_CHARS))
    lead = text[:run] if run <= _SHORT_RUN else "\0" + text[: lead_end(text)]
    return lead, digits
