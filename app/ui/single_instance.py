"""One Todoku window per user and data folder.

Two copies of the window on one data folder each kept their own settings in memory and wrote
them whole, so whichever saved last silently removed what the other had added (an account, a
key's account, a sender). A second start therefore asks the running copy, through a local
socket, to bring its window to the front, and exits. A copy that crashed leaves no one to
answer (its socket refuses connections, its lock file names a dead process), so the next start
goes ahead as usual: nothing left behind by a crash can keep the operator out.

The socket's name depends on the user and the data folder, so another user, a test or
``--self-test`` (a folder of its own) is never taken for the running copy. A short-lived
``QLockFile`` in the data folder makes "ask, else listen" one step, so two copies started at
the same moment do not both end up listening.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QLockFile, QObject, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget

from app.core.errors import TodokuError

log = logging.getLogger(__name__)

LOCK_FILE = "todoku-instance.lock"
ACTIVATE = b"activate\n"
ANSWER = b"shown\n"
MAX_REQUEST_BYTES = 64  # anything longer is not a copy of Todoku asking: dropped
LOCK_WAIT_MS = 15_000  # another start holds the lock for at most about ANSWER_WAIT_MS
CONNECT_WAIT_MS = 2_000
# The running copy answers from its event loop, which a start on a slow PC may reach seconds
# after it began listening; only a copy frozen that long is called not answering.
ANSWER_WAIT_MS = 10_000
SUN_PATH_ROOM = 100  # sockaddr_un holds 108 bytes on Linux, 104 on macOS


class RunningCopyNotAnsweringError(TodokuError):
    """A copy of Todoku on this data folder accepted the connection but never answered."""

    default_message_ja = (
        "Todoku はすでに起動していますが、応答がありません。"
        "二つ目を起動すると設定が上書きされるおそれがあるため、起動を取りやめました。"
    )
    default_next_step_ja = (
        "開いている Todoku のウィンドウを探して閉じてから、もう一度起動してください。"
        "ウィンドウが見つからないか固まっている場合は、タスクマネージャー（macOS では"
        "アクティビティモニタ）で Todoku（python）を終了してから起動してください。"
    )


def _user_tag() -> str:
    if hasattr(os, "getuid"):
        return f"uid{os.getuid()}"
    return os.environ.get("USERDOMAIN", "") + "\\" + os.environ.get("USERNAME", "")


def _private_runtime_dir() -> Path | None:
    """$XDG_RUNTIME_DIR when it is this user's alone (no one else can put a socket there)."""
    if not hasattr(os, "getuid"):
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if not runtime:
        return None
    try:
        info = os.stat(runtime)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return Path(runtime)


def server_name(data_dir: Path) -> str:
    """The local socket of the copy that uses ``data_dir``: one per user and data folder."""
    where = os.fsencode(os.path.abspath(data_dir))
    digest = hashlib.sha256(_user_tag().encode("utf-8") + b"\0" + where).hexdigest()[:24]
    name = f"todoku-{digest}"
    runtime = _private_runtime_dir()
    if runtime is not None and len(os.fsencode(runtime / name)) < SUN_PATH_ROOM:
        return str(runtime / name)
    return name  # Qt's temporary folder (Unix) or a named pipe (Windows)


def _ask_running_copy(name: str) -> bool | None:
    """None: no copy listens; True: it brought its window forward; False: it never answered."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_WAIT_MS):
        return None  # nobody there, or a socket a crashed copy left (connection refused)
    socket.write(ACTIVATE)
    socket.flush()
    deadline = QDeadlineTimer(ANSWER_WAIT_MS)
    received = b""
    while len(received) < len(ANSWER) and not deadline.hasExpired():
        if socket.bytesAvailable() == 0 and not socket.waitForReadyRead(
            max(1, deadline.remainingTime())
        ):
            break
        received += bytes(socket.read(MAX_REQUEST_BYTES).data())
    socket.abort()
    return received.startswith(ANSWER)


def _listen(name: str) -> QLocalServer | None:
    server = QLocalServer()
    server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    if server.listen(name):
        return server
    # A socket file left by a crashed copy (nobody answered on it just now): take its place.
    QLocalServer.removeServer(name)
    if server.listen(name):
        return server
    log.warning("single instance: cannot listen on %s (%s)", name, server.errorString())
    return None


class InstanceGuard(QObject):
    """Held by the copy that keeps the window: answers later starts by showing ``window``."""

    def __init__(self, server: QLocalServer | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = server
        self.window: QWidget | None = None
        if server is not None:
            server.setParent(self)
            server.newConnection.connect(self._on_new_connection)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()  # removes the socket file on Unix
            self.server = None

    @Slot()
    def _on_new_connection(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.setParent(self)
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)
            self._on_ready_read(socket)

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if socket.bytesAvailable() < len(ACTIVATE):
            if socket.bytesAvailable() > MAX_REQUEST_BYTES:
                socket.abort()
            return
        request = bytes(socket.read(MAX_REQUEST_BYTES).data())
        if request != ACTIVATE:
            socket.abort()  # not a copy of Todoku: no answer
            return
        log.info("another start asked for the window: bringing it to the front")
        self.bring_forward()
        socket.write(ANSWER)
        socket.flush()
        socket.disconnectFromServer()

    def bring_forward(self) -> None:
        window = self.window
        if window is None:  # still starting: the window appears on its own
            return
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not window:  # a dialog open over it stays on top
            modal.raise_()
            modal.activateWindow()
        # Where the OS does not let another program take the focus (Windows), the taskbar
        # entry flashes instead.
        QApplication.alert(window)


def claim(data_dir: Path) -> InstanceGuard | None:
    """Ask a copy running on ``data_dir`` to show its window, else become that copy.

    Returns None when the running copy showed its window (this start should exit); otherwise
    the guard of this copy, its ``server`` None when listening was impossible (the start goes
    on regardless). Raises RunningCopyNotAnsweringError when a copy is there but never answered.
    """
    name = server_name(data_dir)
    lock = QLockFile(str(data_dir / LOCK_FILE))
    # A crash while holding it leaves a file naming a dead process: QLockFile calls it stale.
    locked = lock.tryLock(LOCK_WAIT_MS)
    if not locked:
        log.warning("single instance: lock file not taken (%s); asking anyway", lock.error())
    try:
        answered = _ask_running_copy(name)
        if answered is True:
            return None
        if answered is False:
            raise RunningCopyNotAnsweringError(detail=f"no answer on {name}")
        return InstanceGuard(_listen(name))
    finally:
        if locked:
            lock.unlock()
