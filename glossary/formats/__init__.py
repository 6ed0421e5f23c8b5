"""One module per file format. Bilingual files in, for QA (xliff, tmx, tabular, text, docx), are read
through bilingual.py, whose names are also this package's.

Termbase exports (yomitan, anki, pleco, omegat, deepl) each have
`write(terms, base_url) -> bytes`; documents in (documents.py) have `read(data, name, encoding)`.

`terms(store)` is what every termbase export reads: each entry with every surface form the annotator
matches (simplified, traditional, Taiwan wording, curated variants), each form with its own pinyin and
its own English where it names something narrower."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

from glossary.formats.bilingual import (  # noqa: F401  (formats.read_file … as QA calls them)
    EXTENSIONS,
    FORMATS,
    MAX_FILE_BYTES,
    BilingualError,
    Segment,
    decode,
    read_bytes,
    read_file,
    read_pair,
    sniff,
)

EXPORTS = ("yomitan", "anki", "pleco", "omegat", "deepl")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
GLOSS = re.compile(r"\s*\(([^()]*)\)\s*$")  # a trailing parenthetical: "artificial intelligence (AI)"


@dataclass(frozen=True)
class Form:
    form: str
    pinyin: str
    en: str | None
    region: str | None
    origin: str


@dataclass(frozen=True)
class Term:
    entry: object  # glossary.model.Entry
    zh_hant: str
    pinyin_numbered: str
    forms: tuple[Form, ...]


def terms(store) -> list[Term]:
    summaries = {s["id"]: s for s in store.summaries()}
    by_entry: dict[str, list[Form]] = {}
    if hasattr(store, "query"):  # a built database; else (a bare list of entries) the curated forms alone
        for row in store.query("SELECT entry_id, form, origin, region, pinyin, en FROM forms ORDER BY rowid"):
            by_entry.setdefault(row["entry_id"], []).append(
                Form(row["form"], row["pinyin"] or "", row["en"], row["region"], row["origin"])
            )
    out = []
    for entry in store.all_entries():
        summary = summaries[entry.id]
        hant = summary.get("zh_hant") or entry.zh
        forms = by_entry.get(entry.id) or _curated_forms(entry, hant)
        out.append(Term(entry, hant, summary.get("pinyin_numbered") or "", tuple(forms)))
    return out


def _curated_forms(entry, hant: str) -> list[Form]:
    forms = [Form(entry.zh, entry.pinyin, None, entry.region, "zh")]
    if hant != entry.zh:
        forms.append(Form(hant, entry.pinyin, None, entry.region, "zh_hant"))
    forms += [Form(v.form, v.pinyin or "", v.en, v.region or entry.region, "variant") for v in entry.variants]
    return forms


def plain_en(en: str) -> tuple[str, str | None]:
    """A rendering without its parenthetical gloss, and the gloss: ("artificial intelligence", "AI")."""
    match = GLOSS.search(en)
    if not match or match.start() == 0:
        return en, None
    return en[: match.start()], match.group(1)


def entry_url(base_url: str, entry_id: str) -> str:
    return f"{base_url.rstrip('/')}/terms/{entry_id}"


def one_line(text: str | None) -> str:
    """Tab- and line-separated formats: no tab or line break inside a cell."""
    return " ".join((text or "").split())


def export(store, fmt: str, base_url: str = DEFAULT_BASE_URL) -> bytes:
    if fmt not in EXPORTS:
        raise ValueError(f"unknown export format {fmt!r}")
    return import_module(f"glossary.formats.{fmt}").write(terms(store), base_url=base_url, revision=revision(store))


def revision(store) -> str:
    """The database's build time as a dotted number (2026.11.30.44415): later builds compare greater,
    as Yomitan's update check wants."""
    digits = re.findall(r"\d+", store.meta.get("built_at", ""))[:6]
    if len(digits) < 6:
        return "1"
    return ".".join([*(str(int(d)) for d in digits[:3]), str(int("".join(digits[3:6])))])


# what each export is called and served as: (file name, MIME type)
FILES = {
    "yomitan": ("policy-glossary-yomitan.zip", "application/zip"),
    "anki": ("policy-glossary.apkg", "application/octet-stream"),
    "pleco": ("policy-glossary-pleco.txt", "text/plain; charset=utf-8"),
    "omegat": ("policy-glossary-omegat.utf8", "text/plain; charset=utf-8"),
    "deepl": ("policy-glossary-deepl.tsv", "text/tab-separated-values; charset=utf-8"),
}
