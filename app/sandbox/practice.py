"""Practice mode for the CMC, Infobip and SES imitations: one call builds a server with data.

The UI (practice mode) and ``todoku-cli sandbox --provider`` both use ``practice_sandbox``;
``practice_credentials`` are the clearly fake credentials each imitation accepts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app.sandbox.esp_practice import PracticeRecord, generate_practice
from app.sandbox.esp_server import EspSandbox
from app.sandbox.sendgrid_types import FaultPlan

PRACTICE_PROVIDERS = ("cmc", "infobip", "ses")
_SPAN_SECONDS = 60 * 86400  # generated entries cover the last 60 days


def practice_credentials(provider: str) -> dict[str, str]:
    """What to pass to ``build_provider`` (with the sandbox's base URL) for practice."""
    if provider == "cmc":
        from app.sandbox import cmc_server as cmc

        return {
            "api_user": cmc.SANDBOX_API_USER,
            "api_key": cmc.SANDBOX_API_KEY,
            "server_composition": cmc.SANDBOX_SERVER,
        }
    if provider == "infobip":
        from app.sandbox.infobip_server import SANDBOX_API_KEY

        return {"api_key": SANDBOX_API_KEY}
    if provider == "ses":
        from app.sandbox.ses_server import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET

        return {"access_key_id": SANDBOX_ACCESS_KEY_ID, "secret_access_key": SANDBOX_SECRET}
    raise ValueError(f"no practice imitation for {provider!r}")


def practice_region(provider: str) -> str:
    from app.sandbox.ses_server import SANDBOX_REGION

    return SANDBOX_REGION if provider == "ses" else ""


def practice_sandbox(
    provider: str,
    *,
    entries: int = 2000,
    seed: int = 1,
    records: list[PracticeRecord] | None = None,
    latency_ms: float = 0.0,
    rate_limit_per_minute: int | None = None,
    faults: FaultPlan | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    reasons_path: Path | None = None,
    api_key: str | None = None,
) -> EspSandbox:
    """An imitation of ``provider`` (not started) holding Japanese practice data.

    ``api_key`` replaces the practice key (CMC: the api_key; Infobip: the key; SES: the secret).
    """
    if records is None:
        now = int(time.time())
        records = generate_practice(
            entries, seed, now - _SPAN_SECONDS, now, reasons_path=reasons_path
        )
    options: dict[str, Any] = {
        "latency_ms": latency_ms,
        "rate_limit": rate_limit_per_minute,
        "rate_window_seconds": 60.0,
        "faults": faults,
        "seed": seed,
        "host": host,
        "port": port,
    }
    if provider == "cmc":
        from app.sandbox import cmc_server as cmc

        users = None
        if api_key:
            users = {(cmc.SANDBOX_API_USER, api_key): frozenset({"read", "cancel"})}
        return cmc.CmcSandbox(records, users=users, **options)
    if provider == "infobip":
        from app.sandbox import infobip_server as infobip
        from app.sandbox.esp_practice import PRACTICE_DOMAINS

        keys = None
        if api_key:
            keys = {api_key: {d: dict(infobip.FULL_ACCESS) for d in PRACTICE_DOMAINS}}
        return infobip.InfobipSandbox(records, keys=keys, **options)
    if provider == "ses":
        from app.sandbox import ses_server as ses

        credentials = None
        if api_key:
            granted = frozenset({"list", "get", "delete"})
            credentials = {ses.SANDBOX_ACCESS_KEY_ID: (api_key, granted)}
        return ses.SesSandbox(records, credentials=credentials, **options)
    raise ValueError(f"no practice imitation for {provider!r}")
