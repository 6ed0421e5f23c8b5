"""POST /api/v1/annotate without Flask's request machinery, for the plain request: the hot endpoint
(the bookmarklet sends it every page it annotates).

Flask's routing, request and response objects, session and hooks cost 1.4-2.2 ms a request (a SQLite
connection opened for the session among them), next to 2-3 ms for annotating 5,000 characters with
its JSON. This WSGI layer, between the guard and Flask, answers the plain case itself
with the view's own `web.api.answer` and the headers web/security.py gives that answer; anything
else — another path or method, another Content-Type, a cookie (a session to refresh), a server with
ALLOWED_ORIGINS, a database not yet built, any error at all — goes on to Flask with the body as it
was read, so every answer is the one Flask gives (tests/test_fast_api.py compares them byte for byte,
so a header changed in web/security.py fails there until `headers` below follows it).
"""

from __future__ import annotations

import io

from web.security import API_CSP, PERMISSIONS

PATH = "/api/v1/annotate"
CONTENT_TYPES = frozenset({"application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"})


class FastAnnotate:
    def __init__(self, flask_app, wsgi_app):
        self.flask_app = flask_app  # its config and per-thread glossaries (web._thread_glossary)
        self.wsgi_app = wsgi_app  # Flask's own WSGI app: everything not answered here

    def __call__(self, environ, start_response):
        if not self.plain(environ):
            return self.wsgi_app(environ, start_response)
        from web import _thread_glossary
        from web.api import answer

        length = int(environ["CONTENT_LENGTH"])
        raw = environ["wsgi.input"].read(length)
        app = self.flask_app
        try:
            if len(raw) != length:  # the client went away: Flask's 400
                raise EOFError
            body = answer(raw, app.config["MAX_TEXT_CHARS"], lambda: _thread_glossary(app))
        except Exception:  # noqa: BLE001 - Flask answers every problem, as it did before this layer
            environ["wsgi.input"] = io.BytesIO(raw)
            return self.wsgi_app(environ, start_response)
        start_response("200 OK", self.headers(environ, len(body)))
        return [body]

    def plain(self, environ) -> bool:
        """A request this layer answers exactly as Flask would (see the module's docstring)."""
        return (
            environ["REQUEST_METHOD"] == "POST"
            and environ.get("PATH_INFO") == PATH
            and environ.get("CONTENT_TYPE", "").lower() in CONTENT_TYPES
            and environ.get("CONTENT_LENGTH", "").isdigit()
            and "HTTP_COOKIE" not in environ
            and self.flask_app.extensions["glossary_ready"]  # built and caught up: Flask did the first request
            and not self.flask_app.config["ALLOWED_ORIGINS"]
        )

    def headers(self, environ, length: int) -> list[tuple[str, str]]:
        """web/security.py's headers on an API answer to a POST, in Flask's order; `Vary: Cookie`
        when sessions are on (Flask adds it to every answer once the app signs sessions)."""
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(length)),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", PERMISSIONS),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Access-Control-Allow-Origin", "*"),
            ("Cross-Origin-Resource-Policy", "cross-origin"),
            ("Content-Security-Policy", API_CSP),
            ("Cache-Control", "no-store"),
        ]
        if self.flask_app.session_interface.get_signing_serializer(self.flask_app) is not None:
            headers.append(("Vary", "Cookie"))
        return headers
