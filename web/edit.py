"""Editing in the browser: log in, edit or propose an entry, review, history, recent changes.

Every page works without JavaScript. The edit form posts the whole entry with the revision it was
loaded from; a stale edit merges, or (a field someone else changed too) comes back as 409 with the
merge view: both versions side by side, the form holding yours, based on the current revision.
"""

from __future__ import annotations

import os

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for

from glossary.editing import STATUSES, Conflict, EditError, Invalid, diff
from glossary.model import KINDS, REGIONS
from glossary.model import STATUSES as RENDERING_STATUSES
from web.auth import LoginLimiter, check_write, csrf_token, current_user, editing_on, editor, require
from web.pages import render_notes

bp = Blueprint("edit", __name__)
BLANK_ROWS = 2  # empty rows under the variants, renderings and quotes of the form
FEED_SIZE = 50


@bp.app_context_processor
def _context():
    def status_of(entry_id: str) -> str | None:
        state = editor().state(entry_id) if editing_on() else None
        return state["status"] if state else None

    return {"edit_on": editing_on, "edit_user": current_user, "csrf_token": csrf_token, "status_of": status_of}


@bp.after_app_request
def _private(response):
    """Pages that show who is logged in, or carry a CSRF token, are never cached by anyone."""
    if request.blueprint == "edit" or session.get("user"):
        response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- log in and out


@bp.route("/login", methods=["GET", "POST"])
def login():
    from glossary import accounts
    from glossary.editdb import connect

    if not editing_on():
        abort(404, description="This server has no user accounts: it is read-only.")
    error, status = None, 200
    limiter = current_app.extensions.setdefault("glossary_login_limiter", LoginLimiter())
    if request.method == "POST":
        check_write()
        name = request.form.get("name", "").strip()
        keys = (f"ip:{request.remote_addr}", f"user:{name.lower()}")
        if limiter.blocked(*keys):
            error, status = "Too many failed attempts. Wait a few minutes and try again.", 429
        else:
            with connect(current_app.config["GLOSSARY_DB"]) as conn:
                user = accounts.check_password(conn, name, request.form.get("password", ""))
            if user is None:
                limiter.failed(*keys)
                error, status = "Wrong user name or password.", 401
            else:
                limiter.succeeded(*keys)
                session.clear()
                session["user"] = user["name"]
                csrf_token()
                target = request.form.get("next", "")
                return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
    return render_template("edit_login.html", error=error, next=request.args.get("next", "")), status


@bp.post("/logout")
def logout():
    check_write()
    session.clear()
    return redirect(url_for("pages.home"))


# ---------------------------------------------------------------- the form


def _rows(prefix: str, keys: tuple[str, ...], defaulted: tuple[str, ...] = ()) -> list[dict]:
    """The filled rows of a repeated group of inputs (`renderings-0-en`, …), in order; a row whose
    only value is a menu's default (`defaulted`) is an empty row."""
    indexes = sorted({int(k.split("-")[1]) for k in request.form if k.startswith(prefix + "-") and k.count("-") == 2})
    rows = []
    for i in indexes:
        row = {k: request.form.get(f"{prefix}-{i}-{k}", "").strip() for k in keys}
        if any(v for k, v in row.items() if k not in defaulted):
            rows.append({k: v for k, v in row.items() if v})
    return rows


def _year(value: str):
    return int(value) if value.isdigit() else value  # anything else is reported by the validation


def _listed(name: str) -> list[str]:
    return [v.strip() for v in request.form.get(name, "").replace("\n", ",").split(",") if v.strip()]


def form_entry() -> dict:
    """The posted form as an entry in the curated schema (validated later, as a file would be)."""
    text = {k: request.form.get(k, "").strip() for k in ("id", "zh", "zh_hant", "pinyin", "kind", "region", "en")}
    text.update({k: request.form.get(k, "").strip() for k in ("authority", "first_attested", "ambiguous")})
    data: dict = {k: v or None for k, v in text.items()}
    data["notes"] = request.form.get("notes", "").replace("\r\n", "\n").strip() or None
    data["zh_attested"] = request.form.get("zh_attested") == "on"
    if data["ambiguous"] and request.form.get("ordinary_dominates") == "on":
        data["ambiguous"] = {"ordinary": data["ambiguous"], "dominant": True}
    data["tags"], data["related"] = _listed("tags"), _listed("related")
    data["confirmed_readings"] = _listed("confirmed_readings")
    data["variants"] = _rows("variants", ("form", "pinyin", "region", "en", "note"))
    renderings = _rows("renderings", ("en", "status", "authority", "from", "until", "note"), defaulted=("status",))
    for r in renderings:
        for key in ("from", "until"):
            if key in r:
                r[key] = _year(r[key])
    data["renderings"] = renderings
    data["quotes"] = _rows("quotes", ("source", "text", "zh", "cites", "locator"))
    return data


def _hints(data: dict) -> dict:
    """pypinyin's suggestion for each form, and readings to confirm (polyphones pypinyin reads otherwise)."""
    from glossary.chinese import has_han
    from glossary.pinyin import suggest_pinyin_words, unconfirmed_readings

    variants = [(v.get("form"), v.get("pinyin")) for v in data.get("variants") or []]
    forms = [(data.get("zh"), data.get("pinyin")), *variants]
    suggestions, unconfirmed = {}, []
    confirmed = tuple(data.get("confirmed_readings") or ())
    for form, pinyin in forms:
        if form and has_han(form):
            suggestions[form] = suggest_pinyin_words(form)
            if pinyin:
                unconfirmed += [(form, r) for r in unconfirmed_readings(form, pinyin, confirmed)]
    return {"suggestions": suggestions, "unconfirmed": unconfirmed}


def _render_form(data: dict, *, mode: str, base: int | None, status: int = 200, **extra):
    from glossary.store import Store

    with Store(current_app.config["GLOSSARY_DB"]) as store:
        sources = store.sources()
    ambiguous = data.get("ambiguous")
    return (
        render_template(
            "edit_form.html",
            data=data,
            ambiguous_text=ambiguous.get("ordinary") if isinstance(ambiguous, dict) else ambiguous,
            dominant=isinstance(ambiguous, dict) and ambiguous.get("dominant"),
            mode=mode,
            base=base,
            kinds=KINDS,
            regions=REGIONS,
            rendering_statuses=RENDERING_STATUSES,
            sources=sources,
            blank=BLANK_ROWS,
            notes_html=render_notes(data.get("notes")) if request.form.get("action") == "preview" else None,
            hints=_hints(data),
            **extra,
        ),
        status,
    )


@bp.route("/terms/<entry_id>/edit", methods=["GET", "POST"])
@require("contributor")
def edit_entry(entry_id: str):
    current, revision, _ = editor().current(entry_id)
    if current is None:
        abort(404, description=f"{entry_id} was deleted; restore a revision from its history.")
    if request.method == "GET":
        return _render_form(current, mode="edit", base=revision)
    data = {**form_entry(), "id": entry_id}
    base = request.form.get("base_revision", type=int) or revision
    comment = request.form.get("comment", "")
    if request.form.get("action") == "preview":
        return _render_form(data, mode="edit", base=base, comment=comment)
    user = current_user() or {}
    try:
        if user["role"] == "contributor":
            number = editor().propose(data, user["name"], base, comment)
            flash(f"Your change was sent to the editors as proposal #{number}.")
            return redirect(url_for("pages.entry", entry_id=entry_id))
        saved = editor().save(entry_id, data, base, user["name"], comment)
    except Conflict as conflict:
        return _render_form(
            data, mode="edit", base=conflict.revision, status=409, comment=comment, conflict=_conflict_view(conflict)
        )
    except Invalid as invalid:
        return _render_form(data, mode="edit", base=base, status=422, comment=comment, errors=invalid.messages)
    except EditError as exc:
        return _render_form(data, mode="edit", base=base, status=exc.status, comment=comment, errors=[str(exc)])
    flash(f"Saved as revision {saved.revision}" + (", merged with changes made meanwhile." if saved.merged else "."))
    return redirect(url_for("pages.entry", entry_id=entry_id))


def _conflict_view(conflict: Conflict) -> dict:
    current = conflict.current or {}
    from glossary.editing import field_text

    rows = [
        {"field": f, "theirs": field_text(current.get(f)), "mine": field_text(conflict.mine.get(f))}
        for f in conflict.fields
    ]
    return {"rows": rows, "revision": conflict.revision}


@bp.route("/new", methods=["GET", "POST"])
@require("contributor")
def new_entry():
    """A new entry, prefilled from a search that found nothing (`?zh=`, `?en=`), a selection on the
    annotate page or a discovered candidate (`?note=`, its evidence); a contributor's becomes a proposal.
    A new entry's Chinese form is not yet printed in a source: the editor ticks that box with a quote."""
    from glossary.pinyin import slug, suggest_pinyin_words

    if request.method == "GET":
        from glossary.chinese import has_han

        q = request.args.get("q", "").strip()
        zh = (request.args.get("zh") or (q if has_han(q) else "")).strip()[:50]
        en = (request.args.get("en") or ("" if has_han(q) else q)).strip()[:200]
        pinyin = suggest_pinyin_words(zh) if zh else ""
        data = {"zh": zh, "pinyin": pinyin, "id": slug(pinyin), "en": en, "kind": "term"}
        data.update(zh_attested=False, authority="curator", notes=request.args.get("note", "").strip()[:2000] or None)
        return _render_form(data, mode="new", base=None)
    data, comment = form_entry(), request.form.get("comment", "")
    if request.form.get("action") == "preview":
        return _render_form(data, mode="new", base=None, comment=comment)
    user = current_user() or {}
    try:
        if user["role"] == "contributor":
            number = editor().propose(data, user["name"], None, comment)
            flash(f"Your entry was sent to the editors as proposal #{number}.")
            return redirect(url_for("edit.proposal", number=number))
        saved = editor().create(data, user["name"], comment)
    except Invalid as invalid:
        return _render_form(data, mode="new", base=None, status=422, comment=comment, errors=invalid.messages)
    except EditError as exc:
        return _render_form(data, mode="new", base=None, status=exc.status, comment=comment, errors=[str(exc)])
    flash(f"Created {saved.entry_id}.")
    return redirect(url_for("pages.entry", entry_id=saved.entry_id))


# ---------------------------------------------------------------- history


@bp.get("/terms/<entry_id>/history")
def history(entry_id: str):
    if not editing_on():
        abort(404, description="This server keeps no edit history: it has no user accounts.")
    try:
        revisions = editor().history(entry_id)
    except EditError as exc:
        abort(exc.status, description=str(exc))
    state = editor().state(entry_id)
    return render_template(
        "edit_history.html", entry_id=entry_id, revisions=revisions, state=state, comments=editor().comments(entry_id)
    )


@bp.get("/terms/<entry_id>/diff")
def revision_diff(entry_id: str):
    if not editing_on():
        abort(404)
    newest = editor().history(entry_id)[0]["number"] if editing_on() else 0
    to = request.args.get("to", newest, type=int)
    start = request.args.get("from", max(to - 1, 0), type=int)
    try:
        after = editor().revision(entry_id, to)
        before = editor().revision(entry_id, start)["after"] if start else None
    except EditError as exc:
        abort(exc.status, description=str(exc))
    return render_template(
        "edit_diff.html", entry_id=entry_id, start=start, to=to, revision=after, changes=diff(before, after["after"])
    )


@bp.post("/terms/<entry_id>/restore")
@require("editor")
def restore(entry_id: str):
    number = request.form.get("revision", type=int)
    if number is None:
        abort(400, description="Say which revision to restore.")
    try:
        saved = editor().restore(entry_id, number, (current_user() or {})["name"])
    except EditError as exc:
        abort(exc.status, description=str(exc))
    flash(f"Restored revision {number} as revision {saved.revision}.")
    return redirect(url_for("edit.history", entry_id=entry_id))


@bp.post("/terms/<entry_id>/comments")
@require("contributor")
def comment(entry_id: str):
    try:
        editor().comment(entry_id, (current_user() or {})["name"], request.form.get("body", ""))
    except EditError as exc:
        abort(exc.status, description=str(exc))
    return redirect(url_for("edit.history", entry_id=entry_id, _anchor="discussion"))


@bp.post("/terms/<entry_id>/status")
@require("editor")
def set_status(entry_id: str):
    try:
        editor().set_status(entry_id, request.form.get("status", ""), (current_user() or {})["name"])
    except EditError as exc:
        abort(exc.status, description=str(exc))
    return redirect(request.form.get("next") or url_for("edit.review"))


# ---------------------------------------------------------------- review


@bp.get("/review")
@require("contributor")
def review():
    return render_template("edit_review.html", queue=editor().queue(), statuses=STATUSES)


@bp.get("/review/proposals/<int:number>")
@require("contributor")
def proposal(number: int):
    try:
        found = editor().proposal(number)
    except EditError as exc:
        abort(exc.status, description=str(exc))
    base = None
    if found["base_revision"]:
        base = editor().revision(found["entry_id"], found["base_revision"])["after"]
    return render_template("edit_proposal.html", proposal=found, changes=diff(base, found["data"]))


@bp.post("/review/proposals/<int:number>")
@require("editor")
def decide(number: int):
    reviewer = (current_user() or {})["name"]
    try:
        if request.form.get("decision") == "approve":
            editor().approve(number, reviewer)
            flash(f"Proposal #{number} approved.")
        else:
            editor().reject(number, reviewer, request.form.get("reason", ""))
            flash(f"Proposal #{number} rejected.")
    except Conflict as conflict:
        flash(f"Proposal #{number} conflicts with later edits of {', '.join(conflict.fields)}: edit the entry instead.")
    except EditError as exc:
        flash(str(exc))
    return redirect(url_for("edit.review"))


@bp.get("/review/conflicts/<entry_id>")
@require("editor")
def conflict(entry_id: str):
    import json

    state = editor().state(entry_id)
    if not state or not state["conflict"]:
        abort(404, description=f"{entry_id} has no upstream conflict.")
    current, revision, _ = editor().current(entry_id)
    upstream = json.loads(state["conflict"])["upstream"]
    return render_template("edit_conflict.html", entry_id=entry_id, revision=revision, changes=diff(current, upstream))


@bp.post("/review/conflicts/<entry_id>")
@require("editor")
def resolve(entry_id: str):
    try:
        editor().resolve(entry_id, request.form.get("take", ""), (current_user() or {})["name"])
    except Conflict:
        flash("The entry changed meanwhile; look again.")
    except EditError as exc:
        abort(exc.status, description=str(exc))
    return redirect(url_for("edit.review"))


# ---------------------------------------------------------------- admin


@bp.route("/admin/users", methods=["GET", "POST"])
@require("admin")
def users():
    """Add users, change roles, remove users (the same rules as `glossary user …`)."""
    from glossary import accounts
    from glossary.editdb import connect

    with connect(current_app.config["GLOSSARY_DB"]) as conn:
        if request.method == "POST":
            name, action = request.form.get("name", "").strip(), request.form.get("action")
            try:
                if action == "add":
                    accounts.add_user(conn, name, request.form.get("role", ""), request.form.get("password", ""))
                    flash(f"Added {name}.")
                elif action == "role":
                    accounts.set_role(conn, name, request.form.get("role", ""))
                    flash(f"{name} is now {request.form.get('role')}.")
                elif action == "remove":
                    accounts.remove_user(conn, name)
                    flash(f"Removed {name}.")
            except accounts.AccountError as exc:
                flash(str(exc))
            return redirect(url_for("edit.users"))
        return render_template("edit_users.html", users=accounts.users(conn), roles=accounts.ROLES)


@bp.route("/admin/import", methods=["GET", "POST"])
@require("admin")
def import_page():
    """`glossary import --as` in the browser: an upload is previewed (nothing written), then the
    admin confirms and the same entries go through the editors' door as revisions, all or nothing."""
    if request.method == "GET":
        return render_template("edit_import.html")
    import json

    replace = request.form.get("replace") == "1"
    if request.form.get("action") == "apply":
        return _apply_import(request.form.get("entries", ""), replace)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("edit_import.html", problem="Choose a JSON or YAML export to import."), 400
    try:
        items = _read_import_upload(upload)
        preview = editor().preview_import(items, replace)
    except EditError as exc:
        return render_template("edit_import.html", problem=f"Import refused: {exc}. Nothing was written."), 422
    return render_template(
        "edit_import.html",
        preview=preview,
        name=upload.filename,
        replace=replace,
        entries=json.dumps(items, ensure_ascii=False),
    )


IMPORT_SUFFIXES = (".json", ".yaml", ".yml")


def _read_import_upload(upload):
    """The entries of an uploaded JSON or YAML export, read as the CLI reads a file (exchange.parse_import)."""
    from pathlib import PurePath

    from glossary.exchange import ImportProblem, parse_import

    name = PurePath(upload.filename).name
    if PurePath(name).suffix.lower() not in IMPORT_SUFFIXES:
        raise EditError(f"{name} is not a JSON or YAML export (.json, .yaml or .yml)")
    try:
        data = parse_import(upload.read(), PurePath(name))
    except ImportProblem as exc:
        raise EditError(str(exc)) from None
    return data.get("entries") if isinstance(data, dict) else data


def _apply_import(entries: str, replace: bool):
    import json

    try:
        saved = editor().import_entries(json.loads(entries), (current_user() or {})["name"], replace)
    except ValueError:
        return render_template("edit_import.html", problem="The confirmed import was damaged; upload it again."), 400
    except Invalid as invalid:
        problem = f"Import refused, {len(invalid.messages)} problem(s); nothing was written."
        return render_template("edit_import.html", problem=problem, messages=invalid.messages), 422
    except EditError as exc:
        return render_template("edit_import.html", problem=f"Import refused: {exc}. Nothing was written."), 409
    return render_template("edit_import.html", saved=saved)


# ---------------------------------------------------------------- recent changes


@bp.get("/changes")
def changes():
    if not editing_on():
        abort(404, description="This server keeps no edit history: it has no user accounts.")
    return render_template("edit_changes.html", changes=editor().recent(FEED_SIZE))


@bp.get("/changes.atom")
def feed():
    if not editing_on():
        abort(404)
    body = render_template("edit_feed.xml", changes=editor().recent(FEED_SIZE), base=request.host_url.rstrip("/"))
    return Response(body, mimetype="application/atom+xml")


def init_app(app) -> None:
    from web.auth import Sessions

    app.session_interface = Sessions()
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if os.environ.get("GLOSSARY_HTTPS") == "1":  # behind an HTTPS proxy, which waitress cannot see
        app.config["SESSION_COOKIE_SECURE"] = True
    app.register_blueprint(bp)
    from web import edit_api

    app.register_blueprint(edit_api.bp)


def catch_up(app) -> None:
    """At start: derived data of revisions acknowledged before a crash is rebuilt (editing.refresh)."""
    from glossary.editdb import has_editing

    if has_editing(app.config["GLOSSARY_DB"]):
        with app.app_context():
            editor().refresh()
