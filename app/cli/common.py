"""What the todoku-cli commands share: the API key, the provider, and Japanese error output."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from app.core.errors import AuthError, InvalidInputError, ScopeError, TodokuError
from app.core.types import ALL_LISTS, ListKind

if TYPE_CHECKING:  # imported lazily at run time (see make_provider)
    from app.core.providers.sendgrid import SendGridProvider

API_KEY_ENV = "SENDGRID_API_KEY"


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="API の URL（練習用サーバーなど。既定: SendGrid）")
    parser.add_argument("--region", choices=("global", "eu"), default="global")
    parser.add_argument("--subuser", default="", help="サブユーザー名（on-behalf-of）")


def api_key_from_environment() -> str:
    """``SENDGRID_API_KEY``, else the OS keyring (where the app's settings keep it)."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    if key:
        return key
    try:
        from app.core.storage.secrets import SENDGRID_KEY, KeyringSecretStore

        key = KeyringSecretStore().get(SENDGRID_KEY)
    except Exception:
        key = ""
    if not key:
        raise InvalidInputError(
            "SendGrid の API キーが見つかりません。",
            next_step_ja=(
                f"環境変数 {API_KEY_ENV} にキーを設定するか、"
                "アプリの設定画面でキーを保存してください。"
            ),
        )
    return key


def make_provider(args: argparse.Namespace) -> SendGridProvider:
    from app.core.providers.sendgrid import SendGridProvider  # lazy: keeps other commands light

    return SendGridProvider(
        api_key_from_environment(),
        base_url=args.base_url,
        region=args.region,
        subuser=args.subuser,
        max_concurrency=getattr(args, "concurrency", 8),
    )


def parse_lists(text: str | None) -> tuple[ListKind, ...]:
    if not text:
        return ALL_LISTS
    try:
        return tuple(ListKind.parse(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        names = ",".join(kind.value for kind in ALL_LISTS)
        raise InvalidInputError(
            "リスト名を読み取れません。",
            next_step_ja=f"次から選んでください: {names}",
            detail=str(error),
        ) from None


def report_error(error: TodokuError) -> int:
    """Japanese message and next step on stderr; technical detail after them."""
    print(f"エラー: {error.message_ja}", file=sys.stderr)
    print(f"対処: {_next_step_for_the_terminal(error)}", file=sys.stderr)
    if error.detail:
        print(f"詳細: {error.detail}", file=sys.stderr)
    return 1


def _next_step_for_the_terminal(error: TodokuError) -> str:
    # The errors' next steps speak of the app's settings screen; a key that came from the
    # environment is fixed there instead.
    if os.environ.get(API_KEY_ENV, "").strip():
        if isinstance(error, AuthError):
            return (
                f"環境変数 {API_KEY_ENV} のキーを確認し、"
                "必要なら SendGrid で新しいキーを発行して設定し直してください。"
            )
        if isinstance(error, ScopeError):
            return (
                f"環境変数 {API_KEY_ENV} のキーに必要な権限がありません。"
                "SendGrid の管理画面で権限を付けたキーを発行し、設定し直してください。"
            )
    return error.next_step_ja
