"""The technical detail every provider's error keeps for the details pane and the log.

The request line, query, status and a body excerpt; never headers or request bodies, which carry
the credentials (SendGrid's key in a header, CMC's api_key in the form body).
"""

from __future__ import annotations

import httpx

_BODY_EXCERPT = 500


def describe(request: httpx.Request, response: httpx.Response | None, note: str = "") -> str:
    """Technical detail for the details pane and the log. Never includes the API key."""
    parts = [f"{request.method} {request.url.copy_with(query=None)}"]
    if request.url.query:
        parts.append(f"query: {request.url.query.decode('ascii', 'replace')}")
    if response is not None:
        parts.append(f"HTTP {response.status_code}")
        body = response.content[:_BODY_EXCERPT].decode("utf-8", "replace")
        if body:
            parts.append(f"body: {body}")
    if note:
        parts.append(note)
    return "\n".join(parts)
