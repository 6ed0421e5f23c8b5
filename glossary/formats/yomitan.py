"""A Yomitan dictionary: a zip of index.json and term_bank_N.json (format 3).

One row per surface form, the forms of one entry sharing a sequence number (so Yomitan shows them as
one entry); each row's definition is structured content with the rendering, the pinyin, the other
admitted renderings and a link to the entry page. The index says `isUpdatable` with `indexUrl` and
`downloadUrl` on the serving site, so Yomitan updates the dictionary from a running server."""

from __future__ import annotations

import io
import json
import zipfile

from glossary.formats import entry_url

TITLE = "Policy glossary (提法)"
BANK_SIZE = 10_000
INDEX_PATH = "/downloads/yomitan-index.json"
ZIP_PATH = "/downloads/policy-glossary-yomitan.zip"


def index(base_url: str, revision: str) -> dict:
    base = base_url.rstrip("/")
    return {
        "title": TITLE,
        "revision": revision,
        "format": 3,
        "sequenced": True,
        "author": "Policy glossary curators",
        "url": base + "/",
        "description": "Curated English renderings and pinyin of Chinese policy terms (提法).",
        "attribution": "Policy glossary, MIT licence",
        "sourceLanguage": "zh",
        "targetLanguage": "en",
        "isUpdatable": True,
        "indexUrl": base + INDEX_PATH,
        "downloadUrl": base + ZIP_PATH,
    }


def _content(term, form, base_url: str) -> dict:
    entry = term.entry
    items = [{"tag": "div", "data": {"policy-glossary": "rendering"}, "content": form.en or entry.en}]
    others = [r for r in entry.all_renderings()[1:] if r.en != (form.en or entry.en)]
    if others:
        items.append(
            {
                "tag": "ul",
                "content": [
                    {"tag": "li", "content": f"{r.en} ({'forbidden' if r.status == 'forbidden' else r.status})"}
                    for r in others
                ],
            }
        )
    items.append({"tag": "div", "lang": "zh", "content": f"{entry.zh} · {form.pinyin or entry.pinyin}"})
    if entry.ambiguous:
        items.append({"tag": "div", "content": f"Also an ordinary word: {entry.ambiguous}"})
    items.append({"tag": "a", "href": entry_url(base_url, entry.id), "content": "Glossary entry"})
    return {"type": "structured-content", "content": items}


def rows(terms, base_url: str) -> list[list]:
    out = []
    for sequence, term in enumerate(terms, 1):
        tags = " ".join(t for t in (term.entry.kind, "ambiguous" if term.entry.ambiguous else "") if t)
        for form in term.forms:
            out.append(
                [
                    form.form,
                    form.pinyin or term.entry.pinyin,
                    tags,
                    "",
                    0,
                    [_content(term, form, base_url)],
                    sequence,
                    "policy",
                ]
            )
    return out


def _member(name: str) -> zipfile.ZipInfo:
    """A fixed timestamp: the same glossary gives the same bytes, so a download's checksum (and a
    file compared with an earlier export) changes only when the glossary does."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write(terms, base_url: str = "", revision: str = "1") -> bytes:
    buffer = io.BytesIO()
    all_rows = rows(terms, base_url)
    tags = sorted({t for row in all_rows for t in row[2].split()} | {"policy"})
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_member("index.json"), json.dumps(index(base_url, revision), ensure_ascii=False))
        archive.writestr(
            _member("tag_bank_1.json"),
            json.dumps(
                [[t, "partOfSpeech" if t != "policy" else "dictionary", 0, t, 0] for t in tags], ensure_ascii=False
            ),
        )
        for n, start in enumerate(range(0, max(len(all_rows), 1), BANK_SIZE), 1):
            archive.writestr(
                _member(f"term_bank_{n}.json"), json.dumps(all_rows[start : start + BANK_SIZE], ensure_ascii=False)
            )
    return buffer.getvalue()
