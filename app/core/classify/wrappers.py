"""The text a sending MTA writes around the remote server's reply (qmail, Postfix, Exim, Sendmail).

``wrapper_match`` finds it; the canonical form drops it and tags the SMTP stage it names
(``STAGE_TAGS``), so rules read the remote server's own words (docs/classification.md, "Wrappers").
"""

from __future__ import annotations

import re

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
      # RFC 3464's diagnostic-type before the reply, as DSNs and ESP reports copy it
      # ("Diagnostic-Code: smtp; 550 5.1.1 ...", "smtp;550 ...", "X-Postfix; connect to ..."),
      # and Exchange's "Remote Server returned '<reply>'": no stage named.
     |(?:diagnostic-code:\s{0,8})?(?:smtp|x-postfix);\s{0,8}
     |remote\ server\ returned\ '
      # The words a bounce report puts before the quoted reply (Google's "The response from the
      # remote server was:", its older "The error that the other server returned was:", Yahoo's
      # "Remote host said:", "Server replied:", "Error:"), only when a reply code follows.
     |(?:the\ response(?:\ from\ the\ remote\ server)?\ was|the\ error\ that\ the\ other
        \ server\ returned\ was|remote\ (?:host|server)\ said|(?:the\ )?(?:remote\ )?server
        \ (?:replied|responded|said)(?:\ with)?|(?:smtp\ )?error|reason|diagnostics?)
      :?\s{1,8}(?=[0-9]{3}[\ -])
      # Sendmail: "... while talking to <host>.: >>> RCPT To:<addr> <<< <reply>"
     |(?:\.\.\.\ while\ talking\ to\ \S{1,255}:\s{1,8})?>>>\ ?
      (?:(?P<rcpt_sendmail>rcpt\ to)|(?P<mail_sendmail>mail\ from)|(?P<data_sendmail>data)
       |(?P<end_of_data_sendmail>\.)|(?P<helo_sendmail>helo|ehlo))
      (?::?\s{0,8}<[^<>]{0,320}>)?[^<>]{0,80}?\s{0,8}<<<
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
QMAIL_STAGES = frozenset({"connect", "helo", "mail", "rcpt", "data", "end_of_data"})
QMAIL_GIVING_UP = re.compile(r"(?:^| )giving up on \S+$").sub
STAGE_TAGS = {
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


# The words that start a diagnostic-type or a report's introduction (above), looked for in the
# lower-cased head only: a few C-level substring tests instead of the wrapper pattern's
# alternatives on every text (a case-insensitive regex search of them costs ~50 times more).
_DIGITS = frozenset("0123456789")
_REPORT_MARKS = (
    "smtp;",
    "x-postfix;",
    "returned '",
    "was:",
    "said:",
    "replied",
    "responded",
    "error:",
    "reason:",
    "diagnostic",
)


def wrapper_match(text: str) -> re.Match[str] | None:
    """The sending MTA's wrapper ``text`` starts with (qmail, Postfix, Exim, Sendmail), if any.

    Its end is where the remote server's reply starts. The marks are tested as written, before
    the pattern, so texts without a wrapper pay a few substring tests only.
    """
    if (
        "said:" in text or "SMTP error from remote" in text or "<<<" in text
        or "refused to talk to me:" in text
        # most reasons start with their reply code: no report words before it to look for
        or (text[:1] not in _DIGITS and _has_report_mark(text[:80].lower()))
    ):  # fmt: skip
        return _WRAPPER.match(text)
    return None


def _has_report_mark(head: str) -> bool:
    return any(mark in head for mark in _REPORT_MARKS)
