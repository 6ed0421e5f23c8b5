"""Who is asking, and may they: sessions, bearer tokens, roles, CSRF and login rate limits.

A server whose database has no users is read-only, as before editing existed: no session is ever
signed and every write answers 403. Sessions are Flask's signed cookie (HttpOnly, SameSite=Lax, and
Secure when the request came over HTTPS), signed with a key kept in the database so they survive a
restart. A write from a page carries the session's CSRF token and must not come from another site
(Sec-Fetch-Site / Origin); an API client authenticates with `Authorization: Bearer <token>` instead,
which no other site's page can send for it.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

LOGIN_WINDOW = 300  # seconds
LOGIN_FAILURES = 5  # failed logins allowed per window, per client address and per user name


def editor():
    """The app's Editor (glossary.editing), made once."""
    app = current_app
    found = app.extensions.get("glossary_editor")
    if found is None:
        from glossary.editing import Editor

        found = app.extensions["glossary_editor"] = Editor(app.config["GLOSSARY_DB"], app.config.get("GLOSSARY_SEEDS"))
    return found


def editing_on() -> bool:
    """True once the database has a user (`glossary user add`); checked per request, so a user added
    while the server runs turns editing on without a restart."""
    if "edit_on" not in g:
        from glossary import accounts
        from glossary.editdb import connect
        from web import get_glossary

        get_glossary()  # built first, if it has to be
        db = current_app.config["GLOSSARY_DB"]
        if not has_editing(current_app):
            g.edit_on = False
        else:
            with connect(db) as conn:
                g.edit_on = accounts.count_users(conn) > 0
    return g.edit_on


def has_editing(app) -> bool:
    """Whether the app's database has editorial tables (glossary.editdb.has_editing), asked again only
    when the database file or its write-ahead log changed: every request opens the session, and
    asking SQLite each time (a connection, the schema parsed) cost a read-only server ~0.5 ms a request."""
    from glossary.editdb import has_editing as ask

    db = app.config["GLOSSARY_DB"]
    stamp = (_file_stamp(db), _file_stamp(f"{db}-wal"))
    known = app.extensions.get("glossary_has_editing")
    if known is None or known[0] != stamp:
        known = app.extensions["glossary_has_editing"] = (stamp, ask(db))
    return known[1]


def _file_stamp(path: str) -> tuple:
    """What changes when SQLite writes to a file (or the file is replaced): every commit, in WAL mode or not."""
    try:
        stat = os.stat(path)
    except OSError:
        return ()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, keyed from the database once editing is on; Secure over HTTPS."""

    def get_signing_serializer(self, app):
        if not app.secret_key and has_editing(app):  # never builds, never raises
            from glossary import accounts
            from glossary.editdb import connect

            with connect(app.config["GLOSSARY_DB"]) as conn:
                app.secret_key = accounts.secret_key(conn)
        return super().get_signing_serializer(app)

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def current_user() -> dict | None:
    """The user of this request: by bearer token, else by session; re-read from the database each
    time, so a removed user or a changed role takes effect at once."""
    if "edit_user" in g:
        return g.edit_user
    g.edit_user = None
    header = request.headers.get("Authorization", "")
    if editing_on():
        from glossary import accounts
        from glossary.editdb import connect

        with connect(current_app.config["GLOSSARY_DB"]) as conn:
            if header.lower().startswith("bearer "):
                g.edit_user = accounts.token_user(conn, header[7:].strip())
                g.edit_by_token = g.edit_user is not None
            elif session.get("user"):
                g.edit_user = accounts.user(conn, session["user"])
    return g.edit_user


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_write() -> None:
    """Refuse a cross-site write: any unsafe request that a browser says comes from another site, and
    a cookie-authenticated one without this session's CSRF token (form field or X-CSRF-Token header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        abort(403, description="Refused: this request comes from another site.")
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        abort(403, description="Refused: this request comes from another origin.")
    if g.get("edit_by_token"):
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not session.get("csrf") or not hmac.compare_digest(sent, session["csrf"]):
        abort(403, description="Refused: the form has expired or did not come from this site. Reload it and retry.")


def require(role: str):
    """A view that needs `role` (contributor < editor < admin): 401 without credentials, 403 below it."""

    def wrap(view):
        @wraps(view)
        def checked(*args, **kwargs):
            from glossary.accounts import may

            if not editing_on():
                abort(403, description="Editing is off on this server: it has no user accounts.")
            user = current_user()
            if user is None:
                if request.method == "GET" and not request.path.startswith("/api/"):
                    return redirect(url_for("edit.login", next=request.full_path.rstrip("?")))
                abort(401, description="Log in first.")
            check_write()
            if not may(user["role"], role):
                abort(403, description=f"This needs the role {role}; you are {user['role']}.")
            return view(*args, **kwargs)

        return checked

    return wrap


class LoginLimiter:
    """At most LOGIN_FAILURES failed logins per LOGIN_WINDOW for one client address or one user name
    (in this process: a team server is one process)."""

    def __init__(self):
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        found = self._failures[key]
        while found and found[0] < now - LOGIN_WINDOW:
            found.popleft()
        return found

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= LOGIN_FAILURES for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
