"""The shared AWS credentials file in the encodings Windows editors and shells write."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from app.core.errors import ProviderSetupError
from app.core.providers.aws_credentials import resolve_credentials
from app.core.providers.aws_sigv4 import AwsCredentials

TEXT = (
    "# 本番用のキー（営業部）\n[default]\naws_access_key_id = AKIDEXAMPLE\n"
    "aws_secret_access_key = example-secret-not-real\n[sub]\n"
    "aws_access_key_id = AKIDSUB\naws_secret_access_key = sub-secret-not-real\n"
)


def resolve(path: Path, profile: str = "") -> AwsCredentials:
    environ = {"AWS_SHARED_CREDENTIALS_FILE": str(path)}
    return resolve_credentials(profile=profile, environ=environ, use_botocore=False)


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),  # Notepad's "UTF-8 (BOM 付き)"
        TEXT.encode("utf-16"),  # PowerShell 5's "> credentials": UTF-16 LE with a BOM
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    ],
)
def test_utf8_and_utf16_with_a_bom_are_read(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "credentials"
    path.write_bytes(raw)
    found = resolve(path, "sub")
    assert (found.access_key_id, found.secret_access_key) == ("AKIDSUB", "sub-secret-not-real")


def test_shift_jis_is_a_japanese_error_without_the_keys(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_bytes(TEXT.encode("shift_jis"))
    with pytest.raises(ProviderSetupError) as caught:
        resolve(path)
    error = caught.value
    assert "UTF-8" in error.message_ja and "保存し直して" in error.next_step_ja
    assert str(path) in error.detail
    for secret in ("example-secret-not-real", "AKIDEXAMPLE"):
        assert secret not in f"{error.message_ja} {error.next_step_ja} {error.detail}"


def test_a_missing_file_still_means_not_found(tmp_path: Path) -> None:
    with pytest.raises(ProviderSetupError) as caught:
        resolve(tmp_path / "none")
    assert "見つかりません" in caught.value.message_ja
