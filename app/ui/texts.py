"""Every user-facing Japanese string of the window, and the display formatters."""

from __future__ import annotations

from datetime import datetime

from app.core.dates import JST
from app.core.glossary import term

# The umbrella term and the mode names come from resources/glossary.toml (docs/glossary.md).
LISTS_TERM = term("lists")
APP_TITLE = term("app_title")

# Range and lists
RANGE_LABEL = "期間（日本時間）"
RANGE_TO = "〜"
PRESET_PLACEHOLDER = "期間を選ぶ…"
LISTS_LABEL = "対象リスト"
FETCH = "取得"
FULL_FETCH = "全件再取得"
FULL_FETCH_TIP = (
    "取得履歴があっても範囲全体を取得し直します。"
    "コンソールや他のツールで削除されたアドレス（他所で削除）もわかります。"
)
CANCEL = "キャンセル"
CANCEL_TIP = "取得・書き出しを止めます（Esc）"
RANGE_INVERTED = "開始日が終了日より後です"
RANGE_FUTURE = "開始日が未来の日付です"
NO_LIST_CHOSEN = "リストを1つ以上選んでください"

# Progress and status
IDLE = "期間とリストを選んで「取得」を押してください。"
SHOWING = "{total:,} 件を表示しています。"
FETCHING = "取得中… {entries:,} 件（{pages} ページ）"
CANCELLING = "キャンセルしています…"
FETCH_RETRYING = (
    "{cause}。再試行しています（{attempt}/{max} 回目・約 {seconds} 秒後）… "
    "続けて失敗した場合はエラーを表示します。"
)
# {provider}: the service's name as between_words_ja spells it after a sentence start
# ("SendGrid ", "カスタマーズメールクラウド").
FETCH_RATE_LIMITED = (
    "{provider}の利用回数の上限に達しました。解除を待って再試行しています（{attempt} 回目）…"
)
RETRY_CAUSES = {
    "network": "{provider}に接続できません",
    "server": "{provider}が一時的にエラーを返しています",
    "payload": "{provider}の応答が不完全でした",
}
FETCH_DONE = "{entries:,} 件を取得しました。"
FETCH_NOTES = " 注意: {notes}"  # what the provider noticed (a list that changed, repeating pages)
FETCH_CANCELLED = "取得をキャンセルしました（{entries:,} 件まで表示しています）。"
# キャンセル clicked after the last page had arrived: the rows are the whole range, and the
# line said 「キャンセルしています…」 then the usual summary, as if nothing had been clicked.
FETCH_CANCEL_TOO_LATE = "キャンセルの前に取得が終わりました（すべて取得済みです）。"
COUNTS_NONE = "表示中 0 件"
COUNTS = "表示中 {shown:,} / 全 {total:,} 件"
CHECKED_COUNT = "チェック {checked:,} 件"
# Highlighting a row (clicking it) is not ticking it: said where the count is.
# What matters first: cut short on a narrow window, the old 「（色の付いた行は削除されません…」 read
# 「色の付いた行は削除」 (coloured rows are deleted), the opposite of what it meant.
CHECKED_NONE_HIGHLIGHTED = "チェック 0 件（削除されるのはチェックした行だけ。□か Space でチェック）"
# The same, shorter, for a narrower bar (the longest that fits is shown, the whole in the
# tooltip): at 1024 px the bar kept only 「チェック 0 件（削除されるのは…」, without the point.
CHECKED_NONE_HIGHLIGHTED_SHORTER = (
    "チェック 0 件（削除されるのはチェックした行だけ）",
    "チェック 0 件（削除はチェックした行だけ）",
    "削除はチェックした行だけ",
)
SORTING = "並べ替えています…"

# Filters
FILTER_PLACEHOLDER = "絞り込み（アドレス・理由・説明に含む文字）"
ALL_LISTS = "すべてのリスト"
ALL_CATEGORIES = "すべての分類"
ALL_DOMAINS = "すべてのドメイン"
DETAILS_EMPTY = "行を選ぶと、理由の全文と説明がここに表示されます。"
# Rows were fetched but the filters hide them all: an empty grid alone looked like lost data.
DETAILS_ALL_FILTERED = (
    "絞り込みに合う行はありません（取得した {total:,} 件は残っています）。"
    "上の絞り込みの文字を消すか、リスト・分類・ドメイン・履歴の選択を「すべて」に戻してください。"
)
# 原因 and 対応 first: what the operator acts on is visible without scrolling (issue 13);
# the raw reason and the record's facts follow.
DETAILS_TEMPLATE = (
    "■ 分類: {category}\n"
    "■ 原因\n{explanation}\n"
    "\n"
    "■ 対応\n{action}\n"
    "{effect}"
    "\n"
    "■ {reason_heading}\n{reason}\n"
    "\n"
    "メールアドレス: {email}\n"
    "種別: {kind}　発生日時: {created}　ステータス: {status}\n"
    "説明の出典: {source}\n"
)
DETAILS_HISTORY = "取得履歴"
# Whose words the 理由 field holds: only bounces and blocks carry the receiving server's reply;
# an invalid address is the delivery service's own note, and spam reports and unsubscribes are
# the recipient's doing, with no reason at all (a bare 「—」 under 「受信側サーバーの応答」 read as
# a server that said nothing).
DETAILS_REASON_SERVER = "理由（受信側サーバーの応答そのまま）"
DETAILS_REASON_SERVICE = "理由（配信サービスの記録そのまま）"
DETAILS_REASON_NONE = "（この種別には理由の記録がありません。受信者本人の操作で登録されます）"
# Under a field of the details pane that is cut (a broken or hostile server's megabyte reply).
DETAILS_CUT = (
    "…\n（長すぎるため、全 {total:,} 文字のうち先頭 {shown:,} 文字だけを表示しています。"
    "全文は一覧でこの行を選んでコピー（Ctrl+C または右クリック →「選んだ行をコピー」）すると"
    "取り出せます）"
)
# 削除すると (DeleteEffect) and 一時的 / 恒久的 (Explanation.permanent): words from the glossary.
DELETE_EFFECT_SUMMARY = "削除すると: {effect}　／　{permanence}: {note}"
PERMANENCE_NOTES = {
    False: "時間をおいて送り直せば届く見込みがあります",
    True: "何かを直さない限り、再送しても届きません",
}
# Spam reports and unsubscribes (削除しない（要同意）): mail would reach the address; what
# stands in the way is the recipient's wish, which 「再送しても届きません」 misstated.
PERMANENCE_NOTE_CONSENT = "受信者本人の同意を得直さない限り、送らないでください"
MARK_FILTERS = (("履歴: すべて", ""), ("新着のみ", "新着"), ("再発のみ", "再発"))
SOURCE_RULES = "ルール（アプリ内の判定規則）"
SOURCE_LLM = "AI（ルールの判定を AI が補足した説明です。メールアドレスは伏せて送信しています）"
NOT_CLASSIFIED = "（分類中）"
NEEDS_REVIEW = "要確認"

# Columns
COLUMN_TITLES = (
    "",
    "種別",
    "メールアドレス",
    "ドメイン",
    "発生日時",
    "ステータス",
    "理由",
    "原因",
    "対応",
    "分類",
    "履歴",
    "削除すると",
)

# Practice mode and account
PRACTICE_TITLE = "練習モード"
PRACTICE_TEXT = "練習用のデータです。削除しても実際の SendGrid には影響しません。"
PRACTICE_TO_LIVE = "本番のアカウントに切り替える"
LIVE_TO_PRACTICE = "練習モードに切り替える"
# The banner after a key was saved in practice mode: saving does not switch by itself.
PRACTICE_KEY_SAVED = (
    "API キーを保存しました。まだ練習用のデータです。右のボタンで本番に切り替えられます。"
)
LIVE_MODE = "本番アカウント"
LIVE_BADGE = "本番"
LIVE_TEXT = "本番アカウント{account}: 実際の{provider}のデータです。削除すると元に戻せません。"
# A base URL typed in 詳細設定 (a company gateway, a proxy, a sandbox started by hand): whose data
# the window shows is that endpoint's, which 「実際の SendGrid」 would only have assumed.
LIVE_TEXT_ENDPOINT = (
    "本番アカウント{account}: 設定した接続先 {host} の{provider}データです。"
    "削除すると元に戻せません。"
)
LIVE_NEEDS_KEY = "本番のアカウントには API キーが必要です（まだ保存されていません）。"
LIVE_NEEDS_KEY_NEXT = "設定画面で SendGrid の API キーを保存してから、本番に切り替えてください。"
# At start: live mode was chosen, but the key it ran on did not outlive the last session.
KEYS_GONE_AT_START = (
    "この PC には OS のキーリングがないため、前回入力した API キーはアプリを閉じたときに"
    "消えました。練習モードで起動しています。"
)
KEYS_GONE_AT_START_NEXT = (
    "本番のデータを見るには、設定画面（ほかのアカウントは「管理…」）で API キーを"
    "もう一度入力して保存し、本番に切り替えてください。"
)
KEY_MISSING_AT_START = (
    "本番アカウントの API キーが見つからない（キーリングから削除された）ため、"
    "練習モードに切り替えました。"
)
SANDBOX_START_FAILED = "練習用サーバーを起動できませんでした。"
READING_KEY = "保存済みの API キーを読み込んでいます…"
PRACTICE_SERVER_UNREACHABLE = (
    "練習用サーバー（この PC で動く SendGrid の模擬サーバー）に接続できませんでした。"
)
PRACTICE_SERVER_UNREACHABLE_NEXT = (
    "もう一度「取得」を押すと、練習用サーバーを起動し直します。"
    "続く場合はアプリを再起動してください。"
)

# Menus and buttons
MENU_FILE = "ファイル(&F)"
MENU_ACCOUNT = "アカウント(&A)"
MENU_HELP = "ヘルプ(&H)"
MENU_TOOLS = "ツール(&T)"
ACTION_SETTINGS = "設定(&S)…"
ACTION_USAGE = "使い方(&U)"
ACTION_SHORTCUTS = "キーボード操作(&K)"
ACTION_ABOUT = "バージョン情報(&A)"
USAGE_TITLE = "使い方"
USAGE_TEXT = (
    f"Todoku は、SendGrid などの配信サービスの{LISTS_TERM}（SendGrid の画面では Suppressions）"
    "を日本語で確認・整理するアプリです。\n"
    "\n"
    "1. 期間と対象リストを選び、「取得」を押します。\n"
    "2. 行を選ぶと、下の欄に原因と対応が表示されます。分類・ドメイン・文字で絞り込めます。\n"
    "3. 一覧は「書き出し…」で Excel または CSV に保存できます。\n"
    "4. 削除するには、行の左端の□にチェックを付け（行を選んで Space キーでも可）、"
    "「チェックした項目を削除」を押します（チェックするとボタンに件数が表示されます）。"
    "確認画面で内容を確かめてから削除します。\n"
    "5. 「配信状況」タブで日ごとの配信率と原因の内訳を確認できます。\n"
    "6. 削除した記録は 削除 → 削除履歴 でいつでも確認でき、失敗した分は再試行できます。\n"
    "7. 取得した一覧は履歴として残ります。履歴 → 推移を表示 で月ごとの増減を、"
    "履歴 → 月次レポート で前月との比較を確認し、Excel や PDF に保存できます。"
    "削除したアドレスがまた載ると「再発」と表示されます。\n"
    "8. 宛先の相手に知らせるときは、行を選んで 連絡 → 連絡文を作成（Ctrl+L）を選びます。"
    "Zendesk を使っている場合はチケットも作れます。\n"
    "9. 「DMARC」タブでは、受信側から届く DMARC の集計レポートを読み込み、"
    "自社ドメインの送信元認証の状況を日本語で確認できます。\n"
    "10. SendGrid 以外の配信サービス（カスタマーズメールクラウド、Infobip、Amazon SES）や"
    "2 つ目以降のアカウントは、アカウント → アカウントの管理 で追加します。\n"
    "\n"
    f"{PRACTICE_TITLE}では練習用のデータを使います（実際の配信サービスには影響しません）。"
    "本番のアカウントを使うには、API キーなどの認証情報を保存してから"
    "（SendGrid は ツール → 設定 で、ほかの配信サービスは アカウント → アカウントの管理 で"
    "保存します）、アカウント → 本番のアカウントに切り替える を選びます。"
)
SHORTCUTS_TITLE = "キーボード操作"
SHORTCUTS_TEXT = (
    "Enter\t取得（期間・リストの欄で）\n"
    "Ctrl+E\t書き出し\n"
    "Ctrl+C\t選んだ行をコピー（Excel に貼り付けられます）\n"
    "Space\t選んだ行のチェックを切り替え\n"
    "Ctrl+L\t連絡文を作成\n"
    "Ctrl+,\t設定\n"
    "Esc\t取得・書き出しのキャンセル\n"
    "F1\t使い方\n"
    "Alt+F など\tメニューを開く（項目は名前の後ろの英字のキーで選べます）\n"
    "Ctrl+Q\t終了"
)
ABOUT_TITLE = "バージョン情報"
ABOUT_TEXT = "Todoku {version}\n{title}\n\nログの保存場所: {log}"
ACTION_EXPORT = "書き出し(&E)…"
ACTION_EXPORT_SHORT = "書き出し…"
ACTION_EXPORT_TIP = "一覧を Excel（.xlsx）または CSV に書き出します（Ctrl+E）"
ACTION_QUIT = "終了(&Q)"
ACTION_COPY = "選んだ行をコピー"
ACTION_TOGGLE_CHECK = "選んだ行のチェックを切り替え"
ACTION_OPEN_LOG = "ログの保存場所を表示"
ACTION_CHECK_SHOWN = "表示中の行をすべてチェック"
ACTION_UNCHECK_ALL = "チェックをすべて外す"
COPIED = "{rows:,} 行をコピーしました（Excel に貼り付けられます）。"
MENU_DELETE = "削除(&D)"
ACTION_HISTORY = "削除履歴(&H)…"

# Export (the dialog's own strings live in dialogs/export_options.py)
EXPORTING = "書き出し中… {done:,} / {total:,} 件"
EXPORT_CANCELLING = "書き出しをキャンセルしています…"
EXPORT_DONE = "{rows:,} 件を書き出しました: {path}"
EXPORT_DONE_INCOMPLETE = (
    "{rows:,} 件を書き出しました（取得が途中で止まった一覧です。{where}）: {path}"
)
EXPORT_INCOMPLETE_XLSX = "条件シートにそう書きました"
EXPORT_INCOMPLETE_CSV = "CSV にはそれを書く場所がありません。扱いに注意してください"
EXPORT_CANCELLED = "書き出しをキャンセルしました（ファイルは作成していません）。"
FILTER_NONE = "なし"
FILTER_TEXT = "文字「{text}」を含む"
FILTER_LIST = "リスト: {label}"
FILTER_CATEGORY = "分類: {label}"
FILTER_DOMAIN = "ドメイン: {label}"
FILTER_MARK = "{label}"
FILTER_JOIN = "、"

# AI refinement (status bar, right side)
LLM_REFINING = "AI で説明を改善中… {done}/{total}"
LLM_DONE = "AI への問い合わせ: {requests} 回、キャッシュ利用: {cached} 件"
LLM_FAILED = "AI による説明の補足はできませんでした（ルールの説明を表示しています）。"
LLM_FAILED_SUMMARY = (
    "AI の回答を使えませんでした（ルールの説明を表示しています）。問い合わせ: {requests} 回"
)
LLM_CANCELLED = "AI による説明の補足を中止しました（ルールの説明を表示しています）。"
# AI switched on but unusable, or the endpoint did not answer: said once per fetch, short in
# the status bar (a permanent widget there widens the window with its text), the reason and
# what to do in its tooltip.
LLM_NOT_SET_UP = "AI はオンですが使えていません: 設定が不完全です（ルールの説明を表示中）"
LLM_NOT_SET_UP_TIP = "{problems}ツール → 設定で直してください。"
LLM_NO_KEY = "AI の API キーが保存されていません。"
LLM_SETTINGS_UNUSABLE = "AI の接続先 URL かモデル名が正しくありません。"
LLM_UNANSWERED = (
    "AI はオンですが回答を得られませんでした（問い合わせ {requests} 回・ルールの説明を表示中）"
)
LLM_UNANSWERED_TIP = (
    "AI の接続先に接続できないか、エラーや読めない応答が返りました。"
    "ツール → 設定で接続先 URL・モデル名・API キーを確認してください。理由はログにあります。"
)
LLM_PARTLY_UNANSWERED = "（一部は AI の回答なし）"
LLM_CANCEL_TIP = "AI による説明の補足を中止します"

# Tabs
TAB_LIST = "一覧"
TAB_DELIVERY = "配信状況"
TAB_DELIVERY_ALERT = "配信状況 ⚠"

# Deletion (the dialogs' own strings live in dialogs/deletion_texts.py)
CHECK_SHOWN = "表示中をすべてチェック"
CHECK_SHOWN_TIP = "絞り込みで表示されている行にすべてチェックを付けます"
UNCHECK_ALL = "チェックをすべて外す"
UNCHECK_ALL_TIP = "すべての行のチェックを外します"
DELETE_CHECKED = "チェックした項目を削除"
DELETE_CHECKED_COUNT = "チェックした {checked:,} 件を削除…"
DELETE_NEEDS_CHECK = "削除する行の左端にチェックを付けてください。"
DELETE_BUSY = "取得または削除の実行中は削除できません。"
DELETE_NO_JOURNAL = "削除履歴を開けないため、削除は使えません。"
HISTORY_BUTTON = "削除履歴…"
DELETING = "削除中… {done:,} / {total:,} 件（{label}）"
DELETE_STARTING = "削除しています… 0 / {total:,} 件"
RETRYING = "記録 #{operation_id} の失敗した項目を再試行しています…"
DELETE_CANCELLING = "削除をキャンセルしています…（送信中の要求は完了を待ちます）"
DELETE_DONE = "{ok:,} 件を削除しました。"
DELETE_DONE_PARTIAL = (
    "{ok:,} 件を削除し、{failed:,} 件は削除できませんでした（一覧に残しています）。"
)
DELETE_DONE_CANCELLED = "削除をキャンセルしました（{ok:,} 件は削除済み、{failed:,} 件は未実行）。"
RECONCILING = "前回の削除の結果を確認しています…"
RECONCILE_NEXT_STEP = "「削除履歴…」で各アドレスの結果を確認し、残っている項目を再試行できます。"
ACCOUNT_PRACTICE = "練習モード"
ACCOUNT_LIVE = "本番 {masked}"

# Delivery overview
DELIVERY_ALERT = (
    "⚠ 配信率がしきい値（{threshold}）を下回った日があります（{count} 日）"
    " — 配信状況タブを確認してください"
)
DELIVERY_ALERT_SHOW = "配信状況を見る"
STATS_LOADING = "配信統計を読み込んでいます…"
STATS_FAILED = "配信統計を取得できませんでした: {message}"
STATS_FAILED_NEXT = "一覧の取得結果には影響ありません。{next_step}"

# Status panel / error dialog
ERROR_CAUSE = "原因"
ERROR_NEXT_STEP = "次にすること"
OPEN_SETTINGS = "設定を開く…"
# Next steps containing these send the operator to the settings: the panel offers 設定を開く,
# and the settings dialog itself says この画面 instead.
SETTINGS_MARKERS = ("設定画面", "設定で")
DETAILS_SHOW = "詳細 ▸"
DETAILS_HIDE = "詳細 ▾"
DISMISS_TOOLTIP = "閉じる"
ERROR_DIALOG_TITLE = "Todoku — エラー"
ERROR_DIALOG_COPY = "詳細をコピー"
ERROR_DIALOG_CLOSE = "閉じる"
ERROR_DIALOG_LOG = "ログの保存場所: {path}"
CRASH_MESSAGE = "予期しないエラーが発生しました。作業中のデータは保存されていない可能性があります。"
CRASH_NEXT_STEP = "詳細をコピーして担当者に連絡してください。アプリはそのまま使い続けられます。"

# Settings dialog
SETTINGS_TITLE = "設定"
SETTINGS_SENDGRID = "SendGrid"
SETTINGS_API_KEY = "API キー"
SETTINGS_API_KEY_PLACEHOLDER = "SG. で始まるキーを貼り付けてください"
SETTINGS_KEY_SAVED = "保存済み: {masked}（変更する場合のみ入力してください）"
SETTINGS_KEY_NONE = "未設定"
SETTINGS_KEY_LOADING = "保存済みのキーを確認しています…"
SETTINGS_SAVING_KEYS = "キーを OS の資格情報ストアに保存しています…"
SETTINGS_KEY_UNREADABLE = (
    "保存済みのキーを読み取れませんでした（OS の資格情報ストアがロックされているか、"
    "使えない状態です。ロックを解除してから開き直してください）"
)
SETTINGS_SHOW = "表示"
SETTINGS_CLEAR_KEY = "キーを削除"
SETTINGS_REGION = "リージョン"
SETTINGS_REGION_GLOBAL = "グローバル（api.sendgrid.com）"
SETTINGS_REGION_EU = "EU（api.eu.sendgrid.com）"
SETTINGS_SUBUSER = "サブユーザー（任意）"
SETTINGS_ADVANCED = "詳細設定"
SETTINGS_BASE_URL = "接続先 URL（任意）"
SETTINGS_BASE_URL_PLACEHOLDER = "空欄: リージョンの標準（api.sendgrid.com など）"
# Sentences that fit a line at 1024 px (the note breaks only between them).
SETTINGS_BASE_URL_NOTE = (
    "SendGrid と同じ API を持つ別の接続先を使う場合だけ入力します。"
    "社内の API ゲートウェイやプロキシ、手動で起動した練習用サーバーなどです。"
    "取得・削除・接続テストのすべてに使います。"
)
SETTINGS_TEST = "接続テスト"
SETTINGS_TESTING = "確認しています…"
SETTINGS_TEST_NEEDS_KEY = "API キーを入力してから接続テストを押してください。"
SETTINGS_TEST_OK = "接続できました。"
SETTINGS_TEST_LIST = "{label}: 読み取り{read}・削除{delete}"
SETTINGS_YES = "○"
SETTINGS_NO = "×"
SETTINGS_KEY_STORE = "キーの保存先: {where}"
SETTINGS_KEY_STORE_WARNING = (
    "この PC では OS の資格情報ストアが使えません。キーはアプリを閉じるまでメモリ内にだけ保持され、"
    "ファイルには保存されません。"
)
SETTINGS_LLM = "AI による説明の補足（任意）"
SETTINGS_LLM_ENABLED = "AI で説明を補足する（メールアドレスは伏せて送信します）"
SETTINGS_LLM_BASE_URL = "接続先 URL"
SETTINGS_LLM_MODEL = "モデル名"
SETTINGS_LLM_KEY = "API キー"
SETTINGS_LLM_PRACTICE_NOTE = (
    "練習モードでは、上の設定に関係なくアプリ内の模擬 AI サーバーを使います"
    "（外部には送信しません）。"
    "本番では取得のあとに、伏せたアドレスの理由文だけを指定の接続先に送ります。"
)


def format_jst(moment: datetime) -> str:
    """``yyyy/MM/dd HH:mm`` in Japan time."""
    return moment.astimezone(JST).strftime("%Y/%m/%d %H:%M")


# A shared-store message names where the connection is set for the window and for todoku-cli
# (「…、todoku-cli は --database」); the window's own operator never uses the CLI option.
SHARED_SETTINGS_IN_WINDOW = "接続先の設定（「ツール → 共有データベース…」）"


def in_the_window(text: str) -> str:
    """A next step as the window shows it: the menu path only, without the CLI's option."""
    from app.core.storage.journal_records import SHARED_SETTINGS_WHERE

    return text.replace(SHARED_SETTINGS_WHERE, SHARED_SETTINGS_IN_WINDOW)
