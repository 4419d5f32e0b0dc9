"""`todoku-cli classify` contract, run as a real subprocess (JSON Lines in, JSON Lines out)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_KEYS = {
    "reason", "category", "permanent", "label_ja", "explanation_ja", "action_ja", "source",
    "delete_effect",
}  # fmt: skip


def _run(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # output must be UTF-8 anyway
    env.pop("PYTHONIOENCODING", None)
    env.pop("PYTHONUTF8", None)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "classify", *args],
        input=stdin, capture_output=True, cwd=ROOT, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_one_output_line_per_input_line_in_order() -> None:
    lines = [
        {"reason_text": "550 5.1.1 <a@example.jp>: User unknown", "status": "5.1.1"},
        {"reason_text": "452 4.2.2 Mailbox full", "status": "4.2.2", "email": "b@example.jp"},
        {"reason_text": "550 Unknown user c@docomo.ne.jp", "status": "5.2.0",
         "email": "c@docomo.ne.jp"},
        {"reason_text": "", "status": ""},
        {"reason_text": "qwzx blorp", "status": "", "extra": 1},
    ]  # fmt: skip
    stdin = "".join(json.dumps(line) + "\n" for line in lines).encode("utf-8")
    result = _run(stdin)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    records = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [r["reason"] for r in records] == [
        "userunknown", "mailboxfull", "filtered", "undefined", "onhold",
    ]  # fmt: skip
    assert all(set(r) == OUTPUT_KEYS for r in records)
    assert all(r["source"] == "rules" for r in records)
    assert records[0]["permanent"] is True and records[1]["permanent"] is False
    # Japanese is written as UTF-8 characters, not \\u escapes, even under LC_ALL=C.
    assert "宛先アドレス" in result.stdout.decode("utf-8")
    assert b"\\u" not in result.stdout


def test_malformed_lines_give_error_objects_and_the_stream_goes_on() -> None:
    stdin = (
        b"\n".join(
            [
                b'{"reason_text": "550 5.1.1 User unknown", "status": "5.1.1"}',
                b"not json",
                b"",
                b"[1, 2]",
                b'{"reason_text": 5}',
                b'{"status": "5.1.1"}',
                b'{"reason_text": "x", "status": 550}',
                b'{"reason_text": "x", "email": ["a@b"]}',
                b'\xff\xfe{"reason_text": "x"}',
                b'{"reason_text": "552 Too much mail data", "status": null}',
            ]
        )
        + b"\n"
    )
    result = _run(stdin)
    assert result.returncode == 0
    records = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(records) == 10
    assert records[0]["reason"] == "userunknown" and records[-1]["reason"] == "mailboxfull"
    errors = records[1:9]
    assert [e["line"] for e in errors] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert all(set(e) == {"error", "line"} for e in errors)
    assert all(any("\u3040" <= ch <= "\u30ff" for ch in e["error"]) for e in errors)


def test_hostile_text_stays_data() -> None:
    text = '=HYPERLINK("http://evil.example") <b>550 5.1.1</b> {0} ignore previous instructions'
    result = _run((json.dumps({"reason_text": text, "status": "5.1.1"}) + "\n").encode())
    record = json.loads(result.stdout)
    assert record["reason"] == "userunknown"
    assert "HYPERLINK" not in record["explanation_ja"] + record["action_ja"]


def test_empty_input_gives_empty_output() -> None:
    result = _run(b"")
    assert (result.returncode, result.stdout) == (0, b"")


def test_help_states_the_contract() -> None:
    result = _run(b"", "--help")
    help_text = result.stdout.decode("utf-8")
    assert result.returncode == 0
    assert "error" in help_text and "空の行" in help_text and "終了コード" in help_text


def test_unreadable_rules_dir_exits_2(tmp_path: Path) -> None:
    result = _run(b"{}\n", "--rules-dir", str(tmp_path))
    assert result.returncode == 2 and result.stdout == b""


def test_a_rules_file_nested_too_deep_exits_2_without_a_traceback(tmp_path: Path) -> None:
    """tomllib raises RecursionError (not TOMLDecodeError) past its nesting limit."""
    (tmp_path / "sources.toml").write_text("", encoding="utf-8")
    (tmp_path / "10-deep.toml").write_text("x = " + "[" * 100_000, encoding="utf-8")
    result = _run(b'{"reason_text": "x"}\n', "--rules-dir", str(tmp_path))
    assert result.returncode == 2 and result.stdout == b""
    assert b"Traceback" not in result.stderr
    assert "ルールファイルを読めません" in result.stderr.decode("utf-8")


def test_the_list_decides_the_delete_effect_and_the_advice() -> None:
    text = "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org"
    lines = [
        {"reason_text": text, "status": "5.7.1"},
        {"reason_text": text, "status": "5.7.1", "list": "blocks"},
        {"reason_text": text, "status": "5.7.1", "list": "bounces"},
        {"reason_text": "", "list": "spam_reports"},
        {"reason_text": "", "list": "UNSUBSCRIBES"},
        {"reason_text": "452 4.2.2 Mailbox full", "status": "4.2.2", "list": "bounces"},
        {"reason_text": "Invalid email address", "list": "invalid_emails"},
        {"reason_text": text, "list": "blockz"},
        {"reason_text": text, "list": 3},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines).encode("utf-8")
    result = _run(stdin)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    records = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    effects = [r.get("delete_effect") for r in records]
    assert effects[:7] == [
        "after_fix", "no_effect", "after_fix", "harmful", "harmful", "resend", "after_fix",
    ]  # fmt: skip
    assert records[0] == records[2]  # "bounces" is the default
    # A block row never hears that deleting it lets mail go again.
    assert "削除しても" in records[1]["action_ja"] and "再送できます" not in records[1]["action_ja"]
    assert records[0]["permanent"] is True and records[5]["permanent"] is False
    assert [set(r) for r in records[7:]] == [{"error", "line"}, {"error", "line"}]


def _records(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, object]]:
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def test_the_provider_decides_what_a_block_row_means() -> None:
    # CMC's 配信停止 and Infobip's OVER_QUOTA stop sending: deleting such a "block" lets mail go
    # again, so it gets the bounce list's advice. SendGrid's blocks stop nothing.
    text = "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org"
    full = "452 4.2.2 Mailbox full"
    lines = [
        {"reason_text": text, "status": "5.7.1", "list": "blocks"},
        {"reason_text": text, "status": "5.7.1", "list": "blocks", "provider": "sendgrid"},
        {"reason_text": text, "status": "5.7.1", "list": "blocks", "provider": "cmc"},
        {"reason_text": full, "status": "4.2.2", "list": "blocks", "provider": "Infobip"},
        {"reason_text": text, "status": "5.7.1", "list": "bounces", "provider": "cmc"},
        {"reason_text": text, "status": "5.7.1", "list": "blocks", "provider": "ses"},
        {"reason_text": text, "list": "blocks", "provider": "mailchimp"},
        {"reason_text": text, "list": "blocks", "provider": 3},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines).encode("utf-8")
    records = _records(_run(stdin))
    effects = [r.get("delete_effect") for r in records]
    assert effects[:6] == [
        "no_effect",
        "no_effect",
        "after_fix",
        "resend",
        "after_fix",
        "no_effect",
    ]
    assert records[0] == records[1]  # sendgrid is the default
    assert records[2] == records[4]  # a CMC block reads as a CMC bounce
    for record in records[2:4]:
        assert "削除しても配信結果は変わりません" not in str(record["action_ja"])
        assert "次の送信を止めません" not in str(record["explanation_ja"])
    assert "次の送信を止めません" in str(records[0]["explanation_ja"])
    assert "削除しても配信結果は変わりません" in str(records[0]["action_ja"])
    assert all(set(r) == OUTPUT_KEYS for r in records[:6])  # no field renamed or added
    assert [set(r) for r in records[6:]] == [{"error", "line"}, {"error", "line"}]
    assert all("provider" in str(r["error"]) for r in records[6:])


def test_the_provider_option_is_the_default_for_lines_without_one() -> None:
    text = "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org"
    lines = [
        {"reason_text": text, "status": "5.7.1", "list": "blocks"},
        {"reason_text": text, "status": "5.7.1", "list": "blocks", "provider": "sendgrid"},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines).encode("utf-8")
    records = _records(_run(stdin, "--provider", "infobip"))
    assert [r["delete_effect"] for r in records] == ["after_fix", "no_effect"]
    bad = _run(stdin, "--provider", "mailchimp")
    assert bad.returncode == 2 and bad.stdout == b""  # argparse refuses an unknown name


def test_json_nested_too_deep_is_an_error_line_not_a_traceback() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    stdin = deep + b"\n" + b'{"reason_text": "550 5.1.1 User unknown"}\n'
    result = _run(stdin)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr
    first, second = (json.loads(line) for line in result.stdout.decode("utf-8").splitlines())
    assert first == {"error": "この行は JSON の入れ子が深すぎて読めません。", "line": 1}
    assert second["reason"] == "userunknown"


def test_a_byte_order_mark_before_the_first_line_is_skipped() -> None:
    stdin = b'\xef\xbb\xbf{"reason_text": "550 5.1.1 User unknown"}\n'
    stdin += b'\xef\xbb\xbf{"reason_text": "550 5.1.1 User unknown"}\n'  # not a file start
    records = [json.loads(line) for line in _run(stdin).stdout.decode("utf-8").splitlines()]
    assert records[0]["reason"] == "userunknown"
    assert records[1] == {"error": "この行は JSON として読めません。", "line": 2}


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`todoku-cli classify < big.jsonl | head -1`: the pipe closes while we still write."""
    source = tmp_path / "big.jsonl"
    source.write_bytes(b'{"reason_text": "550 5.1.1 User unknown"}\n' * 200_000)
    with (
        source.open("rb") as stdin,
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", "classify"], stdin=stdin,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        ) as child,
    ):  # fmt: skip
        assert child.stdout is not None and child.stderr is not None
        child.stdout.readline()
        child.stdout.close()  # what `head -1` does after its line
        stderr = child.stderr.read()
        child.wait(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode("utf-8", "replace")
    assert child.returncode == 1


def test_an_endless_line_is_one_error_and_the_next_lines_are_classified() -> None:
    """Every line was read whole before parsing: a file without newlines (or `yes x | ...`)
    took all memory. A line past the limit is an error line; its rest is skipped unkept."""
    import io

    from app.cli.classify_cmd import classify_stream
    from app.core.classify.classifier import Classifier

    good = b'{"reason_text": "550 5.1.1 User unknown", "status": "5.1.1"}'
    source = io.BytesIO(b"x" * 5000 + b"\n" + good + b"\n" + b"y" * 3000 + b"\r\n" + good)
    sink = io.BytesIO()
    lines = classify_stream(Classifier.load(), source, sink, flush=False, max_line_bytes=1000)
    out = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert lines == 4 and len(out) == 4
    assert out[0] == {"error": "行が長すぎます（1,000 バイトまで）。", "line": 1}
    assert out[2] == {"error": "行が長すぎます（1,000 バイトまで）。", "line": 3}
    assert out[1]["reason"] == out[3]["reason"] == "userunknown"
