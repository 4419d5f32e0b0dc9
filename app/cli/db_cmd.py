"""`todoku-cli db upgrade|roles [--database URL]`: set up the team's shared database.

``roles`` prints the SQL an administrator runs once (roles, database, logins); ``upgrade``
creates or migrates the schema (idempotent; run by the administrator's login). Operators'
apps never migrate: they refuse a schema older or newer than they know.
"""

from __future__ import annotations

import argparse
import sys

from app.cli.common import report_error
from app.cli.shared_store import DATABASE_HELP
from app.core.errors import InvalidInputError, TodokuError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("upgrade", "roles"), help="upgrade または roles")
    parser.add_argument("--database", metavar="URL", default=None, help=DATABASE_HELP)


def run(args: argparse.Namespace) -> int:
    try:
        from app.cli.shared_store import database_from_args

        database = database_from_args(args)
        if args.action == "roles":
            from app.core.storage.team.schema import roles_sql

            print(roles_sql(database.dbname if database else "todoku"))
            return 0
        if database is None:
            raise InvalidInputError(
                "共有データベースが指定されていません。",
                next_step_ja=(
                    "--database postgresql://管理者@ホスト:5432/todoku を指定してください。"
                ),
            )
        from app.core.storage.secrets import KeyringSecretStore
        from app.core.storage.team.connection import with_password
        from app.core.storage.team.migrate import upgrade

        before, after = upgrade(with_password(database, KeyringSecretStore()))
    except TodokuError as error:
        return report_error(error)
    if before == after:
        print(f"共有データベースは最新です（形式 {after}）。", file=sys.stderr)
    else:
        print(f"共有データベースを形式 {before} から {after} に更新しました。", file=sys.stderr)
    return 0
