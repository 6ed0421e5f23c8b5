"""Termbase downloads for other tools (glossary.formats): a Yomitan dictionary with its update index,
an Anki deck, Pleco flashcards, an OmegaT glossary and a DeepL glossary. Links inside them point at
this server, as the browser reached it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

from web import get_glossary

bp = Blueprint("downloads", __name__, url_prefix="/downloads")


def _base_url() -> str:
    return request.host_url.rstrip("/")


@bp.get("/yomitan-index.json")
def yomitan_index():
    """What Yomitan fetches to see whether a newer dictionary is out (the index's `indexUrl`)."""
    from glossary.formats import revision, yomitan

    return jsonify(yomitan.index(_base_url(), revision(get_glossary().store)))


@bp.get("/<name>")
def download(name: str):
    from glossary import formats

    by_name = {file: (fmt, mime) for fmt, (file, mime) in formats.FILES.items()}
    if name not in by_name:
        abort(404, description=f"No download called “{name}”.")
    fmt, mime = by_name[name]
    data = formats.export(get_glossary().store, fmt, base_url=_base_url())
    return Response(data, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})
