"""`todoku-cli sandbox` extensions used by practice mode: an incident day, and exiting with the
app that started it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from app.core.dates import today_jst

ROOT = Path(__file__).resolve().parents[2]
KEY = "SG.cli-extension-test"


def test_incident_day_has_a_low_delivery_rate() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "sandbox", "--api-key", KEY, "--entries", "600",
         "--incident-days-ago", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        base_url = process.stdout.readline().strip()
        today = today_jst()
        days = httpx.get(
            f"{base_url}/v3/stats",
            params={"start_date": str(today - timedelta(days=4)), "end_date": str(today)},
            headers={"Authorization": f"Bearer {KEY}"},
        ).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    rates = {
        day["date"]: day["stats"][0]["metrics"]["delivered"]
        / day["stats"][0]["metrics"]["requests"]
        for day in days
        if day["stats"][0]["metrics"]["requests"]
    }
    incident = str(today - timedelta(days=2))
    assert rates[incident] < 0.9
    assert all(rate >= 0.97 for day, rate in rates.items() if day != incident)


def test_watched_sandbox_exits_when_its_parent_dies() -> None:
    # A middle process starts the sandbox and dies at once, as a killed app would.
    launcher = (
        "import os, subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-m', 'app.cli', 'sandbox', '--entries', '10'],"
        " stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)\n"
        "child.stdout.readline()\n"
        "print(child.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    env = {**os.environ, "TODOKU_SANDBOX_WATCH_PARENT": "1"}
    result = subprocess.run(
        [sys.executable, "-c", launcher], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    pid = int(result.stdout.strip())
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(pid, 9)
    raise AssertionError("the sandbox outlived its parent")


@pytest.mark.parametrize("days", ["1000000", "-1", "3651"])
def test_an_impossible_incident_day_is_refused_in_japanese(days: str) -> None:
    # 1,000,000 days back is before year 1 (an OverflowError traceback); a negative count
    # named a day still to come and the server started as if nothing were wrong (a timeout).
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "sandbox", "--incident-days-ago", days],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=30,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr[-400:]
    assert result.returncode == 2
    assert "起動できません: --incident-days-ago は 0〜3,650 の日数にしてください" in result.stderr


@pytest.mark.parametrize("faults", ["oops=1", "429=x", "429=2", "429=0.7,500=0.7"])
def test_a_bad_fault_plan_is_explained_in_japanese(faults: str) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "sandbox", "--faults", faults],
        cwd=root, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "起動できません: 障害の" in done.stderr, done.stderr
