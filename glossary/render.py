"""Annotations out: plain text, Markdown, HTML (ruby and tooltips) and JSON.

Everything that comes from the user's text or the curated data is escaped in HTML; the only markup
is what this module writes.
"""

from __future__ import annotations

from glossary.annotate import Annotation, collector_paused


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
        from glossary.reading import token_dicts

        data["reading"] = token_dicts(reading)
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
            yield annotation.text[pos : span.start], None
        yield span.text, span
        pos = span.end
    if pos < len(annotation.text):
        yield annotation.text[pos:], None


def term_table(annotation: Annotation) -> list[dict]:
    """The document's terms in order of first appearance; `head` is the headword in the script of the
    text (traditional headwords for a traditional document)."""
    traditional = is_traditional(annotation)
    rows = sorted(annotation.terms(), key=lambda t: t["first"])
    if not traditional:
        return [{**t, "head": t["zh"]} for t in rows]
    written: dict[str, str] = {}  # the form as the text writes it, else the traditional headword
    for top in annotation.spans:
        for span in top.walk():
            written.setdefault(span.id, span.text)
    return [{**t, "head": written.get(t["id"]) or t.get("zh_hant") or t["zh"]} for t in rows]


def is_traditional(annotation: Annotation) -> bool:
    """Whether the text is in traditional characters, judged by its terms as written (most of them
    matching their traditional form rather than their simplified one)."""
    votes = 0
    for span in annotation.spans:
        card = annotation.card(span)
        if card.get("zh_hant") and card["zh_hant"] != card["zh"]:
            votes += (span.text == card["zh_hant"]) - (span.text == card["zh"])
    return votes > 0


def _dictionary_gloss(word: dict, limit: int = 3) -> str:
    return f"{word['pinyin']} · {'; '.join(word['definitions'][:limit])}"


def _with_words(annotation: Annotation, dictionary: list[dict] | None):
    """_pieces with the general dictionary's words split out of the plain text: (text, span, word)."""
    at = {start: (end, word) for word in dictionary or () for start, end in word.get("spans", ())}
    pos = 0
    for text, span in _pieces(annotation):
        if span is not None or not at:
            yield text, span, None
            pos += len(text)
            continue
        start, last = pos, pos
        for i in range(pos, pos + len(text)):
            if i in at and i >= last:
                end, word = at[i]
                if i > last:
                    yield annotation.text[last:i], None, None
                yield annotation.text[i:end], None, word
                last = end
        if last < start + len(text):
            yield annotation.text[last : start + len(text)], None, None
        pos += len(text)


def to_text(annotation: Annotation, reading: list[tuple] | None = None, dictionary: list[dict] | None = None) -> str:
    """Each term glossed inline on its first occurrence, then the document's term list."""
    if reading is not None:
        body = interlinear(reading).rstrip("\n")
        return "\n".join([body, *_term_lines(term_table(annotation)), *_dictionary_lines(dictionary)]) + "\n"
    out: list[str] = []
    write_text([(0, annotation)], out.append, dictionary)
    return "".join(out)


def write_text(pieces, write, dictionary: list[dict] | None = None) -> None:
    """The text format of a document annotated piece by piece ((offset, Annotation), see
    Glossary.annotate_chunks), written as it goes: only the term list waits for the end. Dictionary
    words (one piece only: --dictionary reads the whole text) are glossed in place, labelled as such."""
    seen: set = set()
    terms: dict[tuple, dict] = {}
    tail = ""
    for offset, annotation in pieces:
        out = [tail]
        for text, span, word in _with_words(annotation, dictionary):
            out.append(text)
            if span is not None and (span.reading or span.id) not in seen:
                seen.add(span.reading or span.id)
                out.append(f"〔{_gloss(annotation.card(span), span.ambiguous)}〕")
            elif word is not None and ("dict", word["text"]) not in seen:  # ⟨⟩ and a label: never curated
                seen.add(("dict", word["text"]))
                out.append(f"⟨dict: {_dictionary_gloss(word)}⟩")
        body = "".join(out)
        kept = body.rstrip("\n")  # trailing line breaks wait: the document's last ones are dropped
        write(kept)
        tail = body[len(kept) :]
        _merge_terms(terms, offset, term_table(annotation))
    rows = sorted(terms.values(), key=lambda t: t["first"])
    write("\n".join(["", *_term_lines(rows), *_dictionary_lines(dictionary)]) + "\n")


def _merge_terms(terms: dict[tuple, dict], offset: int, rows: list[dict]) -> None:
    """Add one piece's term list to the document's (counts summed, first appearance kept)."""
    for row in rows:
        key = (row["id"], row.get("form"))
        if key not in terms:
            terms[key] = {**row, "first": row["first"] + offset}
            continue
        kept = terms[key]
        kept["count"] += row["count"]
        kept["nested"] += row["nested"]
        kept["ambiguous"] = kept["ambiguous"] or row["ambiguous"]
        kept["seen"] += [form for form in row["seen"] if form not in kept["seen"]]


def _term_lines(terms: list[dict]) -> list[str]:
    lines = ["", f"── Terms ({len(terms)}) ──"]
    for t in terms:
        nested = f", {t['nested']} nested" if t["nested"] else ""
        flag = "  [ambiguous]" if t["ambiguous"] else ""
        head = t.get("form") or t["head"]
        lines.append(f"{head}  {t['pinyin']}  {t['en']}  ×{t['count']}{nested}  ({t['id']}){flag}")
    if not terms:
        lines.append("(no glossary terms found)")
    return lines


@collector_paused
def write_json(pieces, write, cards_json) -> None:
    """The JSON of a document annotated piece by piece, written as it goes: each piece's spans (their
    offsets into the whole document, one span a line), then the cards of every entry met. Same data
    as to_dict(). One write per piece: a write per span cost more than annotating it. `write` takes
    UTF-8 bytes: orjson's, never decoded to be encoded again. The pieces need not carry their cards
    (Glossary.annotate_chunks(cards=False)): `cards_json` (Glossary.cards_json) gives the JSON of the
    cards and readings met, read once at the end as stored."""
    ids: set[str] = set()
    keys: set[str] = set()
    write(b'{"spans": [')
    first = True
    for offset, annotation in pieces:
        if annotation.spans:
            spans = annotation.spans_json(offset, b",\n")[1:-1]  # (made in bulk, see spans.Spans.json)
            write(spans if first else b",\n" + spans)
            first = False
        met_ids, met_keys = annotation.met()
        ids.update(met_ids)
        keys.update(met_keys)
    entries_json, readings_json = cards_json(ids, keys)
    write(b'],\n"entries": ' + entries_json + b',\n"readings": ' + readings_json + b"}\n")


def _dictionary_lines(dictionary: list[dict] | None) -> list[str]:
    if dictionary is None:
        return []
    lines = ["", f"── General dictionary, CC-CEDICT, not curated ({len(dictionary)}; glossed ⟨dict: …⟩ above) ──"]
    lines += [f"{d['text']}  {d['pinyin']}  {'; '.join(d['definitions'])}" for d in dictionary]
    return lines


def interlinear(reading: list[tuple]) -> str:
    """Text with its pinyin: each line of the input preceded by the pinyin of its words."""
    out_lines: list[str] = []
    pinyin_line: list[str] = []
    text_line: list[str] = []
    for _, _, token_text, pinyin, _ in reading:
        parts = token_text.split("\n")
        for k, part in enumerate(parts):
            if k:
                out_lines.extend([" ".join(pinyin_line), "".join(text_line), ""])
                pinyin_line, text_line = [], []
            if part:
                text_line.append(part)
                if pinyin and k == 0:
                    pinyin_line.append(pinyin)
                elif part.strip() and not pinyin:
                    pinyin_line.append(part.strip())
    if text_line:
        out_lines.extend([" ".join(pinyin_line), "".join(text_line)])
    return "\n".join(out_lines)


def to_markdown(
    annotation: Annotation, dictionary: list[dict] | None = None, reading: list[tuple] | None = None
) -> str:
    """Terms in bold with their gloss on first occurrence, and a term table. With `reading` (pinyin
    for every word) the text is interlinear: each line under a line of its pinyin in italics."""

    def md(text: str) -> str:
        return "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in text)

    out, seen = [], set()
    pieces = [] if reading is not None else _with_words(annotation, dictionary)
    if reading is not None:
        lines = interlinear(reading).split("\n")
        for i in range(0, len(lines), 3):
            pinyin_line, text_line = lines[i], lines[i + 1] if i + 1 < len(lines) else ""
            out.append((f"*{md(pinyin_line)}*  \n" if pinyin_line.strip() else "") + md(text_line) + "\n\n")
    for text, span, word in pieces:
        if span is None:
            out.append(md(text))
            if word is not None and word["text"] not in seen:
                seen.add(word["text"])
                out.append(f" ⟨dict: *{md(word['pinyin'])}*, {md('; '.join(word['definitions'][:3]))}⟩")
            continue
        entry = annotation.card(span)
        out.append(f"**{md(text)}**")
        if span.id not in seen:
            seen.add(span.id)
            out.append(
                f" (*{md(entry['pinyin'])}*, {md(entry['en'])}"
                + (f"; ambiguous, also: {md(entry['ordinary'])}" if span.ambiguous else "")
                + ")"
            )
    rows = ["| Term | Pinyin | Rendering | Count | Entry |", "|---|---|---|---|---|"]
    rows += [
        f"| {md(t['head'])} | {md(t['pinyin'])} | {md(t['en'])} | {t['count']} | `{t['id']}` |"
        for t in term_table(annotation)
    ]
    text = "".join(out).rstrip("\n") + "\n\n## Terms\n\n" + "\n".join(rows) + "\n"
    if dictionary is not None:
        text += (
            "\n## General dictionary (CC-CEDICT, not curated)\n\n"
            + "\n".join(f"- {md(d['text'])} *{md(d['pinyin'])}*: {md('; '.join(d['definitions']))}" for d in dictionary)
            + "\n"
        )
    return text


# A word → (its pinyin, its ruby HTML), kept for the process: with pinyin for every word a page is a
# ruby per word, two escapes each (as much time as reading the text's words), and pages repeat words.
_RUBIES: dict[str, tuple[str, str]] = {}
RUBIES_LIMIT = 50_000  # ≈ 235 bytes each: 12 MB at most (the whole bench corpus has 11,600 words)


def html_fragment(
    annotation: Annotation,
    entry_url=lambda entry_id: f"/terms/{entry_id}",
    reading: list[tuple] | None = None,
    gloss: bool = False,
    dictionary: list[dict] | None = None,
) -> str:
    """The annotated text as HTML: each term a <mark> with ruby pinyin and a title tooltip.

    With `reading`, every word gets ruby pinyin, glossary terms their curated pinyin. With `gloss`,
    each term also carries its English in a <span class="gloss"> (shown under the term by the page's CSS).
    """
    out = []
    if reading is not None:
        rubies = _RUBIES
        if len(rubies) > RUBIES_LIMIT:
            rubies.clear()
        for _, _, text, pinyin, span in reading:
            if span is not None:
                card = annotation.card(span)  # its ruby in the tone style the whole line is in
                out.append(_mark(card, text, entry_url, span.ambiguous, gloss, span.reading, ruby=pinyin))
            elif pinyin:
                ruby = rubies.get(text)
                if ruby is None or ruby[0] != pinyin:
                    ruby = rubies[text] = (pinyin, f"<ruby>{escape(text)}<rt>{escape(pinyin)}</rt></ruby>")
                out.append(ruby[1])
            else:
                out.append(escape(text).replace("\n", "<br>\n"))
        return "".join(out)
    for text, span, word in _with_words(annotation, dictionary):
        if word is not None:  # general dictionary: its own class and a label, never a curated term's look
            title = escape(
                f"General dictionary (CC-CEDICT), not curated: {word['pinyin']} — " + "; ".join(word["definitions"])
            )
            out.append(f'<span class="dict" tabindex="-1" title="{title}">{escape(text)}</span>')
        elif span is None:
            out.append(escape(text).replace("\n", "<br>\n"))
        else:
            out.append(_mark(annotation.card(span), text, entry_url, span.ambiguous, gloss, span.reading))
    return "".join(out)


def _mark(
    entry: dict,
    text: str,
    entry_url,
    ambiguous: bool,
    gloss: bool = False,
    reading: str | None = None,
    ruby: str | None = None,
) -> str:
    """One term as a link with ruby pinyin (`ruby`, else the entry's); `data-reading` names the form's
    own reading (文心一言)."""
    cls = "term ambiguous" if ambiguous else "term"
    title = escape(
        f"{entry['en']} — {entry['pinyin']}" + (f" (ambiguous; also: {entry['ordinary']})" if ambiguous else "")
    )
    body = escape(text).replace("\n", "<br>\n")
    return (
        f'<a class="{cls}" data-id="{escape(entry["id"])}"'
        + (f' data-reading="{escape(reading)}"' if reading else "")
        + f' href="{escape(entry_url(entry["id"]))}" '
        f'title="{title}"><ruby>{body}<rt>{escape(entry["pinyin"] if ruby is None else ruby)}</rt></ruby>'
        + (f'<span class="gloss" lang="en">{escape(entry["en"])}</span>' if gloss else "")
        + "</a>"
    )


def to_html(
    annotation: Annotation,
    reading: list[tuple] | None = None,
    dictionary: list[dict] | None = None,
    base_url: str = "http://127.0.0.1:8000",
) -> str:
    """A standalone page: the annotated text and the term list. Links are absolute (`base_url`, the
    served site), so a saved file's links still lead to the entries."""
    base = base_url.rstrip("/")

    def entry_url(entry_id: str) -> str:
        return f"{base}/terms/{entry_id}"

    rows = "\n".join(
        f'<tr><td lang="zh"><a href="{escape(entry_url(t["id"]))}">{escape(t["head"])}</a></td>'
        f"<td>{escape(t['pinyin'])}</td><td>{escape(t['en'])}</td>"
        f"<td>{t['count']}</td><td><code>{escape(t['id'])}</code></td></tr>"
        for t in term_table(annotation)
    )
    extra = ""
    if dictionary is not None:
        items = "\n".join(
            f'<li><span lang="zh">{escape(d["text"])}</span> <i>{escape(d["pinyin"])}</i>: '
            f"{escape('; '.join(d['definitions']))}</li>"
            for d in dictionary
        )
        extra = f'<h2>General dictionary (CC-CEDICT, not curated)</h2><ul class="dictionary">{items}</ul>'
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>Annotated text</title>
<style>
body{{font:18px/2.2 system-ui,"Noto Sans CJK SC",sans-serif;max-width:48em;margin:2em auto;padding:0 1em}}
a.term{{background:#fff3bf;color:inherit;text-decoration:none;border-bottom:2px solid #e8a200}}
a.term.ambiguous{{background:#eef;border-bottom:2px dashed #66a}}
rt{{font-size:.55em;color:#555}} table{{border-collapse:collapse;font-size:15px;line-height:1.4}}
td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:left}}
span.dict{{border-bottom:1px dotted #888;cursor:help}}
</style></head><body>
<div class="annotated">{
        html_fragment(annotation, entry_url, reading=reading, dictionary=None if reading is not None else dictionary)
    }</div>
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
    lines = [
        f"{entry.zh}  {entry.zh_hant or ''}  {entry.pinyin}".replace("    ", "  "),
        f"  {entry.en}    [{entry.kind}; id {entry.id}]",
    ]
    if not entry.zh_attested:
        lines.append("  (Chinese form from curator knowledge; no source article prints it)")
    if entry.region:
        lines.append(f"  region: {entry.region}")
    if entry.ambiguous:
        dominates = " (the ordinary sense dominates: not tagged by default)" if entry.ordinary_dominates else ""
        lines.append(f"  ambiguous: also an ordinary word — {entry.ambiguous}{dominates}")
    other = [
        f["form"]
        + (f" {f['pinyin']}" if f["pinyin"] != entry.pinyin else "")
        + (f" ({f['en']})" if f.get("en") else "")
        for f in forms
        if f["form"] not in (entry.zh, entry.zh_hant)
    ]
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
