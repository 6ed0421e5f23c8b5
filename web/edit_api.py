"""The editing JSON API under /api/v1/: entries with their revision, edits, history, restore, proposals.

Writes take `Authorization: Bearer <token>` (`glossary token create`), or a logged-in session with
its CSRF token in `X-CSRF-Token`. Statuses: 401 without credentials, 403 for a role that may not,
404 for an unknown entry, 409 for a stale edit of a field someone else changed (the body holds the
current entry, its revision and the fields in conflict), 422 with every validation message.
"""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from glossary.editing import Conflict, EditError, Invalid, NotFound
from web.api import error_response
from web.auth import current_user, editing_on, editor, require

bp = Blueprint("edit_api", __name__, url_prefix="/api/v1")


@bp.errorhandler(EditError)
def _edit_error(exc: EditError):
    if isinstance(exc, Conflict):
        response = jsonify(
            {
                "ok": False,
                "error": str(exc),
                "status": 409,
                "conflicts": exc.fields,
                "revision": exc.revision,
                "entry": exc.current,
            }
        )
        response.status_code = 409
        return response
    if isinstance(exc, Invalid):
        response = jsonify({"ok": False, "error": str(exc), "status": 422, "errors": exc.messages})
        response.status_code = 422
        return response
    return error_response(str(exc), exc.status)


def _body() -> dict:
    if request.mimetype != "application/json":
        raise EditError("send JSON with Content-Type: application/json")
    try:
        body = json.loads(request.get_data(cache=False).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise EditError("the request body is not valid UTF-8 JSON") from None
    if not isinstance(body, dict):
        raise EditError("the JSON body must be an object")
    return body


def _revision(body: dict, key: str) -> int:
    value = body.pop(key, None)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EditError(f'"{key}" must be a revision number')
    return value


def _user() -> str:
    return (current_user() or {})["name"]


@bp.get("/entries/<entry_id>")
def entry(entry_id: str):
    if not editing_on():
        from web import get_glossary

        found = get_glossary().get(entry_id)
        if found is None:
            raise NotFound(f"no entry with id {entry_id!r}")
        return jsonify({"ok": True, "entry": found.to_dict(), "revision": None, "status": "approved"})
    data, revision, state = editor().current(entry_id)
    return jsonify({"ok": True, "entry": data, "revision": revision, "status": state["status"]})


@bp.put("/entries/<entry_id>")
@require("editor")
def save(entry_id: str):
    body = _body()
    base = _revision(body, "base_revision")
    comment = body.pop("comment", None)
    saved = editor().save(entry_id, body, base, _user(), comment if isinstance(comment, str) else None)
    return jsonify({"ok": True, "id": saved.entry_id, "revision": saved.revision, "merged": saved.merged})


@bp.post("/entries")
@require("editor")
def create():
    body = _body()
    comment = body.pop("comment", None)
    saved = editor().create(body, _user(), comment if isinstance(comment, str) else None)
    response = jsonify({"ok": True, "id": saved.entry_id, "revision": saved.revision})
    response.status_code = 201
    return response


@bp.get("/entries/<entry_id>/history")
def history(entry_id: str):
    if not editing_on():
        raise EditError("this server keeps no edit history")
    return jsonify({"ok": True, "id": entry_id, "revisions": editor().history(entry_id)})


@bp.post("/entries/<entry_id>/restore")
@require("editor")
def restore(entry_id: str):
    number = _revision(_body(), "revision")
    saved = editor().restore(entry_id, number, _user())
    return jsonify({"ok": True, "id": entry_id, "revision": saved.revision})


@bp.get("/proposals")
@require("contributor")
def proposals():
    return jsonify({"ok": True, "proposals": editor().proposals(request.args.get("state", "open"))})


@bp.post("/proposals")
@require("contributor")
def propose():
    body = _body()
    base = body.pop("base_revision", None)
    if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
        raise EditError('"base_revision" must be a revision number (or absent, for a new entry)')
    comment = body.pop("comment", None)
    number = editor().propose(body, _user(), base, comment if isinstance(comment, str) else None)
    response = jsonify({"ok": True, "proposal": number})
    response.status_code = 201
    return response


@bp.post("/proposals/<int:number>/approve")
@require("editor")
def approve(number: int):
    saved = editor().approve(number, _user())
    return jsonify({"ok": True, "proposal": number, "id": saved.entry_id, "revision": saved.revision})


@bp.post("/proposals/<int:number>/reject")
@require("editor")
def reject(number: int):
    reason = _body().get("reason")
    editor().reject(number, _user(), reason if isinstance(reason, str) else "")
    return jsonify({"ok": True, "proposal": number})
