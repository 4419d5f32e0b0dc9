"""The practice LLM's answers: specific Japanese tied to the masked reason each item carries.

Not a model, but not boilerplate either: for each item the answer names what the masked reply
shows (the reply and enhanced codes, the provider group of ``<host:docomo>``-style
placeholders, a diagnostic id such as ``AS(201806281)`` or ``[TSS04]``, the block list or the
authentication check named), explains the reason in an operator's terms and ends with the
deletion advice that matches the rule hint's delete effect, so practice mode shows what a good
refinement looks like. Texts the rules left open are guessed from their wording.
"""

from __future__ import annotations

import json
import re
from typing import Any

# reason -> (label, what happened, what to do). Plain text, no placeholders, no URLs.
_REASON_TEXTS: dict[str, tuple[str, str, str]] = {
    "userunknown": (
        "宛先アドレス不存在",
        "宛先のメールボックスが受信側に存在しないと回答されました。",
        "入力ミスや退会済みでないか、別の連絡手段で受信者に正しいアドレスを確認してください。",
    ),
    "hostunknown": (
        "宛先ドメイン不存在",
        "宛先ドメインがDNSで見つからず、配送先のサーバーを特定できませんでした。",
        "ドメイン名の綴り（例: gmial.com）を確認し、正しいアドレスに直してください。",
    ),
    "hasmoved": (
        "移転済み",
        "宛先のメールボックスは移転済みで、転送先も用意されていません。",
        "受信者に新しいアドレスを確認し、古いアドレスへの配信をやめてください。",
    ),
    "notaccept": (
        "受信しないドメイン",
        "宛先ドメインはメールを受け付けない設定（null MX など）です。",
        "このドメインには配信できません。受信者に別のアドレスを確認してください。",
    ),
    "mailboxfull": (
        "容量超過",
        "受信者のメールボックスが容量の上限に達しています。",
        "受信者が不要なメールを削除すれば受け取れるようになります。数週間続く場合は使われていないアドレスの可能性があります。",
    ),
    "suspend": (
        "アカウント停止",
        "宛先のアカウントは存在しますが、停止または長期間未使用のため受信できません。",
        "受信者に利用状況を確認し、配信対象から外すか別のアドレスを教えてもらってください。",
    ),
    "filtered": (
        "受信側フィルタで拒否",
        "受信者側の受信設定（迷惑メールフィルターや受け取る相手の指定）がこのメールを拒否しました。",
        "受信者に送信ドメインを受信許可リストへ登録してもらってください。",
    ),
    "rejected": (
        "差出人を拒否",
        "受信側が差出人アドレス（エンベロープFrom）またはそのドメインを受け付けませんでした。",
        "送信ドメイン（バウンス用ドメインを含む）のDNS設定と送信者認証を確認してください。",
    ),
    "blocked": (
        "送信元IP/ホストで拒否",
        "送信元のIPアドレスまたはホストが受信側のブロックリストに載っているため拒否されました。",
        "ブロックリストの掲載状況を確認し、解除を申請してください。"
        "配信サービス（SendGrid など）の共有IPなら、配信サービスのサポートに連絡してください。",
    ),
    "badreputation": (
        "送信元の評判不良",
        "送信元IPやドメインの評判（苦情率・急な送信量の増加など）が原因で受信が制限されました。",
        "送信量を抑え、反応のある宛先に絞って配信し、苦情の原因を減らしてください。",
    ),
    "authfailure": (
        "送信ドメイン認証の失敗",
        "SPF・DKIM・DMARC のいずれかの認証に失敗したため受信されませんでした。",
        "配信サービスでドメイン認証（SendGrid では Domain Authentication の CNAME）を完了し、"
        "Fromドメインと認証ドメインを揃えてください。",
    ),
    "requireptr": (
        "逆引き未設定",
        "送信元IPアドレスの逆引き（PTR）が設定されていないか、正引きと一致しません。",
        "専用IPなら配信サービスで逆引きを設定してください（SendGrid では Reverse DNS）。"
        "共有IPの場合は配信サービスのサポートに連絡してください。",
    ),
    "notcompliantrfc": (
        "形式がRFC違反",
        "メールのヘッダーが RFC 5322 の形式（From や Subject の重複など）に違反しています。",
        "送信プログラムやテンプレートのヘッダー生成を修正してください。",
    ),
    "contenterror": (
        "ヘッダ/MIME不正",
        "ヘッダーやMIME構造、文字コードの扱いが受信側に受け付けられませんでした。",
        "件名や本文のエンコードを見直し、ヘッダーを短くしてください。",
    ),
    "spamdetected": (
        "迷惑メール判定",
        "メールの内容やリンク先が迷惑メールと判定されました。",
        "本文・リンク先ドメイン・配信リストの取得方法を見直してください。",
    ),
    "virusdetected": (
        "ウイルス/危険添付",
        "添付ファイルなどに危険な内容があると判定されました。",
        "添付ファイルを外してウイルス検査を行い、必要ならダウンロードリンクで送ってください。",
    ),
    "policyviolation": (
        "受信側ポリシー違反",
        "受信側の運用ポリシー（送信者要件や添付の制限など）に合わないため拒否されました。",
        "受信側プロバイダの送信者向けガイドラインを確認し、内容や形式を合わせてください。",
    ),
    "securityerror": (
        "認証要求/セキュリティ",
        "受信側が SMTP 認証などのセキュリティ条件を求めています。",
        "送信側の設定（APIキー、送信者情報）を確認してください。",
    ),
    "failedstarttls": (
        "暗号化必須",
        "受信側が TLS による暗号化通信を必須としていますが、満たせませんでした。",
        "TLS の設定と証明書を確認してください。",
    ),
    "norelaying": (
        "中継拒否",
        "受信サーバーがこの宛先ドメインへの中継を拒否しました。"
        "宛先ドメインの誤りや MX 設定の不備が考えられます。",
        "宛先アドレスのドメイン部分を確認してください。",
    ),
    "mesgtoobig": (
        "サイズ超過・システム上限",
        "メールのサイズが受信側の上限を超えています。",
        "画像を圧縮するか、添付ファイルをリンクに置き換えて小さくしてください。",
    ),
    "exceedlimit": (
        "サイズ超過・受信者上限",
        "宛先ごとの上限（サイズやヘッダーの大きさ）を超えています。",
        "メールを小さくし、ヘッダーを短くしてください。",
    ),
    "speeding": (
        "受信側の速度制限",
        "受信側が短時間に届くメールの数を制限しています。",
        "宛先ドメインごとの送信速度を下げ、配信を時間帯に分散してください。",
    ),
    "toomanyconn": (
        "同時接続・宛先数過多",
        "同時接続数または1通あたりの宛先数が受信側の上限を超えました。",
        "同時接続数や1通あたりの宛先数を減らしてください。",
    ),
    "expired": (
        "配送期限切れ",
        "一時的なエラーが続き、再試行の期限内に配送できませんでした。",
        "宛先サーバーが応答しているか確認してください。",
    ),
    "networkerror": (
        "ネットワーク/DNS一時障害",
        "DNS や経路の問題で宛先サーバーに接続できませんでした。",
        "続く場合は宛先ドメインの DNS と MX の設定を確認してください。",
    ),
    "systemerror": (
        "受信側システム障害",
        "受信側サーバーで一時的な障害または設定の問題が起きています。",
        "受信側の復旧を待ってください。長く続く場合は受信者に管理者への連絡を依頼してください。",
    ),
    "systemfull": (
        "受信側ディスク不足",
        "受信側サーバーの記憶領域が不足しています。",
        "受信側の復旧を待ってください。",
    ),
    "syntaxerror": (
        "SMTPコマンド誤り",
        "SMTP のやり取りの中でコマンドや引数の誤りが検出されました。",
        "送信プログラムの設定を確認し、配信サービス経由なら配信サービスのサポートに報告してください。",
    ),
    "mailererror": (
        "配送プログラム失敗",
        "受信側の配送プログラムが失敗しました。",
        "受信側の問題です。時間をおいて様子を見るか受信者に連絡してください。",
    ),
    "suppressed": (
        "配信サービスが送信せず",
        "配信サービスの届かない宛先リスト（バウンス・配信停止など）に載っているため送信されませんでした。",
        "どの一覧に、なぜ載ったのかを確認してください。",
    ),
    "feedback": (
        "迷惑メール報告",
        "受信者がこのメールを迷惑メールとして報告しました。",
        "配信内容と頻度を見直してください。",
    ),
    "onhold": (
        "判定保留",
        "応答の文面だけでは原因を特定できませんでした。",
        "原文の応答を確認し、必要なら受信側に問い合わせてください。",
    ),
}
_DELETE_ADVICE = {
    "resend": "数日おいてから一覧から削除すると配信が再開されます。",
    "after_fix": (
        "原因を解消してから一覧から削除してください。解消前に削除しても同じ理由で拒否されます。"
    ),
    "no_effect": (
        "ブロックの記録は一覧から削除しても配信には影響しません"
        "（配信サービス（SendGrid など）は次の送信も自動で試みます）。"
    ),
    "harmful": "受信者の意思による登録のため、同意なく一覧から削除しないでください。",
}
_PROVIDERS = {
    "gmail": "Gmail",
    "google": "Google",
    "microsoft": "Microsoft（Outlook/Exchange Online）",
    "yahoo": "Yahoo",
    "yahoo.co.jp": "Yahoo! JAPAN",
    "aol": "AOL",
    "icloud": "iCloud",
    "docomo": "ドコモ",
    "au": "au",
    "softbank": "ソフトバンク",
    "rakuten": "楽天モバイル",
    "ocn": "OCN",
    "biglobe": "BIGLOBE",
    "nifty": "@nifty",
    "so-net": "So-net",
    "lg.jp": "自治体",
}
_CARRIERS = frozenset({"docomo", "au", "softbank", "rakuten"})
_GREYLISTING = re.compile(r"(?i)gr[ae]y-?list")
_GREYLISTING_TEXTS = (
    "グレイリスティング（一時保留）",
    "受信側が、初めての送信元からのメールをグレイリスティングという仕組みでわざと一度だけ保留しました。"
    "迷惑メール対策の正常な動作です。",
    "この記録のメールは再送でも受け付けられませんでした。ブロックリストの解除申請は不要です。"
    "時間をおいて送り直し、同じ宛先で続く場合は先方の管理者に送信元の許可を依頼してください。",
)
_HARD = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})
_GUESSES = (
    (re.compile(r"(?i)gr[ae]ylist"), "speeding"),
    (
        re.compile(r"(?i)user unknown|no such user|does not exist|invalid recipient|存在しません"),
        "userunknown",
    ),
    (re.compile(r"(?i)quota|mailbox (is )?full|storage|容量"), "mailboxfull"),
    (re.compile(r"(?i)dmarc|spf|dkim|unauthenticated"), "authfailure"),
    (re.compile(r"(?i)virus|ウイルス"), "virusdetected"),
    (re.compile(r"(?i)spam|迷惑メール"), "spamdetected"),
    (re.compile(r"(?i)block|blacklist|denylist|dnsbl|spamhaus|barracuda"), "blocked"),
    (re.compile(r"(?i)reputation"), "badreputation"),
    (re.compile(r"(?i)rate|too many|slow down"), "speeding"),
    (re.compile(r"(?i)disabled|suspended|inactive"), "suspend"),
    (re.compile(r"(?i)timed? ?out|expired"), "expired"),
    (re.compile(r"拒否"), "filtered"),
)
_CODES = re.compile(r"^\s*#?(?P<reply>[245]\d\d)?[ -]?(?P<status>[245]\.\d{1,3}\.\d{1,3})?")
_GROUP = re.compile(r"<(?:host|email):([a-z.-]+)>")
_DIAGNOSTIC = re.compile(
    r"AS\(\d+\)|\(AS\d+\)|\(S\d{3,10}\)|\[(?:TSS?|BL|CS|HM|PH)\d{2}\]|OFR\d*_\d{3}|RESOLVER\.[A-Za-z.]+"
)
_LISTS = re.compile(r"(?i)spamhaus|barracuda|spamcop|proofpoint|sorbs|cloudmark|manitu")
_AUTH = re.compile(r"(?i)\b(dmarc|spf|dkim)\b")


def smart_reply(request_body: Any) -> dict[str, Any]:
    """A plausible, valid answer for every item of the batch in the last user message."""
    try:
        user = [m for m in request_body["messages"] if m.get("role") == "user"][-1]
        batch = json.loads(user["content"])["items"]
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        batch = []
    return {"items": [answer(entry) for entry in batch if _valid(entry)]}


def _valid(entry: Any) -> bool:
    return isinstance(entry, dict) and type(entry.get("index")) is int


def answer(entry: dict[str, Any]) -> dict[str, Any]:
    raw_hint = entry.get("rule_hint")
    hint: dict[str, Any] = raw_hint if isinstance(raw_hint, dict) else {}
    text = str(entry.get("reason_text", ""))
    codes = _CODES.match(text)
    reply, status = (codes.group("reply") or "", codes.group("status") or "") if codes else ("", "")
    temporary = reply.startswith("4") or status.startswith("4") or entry.get("status_class") == "4"
    reason = str(hint.get("reason") or "onhold")
    if reason not in _REASON_TEXTS or reason in ("onhold", "undefined"):
        reason = next((r for pattern, r in _GUESSES if pattern.search(text)), "onhold")
        permanent = not temporary and (bool(hint.get("permanent")) or reason in _HARD)
    else:
        permanent = bool(hint.get("permanent"))
    effect = str(hint.get("delete_effect") or "")
    if effect not in ("no_effect", "harmful"):  # the list decides those; else the cause does
        effect = "after_fix" if permanent else "resend"
    label, cause, step = _REASON_TEXTS[reason]
    if _GREYLISTING.search(text):
        # A deliberate one-off hold, not a rate limit: nothing to slow down or fix.
        label, cause, step = _GREYLISTING_TEXTS
    group = next(iter(_GROUP.findall(text)), "")
    explanation = _clues(text, reply, status, group) + cause + _outlook(permanent)
    action = step + _carrier_step(reason, group) + _DELETE_ADVICE.get(effect, "")
    return {
        "index": entry["index"],
        "reason": reason,
        "permanent": permanent,
        "label_ja": label,
        "explanation_ja": explanation[:400],
        "action_ja": action[:400],
    }


def _clues(text: str, reply: str, status: str, group: str) -> str:
    parts = []
    if group in _PROVIDERS:
        parts.append(f"{_PROVIDERS[group]}の受信サーバーの応答で")  # …の応答で、応答コードは 550。
    code = " ".join(c for c in (reply, status) if c)
    if code:
        parts.append(f"応答コードは {code}")
    diagnostic = _DIAGNOSTIC.search(text)
    if diagnostic:
        parts.append(f"識別子 {diagnostic.group(0)} が付いています")
    listed = _LISTS.search(text)
    if listed:
        parts.append(f"{listed.group(0).capitalize()} の名前が挙がっています")
    auth = sorted({m.upper() for m in _AUTH.findall(text)})
    if auth:
        parts.append("/".join(auth) + " の結果に触れています")
    if parts == [f"{_PROVIDERS.get(group, '')}の受信サーバーの応答で"]:
        return parts[0] + "す。"  # nothing else to say: …の応答です。
    return "、".join(parts) + "。" if parts else ""


def _outlook(permanent: bool) -> str:
    if permanent:
        return "原因が取り除かれるまで、同じ宛先への再送は同じ理由で拒否されます。"
    return "一時的な原因のため、時間をおいた再試行で届く見込みがあります。"


def _carrier_step(reason: str, group: str) -> str:
    if reason == "filtered" and group in _CARRIERS:
        name = _PROVIDERS[group]
        return f"{name}の迷惑メール設定で、送信ドメインを指定受信に追加してもらうのが確実です。"
    return ""


# -- letters ------------------------------------------------------------------------------------

# How the letter polish's request opens (app/core/letters/polish.py, SYSTEM_PROMPT); a test
# keeps the two in step.
LETTER_PROMPT_START = "You polish a Japanese business letter"

# Rewordings a careful model makes to the shipped letters (resources/letters/): keigo only, no
# fact, no digit, no 【…】 mark in either column, so a reworded letter passes check_polish.
_LETTER_REWORDINGS: tuple[tuple[str, str], ...] = (
    ("突然のご連絡にて失礼いたします。", "突然のご連絡となりますことをお許しください。"),
    ("でメール配信を担当している者でございます。", "にてメール配信を担当しております。"),
    ("お届けできない状態となっております。", "お届けできない状況が続いております。"),
    ("お届けできておりません。", "お届けできない状況となっております。"),
    ("ご多忙のところ誠に恐縮ですが、", "ご多用のところ大変恐れ入りますが、"),
    ("ご多忙のところ恐縮ですが、", "ご多用のところ恐れ入りますが、"),
    ("いただけますと幸いです。", "いただけましたら幸いに存じます。"),
    ("お手数をおかけいたしますが、", "たいへんお手数をおかけいたしますが、"),
    ("受信できるよう設定（指定受信）をお願いいたします。",
     "お手数ですが、受信できるよう設定（指定受信）をお願いいたします。"),
    ("ご不明な点がございましたら、", "ご不明な点がございましたら、どうぞお気軽に"),
)  # fmt: skip
# Lines a rewording must never touch: the quoted server reply, a line holding a 【…を記入】
# mark, a digit (dates, counts, IPs), an address or a link.
_KEEP_LINE = re.compile(r"^\s*>|【|[0-9０-９@＠]|https?://")


def letter_request(request_body: Any) -> str | None:
    """The letter body of a polish request (its user message), or None for any other request."""
    try:
        messages = request_body["messages"]
        system = next(m["content"] for m in messages if m.get("role") == "system")
        user = [m["content"] for m in messages if m.get("role") == "user"][-1]
    except (KeyError, IndexError, TypeError, AttributeError, StopIteration):
        return None
    if not isinstance(system, str) or not system.startswith(LETTER_PROMPT_START):
        return None
    return user if isinstance(user, str) else None


def polished_letter(body: str) -> str:
    """``body`` reworded the way the polish asks for: every quoted server reply line, every
    【…を記入】 mark and every fact stays as it was, only set phrases get politer. What a
    learner sees in practice mode is then an accepted polish, not a refused one."""
    lines = []
    for line in body.split("\n"):
        if not _KEEP_LINE.search(line):
            for plain, polite in _LETTER_REWORDINGS:
                line = line.replace(plain, polite)
        lines.append(line)
    return "\n".join(lines)
