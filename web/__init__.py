"""The web site and JSON API: `create_app(db_path=None, test_config=None)`.

Nothing touches the database at import or in `create_app`; the glossary is opened on the first
request that needs it, once per app, and shared by every request thread (the store is read-only).
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app

MAX_TEXT_CHARS = 200_000  # the annotate limit, in characters (code points)
MAX_BODY_BYTES = 4 * 1024 * 1024  # 200,000 CJK characters, percent-encoded in a form, fit in this


def create_app(db_path: str | os.PathLike | None = None, test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        GLOSSARY_DB=str(db_path or os.environ.get("GLOSSARY_DB") or "terms.sqlite"),
        MAX_TEXT_CHARS=MAX_TEXT_CHARS,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,  # Flask's default (500 kB) is below one full-size text
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # Chinese stays Chinese in every JSON response
    app.json.sort_keys = False
    app.extensions["glossary"] = None
    app.extensions["glossary_lock"] = threading.Lock()

    from web import api, pages, security
    from web.bookmarklet import bp as bookmarklet_bp
    from web.qa import bp as qa_bp

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(bookmarklet_bp)
    app.register_blueprint(qa_bp)
    security.init_app(app)
    return app


def get_glossary():
    """The app's Glossary, opened (and built from the curated YAML if missing or stale) on first use."""
    app = current_app
    glossary = app.extensions["glossary"]
    if glossary is None:
        with app.extensions["glossary_lock"]:
            glossary = app.extensions["glossary"]
            if glossary is None:
                from glossary import Glossary

                glossary = Glossary.open(app.config["GLOSSARY_DB"])
                app.extensions["glossary"] = glossary
    return glossary
