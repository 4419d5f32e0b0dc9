"""Customers Mail Cloud bounce status codes (1–11, 99) with Japanese labels and explanations.

Labels 1–10 are the vendor's Japanese wording on its Bounces page; 11 and 99 appear only on
the English page ("Unsubscribed address", "Others"), so their Japanese labels are ours
(docs/providers.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CmcStatus:
    code: str
    label_ja: str
    explanation_ja: str
    permanent: bool


_STATUSES = (
    CmcStatus(
        "1",
        "ホスト不明",
        "宛先ドメインが DNS で見つかりませんでした。ドメイン名の誤りが考えられます。",
        True,
    ),
    CmcStatus(
        "2",
        "ユーザ不明",
        "宛先のメールボックスが存在しません。アドレスの誤りか、退会・廃止です。",
        True,
    ),
    CmcStatus(
        "3",
        "再送タイムアウト",
        "接続できない・一時エラーが続くなどで、再送期間内に届けられませんでした。",
        False,
    ),
    CmcStatus(
        "4", "受信拒否", "受信側サーバーのポリシー（迷惑メール対策など）で拒否されました。", False
    ),
    CmcStatus(
        "5", "容量オーバー", "受信者のメールボックスまたはサーバーの容量がいっぱいです。", False
    ),
    CmcStatus(
        "6",
        "転送エラー",
        "受信側で別アドレスへ転送する際に失敗しました（元の宛先には届いている場合があります）。",
        False,
    ),
    CmcStatus("7", "受信サーバエラー", "受信側サーバーの設定に問題があります。", False),
    CmcStatus("8", "サイズオーバー", "メールのサイズが受信側の上限を超えています。", False),
    CmcStatus("9", "アドレス形式エラー", "メールアドレスの書式が正しくありません。", True),
    CmcStatus(
        "10",
        "配信停止アドレス",
        "以前のエラーでブロック（管理画面の「配信停止」）に入っているため、送信しませんでした。",
        True,
    ),
    CmcStatus(
        "11",
        "購読解除アドレス",
        "受信者がワンクリック購読解除を行ったため、送信しませんでした。",
        True,
    ),
    CmcStatus("99", "その他", "その他の恒久的なエラーが受信側サーバーから返りました。", True),
)
STATUS_BY_CODE = {status.code: status for status in _STATUSES}


def status_for(code: str) -> CmcStatus:
    """The status for a code as the API sends it (a string, sometimes a number)."""
    text = str(code).strip()
    return STATUS_BY_CODE.get(
        text,
        CmcStatus(
            text,
            f"不明なコード {text}",
            "カスタマーズメールクラウドの資料にないコードです。",
            False,
        ),
    )


def describe_status(code: str) -> str:
    """``"2 ユーザ不明"``: what the grid's status column shows."""
    status = status_for(code)
    return f"{status.code} {status.label_ja}"
