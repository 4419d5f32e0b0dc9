"""AppSettings: every user setting with its type and default, stored as versioned JSON."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.accounts import (
    DEFAULT_ACCOUNT_NAME,
    Account,
    account_from_dict,
    account_to_dict,
    default_account,
)
from app.core.durable_files import replace_durably, unique_temporary
from app.core.errors import TodokuError
from app.core.regular_files import FileTooLargeError, NotARegularFileError, read_regular_file

log = logging.getLogger(__name__)

# Far above any real file (20,000 accounts take a few MB), far below what breaks the reader.
MAX_SETTINGS_BYTES = 64 * 1024 * 1024

# 2: accounts (``accounts``, ``active_account``). A version-1 file has neither and reads as the
# default SendGrid account alone, with its key where it always was.
SCHEMA_VERSION = 2
REGIONS = ("global", "eu")
# libpq's sslmode values; team mode requires TLS unless the administrator says otherwise.
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Business settings (API keys are NOT here: they live in the SecretStore).

    ``extra`` keeps keys this version does not know, so a newer file survives an older app.
    A value read from the file is checked against its field's type and the ``range`` (inclusive
    unless ``low_open``) and ``choices`` declared in the field's metadata.
    """

    region: str = field(default="global", metadata={"choices": REGIONS})
    subuser: str = ""
    # 詳細設定: a SendGrid-compatible host to use instead of the region's (a company gateway or
    # proxy, a sandbox started by hand); "" = the region's. Checked by app/core/base_url.py.
    sendgrid_base_url: str = ""
    practice_mode: bool = True
    # The switch to live was made on a PC without an OS keyring: its keys lived in memory only
    # and are gone at the next start, which therefore opens in practice mode (and says why).
    live_keys_in_memory: bool = False
    timeout_s: float = field(default=30.0, metadata={"range": (1.0, 600.0)})  # seconds
    max_concurrency: int = field(default=4, metadata={"range": (1, 32)})
    llm_enabled: bool = False
    llm_base_url: str = ""
    llm_model: str = ""
    # 配信状況: a day below this delivery rate is flagged (0 itself is no threshold).
    delivery_threshold: float = field(
        default=0.97, metadata={"range": (0.0, 1.0), "low_open": True}
    )
    alert_webhook_url: str = ""  # todoku-cli check posts here when --slack-webhook is not given
    # 連絡文 (app/core/letters): the sender's own facts. Letters never invent them: an empty value
    # renders as a visible 【…を記入】 placeholder.
    sender_org_name: str = ""
    sender_domain: str = ""  # our sending domain (the From / Return-Path domain)
    sender_ips: str = ""  # our sending IP addresses, comma or space separated
    sender_contact: str = ""  # 担当者名・電話・メールアドレス, as it should appear in letters
    sender_auth_status: str = ""  # e.g. "SPF pass / DKIM pass / DMARC pass"
    # Zendesk (app/core/zendesk): the API token is in the SecretStore, never here.
    zendesk_subdomain: str = ""
    zendesk_email: str = ""
    zendesk_requester_is_recipient: bool = False  # the bounced recipient becomes the requester
    # 取得履歴: entries not seen for this many days are dropped.
    history_retention_days: int = field(default=400, metadata={"range": (1, 3650)})
    # Accounts besides the default SendGrid one (whose region/subuser are the fields above).
    accounts: tuple[Account, ...] = ()
    active_account: str = ""  # empty: the default SendGrid account
    # 共有データベース (team mode, docs/team-mode.md): the journal a team shares on PostgreSQL.
    # The password is in the SecretStore (shared_db_password_key), never here.
    shared_db_enabled: bool = False
    shared_db_host: str = ""
    shared_db_port: int = field(default=5432, metadata={"range": (1, 65535)})
    shared_db_name: str = "todoku"
    shared_db_user: str = ""
    shared_db_sslmode: str = field(default="require", metadata={"choices": SSL_MODES})
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def replace(self, **changes: Any) -> AppSettings:
        return dataclasses.replace(self, **changes)

    def all_accounts(self) -> tuple[Account, ...]:
        """The default SendGrid account first, then the others in the order saved."""
        default = default_account(self.region, self.subuser)
        return (default, *(a for a in self.accounts if a.name != DEFAULT_ACCOUNT_NAME))

    def current_account(self) -> Account:
        """The account the window works on (the default one if the saved name is gone)."""
        for account in self.all_accounts():
            if account.name == (self.active_account or DEFAULT_ACCOUNT_NAME):
                return account
        return self.all_accounts()[0]


_FIELDS = {f.name: f for f in dataclasses.fields(AppSettings) if f.name != "extra"}
_SPECIAL = ("accounts",)
_DEFAULTS = AppSettings()


def _valid(default: Any, value: Any, rules: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    ok = isinstance(value, int | float if isinstance(default, float) else type(default))
    if ok and "range" in rules:
        low, high = rules["range"]
        ok = (low < value if rules.get("low_open") else low <= value) and value <= high
    return ok and value in rules.get("choices", (value,))


def _checked(name: str, value: Any) -> Any:
    """The value if it has the declared type, range and choices, else the default (logged)."""
    default = getattr(_DEFAULTS, name)
    if not _valid(default, value, _FIELDS[name].metadata):
        log.warning("settings: bad value for %s (%r); using default %r", name, value, default)
        return default
    return float(value) if isinstance(default, float) else value


def _accounts(value: Any) -> tuple[Account, ...]:
    if not isinstance(value, list):
        log.warning("settings: accounts is not a list; ignoring it")
        return ()
    # Keyed by name: a set lookup keeps a file grown to tens of thousands of accounts linear
    # (a list scan per account took ~11 s for 20,000). Dicts keep the order saved.
    accounts: dict[str, Account] = {}
    for item in value:
        account = account_from_dict(item) if isinstance(item, dict) else None
        if account is None or account.name in accounts:
            log.warning("settings: skipping an unreadable or repeated account")
            continue
        accounts[account.name] = account
    return tuple(accounts.values())


def settings_from_dict(data: dict[str, Any]) -> AppSettings:
    """Build settings from parsed JSON; unknown keys go to ``extra``.

    Migration: version 1 had no accounts; its fields mean the same in version 2, so reading it
    needs no rewrite (the next save writes version 2).
    """
    version = data.get("schema_version", SCHEMA_VERSION)
    if version not in (1, SCHEMA_VERSION):
        log.info("settings: schema_version %r read as %d", version, SCHEMA_VERSION)
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key == "schema_version":
            continue
        if key == "accounts":
            known[key] = _accounts(value)
        elif key in _FIELDS:
            known[key] = _checked(key, value)
        else:
            extra[key] = value
    return AppSettings(**known, extra=extra)


def settings_to_dict(settings: AppSettings) -> dict[str, Any]:
    data: dict[str, Any] = dict(settings.extra)
    data.update({name: getattr(settings, name) for name in _FIELDS if name not in _SPECIAL})
    data["accounts"] = [account_to_dict(account) for account in settings.accounts]
    data["schema_version"] = SCHEMA_VERSION
    return data


class SettingsFileError(TodokuError):
    """settings.json exists but could not be used: the app runs on the defaults and says so."""

    default_message_ja = "設定ファイルを読み取れないため、既定の設定で起動しました。"


def _damaged(path: Path, error: object, *, command: bool) -> SettingsFileError:
    if command:
        return SettingsFileError(
            f"設定ファイル（{path}）が壊れているため読み取れません。既定の設定では実行しません"
            "（登録したアカウントや送信元の情報などが使えないため）。",
            next_step_ja=(
                "バックアップがあればそのファイルに戻すか、アプリで設定を開いて保存し直してから、"
                "もう一度実行してください。"
            ),
            detail=f"{error} ({path})",
        )
    return SettingsFileError(
        f"設定ファイル（{path}）が壊れているため読み取れず、既定の設定で起動しました。"
        "登録したアカウントなどは表示されません。",
        next_step_ja=(
            "バックアップがあれば、アプリを閉じてそのファイルに戻してから起動し直してください。"
            f"壊れたファイルは、次に設定を保存するときに「{path.name}{UNREADABLE_SUFFIX}」"
            "（その名前がすでにあれば末尾に番号を付けた名前）で残します（消しません）。"
        ),
        detail=f"{error} ({path})",
    )


def _not_settings(path: Path, error: OSError, *, command: bool) -> SettingsFileError:
    """A device, pipe or folder at the settings path, or a file far larger than any settings."""
    what = (
        "通常のファイルではない（デバイス・パイプ・フォルダなど）"
        if isinstance(error, NotARegularFileError)
        else "設定ファイルとしては大きすぎる"
    )
    if command:
        return SettingsFileError(
            f"設定ファイル（{path}）が{what}ため、読み取りませんでした。既定の設定では実行しません。",
            next_step_ja="設定ファイルには、アプリが保存した settings.json を指定してください。",
            detail=str(error),
        )
    return SettingsFileError(
        f"設定ファイル（{path}）が{what}ため、読み取らずに既定の設定で起動しました。"
        "登録したアカウントなどは表示されません。",
        next_step_ja=(
            "アプリを閉じて、その場所にあるものを移してから起動し直してください。"
            "読み取れない間は、設定を保存しません。"
        ),
        detail=str(error),
    )


def _unreadable(path: Path, error: OSError, *, command: bool) -> SettingsFileError:
    if command:
        return SettingsFileError(
            f"設定ファイル（{path}）を読み取る権限がないか、ほかのプログラムが使用中のため、"
            "読み取れません。既定の設定では実行しません。",
            next_step_ja="ファイルの権限やロックを確認してから、もう一度実行してください。",
            detail=f"{type(error).__name__}: {error}",
        )
    return SettingsFileError(
        f"設定ファイル（{path}）を読み取る権限がないか、ほかのプログラムが使用中のため、"
        "既定の設定で起動しました。登録したアカウントなどは表示されません。",
        next_step_ja=(
            "ファイルの権限やロックを確認してから起動し直してください。"
            "読み取れない間は、このファイルを上書きしないよう設定を保存しません。"
        ),
        detail=f"{type(error).__name__}: {error}",
    )


class SettingsStore:
    """Loads and saves AppSettings at one path (the per-user data dir, given by the caller).

    ``problem`` is set by ``load`` when a file was there but could not be used (damaged, not
    readable by this user), for the window or the command to say so; None otherwise. With
    ``command``, it is worded for a command that stops (the window starts on the defaults).
    """

    def __init__(self, path: Path, *, command: bool = False) -> None:
        self.path = path
        self.command = command
        self.problem: SettingsFileError | None = None

    def load(self) -> AppSettings:
        self.problem = None
        try:
            raw = read_regular_file(self.path, MAX_SETTINGS_BYTES)
        except (FileNotFoundError, NotADirectoryError):  # no file there (a file on the way)
            return AppSettings()
        except (NotARegularFileError, FileTooLargeError) as error:
            log.warning("settings: %s not read (%s); using defaults", self.path, error)
            self.problem = _not_settings(self.path, error, command=self.command)
            return AppSettings()
        except OSError as error:
            log.warning("settings: cannot read %s (%s); using defaults", self.path, error)
            self.problem = _unreadable(self.path, error, command=self.command)
            return AppSettings()
        data = _settings_object(raw, self.path)
        if data is None:
            self.problem = _damaged(self.path, "not a JSON object", command=self.command)
            return AppSettings()
        return settings_from_dict(data)

    def save(self, settings: AppSettings) -> None:
        """Write ``settings`` whole or not at all; raises ``OSError`` when it cannot.

        A temporary file of this save's own (two copies of the app may save at once), flushed
        before it replaces the file, so neither a kill, a power cut nor a full disk leaves a
        settings.json cut short; a failed save removes its temporary file.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(settings_to_dict(settings), ensure_ascii=False, indent=2)
        temporary = unique_temporary(self.path)
        try:
            # A lone surrogate (a "\ud800" escape in a hand-edited file, read back as it was)
            # has no UTF-8 form; backslashreplace writes it as that same JSON escape (json.dumps
            # has already doubled every real backslash), so the file stays valid and round-trips.
            temporary.write_bytes(text.encode("utf-8", errors="backslashreplace"))
            self._keep_unreadable_file()
            replace_durably(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise

    def _keep_unreadable_file(self) -> None:
        """Move a file ``load`` could not read aside before it is replaced: it may hold the
        user's accounts (a half-written copy, a file saved by another editor), and the
        defaults the app ran with must not silently overwrite it.

        A file this user may not read at all (its permissions, a lock) cannot be judged: the
        save is refused (``OSError``) rather than put the defaults in its place; so is a save
        over a device, a pipe, a folder or a file past ``MAX_SETTINGS_BYTES``.
        """
        try:
            raw = read_regular_file(self.path, MAX_SETTINGS_BYTES)
        except FileNotFoundError:
            return  # the usual first save: nothing to keep
        if _settings_object(raw, self.path, quiet=True) is None:
            kept = self._free_name_aside()
            os.replace(self.path, kept)
            log.warning("settings: the unreadable file was kept as %s", kept)

    def _free_name_aside(self) -> Path:
        """settings.json.unreadable, or .unreadable-2, -3…: a file kept earlier may hold the
        accounts too, and is never replaced."""
        kept = self.path.with_name(self.path.name + UNREADABLE_SUFFIX)
        number = 1
        while kept.exists() or kept.is_symlink():
            number += 1
            kept = self.path.with_name(f"{self.path.name}{UNREADABLE_SUFFIX}-{number}")
        return kept


UNREADABLE_SUFFIX = ".unreadable"


def _settings_object(raw: bytes, path: Path, *, quiet: bool = False) -> dict[str, Any] | None:
    """The JSON object in ``raw`` (UTF-8, a BOM allowed as Notepad writes it), else None."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        if not quiet:
            log.warning("settings: %s is not JSON (%s); using defaults", path, error)
        return None
    if not isinstance(data, dict):
        if not quiet:
            log.warning("settings: %s holds no object; using defaults", path)
        return None
    return data
