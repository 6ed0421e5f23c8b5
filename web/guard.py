"""A WSGI guard in front of Flask: the Host header and the body size are judged before Flask runs.

Flask cannot answer a Host it cannot parse (`a..b`, a label over 63 characters) with its own error
page: building the page's URLs fails, and waitress answers a plain-text 500. A server holding private
entries also wants only its own names answered (`allowed_hosts`, against DNS rebinding). A body over
the limit is refused by its Content-Length, before a byte of it is read. Errors are JSON under /api/
(the one shape of the API) and a small self-contained page elsewhere.
"""

from __future__ import annotations

import json
import re
from html import escape

HOST = re.compile(
    r"(?:\[[0-9A-Fa-f:.]+\]|(?!-)[A-Za-z0-9_-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9_-]{1,63}(?<!-))*\.?)"
    r"(?::[0-9]{1,5})?"
)
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{status} {reason}</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><main><h1>{status} {reason}</h1><p>{message}</p><p><a href="/">Policy glossary</a></p></main></body></html>
"""
REASONS = {400: "Bad Request", 413: "Request Entity Too Large"}


def host_name(host: str) -> str:
    """The name part of a Host header, lower-case, without port or trailing dot."""
    name = host[1 : host.index("]")] if host.startswith("[") else host.rsplit(":", 1)[0] if ":" in host else host
    return name.rstrip(".").lower()


def error_body(path: str, status: int, reason: str, message: str) -> tuple[str, bytes]:
    """An error answered below Flask: the API's JSON shape under /api/, a small page elsewhere."""
    if path.startswith("/api/"):
        return "application/json", json.dumps({"ok": False, "error": message, "status": status}).encode()
    page = PAGE.format(status=status, reason=escape(reason), message=escape(message))
    return "text/html; charset=utf-8", page.encode()


class Guard:
    def __init__(
        self, app, max_body: int, allowed_hosts: list[str] | None = None, allowed_origins: list[str] | None = None
    ):
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = {h.rstrip(".").lower() for h in allowed_hosts or ()}
        self.allowed_origins = set(allowed_origins or ())

    def __call__(self, environ, start_response):
        problem = self.problem(environ)
        if problem is None:
            return self.app(environ, start_response)
        status, message = problem
        content_type, body = error_body(environ.get("PATH_INFO", ""), status, REASONS[status], message)
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
        ]
        origin = environ.get("HTTP_ORIGIN")
        if not self.allowed_origins:  # the same CORS as web/security.py: the bookmarklet reads the error
            headers.append(("Access-Control-Allow-Origin", "*"))
        elif origin in self.allowed_origins:
            headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        start_response(f"{status} {REASONS[status]}", headers)
        return [body]

    def problem(self, environ) -> tuple[int, str] | None:
        host = environ.get("HTTP_HOST")
        if host is not None:
            if not HOST.fullmatch(host) or len(host_name(host)) > 253:
                return 400, "The Host header is not a valid host name."
            if self.allowed_hosts and host_name(host) not in self.allowed_hosts:
                return 400, "The Host header names a host this server does not serve."
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, "The Content-Length header is not a number."
        if length > self.max_body:
            return 413, f"request body too large: at most {self.max_body:,} bytes; annotate the text in parts"
        return None
