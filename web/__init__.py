"""The web site and JSON API: `create_app(db_path=None, test_config=None)`.

Nothing touches the database at import or in `create_app`: it is built (if needed) on the first
request that needs it; each server thread then keeps its own read-only connection (see
_thread_glossary), closed when the app goes.
The annotator (automaton, lexicon) is built once per database version and shared by every thread.
"""

from __future__ import annotations

import os
import threading
import weakref

from flask import Flask, current_app, g
from flask.json.provider import DefaultJSONProvider

MAX_TEXT_CHARS = 200_000  # the annotate limit, in characters (code points)
MAX_BODY_BYTES = 4 * 1024 * 1024  # 200,000 CJK characters, percent-encoded in a form, fit in this


def create_app(db_path: str | os.PathLike | None = None, test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        GLOSSARY_DB=str(db_path or os.environ.get("GLOSSARY_DB") or _default_db()),
        MAX_TEXT_CHARS=MAX_TEXT_CHARS,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,  # Flask's default (500 kB) is below one full-size text
        ALLOWED_HOSTS=[],  # Host names answered (empty: any); a server with private entries names its own
        ALLOWED_ORIGINS=[],  # origins the API answers cross-origin (empty: any, "*", for the bookmarklet)
    )
    if test_config:
        app.config.update(test_config)
    assert isinstance(app.json, DefaultJSONProvider)
    app.json.ensure_ascii = False  # Chinese stays Chinese in every JSON response
    app.json.sort_keys = False
    app.extensions["glossary_ready"] = False
    app.extensions["glossary_lock"] = threading.Lock()
    app.extensions["glossary_local"] = threading.local()
    app.extensions["glossary_open"] = weakref.WeakSet()  # every thread's Glossary, closed with the app
    weakref.finalize(app, _close_all, app.extensions["glossary_open"])
    app.teardown_appcontext(_close_glossary)

    from web import api, pages, security
    from web.bookmarklet import bp as bookmarklet_bp
    from web.qa import bp as qa_bp

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(bookmarklet_bp)
    app.register_blueprint(qa_bp)
    from web import downloads

    app.register_blueprint(downloads.bp)
    from web.corpus import bp as corpus_bp

    app.register_blueprint(corpus_bp)
    from web import edit

    edit.init_app(app)
    security.init_app(app)
    from web.fast_api import FastAnnotate
    from web.guard import Guard

    app.wsgi_app = Guard(  # type: ignore[method-assign]  # Flask's way to wrap middleware
        FastAnnotate(app, app.wsgi_app),
        app.config["MAX_CONTENT_LENGTH"],
        app.config["ALLOWED_HOSTS"],
        app.config["ALLOWED_ORIGINS"],
    )
    return app


def _default_db():
    from glossary.locations import default_db

    return default_db()


class TextProblem(Exception):
    """Text that cannot be annotated: the message to show and the status to answer with."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def check_text(text: str, limit: int | None = None) -> str:
    """The one rule for text to annotate, for the page and the API alike: at most MAX_TEXT_CHARS
    (or `limit`, outside a request), and something other than whitespace (an empty paste is a
    mistake to point out, not a result)."""
    limit = current_app.config["MAX_TEXT_CHARS"] if limit is None else limit
    if len(text) > limit:
        raise TextProblem(f"The text has {len(text):,} characters; the limit is {limit:,}. Annotate it in parts.", 413)
    if not text.strip():
        raise TextProblem("No text to annotate: paste some Chinese text.", 400)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # JSON's "\ud800": a lone surrogate is no character
        raise TextProblem(f"The text is not valid Unicode: a lone surrogate at character {exc.start:,}.", 400) from None
    return text


def get_glossary():
    """This request's Glossary: its thread's read-only connection (_thread_glossary). The database
    is built from the curated YAML, if missing or stale, once per app."""
    if "glossary" not in g:
        app = current_app
        if not app.extensions["glossary_ready"]:
            with app.extensions["glossary_lock"]:
                if not app.extensions["glossary_ready"]:
                    from glossary.build import ensure_built

                    ensure_built(app.config["GLOSSARY_DB"])
                    from web.edit import catch_up

                    catch_up(app)
                    app.extensions["glossary_ready"] = True
        g.glossary = _thread_glossary(app)
    return g.glossary


def _thread_glossary(app: Flask):
    """This thread's Glossary: one read-only connection per server thread, kept from request to
    request (never one shared by all threads), and opened anew when the database has changed (a
    file replaced, or rows rewritten in place by a build or an edit), so the server always serves
    the current glossary."""
    from glossary import Glossary

    local, path = app.extensions["glossary_local"], app.config["GLOSSARY_DB"]
    try:  # a replaced file (an older build, a restored backup); changes in place: _data_version
        stat = os.stat(path)
        stamp: tuple = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = ()
    glossary = getattr(local, "glossary", None)
    if glossary is not None and (local.stamp != stamp or _data_version(glossary) != local.data_version):
        glossary.close()  # replaced, or changed in place by a build or an edit on another connection
        glossary = None
    if glossary is None:
        glossary = Glossary.open(path, build=False)
        local.glossary, local.stamp, local.data_version = glossary, stamp, _data_version(glossary)
        weakref.finalize(glossary, glossary.store.close)  # a thread that ends takes its connection along
        with app.extensions["glossary_lock"]:
            app.extensions["glossary_open"].add(glossary)
    return glossary


def _data_version(glossary) -> int | None:
    """SQLite's count of changes committed by other connections: an in-place build or an edit
    changes it without touching the file's inode (the cached meta and cards must then be dropped)."""
    from glossary.store import StoreError

    try:
        return glossary.store.conn.execute("PRAGMA data_version").fetchone()[0]
    except StoreError:  # not a database: the request that uses it gets the clear error, not this
        return None


def close_connections(app: Flask) -> None:
    """Close every thread's connection (when the app goes, or a test is done with it)."""
    _close_all(app.extensions["glossary_open"])


def _close_all(glossaries: weakref.WeakSet) -> None:
    for glossary in list(glossaries):
        glossary.close()
    glossaries.clear()


def _close_glossary(exc: BaseException | None) -> None:
    g.pop("glossary", None)  # the connection stays with its thread for the next request
