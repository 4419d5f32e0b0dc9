"""A tiny authoritative DNS imitation on 127.0.0.1 (UDP) for the DMARC record checks.

Answers TXT and PTR questions from a dict; anything else gets NXDOMAIN. Lets the tests and
practice mode exercise the real resolver code over loopback without the internet.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Mapping

import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class DnsSandbox:
    """``records`` maps (name, "TXT"|"PTR") to answers; names without a trailing dot.

    ``delay`` seconds pass before each answer: a server that answers just inside the
    resolver's timeout, as a hostile report's authoritative server can, one query at a time.
    ``on_question(name, kind)`` is called with each question as it is answered (before the
    answer leaves): a test acts at a known point of a pass, e.g. cancels it at its third query.
    """

    def __init__(
        self,
        records: Mapping[tuple[str, str], list[str]],
        *,
        delay: float = 0.0,
        on_question: Callable[[str, str], None] | None = None,
    ) -> None:
        self._delay = delay
        self._on_question = on_question
        self._records = {
            (name.lower().rstrip("."), kind): list(v) for (name, kind), v in records.items()
        }
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port: int = self._socket.getsockname()[1]
        self.questions: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="dns-sandbox", daemon=True)

    def start(self) -> DnsSandbox:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self._socket.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                query = dns.message.from_wire(data)
            except Exception:  # a malformed packet is dropped, as real servers do
                continue
            if self._delay and self._stop.wait(self._delay):
                return
            self._socket.sendto(self._answer(query).to_wire(), peer)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= 0x0400  # AA: authoritative
        question = query.question[0]
        name = question.name.to_text().lower().rstrip(".")
        kind = dns.rdatatype.to_text(question.rdtype)
        self.questions.append((name, kind))
        if self._on_question is not None:
            self._on_question(name, kind)
        answers = self._records.get((name, kind))
        if answers is None:
            if not any(known == name for known, _ in self._records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        if kind == "TXT":
            # TXT data is one or more character-strings of at most 255 octets (RFC 1035 §3.3,
            # §3.3.14); a longer text is published as several, joined by the reader (RFC 7208
            # §3.3 says so for SPF).
            texts = [" ".join(_quoted(part) for part in _txt_strings(a)) for a in answers]
        else:
            texts = [a.rstrip(".") + "." for a in answers]
        rrset = dns.rrset.from_text_list(
            question.name, 300, dns.rdataclass.IN, question.rdtype, texts
        )
        response.answer.append(rrset)
        return response


def _txt_strings(text: str, limit: int = 255) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` UTF-8 octets, never inside a character."""
    pieces: list[str] = []
    current, size = "", 0
    for char in text:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    return [*pieces, current]


def _quoted(text: str) -> str:
    """A TXT character-string in zone-file form: quotes and backslashes escaped, control
    characters as \\DDD (RFC 1035 §5.1), so a hostile record can carry them."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\{ord(m.group()):03d}", escaped) + '"'
