"""Japanese texts of the history feature (取得履歴, 再発, 推移, 月次レポート)."""

from __future__ import annotations

from app.core.glossary import term
from app.ui.history.session import PRACTICE_ACCOUNT

HOW_INCREMENTAL = "差分取得"
HOW_FULL = "全件取得"
FETCH_DONE = "{entries:,} 件を表示しています（{how}）。"
FETCH_NEW = "新着 {new:,} 件。"
FETCH_RECURRING = "再発 {count:,} 件。"
FETCH_GONE = "他所で削除 {count:,} 件を検出。"

# 他所で削除
GONE_TITLE = "他所で削除（全件再取得で、Todoku 以外による削除を検出）: {count:,} 件"
GONE_HEADERS = ("種別", "メールアドレス", "状態", "気づいた日")
GONE_MORE = "ほか {count:,} 件"
GONE_ROWS_SHOW = "一覧 ▸"  # the panel's addresses, on a short window
GONE_ROWS_HIDE = "一覧 ▾"

# Menu
MENU_HISTORY = "履歴(&R)"
ACTION_FULL_FETCH = "全件再取得"
ACTION_TRENDS = "推移を表示"
ACTION_REPORT = "月次レポート…"
ACTION_HISTORY_SETTINGS = "取得履歴の設定…"
NO_HISTORY = "取得履歴が使えないため、この操作はできません。"

# 推移 tab
TAB_TRENDS = "推移"
TRENDS_MONTH = "月ごと"
TRENDS_WEEK = "週ごと"
TRENDS_BY_CATEGORY = "分類別"
TRENDS_BY_GROUP = "ドメイン群別"
TRENDS_RECURRENCE = "再発"
TRENDS_SPAN = "期間"
TRENDS_SPANS = ((6, "直近 6 か月"), (12, "直近 12 か月"), (24, "直近 24 か月"))
TRENDS_REFRESH = "更新"
TRENDS_LOADING = "取得履歴を集計しています…"
TRENDS_CANCELLED = "推移の集計を中止しました。「更新」を押すと集計し直します。"
TRENDS_EMPTY = "取得履歴がまだありません。一覧タブで取得すると、ここに推移が表示されます。"
TRENDS_GROWING = "今月に増えたドメイン（前月比）"
TRENDS_GROWING_NONE = "前月より増えたドメインはありません。"
TRENDS_GROWING_NO_PREVIOUS = (
    "前月は取得の記録がないため、比べられません（前月の期間を取得すると表示されます）。"
)
TRENDS_GROWING_LINE = "{domain}: {previous:,} → {current:,} 件（+{change:,}）"
TRENDS_RECURRENCE_TOTAL = "再発（削除後に再登録）: 期間合計 {count:,} 件"
TRENDS_ACCOUNT = "アカウント: {account}"
# The history names practice rows PRACTICE_ACCOUNT, 「練習」 (the CLI's --account value); the
# window says 練習モード everywhere else, and 「アカウント: 練習」 read as an account named 練習.
PRACTICE_ACCOUNT_SHOWN = "練習モード"
PRACTICE_NAMED_ACCOUNT_SHOWN = "{name}（練習モード）"


def account_shown(account: str, practice: bool) -> str:
    """A history account as the window names it: practice rows say 練習モード. The name is
    written on one bounded line with hidden characters shown: in a shared history another PC
    (or a script) may have named the account anything."""
    from app.ui.safe_text import single_line

    if not practice:
        return single_line(account, ACCOUNT_CHARS)
    if account in ("", PRACTICE_ACCOUNT):
        return PRACTICE_ACCOUNT_SHOWN
    return PRACTICE_NAMED_ACCOUNT_SHOWN.format(name=single_line(account, ACCOUNT_CHARS))


ACCOUNT_CHARS = 80


CHART_EMPTY = "この期間の記録はありません"

# 月次レポート
REPORT_TITLE = "月次レポート"
REPORT_MONTH = "対象月"
REPORT_PREVIEW = "集計"
REPORT_BUILDING = "{month} を集計しています…"
REPORT_XLSX = "Excel（.xlsx）"
REPORT_PDF = "PDF（A4 横）"
REPORT_FOLDER = "保存先フォルダ"
REPORT_CHOOSE = "選ぶ…"
REPORT_SAVE = "保存"
REPORT_SAVING = "保存しています… {step}"
REPORT_SAVED = "保存しました: {files}"
REPORT_OPEN_FOLDER = "フォルダを開く"
REPORT_CLOSE = "閉じる"
REPORT_CANCEL = "キャンセル"
REPORT_CANCELLED = "保存を取り消しました。"
REPORT_NOTHING = "保存する形式を選んでください。"
REPORT_FILE = "届く_月次レポート_{month}"
REPORT_FIGURES = (
    "{month}（{account}）\n"
    "件数: {total:,} 件（{change}）\n"
    "内訳: {lists}\n"
    "主な原因: {causes}\n"
    "増えたドメイン: {growing}\n"
    "削除操作: {deletions} 回（{deleted:,} 件）\n"
    "再発: {returns:,} 件\n"
    "配信率: {rate}"
)
REPORT_RATE_NONE = "—（統計なし）"
REPORT_NONE = "なし"
# A month with no fetched rows (the default, last month, before the first month is over):
# zeros alone read as "nothing went wrong".
REPORT_EMPTY_MONTH = (
    "この月の取得の記録はありません。「対象月」で別の月を選ぶか、"
    "この月の期間を取得してから開き直してください。"
)
REPORT_MOVED_TO_THIS_MONTH = (
    "先月は取得の記録がないため、今月を表示しています（「対象月」で選び直せます）。"
)

# 取得履歴の設定
SETTINGS_TITLE = "取得履歴の設定"
SETTINGS_RETENTION = "記録を残す日数"
SETTINGS_RETENTION_SUFFIX = " 日"
SETTINGS_RETENTION_HINT = (
    "最後に取得で見てからこの日数を過ぎた記録は、次の取得のあとで消えます（既定 400 日）。"
)
SETTINGS_ERASE_GROUP = "このアドレスの記録を消す"
SETTINGS_ERASE_PLACEHOLDER = "user@example.com"
SETTINGS_ERASE_BUTTON = "記録を消す…"
SETTINGS_ERASE_HINT = (
    "取得履歴（すべてのアカウント）と AI 説明のキャッシュから、このアドレスを消します。"
    "削除履歴は監査の記録として残し、アドレスだけを伏せ字にします。"
)
SETTINGS_SAVE = "保存"
SETTINGS_ERASE_INVALID = "メールアドレスを入力してください。"
ERASE_CONFIRM_TITLE = "記録を消す"
ERASE_CONFIRM = (
    "「{email}」の記録を消します。\n\n"
    "・取得履歴: このアドレスの行、再発の記録、理由の文中のアドレスを消去します"
    "（元に戻せません）。\n"
    "・AI 説明のキャッシュ: このアドレスを含む行を消します。\n"
    "・削除履歴: 監査のため操作の記録（いつ・誰が・何件・結果）は残し、"
    "アドレスを「（消去済み #番号）」に置き換え、理由などを空にします。\n\n"
    f"配信サービスの{term('lists')}からは削除しません。消しますか？"
)
ERASE_RUNNING = "記録を消しています…"
ERASED = (
    "消しました: 取得履歴 {history:,} 行、削除履歴 {journal:,} 行を伏せ字、"
    "キャッシュ {cache:,} 行。"
)
ERASE_BUSY = "取得・削除の実行中は消せません。終わってからもう一度押してください。"
# The report reads the month's delivery stats from the connected SendGrid account; these say
# why a report has no delivery rate when it could not.
REPORT_NO_STATS = (
    "配信率は載せていません。配信率は SendGrid のアカウントの配信状況から読むため、"
    "このレポートのアカウントに接続してから作り直してください。"
)
REPORT_STATS_FAILED = "配信状況を読めなかったため、配信率は載せていません（{message}）"
REPORT_READING_STATS = "この月の配信状況（配信率）を読んでいます…"
