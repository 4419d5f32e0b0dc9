"""Reason names -> SendGrid category, permanence and the Japanese texts shown to operators.

Every text here is a fixed sentence written for non-engineers. Nothing from a bounce is ever
inserted into these strings (no formatting at all), so a hostile reason text cannot change them.
``fix_ja`` says how to remove the cause; ``delete_ja`` says whether deleting the entry from a
suppression list helps or hurts. The classifier joins them into ``Explanation.action_ja``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.glossary import category_labels, delete_effect_label, term
from app.core.types import DeleteEffect, Explanation

INVALID_ADDRESS = "Invalid Address"
MAILBOX_UNAVAILABLE = "Mailbox Unavailable"
REPUTATION = "Reputation"
CONTENT = "Content"
FREQUENCY = "Frequency or Volume Too High"
TECHNICAL = "Technical Failure"
UNCLASSIFIED = "Unclassified"
# Not SendGrid bounce classifications: spam reports and unsubscribes are no bounces at all, and
# showing 未分類 for them would read as "the tool failed".
SPAM_REPORT = "Spam Report"
UNSUBSCRIBE = "Unsubscribe"

CATEGORY_LABELS_JA: dict[str, str] = category_labels()  # resources/glossary.toml
_LISTS = term("lists")  # the five lists together (届かない宛先リスト), resources/glossary.toml

NEEDS_REVIEW_LABEL = "要確認"


@dataclass(frozen=True, slots=True)
class ReasonInfo:
    """Fixed texts and classification of one reason name."""

    name: str
    category: str
    # Sending again later fails until someone changes something (the address, the recipient's
    # settings, our sending setup or reputation). A 4xx reply still makes it temporary.
    permanent: bool
    label_ja: str
    explanation_ja: str
    fix_ja: str
    delete_ja: str

    @property
    def bounce_delete_effect(self) -> DeleteEffect:
        """Deleting a bounce/invalid-email entry: ``resend`` only when waiting alone cures it."""
        return DeleteEffect.RESEND if self.name in TRANSIENT_REASONS else DeleteEffect.AFTER_FIX


# Causes that go away by themselves (greylisting and rate limits come out as speeding etc.):
# never ``permanent``, whatever the reply class, and deleting the entry lets mail go again.
TRANSIENT_REASONS = frozenset(
    {"mailboxfull", "systemfull", "speeding", "toomanyconn", "expired", "networkerror",
     "systemerror", "mailererror"}
)  # fmt: skip


# Shared delete advice, so the same situation is always worded the same way.
_KEEP_DEAD = (
    "一覧から削除すると配信サービスがこのアドレスへの送信を再開し、再びバウンスします。"
    "バウンスが増えると送信元の評判（レピュテーション）が下がるため、削除せずに残してください。"
)
_DELETE_LATER = "一時的な原因のため、数日たってから一覧から削除すると再送できます。"
_DELETE_AFTER_FIX = (
    "原因を直す前に一覧から削除しても、同じ理由でまた拒否されます。"
    "原因を直してから削除してください。"
)
# For a reason that is usually temporary when a rule knows this refusal lasts (a mail loop,
# "TLS required"): its usual "delete in a few days" advice would contradict the flag.
DELETE_AFTER_FIX_JA = _DELETE_AFTER_FIX


def delete_effect_shown(explanation: Explanation) -> str:
    """The 削除すると label of a row (grid, details, exports).

    A dead address is ``after_fix`` in the data, as for every refusal someone must fix first, but
    its fix is a new address, not this row: deleting the row only makes it bounce again, which is
    what its action warns of, so the label says that instead of 原因を直してから.
    """
    effect = explanation.delete_effect
    if effect == DeleteEffect.AFTER_FIX and explanation.category == INVALID_ADDRESS:
        return delete_effect_label("after_fix_dead_address")
    return delete_effect_label(effect)


_REASONS: tuple[ReasonInfo, ...] = (
    ReasonInfo(
        "userunknown",
        INVALID_ADDRESS,
        True,
        "宛先アドレスが存在しない",
        "受信側のメールサーバーが、このメールアドレスは存在しないと回答しました。"
        "入力の誤りか、退職・解約などでアドレスが廃止された可能性があります。",
        "別の連絡手段で受信者に正しいアドレスを確認し、正しいアドレスを登録し直してください。",
        _KEEP_DEAD,
    ),
    ReasonInfo(
        "hostunknown",
        INVALID_ADDRESS,
        True,
        "宛先ドメインが存在しない",
        "メールアドレスの @ より後ろ（ドメイン）が見つかりませんでした。"
        "ドメインの入力ミス（例: gmial.com）か、ドメインが廃止された可能性があります。",
        "ドメインの綴りを確認し、誤りであれば受信者に正しいアドレスを確認してください。",
        _KEEP_DEAD,
    ),
    ReasonInfo(
        "hasmoved",
        INVALID_ADDRESS,
        True,
        "アドレス移転済み",
        "このアドレスは使われなくなり、転送先もないと受信側が回答しました。"
        "受信者がメールアドレスを変更した可能性があります。",
        "受信者に新しいアドレスを確認し、登録し直してください。",
        _KEEP_DEAD,
    ),
    ReasonInfo(
        "notaccept",
        INVALID_ADDRESS,
        True,
        "メールを受け付けないドメイン",
        "宛先のドメインは、メールを受け取らない設定になっています。"
        "このアドレスにはメールを届けられません。",
        "受信者に別のアドレスを確認してください。送信側で直せることはありません。",
        _KEEP_DEAD,
    ),
    ReasonInfo(
        "invalidaddress",
        INVALID_ADDRESS,
        True,
        "アドレスの形式が正しくない",
        "メールアドレスの形式が正しくないため、送れないアドレスと判定されました。"
        "空白や全角文字の混入、記号の誤りなどが考えられます。",
        "登録されているアドレスの綴りを確認し、受信者に正しいアドレスを確認してください。",
        "アドレスを直さずに一覧から削除しても、送信はまた失敗します。"
        "削除せずに残し、正しいアドレスを新しく登録してください。",
    ),
    ReasonInfo(
        "mailboxfull",
        MAILBOX_UNAVAILABLE,
        False,
        "受信箱の容量不足",
        "受信者のメールボックスが満杯で、メールを受け取れませんでした。"
        "受信者が整理すれば再び届くようになる、一時的な問題です。",
        "時間をおいてから再送してください。何週間も続く場合は、使われていないアドレスの可能性があります。",
        _DELETE_LATER + "削除後にまた満杯で戻る場合は、削除せずに残してください。",
    ),
    ReasonInfo(
        "suspend",
        MAILBOX_UNAVAILABLE,
        True,
        "アカウント停止",
        "アドレスは存在しますが、アカウントが停止・凍結されているか、長い間使われていません。"
        "事実上使われていないアドレスであることが多いです。",
        "このアドレスへの送信は控え、受信者に現在使っているアドレスを確認してください。",
        "削除すると送信が再開されますが、多くの場合また戻ってきます。"
        "受信者がアカウントを再開したと確認できるまで、削除しないでください。",
    ),
    ReasonInfo(
        "filtered",
        MAILBOX_UNAVAILABLE,
        True,
        "受信者側の設定で拒否",
        "受信者側の迷惑メール設定や受信ルール（受け取る相手の指定など）で、このメールが拒否されました。"
        "アドレスそのものは使われている可能性があります。",
        # Host-neutral on purpose: the carriers' name for the list (指定受信) is added for their
        # addresses only (resources/rules/50-host-advice.toml), never told at Gmail or a company.
        "受信者に、迷惑メール設定の受信許可リスト（受け取る相手の一覧）に送信元のドメインを"
        "追加してもらってください。",
        "受信者が設定を変えたと確認できてから、一覧から削除してください。"
        "それより前に削除すると、再送してもまた拒否されます。",
    ),
    ReasonInfo(
        "systemfull",
        MAILBOX_UNAVAILABLE,
        False,
        "受信側サーバーの容量不足",
        "受信側のメールサーバー全体の保存領域が足りず、受け取れませんでした。"
        "受信者個人ではなく、受信側の設備の一時的な問題です。",
        "時間をおいて再送してください。長く続く場合は受信者に知らせてください。",
        _DELETE_LATER,
    ),
    ReasonInfo(
        "rejected",
        TECHNICAL,
        True,
        "差出人を拒否",
        "受信側が、差出人のアドレスやドメインを理由にメールを拒否しました。"
        "メーリングリストの会員でない、差出人ドメインを確認できない、などが原因です。",
        "差出人ドメイン（バウンス用ドメインを含む）の DNS 設定と、"
        "送信ドメイン認証を確認してください。"
        "宛先がメーリングリストなら、投稿が許可されているか管理者に確認してください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "blocked",
        REPUTATION,
        True,
        "送信元サーバーをブロック",
        "受信側が、送信元の IP アドレスやサーバーを理由に受け取りを拒否しました。"
        "ブロックリスト（迷惑メール送信元の一覧）への掲載などが原因です。",
        "配信サービス（SendGrid など）の共有 IP ならそのサービスのサポートに問い合わせ、"
        "専用 IP ならブロックリストの掲載状況を確認して"
        "解除を申請してください。あわせて宛先リストの質も見直してください。",
        "アドレス自体には問題がないため、原因が解消してから削除すれば再送できます。",
    ),
    ReasonInfo(
        "badreputation",
        REPUTATION,
        True,
        "送信元の評判が低い",
        "送信元の IP アドレスやドメインの評判（レピュテーション）が低いため、受信側が受け取りを"
        "拒否または保留しました。苦情や宛先不明のメールが多いと評判が下がります。",
        "送信量を減らし、反応のある受信者だけに送ってください。宛先不明や苦情を減らすと評判は回復します。",
        "アドレス自体には問題がないことが多いため、評判が回復してから削除すれば再送できます。"
        "すぐに削除して再送すると、評判がさらに下がることがあります。",
    ),
    ReasonInfo(
        "authfailure",
        TECHNICAL,
        True,
        "送信ドメイン認証の失敗",
        "SPF/DKIM/DMARC（送信ドメイン認証：なりすましでないことを示す仕組み）の確認に失敗したため、"
        "受信側が拒否しました。送信側の設定の問題です。",
        "配信サービスの送信ドメイン認証（SendGrid では Domain Authentication）を完了し、"
        "差出人（From）のドメインとそろえてください。"
        "gmail.com などのフリーメールを差出人にしないでください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "requireptr",
        TECHNICAL,
        True,
        "逆引き（PTR）の未設定",
        "送信元 IP アドレスの逆引き設定（PTR レコード：IP アドレスからサーバー名を調べる設定）が"
        "ないか正しくないため、拒否されました。送信側の設定の問題です。",
        "専用 IP の場合は配信サービスで逆引き（SendGrid では Reverse DNS）を設定してください。"
        "共有 IP の場合は配信サービスのサポートに連絡してください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "notcompliantrfc",
        CONTENT,
        True,
        "メール形式の規格違反",
        "メールの形式が規格（RFC 5322）に合っていないため拒否されました。"
        "件名や差出人のヘッダー（メールの見出し情報）が重複している、などが原因です。",
        "送信プログラムやテンプレートを見直し、ヘッダーが重複しないように直してください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "contenterror",
        CONTENT,
        True,
        "ヘッダー・構造の不備",
        "メールのヘッダーや MIME 構造（本文や添付ファイルの組み立て方）に、受信側が受け付けない"
        "部分がありました。日本語の件名の符号化（エンコード）の誤りなどが原因です。",
        "件名や差出人名の文字コードを正しく符号化し、長すぎるヘッダーを短くしてください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "spamdetected",
        CONTENT,
        True,
        "迷惑メールと判定",
        "受信側のフィルターが、このメールを迷惑メールと判定して拒否しました。"
        "本文、リンク先の URL、宛先リストの質などが影響します。",
        "本文やリンク先のドメインを見直し、受信に同意した人だけに送ってください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "virusdetected",
        CONTENT,
        True,
        "ウイルス・危険な添付ファイル",
        "メールにウイルスや危険な添付ファイルが含まれていると判定されました。"
        "実行ファイルや圧縮ファイルの添付が原因になることがあります。",
        "添付ファイルをウイルス検査し、添付ではなくダウンロード用のリンクで送ってください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "policyviolation",
        CONTENT,
        True,
        "受信側のポリシーで拒否",
        "受信側の運用方針（ポリシー）に合わないため拒否されました。"
        "添付ファイルの制限や、決まった相手からしか受け取らない設定などが原因です。",
        "受信側（プロバイダー）の案内ページを確認し、内容や形式を調整してください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "securityerror",
        TECHNICAL,
        True,
        "セキュリティ条件を満たさない",
        "受信側が求めるセキュリティ上の条件（送信元の認証や、受信側のアクセス制限など）を"
        "満たしていないため拒否されました。送信側の設定のことも、受信側の制限のこともあります。",
        # Not "the sender's authentication" alone: a bare "Access denied" is as often the
        # receiver's own access list (Sendmail's access db), which no setting of ours changes.
        "差出人ドメインの送信ドメイン認証（SPF/DKIM/DMARC）が通っているかを確認してください。"
        "問題がなければ、受信者を通じて先方のシステム担当者に、送信元からの受信が許可されているか"
        "確認してもらってください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "failedstarttls",
        TECHNICAL,
        True,
        "暗号化通信ができない",
        "受信側が暗号化通信（TLS）を必須にしていますが、暗号化した接続ができませんでした。"
        "送信経路の設定の問題です。",
        "配信サービス（SendGrid など）の TLS 設定を確認してください。"
        "受信側の証明書に問題がある場合もあるため、"
        "続くときは受信者のシステム担当者にも確認してください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "norelaying",
        TECHNICAL,
        True,
        "中継を拒否",
        "受信側のサーバーが、このアドレス宛てのメールは扱っていないとして拒否しました。"
        "ドメイン部分の入力ミスや、受信側のメールサーバーの設定誤りが考えられます。",
        "アドレスのドメイン部分が正しいか確認してください。正しい場合は、受信者のシステム担当者に"
        "確認してもらってください。",
        "アドレスが誤っている場合は、削除せずに残してください。受信側の設定が直ったと確認できたら、"
        "削除して再送できます。",
    ),
    ReasonInfo(
        "mesgtoobig",
        CONTENT,
        True,
        "メールのサイズ超過",
        "メールのサイズ（または 1 行の長さ）が、受信側のサーバーの上限を超えていました。"
        "大きな画像や添付ファイルが原因です。",
        "添付ファイルはダウンロード用のリンクに置き換え、画像を小さくしてください。",
        "メールを小さくしてから削除すれば再送できます。",
    ),
    ReasonInfo(
        "exceedlimit",
        CONTENT,
        True,
        "受信側の上限を超過",
        "メールのサイズなどが、受信側で決められた上限を超えていました。"
        "実質的にはサイズ超過と同じ問題です。",
        "添付ファイルはダウンロード用のリンクに置き換え、画像を小さくしてください。",
        "メールを小さくしてから削除すれば再送できます。",
    ),
    ReasonInfo(
        "speeding",
        FREQUENCY,
        False,
        "送信ペースが速すぎる",
        "短い時間にこの宛先へ多くのメールが届いたため、受信側が受け取りを制限しました。"
        "一時的な制限です。",
        "同じドメインへの送信を時間帯で分けるなど、送信ペースを落としてください。",
        "一時的な制限のため、時間をおいてから削除すれば再送できます。",
    ),
    ReasonInfo(
        "toomanyconn",
        FREQUENCY,
        False,
        "接続数・宛先数が多すぎる",
        "同時接続の数や、1 通あたりの宛先の数が受信側の上限を超えました。"
        "送り方による一時的な問題です。",
        "同じドメインへの同時接続数や 1 通あたりの宛先の数を減らし、送信を時間で分散してください。"
        "配信サービス側の送り方による場合は、そのサービスのサポートに相談してください。",
        "一時的な制限のため、時間をおいてから削除すれば再送できます。",
    ),
    ReasonInfo(
        "expired",
        TECHNICAL,
        False,
        "配送期限切れ",
        "一時的なエラーで再送を繰り返しましたが、期限内に届けられませんでした。"
        "受信側のサーバーが応答しない、接続できない、などが原因です。",
        "宛先のドメインのメールサーバーが動いているか確認してください。"
        "何度も続く場合は、届かないアドレスとして扱ってください。",
        "受信側が復旧していれば、削除して再送すると届くことがあります。"
        "何度も期限切れになる場合は、削除せずに残してください。",
    ),
    ReasonInfo(
        "networkerror",
        TECHNICAL,
        False,
        "ネットワーク・DNS の障害",
        # No mail loop here: "No route to host" or a DNS time-out is not a loop; the loop rules
        # carry their own text (LOOP_EXPLANATION_JA below).
        "宛先のサーバーを探す処理（DNS）や通信の途中で問題が起き、届けられませんでした。",
        "多くは一時的なので、時間をおいて再送してください。続く場合は、受信者に、宛先ドメインの DNS"
        "（MX レコード）やメールサーバーの状態を確認してもらってください。",
        _DELETE_LATER,
    ),
    ReasonInfo(
        "systemerror",
        TECHNICAL,
        False,
        "受信側システムの障害",
        "受信側のメールサーバーの内部エラーや設定の誤りで、受け取れませんでした。"
        "送信側の問題ではありません。",
        "時間をおいて再送してください。続く場合は、受信者のシステム担当者に確認してもらってください。",
        _DELETE_LATER,
    ),
    ReasonInfo(
        "syntaxerror",
        TECHNICAL,
        True,
        "通信手順の誤り",
        "メールを渡すときのサーバー同士のやり取り（SMTP の手順）に、受信側が誤りを見つけました。"
        "送信システム側の問題で、受信者に原因はありません。",
        "理由の原文を添えて、配信サービス（SendGrid など）のサポートに問い合わせてください。",
        _DELETE_AFTER_FIX,
    ),
    ReasonInfo(
        "mailererror",
        TECHNICAL,
        False,
        "受信側の配送処理の失敗",
        "受信側のサーバー内で、メールを受信箱に配る処理が失敗しました。受信側の問題です。",
        "時間をおいて再送し、続く場合は受信者に知らせてください。",
        _DELETE_LATER,
    ),
    ReasonInfo(
        "suppressed",
        TECHNICAL,
        # Permanent: the platform drops every later message too, until someone takes the
        # address off the list it is on; waiting alone never lets mail through.
        True,
        "送信側で送信を止めた",
        f"配信サービス自身が、このアドレスは{_LISTS}（バウンス・配信停止など）に"
        "載っているとして送りませんでした。受信側に拒否されたわけではありません。",
        f"最初に{_LISTS}に載った理由（どの一覧に載っているか）を確認してください。",
        "元の理由が解消していることを確かめてから削除してください。解消してから削除すれば、"
        "送信が再開されます。",
    ),
    ReasonInfo(
        "onhold",
        UNCLASSIFIED,
        False,
        NEEDS_REVIEW_LABEL,
        "受信側の応答文から、原因を自動では判定できませんでした。"
        "推測はせずに、理由の欄の原文をそのまま確認してください。",
        "原文を読んでも分からない場合は、"
        "配信サービスのサポートや受信者のシステム担当者に確認してください。",
        "原因が分かるまでは、一覧から削除しないでください。",
    ),
    ReasonInfo(
        "undefined",
        UNCLASSIFIED,
        False,
        NEEDS_REVIEW_LABEL,
        "受信側の応答文が記録されていないため、原因を判定できません。",
        "配信サービスの送信履歴（SendGrid では Activity）で、このアドレスへの送信記録を"
        "確認してください。",
        "原因が分かるまでは、一覧から削除しないでください。",
    ),
    ReasonInfo(
        "feedback",
        SPAM_REPORT,
        True,
        "迷惑メールとして報告",
        "受信者がこのメールを「迷惑メール」として報告しました。"
        "配信サービスはこのアドレスへの送信を止めています。",
        "このアドレスには送らないでください。",
        "受信者本人から改めて配信の同意を得た場合だけ削除してください。同意を得てから削除すれば、"
        "送信が再開されます。無断で再開すると再び報告され、送信元の評判が下がります。",
    ),
    ReasonInfo(
        "unsubscribed",
        UNSUBSCRIBE,
        True,
        "配信停止",
        "受信者が配信停止（購読の解除）の手続きをしました。"
        "配信サービスはこのアドレスへの送信を止めています。",
        # The operators' customers are Japanese senders: for advertising mail the refusal is a
        # legal one (特定電子メール法 art. 3(3)), which is why the list must not be worked around.
        "このアドレスには送らないでください。広告・宣伝のメールは、受信を拒否した相手に送ることが"
        "特定電子メール法で禁じられています。",
        "受信者本人から改めて配信の同意を得た場合だけ削除してください。同意を得てから削除すれば、"
        "送信が再開されます。",
    ),
)

REASONS: dict[str, ReasonInfo] = {info.name: info for info in _REASONS}

NEEDS_REVIEW_REASONS = frozenset({"onhold", "undefined"})

# Blocks are not a suppression: SendGrid keeps trying later sends, so the framing differs.
# Said as what is different about blocks (docs/glossary.md), not as what they are not: blocks
# are one of the lists (glossary term "lists"), and 配信停止 is another list's name. Providers
# whose block list does suppress (CMC, Infobip) never get this text
# (explain_blocks_as_suppressions).
# After the cause, not before it: the grid shows the first line of the explanation, and every
# block row opening with the same note hid what set each one apart.
BLOCK_NOTE_JA = (
    "ブロックの記録なので、このメールは届いていませんが、ほかの一覧と違って"
    "配信サービス（SendGrid など）は次の送信を止めません。"
)
BLOCK_DELETE_JA = (
    "ブロックの記録があっても次の送信は通常どおり試みられるため、一覧から削除しても"
    "配信結果は変わりません。原因を直すことが大切です。"
)


@dataclass(frozen=True, slots=True)
class UnknownTextHint:
    """What an unrecognised reply still tells through its codes (for 要確認 entries)."""

    explanation_ja: str
    fix_ja: str
    permanent: bool
    temporary: bool


# RFC 3463 subject digit (X.<subject>.Z) -> whose side the problem is on, in plain Japanese.
_SUBJECT_JA = {
    "1": ("宛先のアドレス", "アドレスが正しいか、受信者に確認してください。"),
    "2": ("受信者のメールボックス", "受信者に、メールボックスの状態を確認してもらってください。"),
    "3": ("受信側のメールサーバー", "受信者のシステム担当者に確認してもらってください。"),
    "4": (
        "配送経路（ネットワークや DNS）",
        "宛先ドメインのメールサーバーに届くか確認してください。",
    ),
    "5": (
        "サーバー同士のやり取り（SMTP の手順）",
        "配信サービスのサポートに原文を添えて問い合わせてください。",
    ),
    "6": ("メールの内容や形式", "メールの形式（文字コード、添付ファイル）を見直してください。"),
    "7": (
        "送信側の認証・評判や受信側の運用方針",
        "送信ドメイン認証（SPF/DKIM/DMARC）と送信元の評判を確認してください。",
    ),
}
_SENDER_ADDRESS_JA = (
    "差出人（送信側）のアドレス",
    "差出人アドレスとバウンス用ドメインの DNS 設定を確認してください。",
)


# Words that call a failure temporary ("try again later", 一時的, しばらく) in the languages
# servers answer in: English, Japanese, German, French, Spanish, Portuguese, Italian, Russian,
# Chinese, Korean. The text is lower-cased and NFKC-folded before it gets here.
_TEMPORARY_WORDS = re.compile(
    r"temporar|try again|try later|retry|一時的|しばらく|時間をおいて|時間を置いて"
    r"|später|vorübergehend|erneut versuchen"
    r"|plus tard|temporairement|réessayer"
    r"|más tarde|temporalmente|inténtelo de nuevo|intentar de nuevo"
    r"|mais tarde|temporariamente|tente novamente"
    r"|più tardi|temporaneamente|riprova"
    r"|позже|временно"
    r"|稍后|暂时|稍後|暫時"
    r"|잠시 후|일시적|나중에 다시"
    r"|come back later|mas tarde"
)

# ... unless they say retrying is useless ("do not retry", Yahoo's "permanently deferred;
# retrying will NOT succeed").
_NO_RETRY = re.compile(
    r"(do not|don.t|never|no) retry|retrying will not|will not|not succeed|won.t succeed"
    r"|permanent|再送しないで|再送しても"
)


# Narrower: the reply asks to send again after some time ("try again later", "retry in 60
# seconds", しばらくしてから), which is the definition of a temporary refusal even under a 5xx
# code. A bare "try again" is not: "check for typos and try again" asks for a change first.
_COME_BACK_LATER = re.compile(
    r"(try|retry|resend|send|come back)\w* (\w+ ){0,3}"
    r"(later|again (in|after) [#0-9]|again shortly|in a (few|little) )"
    r"|しばらく(時間を(お|置)いて|経って|たって|してから)|時間を(お|置)いて"
    r"|plus tard|später|más tarde|mais tarde|più tardi|позже|稍后|稍後|잠시 후|나중에 다시"
)


def asks_to_come_back_later(text: str) -> bool:
    """The reply asks to send again after a while, and does not also say that is useless."""
    return bool(_COME_BACK_LATER.search(text)) and not _NO_RETRY.search(text)


def asks_for_retry(text: str) -> bool:
    """The reply's own words ask to come back later, and do not also say that is useless."""
    return bool(_TEMPORARY_WORDS.search(text)) and not _NO_RETRY.search(text)


# Amazon SES's suppression list names why it holds an address, and nothing else: "BOUNCE" is
# only ever a hard bounce (SES API reference, SuppressionListReason), so the entry is permanent
# although the reply that caused it is not kept. Infobip names its suppression type BOUNCE too;
# its rows carry the reply, which the rules read, so only a row without text gets this.
SES_HARD_BOUNCE_STATUS = "BOUNCE"


def unknown_text_hint(
    code: str, reply: str, reply_text: str = "", status: str = ""
) -> UnknownTextHint:
    """A 要確認 explanation from what the codes tell: temporary or not, and whose side.

    The wording of the reply was not understood, so nothing here guesses a cause; it only
    reads the class digit (4 = temporary, 5 = permanent) and the RFC 3463 subject digit, and,
    when there is no code at all, words that call the failure temporary.
    """
    retry_later = asks_for_retry(reply_text)
    first = code[:1] or reply[:1] or ("4" if retry_later else "")
    parts = code.split(".")
    subject = parts[1] if len(parts) == 3 and parts[1] != "0" else ""
    if subject == "1" and parts[2] in ("7", "8"):
        side, fix = _SENDER_ADDRESS_JA
    else:
        side, fix = _SUBJECT_JA.get(subject, ("", ""))
    if first == "4":
        # Without a code the words alone said "temporarily": naming a 4xx the reply never sent
        # would put a fact in the operator's hands that the text does not carry.
        said = (
            "受信側は「一時的なエラー」（4xx）と回答しています。"
            if (code[:1] or reply[:1]) == "4"
            else "受信側は、コードは付けていませんが、文面で一時的な拒否だと回答しています。"
        )
        text = (
            f"{said}原因の文面は自動では判定できません"
            "でしたが、時間をおけば届く可能性があります。推測はせずに、理由の欄の原文を確認してください。"
        )
        fix = "原文を確認し、数時間から 1 日ほどおいてから再送してください。" + fix
    elif first == "5" and retry_later:
        # A 5xx reply whose words ask to come back later ("550 Zu viele Verbindungen, bitte
        # später erneut versuchen"): the words are the more specific statement, and a temporary
        # condition must never be reported as permanent.
        text = (
            "受信側のコードは「恒久的なエラー」（5xx）ですが、文面では時間をおいて再試行するよう"
            "求めています。原因の文面は自動では判定できませんでしたが、一時的な拒否として扱います。"
            "推測はせずに、理由の欄の原文を確認してください。"
        )
        fix = "原文を確認し、数時間から 1 日ほどおいてから再送してください。" + fix
        first = "4"
    elif first == "5":
        text = (
            "受信側は「恒久的なエラー」（5xx）と回答しています。原因の文面は自動では判定できません"
            "でしたが、何かを直さない限り、同じ宛先への再送はまた失敗します。"
            "推測はせずに、理由の欄の原文を確認してください。"
        )
    elif not reply_text.strip() and status == SES_HARD_BOUNCE_STATUS:
        text = (
            "配信サービスが「ハードバウンス」（恒久的なエラー）として、送信しない宛先のリスト"
            "（Amazon SES のアカウントの抑制リストなど）に載せた宛先です。受信側の応答の原文は"
            "残っていないため、具体的な原因（アドレスが存在しない、受信を拒否された、など）は"
            "ここからは分かりません。リストに載っている間、この宛先には送信されません。"
        )
        fix = (
            "配信サービスの送信記録（Amazon SES ではイベントの発行や SNS 通知を設定していれば"
            "その記録）で最後の送信の結果を確認するか、別の連絡手段で受信者にアドレスを確認して"
            "ください。アドレスが正しいと分かるまでは削除しないでください。削除すると再び送信され、"
            "またバウンスすると送信元の評判（レピュテーション）が下がります。"
        )
        first = "5"
    elif not reply_text.strip():
        # No reply text at all (Amazon SES's suppression list keeps none): 「理由の欄の原文を
        # 確認してください」 sent the operator to an empty column.
        text = (
            "配信サービスの記録に、受信側の応答の原文がありません（Amazon SES の抑制リストなどは"
            "原文を残しません）。このため、原因を自動では判定できませんでした。"
        )
        fix = (
            "配信サービスの管理画面や送信の記録で、このアドレスへの最後の送信の結果を確認するか、"
            "配信サービスのサポートに確認してください。"
        )
    else:
        text = (
            "受信側の応答には、一時的か恒久的かを示すコードがなく、原因を自動では判定できません"
            "でした。推測はせずに、理由の欄の原文をそのまま確認してください。"
        )
        fix = (
            "原文を読んでも分からない場合は、"
            "配信サービスのサポートや受信者のシステム担当者に確認してください。"
        )
    if side:
        text += f"応答のコードからは、問題は{side}に関するものと読み取れます。"
    return UnknownTextHint(text, fix, permanent=first == "5", temporary=first == "4")
