"""The sending MTA's wrapper around a remote reply, and words glued to bracketed parts.

Texts composed from the public formats: qmail-remote.c ("<host> does not like recipient.\\n
Remote host said: ...", "failed after I sent the message", "Connected to <host> but sender was
rejected"), Postfix smtp_proto.c ("host <name>[<ip>] said: ... (in reply to RCPT TO command)",
"refused to talk to me"), Exim's smtp transport ("SMTP error from remote mail server after
RCPT TO:<addr>: host <name> [<ip>]: ...") and Sendmail's session transcript ("... while talking
to <host>.: >>> RCPT To:<addr> <<< ..."). The remote reply decides; the wrapper only adds the
SMTP stage.
"""

from __future__ import annotations

import random

import pytest

from app.core.classify.classifier import Classifier, digit_key
from app.core.classify.folding import unfold_qmail_log, zero_digits
from app.core.classify.rules import canonical, extract_facts, normalise, provider_ids

ADDR = "taro@example.jp"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


# (text, reason, permanent): each reply in the wrapper of one MTA.
WRAPPED = [
    # qmail: its own "does not like recipient" reads like an unknown user, the reply says why.
    (
        "192.0.2.1 does not like recipient.\nRemote host said: 554 5.7.1 Service unavailable; "
        "Client host [198.51.100.7] blocked using zen.spamhaus.org\nGiving up on 192.0.2.1.",
        "blocked", True,
    ),
    (
        "192.0.2.1 does not like recipient.\nRemote host said: 452 4.2.2 Mailbox full\n"
        "Giving up on 192.0.2.1.",
        "mailboxfull", False,
    ),
    # qmail after the message was sent: an unknown user at end of DATA is a filter (the stage).
    (
        "192.0.2.1 failed after I sent the message.\nRemote host said: 550 5.1.1 <taro@example.jp>"
        "... User unknown",
        "filtered", True,
    ),
    (
        "Connected to 192.0.2.1 but sender was rejected.\nRemote host said: 192.0.2.1 Defined "
        "SPAM source: bl.spamcop.net",
        "blocked", True,
    ),
    # Postfix
    (
        "host mx.example.jp[192.0.2.1] said: 550 5.1.1 <taro@example.jp>: Recipient address "
        "rejected: User unknown in local recipient table (in reply to RCPT TO command)",
        "userunknown", True,
    ),
    (
        "host mx.example.jp[192.0.2.1] refused to talk to me: 554 5.7.1 Your IP 198.51.100.7 is "
        "listed on zen.spamhaus.org",
        "blocked", True,
    ),
    # Exim, the older layout (host after the command) and the newer one (host first)
    (
        "SMTP error from remote mail server after RCPT TO:<taro@example.jp>: host mx.example.jp "
        "[192.0.2.1]: 550 5.1.1 <taro@example.jp>: Recipient address rejected: User unknown",
        "userunknown", True,
    ),
    (
        "host mx.example.jp [192.0.2.1]\nSMTP error from remote mail server after end of data:\n"
        "550 5.7.1 Message rejected as spam",
        "spamdetected", True,
    ),
    # Exim's delay warning puts "Delay reason: " before the same line; the 4xx reply leads,
    # so the delay is never reported as permanent (go-sisimai lhost/via-exim.go, delayedfor).
    (
        "Delay reason: SMTP error from remote mail server after MAIL FROM:<news@example.jp> "
        "SIZE=1024:\n450 4.1.8 <news@example.jp>: Sender address rejected: Domain not found",
        "rejected", False,
    ),
    # Sendmail
    (
        "... while talking to mx.example.jp.:\n>>> RCPT To:<taro@example.jp>\n<<< 550 5.1.1 "
        "<taro@example.jp>... User unknown",
        "userunknown", True,
    ),
]  # fmt: skip


# qmail-send's log form of qmail-remote's report: spaces as "_", line breaks as "/" (qmail's
# log format), as bounce tools pass the log line on.
# RFC 3464's diagnostic-type and Exchange's "Remote Server returned" before the reply.
DIAGNOSTIC = [
    (
        "smtp;550 5.1.1 <a@example.jp>: Recipient address rejected: User unknown",
        "userunknown",
        True,
    ),
    ("Diagnostic-Code: smtp; 452 4.2.2 Mailbox full", "mailboxfull", False),
    (
        "Remote Server returned '554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain'",
        "hostunknown",
        True,
    ),
    # a report's words before the quoted reply: its 4xx class still counts
    (
        "The response from the remote server was: 450 4.1.1 <a@example.jp>: Recipient address "
        "rejected: unverified address",
        "systemerror",
        False,
    ),
    ("<a@example.jp>: Remote host said: 451 4.7.1 Please try again later", "speeding", False),
    # no reply code after the words: nothing is cut
    ("Error: connect ETIMEDOUT 192.0.2.1:25", "networkerror", False),
    # Exchange's closing quote belongs to the wrapper: the reply still ends with its own words
    ("Remote Server returned '451 4.7.1 Please try again later'", "speeding", False),
]

QMAIL_LOG = [
    (
        "delivery 7: failure: 192.0.2.1_does_not_like_recipient./Remote_host_said:_550_5.1.1_"
        "<a@example.jp>..._User_unknown/Giving_up_on_192.0.2.1./",
        "userunknown", True,
    ),
    (
        "deferral: Connected_to_192.0.2.1_but_greeting_failed./Remote_host_said:_421_4.3.2_"
        "Service_shutting_down/",
        "systemerror", False,
    ),
    (
        "failure: Sorry,_I_couldn't_find_any_host_named_example.invalid._(#5.1.2)/",
        "hostunknown", True,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "reason", "permanent"), WRAPPED + DIAGNOSTIC + QMAIL_LOG)
def test_the_remote_reply_decides(
    classifier: Classifier, text: str, reason: str, permanent: bool
) -> None:
    got = classifier.classify(text, "", ADDR)
    assert (got.reason, got.permanent) == (reason, permanent), got.rule_id


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("192.0.2.1 does not like recipient.\nRemote host said: 550 5.2.2 <@>", "550 5.2.2"),
        ("host mx.example.jp[192.0.2.1] said: 452 4.2.2 <@> (in reply to RCPT TO command)",
         "452 4.2.2"),
        ("SMTP error from remote mail server after RCPT TO:<@>: host mx.example.jp [192.0.2.1]: "
         "550 5.1.1 <@>", "550 5.1.1"),
        (">>> RCPT To:<@> <<< 553 5.1.2 <@>", "553 5.1.2"),
    ],
)  # fmt: skip
def test_the_replys_own_codes_lead_the_canonical_form(text: str, lead: str) -> None:
    form = normalise(text)
    assert form.startswith(lead + " "), form
    assert extract_facts(form, "").code == lead.split()[1]


def test_a_reply_with_codes_only_is_read_by_the_code_layer(classifier: Classifier) -> None:
    # Before, the wrapper hid the codes (masked as "000 0.0.0"): 要確認 without a cause.
    full = classifier.classify(
        "host mx.example.jp[192.0.2.1] said: 452 4.2.2 <taro@example.jp> (in reply to RCPT TO "
        "command)", "", ADDR,
    )  # fmt: skip
    assert (full.reason, full.permanent) == ("mailboxfull", False)
    unknown = classifier.classify(
        "192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 <taro@example.jp>",
        "",
        ADDR,
    )
    assert unknown.reason == "userunknown"


def test_the_stage_is_kept_as_a_tag() -> None:
    assert (
        normalise(
            "192.0.2.1 failed after I sent the message.\nRemote host said: 554 5.7.1 rejected"
        )
        == "554 5.7.1 rejected (in reply to end of data command)"
    )
    assert (
        normalise("SMTP error from remote mail server after initial connection: 554 mx.example.jp")
        == "554 mx.example.jp (in reply to initial connection)"
    )
    # Postfix writes the stage itself: no second tag.
    assert (
        normalise(
            "host mx.example.jp[192.0.2.1] said: 550 5.7.1 denied (in reply to MAIL FROM command)"
        )
        == "550 5.7.1 denied (in reply to mail from command)"
    )


def test_a_reply_that_names_no_cause_falls_back_to_the_stage(classifier: Classifier) -> None:
    helo = classifier.classify(
        "Connected to 192.0.2.1 but my name was rejected.\nRemote host said: 550 not here"
    )
    assert helo.reason == "blocked"
    sender = classifier.classify(
        "Connected to 192.0.2.1 but sender was rejected.\nRemote host said: 550 not here"
    )
    assert sender.reason == "rejected"
    recipient = classifier.classify(
        "192.0.2.1 does not like recipient.\nRemote host said: 550 not here\n"
        "Giving up on 192.0.2.1."
    )
    assert recipient.reason == "userunknown"
    # qmail's "Giving up on <host>." is its own wording, not an expiry.
    assert recipient.reason != "expired"


def test_a_quoted_reply_after_the_servers_own_is_not_a_wrapper(classifier: Classifier) -> None:
    # The receiving server verified our sender and quotes what our MX said: its own reply
    # (5.1.7, the sender) decides, not the quoted one.
    got = classifier.classify(
        "550 5.1.7 <bounce@em.example.jp>: Sender address rejected: undeliverable address: host "
        "em.example.jp[192.0.2.72] said: 550 5.1.1 <bounce@em.example.jp>: Recipient address "
        "rejected", "5.1.7", "n@example.net",
    )  # fmt: skip
    assert got.reason == "rejected"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("550 Relaying denied.(F-Secure/virusgw_smtp/virusgw1.example.jp)", "norelaying"),
        ("550 Recipient unknown(#5.1.1)", "userunknown"),
        ("550 mailbox full(#5.2.2)", "mailboxfull"),
        ("553 sorry, relaying denied<taro@example.jp>", "norelaying"),
        ("554 Message refused: Mailbox is full[192.0.2.1]", "mailboxfull"),
        ("552 5.3.4 受信可能なメールサイズ（20MB）を超えているため受信できません", "mesgtoobig"),
    ],
)
def test_a_word_glued_to_a_bracketed_part_stays_readable(
    classifier: Classifier, text: str, reason: str
) -> None:
    assert classifier.classify(text, "", ADDR).reason == reason


def test_glued_parts_are_masked_and_host_names_with_them() -> None:
    assert normalise("Relaying denied.(F-Secure/virusgw1.example.jp)") == "relaying denied. #"
    assert normalise("unknown(#5.1.1)") == "unknown (#0.0.0)"
    assert normalise("from mx.example.net[192.0.2.1]:25: refused") == "from # refused"
    assert normalise("[192.0.2.1] <a@b.jp>: (#5.1.1)") == "# # (#0.0.0)"


def test_digit_key_stays_exact_with_wrappers_and_glued_tokens() -> None:
    """Equal keys must mean equal canonical forms for wrapped and glued texts too."""
    rng = random.Random(12)
    parts = [
        "192.0.2.1 does not like recipient.\nRemote host said: ", "host mx[10.0.0.1] said: ",
        "SMTP error from remote mail server after RCPT TO:<a@b.jp>: ", ">>> DATA <<< ",
        "Connected to 10.0.0.1 but sender was rejected. Remote host said: ",
        "550 ", "451 ", "5.1.1 ", "4.7.1 ", "x(#5.1.1) ", "word[1.2.3.4] ", "a<b@c.jp> ",
        "user unknown ", "12 ", "Giving up on 10.0.0.1.", "(in reply to RCPT TO command)",
        # Provider ids keep their digits: the key then adds the ids themselves.
        "[TSS04] ", "OFR_416 ", "LPN007_420. ", "(S3150) ", "IB504", "AUP#I1000 ", "RCP-P2 ",
        "RLY:B1 ", "550-", "TS01", "x", ":", "smtp;", "Diagnostic-Code: smtp; ",
        "Remote Server returned '", "X-Postfix; ", "The response was: ", "Error: ",
    ]  # fmt: skip
    forms: dict[tuple[tuple[str, bytes], tuple[str, ...]], str] = {}
    for _ in range(20_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 5)))
        text = "".join(str(rng.randrange(10)) if ch.isdigit() else ch for ch in text)
        key = (digit_key(text), provider_ids(text))
        assert forms.setdefault(key, canonical(text)) == canonical(text), text
    assert len(forms) > 1_000


def test_qmail_log_unfolding_keeps_urls_and_leaves_other_texts() -> None:
    report = unfold_qmail_log(
        "failure: 192.0.2.1_failed_after_I_sent_the_message./Remote_host_said:_554_5.7.1_"
        "Rejected_as_spam,_see_https://example.org/help/spam/"
    )
    assert report == (
        "192.0.2.1 failed after I sent the message. Remote host said: 554 5.7.1 Rejected as "
        "spam, see https://example.org/help/spam/"
    )
    # a capital in a URL's path is no line break; the next line's reply code is
    assert unfold_qmail_log(
        "failure: 192.0.2.1_does_not_like_recipient./Remote_host_said:_550-5.7.1_Please_see_"
        "http://www.openspf.org/Why?s=mfrom/550_5.7.1_SPF_fail/"
    ) == (
        "192.0.2.1 does not like recipient. Remote host said: 550-5.7.1 Please see "
        "http://www.openspf.org/Why?s=mfrom/550 5.7.1 SPF fail"
    )
    for text in ("550 5.7.1 Rejected by policy_check_sender", "failure: plain words here"):
        assert unfold_qmail_log(text) == text


def test_qmail_log_unfolding_depends_on_the_zeroed_text_alone() -> None:
    """The memo keys are taken after the unfolding: it must not read digit values."""
    rng = random.Random(5)
    parts = ["delivery 12: ", "failure: ", "deferral: ", "a_b", "_", "/", "./", "9/", "X", "1.2_"]
    for _ in range(5_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 7)))
        assert zero_digits(unfold_qmail_log(text)) == unfold_qmail_log(zero_digits(text)), text


def test_an_address_glued_to_the_next_word_by_a_colon_is_masked_alone() -> None:
    assert normalise("<a@163.com>:Quota exceed the hard limit") == "# quota exceed the hard limit"
    assert normalise("mx.example.net[192.0.2.1]:25: refused") == "# refused"


def test_a_urls_query_and_fragment_are_masked_and_its_host_and_path_kept() -> None:
    """An address in the query or a code after "#" must not hide the page the URL names."""
    assert normalise("see http://www.openspf.org/why.html?sender=a@example.com&ip=192.0.2.9") == (
        "see http://www.openspf.org/why.html?#"
    )
    assert normalise("see http://postmaster.comcast.net/smtp-error-codes.php#BL000001") == (
        "see http://postmaster.comcast.net/smtp-error-codes.php#"
    )
    # An IP in the path: the host and the path before it still name the lookup page.
    assert normalise("see https://www.spamhaus.org/query/ip/192.0.2.9") == (
        "see https://www.spamhaus.org/query/ip/#"
    )
    assert normalise("see http://192.0.2.9/x") == "see #"  # a bare IP names nothing stable
    assert normalise("at 192.0.2.9)http://mx.example/ok") == normalise(
        "at 192.0.2.19)http://mx.example/ok"
    )  # glued digits stay masked whole: the memo keys rely on it
