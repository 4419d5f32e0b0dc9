"""Where the shared database is: settings or a ``postgresql://`` URL → psycopg connection text.

The password is never in settings or a URL written to disk: it comes from ``PGPASSWORD`` (the
CLI), the URL itself when the operator typed one, or the OS keyring under
``shared_db_password_key(user, host)``. psycopg (libpq) is imported only when a connection is
opened, so the app and ``import app.cli`` start without it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from app.core.errors import InvalidInputError
from app.core.storage.journal_records import SharedStoreUnavailableError
from app.core.storage.settings import SSL_MODES
from app.core.storage.team.pg_text import send_text_without_nul
from app.core.storage.thread_connections import ThreadConnections

if TYPE_CHECKING:
    from app.core.storage.secrets import SecretStore
    from app.core.storage.settings import AppSettings

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
_T = TypeVar("_T")


def shared_db_password_key(user: str, host: str) -> str:
    """The keyring name of an operator's database password (one per login and server)."""
    return f"shared_db_password:{user}@{host}"


@dataclass(frozen=True, slots=True)
class SharedDatabase:
    """One shared store: host, port, database, login, TLS mode, and the password (not stored)."""

    host: str
    port: int = 5432
    dbname: str = "todoku"
    user: str = ""
    sslmode: str = "require"
    password: str = ""

    def conninfo(self) -> str:
        """libpq connection parameters (the password included: never log this)."""
        from psycopg.conninfo import make_conninfo

        params: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.dbname,
            "sslmode": self.sslmode,
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "todoku",
        }
        if self.user:
            params["user"] = self.user
        if self.password:
            params["password"] = self.password
        return make_conninfo("", **params)

    @property
    def label(self) -> str:
        """For messages: user@host:port/db, without the password."""
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}:{self.port}/{self.dbname}"

    def with_password(self, password: str) -> SharedDatabase:
        return replace(self, password=password)


def parse_database_url(url: str) -> SharedDatabase:
    """``postgresql://user[:password]@host[:port]/db[?sslmode=…]`` (as ``--database`` takes it).

    Without ``sslmode`` the URL gets ``require`` (TLS by default), except on loopback where
    ``prefer`` lets a local test server without certificates work.

    The login and password may be percent-encoded (``p%23w`` is ``p#w``) or typed as they are:
    the login ends at the first ``:``, the password at the last ``@`` of the URL, so a raw
    ``#``, ``?``, ``/`` or ``@`` in a password is part of it, not a fragment, query, path or
    host. (A ``%`` followed by two hex digits is always read as an escape; a password holding
    such a sequence literally is written with ``%25``.) Errors never quote the URL.
    """
    user, password, rest = _split_credentials(url.strip())
    try:
        parts = urlsplit(rest)
    except ValueError:  # an IPv6 host without its closing bracket
        raise InvalidInputError(
            "共有データベースのホスト名を読み取れません"
            "（IPv6 アドレスの [ ] が対になっていません）。",
            next_step_ja=(
                "IPv6 アドレスは postgresql://ユーザー名@[::1]:5432/データベース名 "
                "のように [ ] で囲んでください。"
            ),
        ) from None  # the URL may hold a password: never quoted
    try:
        port = parts.port
    except ValueError:  # not a number, or outside 0-65535
        port = 0
    if port == 0:  # port 0 would otherwise quietly become 5432
        raise InvalidInputError(
            "共有データベースのポート番号が正しくありません（1〜65535 の数字にしてください）。",
            next_step_ja=(
                "ポートを省略すると 5432 を使います。"
                "postgresql://ユーザー名@ホスト名:5432/データベース名 の形で指定してください。"
            ),
        )
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise InvalidInputError(
            "共有データベースの指定を読み取れません。",
            next_step_ja=(
                "postgresql://ユーザー名@ホスト名:5432/データベース名 の形で指定してください。"
            ),
            detail=f"scheme={parts.scheme!r}",
        )
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    host = parts.hostname
    default_mode = "prefer" if host in ("127.0.0.1", "localhost", "::1") else "require"
    sslmode = query.get("sslmode", default_mode)
    if sslmode not in SSL_MODES:
        raise InvalidInputError(
            f"sslmode「{sslmode}」は使えません。",
            next_step_ja="require, verify-ca, verify-full などを指定してください。",
        )
    return SharedDatabase(
        host=host,
        port=port or 5432,
        dbname=unquote(parts.path.lstrip("/")) or "todoku",
        user=user,
        sslmode=sslmode,
        password=password,
    )


def _split_credentials(url: str) -> tuple[str, str, str]:
    """(login, password, the URL without them), both percent-decoded.

    ``urlsplit`` ends the authority at the first ``/``, ``?`` or ``#``, so a password typed with
    one of them was cut there: the rest of it became a path, a query or a fragment, and its
    start was taken for a host or a port. A host never holds ``@``, and a database name or
    query hardly ever does, so the last ``@`` is where the credentials end.
    """
    scheme, separator, rest = url.partition("://")
    if not separator or "@" not in rest:
        return "", "", url
    userinfo, _, location = rest.rpartition("@")
    login, _, password = userinfo.partition(":")
    return unquote(login), unquote(password), f"{scheme}://{location}"


def database_from_settings(settings: AppSettings) -> SharedDatabase | None:
    """The shared store the settings name (None: this PC keeps its own SQLite journal)."""
    if not settings.shared_db_enabled or not settings.shared_db_host:
        return None
    return SharedDatabase(
        host=settings.shared_db_host,
        port=settings.shared_db_port,
        dbname=settings.shared_db_name,
        user=settings.shared_db_user,
        sslmode=settings.shared_db_sslmode,
    )


def with_password(database: SharedDatabase, secrets: SecretStore | None) -> SharedDatabase:
    """Fill in the password: as given, else ``PGPASSWORD``, else the keyring (else none: libpq
    may still find ~/.pgpass or use a certificate)."""
    if database.password:
        return database
    password = os.environ.get("PGPASSWORD", "")
    if not password and secrets is not None:
        password = secrets.get(shared_db_password_key(database.user, database.host))
    return database.with_password(password)


def unavailable(database_label: str, error: BaseException) -> SharedStoreUnavailableError:
    """The Japanese error for a server that cannot be reached or went away."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "password authentication failed" in text or "no password supplied" in text:
        return SharedStoreUnavailableError(
            "共有データベースにログインできません（ユーザー名またはパスワードが違います）。",
            next_step_ja="設定の「共有データベース」のユーザー名とパスワードを確認してください。",
            detail=f"{database_label}: {text}",
        )
    return SharedStoreUnavailableError(detail=f"{database_label}: {type(error).__name__}: {text}")


def pg_connections(conninfo: str) -> ThreadConnections[Any]:
    """One autocommit psycopg connection per thread, opened again after it broke; a NUL in
    the text it sends becomes U+FFFD (``pg_text.py``)."""

    def open_connection() -> Any:
        import psycopg

        connection = psycopg.connect(conninfo, autocommit=True)
        send_text_without_nul(connection)
        return connection

    return ThreadConnections(open_connection, lambda c: not (c.closed or c.broken))


def run_reconnecting(
    connections: ThreadConnections[Any],
    work: Callable[[Any], _T],
    *,
    write: bool = False,
    retry_on: tuple[type[BaseException], ...] = (),
    attempts: int = 1,
) -> _T:
    """Run ``work(connection)`` on this thread's connection (in one transaction when ``write``).

    An idle connection whose server restarted, or whose session was terminated, looks fine
    until it is used: the first statement fails and the connection is then ``broken``. Such a
    failure is retried once on a new connection, but only when nothing of the work can have
    committed: a read, a single statement made idempotent by the caller (the outbox's
    ``client_key``), or a transaction that failed before its COMMIT was sent. A COMMIT that was
    sent and got no answer may have committed, so it is not run again: the caller's error
    handling (the outbox) decides. A connection that cannot be opened at all is not retried
    (it would only double the wait for an unreachable server).

    ``retry_on`` (deadlocks, serialization failures) run the transaction again up to
    ``attempts`` times on the same connection.
    """
    import psycopg

    reconnected = False
    while True:
        connection = connections.get()
        commit_sent = False
        try:
            if not write:
                return work(connection)
            for attempt in range(max(1, attempts)):
                try:
                    with connection.transaction():
                        result = work(connection)
                        commit_sent = True  # the block's end sends COMMIT
                    return result
                except retry_on:
                    commit_sent = False
                    if attempt >= attempts - 1:
                        raise
            raise AssertionError("unreachable")
        except psycopg.OperationalError:
            if reconnected or commit_sent or not connection.broken:
                raise
            reconnected = True
            log.info("shared database connection was lost; connecting again once")
