"""An address (or any text) as exactly one URL path segment."""

from __future__ import annotations

from urllib.parse import quote


def path_segment(text: str) -> str:
    """``text`` percent-encoded so it stays one segment of the path it is put in.

    ``quote(safe="")`` encodes "/", "?", "#", "%" and non-ASCII, but leaves "." alone, and a
    segment that is exactly "." or ".." is a dot segment: httpx (like every URL parser following
    RFC 3986 §5.2.4) removes it, so ``DELETE /v3/asm/suppressions/global/..`` would go to
    ``/v3/asm/suppressions`` and ``/v3/suppression/bounces/.`` to the list's delete-many
    endpoint. Percent-encoded dots are no dot segment (RFC 3986 §6.2.2.3 decodes them only
    after the dot segments are gone), so the service sees the text itself.
    """
    segment = quote(text, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment
