"""The cue layer (resources/rules/45-cues.toml): short keyword families per reason.

The texts are composed for this test from the wording of the public sources each family cites
(RFC 3463/5321/7208/6376/7489, the MTAs' documentation, AOL's postmaster error list, Sisimai's
reason modules, Coremail's bounce help); none is a line of a labelled set or a rule's own
example. Every family is checked on several texts and languages, for its reason and for
``permanent``; the negative tests check that a cue never takes over what a clearer earlier
layer (a provider sentence, the lexicon, the common wording) already decided.
"""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier
from app.core.classify.rules import RuleSet, extract_facts, normalise

CLASSIFIER = Classifier.load()
EMAIL = "someone@example.com"
CUE_FILE = "45-cues.toml"
# The cue layer alone: shows what the families themselves understand, whichever layer answers
# in the full order (many texts are also held by a sentence layer, with the same reason).
CUE_LAYER = RuleSet(
    tuple(rule for rule in CLASSIFIER.rule_set.rules if rule.source_file == CUE_FILE), ()
)


def _cue_reason(text: str, status: str = "") -> str:
    """The reason the cue layer alone gives ``text``, "" when no family reads it."""
    rule = CUE_LAYER.first_match(extract_facts(normalise(text), status))
    return rule.reason if rule else ""


def _classify(text: str, status: str = "") -> tuple[str, bool, str]:
    got = CLASSIFIER.classify(text, status, EMAIL)
    return got.reason, got.permanent, got.rule_id


# (text, reason, permanent): texts only a cue understands.
CUES = [
    # authentication words (RFC 7208 / 6376 / 7489)
    ("550 5.7.1 Rejected: SPF validation of the sender domain failed", "authfailure", True),
    ("550 5.7.1 DKIM signature verification failed for example.jp", "authfailure", True),
    ("550 5.7.1 Your message does not comply with the DMARC record", "authfailure", True),
    ("550 5.1.0 refused by SPF", "authfailure", True),
    ("550 SPF: la vérification a échoué", "authfailure", True),
    ("550 送信ドメイン認証の結果により受信できません", "authfailure", True),
    ("451 4.7.1 DKIM key lookup pending, retry", "authfailure", False),
    # sender verification (Exim/Postfix callouts)
    ("550 5.1.7 Sender verify failed", "rejected", True),
    ("550 Unable to verify sender address", "rejected", True),
    ("550 Verificación del remitente ha fallado", "rejected", True),
    ("451 Could not verify sender, try again", "rejected", False),
    # full mailbox: quota, storage, mailbox size, several languages
    ("552 Recipient has exceeded their quota", "mailboxfull", False),
    ("550 Message exceeds the maximum mailbox size of the addressee", "mailboxfull", False),
    ("552 Storage space exhausted for this account", "mailboxfull", False),
    ("552 收件人邮箱容量不足", "mailboxfull", False),
    ("552 Das Speicherkontingent ist erschöpft", "mailboxfull", False),
    ("552 L'espace de stockage est dépassé", "mailboxfull", False),
    ("552 메일함 용량 초과", "mailboxfull", False),
    ("552 受信者のメールボックス容量が不足しています", "mailboxfull", False),
    # too big
    ("552 Attachment too large", "mesgtoobig", True),
    ("552 E-mail size exceeds the server limit", "mesgtoobig", True),
    ("552 Le fichier est trop volumineux", "mesgtoobig", True),
    ("552 附件过大", "mesgtoobig", True),
    # disabled / closed accounts (Sisimai Suspend, Coremail "User suspended")
    ("550 Mailbox for this user is disabled", "suspend", True),
    ("550 Account is closed", "suspend", True),
    ("550 5.2.1 Recipient account deactivated", "suspend", True),
    ("550 La cuenta del destinatario está suspendida", "suspend", True),
    ("550 该账号已冻结", "suspend", True),
    ("550 アカウントは利用停止中です", "suspend", True),
    # unknown users
    ("550 Recipient not found", "userunknown", True),
    ("550 No such account here", "userunknown", True),
    ("550 Unknown local user", "userunknown", True),
    ("550 Destinataire inconnu", "userunknown", True),
    ("550 O destinatário não existe", "userunknown", True),
    ("550 收件人不存在", "userunknown", True),
    ("550 사용자가 존재하지 않습니다", "userunknown", True),
    # connections and rates (4xx: temporary)
    ("421 Too many simultaneous connections from your host", "toomanyconn", False),
    ("421 Trop de connexions, réessayez", "toomanyconn", False),
    ("421 连接数过多", "toomanyconn", False),
    ("450 Rate limited, slow down", "speeding", False),
    ("421 Messages from your IP are being throttled", "speeding", False),
    ("550 Too many messages, please wait", "speeding", False),
    # relay
    ("550 Relay not permitted", "norelaying", True),
    ("554 We do not relay for this domain: refused to relay", "norelaying", True),
    # PTR / HELO
    ("550 Mail from hosts without PTR refused", "requireptr", True),
    ("550 Kein Reverse-DNS-Eintrag", "requireptr", True),
    ("550 Your HELO name must be a fully-qualified domain", "blocked", True),
    # blocked / listed / banned
    ("550 Host blocked", "blocked", True),
    ("550 Your IP is listed in our local RBL", "blocked", True),
    ("554 Sender 203.0.113.5 banned", "blocked", True),
    ("550 Message refused: host is in SBL", "blocked", True),
    ("450 Temporarily blocked for abuse", "blocked", False),
    ("421 Directory harvest attack suspected, closing", "blocked", False),
    ("550 Ihre IP-Adresse ist gesperrt", "blocked", True),
    ("554 Su servidor está en lista negra", "blocked", True),
    ("550 IP已被加入黑名单", "blocked", True),
    ("554 (RTR:BB) see the AOL postmaster error list", "blocked", True),
    ("554 (RTR:RD) see the AOL postmaster error list", "requireptr", True),
    # the recipient refuses us
    ("550 The addressee does not wish to receive mail from you", "filtered", True),
    # system load (X.3.2 with class 4 is temporary)
    ("421 Server is overloaded", "systemerror", False),
    ("421 Load average too high, try later", "systemerror", False),
    ("421 Serveur surchargé", "systemerror", False),
    ("421 4.3.2 System not accepting network messages", "systemerror", False),
    # the receiving system's own faults (RFC 5321 3.8 shutdown, process and memory failures)
    ("421 mail.example.com is shutting down for maintenance", "systemerror", False),
    ("451 fork() failed, try again", "systemerror", False),
    ("451 Cannot allocate memory", "systemerror", False),
    ("451 Erreur interne du serveur", "systemerror", False),
    ("451 システム障害のため受信できません", "systemerror", False),
    # TLS could not be set up (RFC 3207)
    ("Can't establish TLS with mx.example.com", "failedstarttls", True),
    ("STARTTLS negotiation failed: no shared cipher", "failedstarttls", True),
    ("421 4.7.0 TLS handshake failure, try again", "failedstarttls", False),
    # the connection broke or never came up (RFC 3463 X.4.x)
    ("421 Socket timeout while reading the reply", "networkerror", False),
    ("Greeting never received from mx.example.com", "networkerror", False),
    ("Connection was closed unexpectedly by the server", "networkerror", False),
    ("451 Name resolution failure for example.com", "networkerror", False),
    ("Verbindung abgebrochen: Zeitüberschreitung", "networkerror", False),
    ("连接超时", "networkerror", False),
    # a delay warning: still queued, not yet delivered
    ("This message has not yet been delivered; it has been 8 hours on the queue", "expired", False),
    ("メールの配信が遅れています", "expired", False),
    # the dialogue out of order (RFC 5321 503)
    ("503 Need RCPT command", "syntaxerror", True),
    ("503 5.5.1 Send HELO first", "syntaxerror", True),
    ("503 sender already given", "syntaxerror", True),
    ("555 RCPT TO parameter not recognized", "syntaxerror", True),
    # the message's form (RFC 5321 line length, header syntax, bare LF)
    ("550 Lines too long in message body", "contenterror", True),
    ("554 Malformed MIME header", "contenterror", True),
    ("550 Bare LF found in message", "contenterror", True),
    # more of the families above
    ("452 4.2.2 Mail folder full", "mailboxfull", False),
    ("552 Message exceeds the maximum size for this server", "mesgtoobig", True),
    ("550 Mailbox no longer in use", "suspend", True),
    ("550 The account has expired", "suspend", True),
    ("550 La cuenta ha caducado", "suspend", True),
    ("421 No free connection slots, try later", "toomanyconn", False),
    # user unknown and full mailbox in Japanese, Polish, Dutch and Russian wording
    ("550 お客様のメールアドレスは現在使われておりません", "userunknown", True),
    ("550 宛先アドレスが間違っています", "userunknown", True),
    ("550 Adresat nie istnieje", "userunknown", True),
    ("550 Onbekende ontvanger", "userunknown", True),
    ("550 Адрес получателя не существует", "userunknown", True),
    ("552 Skrzynka odbiorcy jest przepełniona", "mailboxfull", False),
    ("552 Het postvak is vol", "mailboxfull", False),
    ("452 Квота почтового ящика превышена", "mailboxfull", False),
    # our sender domain refused; a named spam filter; a refused HELO name in other words
    ("550 Sender domain example.net is not permitted on this server", "rejected", True),
    ("550 Message refused by SpamAssassin: score 12.3", "spamdetected", True),
    ("554 Spam check failed for this message", "spamdetected", True),
    ("550 Use your own hostname in HELO, not an IP", "blocked", True),
    # sizes, sending quotas in French and Spanish, timeouts, Exim's DNS deferral, delays
    ("552 Message exceeds the configured size limit of this domain", "mesgtoobig", True),
    ("450 Cuota de envío superada, inténtelo mañana", "speeding", False),
    ("451 Session timeout exceeded", "networkerror", False),
    ("R=dnslookup defer (-1): host lookup did not complete", "networkerror", False),
    ("Delivery is delayed; we will retry for 2 more days", "expired", False),
    ("550 发信IP已被限制", "blocked", True),
    # qmail's relay refusal, a remote side that closed, unknown RCPT, retries given up,
    # POP before SMTP, a header the standard requires
    ("553 sorry, that domain isn't in my list of allowed hosts", "norelaying", True),
    ("Remote end closed connection while sending RCPT", "networkerror", False),
    ("501 Invalid RCPT TO address", "userunknown", True),
    ("Delivery failed: all delivery attempts failed for this recipient", "expired", False),
    ("553 Use POP before SMTP to relay through this server", "securityerror", True),
    ("451 Please authenticate before sending mail", "securityerror", False),
    # the recipient receiving too fast, a TLS minimum not met, a host that takes no mail for
    # the address, resources unavailable, an attachment policy
    ("452 The recipient is receiving mail at too high a rate", "speeding", False),
    ("Delivery failed: TlsRequirementNotMet (the server offered no TLS)", "failedstarttls", True),
    ("550 We do not host mail for this domain here", "norelaying", True),
    ("451 Resources temporarily unavailable, please retry", "systemerror", False),
    ("554 Message refused: blocked attachment types (.exe, .scr)", "policyviolation", True),
    ("550 添付ファイルの種類が受信禁止に設定されています", "policyviolation", True),
    ("554 Message-ID header is malformed", "notcompliantrfc", True),
    # an application's SMTP client naming the socket error (Node.js codes, Windows Sockets
    # texts), a server that waited for us, missing header fields, the address itself full,
    # RFC 5321's forward-path, a named wait, a restricted IP
    ("SMTP connection failed: connect ECONNREFUSED 192.0.2.9:465", "networkerror", False),
    ("Error: read ECONNRESET", "networkerror", False),
    (
        "Socket error: No connection could be made because the target machine actively refused it",
        "networkerror",
        False,
    ),
    ("Send failed: getaddrinfo ENOTFOUND mail.example.invalid", "hostunknown", True),
    ("421 4.4.2 Timeout waiting for data from client", "networkerror", False),
    ("554 Message has no Date: header field", "notcompliantrfc", True),
    ("550 Mail without a Message-ID header is not accepted", "notcompliantrfc", True),
    ("552 <a@example.org> is full", "mailboxfull", False),
    ("553 5.7.1 Domain of forward-path not permitted", "norelaying", True),
    ("450 Please retry in 5 minutes", "speeding", False),
    ("554 Your server's IP address is restricted", "blocked", True),
    ("Delivery failed: the remote server did not answer within the allowed time", "expired", False),
    ("553 Mail from your domain is not permitted on this system", "rejected", True),
    ("554 5.7.0 Peer certificate is not yet valid", "failedstarttls", True),
    ("550 받는 사람이 존재하지 않습니다", "userunknown", True),
    ("550 Email address is not valid", "userunknown", True),
    (
        "421 Too many open sessions: you have reached the maximum number of connections",
        "toomanyconn",
        False,
    ),
    (
        "550 5.7.1 Please see http://www.openspf.net/Why?s=mfrom;id=a%40example.org;ip=192.0.2.1",
        "authfailure",
        True,
    ),
    (
        "554 mx.example.comcast.net 192.0.2.7 rejected, see "
        "http://postmaster.comcast.net/smtp-error-codes.php#ES000010",
        "blocked",
        True,
    ),
    # Czech, Turkish, Polish, Russian, Dutch, Korean and Japanese wordings of the same families
    ("550 Adresát neexistuje", "userunknown", True),
    ("550 Alıcı bulunamadı", "userunknown", True),
    ("550 Nie ma takiego konta", "userunknown", True),
    ("554 Письмо отклонено: подозрение на спам", "spamdetected", True),
    ("452 Het postvak van de gebruiker is overvol", "mailboxfull", False),
    ("452 사서함이 가득 찼습니다", "mailboxfull", False),
    ("550 該当するアカウントはありません", "userunknown", True),
    ("421 サーバーが混雑しています", "systemerror", False),
]


@pytest.mark.parametrize(("text", "reason", "permanent"), CUES)
def test_cue_families(text: str, reason: str, permanent: bool) -> None:
    got_reason, got_permanent, rule_id = _classify(text)
    assert (got_reason, got_permanent) == (reason, permanent), rule_id
    # The family itself reads the text so (the 4.3.2 code fix has no cue word to need).
    if not rule_id.startswith("code-"):
        assert _cue_reason(text) == reason


def test_the_cue_layer_answers_where_the_sentences_are_silent() -> None:
    """Most texts above are only understood through a cue (the rest also by a sentence layer,
    with the same reason): the layer is not a copy of the lexicon."""
    by_cue = [text for text, _, _ in CUES if _classify(text)[2].startswith("cue-")]
    assert len(by_cue) >= len(CUES) // 2, by_cue


# (text, reason): an earlier, clearer layer decides, although the text also holds a cue word.
EARLIER = [
    # Gmail's sentence: a full mailbox, although "account" + "reach" ... "does not exist" cues exist
    ("552 5.2.2 The email account that you tried to reach is over quota", "mailboxfull"),
    # a sending quota is a rate limit (40-common-wording), not a full mailbox
    ("550 5.7.1 Daily sending quota exceeded; after 24 hours you can send as usual", "speeding"),
    # content filters name spam/virus: the lexicon decides, not "blocked"
    ("554 5.7.1 Message blocked: virus found in attachment", "virusdetected"),
    # a DNSBL listing named by the lexicon
    (
        "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
        "blocked",
    ),
    # greylisting stays greylisting (speeding), never a block
    ("451 4.7.1 Greylisting in action, please come back later", "speeding"),
    # a locked mailbox (28-decisive-wording), not "user unknown"
    ("550 Requested action not taken: mailbox unavailable (user locked)", "suspend"),
    # the sender's address unknown is the sender's problem (lexicon), not a missing recipient
    ("553 5.1.8 Sender address unknown", "rejected"),
]


@pytest.mark.parametrize(("text", "reason"), EARLIER)
def test_cues_never_take_over_an_earlier_decision(text: str, reason: str) -> None:
    got_reason, _, rule_id = _classify(text)
    assert got_reason == reason, rule_id
    assert not rule_id.startswith("cue-"), rule_id


# Cue words that must NOT decide (each family's exclusions).
NOT_THIS_CUE = [
    # a sending/relay quota is ours, not the recipient's mailbox
    ("554 You've reached your daily relay quota", "mailboxfull"),
    # an SPF check that could not run (RFC 7208 temperror) is no authentication failure
    ("451 4.4.3 SPF temperror: DNS timeout, will retry", "authfailure"),
    ("451 Error while checking the DKIM key, retry later", "authfailure"),
    # a malformed HELO argument with a syntax code is a syntax error (RFC 5321 501)
    ("501 5.5.4 HELO argument invalid", "blocked"),
    # "mailbox unavailable" alone is RFC 5321's generic 550 text, not an unknown user
    ("550 Requested action not taken: mailbox unavailable", "userunknown"),
    # the sender's account disabled is not the recipient's suspended mailbox
    ("550 Your account has been disabled for sending", "suspend"),
]


@pytest.mark.parametrize(("text", "reason"), NOT_THIS_CUE)
def test_cue_exclusions(text: str, reason: str) -> None:
    assert _cue_reason(text) != reason


def test_temporary_replies_hitting_a_cue_are_never_permanent() -> None:
    """Every cue family with a 4xx reply: the server said waiting can succeed."""
    texts = [
        "451 4.7.1 SPF check temporarily unavailable",
        "450 4.1.1 Recipient not found (directory sync pending)",
        "450 4.2.1 Account is disabled",
        "452 4.2.2 Over quota",
        "452 Message too large for now",
        "450 Host blocked",
        "421 Banned for 10 minutes",
        "451 Sender verification failed, try later",
        "450 Relay denied",
        "421 Too many connections",
        "421 4.3.2 All ports busy",
    ]
    for text in texts:
        got = CLASSIFIER.classify(text, "", EMAIL)
        assert not got.permanent, (text, got.reason, got.rule_id)


def test_a_refused_address_in_chinese_is_not_an_ip_block() -> None:
    """「地址被拒绝」 (address refused) names the recipient's address; only an IP that is
    「被限制」 is the blocked family's."""
    assert _cue_reason("550 收件人地址被拒绝") != "blocked"
    assert _cue_reason("550 发信IP已被限制") == "blocked"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("554 Your IP is blocked, try again in 60 minutes", "blocked"),
        ("452 4.2.2 Mailbox full, try again in 1 hour", "mailboxfull"),
        ("451 4.7.1 Greylisted, please try again in 300 seconds", "speeding"),
    ],
)
def test_a_named_wait_does_not_hide_the_cause(text: str, reason: str) -> None:
    """ "Try again in N minutes" is read after every family: a block or a full mailbox that
    also names a wait keeps its own reason."""
    got_reason, _, rule_id = _classify(text)
    assert got_reason == reason, rule_id
    assert rule_id != "cue-come-back-in"


@pytest.mark.parametrize(
    ("text", "reason", "rule_id"),
    [
        # nothing but a request to come back: a greylisting-style deferral
        ("451 Temporary failure, please try again later.", "speeding", "bare-come-back-later"),
        ("450 4.7.1 Retry later", "speeding", "bare-come-back-later"),
        # anything more is read for itself, and a 5xx is no deferral
        ("451 4.7.1 Try again later: sender blocked", "blocked", "cue-blocked-listed"),
        ("550 Please try again later", "onhold", ""),
    ],
)
def test_a_bare_come_back_later_is_a_deferral_only_when_nothing_else_is_said(
    text: str, reason: str, rule_id: str
) -> None:
    got_reason, permanent, got_rule = _classify(text)
    assert (got_reason, got_rule) == (reason, rule_id)
    assert permanent is False


@pytest.mark.parametrize(
    ("text", "not_reason"),
    [
        # the sender's address or an IP is no unknown recipient, in any language
        ("550 Indirizzo del mittente non valido", "userunknown"),
        ("550 Účet odesílatele neexistuje", "userunknown"),
        ("553 Gönderen adresi geçersiz", "userunknown"),
        ("554 5.7.1 The email address you sent from is invalid", "userunknown"),
        ("552 Posta kutusunda yeterli alan yok", "userunknown"),
        # a queue or pool "is full" is the server's, not a mailbox
        ("451 4.3.0 Queue 3 is full", "mailboxfull"),
        ("452 4.3.1 Mail queue for host mx2.example.net is full", "mailboxfull"),
        # a sending quota under a recipient restriction stays a sending quota
        (
            "450 4.7.1 <a@example.com>: Recipient address rejected: Hourly quota exceeded for "
            "sender x@example.net",
            "mailboxfull",
        ),
        # limits and malformed arguments are no block of the IP
        ("421 4.7.0 Your IP is restricted to 100 messages per hour", "blocked"),
        ("501 5.5.2 Bad IP address literal in HELO", "blocked"),
        # an address code decides over a named wait or a provider's page
        (
            "450 4.1.1 <a@example.com>: Recipient address rejected: unverified address: try again "
            "in a few minutes",
            "speeding",
        ),
        (
            "550 5.1.1 <a@example.net> Not our customer, see "
            "http://postmaster.comcast.net/smtp-error-codes.php#DE000001",
            "blocked",
        ),
        # "connected, but delivery failed" is no connection failure
        ("550 连接成功但投递失败", "networkerror"),
        # a requirement addressed to bulk senders is no spam verdict on this message (a spam
        # verdict that points to the bulk senders' guidelines stays one: spam-content's examples)
        ("550 5.7.30 Gmail requires all bulk email senders to set up TLS.", "spamdetected"),
    ],
)
def test_new_families_leave_what_they_do_not_name(text: str, not_reason: str) -> None:
    assert _classify(text)[0] != not_reason
