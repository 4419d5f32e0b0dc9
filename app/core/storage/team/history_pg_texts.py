"""The shared history's stored-once texts: ids for new texts, and scrubbing an erased address."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from app.core.storage.team.pg_text import pg_text


def text_ids(connection: Any, texts: Iterable[str]) -> dict[str, int]:
    """Ids of ``texts``, adding those not stored yet (safe when two operators add one at once).

    Keyed by the texts as given; the server holds ``pg_text`` of each (a NUL becomes U+FFFD).
    """
    given = set(texts)
    wanted = sorted({pg_text(text) for text in given})
    if not wanted:
        return {}
    connection.execute(
        "INSERT INTO todoku.history_texts (text) SELECT unnest(%s::text[])"
        " ORDER BY 1 ON CONFLICT (text) DO NOTHING",
        (wanted,),
    )
    rows = connection.execute(
        "SELECT text, id FROM todoku.history_texts WHERE text = ANY(%s)", (wanted,)
    ).fetchall()
    stored = {str(r[0]): int(r[1]) for r in rows}
    return {text: stored[pg_text(text)] for text in given}


def scrub_texts(connection: Any, address: str) -> None:
    """Replace the address inside stored texts (reasons quoting it in another case)."""
    pattern = re.compile(re.escape(address), re.IGNORECASE)
    like = "%" + address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for text_id, text in connection.execute(
        "SELECT id, text FROM todoku.history_texts WHERE text ILIKE %s", (like,)
    ).fetchall():
        cleaned = pattern.sub("<消去済み>", text)
        twin = connection.execute(
            "SELECT id FROM todoku.history_texts WHERE text=%s", (cleaned,)
        ).fetchone()
        if twin is None:
            connection.execute(
                "UPDATE todoku.history_texts SET text=%s WHERE id=%s", (cleaned, text_id)
            )
            continue
        # The cleaned text exists already: point every user at it, drop this one.
        for table, column in (
            ("history_entries", "reason_id"),
            ("history_entries", "status_id"),
            ("history_returns", "reason_id"),
        ):
            connection.execute(
                f"UPDATE todoku.{table} SET {column}=%s WHERE {column}=%s", (twin[0], text_id)
            )
        connection.execute("DELETE FROM todoku.history_texts WHERE id=%s", (text_id,))
