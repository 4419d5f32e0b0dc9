"""User-facing Japanese strings of the delete, result and history dialogs (kept beside them
until the lead merges them into ui/texts.py)."""

from __future__ import annotations

from app.core.accounts import ProviderName, between_words_ja
from app.core.glossary import term


def provider_words(provider: str) -> str:
    """The provider a deletion goes to, ready to sit between Japanese words (a Latin name gets
    a space on each side); 配信サービス when it is not known."""
    try:
        label = ProviderName(provider).label_ja
    except ValueError:
        return "配信サービス"
    return between_words_ja(label)


# Confirmation
CONFIRM_TITLE = "削除の確認"
CONFIRM_TITLE_PRACTICE = "削除の確認（練習モード）"
CONFIRM_PRACTICE = (
    "練習モード: 練習用サーバーのデータから削除します。実際の{provider}には影響しません。"
)
CONFIRM_LIVE = "本番: 実際の{provider}アカウントから削除します（練習用のデータではありません）。"
CONFIRM_HEADLINE = "次の {total:,} 件を" + term("lists") + "から削除します。"
CONFIRM_COUNT_LINE = "{label}: {count:,} 件"
CONFIRM_IRREVERSIBLE = "{provider}では削除した項目を元に戻せません。"
CONFIRM_IRREVERSIBLE_PRACTICE = "（練習用のデータは、アプリを起動し直すと元に戻ります。）"
CONFIRM_WARNINGS = "削除する前に確認してください"
CONFIRM_WARNING_LINE = "【{label}】{text}"
CONFIRM_ADDRESSES = "削除するアドレス（選択してコピーできます）"
CONFIRM_TYPE_COUNT = "件数が多いため、確認として削除する件数「{number}」を下に入力してください。"
CONFIRM_TYPE_LABEL = "削除する件数"
CONFIRM_TYPE_PLACEHOLDER = "{number} と入力"
CONFIRM_TYPE_MISMATCH = "入力された数が件数と一致しません。"
CONFIRM_CONSENT = (
    "迷惑メール報告・配信停止の削除について、受信者本人から再びメールを受け取る同意を得ています"
)
CONFIRM_NOTE = "メモ（任意・削除履歴に残ります）"
CONFIRM_NOTE_PLACEHOLDER = "例: 住民から連絡あり"
CONFIRM_DELETE = "削除する"
CONFIRM_CANCEL = "キャンセル"

# The rows were fetched through a connection the window no longer uses
OTHER_CONNECTION = (
    "表示中の行は、いまとは別の接続先（アカウント、API キー、サブユーザー、リージョン、"
    "接続先 URL のいずれかが違います）から取得したものです。削除は行っていません。"
)
OTHER_CONNECTION_NEXT = "いまの接続先で「取得」し直してから、削除する行を選んでください。"

# Result
RESULT_TITLE = "削除の結果"
RESULT_ALL_OK = "{ok:,} 件すべてをリストから削除しました。"
RESULT_PARTIAL = "{ok:,} 件を削除しました。{failed:,} 件は削除できませんでした。"
RESULT_CANCELLED = "途中でキャンセルしました。送信前だった項目は「失敗」として残っています。"
RESULT_PRACTICE = "練習モードでの削除です（実際の{provider}には影響していません）。"
RESULT_HEADERS = ("リスト", "削除", "すでにリストになし", "失敗")
RESULT_FAILURES = "削除できなかった項目（選択してコピーできます）"
RESULT_FAILURE_LINE = "{label}\t{email}\t{detail}"
RESULT_RECORDED = "結果は削除履歴（記録番号 #{operation_id}）に保存しました。"
RESULT_RETRY = "失敗した項目を再試行"
RESULT_CLOSE = "閉じる"

# History
HISTORY_TITLE = "削除履歴"
HISTORY_SEARCH_PLACEHOLDER = "アドレス・メモ・実行者で検索"
HISTORY_USE_DATES = "期間で絞り込む"
HISTORY_DATE_TO = "〜"
HISTORY_OPERATION_HEADERS = ("日時", "実行者", "件数", "成功", "失敗", "状態", "メモ")
HISTORY_ENTRY_HEADERS = ("種別", "メールアドレス", "結果", "詳細", "原因", "発生日時")
HISTORY_PRACTICE_MARK = "（練習）"
HISTORY_COUNT = "{count:,} 件の削除操作"
HISTORY_NONE = "削除の記録はまだありません。"
# A search or a period that matches nothing: the records are there, only not shown.
HISTORY_NONE_MATCHING = "条件に合う削除の記録はありません（検索の文字や期間を変えてください）。"
HISTORY_SELECT = "上の一覧で操作を選ぶと、削除したアドレスが表示されます。"
HISTORY_DETAIL = "#{id}  {started}  {account}  接続先: {host}"
# The practice server's loopback address and port (a new port each session) meant nothing to
# an operator; what matters is that the deletion never left this PC.
HISTORY_PRACTICE_HOST = "練習用サーバー（この PC の中）"
HISTORY_EXPORT = "Excel に書き出す…"
HISTORY_EXPORT_DIALOG = "削除履歴を Excel に書き出す"
HISTORY_EXPORT_FILTER = "Excel ブック (*.xlsx)"
HISTORY_EXPORT_DONE = "{operations:,} 件の操作（{entries:,} 行）を書き出しました: {path}"
HISTORY_EXPORT_FAILED = "書き出せませんでした: {message}"
HISTORY_EXPORTING = "共有データベースから読み込んで書き出しています…"
HISTORY_RETRY = "この操作の失敗分を再試行"
HISTORY_CLOSE = "閉じる"
# Shared store: the dialog's data is read by a job first (the server may be slow or away).
HISTORY_READING = "共有データベースから削除履歴を読み込んでいます…"
HISTORY_READING_ENTRIES = "共有データベースから削除履歴（#{id} のアドレス）を読み込んでいます…"
# 削除履歴 clicked while the shared store was away: the click connects again.
HISTORY_CONNECTING = "共有データベースに接続しています。つながったら削除履歴を開きます。"
HISTORY_UNREACHABLE = (
    "共有データベースに接続できないため、削除履歴を開けません"
    "（削除履歴は共有データベースにあります）。"
)
HISTORY_UNREACHABLE_NEXT = (
    "ネットワークと「ツール → 共有データベース…」の設定（ホスト・ポート・ユーザー）を確認し、"
    "つながってから、もう一度「削除履歴…」を押してください。30 秒ごとに接続し直します。"
)
HISTORY_READ_CANCELLED = "削除履歴の読み込みをキャンセルしました。"
HISTORY_CANCELLING = (
    "削除履歴の読み込みをキャンセルしています…（送信中の問い合わせは応答を待ちます）"
)

# 再発 (from the fetch history): the address, then the sentence of app.core.history.recurrence
CONFIRM_RECURRENCE = "再発: {email} — {sentence}"
CONFIRM_RECURRENCE_MAX = 5
CONFIRM_RECURRENCE_MORE = "ほか {count:,} 件のアドレスも再発しています。"

# Team mode (shared store): addresses another operator had, and a 閲覧 operator.
RESULT_CONFLICTS = "ほかの担当者が扱っていたため送らなかった項目（{count:,} 件）"
RESULT_OK_BESIDE_CONFLICTS = "{ok:,} 件をリストから削除しました。"
RESULT_CONFLICT_LINE = "{label}\t{email}\t{who}"
RESULT_NOTHING_CLAIMED = (
    "すべてほかの担当者が削除済みまたは削除中のため、今回は何も送っていません。"
)
DONE_CONFLICTS = "（{count:,} 件はほかの担当者が削除済みまたは削除中）"
VIEW_ONLY = (
    "{name}さんは「閲覧」の担当者のため削除できません。"
    "削除が必要なときは管理者に「削除可」への変更を依頼してください。"
)
RUNNING_ELSEWHERE = "ほかのPCで削除中の操作があります（{names}）。終わるまでそのままにします。"
# The journal of this PC: the deletion runs in another window or in todoku-cli.
RUNNING_ON_THIS_PC = (
    "このPCのほかの Todoku または todoku-cli で削除中の操作があります（{names}）。"
    "終わるまでそのままにします。"
)
RUNNING_ELSEWHERE_ONE = "{name}さん・記録番号 #{operation_id}"

# Team mode: the shared store is opened (and its kept rows resent) off the GUI thread.
CONNECTING = "共有データベースに接続しています…"
CONNECTING_WAIT = (
    "共有データベースに接続しています。接続が終わると削除できるようになります。"
    "しばらくお待ちください。"
)
CONNECT_FAILED_NEXT = (
    "ネットワークと「ツール → 共有データベース…」の設定（ホスト・ポート・ユーザー）を"
    "確認してください。"
    "つながるまで削除は使えません（取得・書き出しは使えます）。30 秒ごとに接続し直します。"
)
UNREACHABLE = (
    "共有データベースに接続できないため、削除は使えません（取得・書き出しは使えます）。"
    "自動的に接続し直します。"
)

# The SQLite journal is opened by a job too: another writer may hold its lock for seconds.
OPENING_WAIT = (
    "削除履歴を開いています。開き終わると削除できるようになります。しばらくお待ちください。"
)
IN_USE = (
    "削除履歴のファイルをほかのプログラム（別の Todoku や todoku-cli）が使用中のため、"
    "削除は使えません（取得・書き出しは使えます）。自動的に開き直します。"
)
IN_USE_NEXT = (
    "ほかの Todoku の画面や todoku-cli の削除が終わるまで、削除は使えません"
    "（取得・書き出しは使えます）。30 秒ごとに開き直します。ファイルには手を加えていません。"
)
