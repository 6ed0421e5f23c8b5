"""The whole glossary as TBX-Basic (the 2008 LISA dialect, `martif`: what memoQ, Trados MultiTerm and
OmegaT import), losing nothing a termbase can hold:

- every surface form the annotator matches, as terms of the Chinese language sections: zh-CN for the
  simplified forms, zh-TW for traditional and Taiwan wording, zh-HK for Hong Kong forms; the headword
  preferred, the other forms admitted (abbreviations marked `termType` abbreviation);
- each form's pinyin (a `note`, as TBX-Basic has no pinyin category) and region (`geographicalUsage`);
- every English rendering with its status as `administrativeStatus` (preferred / admitted / deprecated;
  forbidden is `deprecatedTerm-admn-sts` with a note saying so), its authority, years and note;
- the preferred rendering without its parenthetical gloss ("artificial intelligence", with "AI" as an
  abbreviation term of its own);
- the entry's kind (`subjectField`), its notes, its ambiguity, and a link to its page.

Validated against TBXBasicRNGV02.rng in the tests (tests/schemas/)."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from glossary.formats import entry_url, plain_en

STATUS = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "deprecated": "deprecatedTerm-admn-sts",
    "forbidden": "deprecatedTerm-admn-sts",
}
ABBREVIATION = re.compile(r"^[A-Z0-9][A-Z0-9+＋&.\-]*$")  # AI, AGI, SOE, AI+, OBOR
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REGION_NAMES = {"prc": "mainland China", "tw": "Taiwan", "hk": "Hong Kong", "mo": "Macau"}
MARKDOWN = re.compile(r"[*_`]+")


def language_of(form) -> str:
    """The language section a surface form belongs in."""
    origin = form.origin.split()
    if form.region == "hk" or "s2hk" in origin:
        return "zh-HK"
    if form.region == "tw" or origin[-1] in ("s2t", "s2tw", "tw", "zh_hant"):
        return "zh-TW"
    return "zh-CN"


def _tig(
    parent,
    term: str,
    status: str,
    *,
    term_type: str | None = None,
    region: str | None = None,
    notes: tuple[str | None, ...] = (),
) -> None:
    tig = ET.SubElement(parent, "tig")
    ET.SubElement(tig, "term").text = term
    ET.SubElement(tig, "termNote", {"type": "administrativeStatus"}).text = status
    if term_type:
        ET.SubElement(tig, "termNote", {"type": "termType"}).text = term_type
    if region:
        ET.SubElement(tig, "termNote", {"type": "geographicalUsage"}).text = REGION_NAMES.get(region, region)
    for note in notes:
        if note:
            ET.SubElement(tig, "note").text = note


def _rendering_note(rendering) -> str | None:
    parts = []
    if rendering.status == "forbidden":
        parts.append("forbidden: do not use")
    if rendering.authority:
        parts.append(f"authority: {rendering.authority}")
    if rendering.from_year or rendering.until_year:
        parts.append(f"in use {rendering.from_year or ''}–{rendering.until_year or ''}")
    if rendering.note:
        parts.append(rendering.note)
    return "; ".join(parts) or None


def entry_element(body, term, base_url: str) -> None:
    entry = term.entry
    element = ET.SubElement(body, "termEntry", {"id": entry.id})
    ET.SubElement(element, "descrip", {"type": "subjectField"}).text = f"Chinese policy ({entry.kind})"
    if entry.notes:
        ET.SubElement(element, "note").text = MARKDOWN.sub("", entry.notes).strip()
    if entry.ambiguous:
        dominant = " (the ordinary sense dominates running text)" if entry.ordinary_dominates else ""
        ET.SubElement(element, "note").text = f"ambiguous: also an ordinary word, {entry.ambiguous}{dominant}"
    if not entry.zh_attested:
        ET.SubElement(element, "note").text = "the Chinese form is curator knowledge, not printed in a source"
    ET.SubElement(
        element, "xref", {"type": "externalCrossReference", "target": entry_url(base_url, entry.id)}
    ).text = "glossary entry"
    sections: dict[str, list] = {}
    for form in term.forms:
        sections.setdefault(language_of(form), []).append(form)
    for lang in ("zh-CN", "zh-TW", "zh-HK"):
        forms = sections.get(lang)
        if not forms:
            continue
        lang_set = ET.SubElement(element, "langSet", {"xml:lang": lang})
        seen = set()
        # the section's headword first: the entry's form in this script
        head = entry.zh if lang == "zh-CN" else term.zh_hant
        forms.sort(key=lambda f: (f.form != head, "variant" in f.origin))
        for form in forms:
            if form.form in seen:
                continue
            seen.add(form.form)
            preferred = form.form == head and "variant" not in form.origin
            narrower = f"names: {form.en}" if form.en else None
            _tig(
                lang_set,
                form.form,
                STATUS["preferred" if preferred else "admitted"],
                term_type=None if preferred else "variant",
                region=form.region,
                notes=(f"pinyin: {form.pinyin}" if form.pinyin else None, narrower),
            )
    en = ET.SubElement(element, "langSet", {"xml:lang": "en"})
    renderings = entry.all_renderings()
    preferred = renderings[0]
    text, gloss = plain_en(preferred.en)
    short = gloss if gloss and ABBREVIATION.match(gloss) else None
    if gloss and not short:  # "work unit (danwei)": the gloss is explanation, kept whole
        text = preferred.en
    _tig(en, text, STATUS["preferred"], notes=(_rendering_note(preferred),))
    if short:
        _tig(en, short, STATUS["admitted"], term_type="abbreviation")
    seen = {text, short}
    for rendering in renderings[1:]:
        if rendering.en in seen:
            continue
        seen.add(rendering.en)
        _tig(en, rendering.en, STATUS.get(rendering.status, STATUS["admitted"]), notes=(_rendering_note(rendering),))


def document(terms, base_url: str, title: str = "Policy glossary (提法)") -> str:
    martif = ET.Element("martif", {"type": "TBX-Basic", "xml:lang": "en"})
    file_desc = ET.SubElement(ET.SubElement(martif, "martifHeader"), "fileDesc")
    ET.SubElement(ET.SubElement(file_desc, "sourceDesc"), "p").text = f"{title}, {base_url.rstrip('/')}/"
    body = ET.SubElement(ET.SubElement(martif, "text"), "body")
    for term in terms:
        entry_element(body, term, base_url)
    for element in martif.iter():  # one stray control character and no tool reads the file
        element.text = element.text and XML_ILLEGAL.sub("", element.text)
        for key, value in element.items():
            element.set(key, XML_ILLEGAL.sub("", value))
    ET.indent(martif)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">\n'
        + ET.tostring(martif, encoding="unicode")
        + "\n"
    )


def write(terms, base_url: str = "http://127.0.0.1:8000", revision: str = "1") -> bytes:
    return document(terms, base_url).encode("utf-8")
