"""Practice mode for CMC, Infobip and SES: each provider's imitation with Japanese practice data.

Started on the first practice job of that provider, like SendGrid's. The window's factory
(``connection.controller.provider_practice_sandbox``) runs ``todoku-cli sandbox --provider`` in a
child process; ``in_process_sandbox`` serves the same data from this process (frozen builds,
tests, screenshots). Credentials are the imitations' own fake ones (``app.sandbox.practice``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.core.accounts import ProviderName

PRACTICE_ENTRIES = 3000
PRACTICE_SEED = 20240601  # the same seed as SendGrid's practice data


class SandboxHandle(Protocol):
    def start(self) -> str: ...

    def stop(self) -> None: ...


# factory(provider) -> a sandbox not yet started
ProviderSandboxFactory = Callable[[ProviderName], SandboxHandle]


def in_process_sandbox(provider: ProviderName, entries: int = PRACTICE_ENTRIES) -> SandboxHandle:
    """The same imitation served from this process (frozen builds, tests, screenshots)."""
    from app.paths import resources_dir
    from app.sandbox.practice import practice_sandbox

    reasons = resources_dir() / "sandbox" / "bounce-reasons.jsonl"
    return practice_sandbox(
        provider.value, entries=entries, seed=PRACTICE_SEED, reasons_path=reasons
    )


def practice_credentials(provider: ProviderName) -> dict[str, str]:
    from app.sandbox.practice import practice_credentials as credentials

    return credentials(provider.value)


def practice_region(provider: ProviderName) -> str:
    from app.sandbox.practice import practice_region as region

    return region(provider.value)
