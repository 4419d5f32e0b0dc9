"""Line reading with a ceiling per line: universal line ends, long lines skipped, pipes live."""

from __future__ import annotations

import io
import os
import random
import re
import threading

import pytest

from app.core.bounded_lines import bounded_lines, text_lines


class Trickle(io.BytesIO):
    """A stream handing out at most ``step`` bytes per read, as a pipe does."""

    def __init__(self, data: bytes, step: int) -> None:
        super().__init__(data)
        self.step = step

    def read1(self, size: int = -1) -> bytes:
        return self.read(min(size, self.step) if size >= 0 else self.step)


def lines(data: bytes, limit: int, step: int = 1 << 16) -> list[bytes | None]:
    return list(bounded_lines(Trickle(data, step), limit))


@pytest.mark.parametrize(
    ("data", "limit", "expected"),
    [
        (b"a\nb\r\nc\rd", 10, [b"a\n", b"b\r\n", b"c\r", b"d"]),  # LF, CRLF, old-Mac CR, none
        (b"a\r", 10, [b"a\r"]),
        (b"", 10, []),
        (b"x" * 10 + b"\ny\n", 10, [b"x" * 10 + b"\n", b"y\n"]),
        (b"x" * 11 + b"\ny\n", 10, [None, b"y\n"]),
        (b"x" * 11, 10, [None]),
    ],
)
def test_line_ends_and_the_limit(data: bytes, limit: int, expected: list[bytes | None]) -> None:
    assert lines(data, limit) == expected
    assert lines(data, limit, step=1) == expected  # a CRLF split across reads is one line end


def test_agrees_with_universal_newlines_on_random_input() -> None:
    rng = random.Random(7)
    line = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
    for _ in range(2000):
        data = bytes(rng.choice(b"ab\r\n") for _ in range(rng.randint(0, 40)))
        limit, step = rng.randint(0, 8), rng.randint(1, 7)
        expected = [
            None if len(m.group().rstrip(b"\r\n")) > limit else m.group()
            for m in line.finditer(data)
            if m.group()
        ]
        assert lines(data, limit, step) == expected, (data, limit, step)


def test_an_endless_line_is_skipped_without_being_kept() -> None:
    data = b"a\n" + b"z" * 5_000_000 + b"\r\nb\n"
    assert lines(data, 1000) == [b"a\n", None, b"b\n"]


def test_a_line_from_a_pipe_comes_before_the_pipe_ends() -> None:
    """`todoku-cli classify` answers each line typed at a terminal: reading must not wait for
    a full buffer (or the end of input) before handing out the first line."""
    read_end, write_end = os.pipe()
    got: list[bytes | None] = []
    with os.fdopen(read_end, "rb") as reader, os.fdopen(write_end, "wb") as writer:
        writer.write(b"first\n")
        writer.flush()
        thread = threading.Thread(target=lambda: got.append(next(bounded_lines(reader, 100))))
        thread.daemon = True
        thread.start()
        thread.join(timeout=5)
        assert got == [b"first\n"]


def test_text_lines_number_and_explain_bad_lines() -> None:
    data = b"\xef\xbb\xbfa@example.jp\r\xff\xfe\r" + b"y" * 20 + b"\rb@example.jp"
    found = list(text_lines(io.BytesIO(data), 15))
    assert [(t.number, t.text) for t in found if not t.problem_ja] == [
        (1, "a@example.jp"),
        (4, "b@example.jp"),
    ]
    assert found[1].not_utf8 and "2 行目" in found[1].problem_ja
    assert "3 行目が長すぎます" in found[2].problem_ja


class Endless(io.RawIOBase):
    """A source that never ends and never holds a line end (/dev/zero, ``yes | tr -d '\\n'``)."""

    def __init__(self) -> None:
        self.handed_out = 0

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        if self.handed_out > 100_000_000:
            raise AssertionError("still reading one endless line after 100 MB")
        chunk = b"\0" * (size if size > 0 else 65536)
        self.handed_out += len(chunk)
        return chunk


def test_a_line_past_the_limit_is_reported_before_it_ends() -> None:
    """A reader that gives up at the first bad line (``delete --emails-file``) must get the
    report at once: waiting for the end of an endless line (``--emails-file /dev/zero``) read
    for ever, at full CPU."""
    source = Endless()
    assert next(bounded_lines(source, 1000)) is None
    assert source.handed_out < 1_000_000


def test_an_endless_source_stops_a_deletion_file_at_once(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(
        os.environ, PYTHONPATH=str(root), SENDGRID_API_KEY="SG.key",
        XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "delete", "--list", "bounces", "--emails-file",
         "/dev/zero", "--yes", "--base-url", "http://127.0.0.1:9",
         "--journal", str(tmp_path / "journal.sqlite3")],
        capture_output=True, env=env, timeout=60, cwd=root, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 1
    stderr = done.stderr.decode("utf-8")
    assert "1 行目が長すぎます" in stderr and "Traceback" not in stderr
