"""Japanese texts of the DMARC tab (kept here, not in the shared texts.py, so several engineers
can edit the UI without touching the same file)."""

from __future__ import annotations

TAB_TITLE = "DMARC"
OPEN_FILES = "ファイルを開く…"
OPEN_FOLDER = "フォルダを開く…"
OPEN_IMAP = "メールボックス（IMAP）から読み込む…"
LOAD_PRACTICE = "練習用のレポートを読み込む"
EXPORT = "Excel に書き出す…"
CANCEL = "キャンセル"
CHECK_DNS = "DNS で公開レコードを確認"
SELECTORS_LABEL = "DKIM セレクタ"
SELECTORS_PLACEHOLDER = "例: s1, google（カンマ区切り、空でも可）"

FILE_FILTER = "DMARC レポート (*.xml *.gz *.zip);;すべてのファイル (*)"
XLSX_FILTER = "Excel ブック (*.xlsx)"
DEFAULT_XLSX_NAME = "dmarc-report.xlsx"

EMPTY_HINT = (
    "DMARC 集計レポート（.xml / .xml.gz / .gz / .zip）のファイルやフォルダをここにドロップするか、"
    "上のボタンで開いてください。レポートはこのパソコンの中だけで読み込み、外部には送りません。"
)
PRACTICE_HINT = (
    "練習モードです。「練習用のレポートを読み込む」で、架空のドメインのレポートを試せます"
    "（読み込めないファイルの表示も確かめられるよう、わざと壊したファイルを 1 件含みます）。"
)

IMPORTING = "レポートを読み込んでいます…"
IMPORTING_PROGRESS = "レポートを読み込んでいます… {done:,} / {total:,} 件目"
IMPORTING_PROGRESS_OPEN = "レポートを読み込んでいます… {done:,} 件目"
# A large report (a few MB and more) while it is read: the file reached and how far into it.
IMPORTING_INSIDE = "レポートを読み込んでいます… {current:,} / {total:,} 件目の {percent}% まで"
IMPORTING_INSIDE_OPEN = "レポートを読み込んでいます… {current:,} 件目の {percent}% まで"
RESOLVING = "送信元の逆引き名を確認しています…"
FAILED_LINE = "エラーのため中断しました（内容はウィンドウ上部に表示しています）。"
CANCELLING = "キャンセルしています…"
IMPORT_CANCELLED = "読み込みをキャンセルしました（表示中の結果は変わっていません）"
SUMMARY = (
    "レポート {reports:,} 件を読み込みました（重複のためスキップ {duplicates:,} 件、"
    "読み込めなかったファイル {problems:,} 件）。"
    "送信元 {sources:,} 件、メッセージ {messages:,} 通、うち DMARC 失敗 {failed:,} 通。"
)
NOTHING_READ = "読み込めるレポートがありませんでした（読み込めなかったファイル {problems:,} 件）。"
PROBLEMS_TITLE = "読み込めなかったファイル（{count:,} 件）— ほかのファイルは読み込みました"

CHECKING_DNS = "DNS で公開レコードを確認しています…"
CHECK_CANCELLED = "公開レコードの確認をキャンセルしました"
DNS_DONE = "公開レコードを確認しました。"
DNS_OFFLINE = "オフラインのため、公開レコードは確認できませんでした。"
DNS_NOT_YET = (
    "レポートを読み込んだあと「DNS で公開レコードを確認」を押すと、ドメインの DMARC・SPF・DKIM "
    "レコードを確認し、ポリシーを p=none → quarantine → reject と進める手順を表示します。"
)

EXPORTING = "Excel に書き出しています…"
EXPORT_DONE = "書き出しました: {path}"
EXPORT_CANCELLED = "書き出しをキャンセルしました"

SECTION_SOURCES = "送信元"
SECTION_CHARTS = "報告元・日別"
SECTION_DOMAIN = "ドメインの設定"
DETAILS_EMPTY = "送信元を選ぶと、判定の理由と対応がここに表示されます。"

OFFLINE_SHORT = "オフラインのため未確認"

# Column titles of the per-source table.
COLUMN_TITLES = (
    "判定",
    "送信元 IP",
    "逆引き名・組織",
    "From ドメイン",
    "メッセージ数",
    "SPF（整合）",
    "DKIM（整合）",
    "受信側の処理",
)

# IMAP dialog
IMAP_TITLE = "メールボックスから DMARC レポートを読み込む"
IMAP_HOST = "サーバー"
IMAP_PORT = "ポート"
IMAP_USER = "ユーザー名"
IMAP_FOLDER = "フォルダ"
IMAP_PASSWORD = "パスワード"
IMAP_PASSWORD_KEPT = "（保存済み。変更するときだけ入力）"
IMAP_PASSWORD_CHECKING = "（保存済みのパスワードを確認しています…）"
IMAP_PASSWORD_UNSAVED = (
    "レポートは読み込みましたが、IMAP のパスワードを OS の資格情報ストア（キーリング）に"
    "保存できませんでした。ロックされているか、応答がありません。"
)
IMAP_PASSWORD_UNSAVED_NEXT = (
    "キーリングのロックを解除してから、次に読み込むときにもう一度パスワードを入力してください。"
)
IMAP_TLS = "TLS で接続（常に有効。暗号化しない接続はしません）"
IMAP_CAFILE = "CA 証明書"
IMAP_CAFILE_PLACEHOLDER = "社内の認証局を使うときだけ: PEM ファイルのパス（任意）"
IMAP_READ_ONLY = (
    "メールは読み取るだけで、既読にも削除にもしません。パスワードは OS の資格情報ストア"
    "（キーリング）に保存します。"
)
IMAP_READ = "読み込む"
IMAP_CLOSE = "閉じる"
IMAP_MISSING = "サーバー・ユーザー名・フォルダ・パスワードを入力してください。"

# A pane's text is cut to this many characters: a report from a stranger may hold a megabyte in
# one field, and Qt wraps one unbroken line glyph by glyph (seconds to minutes).
PANE_CHARS = 20_000
PANE_CUT = "…\n（長すぎるため、全 {total:,} 文字のうち先頭 {shown:,} 文字だけを表示しています）"
