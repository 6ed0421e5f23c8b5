"""Annotations out: plain text, Markdown, HTML (ruby and tooltips) and JSON.

Everything that comes from the user's text or the curated data is escaped in HTML; the only markup
is what this module writes.
"""

from __future__ import annotations

from glossary.annotate import Annotation


def escape(text: str) -> str:
    """HTML-escape text and attribute values (markupsafe: a C speed-up, and light to import)."""
    from markupsafe import escape as markup_escape

    return str(markup_escape(text))


def to_json(data: dict, indent: bool = True) -> str:
    """JSON with Chinese kept as is. orjson: the standard library's encoder, with non-ASCII text,
    took more time than the whole annotation of a long document (bench/bench_annotate.py)."""
    import orjson

    return orjson.dumps(data, option=orjson.OPT_INDENT_2 if indent else 0).decode("utf-8")


def annotation_json(annotation: Annotation, reading=None, dictionary=None) -> str:
    data = annotation.to_dict()
    if reading is not None:
        data["reading"] = reading
    if dictionary is not None:
        data["dictionary"] = dictionary
    return to_json(data)


def _gloss(entry: dict, ambiguous: bool) -> str:
    gloss = f"{entry['pinyin']} · {entry['en']}"
    if ambiguous:
        gloss += f" · ambiguous, also: {entry['ordinary']}"
    return gloss


def _pieces(annotation: Annotation):
    """Alternate plain text and spans, in order: (text, None) or (text, span)."""
    pos = 0
    for span in annotation.spans:
        if span.start > pos:
            yield annotation.text[pos:span.start], None
        yield span.text, span
        pos = span.end
    if pos < len(annotation.text):
        yield annotation.text[pos:], None


def term_table(annotation: Annotation) -> list[dict]:
    return sorted(annotation.terms(), key=lambda t: t["first"])


def to_text(annotation: Annotation, reading: list[dict] | None = None, dictionary: list[dict] | None = None) -> str:
    """Each term glossed inline on its first occurrence, then the document's term list."""
    out, seen = [], set()
    if reading is not None:
        out.append(interlinear(reading))
    else:
        for text, span in _pieces(annotation):
            out.append(text)
            if span is not None and (span.reading or span.id) not in seen:
                seen.add(span.reading or span.id)
                out.append(f"〔{_gloss(annotation.card(span), span.ambiguous)}〕")
    body = "".join(out).rstrip("\n")
    terms = term_table(annotation)
    lines = [body, "", f"── Terms ({len(terms)}) ──"]
    for t in terms:
        nested = f", {t['nested']} nested" if t["nested"] else ""
        flag = "  [ambiguous]" if t["ambiguous"] else ""
        lines.append(f"{t.get('form') or t['zh']}  {t['pinyin']}  {t['en']}  ×{t['count']}{nested}  ({t['id']}){flag}")
    if not terms:
        lines.append("(no glossary terms found)")
    lines.extend(_dictionary_lines(dictionary))
    return "\n".join(lines) + "\n"


def _dictionary_lines(dictionary: list[dict] | None) -> list[str]:
    if dictionary is None:
        return []
    lines = ["", f"── General dictionary, CC-CEDICT, not curated ({len(dictionary)}) ──"]
    lines += [f"{d['text']}  {d['pinyin']}  {'; '.join(d['definitions'])}" for d in dictionary]
    return lines


def interlinear(reading: list[dict]) -> str:
    """Text with its pinyin: each line of the input preceded by the pinyin of its words."""
    out_lines, pinyin_line, text_line = [], [], []
    for token in reading:
        parts = token["text"].split("\n")
        for k, part in enumerate(parts):
            if k:
                out_lines.extend([" ".join(pinyin_line), "".join(text_line), ""])
                pinyin_line, text_line = [], []
            if part:
                text_line.append(part)
                if token["pinyin"] and k == 0:
                    pinyin_line.append(token["pinyin"])
                elif part.strip() and not token["pinyin"]:
                    pinyin_line.append(part.strip())
    if text_line:
        out_lines.extend([" ".join(pinyin_line), "".join(text_line)])
    return "\n".join(out_lines)


def to_markdown(annotation: Annotation, dictionary: list[dict] | None = None) -> str:
    """Terms in bold with their gloss on first occurrence, and a term table."""

    def md(text: str) -> str:
        return "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in text)

    out, seen = [], set()
    for text, span in _pieces(annotation):
        if span is None:
            out.append(md(text))
            continue
        entry = annotation.card(span)
        out.append(f"**{md(text)}**")
        if span.id not in seen:
            seen.add(span.id)
            out.append(f" (*{md(entry['pinyin'])}*, {md(entry['en'])}"
                       + (f"; ambiguous, also: {md(entry['ordinary'])}" if span.ambiguous else "") + ")")
    rows = ["| Term | Pinyin | Rendering | Count | Entry |", "|---|---|---|---|---|"]
    rows += [f"| {md(t['zh'])} | {md(t['pinyin'])} | {md(t['en'])} | {t['count']} | `{t['id']}` |"
             for t in term_table(annotation)]
    text = "".join(out).rstrip("\n") + "\n\n## Terms\n\n" + "\n".join(rows) + "\n"
    if dictionary is not None:
        text += "\n## General dictionary (CC-CEDICT, not curated)\n\n" + "\n".join(
            f"- {md(d['text'])} *{md(d['pinyin'])}*: {md('; '.join(d['definitions']))}" for d in dictionary) + "\n"
    return text


def html_fragment(annotation: Annotation, entry_url=lambda entry_id: f"/terms/{entry_id}",
                  reading: list[dict] | None = None, gloss: bool = False) -> str:
    """The annotated text as HTML: each term a <mark> with ruby pinyin and a title tooltip.

    With `reading`, every word gets ruby pinyin, glossary terms their curated pinyin. With `gloss`,
    each term also carries its English in a <span class="gloss"> (shown under the term by the page's CSS).
    """
    out = []
    if reading is not None:
        for token in reading:
            text = escape(token["text"]).replace("\n", "<br>\n")
            if token.get("id"):
                out.append(_mark(annotation.card_of(token["id"], token["reading"]), token["text"], entry_url,
                                 token["ambiguous"], gloss))
            elif token["pinyin"]:
                out.append(f'<ruby>{text}<rt>{escape(token["pinyin"])}</rt></ruby>')
            else:
                out.append(text)
        return "".join(out)
    for text, span in _pieces(annotation):
        if span is None:
            out.append(escape(text).replace("\n", "<br>\n"))
        else:
            out.append(_mark(annotation.card(span), text, entry_url, span.ambiguous, gloss))
    return "".join(out)


def _mark(entry: dict, text: str, entry_url, ambiguous: bool, gloss: bool = False) -> str:
    cls = "term ambiguous" if ambiguous else "term"
    title = escape(f"{entry['en']} — {entry['pinyin']}"
                   + (f" (ambiguous; also: {entry['ordinary']})" if ambiguous else ""))
    body = escape(text).replace("\n", "<br>\n")
    return (f'<a class="{cls}" data-id="{escape(entry["id"])}" href="{escape(entry_url(entry["id"]))}" '
            f'title="{title}"><ruby>{body}<rt>{escape(entry["pinyin"])}</rt></ruby>'
            + (f'<span class="gloss" lang="en">{escape(entry["en"])}</span>' if gloss else "") + "</a>")


def to_html(annotation: Annotation, reading: list[dict] | None = None,
            dictionary: list[dict] | None = None) -> str:
    """A standalone page: the annotated text and the term list."""
    rows = "\n".join(
        f"<tr><td lang=\"zh\">{escape(t['zh'])}</td><td>{escape(t['pinyin'])}</td><td>{escape(t['en'])}</td>"
        f"<td>{t['count']}</td><td><code>{escape(t['id'])}</code></td></tr>" for t in term_table(annotation))
    extra = ""
    if dictionary is not None:
        items = "\n".join(f"<li><span lang=\"zh\">{escape(d['text'])}</span> <i>{escape(d['pinyin'])}</i>: "
                          f"{escape('; '.join(d['definitions']))}</li>" for d in dictionary)
        extra = f"<h2>General dictionary (CC-CEDICT, not curated)</h2><ul class=\"dictionary\">{items}</ul>"
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>Annotated text</title>
<style>
body{{font:18px/2.2 system-ui,"Noto Sans CJK SC",sans-serif;max-width:48em;margin:2em auto;padding:0 1em}}
a.term{{background:#fff3bf;color:inherit;text-decoration:none;border-bottom:2px solid #e8a200}}
a.term.ambiguous{{background:#eef;border-bottom:2px dashed #66a}}
rt{{font-size:.55em;color:#555}} table{{border-collapse:collapse;font-size:15px;line-height:1.4}}
td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:left}}
</style></head><body>
<div class="annotated">{html_fragment(annotation, reading=reading)}</div>
<h2>Terms</h2>
<table><thead><tr><th>Term</th><th>Pinyin</th><th>Rendering</th><th>Count</th><th>Entry</th></tr></thead>
<tbody>
{rows}
</tbody></table>
{extra}
</body></html>
"""


def entry_text(entry, sources: dict, forms: list[dict]) -> str:
    """One entry for the terminal: headword, renderings, notes, and every quote with its source."""
    lines = [f"{entry.zh}  {entry.zh_hant or ''}  {entry.pinyin}".replace("    ", "  "),
             f"  {entry.en}    [{entry.kind}; id {entry.id}]"]
    if not entry.zh_attested:
        lines.append("  (Chinese form from curator knowledge; no source article prints it)")
    if entry.region:
        lines.append(f"  region: {entry.region}")
    if entry.ambiguous:
        dominates = " (the ordinary sense dominates: not tagged by default)" if entry.ordinary_dominates else ""
        lines.append(f"  ambiguous: also an ordinary word — {entry.ambiguous}{dominates}")
    other = [f["form"] + (f" {f['pinyin']}" if f["pinyin"] != entry.pinyin else "")
             + (f" ({f['en']})" if f.get("en") else "") for f in forms if f["form"] not in (entry.zh, entry.zh_hant)]
    if other:
        lines.append("  forms: " + ", ".join(other))
    lines.append("\nRenderings:")
    for r in entry.all_renderings():
        where = sources[r.authority].title if r.authority in sources else r.authority
        years = f" {r.from_year or ''}–{r.until_year or ''}" if r.from_year or r.until_year else ""
        lines.append(f"  • {r.en}  [{r.status}{years}; {where}]" + (f" ({r.note})" if r.note else ""))
    if entry.notes:
        lines += ["\nNotes:", "  " + entry.notes.strip().replace("\n", "\n  ")]
    if entry.tags:
        lines.append("\nTags: " + ", ".join(entry.tags))
    if entry.related:
        lines.append("Related: " + ", ".join(entry.related))
    for i, q in enumerate(entry.quotes, 1):
        source = sources.get(q.source)
        head = f"{source.publication}, “{source.title}”, {source.date}" if source else q.source
        lines += [f"\nQuote {i} — {head}", f"  “{q.text}”"]
        if q.zh:
            lines.append(f"  zh: {q.zh}")
        if q.cites:
            lines.append(f"  cites: {q.cites}")
    return "\n".join(lines)
