"""`glossary serve`'s server: waitress with limits of our own, JSON errors under /api/, a quiet log.

Waitress's defaults suit a trusted network, not a public one: a 1 GB body is received (and spooled
to disk) before it is refused, 100 connections that never finish their request hold the server for
two minutes each, and every queued request logs a warning. Here the body limit is the app's own
(the WSGI guard answers first, by Content-Length; waitress's own limit, just above it, catches the
rest), slow connections are dropped after `channel_timeout`, and the queue warning is logged once a minute
at most, with a count.
"""

from __future__ import annotations

import logging
import time

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from web.guard import error_body

HEADER_LIMIT = 64 * 1024  # request line and headers; waitress allows 256 kB


class ApiErrorTask(ErrorTask):
    """Waitress's own errors (malformed request, body or headers too large) as the guard answers its
    own: the API's JSON shape under /api/, a small page elsewhere."""

    def execute(self):
        error = self.request.error
        content_type, body = error_body(
            request_path(self.request), error.code, error.reason, f"{error.reason.lower()}: {error.body}"
        )
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", content_type))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


def request_path(request) -> str:
    """The path, even of a request whose headers failed to parse (then only its first line is known)."""
    path = getattr(request, "path", None)
    if path is None:
        parts = getattr(request, "first_line", b"").split()
        path = parts[1].decode("latin-1") if len(parts) > 1 else ""
    return path


class Channel(HTTPChannel):
    error_task_class = ApiErrorTask


class QueueSummary(logging.Filter):
    """Let one 'Task queue depth' warning through per interval, saying how many were held back."""

    def __init__(self, interval: float = 60):
        super().__init__()
        self.interval, self.last, self.held = interval, float("-inf"), 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self.last < self.interval:
            self.held += 1
            return False
        if self.held:
            record.msg = f"{record.msg} ({self.held} more such warnings in the last {now - self.last:.0f} s)"
        self.last, self.held = now, 0
        return True


def serve(
    app, host: str, port: int, *, threads: int, max_body: int, connection_limit: int, channel_timeout: int
) -> None:
    from waitress.server import create_server

    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s", level=logging.INFO)
    logging.getLogger("waitress.queue").addFilter(QueueSummary())
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="glossary",
        max_request_body_size=max_body + HEADER_LIMIT,  # the guard answers first; this catches the rest
        max_request_header_size=HEADER_LIMIT,
        connection_limit=connection_limit,
        channel_timeout=channel_timeout,
        cleanup_interval=max(1, min(30, channel_timeout // 2)),
        inbuf_overflow=1024 * 1024,
    )
    server.channel_class = Channel
    server.run()
