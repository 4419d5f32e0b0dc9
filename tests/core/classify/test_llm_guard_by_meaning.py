"""The AI-advice guard goes by meaning, in wordings no test or pattern lists word for word.

Each wrong sentence below says one of four things the rules' facts contradict — deleting the
row lets mail flow again (for a block, where deleting changes nothing, or a spam report or
unsubscribe, where it is harmful), "it will never arrive" for a temporary cause, "it clears by
itself" for a permanent one, "the service's retries deliver it" for a row that records a message
the service already gave up on — and each good sentence is advice an operator should get, often
with the same words (削除, 解除, 届く, 時間) in a sense that is right: deleting done by someone
else, a condition named, a warning. The good ones must reach the operator: a guard that refuses
them throws away every rewording the AI makes.
"""

from __future__ import annotations

import pytest

from app.core.classify.cache import ExplanationCache
from app.core.classify.llm_guard import contradictions
from app.core.types import ListKind
from app.sandbox.openai_server import OpenAISandbox
from tests.helpers.llm import refine_with_text

BLOCK = {"permanent": True, "delete_effect": "no_effect"}  # a SendGrid block
PASSING = {"permanent": False, "delete_effect": "resend"}  # greylisting, a full mailbox
DEAD = {"permanent": True, "delete_effect": "after_fix"}  # an unknown user
REFUSED = {"permanent": True, "delete_effect": "harmful"}  # a spam report, an unsubscribe

WRONG = [
    (BLOCK, "一覧から消せば、また配信できます。"),
    (BLOCK, "ブロックを解除すれば、このアドレスに届くようになります。"),
    (BLOCK, "ブロックの記録を取り消すと、メールが届くようになります。"),
    (BLOCK, "この行を削除したら再送が可能です。"),
    (BLOCK, "削除後は通常どおり受信者に届きます。"),
    (BLOCK, "一覧から削除すれば届くはずです。"),  # "はず" is no negation
    (PASSING, "もう二度と配信できません。"),
    (PASSING, "今後は一切受信できません。"),
    (PASSING, "届く見込みはありません。"),
    (PASSING, "配信サービスが自動で再送するため、何もしなくても届きます。"),
    (PASSING, "自動的に再送されるので、数分後には受け付けられます。"),
    (PASSING, "何もしなくても、そのうち配信されます。"),
    (DEAD, "時間がたてば届くようになります。"),
    (DEAD, "しばらく待てば自然に受信できるようになります。"),
    (DEAD, "そのうち解消するので様子を見てください。"),
    (DEAD, "数日後には回復します。"),
    (DEAD, "一覧から削除すれば届くようになります。"),  # before the address is fixed
    (REFUSED, "一覧から削除すれば再び届くようになります。"),
    (REFUSED, "配信停止を解除すれば、また受け取ってもらえます。"),
    (REFUSED, "一覧から外せば配信できます。"),
]

GOOD = [
    (BLOCK, "ブロックの記録は一覧から削除しても配信結果は変わりません。"),
    (BLOCK, "Spamhaus に解除を申請し、掲載が解除されれば次の送信から届くようになります。"),
    (BLOCK, "ブロックリストから外れれば、配信サービスが次に送るときに届きます。"),
    (BLOCK, "一覧の行を削除する必要はなく、IPがブロックリストから外れると届きます。"),
    (BLOCK, "削除ではなく、受信側のブロック解除で届くようになります。"),
    (BLOCK, "受信側の管理者にブロックを解除してもらえば届きます。"),
    (BLOCK, "受信者に迷惑メール設定を解除してもらえば、このアドレスにも届くようになります。"),
    (BLOCK, "この記録を削除しなくても、原因が直れば配信サービスが次の送信で届けます。"),
    (BLOCK, "受信側でブロックが取り消されれば、次の送信から届きます。"),
    (PASSING, "グレーリスティングによる一時的な保留で、再送で通常は数十分で届きます。"),
    (PASSING, "受信者が容量を空けない限り、今後も届きません。"),
    (PASSING, "受信箱の容量が空くまでは届きませんが、空けば再送で届きます。"),
    (PASSING, "数日たってから一覧から削除すると再送できます。"),
    (PASSING, "配信サービスは自動で再送しましたが、このメールは届きませんでした。"),
    (PASSING, "時間をおいて送り直せば、通常は受け付けられます。"),
    (DEAD, "時間がたっても自然には解消しません。"),
    (DEAD, "SPF・DKIM・DMARC のいずれかの認証に失敗したため受信されませんでした。"),
    (DEAD, "アドレスを直さずに一覧から削除しても、送信はまた失敗します。"),
    (DEAD, "アドレスの誤りを直してから削除すれば、次の配信から届きます。"),
    (DEAD, "受信者が新しいアドレスを教えてくれたら、そのアドレスに送れば届きます。"),
    (REFUSED, "受信者本人から改めて配信の同意を得た場合だけ削除してください。"),
    (REFUSED, "一覧から削除すると送信が再開されます。本人の同意を得た場合だけ削除してください。"),
    (REFUSED, "受信者が再購読を申し出た場合に限り、一覧から外してください。"),
    (REFUSED, "無断で削除すると再び報告され、送信元の評判が下がります。"),
]  # fmt: skip


@pytest.mark.parametrize(("facts", "sentence"), WRONG)
def test_wrong_advice_in_other_words_is_refused(facts: dict, sentence: str) -> None:
    assert contradictions({"action_ja": sentence}, **facts)


@pytest.mark.parametrize(("facts", "sentence"), GOOD)
def test_right_advice_with_the_same_words_is_kept(facts: dict, sentence: str) -> None:
    assert not contradictions({"action_ja": sentence}, **facts)


SPAMHAUS = (
    "550 5.7.1 Service unavailable, Client host [149.72.120.31] blocked using Spamhaus. To "
    "request removal from this list see https://www.spamhaus.org/query/ip/149.72.120.31 "
    "AS(1440)"
)
GREYLISTED = "450 4.2.0 <kuro@example.com>: Recipient address rejected: Greylisted, see "
UNKNOWN_USER = "550 5.1.1 <kuro@example.com>: Recipient address rejected: User unknown"
GOOD_REPLIES = [
    # (reason text, status, list, field, a good sentence the AI may write)
    (SPAMHAUS, "5.7.1", ListKind.BLOCKS, "action_ja",
     "Spamhaus に掲載の解除を申請してください。解除されれば、配信サービスの次の送信で届きます。"),
    (GREYLISTED, "4.2.0", ListKind.BOUNCES, "explanation_ja",
     "受信側の一時的な保留です。受信者が何もしなくても、時間をおいて送り直せば通常は届きます。"),
    (UNKNOWN_USER, "5.1.1", ListKind.BOUNCES, "explanation_ja",
     "宛先のアドレスが存在しないため、時間がたっても自然には解消しません。"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "status", "kind", "field", "good"), GOOD_REPLIES)
def test_a_good_reply_reaches_the_operator(
    sandbox: OpenAISandbox,
    cache: ExplanationCache,
    text: str,
    status: str,
    kind: ListKind,
    field: str,
    good: str,
) -> None:
    _rule, result = refine_with_text(sandbox, cache, (text, status, kind), field, good)

    (shown,) = result.explanations
    assert not result.failures, result.failures
    assert shown.source == "llm" and getattr(shown, field).startswith(good)
