"""The corpus on the web: an entry's usage (timeline chart + concordance, shown on the entry page through
the `corpus_usage` template global), the compare page, the document view, and the discovery page.

The chart is an SVG drawn here, on the server: readable without JavaScript, with the same numbers in a
table beside it. Every piece of text in it is escaped. The corpus is read through its own read-only
connection per request (closed at teardown); discovery is too slow for a request, so the page shows the
last `glossary discover` run, which the command stores.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from markupsafe import Markup, escape

from web import get_glossary

bp = Blueprint("corpus", __name__)

MAX_TERMS = 6  # on the compare page
KWIC_LINES = 25
COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#555555")


def get_corpus():
    from glossary.corpus import Corpus

    if "corpus" not in g:
        g.corpus = Corpus(current_app.config["GLOSSARY_DB"], readonly=True)
    return g.corpus


@bp.teardown_app_request
def _close_corpus(exc):
    corpus = g.pop("corpus", None)
    if corpus is not None:
        corpus.close()


def _arg(name: str, allowed: tuple[str, ...] | None = None, default: str | None = None) -> str | None:
    value = (request.args.get(name) or "").strip()[:40]
    if allowed is not None and value not in allowed:
        return default
    return value or default


# ---------------------------------------------------------------- the chart


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10 if value >= 1 else 0.1
    while step * 10 < value:
        step *= 10
    for m in (1, 2, 2.5, 5, 10):
        if m * step >= value:
            return m * step
    return 10 * step


def timeline_svg(timelines: list[dict], labels: dict[str, str], width: int = 720, height: int = 240) -> Markup:
    """Per-10k lines of one or more timelines (same periods) as an SVG with a title, axes and a legend;
    each point carries a <title> with its numbers."""
    if not timelines or not timelines[0]["series"]:
        return Markup("")
    left, right, top, bottom = 56, 40, 28, 44
    periods = [p["period"] for p in timelines[0]["series"]]
    top_value = _nice_max(max(p["per_10k"] for t in timelines for p in t["series"]))
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / (len(periods) - 1) if len(periods) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    names = ", ".join(labels.get(t["entry"], t["entry"]) for t in timelines)
    parts = [
        f'<svg class="timeline-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">Uses per 10,000 characters by {escape(timelines[0]["by"])}: {escape(names)}</title>',
        f'<desc id="chart-desc">From {escape(periods[0])} to {escape(periods[-1])}; '
        "the table gives the numbers.</desc>",
    ]
    for k in range(5):
        value = top_value * k / 4
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" />'
            f'<text class="tick" x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    every = max(1, -(-len(periods) // 12))
    for i, period in enumerate(periods):
        if i % every == 0 or i == len(periods) - 1:
            parts.append(
                f'<text class="tick" x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                f"{escape(period)}</text>"
            )
    parts.append(f'<text class="axis" x="12" y="{top - 10}">per 10k chars</text>')
    for n, t in enumerate(timelines):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(p['per_10k']):.1f}" for i, p in enumerate(t["series"]))
        label = escape(labels.get(t["entry"], t["entry"]))
        parts.append(f'<g class="series" data-entry="{escape(t["entry"])}">')
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}" />')
        for i, p in enumerate(t["series"]):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(p["per_10k"]):.1f}" r="3" fill="{colour}">'
                f"<title>{label} {escape(p['period'])}: {p['count']} uses in {p['documents']} documents, "
                f"{p['per_10k']} per 10k</title></circle>"
            )
        parts.append("</g>")
        lx = left + 8 + n * 150
        parts.append(
            f'<rect x="{lx}" y="{height - 18}" width="12" height="4" fill="{colour}" />'
            f'<text class="legend" x="{lx + 16}" y="{height - 12}">{label}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------- the entry page's section


@bp.app_template_global()
def corpus_usage(entry_id: str, zh: str) -> dict | None:
    """What the entry page shows of the corpus: None when the corpus is empty or has no use of the entry."""
    from glossary import usage

    corpus = get_corpus()
    if corpus.is_empty():
        return None
    by = _arg("by", usage.BY, "year")
    sort = _arg("kwic_sort", usage.SORTS, "date") or "date"
    source, period = _arg("kwic_source"), _arg("kwic_period")
    problem: str | None = None
    try:
        lines, total = usage.kwic(corpus, entry_id, sort=sort, source=source, period=period, limit=KWIC_LINES)
    except usage.UsageError as exc:
        lines, total, problem = [], 0, str(exc)
    result = usage.timeline(corpus, entry_id, by or "year")
    if result["first"] is None:
        return None
    return {
        "timeline": result,
        "svg": timeline_svg([result], {entry_id: zh}),
        "lines": lines,
        "total": total,
        "by": by,
        "sort": sort,
        "source": source,
        "period": period,
        "problem": problem,
        "sources": [s["source"] for s in corpus.stats(stale=False)["sources"]],
    }


# ---------------------------------------------------------------- pages


@bp.get("/corpus")
def overview():
    corpus = get_corpus()
    stats = corpus.stats(stale=False)
    recent = list(reversed(corpus.documents()[-100:])) if stats["documents"] else []
    return render_template("corpus.html", stats=stats, documents=recent)


@bp.get("/corpus/compare")
def compare():
    from glossary import usage

    glossary = get_glossary()
    raw = [t.strip() for t in request.args.getlist("term") for t in t.replace("，", ",").split(",") if t.strip()]
    by = _arg("by", usage.BY, "year") or "year"
    entries, missing = [], []
    for term in dict.fromkeys(raw[:MAX_TERMS]):
        found = glossary.lookup(term[:50])
        (entries if found else missing).append(found or term)
    corpus = get_corpus()
    timelines = [usage.timeline(corpus, e.id, by) for e in entries]
    labels = {e.id: e.zh for e in entries}
    return render_template(
        "corpus_compare.html",
        terms=raw,
        by=by,
        entries=entries,
        missing=missing,
        timelines=timelines,
        labels=labels,
        svg=timeline_svg(timelines, labels),
        empty=corpus.is_empty(),
    )


@bp.get("/corpus/documents/<int:document_id>")
def document(document_id: int):
    corpus = get_corpus()
    doc = corpus.document(document_id)
    if doc is None:
        abort(404, description=f"No document {document_id} in the corpus.")
    text = doc["text"]
    start, end = request.args.get("start", type=int), request.args.get("end", type=int)
    if start is not None and end is not None and 0 <= start < end <= len(text):
        body = Markup('{}<mark id="match">{}</mark>{}').format(text[:start], text[start:end], text[end:])
    else:
        body, start, end = Markup("{}").format(text), None, None
    return render_template("corpus_document.html", doc=doc, body=body, start=start, end=end)


@bp.get("/corpus/discover")
def discover():
    saved = get_corpus().saved_discovery()
    for candidate in (saved or {}).get("candidates", []):
        note = f"Discovered in the corpus: {candidate['count']} uses in {candidate['documents']} documents"
        if candidate.get("first", {}).get("date"):
            note += f", first {candidate['first']['date']}"
        # the editing workflow's "new entry" form, prefilled with the form and the evidence
        candidate["draft_url"] = url_for("edit.new_entry", zh=candidate["text"], note=note)
    return render_template("corpus_discover.html", saved=saved)
