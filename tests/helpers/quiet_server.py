"""A loopback HTTP server for tests that plays a broken or hostile service.

Clients in these tests often hang up on purpose (a reply too large, a refused date); the
standard server then prints "Exception occurred during processing of request" and a traceback
for the reset connection, noise that reads like a failure in the test output.
"""

from __future__ import annotations

from http.server import ThreadingHTTPServer


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return  # the client hung up: expected here
        super().handle_error(request, client_address)  # type: ignore[arg-type]
