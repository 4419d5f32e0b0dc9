"""Common wording of mail servers: each class of plain sentence, in several forms and languages.

The texts are written for this test in the wording RFC 5321 (sections 4.2.2/4.2.3), the common
MTAs' defaults (Postfix, Exim, Sendmail, qmail, Domino, Coremail, cPanel's greylisting) and the
providers' pages use; none is a line of a labelled set, and none is a rule's own example. Each
class is checked for its reason and for ``permanent``, so one line cannot pass for a class.
"""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier
from app.core.types import DeleteEffect

CLASSIFIER = Classifier.load()
EMAIL = "someone@example.com"


def _classify(text: str) -> tuple[str, bool]:
    got = CLASSIFIER.classify(text, "", EMAIL)
    return got.reason, got.permanent


# (text, reason) of texts that name a condition that passes by itself: never permanent.
TEMPORARY = [
    # busy / temporarily unavailable (RFC 5321 421/451, MTA defaults)
    ("421 mail.example.net Server too busy, come back in a few minutes", "systemerror"),
    ("450 4.3.2 The mail system is busy, please try again later", "systemerror"),
    ("451 Local service temporarily unavailable", "systemerror"),
    ("421 4.3.0 Service is currently unavailable", "systemerror"),
    ("451 4.3.0 Message queue unavailable, try later", "systemerror"),
    ("421 smtp.example.org Service not available, closing transmission channel", "systemerror"),
    ("451 Temporary local problem - please try later", "systemerror"),
    ("421 Servidor temporariamente indisponível, tente novamente mais tarde", "systemerror"),
    ("451 Servicio temporalmente no disponible", "systemerror"),
    ("421 Serveur temporairement indisponible", "systemerror"),
    ("451 Dienst vorübergehend nicht verfügbar", "systemerror"),
    ("421 ただいまサーバーが混雑しています。時間をおいて再送してください", "systemerror"),
    # network / DNS trouble on the way
    ("421 4.4.0 Network is busy, try again", "networkerror"),
    ("451 4.4.3 Temporary domain failure, will retry", "networkerror"),
    ("451 Temporary failure in name resolution", "networkerror"),
    ("451 4.4.0 DNS lookup failed for example.net", "networkerror"),
    # rate limits, whatever the code says (4.1.0, 4.2.2, 5.7.1)
    ("450 4.1.0 <k@example.com>: Too much mail from 203.0.113.9 in a short time", "speeding"),
    ("451 4.2.2 Sent too many messages in the last 60 minutes, wait and retry", "speeding"),
    ("550 5.7.1 Daily sending quota exceeded; after 24 hours you can send as usual", "speeding"),
    ("554 5.7.1 You are sending too frequently", "speeding"),
    # cPanel/Exim greylisting
    (
        "451 4.7.1 203.0.113.70 is not yet authorized to deliver mail from "
        "<mag@example.jp> to <yu@example.net>. Please try later.",
        "speeding",
    ),
    # full mailbox, in Spanish, Portuguese and Japanese
    ("552 5.2.2 El buzón del destinatario está lleno", "mailboxfull"),
    ("552 Su casilla de correo está llena", "mailboxfull"),
    ("552 A caixa postal do destinatário está cheia", "mailboxfull"),
    ("452 Cota de armazenamento excedida", "mailboxfull"),
    ("552 メールボックスの容量がいっぱいです", "mailboxfull"),
    ("552 Votre boîte aux lettres est pleine", "mailboxfull"),
    ("452 Das Postfach ist überfüllt", "mailboxfull"),
    # delivery time expired, in several languages
    ("550 5.4.7 Tiempo de entrega expirado", "expired"),
    ("554 Tempo de entrega esgotado", "expired"),
    ("550 Zustellfrist abgelaufen", "expired"),
    ("550 Tempo limite di consegna superato", "expired"),
    ("550 邮件发送超时", "expired"),
    ("550 Cannot send message for 5 days", "expired"),
    ("550 Could not deliver message for the past 72 hours", "expired"),
]


@pytest.mark.parametrize(("text", "reason"), TEMPORARY)
def test_temporary_wording_is_understood_and_never_permanent(text: str, reason: str) -> None:
    assert _classify(text) == (reason, False)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # the sending IP itself is refused (Coremail, Chinese providers, LDAP/RBL, Barracuda)
        ("550 Mail from black ip 203.0.113.8 refused", "blocked"),
        ("554 IP 203.0.113.8 is rejected by IP_CONTROL", "blocked"),
        ("550 5.7.1 Your IP address 203.0.113.8 has been blacklisted", "blocked"),
        ("550 Remote IP check error, mail refused", "blocked"),
        ("554 5.7.1 Blocked by LDAP lookup", "blocked"),
        ("554 permanent failure for 203.0.113.8 :blocked", "blocked"),
        ("550 5.7.1 Your IP is not allowed to send to this server", "blocked"),
        # size
        ("552 5.3.4 Your message is too long for this mailbox server", "mesgtoobig"),
        ("552 Attachment too large, limit is 10 MB", "mesgtoobig"),
        ("552 Mail size limit exceeded", "mesgtoobig"),
        ("552 Mensaje demasiado grande", "mesgtoobig"),
        ("552 添付ファイルのサイズが大きすぎます", "mesgtoobig"),
        # relay
        ("554 5.7.1 <x@example.org>: this host denies relay", "norelaying"),
        ("553 5.7.1 Relay operation denied", "norelaying"),
        ("550 Relaying is prohibited", "norelaying"),
        # suspended, locked, expired for lack of use (even under 5.1.1)
        ("550 5.1.1 <k@example.com>: user is suspended", "suspend"),
        ("550 5.2.1 Account is locked", "suspend"),
        ("550 The mailbox has expired for lack of use", "suspend"),
        ("550 User suspended", "suspend"),
        ("550 La cuenta está suspendida", "suspend"),
        ("550 El buzón está bloqueado", "suspend"),
        ("550 Requested action not taken: mailbox unavailable (user frozen)", "suspend"),
        ("550 アカウントが停止されています", "suspend"),
        # unknown recipient: Domino's localized directory text, Japanese, Spanish, Portuguese
        ("550 jdoe@example.es no se encuentra en el Directorio de Domino", "userunknown"),
        ("550 jdoe@example.fr non répertorié dans l'annuaire Domino", "userunknown"),
        ("550 このユーザーは登録されていません", "userunknown"),
        ("550 La dirección de correo no existe", "userunknown"),
        ("550 O endereço de e-mail não existe", "userunknown"),
        ("553 5.1.3 Invalid local part syntax", "userunknown"),
        # the recipient's filters and policies
        ("550 Rejected: registered as spammer by the user's reject list", "filtered"),
        ("550 5.7.1 Message restricted by organization policy", "policyviolation"),
        # the sender's address or domain
        ("550 5.7.1 Message requires a valid sender address", "rejected"),
        ("554 5.7.1 Fake sender detected", "rejected"),
        ("550 Rejecting spoofed e-mail from your domain", "authfailure"),
        ("550 5.7.1 Sender domain must resolve", "rejected"),
        # RFC 5321's bare 554 text
        ("554 5.0.0 Transaction failed", "rejected"),
    ],
)
def test_lasting_wording_names_its_cause(text: str, reason: str) -> None:
    assert _classify(text) == (reason, True)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # the words decide over a generic status code
        ("450 4.1.0 You have sent too much mail today", "speeding"),
        ("451 4.2.2 You have sent too many mails in the last 10 minutes", "speeding"),
        ("550 5.6.0 Client IP 203.0.113.4 has no host name", "requireptr"),
        ("554 5.6.0 Messages to this domain must be encrypted", "failedstarttls"),
        ("554 5.4.1 Message rejected by the recipient's server", "filtered"),
        ("451 4.3.2 Your IP is filtered", "blocked"),
        (
            "421 4.7.0 [TS01] Messages from 203.0.113.5 temporarily deferred - 4.16.56.1; see"
            " https://postmaster.yahooinc.com/error-codes",
            "badreputation",
        ),
    ],
)
def test_clear_wording_wins_over_the_status_code(text: str, reason: str) -> None:
    assert _classify(text)[0] == reason


@pytest.mark.parametrize(
    ("text", "permanent"),
    [
        # a 4xx reply that invites a retry is temporary even for causes that usually last ...
        ("421 Reverse DNS failure: Try again later", False),
        ("450 4.7.1 Client host rejected: no reverse hostname, try again later", False),
        ("451 4.4.6 Too many hops, please retry later", False),
        # ... without the invitation the same causes last until someone fixes them ...
        ("450 4.7.1 Client host rejected: cannot find your hostname, [198.51.100.33]", True),
        ("450 4.4.6 Too many hops", True),
        # ... and a reply that says retrying is useless stays permanent.
        (
            "421 4.7.0 [TS03] All messages from 203.0.113.5 will be permanently deferred; Retrying"
            " will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
            True,
        ),
    ],
)
def test_a_retry_invitation_in_a_4xx_reply_decides_permanence(text: str, permanent: bool) -> None:
    assert CLASSIFIER.classify(text, "", EMAIL).permanent is permanent


@pytest.mark.parametrize(
    "text",
    [
        # a 4.7.x policy code keeps Sisimai's reading of the 421 text: an IP refused at connect
        "421 4.7.0 Service not available, closing transmission channel",
        # greylisting keeps its own rule and advice, before any busy/try-later wording
        "451 4.7.1 Greylisted, please try again later",
    ],
)
def test_broader_wording_does_not_take_over_more_specific_families(text: str) -> None:
    got = CLASSIFIER.classify(text, "", EMAIL)
    assert got.rule_id in {"block-list", "greylisting"} and got.permanent is False


def test_cpanel_greylisting_reads_as_greylisting() -> None:
    got = CLASSIFIER.classify(
        "451 198.51.100.20 is not yet authorized to deliver mail from <a@example.jp> to"
        " <b@example.net>. Please try later.",
        "",
        "b@example.net",
    )
    assert got.permanent is False and got.delete_effect is DeleteEffect.RESEND
    assert "グレーリスト" in got.explanation_ja and "解除申請" not in got.action_ja.replace(
        "解除申請や", ""
    )


@pytest.mark.parametrize("text", ["450 4.0.0 Temporary failure", "451 一時的なエラーです"])
def test_a_bare_temporary_failure_names_no_cause_and_stays_a_temporary_review(text: str) -> None:
    assert _classify(text) == ("onhold", False)


def test_a_bare_try_again_later_is_a_deferral_that_blames_nobody() -> None:
    """Greylisting daemons (OpenBSD spamd) say only this: a deferral that passes on retry, told
    without naming a cause or asking for a delisting."""
    got = CLASSIFIER.classify("451 Please try again later", "", "b@example.net")
    assert (got.reason, got.permanent, got.rule_id) == ("speeding", False, "bare-come-back-later")
    assert got.delete_effect is DeleteEffect.RESEND
    assert "解除" not in got.action_ja and "ブロック" not in got.explanation_ja
