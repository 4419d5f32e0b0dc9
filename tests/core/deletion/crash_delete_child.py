"""Child process of the kill -9 test: fetch everything from a sandbox, then delete it, recorded.

Usage: python crash_delete_child.py JOURNAL BASE_URL API_KEY
JOURNAL is a SQLite file, or a postgresql:// URL (the team's shared store).
The parent kills this process with SIGKILL while the deletion runs.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from app.core.dates import today_jst
from app.core.deletion.plan import DeletionContext, plan_deletion
from app.core.deletion.run import delete_with_record
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal import DeletionJournal
from app.core.storage.journal_store import JournalStore
from app.core.types import ALL_LISTS, DateRange


def main(journal_path: str, base_url: str, api_key: str) -> int:
    if journal_path.startswith("postgresql://"):
        from app.core.storage.team.connection import parse_database_url
        from app.core.storage.team.journal_pg import PostgresJournal

        journal: JournalStore = PostgresJournal(parse_database_url(journal_path))
    else:
        journal = DeletionJournal(Path(journal_path))
    today = today_jst()
    with SendGridProvider(api_key, base_url=base_url, max_retries=2, timeout_s=10) as provider:
        fetched = provider.fetch(DateRange(today - timedelta(days=62), today), ALL_LISTS)
        plan = plan_deletion((entry, None) for entry in fetched.entries)
        print(f"planned {plan.total}", flush=True)
        delete_with_record(
            provider,
            journal,
            plan,
            context=DeletionContext(account_label="kill-test", note="強制終了テスト"),
        )
    print("finished", flush=True)  # the parent fails if it ever sees this
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
