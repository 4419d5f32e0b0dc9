"""Where SES credentials come from: an explicit key pair, else the standard AWS chain.

The chain order follows the AWS SDKs' documented default: environment variables
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``), then the shared
credentials file (``AWS_SHARED_CREDENTIALS_FILE`` or ``~/.aws/credentials``, profile
``AWS_PROFILE`` or ``default``). Anything further (SSO, assume-role, instance metadata) needs
botocore: it is used when installed, imported here only, at fetch time, never at start-up.
"""

from __future__ import annotations

import codecs
import configparser
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from app.core.errors import ProviderSetupError
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.regular_files import read_regular_file

log = logging.getLogger(__name__)
# A credentials file holds a few profiles; past this it is not one (AWS_SHARED_CREDENTIALS_FILE
# pointed at /dev/zero read until memory ran out).
MAX_CREDENTIALS_BYTES = 1024 * 1024


def region_from_environment(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()


def resolve_credentials(
    explicit: AwsCredentials | None = None,
    *,
    profile: str = "",
    environ: Mapping[str, str] | None = None,
    use_botocore: bool = True,
) -> AwsCredentials:
    """The first credentials found; a Japanese ``ProviderSetupError`` when there are none."""
    if explicit is not None and explicit.access_key_id and explicit.secret_access_key:
        return explicit
    env = os.environ if environ is None else environ
    key_id = env.get("AWS_ACCESS_KEY_ID", "").strip()
    secret = env.get("AWS_SECRET_ACCESS_KEY", "").strip()
    if key_id and secret:
        return AwsCredentials(key_id, secret, env.get("AWS_SESSION_TOKEN", "").strip())
    chosen_profile = profile or env.get("AWS_PROFILE", "") or "default"
    from_file = _from_shared_file(env, chosen_profile)
    if from_file is not None:
        return from_file
    if use_botocore:
        found = _from_botocore(chosen_profile)
        if found is not None:
            return found
    raise ProviderSetupError(
        "Amazon SES の認証情報が見つかりません。",
        next_step_ja=(
            "設定画面でアクセスキー ID とシークレットアクセスキーを保存するか、"
            "環境変数 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY、"
            "または ~/.aws/credentials のプロファイルを用意してください。"
        ),
    )


def _from_shared_file(env: Mapping[str, str], profile: str) -> AwsCredentials | None:
    path = Path(env.get("AWS_SHARED_CREDENTIALS_FILE") or Path.home() / ".aws" / "credentials")
    parser = configparser.RawConfigParser()
    try:
        raw = read_regular_file(path, MAX_CREDENTIALS_BYTES, pipes=True)
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("aws: cannot read the shared credentials file (%s)", type(error).__name__)
        return None
    try:
        parser.read_string(_decoded(raw, path))
    except configparser.Error as error:
        log.warning("aws: cannot read the shared credentials file (%s)", type(error).__name__)
        return None
    if not parser.has_section(profile):
        return None
    section = parser[profile]
    key_id = section.get("aws_access_key_id", "").strip()
    secret = section.get("aws_secret_access_key", "").strip()
    if not key_id or not secret:
        return None
    return AwsCredentials(key_id, secret, section.get("aws_session_token", "").strip())


def _decoded(raw: bytes, path: Path) -> str:
    """The credentials file as text: UTF-8 (with or without a BOM), or UTF-16 with its BOM, as
    Windows PowerShell 5 writes ``> credentials``. Anything else (a Japanese comment saved in
    Shift_JIS) is a Japanese error naming the file: guessing a legacy encoding could misread the
    keys, and "credentials not found" would send the operator looking in the wrong place."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise ProviderSetupError(
            "AWS の認証情報ファイルを読めません（文字コードが UTF-8 ではありません）。",
            next_step_ja=(
                "メモ帳などでファイルを開き、文字コードを UTF-8 にして保存し直してください。"
                "日本語のコメントは削除しても構いません。"
            ),
            # Where, never what: the bytes around the error may be part of a key.
            detail=f"{path}: {encoding} として読めないバイトがあります（{error.start} バイト目）",
        ) from None


def _from_botocore(profile: str) -> AwsCredentials | None:
    try:
        import botocore.session  # type: ignore[import-untyped]  # optional, heavy: only here
    except ImportError:
        return None
    try:
        session = botocore.session.Session(profile=None if profile == "default" else profile)
        found = session.get_credentials()
        if found is None:
            return None
        frozen = found.get_frozen_credentials()
    except Exception as error:  # any chain failure means "not found here"
        log.info("aws: botocore credential chain failed (%s)", type(error).__name__)
        return None
    return AwsCredentials(frozen.access_key, frozen.secret_key, frozen.token or "")
