"""One database connection per thread, opened on first use, closed together.

A connection serialises its users, so each worker thread gets its own; the store keeps every one
it opened so ``close_all`` can close them from any thread. Shared by the SQLite journal and
history and by the team's PostgreSQL stores.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class _Closable(Protocol):
    def close(self) -> None: ...


ConnectionT = TypeVar("ConnectionT", bound=_Closable)


class ThreadConnections(Generic[ConnectionT]):
    """``get()`` returns this thread's connection, opening one with ``open_connection`` when there
    is none or ``usable(connection)`` says it can no longer be used (a broken server link)."""

    def __init__(
        self,
        open_connection: Callable[[], ConnectionT],
        usable: Callable[[ConnectionT], bool] = lambda _: True,
    ) -> None:
        self._open = open_connection
        self._usable = usable
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[ConnectionT] = []

    def get(self) -> ConnectionT:
        connection: ConnectionT | None = getattr(self._local, "connection", None)
        if connection is None or not self._usable(connection):
            connection = self._open()
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def close_all(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()
