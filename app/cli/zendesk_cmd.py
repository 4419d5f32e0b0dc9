"""`todoku-cli zendesk`: a Zendesk ticket per recipient (or one for the batch) for the entries
of a fetch output file; prints each ticket's URL on its own line."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime

from app.cli.common import check_base_url, report_error, terminal_text
from app.cli.japanese_argparse import JapaneseRawDescriptionHelpFormatter
from app.cli.letter_input import (
    add_input_arguments,
    load_letter_templates,
    load_settings,
    read_classified,
)
from app.core.dates import JST
from app.core.errors import TodokuError
from app.core.letters.chooser import group_for_letters
from app.core.letters.compose import Letter, SenderFacts, compose_letter
from app.core.storage.settings import AppSettings
from app.core.zendesk.client import ZendeskAccount, ZendeskClient
from app.core.zendesk.tickets import EscalationItem, Escalator

SUBDOMAIN_ENV = "ZENDESK_SUBDOMAIN"
EMAIL_ENV = "ZENDESK_EMAIL"
TOKEN_ENV = "ZENDESK_API_TOKEN"

_EPILOG = f"""\
接続情報は環境変数 {SUBDOMAIN_ENV} / {EMAIL_ENV} / {TOKEN_ENV} から読み、ないものは
アプリの設定（サブドメイン・メールアドレス）と OS のキーチェーン（API トークン）から読みます。
同じ宛先の未解決チケットがあれば、新しく作らずに内部メモを追記します。
標準出力にはチケットの URL を 1 行に 1 件出力します（新規・追記の別は標準エラー出力）。
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = JapaneseRawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    add_input_arguments(parser)
    parser.add_argument(
        "--batch", action="store_true", help="すべての宛先を 1 件のチケットにまとめる"
    )
    parser.add_argument("--base-url", help="Zendesk の URL（練習用の模擬サーバーなど）")
    parser.add_argument(
        "--requester-is-recipient",
        action="store_true",
        default=None,
        help="宛先をチケットのリクエスタにする（既定: 設定に従う）",
    )


def _account(args: argparse.Namespace, settings: AppSettings) -> ZendeskAccount:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        try:
            from app.core.storage.secrets import ZENDESK_TOKEN, KeyringSecretStore

            token = KeyringSecretStore().get(ZENDESK_TOKEN)
        except Exception:
            token = ""
    check_base_url(args.base_url)  # the API token goes wherever it points
    return ZendeskAccount.create(
        os.environ.get(SUBDOMAIN_ENV, "") or settings.zendesk_subdomain,
        os.environ.get(EMAIL_ENV, "") or settings.zendesk_email,
        token,
        args.base_url or "",
    )


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args)
        account = _account(args, settings)
        templates = load_letter_templates(args)
        pairs = read_classified(args.jsonl)
        if not pairs:
            print("チケットにする宛先がありません。", file=sys.stderr)
            return 0
        groups, _left_out = group_for_letters(pairs)
        facts = SenderFacts.from_settings(settings)
        now = datetime.now(tz=JST)
        letter_of: dict[str, Letter] = {}
        for group in groups:
            letter = compose_letter(group, templates, facts, now)
            for item in group.items:
                letter_of[item.entry.email.lower()] = letter
        items = [
            EscalationItem(entry, explanation, letter_of.get(entry.email.lower()))
            for entry, explanation in pairs
        ]
        requester = (
            settings.zendesk_requester_is_recipient
            if args.requester_is_recipient is None
            else args.requester_is_recipient
        )
        with ZendeskClient(account, timeout_s=settings.timeout_s) as client:
            client.me()  # a bad or revoked token stops here, before anything is written
            escalator = Escalator(client, requester_is_recipient=requester)
            # Each URL is printed as soon as its ticket exists: when a later one fails, the
            # tickets already made are on screen above the error, not lost with it.
            done = 0
            try:
                for outcome in escalator.escalate_each(items, batch=args.batch):
                    done += 1
                    print(terminal_text(outcome.url), flush=True)  # from the Zendesk reply
                    shown = "、".join(outcome.recipients[:3])
                    more = " ほか" if len(outcome.recipients) > 3 else ""
                    print(
                        terminal_text(f"{outcome.action_ja}: {outcome.url}（{shown}{more}）"),
                        file=sys.stderr,
                    )
            except TodokuError:
                if done:
                    print(
                        f"途中で失敗しました。作成・追記済みのチケット {done} 件は上に表示した"
                        "とおりです（Zendesk に残っています）。",
                        file=sys.stderr,
                    )
                raise
        return 0
    except TodokuError as error:
        return report_error(error)
