"""Where the shared database is: URLs, settings (TLS required by default) and the password."""

from __future__ import annotations

import pytest

from app.core.errors import InvalidInputError
from app.core.storage.secrets import MemorySecretStore
from app.core.storage.settings import AppSettings, settings_from_dict
from app.core.storage.team.connection import (
    database_from_settings,
    parse_database_url,
    shared_db_password_key,
    with_password,
)


def test_url_defaults_require_tls_except_on_loopback() -> None:
    remote = parse_database_url("postgresql://tanaka@db.example.jp/team")
    assert (remote.host, remote.port, remote.dbname, remote.user, remote.sslmode) == (
        "db.example.jp",
        5432,
        "team",
        "tanaka",
        "require",
    )
    assert parse_database_url("postgresql://x@127.0.0.1:6543/t").sslmode == "prefer"
    full = parse_database_url("postgres://a%40b:p%2Fw@h:1/d?sslmode=verify-full")
    assert (full.user, full.password, full.sslmode) == ("a@b", "p/w", "verify-full")
    assert "p/w" not in full.label  # never in messages


@pytest.mark.parametrize("url", ["mysql://h/db", "postgresql:///db", "postgresql://h/d?sslmode=x"])
def test_bad_urls_are_refused_in_japanese(url: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_database_url(url)
    assert raised.value.message_ja.endswith("。")


def test_settings_name_the_shared_store_only_when_turned_on() -> None:
    assert AppSettings().shared_db_sslmode == "require"
    assert database_from_settings(AppSettings(shared_db_host="db")) is None
    settings = settings_from_dict(
        {"shared_db_enabled": True, "shared_db_host": "db", "shared_db_port": 99999,
         "shared_db_user": "tanaka", "shared_db_sslmode": "nonsense"}
    )  # fmt: skip
    database = database_from_settings(settings)
    assert database is not None
    # Out-of-range port and unknown TLS mode fall back to the defaults.
    assert (database.port, database.sslmode, database.user) == (5432, "require", "tanaka")


def test_password_from_environment_then_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = MemorySecretStore()
    secrets.set(shared_db_password_key("tanaka", "db"), "from-keyring")
    database = parse_database_url("postgresql://tanaka@db/team")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert with_password(database, secrets).password == "from-keyring"
    monkeypatch.setenv("PGPASSWORD", "from-env")
    assert with_password(database, secrets).password == "from-env"
    typed = parse_database_url("postgresql://tanaka:typed@db/team")
    assert with_password(typed, secrets).password == "typed"


def test_open_journal_and_connection_check(postgres_server, team_database, tmp_path) -> None:
    from app.core.storage.journal import DeletionJournal
    from app.core.storage.team.open import check_connection, open_journal

    local = open_journal(AppSettings(), tmp_path)
    assert isinstance(local, DeletionJournal) and not local.shared
    local.close()
    name = team_database({"tanaka": ("田中", "delete"), "sato": ("佐藤", "view")})
    database = parse_database_url(postgres_server.url("tanaka", name))
    shared = open_journal(AppSettings(), tmp_path, database=database)
    assert shared.shared and shared.current_operator().display_name == "田中"
    shared.close()
    check = check_connection(database, tmp_path)
    assert check.summary_ja.startswith("接続できました") and "田中（削除可）" in check.summary_ja
    viewer = check_connection(parse_database_url(postgres_server.url("sato", name)), tmp_path)
    assert not viewer.operator.may_delete and "佐藤（閲覧）" in viewer.summary_ja
    stranger = check_connection(parse_database_url(postgres_server.url(database=name)), tmp_path)
    assert not stranger.operator.registered and "未登録" in stranger.summary_ja


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://tanaka:s3cret@db.example.jp:99999/team",  # past 65535
        "postgresql://tanaka:s3cret@db.example.jp:abc/team",  # not a number
        "postgresql://tanaka:s3cret@db.example.jp:0/team",  # would quietly become 5432
        "postgresql://tanaka:s3cret@[::1/team",  # IPv6 host without its closing bracket
    ],
)
def test_a_url_the_parser_cannot_read_is_a_japanese_error_without_the_password(url: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_database_url(url)
    error = raised.value
    assert "共有データベース" in error.message_ja
    assert "s3cret" not in f"{error.message_ja} {error.next_step_ja} {error.detail}"
