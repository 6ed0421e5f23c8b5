"""The server-rendered site: search, entry pages, browsing, and the annotate page with its exports.

Every page works without JavaScript; static/annotate.js only adds tooltips, the pinyin toggle's
memory and copy buttons. Templates autoescape, so text we did not write never becomes markup; the
two pieces of HTML we build ourselves (notes, the annotated text) are escaped before they are marked safe.
"""

from __future__ import annotations

import re
from functools import cache

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from glossary.model import KINDS, REGIONS
from web import TextProblem, check_text, get_glossary

bp = Blueprint("pages", __name__)

MAX_QUERY = 200
HOME_TAGS = 30  # the most used tags on the home page; /browse has them all
SAFE_URL = re.compile(r"^(https?:|mailto:|/|#)", re.IGNORECASE)


# ---------------------------------------------------------------- search and entries


@bp.get("/")
def home():
    q = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    glossary = get_glossary()
    results = glossary.search(q, limit=100) if q else []
    kinds, tags = glossary.store.kinds(), glossary.store.tags()
    top_tags = sorted(tags, key=lambda t: (-t[1], t[0]))[:HOME_TAGS]
    return render_template(
        "home.html",
        q=q,
        results=results,
        kinds=kinds,
        tags=top_tags,
        all_tags=len(tags),
        total=sum(n for _, n in kinds),
    )


@bp.get("/terms/<entry_id>")
def entry(entry_id: str):
    glossary = get_glossary()
    found = glossary.get(entry_id)
    if found is None:
        by_form = glossary.store.lookup(entry_id)  # /terms/人工智慧 leads to the entry's own address
        if by_form is not None:
            return redirect(url_for("pages.entry", entry_id=by_form.id))
        abort(404, description=f"No entry with the id “{entry_id}”.")
    sources = glossary.sources_by_id()
    related = [r for r in (glossary.get(i) for i in found.related) if r is not None]
    forms = glossary.store.forms_of(found.id)
    hant = found.zh_hant or next((f["form"] for f in forms if f["origin"] == "s2t"), found.zh)
    others = [
        {**f, "label": f["note"] or FORM_ORIGINS.get(f["origin"].split()[-1], "variant")}
        for f in forms
        if f["form"] not in (found.zh, hant)
    ]
    return render_template(
        "entry.html",
        entry=found,
        hant=hant,
        sources=sources,
        related=related,
        forms=others,
        notes=render_notes(found.notes),
    )


FORM_ORIGINS = {
    "zh": "simplified",
    "zh_hant": "traditional",
    "s2t": "traditional",
    "s2tw": "Taiwan",
    "tw": "Taiwan usage",
    "s2hk": "Hong Kong",
    "variant": "variant",
}


def render_notes(text: str | None) -> Markup:
    """Curated Markdown as HTML, with raw HTML shown as text and links limited to safe schemes."""
    if not text:
        return Markup("")
    import markdown

    return Markup(markdown.markdown(text, extensions=[_safe_markdown()()]))


@cache
def _safe_markdown():
    """A Markdown extension class: raw HTML off, javascript:/data: links and all images dropped."""
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class DropUnsafe(Treeprocessor):
        def run(self, root):
            for parent in list(root.iter()):
                for child in list(parent):
                    href = child.get("href")
                    if child.tag == "img":
                        parent.remove(child)
                    elif href is not None and not SAFE_URL.match(href.strip()):
                        del child.attrib["href"]

    class SafeMarkdown(Extension):
        def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
            md.treeprocessors.register(DropUnsafe(md), "drop_unsafe", 0)

    return SafeMarkdown


# ---------------------------------------------------------------- browsing


@bp.get("/browse")
def browse():
    store = get_glossary().store
    sources = [(s, len(store.by_source(s.id))) for s in store.sources()]
    return render_template("browse.html", kinds=store.kinds(), tags=store.tags(), sources=sources)


@bp.get("/kinds/<kind>")
def kind(kind: str):
    if kind not in KINDS:
        abort(404, description=f"“{kind}” is not a kind of entry; kinds are {', '.join(KINDS)}.")
    entries = get_glossary().store.by_kind(kind)
    return render_template("list.html", heading=f"Kind: {kind}", title=kind, entries=entries, by_kind=True)


@bp.get("/tags/<tag>")
def tag(tag: str):
    entries = get_glossary().store.by_tag(tag)
    if not entries:
        abort(404, description=f"No entry is tagged “{tag}”.")
    return render_template("list.html", heading=f"Tag: {tag}", title=tag, entries=entries)


@bp.get("/sources")
def sources():
    return redirect(url_for("pages.browse", _anchor="sources"))


@bp.get("/sources/<source_id>")
def source(source_id: str):
    glossary = get_glossary()
    found = glossary.store.source(source_id)
    if found is None:
        abort(404, description=f"No source with the id “{source_id}”.")
    attested = []
    for summary in glossary.store.by_source(source_id):
        entry = glossary.get(summary["id"])
        quotes = [(i, q) for i, q in enumerate(entry.quotes, 1) if q.source == source_id]
        renderings = [r for r in entry.all_renderings() if r.authority == source_id]
        attested.append({"summary": summary, "quotes": quotes, "renderings": renderings})
    return render_template("source.html", source=found, attested=attested)


GLOSSARY_DOWNLOADS = {
    "tbx": "application/x-tbx+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/json",
}


def attachment(body: str, fmt: str, name: str) -> Response:
    """A download of `name.fmt`, as the CLI writes it (exchange.as_file: CSV with a byte-order mark)."""
    from glossary.exchange import as_file

    return Response(
        as_file(body, fmt),
        mimetype=GLOSSARY_DOWNLOADS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@bp.get("/glossary.<fmt>")
def download(fmt: str):
    """The whole glossary for a CAT tool's termbase (TBX-Basic, CSV, TSV) or for scripts (JSON)."""
    from glossary import exchange

    if fmt not in GLOSSARY_DOWNLOADS:
        abort(404, description=f"No download as “{fmt}”; choose one of {', '.join(GLOSSARY_DOWNLOADS)}.")
    return attachment(exchange.export(get_glossary().store, fmt, base_url=request.host_url), fmt, "policy-glossary")


# ---------------------------------------------------------------- annotate


def page_text(text: str) -> str:
    """The pasted text checked (web.check_text), line breaks normalised (textareas send CRLF)."""
    return check_text(text.replace("\r\n", "\n").replace("\r", "\n"))


def tooltip_sources(annotation, glossary) -> dict[str, dict]:
    """Title, publication and date of each source an annotation's first quotes come from."""
    wanted = {e["quote"]["source"] for e in annotation.entries.values() if e.get("quote")}
    sources = glossary.sources_by_id()  # cached: the same for every request
    return {
        i: {"title": sources[i].title, "publication": sources[i].publication, "date": sources[i].date}
        for i in sorted(wanted)
        if i in sources
    }


def tooltip_renderings(annotation, glossary) -> dict[str, list[dict]]:
    """Every rendering of each entry in the text, preferred first, with its TBX status and note: the
    tooltip lists the others and warns when some are deprecated or forbidden."""
    out = {}
    for entry_id in annotation.entries:
        entry = glossary.get(entry_id)
        if entry is not None:
            out[entry_id] = [{"en": r.en, "status": r.status, "note": r.note} for r in entry.all_renderings()]
    return out


def term_rows(annotation, glossary) -> list[dict]:
    """The document's term list (Annotation.terms) with each entry's other renderings, for the page."""
    rows = []
    for row in annotation.terms():
        entry = glossary.get(row["id"])
        rows.append({**row, "other_renderings": [r.en for r in entry.renderings if r.en != entry.en] if entry else []})
    return rows


def _annotate_form():
    form = request.form
    return form.get("text", ""), form.get("ambiguous") == "on", form.get("pinyin") == "all"


def page_filter(fields):
    """The annotate form's entry filters (glossary.filters) from its fields (a POST's form, or a
    link's query string); FilterError for a value the glossary does not know."""
    from glossary.filters import OPTION_NAMES, from_options

    options = {name: [v for v in fields.getlist(name) if v.strip()] for name in OPTION_NAMES[:4]}
    options = {name: value for name, value in options.items() if value}
    for name in OPTION_NAMES[4:]:
        if fields.get(name):
            options[name] = fields.get(name)
    return from_options(options, form=True)


def filter_choices(glossary, chosen) -> dict:
    """What the filter control offers: kinds, tags (suggested), regions, and statuses only where the
    glossary records one; `active` counts the filters in use (shown on the closed control)."""
    from glossary.filters import EDITORIAL_STATUSES, NO_REGION

    return {
        "chosen": chosen,
        "kinds": KINDS,
        "tags": glossary.per_version("tag names", lambda g: [t for t, _ in g.store.tags()]),
        "regions": (*REGIONS, NO_REGION),
        "statuses": EDITORIAL_STATUSES if glossary.per_version("status", lambda g: g.store.status_column()) else (),
        "active": sum(map(bool, chosen[:5])) + (chosen.min_length > 1),
    }


@bp.route("/annotate", methods=["GET", "POST"])
def annotate():
    """GET shows the form; POST, and GET with ?text= (a link to an annotation), annotate the text.
    (The bookmarklet's fallback hands text over in the fragment, #text=, which static/annotate.js posts.)"""
    from glossary.filters import EntryFilter, FilterError

    glossary = get_glossary()
    try:
        chosen = page_filter(request.form if request.method == "POST" else request.args)
        glossary.allowed(chosen)
        filter_error = None
    except FilterError as exc:
        chosen, filter_error = EntryFilter(), f"Filter: {exc}."
    filters = filter_choices(glossary, chosen)
    if request.method == "GET":
        if "text" not in request.args:
            return render_template(
                "annotate.html", text="", ambiguous=True, pinyin_all=False, result=None, filters=filters
            )
        text, ambiguous, pinyin_all = request.args.get("text", ""), True, False
    else:
        text, ambiguous, pinyin_all = _annotate_form()

    def refused(message: str, status: int):
        """The page again with the text as given and why it was not annotated."""
        page = render_template(
            "annotate.html",
            text=text,
            ambiguous=ambiguous,
            pinyin_all=pinyin_all,
            result=None,
            error=message,
            filters=filters,
        )
        return page, status

    if filter_error:
        return refused(filter_error, 400)

    notices: list[str] = []
    if request.method == "POST" and request.files.get("file") and request.files["file"].filename:
        from web.upload import UploadProblem, read_upload

        try:
            text, notices = read_upload(request.files["file"], request.form.get("encoding") or None)
        except UploadProblem as problem:
            return refused(str(problem), 400)
    try:
        text = page_text(text)
    except TextProblem as problem:
        return refused(str(problem), problem.status)
    from glossary import render

    annotation = glossary.annotate(text, ambiguous=ambiguous, entry_filter=chosen or None)
    reading = None
    if pinyin_all:
        from glossary.reading import reading as whole_text_reading
        from glossary.reading import use_readings

        use_readings(glossary.store.lexicon_file("lexicon_readings"))
        reading = whole_text_reading(annotation, glossary.annotator().lexicon)
    words = None
    if request.method == "POST" and request.form.get("dictionary") == "on" and reading is None:
        from glossary.dictionary import open_index
        from glossary.reading import dictionary as dictionary_words

        words = dictionary_words(annotation, glossary.annotator().lexicon, index=open_index(glossary.store.path))
    html = render.html_fragment(
        annotation, lambda i: url_for("pages.entry", entry_id=i), reading=reading, gloss=True, dictionary=words
    )
    result = {
        "html": Markup(html),  # html_fragment escapes the text and every curated field it writes
        "terms": term_rows(annotation, glossary),
        "data": {
            "entries": annotation.entries,
            "readings": annotation.readings,
            "sources": tooltip_sources(annotation, glossary),
            "renderings": tooltip_renderings(annotation, glossary),
        },
        "spans": sum(1 for top in annotation.spans for _ in top.walk()),
        "chars": len(text),
    }
    return render_template(
        "annotate.html",
        text=text,
        ambiguous=ambiguous,
        pinyin_all=pinyin_all,
        result=result,
        notices=notices,
        dictionary=words is not None,
        filters=filters,
    )


@bp.post("/annotate/export")
def export():
    """The document's term list as CSV or TBX-Basic, re-derived from the text the form posts."""
    from glossary import exchange

    fmt = request.form.get("format", "")
    if fmt not in ("csv", "tbx"):
        abort(400, description="Choose an export format: csv or tbx.")
    text, ambiguous, _ = _annotate_form()
    try:
        text = page_text(text)
    except TextProblem as problem:
        abort(problem.status, description=str(problem))
    from glossary.filters import FilterError

    glossary = get_glossary()
    try:
        chosen = page_filter(request.form)
        glossary.allowed(chosen)
    except FilterError as exc:
        abort(400, description=f"Filter: {exc}.")
    rows = term_rows(glossary.annotate(text, ambiguous=ambiguous, entry_filter=chosen or None), glossary)
    if fmt == "csv":
        body = exchange.terms_csv(rows)
    else:  # the document's entries as the whole-glossary TBX gives them: every form, status, note, pinyin
        from glossary.formats import terms
        from glossary.formats.tbx import document

        wanted = {row["id"] for row in rows}
        body = document(
            [t for t in terms(glossary.store) if t.entry.id in wanted],
            request.host_url,
            title="Terms of an annotated document",
        )
    return attachment(body, fmt, "terms")


# ---------------------------------------------------------------- about the API


@bp.get("/api")
def api_docs():
    return render_template("api.html")
