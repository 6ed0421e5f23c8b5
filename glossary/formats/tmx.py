"""TMX 1.4: every `<tu>`, its Chinese `<tuv>` as the source and its English one as the target.

The languages are read from each tuv's xml:lang (or lang); inline codes (bpt, ept, ph, it, ut) are left out
of the text, highlighted text (hi) kept. A tu's `tuid` is its id; its `<note>`s are kept.
"""

from __future__ import annotations

from glossary.formats.bilingual import BilingualError, Segment, local, parse_xml
from glossary.formats.xliff import text_of

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CODES = frozenset({"bpt", "ept", "ph", "it", "ut", "sub"})


def read(data: bytes, name: str) -> list[Segment]:
    root = parse_xml(data, name)
    if local(root.tag) != "tmx":
        raise BilingualError(f"{name}: not TMX (the root element is <{local(root.tag)}>)")
    body = next((c for c in root if local(c.tag) == "body"), None)
    if body is None:
        raise BilingualError(f"{name}: TMX without <body>")
    segments: list[Segment] = []
    languages: set[str] = set()
    for tu in (c for c in body if local(c.tag) == "tu"):
        texts: dict[str, str] = {}
        for tuv in (c for c in tu if local(c.tag) == "tuv"):
            lang = (tuv.get(XML_LANG) or tuv.get("lang") or "").lower()
            languages.add(lang)
            seg = next((c for c in tuv if local(c.tag) == "seg"), None)
            key = "zh" if lang.startswith(("zh", "cmn")) else "en" if lang.startswith("en") else None
            if key and key not in texts:
                texts[key] = text_of(seg, CODES)
        if "zh" not in texts:
            continue
        notes = tuple((n.text or "").strip() for n in tu if local(n.tag) == "note")
        segments.append(Segment(len(segments) + 1, texts["zh"], texts.get("en", ""), tu.get("tuid"), notes))
    if not segments:
        found = ", ".join(sorted(languages)) or "none"
        raise BilingualError(f"{name}: no translation unit with a Chinese (zh) variant (languages found: {found})")
    return segments
