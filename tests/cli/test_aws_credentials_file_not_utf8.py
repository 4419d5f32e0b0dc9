"""An AWS shared credentials file that is not UTF-8 is a Japanese error, not a traceback.

``~/.aws/credentials`` written by Windows PowerShell 5 (``> credentials`` writes UTF-16) or
with a Japanese comment saved in Shift_JIS made ``configparser`` raise UnicodeDecodeError,
which ``aws_credentials._from_shared_file`` does not catch (it catches OSError and
configparser.Error): ``todoku-cli fetch --provider ses`` ended in a Python traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main

TEXT = (
    "# 本番用のキー（営業部）\n[default]\naws_access_key_id = AKIDEXAMPLE\n"
    "aws_secret_access_key = example-secret-not-real\n"
)


@pytest.mark.parametrize("encoding", ["shift_jis", "utf-16"])
def test_fetch_with_a_credentials_file_in_another_encoding(
    monkeypatch, capsys, tmp_path: Path, encoding: str
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_bytes(TEXT.encode(encoding))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_REGION", "ap-northeast-1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    code = main(
        ["fetch", "--provider", "ses", "--from", "2026-11-01", "--to", "2026-11-01",
         "--no-history", "--base-url", "http://127.0.0.1:9"]
    )  # fmt: skip

    err = capsys.readouterr().err
    assert code == 1, err
    assert "エラー:" in err, err
    assert "example-secret-not-real" not in err
