"""Japanese texts of the 連絡文 (letters) and Zendesk feature."""

from __future__ import annotations

# Menu and grid actions
MENU_CONTACT = "連絡(&C)"
ACTION_LETTERS = "連絡文を作成…"
ACTION_LETTERS_TIP = "選んだ行（なければチェックした行）の宛先の相手に送る連絡文を作ります。"
ACTION_ZENDESK = "Zendesk チケットを作成…"
ACTION_ZENDESK_TIP = (
    "選んだ行（なければチェックした行）を Zendesk のチケットとしてサポート担当へ渡します。"
)
ACTION_CONTACT_SETTINGS = "送信元の情報と Zendesk の設定…"
NOTHING_SELECTED = "一覧で行を選ぶか、チェックを付けてから実行してください。"
NOT_CLASSIFIED_SKIPPED = "分類が終わっていない {count} 件は除きました。"

# Letter dialog
LETTERS_TITLE = "連絡文"
KIND_LABEL = "連絡文の種類"
KIND_AUTO = "原因から自動で選ぶ（おすすめ）"
LETTER_LABEL = "連絡文"
LETTER_ITEM = "{title} — {side}"
NO_LETTER = "選んだ宛先には、この種類の連絡文はありません。\n\n{reasons}"
LEFT_OUT_HEAD = "連絡文の対象外: {count} 件"
LEFT_OUT_LINE = "・{email}: {why}"
OVERRIDE_WARNING = (
    "注意: 原因の判定と異なる種類を選んでいます。"
    "内容が事実と合っているか、送る前に必ず確認してください。"
)
MISSING_HEAD = "未記入の項目があります（本文の【…を記入】の部分）: {items}"
# A stored value whose format is wrong is not put into the letter (the mark stays instead).
SENDER_LEFT_OUT = "形式が正しくないため連絡文に入れていません: {why}"
MISSING_NONE = "送信元の情報はすべて入っています。送る前に本文を読み、内容を確認してください。"
FILL_IN = "送信元の情報を入力…"
COPY = "コピー"
SAVE = "テキストファイルに保存…"
POLISH = "AI で文面を整える"
POLISH_TIP = "言い回しだけを整えます。日時・アドレス・数値などが変わった場合は使いません。"
# In the words of the 設定 dialog's tick box (「説明の改善」 named a setting no screen shows).
POLISH_OFF_TIP = (
    "「AI で説明を補足する」がオフか、本番で接続先 URL・モデル名が空のため使えません"
    "（ツール → 設定）。"
)
POLISHING = "AI で文面を整えています…"
POLISH_APPLIED = "AI で整えた文面にしました。送る前に読み直してください。"
POLISH_REFUSED = "AI の提案は使いませんでした（元の文面のままです）。理由: {problems}"
POLISH_SANDBOX_FAILED = "練習用の AI サーバーを起動できませんでした"
CLOSE = "閉じる"
COPIED = "連絡文をクリップボードにコピーしました。"
SAVED = "{path} に保存しました。"
SAVE_FAILED = "{message}{next_step}"  # from export_error_from: Japanese, not strerror
SAVE_CAPTION = "連絡文を保存"
SAVE_FILTER = "テキストファイル (*.txt)"
TEMPLATE_WARNINGS = "テンプレートの注意: {warnings}"

# Settings dialog (送信元の情報 and Zendesk)
CONTACT_SETTINGS_TITLE = "送信元の情報と Zendesk の設定"
PAGE_SENDER = "送信元の情報"
PAGE_ZENDESK = "Zendesk"
SENDER_NOTE = (
    "連絡文に差し込む自社の情報です。空欄の項目は連絡文に【…を記入】と表示されます"
    "（推測で埋めることはありません）。"
)
SENDER_ORG = "組織名"
SENDER_ORG_HINT = "例: 株式会社サンプル"
SENDER_DOMAIN = "送信元ドメイン"
SENDER_DOMAIN_HINT = "例: mail.example.co.jp"
SENDER_IPS = "送信元 IP アドレス"
SENDER_IPS_HINT = "例: 192.0.2.10, 198.51.100.0/28（カンマまたは空白で区切る）"
SENDER_CONTACT = "担当者名・連絡先"
SENDER_CONTACT_HINT = "例: 情報システム部 山田（03-0000-0000 / mail-admin@example.co.jp）"
SENDER_AUTH = "SPF / DKIM / DMARC の状況"
SENDER_AUTH_HINT = "例: SPF pass / DKIM pass / DMARC pass（p=none）"
ZENDESK_NOTE = (
    "チケットは社内メモ（お客様には送信されません）として作られます。"
    "API トークンは OS の資格情報ストアにだけ保存します。"
)
ZENDESK_SUBDOMAIN = "サブドメイン"
ZENDESK_SUBDOMAIN_HINT = "https://○○.zendesk.com の ○○ の部分"
ZENDESK_EMAIL = "エージェントのメールアドレス"
ZENDESK_TOKEN = "API トークン"
ZENDESK_TOKEN_SAVED = "保存済み（{masked}）。変更するときだけ入力してください。"
ZENDESK_TOKEN_NONE = "未保存"
ZENDESK_TOKEN_LOADING = "保存済みのトークンを確認しています…"
ZENDESK_TOKEN_UNREADABLE = (
    "保存済みのトークンを読み取れません"
    "（OS の資格情報ストアがロックされているか、使えない状態です）"
)
ZENDESK_CLEAR_TOKEN = "保存したトークンを削除"
ZENDESK_REQUESTER = "宛先のアドレスをチケットの依頼者にする"
ZENDESK_REQUESTER_TIP = (
    "オンにすると、Zendesk はそのアドレスのエンドユーザーを作成します。"
    "社内メモなのでお客様にはメールは送られません。"
)
ZENDESK_STORE = "トークンの保存先: {where}"
ZENDESK_TEST = "接続テスト"
ZENDESK_TESTING = "接続しています…"
ZENDESK_TEST_OK = "接続できました: {name}（{email}）"
ZENDESK_TEST_PRACTICE = "練習モードでは、このパソコンの中の Zendesk の模擬サーバーに接続します。"
SAVE_BUTTON = "保存"
SAVING_TOKEN = "トークンを OS の資格情報ストアに保存しています…"
CANCEL_BUTTON = "キャンセル"

# Zendesk tickets
TICKETS_ASK_TITLE = "Zendesk チケットの作成"
TICKETS_ASK = (
    "{count} 件の宛先について Zendesk にチケットを作成します。\n"
    "同じ宛先の未解決のチケットがあれば、新しく作らずにそのチケットへ追記します。"
)
TICKETS_PER_RECIPIENT = "宛先ごとに 1 件のチケット（{count} 件）"
TICKETS_BATCH = "まとめて 1 件のチケット"
TICKETS_PRACTICE = "練習モード: このパソコンの中の Zendesk の模擬サーバーにチケットを作成します。"
TICKETS_START = "作成する"
TICKETS_STARTING = "Zendesk に接続しています…"
TICKETS_PROGRESS = "Zendesk チケット {done} / {total} 件目を処理中…"
TICKETS_WAITING = (
    "Zendesk の利用回数の上限に達したため {seconds:.0f} 秒待っています…（{done} / {total}）"
)
TICKETS_DONE = "Zendesk: 新規 {created} 件、既存チケットへ追記 {appended} 件。"
TICKETS_CANCELLED = "Zendesk チケットの作成をキャンセルしました（{done} 件は処理済み）。"
TICKETS_CANCELLING = "Zendesk チケットの作成をキャンセルしています…"
RESULT_TITLE = "Zendesk チケット"
RESULT_HEAD = "新規作成 {created} 件、既存チケットへ追記 {appended} 件。"
RESULT_CANCELLED = "途中でキャンセルしました。処理済みの分だけを表示しています。"
RESULT_COLUMNS = ("処理", "宛先", "チケット")
RESULT_RECIPIENTS_ALL = "（全 {count:,} 件）"
RESULT_COPY = "リンクをコピー"
RESULT_NOTE = (
    "リンクは宛先ごとに記録し、一覧の詳細欄にも表示します。チケットを開くにはリンクをコピーして"
    "ブラウザーに貼り付けてください。"
)
DETAILS_TICKET = "\n■ Zendesk チケット（{when}・{action}）\n{url}\n"
# The practice imitation's tickets: the note above (paste the link into a browser) would lead
# to an error page; they exist only on this PC.
RESULT_NOTE_PRACTICE = (
    "練習モードのチケットは、このパソコンの中の Zendesk の模擬サーバーに作られました"
    "（実際の Zendesk には作られていません）。リンクはブラウザーでは開けません。"
)
DETAILS_TICKET_PRACTICE = (
    "\n■ Zendesk チケット（{when}・{action}・練習モード）\n{url}\n"
    "練習用の模擬サーバーのチケットです（ブラウザーでは開けません）。\n"
)
ACTION_CREATED = "新規作成"
ACTION_APPENDED = "追記"
