"""The canonical form the rules match: NFKC, lower case, one space, variable tokens masked.

Two reasons with the same canonical form always get the same answer, so the classifier memoises
on it. Only the leading codes keep their digit values; provider ids keep theirs too
(``provider_ids.py``); a sending MTA's wrapper is replaced by a stage tag (``wrappers.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import cast

from app.core.classify.folding import (
    INVISIBLE,
    fold_codes,
    trim_gsmtp,
    unfold_qmail_log,
    zero_digits,
)
from app.core.classify.provider_ids import ID_FIND, id_tokens, may_hold_ids
from app.core.classify.wrappers import QMAIL_GIVING_UP, QMAIL_STAGES, STAGE_TAGS, wrapper_match

_CODE_PUNCT = "()[]{}<>#,;:.'\"=!?"
# Digit-bearing tokens shaped like SMTP codes: 550, 5.1.1, 5.7.509, 550-5.1.1 (digits as 0).
_CODE_SHAPES = frozenset(
    {"000", "0.0.0", "0.0.00", "0.0.000", "000-0.0.0", "000-0.0.00", "000-0.0.000"}
)
# Continuation markers of a multi-line reply (RFC 5321 4.2.1: "code-" on every line but the last),
# and what is left of one whose "code-" part was cut (see _without_line_markers).
_CONTINUATIONS = frozenset({"000-0.0.0", "000-0.0.00", "000-0.0.000"})
_BARE_CODES = frozenset({"0.0.0", "0.0.00", "0.0.000"})
# The codes a reply starts with: "550 5.1.1 ", "550-5.7.26 ", "#550 5.7.1 ", "5.3.0 ", "421 ".
_LEAD = re.compile(
    r"[#(]{0,2}(?:[245][0-9][0-9][ -]+)*(?:#?[245]\.[0-9]{1,3}\.[0-9]{1,3}(?![0-9.]))?"
)
# Every part of _LEAD is optional, so match() always succeeds; typed as never-None so the hot
# paths that call it need no None check (cast: no runtime cost).
LEAD_MATCH = cast("Callable[[str], re.Match[str]]", _LEAD.match)
LEAD_START = frozenset("#(2345")  # a lead can only start with one of these
# Where a word meets a bracketed part inside one token: before an opening bracket that follows
# something else, after a closing bracket followed by more than punctuation, and after a closing
# bracket and a colon followed by a letter ("<a@example.com>:Quota exceed ...", Coremail).
_GLUE_AT = (
    r"(?<=[^\s(\[<])(?=[(\[<])|(?<=[)\]>])(?=[^\s)\]>.,;:!?'\"])"
    r"|(?<=[)\]>]:)(?=[^\W\d_])"
)
_BRACKETS = frozenset("()[]<>")
_CLOSING = ")]>.,;:!?'\""  # what may follow a closing bracket without gluing a word to it
_GLUE_SPLIT = re.compile(_GLUE_AT).split
_HOST_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)+\.?").fullmatch


def lead_end(text: str) -> int:
    """Length of the codes a reply starts with ("550 5.1.1"), 0 when it starts otherwise."""
    return LEAD_MATCH(text).end() if text[:1] in LEAD_START else 0


def normalise(text: str) -> str:
    """Canonical form the rules match: NFKC, lower case, single spaces, variable tokens masked.

    After the leading codes, a whitespace-separated token becomes "#" when it holds an "@" (an
    address) or a digit; a token shaped like an SMTP code keeps its shape with digits as 0
    (``(#0.0.0)``, ``000``) so rules still see that a code was there. Gmail's per-message id
    is cut first (``trim_gsmtp``), qmail's log form unfolded (``unfold_qmail_log``); characters
    that fold into codes are folded (``fold_codes``).
    """
    return canonical(fold_codes(unfold_qmail_log(trim_gsmtp(text))))


def canonical(text: str) -> str:
    """``normalise()`` of a text already through ``trim_gsmtp`` (see ``canonical_ids``)."""
    return canonical_ids(text)[0]


def canonical_ids(text: str) -> tuple[str, bool]:
    """``normalise()`` of a text already through ``trim_gsmtp`` (trimming twice may cut more).

    Only the leading codes keep their digit values; every later digit is noise (IPs, ids,
    sizes, times) or a code quoted later, which the rules see as "0.0.0"/"000". So the result
    depends only on the leading codes and on the rest with its digits zeroed, which is what
    lets the classifier memoise on a key built with C-level string operations.

    A text that starts with a sending MTA's wrapper (``wrapper_match``) is read as the remote
    reply it quotes, whose own leading codes then count as the lead, followed by a stage tag
    in Postfix's words ("(in reply to end of data command)") when the wrapper names the SMTP
    stage and the reply does not. The wrapper is found by a pattern that treats every digit
    alike, so this too depends only on the zeroed text and the reply's leading codes.

    Provider ids ("[TSS04]", "OFR_416", see ``provider_ids``) are the exception: they keep
    their digits (in lower case). The flag tells whether the form holds one; it depends on the
    zeroed text alone, and every id kept is one ``provider_ids(text)`` finds.
    """
    wrapped = wrapper_match(text)
    if wrapped is None:
        return _canonical_reply(text, "")
    start = wrapped.end()
    quoted = text[start:]
    if wrapped.group().endswith("'") and quoted.rstrip().endswith("'"):
        # Exchange's "Remote Server returned '<reply>'": the closing quote is the wrapper's too
        # (a rule anchored at the reply's end must see the reply's own last word).
        quoted = quoted.rstrip()[:-1]
    reply, ids = _canonical_reply(quoted, text[start - 1 : start])
    stage = next((key for key, value in wrapped.groupdict().items() if value), "")
    if stage in QMAIL_STAGES:
        # qmail-remote ends with its own "Giving up on <host>." when no recipient was taken:
        # wrapper text too (it stops this delivery, it does not say the message expired).
        reply = QMAIL_GIVING_UP(" ", reply).strip()
    tag = STAGE_TAGS.get(stage, "")
    if not tag or "(in reply to " in reply:
        return reply, ids
    return (f"{reply} {tag}" if reply else tag), ids


def _canonical_reply(text: str, before: str) -> tuple[str, bool]:
    """``canonical_ids()`` of a text that is the reply itself (no wrapper); ``before`` is the
    character the reply follows in the whole text ("" at its start)."""
    end = lead_end(text)
    lead, rest = text[:end], text[end:]
    if end:
        before = text[end - 1]
    if not rest.isascii():
        # Invisible format characters (zero-width, bidi controls) could split a phrase so no
        # rule sees it; NFKC folds full-width letters and compatibility forms.
        rest = unicodedata.normalize("NFKC", rest).translate(INVISIBLE)
    # Only the zeroed text is read: a token without a 0 or "@" is the same in both forms, and
    # the masking below only needs where the digits were. Provider ids keep their digits.
    marks = zero_digits(rest.lower()).split()
    # Provider ids are rare: a C-level shape test, then one scan, before any per-token work.
    kept = id_tokens(rest, before) if may_hold_ids(rest) and next(ID_FIND(rest), None) else []
    if any(kept):
        body = " ".join(
            [
                mark if "0" not in mark and "@" not in mark else kept[index] or _mask_token(mark)
                for index, mark in enumerate(marks)
            ]
        )
    else:
        body = " ".join(
            [mark if "0" not in mark and "@" not in mark else _mask_token(mark) for mark in marks]
        )
    if "000-" in body or (lead and " 0." in f" {body}"):
        body = _without_line_markers(body, lead != "", "-" in lead)
    lead = " ".join(lead.split())
    return (f"{lead} {body}" if lead and body else lead or body), any(kept)


def _without_line_markers(body: str, after_lead: bool, multi_line: bool = False) -> str:
    """A multi-line reply joined into one text repeats its line markers inside the sentence
    (RFC 5321 4.2.1): drop them so the phrase reads as written. Four leftovers:

    - a full marker, "450-4.2.1 The user ... 450-4.2.1 prevents additional messages";
    - a marker without its enhanced code glued to the next word, "that 450-prevents": the
      word stays;
    - the last line's marker, written with a space as RFC 5321 wants it ("421-4.7.0 ... an
      unusual rate 421 4.7.0 of unsolicited mail"): dropped only when the reply's own lead is a
      continuation marker ("421-"), which says the text is one multi-line reply; otherwise a
      code pair in the middle is a quoted reply's lead and stays;
    - a bare enhanced code, as Gmail's own bounces print "552 5.7.0 ... a potential 5.7.0
      security issue" (only after a lead; after a reply code it is a quoted reply's lead and
      stays).
    """
    tokens = body.split(" ")
    kept: list[str] = []
    previous = ""
    for index, token in enumerate(tokens):
        if token in _CONTINUATIONS:
            continue
        if token[:4] == "000-" and token[4:5].isalpha():
            token = token[4:]
        if (
            multi_line and token == "000" and index + 1 < len(tokens)
            and tokens[index + 1] in _BARE_CODES
        ):  # fmt: skip
            previous = ""  # the code after it is the marker's, dropped below
            continue
        if not (after_lead and token in _BARE_CODES and previous != "000"):
            kept.append(token)
        previous = token
    return " ".join(kept)


def _mask_token(mark: str, glue: bool = True) -> str:
    """Mask one token (digits already 0) that holds a digit or an "@".

    A word glued to a bracketed part ("denied.(f-secure/virusgw0.example.jp)",
    "unknown(#0.0.0)", "rejected<@>") is split there first, so only the part that holds the
    digit or address is masked and the word stays readable. A host name glued to its address
    ("mx.example.net[0.0.0.0]:00:") is masked with it, as before: it names no cause.
    """
    # Brackets only at the ends ("[0.0.0.0]", "<@>", "(#0.0.0).") glue nothing: a C-level test
    # that spares most tokens the split pattern (which could not match them either).
    if (
        glue and not _BRACKETS.isdisjoint(mark.lstrip("([<").rstrip(_CLOSING))
        and "://" not in mark and len(split := _GLUE_SPLIT(mark)) > 1
    ):  # fmt: skip
        pieces = [
            piece if "0" not in piece and "@" not in piece and not _HOST_NAME(piece)
            else _mask_token(piece, glue=False)
            for piece in split
            if piece
        ]  # fmt: skip
        # Neighbouring masked pieces are one variable part: "#", not "# #".
        return " ".join(
            piece for index, piece in enumerate(pieces)
            if piece != "#" or index == 0 or pieces[index - 1] != "#"
        )  # fmt: skip
    # A URL: the host and path name the service (spamhaus.org/query/bl, openspf.org/why.html);
    # the query and the fragment are noise (the sender's address in the query, a code after "#").
    if "://" in mark:
        cut = min([at for at in (mark.find("?"), mark.find("#")) if at >= 0] or [len(mark)])
        head = mark[:cut]
        if "0" not in head and "@" not in head:
            return head + ("?#" if mark[cut : cut + 1] == "?" else "#")
        # A digit or an address in the path (the sending IP in spamhaus.org/query/ip/<ip>, an
        # id): keep the host and the path up to it, which still name the service, and mask the
        # rest. A host with digits (an IP, a per-message name) names nothing stable.
        scheme, _, rest = head.partition("://")
        if "0" in scheme or "@" in scheme:  # words glued before the URL ("…169)http://")
            return "#"
        kept = []
        for part in rest.split("/"):
            if "0" in part or "@" in part:
                break
            kept.append(part)
        if not kept:
            return "#"
        return f"{scheme}://{'/'.join(kept)}/#"
    if "@" in mark:
        # A per-recipient result glued to the address, as Barracuda writes it
        # ("(user@example.com:quarantined)"): the word after the colon is the cause.
        colon = mark.rfind(":")
        if colon > mark.find("@") > 0:
            word = mark[colon + 1 :].rstrip(_CLOSING)
            if word.isalpha():
                return "# :" + word
        return "#"
    bare = mark.strip(_CODE_PUNCT)
    if bare in _CODE_SHAPES:
        return mark
    # A reply code glued to the next word, as in "550-'Unknown": keep the shape and the word.
    if bare[:3] == "000" and bare[3:4] in ("-", "'") and "0" not in bare[3:]:
        return mark
    return "#"
