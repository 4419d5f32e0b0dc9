"""Rule engine: load ordered rules from resources/rules/*.toml and match normalised reason texts.

The rules are data; this module only reads, validates, compiles and evaluates them. Matching runs
on a *normalised* text (NFKC, lower case, one space, addresses/IPs/long numbers masked), so the
classifier may memoise on that text: two reasons that normalise alike always get the same answer.
"""

from __future__ import annotations

import fnmatch
import re
import string
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from app.core.classify.literal_index import LiteralIndex
from app.core.classify.literals import required_literals
from app.core.classify.vocabulary import REASONS, asks_to_come_back_later

ZERO_BYTES = bytes.maketrans(b"0123456789", b"0000000000")
_CODE_PUNCT = "()[]{}<>#,;:.'\"=!?"
# Digit-bearing tokens shaped like SMTP codes: 550, 5.1.1, 5.7.509, 550-5.1.1 (digits as 0).
_CODE_SHAPES = frozenset(
    {"000", "0.0.0", "0.0.00", "0.0.000", "000-0.0.0", "000-0.0.00", "000-0.0.000"}
)
# Continuation markers of a multi-line reply (RFC 5321 4.2.1: "code-" on every line but the last).
_CONTINUATIONS = frozenset({"000-0.0.0", "000-0.0.00", "000-0.0.000"})
# The codes a reply starts with: "550 5.1.1 ", "550-5.7.26 ", "#550 5.7.1 ", "5.3.0 ", "421 ".
_LEAD = re.compile(
    r"[#(]{0,2}(?:[245][0-9][0-9][ -]+)*(?:#?[245]\.[0-9]{1,3}\.[0-9]{1,3}(?![0-9.]))?"
)
# Every part of _LEAD is optional, so match() always succeeds; typed as never-None so the hot
# paths that call it need no None check (cast: no runtime cost).
LEAD_MATCH = cast("Callable[[str], re.Match[str]]", _LEAD.match)
LEAD_START = frozenset("#(2345")  # a lead can only start with one of these
_GSMTP_TAIL = " - gsmtp"
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
     0xFEFF],
)  # fmt: skip
_HAS_DIGIT = re.compile(r"[0-9]").search
# Characters that NFKC or the removal of invisible characters turn into, or take out of the way
# of, what the lead regex reads: full-width digits and # ( - ., Unicode spaces, zero-width and
# bidi controls ("５５０ ５．７．１", "550\u200b 5.1.1"). The lead keeps its digit values, so it
# must be read after folding, not before.
_FOLDS_INTO_CODES = re.compile(
    "[\uff03\uff08\uff0d\uff0e\uff10-\uff19\u00a0\u2000-\u200a\u3000"
    + "".join(chr(code) for code in _INVISIBLE)
    + "]"
).search
# Where a word meets a bracketed part inside one token: before an opening bracket that follows
# something else, after a closing bracket followed by more than punctuation.
_GLUE_AT = r"(?<=[^\s(\[<])(?=[(\[<])|(?<=[)\]>])(?=[^\s)\]>.,;:!?'\"])"
_BRACKETS = frozenset("()[]<>")
_CLOSING = ")]>.,;:!?'\""  # what may follow a closing bracket without gluing a word to it
_GLUE_SPLIT = re.compile(_GLUE_AT).split
_HOST_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)+\.?").fullmatch
# The text a sending MTA writes around the remote server's reply, at the start of the reason
# (docs/classification.md, "Wrappers"). Each named group marks the SMTP stage it names. Digits
# are only ever matched by classes that hold all of them, so a match depends on the text with
# its digits zeroed alone (what the classifier's digit key relies on), and every variable part
# is bounded, so a match ends long before the 3,000 characters the rules read.
_WRAPPER = re.compile(
    r"""\s{0,8}(?:<[^<>\s]{0,320}>:?\s{1,8})?(?:
      # qmail-remote: "<ip> does not like recipient.\nRemote host said: <reply>"
      (?:connected\ to\ \S{1,255}\ but\ (?:(?P<connect>greeting\ failed)
          |(?P<helo>my\ name\ was\ rejected)|(?P<mail>sender\ was\ rejected))
       |\S{1,255}\ (?:(?P<rcpt>does\ not\ like\ recipient)|(?P<data>failed\ on\ data\ command)
          |(?P<end_of_data>failed\ after\ i\ sent\ the\ message)))
      \.?\s{1,8}remote\ host\ said:
      # Postfix smtp(8): "host <name>[<ip>] said: <reply> (in reply to <command> command)"
     |host\ \S{1,300}\ (?:said|(?P<connect_postfix>refused\ to\ talk\ to\ me)):
      # Exim smtp transport: "[host <name> [<ip>]] SMTP error from remote mail server after
      # <command>[:<addr>]: [host <name> [<ip>]:] <reply>"; in a delay warning the same line
      # follows "Delay reason: " (deliver.c), and the quoted 4xx reply must stay the lead.
     |(?:delay\ reason:\s{1,8})?(?:host\ \S{1,255}\ \[[^\]\s]{1,64}\]:?\s{1,8})?
      smtp\ error\ from\ remote\ (?:mail\ server|server|mailer)\ after\ (?:pipelined\ )?
      (?:(?P<connect_exim>initial\ connection)|(?P<end_of_data_exim>end\ of\ data)
       |(?P<rcpt_exim>rcpt\ to|rcpt)|(?P<mail_exim>mail\ from|mail)|(?P<data_exim>data)
       |(?P<helo_exim>helo|ehlo))
      (?::?<[^<>]{0,320}>)?[^:<>]{0,80}:(?:\s{1,8}host\ \S{1,255}\ \[[^\]\s]{1,64}\]:)?
      # Sendmail: "... while talking to <host>.: >>> RCPT To:<addr> <<< <reply>"
     |(?:\.\.\.\ while\ talking\ to\ \S{1,255}:\s{1,8})?>>>\ ?
      (?:(?P<rcpt_sendmail>rcpt\ to)|(?P<mail_sendmail>mail\ from)|(?P<data_sendmail>data)
       |(?P<end_of_data_sendmail>\.)|(?P<helo_sendmail>helo|ehlo))
      (?::?\s{0,8}<[^<>]{0,320}>)?[^<>]{0,80}?\s{0,8}<<<
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_QMAIL_STAGES = frozenset({"connect", "helo", "mail", "rcpt", "data", "end_of_data"})
_QMAIL_GIVING_UP = re.compile(r"(?:^| )giving up on \S+$").sub
_STAGE_TAGS = {
    **dict.fromkeys(
        ("connect", "connect_postfix", "connect_exim"), "(in reply to initial connection)"
    ),
    **dict.fromkeys(("helo", "helo_exim", "helo_sendmail"), "(in reply to helo command)"),
    **dict.fromkeys(("mail", "mail_exim", "mail_sendmail"), "(in reply to mail from command)"),
    # qmail's own words for a refused recipient: Sisimai's qmail decoder reads them as an
    # unknown user when the reply names no other cause (the stage rule of 45-cues.toml).
    "rcpt": "(in reply to rcpt to command, qmail)",
    **dict.fromkeys(("rcpt_exim", "rcpt_sendmail"), "(in reply to rcpt to command)"),
    **dict.fromkeys(("data", "data_exim", "data_sendmail"), "(in reply to data command)"),
    **dict.fromkeys(
        ("end_of_data", "end_of_data_exim", "end_of_data_sendmail"),
        "(in reply to end of data command)",
    ),
}  # fmt: skip
# Provider reply ids whose digits are the message (docs/classification.md, "Provider ids"): Yahoo
# and AOL Sender Hub [TSS04] [TS01] [GL01] [BL21] [PH01], Apple [HM08] [CS01] [HME1], Orange /
# La Poste OFR005_104 OFR_416 LPN007_420 LPN416 LPNAAA_101 OUK_513, GoDaddy IB504, Microsoft S3150,
# Spectrum AUP#I1000 and Cox AUP#IPBL0001, Facebook POL-P7 RCP-P2, AOL's legacy RLY:B1 DYN:T1,
# Vade Secure / OX's OXSUS0001_101 OXSEU0001_403, Sophos Central Email's XGEMAIL_0011 and SFR's
# SFR_IN_104.
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
        "LPN[0-9]{3}", "IB[0-9]{3}", "S[0-9]{4}", "AUP#[A-Z]{0,6}[0-9]{3,5}",
        *(f"{name}-[PT][0-9]" for name in ("POL", "RCP", "MSG", "INT", "DNS", "CON")),
        *(f"{name}:[A-Z]{{1,3}}[0-9]{{1,2}}" for name in ("RLY", "CON", "DYN", "HVU", "DNS")),
        "OXS[A-Z]{0,2}[0-9]{4}_[0-9]{3}", "XGEMAIL_[0-9]{4}", "SFR_IN_[0-9]{3}",
    ]
)  # fmt: skip
_ID_RUN_CHARS = frozenset(string.ascii_letters + string.digits + "_#:-")  # what ids are made of
# An id is a whole run of id characters: the end is checked here, the start by provider_ids
# (a look-behind first would cost the scan its fast start).
_ID_FIND = re.compile(rf"(?:{_ID_CORE})(?![A-Za-z0-9_#:-])").finditer
_ID_FULL = re.compile(_ID_CORE).fullmatch
# Every id has a capital, "_" or "#" right before a digit: a C-level test of that shape (capitals
# as "A", digits as "0") spares most texts the scan, which costs more than the rest of the key.
_ID_SHAPE = bytearray(b" " * 256)
for _char in string.ascii_uppercase:
    _ID_SHAPE[ord(_char)] = ord("A")
for _char in string.digits:
    _ID_SHAPE[ord(_char)] = ord("0")
for _char in "_#":
    _ID_SHAPE[ord(_char)] = ord(_char)
_ID_SHAPES = bytes(_ID_SHAPE)
_ID_EDGES = "()[]{}<>.,;'\"!?"  # punctuation around an id token ("[TSS04]", "(S3150).")
_ENHANCED = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\w|\.\d)")
_REPLY = re.compile(r"(?<![\w.])([245]\d\d)(?![\w.])")
_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})\s*")
# The refusal itself called temporary: "temporarily deferred/blocked/rate limited/rejected",
# "temporary failure/error/block". Not a bare "try again later": blocklist replies say that too,
# and a listing lasts until it is removed.
_SAYS_TEMPORARY = re.compile(
    r"\btemporarily (deferred|delayed|blocked|rate[ -]?limited|limited|rejected|refused|"
    r"throttled|suspended|unavailable|disabled|not available)"
    r"|\btemporary (failure|error|problem|block|rejection|deferral|limit)"
)


def zero_digits(text: str) -> str:
    """Every ASCII digit as 0; through bytes, as str.translate costs ~12 ns a character.

    Exact for any text: in UTF-8 the bytes 0x30-0x39 only ever encode the ASCII digits.
    """
    return (
        text.encode("utf-8", "surrogatepass").translate(ZERO_BYTES).decode("utf-8", "surrogatepass")
    )


def trim_gsmtp(text: str) -> str:
    """Drop Gmail's per-message id from "... <id> - gsmtp" so all such replies compare equal."""
    if text.endswith(_GSMTP_TAIL):
        cut = max(text.rfind(" ", 0, -len(_GSMTP_TAIL)), 0)
        # Gmail's ids always hold a digit; a plain last word ("pass.") is kept.
        if _HAS_DIGIT(text, cut, len(text) - len(_GSMTP_TAIL)):
            return text[:cut] + _GSMTP_TAIL
    return text


def fold_codes(text: str) -> str:
    """``text`` NFKC-folded and without invisible characters when it holds a character that
    could become part of the leading codes; otherwise ``text`` itself (the common case, at the
    cost of one ``isascii``).

    The classifier applies it before the digit key and the canonical form are taken, so both
    read the same codes: a full-width "５５０ ５．７．１" then counts as "550 5.7.1".
    """
    if text.isascii() or _FOLDS_INTO_CODES(text) is None:
        return text
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def lead_end(text: str) -> int:
    """Length of the codes a reply starts with ("550 5.1.1"), 0 when it starts otherwise."""
    return LEAD_MATCH(text).end() if text[:1] in LEAD_START else 0


def wrapper_match(text: str) -> re.Match[str] | None:
    """The sending MTA's wrapper ``text`` starts with (qmail, Postfix, Exim, Sendmail), if any.

    Its end is where the remote server's reply starts. The marks are tested as written, before
    the pattern, so texts without a wrapper pay a few substring tests only.
    """
    if (
        "said:" in text or "SMTP error from remote" in text or "<<<" in text
        or "refused to talk to me:" in text
    ):  # fmt: skip
        return _WRAPPER.match(text)
    return None


def may_hold_ids(text: str) -> bool:
    """False when ``text`` cannot hold a provider id (no capital, "_" or "#" before a digit).

    Exact for any text: in UTF-8 every byte of a non-ASCII character is 0x80 or above, which the
    shape table maps to neither a capital nor a digit."""
    shape = text.encode("utf-8", "surrogatepass").translate(_ID_SHAPES)
    return b"A0" in shape or b"_0" in shape or b"#0" in shape


def provider_id_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the provider ids of an ASCII ``text`` are (start, end), in order.

    The places depend on the text with its digits zeroed alone: texts with equal digit keys
    have their ids at the same places, and only the ids' own digits can tell them apart.
    """
    if not may_hold_ids(text):
        return ()
    return tuple(
        match.span() for match in _ID_FIND(text)
        if not match.start() or text[match.start() - 1] not in _ID_RUN_CHARS
    )  # fmt: skip


def provider_ids(text: str) -> tuple[str, ...]:
    """The provider ids in ``text`` (as sent, in order): every id ``canonical`` keeps is one."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return tuple(text[start:end] for start, end in provider_id_spans(text))


def normalise(text: str) -> str:
    """Canonical form the rules match: NFKC, lower case, single spaces, variable tokens masked.

    After the leading codes, a whitespace-separated token becomes "#" when it holds an "@" (an
    address) or a digit; a token shaped like an SMTP code keeps its shape with digits as 0
    (``(#0.0.0)``, ``000``) so rules still see that a code was there. Gmail's per-message id
    is cut first (``trim_gsmtp``); characters that fold into codes are folded (``fold_codes``).
    """
    return canonical(fold_codes(trim_gsmtp(text)))


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
    reply, ids = _canonical_reply(text[start:], text[start - 1 : start])
    stage = next((key for key, value in wrapped.groupdict().items() if value), "")
    if stage in _QMAIL_STAGES:
        # qmail-remote ends with its own "Giving up on <host>." when no recipient was taken:
        # wrapper text too (it stops this delivery, it does not say the message expired).
        reply = _QMAIL_GIVING_UP(" ", reply).strip()
    tag = _STAGE_TAGS.get(stage, "")
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
        rest = unicodedata.normalize("NFKC", rest).translate(_INVISIBLE)
    # Only the zeroed text is read: a token without a 0 or "@" is the same in both forms, and
    # the masking below only needs where the digits were. Provider ids keep their digits.
    marks = zero_digits(rest.lower()).split()
    # Provider ids are rare: a C-level shape test, then one scan, before any per-token work.
    kept = _id_tokens(rest, before) if may_hold_ids(rest) and next(_ID_FIND(rest), None) else []
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
    if "000-0." in body:
        # A multi-line reply joined into one text repeats its codes at every line
        # ("450-4.2.1 The user ... 450-4.2.1 prevents additional messages"): those markers
        # sit inside the sentence, so drop them and let the phrase read as written.
        body = " ".join(token for token in body.split(" ") if token not in _CONTINUATIONS)
    lead = " ".join(lead.split())
    return (f"{lead} {body}" if lead and body else lead or body), any(kept)


def _id_tokens(rest: str, before: str) -> list[str]:
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
    if "@" in mark:
        return "#"
    bare = mark.strip(_CODE_PUNCT)
    if bare in _CODE_SHAPES:
        return mark
    # A reply code glued to the next word, as in "550-'Unknown": keep the shape and the word.
    if bare[:3] == "000" and bare[3:4] in ("-", "'") and "0" not in bare[3:]:
        return mark
    # A URL: the host and path name the service (spamhaus.org/query/bl); the query is noise.
    if "://" in mark:
        head, question, _ = mark.partition("?")
        if "0" not in head:
            return head + question + "#"
    return "#"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at, derived once per (normalised text, status, host group, list)."""

    text: str  # normalised
    code: str  # primary enhanced status code ("5.1.1"), "" when none
    reply: str  # first SMTP reply code in the text ("550"), "" when none
    host: str  # host group of the recipient domain (see hosts.py), "" when none
    list_kind: str  # ListKind value, "" when unknown
    # The words call the refusal temporary ("temporarily blocked") or ask to come back later.
    says_temporary: bool = False

    @property
    def temporary(self) -> bool:
        """A 4xx reply or 4.x.x status, or words that call the refusal itself temporary: the
        receiving side said it will pass. Some servers send "temporarily deferred" or
        "temporarily rate limited" with a 5xx code; the words are the more specific statement.
        A rule marked ``lasting`` still wins (Yahoo's "permanently deferred" in a 421)."""
        first = self.code[:1] or self.reply[:1]
        return first == "4" or self.says_temporary


def extract_facts(
    text: str, status: str, host: str = "", list_kind: str = ""
) -> Facts:
    """Find codes in an already normalised text and a raw status field.

    The code written in the text usually says more than the status field (``550 5.7.26 ...``
    arrives with status 5.0.0), so the first specific code in the text wins; X.0.0 only counts
    when nothing more specific exists.
    """
    candidates = ["{}.{}.{}".format(*match.groups()) for match in _ENHANCED.finditer(text)]
    status_match = _STATUS.fullmatch(status)
    if status_match:
        candidates.append("{}.{}.{}".format(*status_match.groups()))
    code = next(
        (c for c in candidates if not c.endswith(".0.0")), candidates[0] if candidates else ""
    )
    reply_match = _REPLY.search(text)
    reply = reply_match.group(1) if reply_match else ""
    says_temporary = (
        "tempor" in text and _SAYS_TEMPORARY.search(text) is not None
    ) or asks_to_come_back_later(text)
    return Facts(text, code, reply, host, list_kind, says_temporary)


def any_matches(guarded: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...], text: str) -> bool:
    """Whether one of the guarded patterns matches ``text``: each regex runs only when one of
    its literals is in the text (or it has none)."""
    for literals, pattern in guarded:
        if literals:
            for literal in literals:
                if literal in text:
                    break
            else:
                continue  # none of its literals: this pattern cannot match
        if pattern.search(text):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Example:
    """A text a rule must classify to itself (checked by the tests)."""

    text: str
    status: str = ""
    email: str = ""
    list_kind: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One ordered rule: every given condition must hold."""

    id: str
    reason: str
    any: tuple[re.Pattern[str], ...] = ()
    all: tuple[re.Pattern[str], ...] = ()
    none: tuple[re.Pattern[str], ...] = ()
    codes: re.Pattern[str] | None = None
    no_codes: re.Pattern[str] | None = None
    reply: re.Pattern[str] | None = None
    hosts: frozenset[str] = frozenset()
    lists: frozenset[str] = frozenset()
    explanation_ja: str = ""
    fix_ja: str = ""
    delete_ja: str = ""
    examples: tuple[Example, ...] = ()
    source_file: str = ""
    sources: tuple[str, ...] = ()  # ids of sources.toml: the public pages this rule stands on
    temporary: bool = False  # the text names a condition that passes by itself (greylisting)
    # The text names a refusal that lasts until someone changes something, even in a 4xx reply
    # ("TLS required", "permanently deferred", a mail loop): permanent whatever the class says.
    lasting: bool = False
    # (literals, pattern) per `any` pattern: a pattern runs only when one of the literals every
    # match contains is in the text (C-level substring tests), which skips most regex scans;
    # () for a pattern without such literals, which always runs.
    any_guarded: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = ()

    def matches(self, facts: Facts) -> bool:
        if self.hosts and facts.host not in self.hosts:
            return False
        if self.lists and facts.list_kind not in self.lists:
            return False
        if self.codes is not None and not self.codes.fullmatch(facts.code):
            return False
        if self.no_codes is not None and self.no_codes.fullmatch(facts.code):
            return False
        if self.reply is not None and not self.reply.fullmatch(facts.reply):
            return False
        text = facts.text
        if self.any_guarded and not any_matches(self.any_guarded, text):
            return False
        if not all(pattern.search(text) for pattern in self.all):
            return False
        return not any(pattern.search(text) for pattern in self.none)


@dataclass(frozen=True, slots=True)
class Advice:
    """Extra next-step text for a host group (e.g. lg.jp), appended after the reason's fix."""

    id: str
    hosts: frozenset[str]
    reasons: frozenset[str]  # empty = every reason
    fix_ja: str
    # Only where the reason's generic next step is used: a rule with its own fix_ja for this
    # host group already says it (the carriers' 指定受信), and saying it twice reads as noise.
    generic_fix_only: bool = False


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    advice: tuple[Advice, ...]
    # Indexes of the rules without a host condition, in order.
    generic: tuple[int, ...] = field(init=False, repr=False, compare=False)
    # Per host group, in order, the indexes of the rules limited to it (``first_for_host``).
    by_host: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    # The generic rules a text may match, found by one scan for all their guard literals. A
    # rule whose literals all hold a provider id's shape ("_416", "ib504") is no candidate for a
    # text without ids: after the leading codes only a kept id has a letter next to a digit 1-9.
    generic_index: LiteralIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        generic = tuple(index for index, rule in enumerate(self.rules) if not rule.hosts)
        object.__setattr__(self, "generic", generic)
        by_host: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            for host in rule.hosts:
                by_host.setdefault(host, []).append(index)
        object.__setattr__(self, "by_host", {h: tuple(i) for h, i in by_host.items()})
        object.__setattr__(self, "generic_index", LiteralIndex(self.rules, generic))

    def first_match(self, facts: Facts) -> Rule | None:
        index = self.first_for_host(facts, self.first_generic(facts))
        return self.rules[index] if index < len(self.rules) else None

    def first_generic(self, facts: Facts) -> int:
        """Index of the first matching rule without a host condition (len(rules) if none).

        Split from the host rules so the classifier can memoise it once per text for every
        recipient host group, instead of re-running every regex per group.
        """
        rules = self.rules
        for candidate in self.generic_index.candidates(facts.text):
            if rules[candidate].matches(facts):
                return candidate
        return len(rules)

    def first_for_host(self, facts: Facts, limit: int) -> int:
        """Index of the first host rule before ``limit`` that matches, else ``limit``."""
        rules = self.rules
        for index in self.by_host.get(facts.host, ()) if facts.host else ():
            if index >= limit:
                break
            if rules[index].matches(facts):
                return index
        return limit

    def advice_for(self, host: str, reason: str) -> tuple[Advice, ...]:
        if not host:
            return ()
        return tuple(
            item
            for item in self.advice
            if host in item.hosts and (not item.reasons or reason in item.reasons)
        )


class RuleError(ValueError):
    """A rule file is malformed (raised at load time, never while classifying)."""


_RULE_KEYS = {
    "id", "reason", "any", "all", "none", "codes", "no_codes", "reply", "hosts", "lists",
    "explanation_ja", "fix_ja", "delete_ja", "examples", "note", "sources", "temporary", "lasting",
}  # fmt: skip
# A file declaring `layer = "hosts"` is a mailbox-provider catalogue: every rule in it must name
# the host groups it is for, so provider knowledge can never fire for another provider's users.
HOST_LAYER = "hosts"
SOURCES_FILE = "sources.toml"
_LIST_KINDS = {"bounces", "blocks", "invalid_emails", "spam_reports", "unsubscribes"}


def _globs(patterns: Iterable[str], where: str) -> re.Pattern[str] | None:
    patterns = list(patterns)
    if not patterns:
        return None
    for pattern in patterns:
        if not isinstance(pattern, str) or not re.fullmatch(r"[0-9?*.\[\]-]*", pattern):
            raise RuleError(f"{where}: bad code pattern {pattern!r}")
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def _regexes(patterns: object, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise RuleError(f"{where}: expected a list of regular expressions")
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    except re.error as error:
        raise RuleError(f"{where}: {error}") from None


def _example(raw: object, where: str) -> Example:
    if isinstance(raw, str):
        return Example(raw)
    if isinstance(raw, dict) and isinstance(raw.get("text"), str):
        return Example(
            raw["text"], str(raw.get("status", "")), str(raw.get("email", "")),
            str(raw.get("list", "")),
        )  # fmt: skip
    raise RuleError(f"{where}: an example is a string or {{text=..., status=..., email=...}}")


def _rule(
    raw: dict[str, object], source: str, seen: set[str], known_sources: frozenset[str],
    host_layer: bool,
) -> Rule:  # fmt: skip
    rule_id = raw.get("id")
    where = f"{source}: rule {rule_id!r}"
    if not isinstance(rule_id, str) or not rule_id or rule_id in seen:
        raise RuleError(f"{where}: missing or duplicate id")
    seen.add(rule_id)
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    reason = raw.get("reason")
    if reason not in REASONS:
        raise RuleError(f"{where}: unknown reason {reason!r}")
    # TOML values are typed `object`; the casts only tell mypy the expected shape, the checks
    # below (and in _globs/_example) reject anything else at load time, as before.
    lists = frozenset(cast("Iterable[str]", raw.get("lists", [])))
    if not lists <= _LIST_KINDS:
        raise RuleError(f"{where}: unknown list in {sorted(lists)}")
    examples = tuple(
        _example(item, where) for item in cast("Iterable[object]", raw.get("examples", []))
    )
    if not examples:
        raise RuleError(f"{where}: every rule needs at least one example")
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(x, str) for x in sources):
        raise RuleError(f"{where}: every rule names its public sources (sources = [...])")
    unknown_sources = set(sources) - known_sources
    if unknown_sources:
        raise RuleError(f"{where}: sources not in {SOURCES_FILE}: {sorted(unknown_sources)}")
    if host_layer and not raw.get("hosts"):
        raise RuleError(f"{where}: a host-catalogue rule needs hosts = [...]")
    temporary = raw.get("temporary", False)
    lasting = raw.get("lasting", False)
    if not isinstance(temporary, bool) or not isinstance(lasting, bool) or (temporary and lasting):
        raise RuleError(f"{where}: temporary and lasting are true or false, not both true")
    any_patterns = _regexes(raw.get("any", []), where)
    texts = {key: raw.get(key, "") for key in ("explanation_ja", "fix_ja", "delete_ja")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise RuleError(f"{where}: Japanese texts must be strings")
    guarded = tuple((required_literals(p.pattern), p) for p in any_patterns)
    return Rule(
        id=rule_id,
        reason=str(reason),
        any=any_patterns,
        any_guarded=guarded,
        all=_regexes(raw.get("all", []), where),
        none=_regexes(raw.get("none", []), where),
        codes=_globs(cast("Iterable[str]", raw.get("codes", [])), where),
        no_codes=_globs(cast("Iterable[str]", raw.get("no_codes", [])), where),
        reply=_globs(cast("Iterable[str]", raw.get("reply", [])), where),
        hosts=frozenset(cast("Iterable[str]", raw.get("hosts", []))),
        lists=lists,
        explanation_ja=str(texts["explanation_ja"]),
        fix_ja=str(texts["fix_ja"]),
        delete_ja=str(texts["delete_ja"]),
        examples=examples,
        source_file=source,
        sources=tuple(sources),
        temporary=temporary,
        lasting=lasting,
    )


def load_sources(rules_dir: Path) -> dict[str, dict[str, str]]:
    """``sources.toml``: id -> {title, url} of every public page a rule may cite."""
    path = rules_dir / SOURCES_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RuleError(f"{SOURCES_FILE}: {error}") from None
    except RecursionError:  # tomllib nests one call per bracket
        raise RuleError(f"{SOURCES_FILE}: nested too deep") from None
    table: dict[str, dict[str, str]] = {}
    for key, value in data.get("source", {}).items():
        if not isinstance(value, dict) or not isinstance(value.get("title"), str):
            raise RuleError(f"{SOURCES_FILE}: source {key!r} needs a title")
        if not isinstance(value.get("url"), str):
            raise RuleError(f"{SOURCES_FILE}: source {key!r} needs a url")
        table[key] = {"title": value["title"], "url": value["url"]}
    return table


def load_rules(rules_dir: Path) -> RuleSet:
    """Read every rule ``*.toml`` in name order; rules keep file order, then in-file order."""
    files = sorted(path for path in rules_dir.glob("*.toml") if path.name != SOURCES_FILE)
    if not files:
        raise RuleError(f"no rule files in {rules_dir}")
    known_sources = frozenset(load_sources(rules_dir))
    rules: list[Rule] = []
    advice: list[Advice] = []
    seen: set[str] = set()
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise RuleError(f"{path.name}: {error}") from None
        except RecursionError:  # "x = [[[[..." 100,000 deep (a --rules-dir file)
            raise RuleError(f"{path.name}: nested too deep") from None
        host_layer = data.get("layer") == HOST_LAYER
        rules.extend(
            _rule(raw, path.name, seen, known_sources, host_layer) for raw in data.get("rule", [])
        )
        for raw in data.get("advice", []):
            if not isinstance(raw.get("fix_ja"), str) or not raw.get("hosts"):
                raise RuleError(f"{path.name}: advice {raw.get('id')!r} needs hosts and fix_ja")
            advice.append(
                Advice(
                    str(raw.get("id", "")),
                    frozenset(raw["hosts"]),
                    frozenset(raw.get("reasons", [])),
                    raw["fix_ja"],
                    raw.get("generic_fix_only") is True,
                )
            )
    return RuleSet(tuple(rules), tuple(advice))
