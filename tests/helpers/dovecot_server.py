"""A real Dovecot IMAP server on loopback with a throwaway configuration, for the IMAP tests.

Everything lives in one temporary folder: configuration, a self-signed certificate made with
openssl, a passwd-file with one user, the maildir and the runtime sockets. The server runs in
the foreground (``-F``) as a child process and is stopped (SIGTERM, then SIGKILL) by ``stop``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.helpers.self_signed import make_certificate

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")


def find_dovecot() -> str | None:
    found = shutil.which("dovecot")
    if found:
        return found
    return next((path for path in DOVECOT_CANDIDATES if Path(path).is_file()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DovecotServer:
    def __init__(
        self, binary: str, username: str = "reports", password: str = "s3cret-pass"
    ) -> None:
        self.binary = binary
        self.username = username
        self.password = password
        self.port = 0
        self.folder = Path(tempfile.mkdtemp(prefix="todoku-dovecot-"))
        # Dovecot's login and mail processes run as other users: they must reach the folder.
        self.folder.chmod(0o755)
        self.cert = self.folder / "cert.pem"
        self.log = self.folder / "dovecot.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._make_certificate()
        (self.folder / "passwd").write_text(f"{self.username}:{{PLAIN}}{self.password}\n")
        home = self.folder / "home"
        home.mkdir()
        if os.geteuid() == 0:
            mail_user = "nobody"
            nobody = pwd.getpwnam("nobody")
            os.chown(home, nobody.pw_uid, nobody.pw_gid)
            extra = ""
        else:  # an unprivileged Dovecot runs everything as the user who started it
            mail_user = pwd.getpwuid(os.getuid()).pw_name
            extra = f"default_login_user = {mail_user}\ndefault_internal_user = {mail_user}\n"
        group = _group_of(mail_user)
        self.port = _free_port()
        config = self.folder / "dovecot.conf"
        config.write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {self.folder}/run
state_dir = {self.folder}/state
log_path = {self.log}
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{self.folder}/key.pem
auth_mechanisms = plain
{extra}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.folder}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={group} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.port}
    ssl = yes
  }}
}}
"""
        )
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                output = (
                    self._process.stdout.read().decode(errors="replace")
                    if self._process.stdout
                    else ""
                )
                raise RuntimeError(f"dovecot exited at start: {output}\n{self._log_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self._log_text()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if process is not None and process.stdout is not None:
            process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _make_certificate(self) -> None:
        make_certificate(self.folder)

    def _log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


def _group_of(user: str) -> str:
    import grp

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def running_dovecot() -> Iterator[DovecotServer]:
    """For a fixture (``yield from``): a started server, stopped afterwards; the test is
    skipped only when no dovecot binary exists."""
    import pytest

    binary = find_dovecot()
    if binary is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)")
    server = DovecotServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()
