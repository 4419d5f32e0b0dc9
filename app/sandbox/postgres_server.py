"""A throw-away PostgreSQL server on loopback (tests and ``benchmarks/team.py``).

Uses Debian's ``postgresql`` package binaries (initdb, pg_ctl). The cluster lives in a temp dir,
listens on 127.0.0.1 at a free port and on a unix socket in that dir, trusts local logins (no
password, no TLS: loopback only, gone at ``stop``). initdb refuses to run as root, so under root
the server runs as the ``postgres`` user the Debian package creates (or ``nobody``).

Durability is relaxed to ``fsync=off`` (the cluster dies with the test run) but commits stay
synchronous, so a server stopped with ``kill`` keeps every committed row (the OS has it).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "todoku_super"


def find_bindir() -> Path | None:
    """The newest Debian PostgreSQL ``bin`` directory (or one holding initdb on PATH)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
        self.bindir = found
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="todoku-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self._run_as: str | None = None
        if os.geteuid() == 0:
            self._run_as = _service_user()
            entry = pwd.getpwnam(self._run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.started = False

    def _command(self, *args: str) -> list[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._run_as:
            return [_runuser(), "-u", self._run_as, "--", *command]
        return command

    def start(self) -> PostgresServer:
        subprocess.run(
            self._command(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
            cwd=self.root,
        )
        self._pg_ctl_start()
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
                capture_output=True,
                cwd=self.root,
            )
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def kill(self) -> None:
        """Stop the server abruptly, keeping its data (a server that goes away)."""
        subprocess.run(
            self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
            capture_output=True,
            cwd=self.root,
        )

    def restart(self) -> None:
        """Start again after ``kill`` (same port, same data)."""
        self._pg_ctl_start()

    def _pg_ctl_start(self) -> None:
        # -w waits until the server accepts connections.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.socket_dir}"
            " -c fsync=off -c full_page_writes=off"
            " -c max_connections=200 -c shared_buffers=64MB"
        )
        subprocess.run(
            self._command(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ),
            check=True,
            capture_output=True,
            cwd=self.root,
        )

    def url(self, user: str = SUPERUSER, database: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}?sslmode=disable"


def _runuser() -> str:
    """runuser (util-linux) lives in /usr/sbin or /sbin, which a minimal PATH may leave out."""
    found = shutil.which("runuser")
    if found:
        return found
    for candidate in ("/usr/sbin/runuser", "/sbin/runuser"):
        if Path(candidate).is_file():
            return candidate
    return "runuser"  # not found: the FileNotFoundError names it


def _service_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("no non-root user to run PostgreSQL as")


def make_team_database(
    server: PostgresServer, name: str, operators: dict[str, tuple[str, str]]
) -> None:
    """A database with Todoku's roles and schema, and ``operators``: login → (name, role).

    Does what an administrator does with ``todoku-cli db roles`` and ``db upgrade``.
    """
    import psycopg

    from app.core.storage.team.connection import parse_database_url
    from app.core.storage.team.migrate import upgrade
    from app.core.storage.team.schema import APP_ROLE, OWNER_ROLE

    with psycopg.connect(server.url(), autocommit=True) as admin:
        for role in (OWNER_ROLE, APP_ROLE):
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                admin.execute(f"CREATE ROLE {role} NOLOGIN")
        admin.execute(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}')
        for login in operators:
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
                admin.execute(f'CREATE ROLE "{login}" LOGIN IN ROLE {APP_ROLE}')
    upgrade(parse_database_url(server.url(database=name)))
    with psycopg.connect(server.url(database=name), autocommit=True) as admin:
        for login, (display_name, role) in operators.items():
            admin.execute(
                "INSERT INTO todoku.operators (db_user, display_name, role) VALUES (%s, %s, %s)"
                " ON CONFLICT (db_user) DO UPDATE SET display_name = EXCLUDED.display_name,"
                " role = EXCLUDED.role",
                (login, display_name, role),
            )
