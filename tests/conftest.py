"""Test set-up shared by every suite: offscreen Qt before anything imports it."""

import os

# Must happen before PySide6 is imported anywhere (pytest-qt imports it when it loads).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "0")


# --- a real PostgreSQL for the team-mode store (docs/team-mode.md) -------------------------
import itertools
from collections.abc import Callable, Iterator

import pytest

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """One PostgreSQL cluster from Debian's packages on loopback for the whole run."""
    from app.sandbox.postgres_server import PostgresServer, find_bindir

    if find_bindir() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)")
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def team_database(postgres_server: object) -> Callable[..., str]:
    """Makes a fresh Todoku database; returns its name. Operators: login → (name, role)."""
    from app.sandbox.postgres_server import PostgresServer, make_team_database

    assert isinstance(postgres_server, PostgresServer)

    def make(operators: dict[str, tuple[str, str]] | None = None) -> str:
        name = f"todoku_test_{next(_database_numbers)}"
        make_team_database(
            postgres_server,
            name,
            operators if operators is not None else {"tanaka": ("田中", "delete")},
        )
        return name

    return make
