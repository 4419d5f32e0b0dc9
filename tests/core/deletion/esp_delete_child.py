"""Child process of the CMC / Infobip / Amazon SES kill -9 test: delete addresses, recorded.

Usage: python esp_delete_child.py PROVIDER JOURNAL BASE_URL EMAILS_FILE
PROVIDER is cmc, infobip or ses; the imitation at BASE_URL runs in the parent with its default
practice credentials (CMC with its block cancel API on, the only way CMC deletes). The parent
kills this process with SIGKILL while the deletion runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.core.deletion.plan import DeletionContext, plan_for_addresses
from app.core.deletion.run import delete_with_record
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.cmc import CmcProvider
from app.core.providers.http_provider import HttpProvider
from app.core.providers.infobip import InfobipProvider
from app.core.providers.ses import SesProvider
from app.core.storage.journal import DeletionJournal
from app.core.types import ListKind
from app.sandbox import cmc_server, infobip_server, ses_server

LABELS = {"cmc": "CLI cmc:本番", "infobip": "CLI infobip:本番", "ses": "CLI ses:本番"}
KINDS = {"cmc": ListKind.BLOCKS, "infobip": ListKind.BOUNCES, "ses": ListKind.BOUNCES}


def make_provider(name: str, base_url: str) -> HttpProvider:
    """The client of ``name`` on its imitation, with the imitation's practice credentials."""
    if name == "cmc":
        return CmcProvider(
            cmc_server.SANDBOX_API_USER,
            cmc_server.SANDBOX_API_KEY,
            cmc_server.SANDBOX_SERVER,
            base_url=base_url,
            block_cancel_api=True,
        )
    if name == "infobip":
        return InfobipProvider(base_url, infobip_server.SANDBOX_API_KEY)
    credentials = AwsCredentials(ses_server.SANDBOX_ACCESS_KEY_ID, ses_server.SANDBOX_SECRET)
    return SesProvider(ses_server.SANDBOX_REGION, credentials, base_url=base_url)


def context_for(name: str, base_url: str) -> DeletionContext:
    return DeletionContext(LABELS[name], base_url=base_url, note="強制終了テスト")


def main(name: str, journal_path: str, base_url: str, emails_file: str) -> int:
    emails = Path(emails_file).read_text(encoding="utf-8").split()
    journal = DeletionJournal(Path(journal_path))
    with make_provider(name, base_url) as provider:
        plan = plan_for_addresses(KINDS[name], emails)
        delete_with_record(provider, journal, plan, context=context_for(name, base_url))
    print("finished", flush=True)  # the parent fails if it ever sees this
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
