"""Terminology QA on the web: the /qa page (upload a bilingual file, or paste source and target side by
side) and POST /api/v1/qa (JSON segments or an uploaded file) answering the report's JSON.

Limits: the request body (MAX_CONTENT_LENGTH, as everywhere), QA_MAX_SEGMENTS segments and QA_MAX_CHARS
characters of source and target together. Errors under /api/ are `{"ok": false, "error", "status"}`.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template, request, url_for
from markupsafe import Markup

from web import get_glossary

bp = Blueprint("qa", __name__)

QA_MAX_SEGMENTS = 20_000
QA_MAX_CHARS = 1_000_000  # source and target together: a 5,000-segment job is about 600,000
REGIONS = ("prc", "tw", "hk", "mo")


class QAProblem(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _limits(segments) -> None:
    most = current_app.config.get("QA_MAX_SEGMENTS", QA_MAX_SEGMENTS)
    if len(segments) > most:
        raise QAProblem(f"{len(segments):,} segments; the limit is {most:,}. Check the file in parts.", 413)
    chars = sum(len(s.source) + len(s.target) for s in segments)
    limit = current_app.config.get("QA_MAX_CHARS", QA_MAX_CHARS)
    if chars > limit:
        raise QAProblem(f"{chars:,} characters of source and target; the limit is {limit:,}.", 413)
    if not segments:
        raise QAProblem("No segments to check.", 400)


def _from_upload(upload) -> list:
    from glossary import formats

    data = upload.read()
    if not data:
        raise QAProblem(f"{upload.filename or 'The uploaded file'} is empty.", 400)
    try:
        return formats.read_bytes(data, upload.filename or "upload")
    except formats.BilingualError as exc:
        raise QAProblem(str(exc), 400) from None


def _from_paste(source: str, target: str) -> list:
    from glossary.formats import Segment

    zh = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    en = target.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while zh and not zh[-1].strip():
        zh.pop()
    while en and not en[-1].strip():
        en.pop()
    if len(zh) != len(en):
        raise QAProblem(f"The Chinese has {len(zh)} lines and the English {len(en)}: paste them line for line.", 400)
    return [
        Segment(i, s.strip(), t.strip())
        for i, (s, t) in enumerate(zip(zh, en, strict=True), 1)
        if s.strip() or t.strip()
    ]


def _run(segments, region: str | None, ambiguous: bool):
    from glossary import qa

    _limits(segments)
    return qa.check(get_glossary(), segments, region=region, ambiguous=ambiguous)


@bp.route("/qa", methods=["GET", "POST"])
def page():
    form = {"source": "", "target": "", "ambiguous": False}
    if request.method == "GET":
        return render_template("qa.html", form=form, result=None)
    form = {
        "source": request.form.get("source", ""),
        "target": request.form.get("target", ""),
        "ambiguous": request.form.get("ambiguous") == "on",
    }
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            segments, name = _from_upload(upload), upload.filename
        elif form["source"].strip() or form["target"].strip():
            segments, name = _from_paste(form["source"], form["target"]), None
        else:
            raise QAProblem("Choose a bilingual file, or paste the Chinese and the English line for line.", 400)
        report = _run(segments, None, form["ambiguous"])
    except QAProblem as problem:
        return render_template("qa.html", form=form, result=None, error=str(problem)), problem.status
    from glossary import qa

    rows = qa.html_rows(report, lambda entry_id: url_for("pages.entry", entry_id=entry_id))
    result = {
        "rows": Markup(rows),  # html_rows escapes every text it writes
        "summary": report.summary(),
        "line": qa.summary_line(report),
        "name": name,
        "json": report.to_dict(),
    }
    return render_template("qa.html", form=form, result=result)


def _api_error(message: str, status: int):
    response = current_app.response_class(
        json.dumps({"ok": False, "error": message, "status": status}, ensure_ascii=False), mimetype="application/json"
    )
    response.status_code = status
    return response


@bp.post("/api/v1/qa")
def api():
    """`{"segments": [{"source", "target", "id"?}], "region"?, "ambiguous"?}` or a multipart upload
    (`file`, optional `region`, `ambiguous`) → `{"ok": true, "summary", "segments"}`."""
    from glossary.formats import Segment
    from glossary.render import to_json

    try:
        if request.mimetype == "multipart/form-data":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise QAProblem('the upload needs a "file" field', 400)
            options = {
                "region": request.form.get("region") or None,
                "ambiguous": request.form.get("ambiguous", "false").lower() in ("1", "true", "on"),
            }
            segments = _from_upload(upload)
        elif request.mimetype == "application/json":
            try:
                body = json.loads(request.get_data(cache=False).decode("utf-8"))
            except UnicodeDecodeError:
                raise QAProblem("the request body is not UTF-8", 400) from None
            except (ValueError, RecursionError) as exc:
                raise QAProblem(f"the request body is not valid JSON: {exc}", 400) from None
            if not isinstance(body, dict) or not isinstance(body.get("segments"), list):
                raise QAProblem('the JSON body needs a "segments" list', 400)
            segments = []
            for i, item in enumerate(body["segments"], 1):
                if (
                    not isinstance(item, dict)
                    or not isinstance(item.get("source"), str)
                    or not isinstance(item.get("target", ""), str)
                ):
                    raise QAProblem(f'segment {i} needs "source" and "target" strings', 400)
                ident = item.get("id")
                segments.append(
                    Segment(i, item["source"], item.get("target", ""), None if ident is None else str(ident))
                )
            options = {"region": body.get("region"), "ambiguous": body.get("ambiguous", False)}
            if not isinstance(options["ambiguous"], bool):
                raise QAProblem('"ambiguous" must be true or false', 400)
        else:
            raise QAProblem("send JSON (application/json) or a file (multipart/form-data)", 415)
        if options["region"] is not None and options["region"] not in REGIONS:
            raise QAProblem(f'"region" must be one of {", ".join(REGIONS)}', 400)
        report = _run(segments, options["region"], options["ambiguous"])
    except QAProblem as problem:
        return _api_error(str(problem), problem.status)
    return current_app.response_class(
        to_json({"ok": True, **report.to_dict()}, indent=False), mimetype="application/json"
    )
