"""`todoku-cli sandbox` as a real subprocess: first line is the base URL, SIGTERM/SIGINT end it."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from app.sandbox.sendgrid_server import SANDBOX_API_KEY

ROOT = Path(__file__).resolve().parents[2]


def spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "sandbox", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )


def first_line(process: subprocess.Popen[str], timeout: float = 20) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not lines:
        process.kill()
        pytest.fail("the sandbox printed no base URL in time")
    return lines[0].strip()


def stop(process: subprocess.Popen[str], sig: int) -> tuple[int, str]:
    process.send_signal(sig)
    try:
        _, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_prints_base_url_serves_and_exits_cleanly(sig: int) -> None:
    process = spawn("--entries", "300", "--seed", "3", "--rate-limit", "600")
    base_url = first_line(process)
    try:
        assert base_url.startswith("http://127.0.0.1:")
        headers = {"Authorization": f"Bearer {SANDBOX_API_KEY}"}
        response = httpx.get(f"{base_url}/v3/suppression/bounces", headers=headers, timeout=10)
        assert response.status_code == 200 and response.json()
        assert response.headers["x-ratelimit-limit"] == "600"
        assert httpx.get(f"{base_url}/v3/scopes", timeout=10).status_code == 401
    finally:
        code, stderr = stop(process, sig)
    assert code == 0
    assert SANDBOX_API_KEY in stderr and "API キー" in stderr


def test_data_file_and_custom_key(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    line = {"list": "blocks", "email": "only@docomo.ne.jp", "created": 1732950000, "reason": "x"}
    data.write_text(json.dumps(line) + "\n", encoding="utf-8")
    process = spawn("--data", str(data), "--api-key", "SG.custom", "--faults", "500=1")
    base_url = first_line(process)
    try:
        headers = {"Authorization": "Bearer SG.custom"}
        response = httpx.get(f"{base_url}/v3/suppression/blocks", headers=headers, timeout=10)
        assert response.status_code == 500  # every request faulted, as asked
    finally:
        code, _ = stop(process, signal.SIGTERM)
    assert code == 0


GOOD_LINE = '{"list": "bounces", "email": "a@example.jp", "created": 1}\n'


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("{oops\n", 1),
        # RecursionError from json.loads escaped as a traceback
        (GOOD_LINE + "[" * 100_000 + "]" * 100_000 + "\n", 2),
        # "Infinity" is accepted by json.loads; the sandbox then served invalid JSON
        (GOOD_LINE.replace("1}", "Infinity}") + GOOD_LINE, 1),
    ],
    ids=["not-json", "nested-too-deep", "infinite-created"],
)
def test_bad_data_file_is_reported(tmp_path: Path, content: str, line: int) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(content, encoding="utf-8")
    process = spawn("--data", str(data))
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 2
    assert "Traceback" not in stderr
    assert f"bad.jsonl:{line}" in stderr


@pytest.mark.parametrize("data", ["/dev/zero", "not-utf8"])
def test_a_data_file_without_lines_or_not_utf8_is_reported(tmp_path: Path, data: str) -> None:
    # /dev/zero was read as one endless line until memory ran out (MemoryError traceback), and
    # a Shift_JIS file was Python's "'utf-8' codec can't decode byte 0x81 in position 31".
    if data == "not-utf8":
        path = tmp_path / "sjis.jsonl"
        path.write_bytes(GOOD_LINE.replace("@", "＠").encode("shift_jis"))
        data = str(path)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "sandbox", "--data", data],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", env=env, timeout=60,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)),
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "1 行目" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # OverflowError from bind() escaped as a traceback
        (("--port", "99999"), "--port は 0〜65535"),
        (("--provider", "ses", "--port", "-1"), "--port は 0〜65535"),
        # socket.gaierror escaped as a traceback
        (("--host", "no-such-host.invalid"), "起動できません"),
        (("--provider", "cmc", "--host", "no-such-host.invalid"), "起動できません"),
        # generated 10^11 records in memory until the machine ran out of it
        (("--entries", "99999999999"), "--entries は 0 以上 2,000,000 以下"),
        (("--latency-ms", "nan"), "--latency-ms は 0 以上"),
    ],
)
def test_impossible_options_are_refused_in_japanese(args: tuple[str, ...], message: str) -> None:
    process = spawn(*args)
    try:
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:  # still generating or serving: the option was accepted
            process.kill()
            process.communicate()
    assert process.returncode == 2
    assert stdout == "" and "Traceback" not in stderr
    assert message in stderr
