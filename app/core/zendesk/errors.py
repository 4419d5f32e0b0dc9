"""Zendesk failures as TodokuErrors: what happened and what to do, in Japanese."""

from __future__ import annotations

from app.core.errors import TodokuError


class ZendeskError(TodokuError):
    default_message_ja = "Zendesk との連携でエラーが発生しました。"


class ZendeskSettingsError(ZendeskError):
    default_message_ja = "Zendesk の接続設定が足りません。"
    default_next_step_ja = (
        "設定画面で Zendesk のサブドメインとエージェントのメールアドレスを入力し、"
        "API トークンを保存してください。"
    )


class ZendeskAuthError(ZendeskError):
    """401: the token is wrong, revoked, or belongs to another address."""

    default_message_ja = "Zendesk の API トークンが正しくないか、無効になっています。"
    default_next_step_ja = (
        "Zendesk 管理センター（アプリおよびインテグレーション → API）でトークンが有効か確かめ、"
        "必要なら新しいトークンを発行して設定画面で保存してください。"
        "メールアドレスがトークンの発行者のものかも確認してください。"
    )


class ZendeskForbiddenError(ZendeskError):
    """403: the agent's role or the plan does not allow this call."""

    default_message_ja = "この Zendesk アカウントには、この操作の権限がありません。"
    default_next_step_ja = (
        "エージェントのロールにチケットの作成・更新の権限があるか、"
        "Zendesk の管理者に確認してください。"
    )


class ZendeskNotFoundError(ZendeskError):
    """404: usually a wrong subdomain (or a ticket that was deleted)."""

    default_message_ja = "Zendesk のアカウントまたはチケットが見つかりません。"
    default_next_step_ja = (
        "設定画面のサブドメイン（https://サブドメイン.zendesk.com の部分）が"
        "正しいか確認してください。"
    )


class ZendeskValidationError(ZendeskError):
    """422: Zendesk refused the ticket's content; ``detail`` names the fields."""

    default_message_ja = "Zendesk がチケットの内容を受け付けませんでした。"
    default_next_step_ja = (
        "詳細に表示された項目（必須のカスタムフィールドなど）をZendesk の管理者に確認してください。"
    )


class ZendeskRateLimitError(ZendeskError):
    default_message_ja = "Zendesk の API 利用回数の上限に達したため、処理を続けられませんでした。"
    default_next_step_ja = (
        "数分待ってからもう一度お試しください。同じアカウントを使う他の連携が多数の要求を"
        "送っていないかも確認してください。"
    )


class ZendeskServerError(ZendeskError):
    default_message_ja = "Zendesk のサーバーでエラーが発生しました。"
    default_next_step_ja = (
        "しばらく待ってからもう一度お試しください。Zendesk の稼働状況ページも確認してください。"
    )


class ZendeskNetworkError(ZendeskError):
    default_message_ja = "Zendesk に接続できませんでした。"
    default_next_step_ja = "インターネット接続やプロキシの設定を確認し、もう一度お試しください。"


class ZendeskTooSlowError(ZendeskNetworkError):
    """The reply (headers or body) was still arriving at the whole-request deadline; a server
    that slow stays slow, so it is not asked again."""

    default_message_ja = "Zendesk からの応答が時間内に返りませんでした。"
    default_next_step_ja = (
        "しばらく待ってからもう一度お試しください。続くときは Zendesk の稼働状況ページと、"
        "プロキシの設定を確認してください。"
    )
