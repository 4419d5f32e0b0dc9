"""The practice LLM answers with specific Japanese tied to each masked reason, never boilerplate."""

from __future__ import annotations

import json

from app.sandbox.openai_answers import smart_reply


def ask(*entries: dict[str, object]) -> list[dict[str, object]]:
    items = [{"index": i, **entry} for i, entry in enumerate(entries)]
    body = {"messages": [{"role": "user", "content": json.dumps({"items": items})}]}
    return list(smart_reply(body)["items"])


def hint(reason: str, permanent: bool, effect: str) -> dict[str, object]:
    return {"reason": reason, "permanent": permanent, "delete_effect": effect}


def test_answers_name_what_the_masked_reply_shows() -> None:
    docomo, spamhaus, yahoo = ask(
        {
            "reason_text": "550 Unknown user <email:docomo>",
            "rule_hint": hint("filtered", True, "after_fix"),
        },
        {
            "reason_text": "550 5.7.1 Client host [<ip>] blocked using Spamhaus AS(1440)",
            "rule_hint": hint("blocked", True, "no_effect"),
        },
        {
            "reason_text": "421 4.7.0 [TSS04] Messages from <ip> temporarily deferred <host:yahoo>",
            "rule_hint": hint("badreputation", False, "resend"),
        },
    )
    assert "ドコモ" in str(docomo["explanation_ja"]) and "指定受信" in str(docomo["action_ja"])
    assert "AS(1440)" in str(spamhaus["explanation_ja"])
    assert "Spamhaus" in str(spamhaus["explanation_ja"])
    assert "削除しても配信には影響しません" in str(spamhaus["action_ja"])
    assert "[TSS04]" in str(yahoo["explanation_ja"]) and "421 4.7.0" in str(yahoo["explanation_ja"])
    assert yahoo["permanent"] is False


def test_each_reason_gets_its_own_explanation_and_delete_advice_follows_the_effect() -> None:
    reasons = ["userunknown", "mailboxfull", "authfailure", "speeding", "requireptr"]
    answers = ask(
        *({"reason_text": "550 x", "rule_hint": hint(r, False, "resend")} for r in reasons)
    )
    explanations = {str(a["explanation_ja"]) for a in answers}
    assert len(explanations) == len(reasons)
    assert [a["reason"] for a in answers] == reasons
    harmful, after_fix = ask(
        {"reason_text": "", "rule_hint": hint("feedback", True, "harmful")},
        {"reason_text": "550 5.7.26 x", "rule_hint": hint("authfailure", True, "after_fix")},
    )
    assert "削除しないでください" in str(harmful["action_ja"])
    assert "原因を解消してから一覧から削除" in str(after_fix["action_ja"])


def test_open_texts_are_guessed_from_their_wording_and_4xx_stays_temporary() -> None:
    (grey,) = ask(
        {
            "reason_text": "450 4.2.0 <email>: Recipient address rejected: Greylisted",
            "rule_hint": hint("onhold", False, "resend"),
        }
    )
    assert grey["reason"] == "speeding" and grey["permanent"] is False
    assert "グレイリスティング" in str(grey["explanation_ja"])


def test_greylisting_is_answered_as_a_hold_not_a_block_nor_a_rate_limit() -> None:
    for text, reason in (
        ("451 4.7.1 Greylisting in action, please come back later", "speeding"),
        ("450 4.2.0 <email>: Recipient address rejected: Greylisted, see <url>", "onhold"),
        ("451 4.7.1 You are grey-listed. Please retry", "speeding"),
    ):
        (answer,) = ask({"reason_text": text, "rule_hint": hint(reason, False, "resend")})
        assert answer["permanent"] is False
        # No delisting, and no promise that the retries deliver a message that is already listed.
        assert "解除申請は不要" in str(answer["action_ja"])
        assert "送り直し" in str(answer["action_ja"])
        assert "送信速度" not in str(answer["action_ja"])
        assert "制限" not in str(answer["explanation_ja"])


def test_a_filter_is_told_the_carriers_allow_list_only_at_a_carrier() -> None:
    elsewhere, docomo = ask(
        {
            "reason_text": "550 5.7.1 Message rejected by recipient rules <host:gmail>",
            "rule_hint": hint("filtered", True, "after_fix"),
        },
        {
            "reason_text": "550 5.7.1 Message rejected by recipient rules <host:docomo>",
            "rule_hint": hint("filtered", True, "after_fix"),
        },
    )
    assert "指定受信" not in str(elsewhere["explanation_ja"]) + str(elsewhere["action_ja"])
    assert "指定受信" in str(docomo["action_ja"])


def test_the_clues_read_as_one_japanese_sentence() -> None:
    """「ドコモの受信サーバーの応答です、応答コードは 550。」 joined two sentences with a comma."""
    (docomo,) = ask(
        {
            "reason_text": "550 Unknown user <email:docomo>",
            "rule_hint": hint("filtered", True, "after_fix"),
        }
    )
    assert str(docomo["explanation_ja"]).startswith(
        "ドコモの受信サーバーの応答で、応答コードは 550。"
    )
    assert "です、" not in str(docomo["explanation_ja"])
    (bare,) = ask(
        {
            "reason_text": "Unknown user <email:docomo>",
            "rule_hint": hint("filtered", True, "after_fix"),
        }
    )
    assert str(bare["explanation_ja"]).startswith("ドコモの受信サーバーの応答です。")
