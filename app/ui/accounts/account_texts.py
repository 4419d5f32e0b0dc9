"""Japanese texts of the accounts feature (kept here so the shared texts.py stays untouched)."""

from __future__ import annotations

from app.core.accounts import before_particle_ja, between_words_ja
from app.core.glossary import term

# Any provider's account: the title names no service (the default account's says SendGrid).
APP_TITLE = f"Todoku — {term('lists')}"
ACCOUNT_LABEL = "アカウント:"
MANAGE = "管理…"
MANAGE_ACTION = "アカウントの管理(&M)…"  # a menu item: (&M) is its access key
MANAGE_TITLE = "アカウントの管理"
MANAGE_INTRO = (
    "配信サービスのアカウントを登録します。API キーなどの認証情報は OS の資格情報ストア"
    "（キーリング）だけに保存され、設定ファイルやログには書かれません。"
)
# No keyring on this PC (the 設定 dialog says the same of the SendGrid key): the intro above
# promised a store the credentials never reach, and they were gone after a restart.
# Short sentences, each fitting a line of the dialog at 1024 px: the label (a SentenceLabel)
# breaks only between them, where one long sentence wrapped at 「直し／てください」.
MANAGE_INTRO_MEMORY = (
    "配信サービスのアカウントを登録します。"
    "この PC では OS の資格情報ストア（キーリング）が使えません。"
    "API キーなどの認証情報は、アプリを閉じるまでメモリ内にだけ保持されます。"
    "次に起動したときは入力し直してください。設定ファイルやログには書かれません。"
)
ADD = "追加…"
EDIT = "編集…"
REMOVE = "削除"
USE = "このアカウントを使う"
TEST = "接続テスト"
TESTING = "接続を確認しています…"
TEST_NEEDS_TYPED = "API キーなどの認証情報を入力してから、接続テストを押してください。"
TEST_NEEDS_CREDENTIALS = (
    "「{label}」の認証情報（API キーなど）はまだ保存されていません。"
    "「編集…」で入力して保存してから、接続テストを押してください。"
)
CLOSE = "閉じる"
SAVE = "保存"
CANCEL = "キャンセル"
CURRENT_MARK = "（使用中）"
SAVED_MARK = "認証情報: 保存済み"
UNSAVED_MARK = "認証情報: 未保存"
CHAIN_MARK = "認証情報: AWS 標準の認証チェーン"
REMOVE_CONFIRM = "アカウント「{name}」を削除しますか？ キーリングに保存した認証情報も削除されます。"
REMOVE_DEFAULT = "既定の SendGrid アカウントは削除できません（API キーは設定画面で削除できます）。"
BUSY = "取得・削除・書き出しの実行中はアカウントを切り替えられません。"
READING_CREDENTIALS = "保存済みの認証情報を読み込んでいます…"
SAVING_CREDENTIALS = "認証情報を OS の資格情報ストアに保存しています…"
REMOVING_CREDENTIALS = "認証情報を OS の資格情報ストアから削除しています…"
REMOVED = "アカウント「{name}」を削除しました。"
# The keyring refused: nothing of the account changed (its settings wait for its secrets).
SAVE_REFUSED = (
    "OS の資格情報ストア（キーリング）にアカウント「{name}」の認証情報を保存できませんでした。"
    "ロックされているか、応答がありません。アカウントの設定もまだ保存していません。"
    "入力した内容は画面に残っています。"
)
REMOVE_REFUSED = (
    "OS の資格情報ストア（キーリング）からアカウント「{name}」の認証情報を削除できませんでした。"
    "ロックされているか、応答がありません。アカウントは削除せずに残しています。"
)
REMOVE_REFUSED_NEXT = (
    "キーリングのロックを解除するか、OS のパスワード管理（Windows の資格情報マネージャー、"
    "macOS のキーチェーン、Linux のパスワードと鍵など）の状態を確認してから、"
    "もう一度「削除」を押してください。"
)

EDIT_TITLE_NEW = "アカウントの追加"
EDIT_TITLE = "アカウントの編集: {name}"
PROVIDER = "配信サービス:"
NAME = "アカウント名:"
NAME_PLACEHOLDER = "例: 本番、キャンペーン用"
NAME_FIXED = (
    "アカウント名と配信サービスは登録後に変更できません（認証情報の保存先が名前で決まるため）。"
)
NAME_EMPTY = "アカウント名を入力してください。"
NAME_TAKEN = "「{name}」はすでに使われています。別の名前にしてください。"
SECRET_SAVED = "保存済み（{masked}）— 変更するときだけ入力"
SECRET_NONE = "未保存"
SHOW = "表示"
REQUIRED = "{field}を入力してください。"

SENDGRID_KEY = "API キー:"
SENDGRID_REGION = "リージョン:"
SENDGRID_SUBUSER = "サブユーザー（任意）:"
CMC_USER = "API ユーザー（api_user）:"
CMC_KEY = "API キー（api_key）:"
CMC_SERVER = "サーバー構成（server_composition）:"
# 「配信停止」 is the CMC console's own tab name for what the grid shows as ブロック.
CMC_CANCEL_API = "ブロック（管理画面の「配信停止」）の解除を API で行う（未確認の API・通常はオフ）"
CMC_CANCEL_NOTE = (
    "カスタマーズメールクラウドのブロック解除 API は公開資料で確認できていません。"
    "オフのままなら、削除の代わりに管理画面での解除手順を表示し、何も送信しません。"
)
INFOBIP_URL = "ベース URL:"
INFOBIP_URL_PLACEHOLDER = "例: https://xxxxx.api.infobip.com（Infobip の管理画面に表示）"
INFOBIP_KEY = "API キー:"
INFOBIP_DOMAINS = "送信ドメイン（任意、カンマ区切り）:"
INFOBIP_DOMAINS_PLACEHOLDER = "空欄: 権限のあるすべてのドメイン"
SES_REGION = "リージョン:"
SES_SOURCE = "認証情報:"
SES_CHAIN = "AWS 標準の認証チェーン（環境変数・~/.aws・SSO など）"
SES_KEYS = "アクセスキーを保存する"
SES_PROFILE = "プロファイル（任意）:"
SES_KEY_ID = "アクセスキー ID:"
SES_SECRET = "シークレットアクセスキー:"

LIVE_NEEDS_CREDENTIALS = (
    "本番のアカウントを使うには、アカウントの管理で「{label}」の認証情報を保存してください。"
)
SWITCHED_TO_PRACTICE = "「{label}」の認証情報が保存されていないため、練習モードに切り替えました。"
SWITCHED = "アカウントを「{label}」に切り替えました。"
PRACTICE_TEXT = (
    "練習用のデータです（{provider}の模擬サーバー）。削除しても実際の{provider_between}には"
    "影響しません。"
)


def practice_text(provider: str) -> str:
    """The practice banner of another provider's account: 「実際のカスタマーズメールクラウドには」
    without the spaces a Latin name (「実際の Amazon SES には」) needs."""
    return PRACTICE_TEXT.format(
        provider=before_particle_ja(provider), provider_between=between_words_ja(provider)
    )


# Journal and export: what the account was (provider and account name travel together).
JOURNAL_PRACTICE = "練習モード {provider}:{name}"
JOURNAL_LIVE = "本番 {provider}:{name}"

GUIDANCE_TITLE = "削除の代わりに: 手作業での解除手順"
GUIDANCE_NOTHING_SENT = "この画面からは何も送信されません。アドレスは一覧に残ります。"
GUIDANCE_COPY = "手順とアドレスをコピー"
GUIDANCE_SAVE = "テキストファイルに保存…"
GUIDANCE_COPIED = "クリップボードにコピーしました。"
GUIDANCE_SAVED = "保存しました: {path}"
GUIDANCE_SAVE_FAILED = "{message}{next_step}"  # export_error_from: Japanese, not strerror
GUIDANCE_FILE_NAME = "解除手順.txt"
GUIDANCE_FILE_FILTER = "テキストファイル (*.txt)"
NONE_TITLE = "削除できないリスト"
NONE_TEXT = (
    "{provider} の「{label}」（{count} 件）は配信の履歴（記録）で、API でも管理画面でも"
    "削除するものではありません。送信を止める必要がある場合は、ブロック（管理画面では"
    "「配信停止」）など送信側のリストで管理してください。"
)
API_CONTINUES = "API で削除できる {count} 件は、このあと通常の確認画面で削除できます。"
