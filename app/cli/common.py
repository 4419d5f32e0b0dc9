"""What the todoku-cli commands share: the API key, the provider, and Japanese error output."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TextIO

from app.core.control_chars import BIDI, C0_BUT_TAB_LF, DEL_AND_C1
from app.core.errors import AuthError, InvalidInputError, ScopeError, TodokuError
from app.core.types import ALL_LISTS, ListKind

if TYPE_CHECKING:  # imported lazily at run time (see make_provider)
    from app.core.accounts import Account
    from app.core.providers.base import Provider
    from app.core.providers.sendgrid import SendGridProvider

API_KEY_ENV = "SENDGRID_API_KEY"
PROVIDER_CHOICES = ("sendgrid", "cmc", "infobip", "ses")


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="API の URL（練習用サーバーなど。既定: SendGrid）")
    add_region_arguments(parser)


def add_region_arguments(parser: argparse.ArgumentParser) -> None:
    """``--region`` and ``--subuser``. Left out, they are the ``--account``'s (a SendGrid
    account saved with the EU region or a subuser), else global and the parent account: see
    ``settle_connection_defaults``."""
    parser.add_argument(
        "--region",
        choices=("global", "eu"),
        default=None,
        help="SendGrid のリージョン（既定: --account のリージョン、なければ global）",
    )
    parser.add_argument(
        "--subuser",
        default=None,
        help="サブユーザー名（on-behalf-of。既定: --account のサブユーザー、なければ親アカウント）",
    )


def add_provider_arguments(parser: argparse.ArgumentParser) -> None:
    """``--provider`` and ``--account`` (fetch, delete). Without them nothing changes."""
    parser.add_argument(
        "--provider",
        choices=PROVIDER_CHOICES,
        default=None,
        help="配信サービス（既定: sendgrid、または --account のサービス）",
    )
    parser.add_argument("--account", default=None, help="設定画面に登録したアカウント名")
    parser.add_argument(
        "--aws-region", default=None, help="Amazon SES のリージョン（既定: AWS_REGION）"
    )


def api_key_from_environment() -> str:
    """``SENDGRID_API_KEY``, else the OS keyring (where the app's settings keep it)."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    if key:
        return key
    from app.core.storage.secrets import SENDGRID_KEY, KeyringSecretStore, SecretsUnreadableError

    try:
        key = KeyringSecretStore().get(SENDGRID_KEY)
    except SecretsUnreadableError:
        raise  # a locked keyring: say so, not "no key found"
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


def selected_account(args: argparse.Namespace) -> Account | None:
    """The account ``--provider``/``--account`` point at; None for the classic SendGrid path."""
    provider = getattr(args, "provider", None)
    name = getattr(args, "account", None)
    if name is None and provider in (None, "sendgrid"):
        return None
    from app.core.accounts import Account, ProviderName, find_account

    if name is not None:
        from app.cli.settings_file import load_cli_settings

        # A damaged file is refused: the account may well be in the file it could not read.
        account = find_account(load_cli_settings().all_accounts(), name)
        if provider is not None and account.provider.value != provider:
            raise InvalidInputError(
                f"アカウント「{name}」は {account.provider.label_ja} のアカウントです。",
                next_step_ja="--provider を外すか、アカウント名を確認してください。",
            )
    else:
        account = Account(f"CLI（{provider}）", ProviderName(str(provider)))
    if account.provider is ProviderName.SENDGRID:
        # What the command line says wins; what it leaves out is the saved account's.
        region = getattr(args, "region", None) or account.region or "global"
        subuser = getattr(args, "subuser", None)
        account = replace(
            account, region=region, subuser=account.subuser if subuser is None else subuser
        )
    elif account.provider is ProviderName.SES:
        region = getattr(args, "aws_region", None)
        if region:
            account = replace(account, region=region)
    return account


def settle_connection_defaults(args: argparse.Namespace) -> None:
    """Fill in ``--region`` and ``--subuser`` where the command line left them out: from a
    SendGrid ``--account`` (so an EU account connects to the EU API, and its fetch history,
    journal rows and exports name the region and subuser it really used), else global and the
    parent account. Every reader of ``args.region``/``args.subuser`` then sees one answer."""
    if not hasattr(args, "region"):
        return
    account = None
    if args.region is None or args.subuser is None:
        try:
            account = selected_account(args)
        except TodokuError:
            account = None  # the command reports it when it opens the account
    from app.core.accounts import ProviderName

    sendgrid = account is not None and account.provider is ProviderName.SENDGRID
    if args.region is None:
        args.region = account.region if sendgrid and account is not None else "global"
    if args.subuser is None:
        args.subuser = account.subuser if sendgrid and account is not None else ""


def account_description(args: argparse.Namespace) -> str:
    """For the journal: provider and account, so every record says where it was made."""
    account = selected_account(args)
    if account is None:
        return "CLI"
    return f"CLI {account.provider.value}:{account.name}"


def journal_region_of(args: argparse.Namespace) -> str:
    """The region the journal files this run's deletions under: the account's, spelt as the
    window spells it (``app.core.journal_region``), so both see each other's claims."""
    account = selected_account(args)
    if account is None:
        return str(args.region)
    from app.core.journal_region import journal_region

    return journal_region(account)


def make_any_provider(args: argparse.Namespace) -> Provider:
    """The provider ``--provider``/``--account`` choose (fetch, delete); SendGrid by default."""
    account = selected_account(args)
    if account is not None:
        return _account_provider(args, account)
    return make_provider(args)


def check_base_url(base_url: str | None) -> None:
    """Refuse a ``--base-url`` no credentials may be sent to, as the settings screen does
    (app/core/base_url.py): plain http to another computer, a user name in it, not a URL."""
    if base_url:
        from app.core.base_url import normalize_base_url

        normalize_base_url(base_url)


def make_provider(args: argparse.Namespace) -> SendGridProvider:
    from app.core.providers.sendgrid import SendGridProvider  # lazy: keeps other commands light

    check_base_url(args.base_url)
    return SendGridProvider(
        api_key_from_environment(),
        base_url=args.base_url,
        region=args.region,
        subuser=args.subuser,
        max_concurrency=getattr(args, "concurrency", 8),
    )


def connection_stamp_of(args: argparse.Namespace) -> str:
    """The stamp of the connection ``make_any_provider`` builds: its endpoint and credentials,
    digested (the fetch history keeps it to tell another key or URL apart, never the key)."""
    from app.core.history.connection_stamp import connection_stamp

    account = selected_account(args)
    if account is not None:
        return connection_stamp(
            account, _account_credentials(account), base_url=args.base_url or None
        )
    return connection_stamp(
        None,
        {"api_key": api_key_from_environment()},
        base_url=args.base_url or None,
        region=args.region or "global",
    )


def _account_provider(args: argparse.Namespace, account: Account) -> Provider:
    from app.core.provider_factory import build_provider

    check_base_url(args.base_url)
    return build_provider(
        account,
        _account_credentials(account),
        base_url=args.base_url,
        max_concurrency=getattr(args, "concurrency", 8),
    )


def _account_credentials(account: Account) -> dict[str, str]:
    """Credentials from the environment first, then the keyring (as for SendGrid)."""
    from app.core.accounts import load_credentials

    credentials = load_credentials(account, None)
    if any(name not in credentials for name in account.secret_names()):
        # The keyring only when the environment lacks something: probing it costs time and,
        # on a machine without one, a warning line.
        try:
            from app.core.storage.secrets import KeyringSecretStore

            credentials = load_credentials(account, KeyringSecretStore())
        except Exception:
            pass
    return dict(credentials)


def parse_lists(text: str | None) -> tuple[ListKind, ...]:
    if not text:
        return ALL_LISTS
    names = ",".join(kind.value for kind in ALL_LISTS)
    try:
        lists = tuple(ListKind.parse(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise InvalidInputError(
            "リスト名を読み取れません。",
            next_step_ja=f"次から選んでください: {names}",
            detail=str(error),
        ) from None
    if not lists:  # "," or " , ": the command would fetch nothing and report success
        raise InvalidInputError(
            "--lists にリスト名がありません。",
            next_step_ja=f"次から選んでください（すべてなら --lists を省略）: {names}",
        )
    return lists


def report_error(error: TodokuError, prefix: str = "エラー") -> int:
    """Japanese message and next step on stderr; technical detail after them.

    The detail often quotes a server's reply (a Zendesk or SendGrid error body, an IMAP
    answer), and messages name files: all of it goes through ``terminal_text``."""
    print(terminal_text(f"{prefix}: {error.message_ja}"), file=sys.stderr)
    print(terminal_text(f"対処: {_next_step_for_the_terminal(error)}"), file=sys.stderr)
    if error.detail:
        print(terminal_text(f"詳細: {error.detail}"), file=sys.stderr)
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


# C0 controls but tab and line feed, DEL, C1 (U+009B is a one-character CSI for terminals
# that take 8-bit controls) and bidi controls: what a report or record from outside must not
# send to a terminal. Each shows as U+FFFD.
_TERMINAL_UNSAFE = re.compile(f"[{C0_BUT_TAB_LF}{DEL_AND_C1}{BIDI}]")


_JSON_UNSAFE = re.compile(f"[{DEL_AND_C1}{BIDI}\u2028\u2029]")


def terminal_text(text: str) -> str:
    """``text`` with every character that could drive or reorder a terminal made visible."""
    return _TERMINAL_UNSAFE.sub("\ufffd", text)


def json_text(value: object, stream: TextIO, **options: Any) -> str:
    """``value`` as JSON for ``stream``: UTF-8 text as it is, ``\\uXXXX`` escapes otherwise.

    Windows encodes redirected stdout in the ANSI code page (cp932), which has no emoji: with
    escapes every reader still gets valid JSON and the same text (a ``\\U`` escape written by
    the stream's error handler would not be JSON)."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    text = json.dumps(value, ensure_ascii=encoding not in ("utf8", "utf8sig"), **options)
    # json escapes C0 itself; DEL, C1 and bidi controls in a bounce reason would reach the
    # terminal raw (reordering the line, or a CSI): escaped too, the same JSON value.
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
