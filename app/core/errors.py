"""The TodokuError tree: a Japanese message and next step for the user, detail for the log."""

from __future__ import annotations

import traceback

# A detail quotes servers (a field of a reply read up to 64 MB, an error body, an IMAP answer)
# and is shown in the details pane, the error dialog and on the terminal. A details pane took
# 86 s to lay out one unbroken line of 1,000,000 characters and 0.9 s for 100,000, so only the
# head is kept: enough for any real status line, traceback or error body excerpt.
MAX_DETAIL_CHARS = 20_000


def bounded_detail(detail: str) -> str:
    """``detail``, or its head and a note with its whole length when it is longer."""
    if len(detail) <= MAX_DETAIL_CHARS:
        return detail
    note = f"…（詳細は全体で {len(detail):,} 文字。先頭だけを残しました）"
    return detail[:MAX_DETAIL_CHARS] + note


class TodokuError(Exception):
    """Base of every failure a user can meet.

    Attributes:
        message_ja: what happened, in plain Japanese.
        next_step_ja: what the operator can do about it.
        detail: technical detail (status code, body excerpt, traceback) for the details pane.
            Never contains API keys.
    """

    default_message_ja = "処理中にエラーが発生しました。"
    default_next_step_ja = (
        "時間をおいてもう一度お試しください。続く場合は詳細をコピーして担当者に連絡してください。"
    )

    def __init__(
        self,
        message_ja: str | None = None,
        *,
        next_step_ja: str | None = None,
        detail: str = "",
    ) -> None:
        self.message_ja = message_ja or self.default_message_ja
        self.next_step_ja = next_step_ja or self.default_next_step_ja
        self.detail = detail
        super().__init__(self.message_ja)

    @property
    def detail(self) -> str:
        return self._detail

    @detail.setter
    def detail(self, value: str) -> None:
        self._detail = bounded_detail(value)

    def user_text(self) -> str:
        return f"{self.message_ja}\n{self.next_step_ja}"

    def __str__(self) -> str:
        return self.message_ja if not self.detail else f"{self.message_ja} ({self.detail})"


class InvalidInputError(TodokuError):
    """The operator's input (range, list names, file) cannot be used; nothing was sent."""

    default_message_ja = "入力内容に誤りがあります。"
    default_next_step_ja = "入力内容を確認してください。"


class AuthError(TodokuError):
    default_message_ja = "API キーが正しくないか、無効になっています。"
    default_next_step_ja = (
        "設定画面で SendGrid の API キーを確認し、必要なら新しいキーを発行して保存してください。"
    )


class ScopeError(TodokuError):
    """The key lacks a permission (scope) for this call."""

    default_message_ja = "この API キーには、この操作の権限がありません。"

    def __init__(self, scope: str = "", **kwargs: object) -> None:
        self.scope = scope
        message = (
            f"この API キーには権限「{scope}」がありません。" if scope else self.default_message_ja
        )
        next_step = (
            f"SendGrid の管理画面（Settings → API Keys）でキーに「{scope}」の権限を追加するか、"
            "権限のあるキーを設定してください。"
            if scope
            else "SendGrid の管理画面でキーの権限を確認してください。"
        )
        super().__init__(message, next_step_ja=next_step, detail=str(kwargs.get("detail", "")))


class RateLimitError(TodokuError):
    default_message_ja = "SendGrid の利用回数の上限に達したため、取得を続けられませんでした。"
    default_next_step_ja = (
        "数分待ってからもう一度お試しください。"
        "同じ API キーを使う他のツールが多数の要求を送っていないかも確認してください。"
    )


class ServerError(TodokuError):
    default_message_ja = "SendGrid のサーバーでエラーが発生しました。"
    default_next_step_ja = (
        "しばらく待ってからもう一度お試しください。SendGrid の稼働状況ページも確認してください。"
    )


class NetworkError(TodokuError):
    default_message_ja = "SendGrid に接続できませんでした。"
    default_next_step_ja = "インターネット接続やプロキシの設定を確認し、もう一度お試しください。"


class UnexpectedPayloadError(TodokuError):
    default_message_ja = "SendGrid から想定外の形式の応答が返りました。"
    default_next_step_ja = (
        "もう一度お試しください。続く場合は詳細をコピーして担当者に連絡してください。"
    )


class CancelledError(TodokuError):
    default_message_ja = "キャンセルしました。"
    default_next_step_ja = "必要であれば、もう一度実行してください。"


class UnexpectedError(TodokuError):
    """A bug: any exception that is not a TodokuError, with its traceback kept as detail."""

    default_message_ja = "予期しないエラーが発生しました。"

    @classmethod
    def from_exception(cls, error: BaseException) -> UnexpectedError:
        detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return cls(detail=detail)


class PermissionDeniedError(TodokuError):
    """The credentials work but may not do this (a provider without SendGrid-style scopes)."""

    default_message_ja = "この認証情報には、この操作の権限がありません。"
    default_next_step_ja = "管理画面で API ユーザーやキーの権限を確認してください。"


class ProviderSetupError(TodokuError):
    """An account lacks something the provider needs (a domain, a region, credentials)."""

    default_message_ja = "アカウントの設定が足りません。"
    default_next_step_ja = "設定画面でアカウントの接続情報を確認してください。"


class FolderSetupError(TodokuError):
    """A per-user folder or file the app writes to cannot be made (a file in its way, no right).

    Subclasses say which one; the next step names the path so the operator can look there.
    """

    default_message_ja = "作業用のフォルダを作成できませんでした。"
    next_step_template_ja = "{path} を確認してください。"

    def __init__(self, path: str, error: OSError) -> None:
        super().__init__(
            next_step_ja=self.next_step_template_ja.format(path=path),
            detail=f"{type(error).__name__}: {error}",
        )


class LogFileError(FolderSetupError):
    """The log file cannot be opened: the app runs on, without a log file."""

    default_message_ja = "ログファイルを作成できないため、ログを残さずに起動しました。"
    next_step_template_ja = (
        "操作はいつもどおりできます。ログを残すには、{path} に同じ名前のファイルやフォルダが"
        "ないか、書き込みの権限があるかを確認してから、起動し直してください。"
    )


class LogWriteError(LogFileError):
    """The log file opened but refuses writes (a full disk, a quota): the app runs on."""

    default_message_ja = (
        "ログファイルに書き込めない（ディスクの空き容量が足りないなど）ため、"
        "ログを残さずに動作しています。"
    )
    next_step_template_ja = (
        "操作はいつもどおりできます。ログを残すには、{path} のあるドライブの空き容量と書き込みの"
        "権限を確認してから、起動し直してください。"
    )


class DataFolderError(FolderSetupError):
    """The data folder (settings, journal, history) cannot be made: the app cannot start."""

    default_message_ja = "設定や削除記録を保存するフォルダを作成できないため、起動できません。"
    next_step_template_ja = (
        "{path} またはその途中のフォルダと同じ名前のファイルがないか、書き込みの権限があるかを"
        "確認してください。ファイルがあれば名前を変えるか移動してから、もう一度起動してください。"
    )
