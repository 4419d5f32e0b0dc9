"""An OS keyring backend for tests of the real KeyringSecretStore: it can be locked (every call
raises ``KeyringLocked``, as the Secret Service does when the unlock prompt is dismissed) or
slow (each read or write waits, as a keyring waiting on D-Bus does).

A slow keyring can also be *held*: each read (``hold_reads``) or write (``hold_writes``) then
waits until the GUI thread's event loop has run a timer (``loop_turned``, driven by the
fixture) while the call was in flight. Whether the window stayed responsive is then shown by
the order of events, not by milliseconds measured on a machine that may be busy: a call made on
the GUI thread is recorded as such (nothing could release it, so it is answered at once), and
a call whose job the GUI thread waits for is never released and gives up after
``HOLD_LIMIT_S``, recorded as never having seen the event loop run. (Not detected, as only a
clock could: a GUI thread that stalls for a while but runs again before the call answers.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

# Only reached when the GUI thread is blocked (a failing test): long enough for any loaded
# machine to run one timer of a responsive event loop.
HOLD_LIMIT_S = 20.0


@dataclass
class HeldCall:
    """One held keyring call: where it ran and whether the GUI's event loop ran during it."""

    what: str
    thread_name: str
    on_gui_thread: bool
    loop_turned: threading.Event = field(default_factory=threading.Event)
    answered: bool = False

    def problem(self) -> str | None:
        if self.on_gui_thread:
            return f"{self.what} ran on the GUI thread"
        if not self.loop_turned.is_set():
            return (
                f"{self.what} (thread {self.thread_name}) waited {HOLD_LIMIT_S:.0f} s and the "
                "GUI thread's event loop never ran meanwhile"
            )
        return None


class ScriptedKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.locked = False
        self.read_delay_s = 0.0
        self.write_delay_s = 0.0
        self.hold_reads = False
        self.hold_writes = False
        self.held: list[HeldCall] = []
        self.values: dict[tuple[str, str], str] = {}
        self._held_lock = threading.Lock()

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def _wait(self, what: str, delay_s: float, hold: bool) -> None:
        if not hold:
            time.sleep(delay_s)
            return
        on_gui_thread = threading.current_thread() is threading.main_thread()
        call = HeldCall(what, threading.current_thread().name, on_gui_thread)
        with self._held_lock:
            self.held.append(call)
        if not on_gui_thread:  # on the GUI thread nothing could release it: answer at once
            call.loop_turned.wait(HOLD_LIMIT_S)
            # A test that looks at the progress shown meanwhile keeps the call in flight longer.
            time.sleep(delay_s)
        with self._held_lock:
            call.answered = True

    def loop_turned(self) -> None:
        """On the GUI thread, from a timer: every held call still waiting has now seen the
        event loop run while it was in flight, and may answer."""
        with self._held_lock:
            for call in self.held:
                if not call.answered:
                    call.loop_turned.set()

    def unanswered(self) -> int:
        """Held calls in flight (started, not yet answered)."""
        with self._held_lock:
            return sum(not call.answered for call in self.held)

    def assert_gui_ran_during_held_calls(self, at_least: int = 1) -> None:
        """At least ``at_least`` calls were held, each off the GUI thread and answered only
        after the GUI thread's event loop had run while it waited."""
        with self._held_lock:
            calls = list(self.held)
        problems = [p for p in (call.problem() for call in calls) if p]
        assert not problems, "; ".join(problems)
        assert len(calls) >= at_least, f"{len(calls)} keyring call(s) held, {at_least} expected"

    def get_password(self, service: str, username: str) -> str | None:
        self._wait(f"read of {username}", self.read_delay_s, self.hold_reads)
        self._check()
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._wait(f"write of {username}", self.write_delay_s, self.hold_writes)
        self._check()
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._wait(f"deletion of {username}", self.write_delay_s, self.hold_writes)
        self._check()
        self.values.pop((service, username), None)


@contextmanager
def installed_keyring() -> Iterator[ScriptedKeyring]:
    """Make a ScriptedKeyring the process's keyring backend; the previous one is put back."""
    previous = keyring.get_keyring()
    backend = ScriptedKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
