"""XLIFF 1.2 (memoQ, Trados SDLXLIFF, OmegaT, Phrase) and XLIFF 2.x (2.0, 2.1, 2.2).

1.2: every `trans-unit` (in any `group`) not marked translate="no"; where it has a `seg-source` split into
`<mrk mtype="seg">` segments (Trados), each of those is a segment, paired with the target's `mrk` of
the same `mid`. 2.x: every `segment` of every `unit`. Inline codes (bpt/ept/ph/it, sc/ec/ph) are left
out of the text; marked-up text (g, mrk, pc) is kept; `<cp hex>` becomes its character. Notes of the
unit (`<note>`, `<notes><note>`) are kept for waiver markers.
"""

from __future__ import annotations

from glossary.formats.bilingual import BilingualError, Segment, local, parse_xml

CODES_12 = frozenset({"bpt", "ept", "ph", "it", "sub"})
CODES_20 = frozenset({"sc", "ec", "ph", "sm", "em"})


def text_of(element, codes: frozenset[str]) -> str:
    """The translatable text of a source or target, inline codes left out."""
    if element is None:
        return ""
    if not len(element):
        return element.text or ""
    parts = [element.text or ""]
    for child in element:
        name = local(child.tag)
        if name == "cp":
            try:
                parts.append(chr(int(child.get("hex", ""), 16)))
            except ValueError:
                pass
        elif name not in codes:
            parts.append(text_of(child, codes))
        parts.append(child.tail or "")
    return "".join(parts)


def read(data: bytes, name: str) -> list[Segment]:
    root = parse_xml(data, name)
    if local(root.tag) != "xliff":
        raise BilingualError(f"{name}: not XLIFF (the root element is <{local(root.tag)}>)")
    version = root.get("version", "")
    if version.startswith("2"):
        segments = _read_2(root, name)
    elif version == "1.2":
        segments = _read_12(root, name)
    else:
        raise BilingualError(f"{name}: XLIFF version {version or '(none)'} is not 1.2 or 2.x")
    if not segments:
        raise BilingualError(f"{name}: no translation units found")
    return segments


def _check_languages(source: str | None, target: str | None, name: str) -> None:
    source, target = (source or "").lower(), (target or "").lower()
    if source.startswith("en") and target.startswith("zh"):
        raise BilingualError(f"{name}: an English→Chinese file ({source} → {target}); QA checks Chinese→English")
    if source and not source.startswith(("zh", "cmn", "yue")):
        raise BilingualError(f"{name}: the source language is {source}; QA checks Chinese sources")


def _children(element, tag: str):
    return [child for child in element if local(child.tag) == tag]


def _units(element, tag: str):
    """Units in document order, inside groups of any depth."""
    for child in element:
        name = local(child.tag)
        if name == tag:
            yield child
        elif name in ("group", "body"):
            yield from _units(child, tag)


def _namespace(root) -> str:
    return root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""


def _read_12(root, name: str) -> list[Segment]:
    ns = _namespace(root)
    segments: list[Segment] = []
    for file in root.iter(ns + "file"):
        _check_languages(file.get("source-language"), file.get("target-language"), name)
        for unit in file.iter(ns + "trans-unit"):  # in groups of any depth; find() reads direct children
            if unit.get("translate") == "no":
                continue
            unit_id = unit.get("id")
            found = unit.findall(ns + "note")
            notes = tuple([(n.text or "").strip() for n in found]) if found else ()
            source, target = unit.find(ns + "source"), unit.find(ns + "target")
            seg_source = unit.find(ns + "seg-source")
            marks = (
                [m for m in seg_source.iter(ns + "mrk") if m.get("mtype") == "seg"] if seg_source is not None else []
            )
            if marks:
                targets = {
                    m.get("mid"): m
                    for m in (target.iter(ns + "mrk") if target is not None else ())
                    if m.get("mtype") == "seg"
                }
                for mark in marks:
                    mid = mark.get("mid")
                    segments.append(
                        Segment(
                            len(segments) + 1,
                            text_of(mark, CODES_12),
                            text_of(targets.get(mid), CODES_12),
                            f"{unit_id}/{mid}" if unit_id else mid,
                            notes,
                        )
                    )
            else:
                if source is None:
                    raise BilingualError(f"{name}: trans-unit {unit_id!r} has no <source>")
                segments.append(
                    Segment(len(segments) + 1, text_of(source, CODES_12), text_of(target, CODES_12), unit_id, notes)
                )
    return segments


def _read_2(root, name: str) -> list[Segment]:
    _check_languages(root.get("srcLang"), root.get("trgLang"), name)
    segments: list[Segment] = []
    for file in _children(root, "file"):
        for unit in _units(file, "unit"):
            if unit.get("translate") == "no":
                continue
            unit_id = unit.get("id")
            notes = tuple(
                (n.text or "").strip() for block in _children(unit, "notes") for n in _children(block, "note")
            )
            parts = _children(unit, "segment")
            for part in parts:
                source = (_children(part, "source") or [None])[0]
                if source is None:
                    raise BilingualError(f"{name}: unit {unit_id!r} has a segment without <source>")
                target = (_children(part, "target") or [None])[0]
                seg_id = unit_id if len(parts) == 1 or not part.get("id") else f"{unit_id}/{part.get('id')}"
                segments.append(
                    Segment(len(segments) + 1, text_of(source, CODES_20), text_of(target, CODES_20), seg_id, notes)
                )
    return segments
