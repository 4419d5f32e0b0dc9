"""ChildSandbox: practice mode's SendGrid imitation in a child process (`todoku-cli sandbox`)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
_URL_PREFIX = "http://127.0.0.1:"


def cli_command() -> list[str] | None:
    """How to run ``todoku-cli`` as a child: this interpreter with ``-m app.cli``.

    None in a frozen build: there is no interpreter beside the app to run ``-m`` with, so the
    caller keeps the in-process sandbox there.
    """
    if getattr(sys, "frozen", False):
        return None
    return [sys.executable, "-m", "app.cli"]


class ChildSandbox:
    """Runs the sandbox as ``todoku-cli sandbox`` in its own process (``SandboxHandle``).

    In the app's process the sandbox's HTTP threads (encoding every page as JSON) and its
    generated records compete with the GUI thread for the GIL and the garbage collector: before
    the other fixes, the window stalled up to 0.9 s while 200k rows streamed in from an
    in-process sandbox, against 0.35 s from a child (benchmarks/grid.py).

    ``start()`` blocks until the child prints its base URL on its first stdout line (~0.1 s for
    practice-sized data); a child that neither prints nor exits within ``startup_timeout_s`` is
    killed. The API key is the sandbox's own, never a real one. ``provider`` picks another
    service's imitation (``todoku-cli sandbox --provider``).
    """

    def __init__(
        self,
        *,
        entries: int,
        seed: int,
        api_key: str | None,
        incident_days_ago: int | None = None,
        command: Sequence[str] | None = None,
        startup_timeout_s: float = STARTUP_TIMEOUT_S,
        provider: str = "sendgrid",
    ) -> None:
        self._command = list(command) if command is not None else cli_command()
        self._arguments = [
            "sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--entries",
            str(entries),
            "--seed",
            str(seed),
        ]
        if api_key is not None:  # None: the imitation's own practice credentials
            self._arguments += ["--api-key", api_key]
        if provider != "sendgrid":  # CMC, Infobip, SES: their imitation, same flags
            self._arguments += ["--provider", provider]
        if incident_days_ago is not None:
            self._arguments += ["--incident-days-ago", str(incident_days_ago)]
        self._startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> str:
        """Launch the child and return its base URL (the same URL if already started)."""
        if self._process is not None:
            return self.base_url
        if not self._command:
            raise RuntimeError("no todoku-cli command to run in this build")
        process = subprocess.Popen(
            [*self._command, *self._arguments],
            stdin=subprocess.DEVNULL,
            env={**os.environ, "TODOKU_SANDBOX_WATCH_PARENT": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # its banner is for people at a terminal
            text=True,
            encoding="utf-8",
        )
        # Killing the child ends readline() with EOF, so a hung start cannot hang the caller.
        watchdog = threading.Timer(self._startup_timeout_s, process.kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
        finally:
            watchdog.cancel()
        if not line.startswith(_URL_PREFIX):
            _end(process)
            raise RuntimeError(
                f"sandbox child gave no URL (exit code {process.returncode}): {line[:200]!r}"
            )
        self._process, self.base_url = process, line
        log.info("practice sandbox child pid %d at %s", process.pid, line)
        return line

    def stop(self) -> None:
        """Ask the child to stop (SIGTERM; it closes its server), kill it if it lingers."""
        process, self._process = self._process, None
        if process is not None:
            _end(process)


def _end(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            log.warning("sandbox child %d ignored SIGTERM; killing it", process.pid)
            process.kill()
            process.wait(STOP_TIMEOUT_S)
    if process.stdout is not None:
        process.stdout.close()
