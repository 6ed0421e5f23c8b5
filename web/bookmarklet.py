"""The /bookmarklet page: a `javascript:` link that annotates the page the reader is on.

The link carries the whole script (static/bookmarklet.js with static/tooltip.js, the tooltip builder
the annotate page uses too, put inside it; compacted, with this server's origin filled in), because
a page with a strict Content-Security-Policy would block loading it from us. The readable script,
with the same origin, is served at /bookmarklet.js for anyone who wants to check it.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, url_for

from glossary.filters import OPTION_NAMES

bp = Blueprint("bookmarklet", __name__)

SCRIPT = Path(__file__).with_name("static") / "bookmarklet.js"
TOOLTIP = SCRIPT.with_name("tooltip.js")
# The line of bookmarklet.js that tooltip.js replaces (inside its function, so nothing leaks to the page).
INCLUDE = "// @include tooltip.js"
PLACEHOLDER = '"__GLOSSARY_SERVER__"'
# Characters left as they are in the javascript: URL (spaces too: browsers keep them); everything else
# is percent-encoded (line breaks, %, # and non-ASCII included), so the link survives a drag to the
# bookmarks bar or a paste into a bookmark's address field.
URL_SAFE = " !$&'()*+,-./:;=?@_~[]{}|^`<>\""


def server_origin() -> str:
    """The address the reader reached this server at (scheme, host, port and any mount path)."""
    return request.url_root.rstrip("/")


@cache
def _source() -> str:
    """bookmarklet.js with tooltip.js in place of its INCLUDE line."""
    lines = SCRIPT.read_text(encoding="utf-8").splitlines(keepends=True)
    at = [i for i, line in enumerate(lines) if line.strip() == INCLUDE]
    if len(at) != 1:
        raise RuntimeError(f"{SCRIPT} must have one {INCLUDE!r} line")
    lines[at[0]] = tooltip_source()
    return "".join(lines)


@cache
def tooltip_source() -> str:
    """static/tooltip.js: the code that builds a term's tooltip, on the annotate page and in the bookmarklet."""
    source = TOOLTIP.read_text(encoding="utf-8")
    return source if source.endswith("\n") else source + "\n"


OPTIONS_PLACEHOLDER = '"__GLOSSARY_OPTIONS__"'


def script_for(server: str, options: str = "{}") -> str:
    """The readable script, pointed at `server`, sending `options` (JSON: the entry filters) with each request."""
    source = _source()
    if PLACEHOLDER not in source or OPTIONS_PLACEHOLDER not in source:
        raise RuntimeError(f"{SCRIPT} lost its {PLACEHOLDER} or {OPTIONS_PLACEHOLDER} placeholder")
    return source.replace(PLACEHOLDER, json.dumps(server), 1).replace(OPTIONS_PLACEHOLDER, options, 1)


def fallback_chars() -> int:
    """How much text the script sends to the annotate page when a page's CSP blocks it."""
    found = re.search(r"const FALLBACK_CHARS = (\d+);", _source())
    if found is None:
        raise RuntimeError("bookmarklet.js does not set FALLBACK_CHARS")
    return int(found.group(1))


def compact(source: str) -> str:
    """Drop full-line comments, indentation and blank lines (the script is written to allow it)."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


@lru_cache(maxsize=16)  # keyed on the Host header and the filters: bounded, whatever clients send
def bookmarklet_href(server: str, options: str = "{}") -> str:
    return "javascript:" + quote(compact(script_for(server, options)), safe=URL_SAFE)


def chosen_options() -> tuple[str, dict]:
    """The entry filters asked for in the query string (the page's filter form), as the JSON the
    script sends, and the annotate page's filter control; a bad value is dropped with a message."""
    from glossary.filters import EntryFilter, FilterError, as_options
    from web import get_glossary
    from web.pages import filter_choices, page_filter

    glossary = get_glossary()
    try:
        chosen, error = page_filter(request.args), None
        glossary.allowed(chosen)
    except FilterError as exc:
        chosen, error = EntryFilter(), f"Filter: {exc}."
    options = json.dumps(as_options(chosen), ensure_ascii=False, sort_keys=True)
    return options, {**filter_choices(glossary, chosen), "error": error}


@bp.get("/bookmarklet")
def page():
    server = server_origin()
    options, filters = chosen_options()
    href = bookmarklet_href(server, options)
    return render_template(
        "bookmarklet.html",
        href=href,
        server=server,
        size=len(href),
        fallback_chars=fallback_chars(),
        filters=filters,
        script_url=url_for("bookmarklet.script", **{k: v for k, v in request.args.lists() if k in OPTION_NAMES}),
    ), 400 if filters["error"] else 200


@bp.get("/bookmarklet.js")
def script():
    options, _ = chosen_options()
    return Response(
        script_for(server_origin(), options), mimetype="text/javascript", headers={"Cache-Control": "no-cache"}
    )
