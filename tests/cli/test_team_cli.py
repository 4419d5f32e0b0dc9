"""todoku-cli in team mode, as real subprocesses: `db roles`, `db upgrade`, and `delete
--database` against a real PostgreSQL and the SendGrid imitation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import psycopg

from app.core.types import ListKind
from app.sandbox.postgres_server import PostgresServer
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY, RANGE_START

OPERATORS = {"tanaka": ("田中", "delete"), "suzuki": ("鈴木", "delete"), "sato": ("佐藤", "view")}


def cli(
    tmp_path: Path, *args: str, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["SENDGRID_API_KEY"] = API_KEY
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def deleted_emails(sandbox) -> list[str]:
    """Addresses the imitation was asked to delete (successful DELETE requests)."""
    found: list[str] = []
    for request in sandbox.request_log:
        if request.method != "DELETE" or request.status >= 300:
            continue
        if request.body:
            found += json.loads(request.body).get("emails", [])
        else:
            found.append(unquote(request.path.rsplit("/", 1)[-1]))
    return found


def test_import_app_cli_does_not_load_psycopg() -> None:
    code = "import sys, app.cli; print('psycopg' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_db_roles_prints_the_administrators_sql(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "roles", "--database", "postgresql://admin@db.example.jp/team")
    assert result.returncode == 0, result.stderr
    assert "CREATE ROLE todoku_app NOLOGIN" in result.stdout
    assert "CREATE ROLE todoku_owner NOLOGIN" in result.stdout
    assert 'CREATE DATABASE "team" OWNER todoku_owner' in result.stdout
    assert "INSERT INTO todoku.operators" in result.stdout


def test_db_upgrade_creates_then_reports_up_to_date(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        for role in ("todoku_owner", "todoku_app"):
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                admin.execute(f"CREATE ROLE {role} NOLOGIN")
        admin.execute("CREATE DATABASE cli_upgrade OWNER todoku_owner")
    url = postgres_server.url(database="cli_upgrade")
    first = cli(tmp_path, "db", "upgrade", "--database", url)
    assert first.returncode == 0, first.stderr
    assert "形式 0 から 4 に更新しました" in first.stderr
    second = cli(tmp_path, "db", "upgrade", "--database", url)
    assert second.returncode == 0 and "最新です" in second.stderr
    with psycopg.connect(url) as check:
        owner = check.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'todoku'"
            " AND tablename = 'operations'"
        ).fetchone()
    assert owner == ("todoku_owner",)  # not the person who ran it


def test_unreachable_server_gives_a_japanese_error(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade", "--database", "postgresql://x@127.0.0.1:1/todoku")
    assert result.returncode == 1
    assert "エラー: 共有データベースに接続できません。" in result.stderr


def test_two_operators_delete_overlapping_entries_once(
    postgres_server: PostgresServer,
    team_database: Callable[..., str],
    make_sandbox,
    tmp_path: Path,
) -> None:
    name = team_database(OPERATORS)
    emails = [f"team{i}@example.jp" for i in range(4)]
    sandbox = make_sandbox(
        [
            SandboxRecord(list_kind="bounces", email=e, created=RANGE_START, reason="550 x")
            for e in emails
        ]
    )
    first_file, second_file = tmp_path / "a.txt", tmp_path / "b.txt"
    first_file.write_text("\n".join(emails[:3]) + "\n", encoding="utf-8")
    second_file.write_text("\n".join(emails[1:]) + "\n", encoding="utf-8")

    def delete(user: str, file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return cli(
            tmp_path,
            "delete",
            "--base-url",
            sandbox.base_url,
            "--list",
            "bounces",
            "--emails-file",
            str(file),
            "--yes",
            "--database",
            postgres_server.url(user, name),
            *extra,
        )

    first = delete("tanaka", first_file)
    assert first.returncode == 0, first.stderr
    # The second operator's file overlaps; the imitation no longer lists team1/team2, so the CLI's
    # look-up reports them as not listed before anything is claimed.
    second = delete("suzuki", second_file)
    assert second.returncode == 0, second.stderr
    assert "not_found\tteam1@example.jp" in second.stdout
    assert sorted(deleted_emails(sandbox)) == emails  # each address deleted once
    with psycopg.connect(postgres_server.url(database=name)) as raw:
        rows = raw.execute(
            "SELECT e.email, c.result, o.display_name FROM todoku.entry_current c"
            " JOIN todoku.operation_entries e ON e.id = c.id"
            " JOIN todoku.operations o ON o.id = c.operation_id ORDER BY e.email"
        ).fetchall()
    assert rows == [
        ("team0@example.jp", "deleted", "田中"),
        ("team1@example.jp", "deleted", "田中"),
        ("team2@example.jp", "deleted", "田中"),
        ("team3@example.jp", "deleted", "鈴木"),
    ]


def test_view_operator_cannot_delete_from_the_cli(
    postgres_server: PostgresServer,
    team_database: Callable[..., str],
    make_sandbox,
    tmp_path: Path,
) -> None:
    name = team_database(OPERATORS)
    sandbox = make_sandbox(
        [SandboxRecord(list_kind=ListKind.BOUNCES.value, email="v@example.jp", created=RANGE_START)]
    )
    file = tmp_path / "v.txt"
    file.write_text("v@example.jp\n", encoding="utf-8")
    result = cli(
        tmp_path,
        "delete",
        "--base-url",
        sandbox.base_url,
        "--list",
        "bounces",
        "--emails-file",
        str(file),
        "--yes",
        "--database",
        postgres_server.url("sato", name),
    )
    assert result.returncode == 1
    assert "閲覧のみ" in result.stderr
    assert not [r for r in sandbox.request_log if r.method == "DELETE"]


def test_administrator_flow_from_the_printed_roles_script(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """`db roles` → psql as superuser → `db upgrade` as the administrator → register an operator
    → the operator claims. Logins are renamed so this test can share the session's cluster."""
    printed = cli(tmp_path, "db", "roles", "--database", "postgresql://a@h/roles_db").stdout
    script = printed.replace("todoku_admin", "roles_admin").replace("tanaka", "roles_tanaka")
    (tmp_path / "roles.sql").write_text(script, encoding="utf-8")
    psql = postgres_server.bindir / "psql"
    result = subprocess.run(
        [str(psql), "-X", "-v", "ON_ERROR_STOP=1", "-f", str(tmp_path / "roles.sql"),
         postgres_server.url().replace("?sslmode=disable", "")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    upgrade = cli(
        tmp_path, "db", "upgrade", "--database", postgres_server.url("roles_admin", "roles_db")
    )
    assert upgrade.returncode == 0, upgrade.stderr
    with psycopg.connect(postgres_server.url("roles_admin", "roles_db"), autocommit=True) as admin:
        admin.execute(
            "INSERT INTO todoku.operators (db_user, display_name, role)"
            " VALUES ('roles_tanaka', '田中', 'delete')"
        )
    from app.core.storage.journal_records import NewEntry, OperationMeta
    from app.core.storage.team.connection import parse_database_url
    from app.core.storage.team.journal_pg import PostgresJournal

    store = PostgresJournal(parse_database_url(postgres_server.url("roles_tanaka", "roles_db")))
    try:
        claim = store.claim_operation(
            OperationMeta("本番"), [NewEntry(ListKind.BOUNCES, "a@example.jp")]
        )
        assert claim.operation_id is not None
        assert store.current_operator().display_name == "田中"
    finally:
        store.close()
