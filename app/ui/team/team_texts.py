"""Japanese texts of the 共有データベース feature (team mode, docs/team-mode.md)."""

from __future__ import annotations

ACTION = "共有データベース(&D)…"  # a menu item: (&D) is its access key
TITLE = "共有データベース"
# Two lines, one a sentence: wrapped at the dialog's width, 「このPC」 was cut in two.
INTRO = (
    "複数の担当者で削除履歴と取得履歴を共有するときに設定します。\n"
    "1 人で使うときは設定不要です（このPCの記録を使います）。"
)
ENABLED = "共有データベースを使う"
HOST = "ホスト名"
PORT = "ポート"
DATABASE = "データベース名"
USER = "ユーザー名"
SSLMODE = "暗号化（TLS）"
PASSWORD = "パスワード"
PASSWORD_STORED = "保存済み（変更するときだけ入力）"
PASSWORD_CHECKING = "保存済みのパスワードを確認しています…"
SAVING_PASSWORD = "パスワードを OS の資格情報ストアに保存しています…"
PASSWORD_NOTE = "パスワードは OS の資格情報ストアにだけ保存され、設定ファイルには書かれません。"
# No keyring on this PC: the note above promised a store the password never reaches.
# Short sentences (the label breaks only between them): one long sentence wrapped at
# 「保持／されます」 at 1024 px.
PASSWORD_NOTE_MEMORY = (
    "この PC では OS の資格情報ストアが使えません。"
    "パスワードはアプリを閉じるまでメモリ内にだけ保持されます。"
    "次に起動したときは入力し直してください。設定ファイルには書かれません。"
)
SSL_LABELS = {
    "require": "require（暗号化する・既定）",
    "verify-ca": "verify-ca（暗号化し、証明書の発行元を確認）",
    "verify-full": "verify-full（暗号化し、証明書とホスト名を確認）",
    "prefer": "prefer（できれば暗号化）",
    "allow": "allow（暗号化しないことがある）",
    "disable": "disable（暗号化しない）",
}
TEST = "接続テスト"
TESTING = "接続を確認しています…"
MOVE = "このPCの記録を共有データベースへ移す"
MOVE_TIP = (
    "このPCの削除履歴と取得履歴を共有データベースへコピーします。"
    "何度実行しても記録が二重になることはありません。このPCのファイルはそのまま残ります。"
)
MOVING = "このPCの記録を移しています…"
MOVE_PROGRESS = "削除履歴を移しています（{done:,} / {total:,} 件）"
MOVE_HISTORY = "取得履歴を移しています…"
MOVE_DONE = (
    "移しました。削除履歴 {moved:,} 件（移動済みだったもの {already:,} 件）、"
    "取得履歴 {entries:,} 件。"
)
MOVE_CANCELLED = "移動を中止しました。もう一度実行すると残りだけを移します。"
NEED_HOST = "ホスト名を入力してください。"
NEED_USER = "ユーザー名を入力してください。"
BUSY = "ほかの処理（取得・削除・書き出し）が終わってから実行してください。"

# The window: status bar and why deletion is off.
STATUS_SHARED = "共有DB: {name}（{role}）"  # short: the status bar fits 1280 px
STATUS_NO_DELETE = "・削除不可"
STATUS_CONNECTING = "共有DB: 接続中…"
STATUS_UNREACHABLE = "共有DB: 接続できません（再試行します）"
STATUS_OUTBOX = "未送信の記録 {count:,} 件"
STATUS_OUTBOX_TIP = (
    "共有データベースに書けなかった記録がこのPCに残っています。次の書き込みで自動的に再送します。"
)


def in_this_dialog(next_step: str) -> str:
    """An error's next step as the 共有データベース dialog shows it: the operator is already
    where the connection is set, so 「この画面の」 instead of the menu path and the CLI option."""
    from app.core.storage.journal_records import SHARED_SETTINGS_WHERE

    return next_step.replace(f"{SHARED_SETTINGS_WHERE}の", "この画面の")
