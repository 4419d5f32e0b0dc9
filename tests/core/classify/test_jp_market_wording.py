"""Japanese-market knowledge: carrier stories only for their carriers, and the classes of
Japanese wording read by 27-jp-market.toml (docs/classification.md, step 5a)."""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier

CLASSIFIER = Classifier.load()
COMPANY = "sato@midori-foods.co.jp"
TOO_MANY = "421 4.7.0 Too many connections from 192.0.2.1, try again later"
PPAP = "554 5.7.1 パスワード付きZIPファイルが添付されたメールは受信できません"


def test_too_much_mail_data_is_docomos_full_mailbox_only_at_docomo() -> None:
    docomo = "ichiro@docomo.ne.jp"
    at_docomo = CLASSIFIER.classify(f"552 Too much mail data {docomo}", "", docomo)
    elsewhere = CLASSIFIER.classify("552 Too much mail data.", "", COMPANY)
    assert at_docomo.reason == "mailboxfull" and "ドコモ" in at_docomo.explanation_ja
    # A company's gateway (MailGates) sends the same words for a message over its size limit.
    assert "ドコモ" not in elsewhere.explanation_ja + elsewhere.action_ja
    assert "サイズ" in elsewhere.explanation_ja and "添付" in elsewhere.action_ja


def test_sender_domain_story_of_jcom_and_softbank_only_for_their_users() -> None:
    text = "553 em.example.co.jp does not exist"
    assert CLASSIFIER.classify(text, "", "sato@jcom.home.ne.jp").reason == "rejected"
    assert CLASSIFIER.classify(text, "", "sora@i.softbank.jp").reason == "rejected"
    other = CLASSIFIER.classify(text, "", COMPANY)
    assert "J:COM" not in other.explanation_ja and "ソフトバンク" not in other.explanation_ja


def test_softbank_invalid_recipient_is_not_told_that_filters_answer_user_unknown() -> None:
    got = CLASSIFIER.classify("550 Invalid recipient: <umi@i.softbank.jp>", "", "umi@i.softbank.jp")
    assert got.reason == "userunknown"
    assert "「ユーザー不明」と返る" not in got.action_ja
    assert "エラーとして返さずに破棄" in got.action_ja  # its filters answer no error at all


def test_au_user_unknown_keeps_both_readings_and_the_silent_filter_note() -> None:
    got = CLASSIFIER.classify("550 <taro@ezweb.ne.jp>: User unknown", "", "taro@ezweb.ne.jp")
    assert "「ユーザー不明」と返る" in got.action_ja
    assert "エラーとして返さずに破棄" in got.action_ja


@pytest.mark.parametrize("email", ["yui@docomo.ne.jp", "nana@au.com"])
def test_carrier_deferrals_mention_the_carriers_reception_block(email: str) -> None:
    got = CLASSIFIER.classify(TOO_MANY, "", email)
    assert got.permanent is False and "受信ブロック" in got.action_ja


@pytest.mark.parametrize("email", [COMPANY, "ken@gmail.com", "umi@i.softbank.jp"])
def test_no_reception_block_note_for_other_hosts(email: str) -> None:
    got = CLASSIFIER.classify(TOO_MANY, "", email)
    assert "受信ブロック" not in got.action_ja


def test_lgjp_note_asks_for_the_gateways_conditions() -> None:
    text = "552 5.3.4 Message size exceeds fixed maximum message size"
    got = CLASSIFIER.classify(text, "", "kikaku@city.example.lg.jp")
    assert got.reason == "mesgtoobig" and "自治体ごと" in got.action_ja
    assert "自治体ごと" not in CLASSIFIER.classify(text, "", COMPANY).action_ja


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("550 5.1.2 宛先ドメインが見つかりません", "hostunknown"),
        ("553 5.1.8 差出人のドメインが存在しないため受信を拒否しました", "rejected"),
        ("550 5.7.1 メールの中継は許可されていません", "norelaying"),
        ("550 5.7.1 逆引き（PTR）できないホストからのメールは受信できません", "requireptr"),
        (PPAP, "policyviolation"),
        ("530 5.7.0 暗号化された接続（STARTTLS）が必要です", "failedstarttls"),
        ("554 5.7.1 HTMLメールは受信できません", "policyviolation"),
        ("550 5.7.1 送信元IPアドレスからの接続は許可されていません", "blocked"),
        ("550 5.7.1 メーリングリストのメンバー以外からのメールは受け付けていません", "rejected"),
        ("553 5.1.3 メールアドレスの形式が正しくありません", "syntaxerror"),
        ("550 5.7.1 このメールアドレスは受信を拒否しています", "filtered"),
    ],
)
def test_japanese_sentences_are_read_by_what_they_name(text: str, reason: str) -> None:
    assert CLASSIFIER.classify(text, "", COMPANY).reason == reason


def test_encrypted_attachment_advice_is_about_the_file_not_authentication() -> None:
    got = CLASSIFIER.classify(PPAP, "", COMPANY)
    assert "SPF" not in got.action_ja and "ダウンロード" in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "421 4.7.0 短時間に大量のメールを受信したため、一時的に受信を制限しています",
        "450 現在メールを受信できません。しばらくたってから再度送信してください",
        "421 4.7.0 TLS接続が必要です。しばらくしてから再送してください",
        "451 4.7.1 逆引きできないため受信を保留しました。しばらくしてから再送してください",
        "421 exceeds an accepting limit.",
        "Warning: message still undelivered after 4 hours. Will keep trying until message is old",
    ],
)
def test_deferrals_of_the_new_rules_are_never_permanent(text: str) -> None:
    assert CLASSIFIER.classify(text, "", COMPANY).permanent is False


def test_delay_warning_that_quotes_its_cause_is_read_by_the_cause() -> None:
    got = CLASSIFIER.classify(
        "451 <u@example.jp>... example.jp: Name server timeout Warning: message still undelivered "
        "after 4 hours Will keep trying until message is 5 days old", "", "u@example.jp",
    )  # fmt: skip
    assert got.rule_id != "sendmail-delay-warning" and got.permanent is False
