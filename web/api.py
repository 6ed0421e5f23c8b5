"""The JSON API under /api/v1/: search, one entry with its quotes, and annotation.

One shape everywhere: `{"ok": true, ...}` or `{"ok": false, "error": "...", "status": N}`, Chinese
kept as is. CORS headers (web/security.py) are on every answer, errors and preflights included,
because the bookmarklet calls this from other sites' pages.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from glossary.model import REGIONS
from glossary.render import to_json
from web import TextProblem, check_text, get_glossary
from web.pages import tooltip_sources

bp = Blueprint("api", __name__, url_prefix="/api/v1")

OPENAPI_FILE = Path(__file__).parent / "static" / "openapi.json"
MAX_LIMIT = 200


class ApiError(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def error_response(message: str, status: int) -> Response:
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_response(str(exc), exc.status)


def _limit() -> int:
    """The `limit` parameter of a list, checked the same way for every endpoint that takes one."""
    try:
        limit = int(request.args.get("limit", 20))
    except ValueError:
        raise ApiError("limit must be a whole number", 400) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(f"limit must be between 1 and {MAX_LIMIT}", 400)
    return limit


@bp.get("/terms")
def search():
    q = " ".join(request.args.get("q", "").split())
    if not q:
        raise ApiError("missing query parameter q (Chinese, pinyin or English)", 400)
    if len(q) > 200:
        raise ApiError("query too long (at most 200 characters)", 400)
    limit = _limit()
    results = [{**r, "url": url_for("pages.entry", entry_id=r["id"])} for r in get_glossary().search(q, limit)]
    return jsonify({"ok": True, "query": q, "results": results})


@bp.get("/terms/<entry_id>")
def entry(entry_id: str):
    glossary = get_glossary()
    found = glossary.get(entry_id)
    if found is None:
        raise ApiError(f"no entry with id {entry_id!r}", 404)
    data = found.to_dict()
    wanted = {q.source for q in found.quotes} | {r.authority for r in found.renderings if r.authority}
    data["sources"] = {i: s.to_dict() for i, s in glossary.sources_by_id().items() if i in wanted}
    data["forms"] = glossary.store.forms_of(found.id)
    data["url"] = url_for("pages.entry", entry_id=found.id)
    return jsonify({"ok": True, "entry": data})


@bp.get("/lookup")
def lookup():
    """For a CAT tool's terminology plug-in: `?q=人工智` → the exact form and the forms that start
    with it (`prefix=false` for exact forms only), each with its entry's rendering and pinyin."""
    from glossary.lookup import lookup as find

    q = request.args.get("q", "").strip()
    if not q:
        raise ApiError("missing query parameter q (a Chinese form, either script)", 400)
    if len(q) > 100:
        raise ApiError("query too long (at most 100 characters)", 400)
    limit = _limit()
    prefix = request.args.get("prefix", "true").lower() not in ("false", "0", "no")
    matches = find(get_glossary().store, q, prefix=prefix, limit=limit)
    for match in matches:
        match["url"] = url_for("pages.entry", entry_id=match["id"], _external=True)
    return current_app.response_class(
        to_json({"ok": True, "q": q, "matches": matches}, indent=False), mimetype="application/json"
    )


@bp.post("/annotate")
def annotate():
    """`{"text": "...", "ambiguous": true}` → the CLI's JSON (`entries`, `readings`, `spans`) plus quote
    sources; optional entry filters (kind, tag, entry_region, status, min_length, curated_only).
    web/fast_api.py answers the plain case of this endpoint without Flask, with the same `answer`."""
    if request.mimetype != "application/json":
        raise ApiError("send JSON with Content-Type: application/json", 415)
    body = answer(request.get_data(cache=False), current_app.config["MAX_TEXT_CHARS"], get_glossary)
    return current_app.response_class(body, mimetype="application/json")


def answer(raw: bytes, max_chars: int, open_glossary) -> bytes:
    """The annotate endpoint's JSON for a request body, or ApiError; `open_glossary()` is called only
    once the request is known to be good (a bad one never builds or opens the database)."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError("the request body is not UTF-8", 400) from None
    except RecursionError:  # the decoder recurses once per level: 1,000 brackets are 2 kB
        raise ApiError("the request body is not valid JSON: nested too deeply", 400) from None
    except ValueError as exc:
        raise ApiError(f"the request body is not valid JSON: {exc}", 400) from None
    if not isinstance(body, dict) or "text" not in body:
        raise ApiError('the JSON body needs a "text" field', 400)
    text, ambiguous = body["text"], body.get("ambiguous", True)
    if not isinstance(text, str):
        raise ApiError('"text" must be a string', 400)
    if not isinstance(ambiguous, bool):
        raise ApiError('"ambiguous" must be true or false', 400)
    try:
        check_text(text, max_chars)  # offsets point into the text as sent: no line-break normalising here
    except TextProblem as problem:
        raise ApiError(str(problem), problem.status) from None
    region = body.get("region")
    if region is not None and region not in REGIONS:
        raise ApiError(f'"region" must be one of {", ".join(REGIONS)} (or absent: guessed from the text)', 400)
    glossary = open_glossary()
    annotation = glossary.annotate(text, ambiguous=ambiguous, region=region, entry_filter=_entry_filter(body, glossary))
    data = {"ok": True, **annotation.json_dict(), "sources": tooltip_sources(annotation, glossary)}
    # orjson: the standard encoder was most of the endpoint's time on a long text (bench/bench_web.py)
    import orjson  # bytes straight out: no str to encode again (the answer is many kB)

    return orjson.dumps(data)


def _entry_filter(options: dict, glossary):
    """The entry filters of an annotate request (glossary.filters), checked: a bad one is a 400."""
    from glossary.filters import FilterError, from_options

    try:
        chosen = from_options(options)
        glossary.allowed(chosen)  # a filter the glossary cannot apply (status) fails here
    except FilterError as exc:
        raise ApiError(str(exc), 400) from None
    return chosen or None


@bp.get("/openapi.json")
def openapi():
    return current_app.response_class(OPENAPI_FILE.read_bytes(), mimetype="application/json")
