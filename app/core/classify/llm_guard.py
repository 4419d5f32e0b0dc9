"""Checks an LLM's Japanese prose against the facts the rules decided, before it is shown.

The LLM may reword an explanation; it may not change what the operator should do. Three facts
are the rules' alone: whether sending again later can succeed (``permanent``), what deleting the
row from its list does (the delete effect: ``resend``, ``after_fix``, ``no_effect`` for blocks,
``harmful`` for spam reports and unsubscribes), and the list's meaning. A reply whose prose
contradicts one of them (advising deletion or a resend for a block or a spam report, calling a
temporary cause permanent, promising that waiting fixes a permanent one) is refused as a whole:
the rule texts stay. A reply that merely leaves out the delete guidance gets the rule's own
delete sentences appended, so the guidance is never dropped.

The checks read sentences, not words: "削除しても変わりません" (deleting changes nothing) is the
right advice for a block, "削除すると再送できます" is the wrong one. They go by meaning, not by
listed phrasings, because a model words the same advice many ways:

- deleting the row, said any way (削除, 解除, 一覧から外す・消す, 取り消す), followed in the
  same sentence by mail flowing again (再送できる, 届く, 配信が再開される, 受け取れる) and not
  negated or warned against. Deleting done by someone else (a block list's 解除 applied for, a
  recipient's filter, their own mailbox) is not the row;
- "it will never arrive" (今後も届きません, もう届かない, 永久に) for a temporary cause, unless
  the sentence names what it waits on (容量を空けない限り, 設定が変わるまで);
- "it clears by itself" (自然に解消, 時間がたてば・しばらくすれば届く, 数時間後には届く) for a
  permanent cause, unless someone's action is named as the condition (設定を直せば);
- "the service retries it and it arrives" (自動で再送され届きます, 何もしなくても届きます), for
  any row: a row is the record of a message the service gave up on (a 4xx becomes one only after
  the retries ran out), so that message arrives only if someone sends it again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypedDict

from app.core.classify.cache import CATEGORY_OF, Refinement
from app.core.types import DeleteEffect, Explanation, ListKind

RESEND = str(DeleteEffect.RESEND)
AFTER_FIX = str(DeleteEffect.AFTER_FIX)
NO_EFFECT = str(DeleteEffect.NO_EFFECT)
HARMFUL = str(DeleteEffect.HARMFUL)

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n")

_DELETE = re.compile(r"削除|解除|一覧から外|リストから外")
# Deleting presented as what makes mail flow again (the general form: _DELETE_ACT + _FLOWS)...
_DELETE_THEN_FLOW = re.compile(
    r"削除(して|し、|を|すれば|すると|後(に|は)?|で)[^。]*?(再送|再開|届く|届きます|送れ|配信でき|受け取れ)"
)
# ... or as the thing to do.
_URGES_DELETE = re.compile(
    r"(削除|解除)(して|を)?(ください|しましょう|しても問題|して構いません|をおすすめ|を推奨|するのが)"
    r"|(すぐ|ただちに|直ちに|今すぐ)に?(削除|解除)"
)
# The same words, negated or conditioned: "削除しても変わりません", "削除しないで".
_NEGATED_DELETE = re.compile(
    r"削除しても|削除せず|削除しない|削除しなく|削除は(不要|しない|避け|意味|効果)|削除(する)?前に"
    r"|(削除|解除)(する)?(必要|意味|効果)(は|が)?(ない|なく|あり)|削除では(なく|ありません)"
    r"|効果(は|が)?(あり|ない)|変わりません|意味(は|が)?(あり|ない)|再送されません|届きません"
    r"|再び(バウンス|拒否|戻)|また(バウンス|拒否|戻)|同じ理由|下が(る|り)|悪化|逆効果"  # warnings
)
_MAILBOX_CLEANUP = re.compile(r"メール(を|の)削除|受信箱|メールボックス|容量|ストレージ")
_LIST = re.compile(r"一覧|リスト|抑止|サプレッション")
_ADVISES_RESEND = re.compile(r"再送(して|を)(ください|しましょう|お試し)|再送信(して|を)ください")
# "Delete after fixing the cause" is the guidance of after_fix rows.
_CONDITIONED = re.compile(
    r"(解消|修正|直し|直して|設定|対応|確認|許可|登録|変更|改善|回復|解除され)|てから|た後|したら"
    r"|場合(だけ|のみ|に限り)"
)

# "一時的か恒久的か" asks the question (the 要確認 text for a reply without a code): no claim.
_CALLS_PERMANENT = re.compile(
    r"(?<!一時的か)恒久的|永続的|永久に|二度と(届|送|配信)|何度(送|再送)って?も|(待って|時間が(経|た)って)も(届|解消|改善|変わ)"
    r"|再送しても(届|無駄|同じ|解決)|自然に(は)?解消(しません|されません)"
)
_CALLS_TEMPORARY = re.compile(
    r"一時的な(もの|問題|エラー|障害|原因|制限|不具合)(です|なので|のため|にすぎ|に過ぎ)|一時的です"
    r"|原因は一時的"
    r"|(時間を?(おけ|置け|空け|あけ)|しばらく(待て|待つと|すると)|時間が(経|た)て)ば?[^。]*?(届|解消|送れ|配信)"
    r"|自動的に(再送|再試行)され[^。]*?(届|配信)"
)


# -- meaning classes (see the module docstring) ---------------------------------------------

# Deleting the row from its list, in any wording. 解除 applied for or done by others (解除申請,
# 解除され, 外される, 取り消される) and 外れる (being taken off a block list) are not the
# operator deleting the row.
_DELETE_ACT = re.compile(
    r"削除|取り消[しすせ]|(?<!掲載の)(?<!掲載)解除(?!申請|依頼|要請|され|を(申請|依頼|要請|求め|お願い))"
    r"|から(外|消|抜|除)[しすせ]"
)
# The act is someone else's when it is asked for or done for us right after the verb.
_ASKED_OF_OTHERS = re.compile(r"[^。、]{0,4}?(もら|貰|いただ|頂|くれ|依頼|申請|要請|お願い|を求め)")
# Who or what else removes something: a block list, a recipient's filter or mailbox.
_OTHER_PARTY = re.compile(
    r"ブロックリスト|ブラックリスト|拒否リスト|DNSBL|RBL|(?i:spamhaus|barracuda|spamcop)|掲載"
    r"|受信者|受信側|相手|先方|管理者|プロバイダ|携帯会社|キャリア|フィルタ|受信設定|迷惑メール設定"
    r"|受信拒否|指定受信|メール(を|の)削除|受信箱|メールボックス|容量"
)
# Our own list (リスト not ending a katakana word such as ブロックリスト).
_OUR_LIST = re.compile(r"一覧|抑止|サプレッション|(?<![ァ-ヴー])リスト|この(アドレス|宛先)を")
# Mail flowing again.
_FLOWS = re.compile(
    r"再送|再開|再試行|送れ|送信でき|送信され|配信でき|配信され|届|受け取|受信でき|受信され"
    r"|(再び|また)(送|配信)"
)
# A clause that says it does not happen: "届きません", "届くことはありません", "届かない"
# (not "届くはずです" or "必ず").
_NOT_SO = re.compile(r"[^。、，,]*?(ませ|ない|なく|(?<![は必ま])ず|ぬ|難し|にく|かどうか)")
# Mail reaching the recipient or a resend succeeding: the benefit, not just sending resuming.
_BENEFIT = re.compile(r"再送|送れ|送信でき|配信でき|届|受け取|受信でき")
# Consent is the one condition under which a spam report or unsubscribe may be deleted.
_CONSENT = re.compile(
    r"同意(を|が)(得|取|確認|あ|もら|いただ)|(本人|受信者)(から|の)(希望|申し出|依頼|連絡)"
    r"|再購読|購読し直|再登録|改めて(購読|登録|申し込)|オプトイン"
)

# "It will never arrive", whatever happens.
_NEVER = re.compile(
    r"(今後(も|は|一切)|この先も|いつまでも|ずっと|もう|永遠に|将来も)[^。]*?"
    r"(届|送れ|配信でき|受け取れ|受信でき|解消|回復|直)(か|き|け|ら|れ|さ|し|せ)?(ない|ません)"
    r"|(届く|配信できる|解消する|回復する)(見込み|可能性|こと)(は|が)(ない|ありません)"
)
# What it waits on, named: then "not until" is a condition, not "never".
_UNLESS = re.compile(r"限り|まま|まで(は)?|なければ|ないと|うちは|間は|場合|次第")

# "It clears by itself": waiting alone, or the cause going away of its own accord.
_BY_ITSELF = re.compile(
    r"自然に(は)?|自動的?に(解消|回復)|そのうち|いずれ(?!か)|放って(おけば|おいても)|待つだけ|何もしなくても"
    r"|時間が(経|た|過ぎ)(てば|つと|ったら|れば)|時間(の)?経過(で|とともに|すれば|によって)"
    r"|しばらく(すれば|すると|したら|待てば|待つと|経てば|たてば|たつと|経つと|おけば|おくと)"
    r"|待(て|っていれ)ば|(数|何|[0-9０-９一二三四五六七八九十]+)(分|時間|日|週間)(後|以内|ほど)"
)
# "The service's retries will deliver it": never true of a row, which records a message that
# failed for good (a deferral is listed only once the retries ran out).
_RETRIES_DELIVER = re.compile(
    r"何もしなくても[^。]*(届|受け付け|配信され)"
    r"|(自動(的)?に|自動で)再送[^。]*(届きます|届く|届けられ|配信され|受け付けられ)"
)
# Someone sends it again: then the arrival is not the retries' doing.
_SENT_AGAIN = re.compile(
    r"送り直|再送(して|すれば|すると|し直|を(して|すれば))|再送信(して|すれば)"
)
_CLEARS = re.compile(r"解消|回復|直|治|届|送れ|配信でき|再開|受け取れ|受信でき|受け付け|通る|通り")
# Someone's action named as the condition: then waiting is not what fixes it.
_SOMEONE_ACTS = re.compile(
    r"設定|修正|直し|直す|直せ|変更|変え|登録|許可|解除|申請|対応|認証|連絡|空け|整理|減ら|改善"
    r"|確認|依頼|見直|聞|教え|問い合わせ|し直|作り直|申し込"
)


def delete_effect_of(rule: Explanation, list_kind: str) -> str:
    """The rule's delete effect (the list decides for blocks, spam reports and unsubscribes)."""
    if list_kind == ListKind.BLOCKS:
        # SendGrid keeps sending to blocked addresses: deleting changes nothing. A provider whose
        # block list does stop sending (CMC's 配信停止, Infobip's OVER_QUOTA) had its block rows
        # explained as bounces (explain_blocks_as_suppressions), and the rule result says so.
        effect = str(rule.delete_effect)
        return effect if effect in (RESEND, AFTER_FIX) else NO_EFFECT
    if list_kind in (ListKind.SPAM_REPORTS, ListKind.UNSUBSCRIBES):
        return HARMFUL  # the recipient asked not to be mailed
    return str(rule.delete_effect)


def contradictions(texts: dict[str, str], *, permanent: bool, delete_effect: str) -> list[str]:
    """Short English lines for the log, one per statement that contradicts the rule facts."""
    problems: list[str] = []
    for name, text in texts.items():
        consent = bool(_CONSENT.search(text))
        for sentence in _sentences(text):
            problem = _contradiction(
                sentence, permanent=permanent, delete_effect=delete_effect, consent=consent
            )
            if problem:
                problems.append(f"{name}: {problem}")
    return problems


def with_delete_guidance(rule_action: str, llm_action: str) -> str:
    """``llm_action``, plus the rule's delete sentences when the LLM left deletion unmentioned."""
    if _DELETE.search(llm_action):
        return llm_action
    guidance = [s for s in _sentences(rule_action) if _DELETE.search(s)]
    if not guidance:
        return llm_action
    return llm_action.rstrip() + "".join(guidance)


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part and part.strip()]


def _contradiction(
    sentence: str, *, permanent: bool, delete_effect: str, consent: bool = False
) -> str:
    negated = bool(_NEGATED_DELETE.search(sentence))
    # "不要なメールを削除すれば受け取れます" is mailbox housekeeping, not the list's row.
    housekeeping = bool(_MAILBOX_CLEANUP.search(sentence)) and not _LIST.search(sentence)
    urges = bool(_URGES_DELETE.search(sentence))
    promises = bool(_DELETE_THEN_FLOW.search(sentence)) or _deleting_lets_mail_flow(sentence)
    if delete_effect == HARMFUL:
        # "Only once the recipient agrees again, delete it" is the rule's own advice, and
        # "deleting resumes sending" next to that condition states a fact; "deleting gets it
        # delivered" remains a recommendation.
        urges = urges and not _CONSENT.search(sentence)
        promises = promises and not (consent and not _deleting_lets_mail_flow(sentence, _BENEFIT))
    advises_delete = (urges or promises) and not (negated or housekeeping)
    if delete_effect in (NO_EFFECT, HARMFUL) and advises_delete:
        return f"advises deletion although deleting is {delete_effect}"
    if delete_effect == HARMFUL and _ADVISES_RESEND.search(sentence):
        return "advises a resend to a recipient who refused mail"
    if delete_effect == AFTER_FIX and advises_delete and not _CONDITIONED.search(sentence):
        return "advises deletion before the cause is fixed"
    if _RETRIES_DELIVER.search(sentence) and not _SENT_AGAIN.search(sentence):
        return "promises the service's retries deliver a message that already failed"
    if not permanent and (_CALLS_PERMANENT.search(sentence) or _says_never(sentence)):
        return "calls a temporary cause permanent"
    if permanent and (_CALLS_TEMPORARY.search(sentence) or _says_it_clears(sentence)):
        return "says waiting fixes a permanent cause"
    return ""


def _deleting_lets_mail_flow(sentence: str, flows: re.Pattern[str] | None = None) -> bool:
    """Whether the sentence has the operator deleting the row and mail flowing (``flows``,
    by default any wording of it) after it."""
    flows = flows or _FLOWS
    for act in _DELETE_ACT.finditer(sentence):
        if _ASKED_OF_OTHERS.match(sentence, act.end()):
            continue  # 解除してもらえば, 削除を依頼: someone else's act
        before = sentence[: act.start()]
        if _OTHER_PARTY.search(before) and not _OUR_LIST.search(sentence):
            continue  # the recipient's filter, a block list: not the row
        if _positive(flows, sentence, act.end()):
            return True
    return False


def _says_never(sentence: str) -> bool:
    return bool(_NEVER.search(sentence)) and not _UNLESS.search(sentence)


def _says_it_clears(sentence: str) -> bool:
    if _SOMEONE_ACTS.search(sentence):
        return False
    return any(_positive(_CLEARS, sentence, m.start()) for m in _BY_ITSELF.finditer(sentence))


def _positive(pattern: re.Pattern[str], sentence: str, start: int) -> bool:
    """Whether ``pattern`` occurs from ``start`` in a clause that does not deny it."""
    return any(
        not _NOT_SO.match(sentence, found.end()) for found in pattern.finditer(sentence, start)
    )


class _Texts(TypedDict):
    """The Japanese texts merge() takes from the LLM (typed so ``**texts`` is checked)."""

    label_ja: str
    explanation_ja: str
    action_ja: str


_UNCERTAIN = frozenset({"onhold", "undefined"})


def merge(
    rule: Explanation, ref: Refinement, *, list_kind: str = "", temporary_reply: bool = False
) -> Explanation | str:
    """Combine a rule result with a validated refinement, or say (a str) why the rule stays.

    Policy: the LLM never decides the facts on its own where they contradict the rules.
    - A confident rule (a known reason, not 要確認) keeps its reason, category, ``permanent``
      and delete effect; the LLM only rewrites the Japanese texts, and only when it names the
      same reason (otherwise its texts would explain a different cause than the label shows).
    - An uncertain rule (onhold/undefined or needs_review) takes the LLM's reason, with the
      category from our own table. ``permanent`` may become stricter (rule OR LLM) except on a
      4xx reply, which is temporary whatever the model thinks.
    - Either way the prose is checked against the final facts (``contradictions``) and the
      rule's delete sentences are appended when the LLM left deletion out.
    ``needs_review`` stays as the rules set it: the text was still not understood by rules.
    """
    confident = not rule.needs_review and rule.reason in CATEGORY_OF
    confident = confident and rule.reason not in _UNCERTAIN
    if confident and ref.reason != rule.reason:
        return f"LLM said {ref.reason}, rules said {rule.reason}"
    facts = rule
    if not confident:
        permanent = rule.permanent or (ref.permanent and not temporary_reply)
        facts = replace(
            rule, reason=ref.reason, category=CATEGORY_OF[ref.reason], permanent=permanent
        )
        if delete_effect_of(rule, list_kind) in (RESEND, AFTER_FIX):  # the list does not decide
            follows = DeleteEffect.AFTER_FIX if permanent else DeleteEffect.RESEND
            facts = replace(facts, delete_effect=follows)
    effect = delete_effect_of(facts, list_kind)
    texts = _Texts(
        label_ja=ref.label_ja, explanation_ja=ref.explanation_ja, action_ja=ref.action_ja
    )
    prose = {name: str(value) for name, value in texts.items()}
    problems = contradictions(prose, permanent=facts.permanent, delete_effect=effect)
    if problems:
        return "LLM text contradicts the rule facts (" + "; ".join(problems[:3]) + ")"
    texts["action_ja"] = with_delete_guidance(rule.action_ja, ref.action_ja)
    return replace(facts, source="llm", **texts)
