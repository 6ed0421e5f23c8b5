"""Termbases in: a colleague's TBX (memoQ, Trados MultiTerm, OmegaT, or our own export) or a CSV/TSV
glossary (our own columns, or the CSET-ETO glossary's), merged into the curated entries.

`read(path)` → entries in the curated schema; `plan(items, entries_dir)` → what an import would add,
change, leave alone, and where it conflicts with curated data; `apply(plan, ...)` writes through
exchange.import_entries' door (staged, checked as `glossary check` checks, all or nothing, never a
file outside the entries folder). Curated data wins: an imported preferred rendering that differs from
the curated one is added as an admitted rendering and reported as a conflict, never put in its place."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from glossary.exchange import MAX_IMPORT_BYTES, ImportProblem, curated_dict

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATUS = {
    "preferredTerm-admn-sts": "preferred",
    "admittedTerm-admn-sts": "admitted",
    "deprecatedTerm-admn-sts": "deprecated",
    "supersededTerm-admn-sts": "deprecated",
    "preferred": "preferred",
    "admitted": "admitted",
    "deprecated": "deprecated",
    "notRecommended": "deprecated",
    "forbidden": "forbidden",
}
KINDS = ("term", "slogan", "person", "organization", "product", "document", "place")
# CSV/TSV headers, matched without case, spaces, dashes or underscores
COLUMNS = {
    "zh": (
        "zh",
        "chinese",
        "simplified",
        "simplifiedchinese",
        "chinesesimplified",
        "zhcn",
        "zhhans",
        "source",
        "sourceterm",
        "term",
        "中文",
        "简体",
    ),
    "zh_hant": ("zhhant", "traditional", "traditionalchinese", "chinesetraditional", "zhtw", "繁體", "繁体"),
    "pinyin": ("pinyin", "拼音"),
    "en": ("en", "english", "translation", "target", "targetterm", "englishtranslation", "英文"),
    "other_renderings": ("otherrenderings", "alternatives", "othertranslations", "alternativetranslations"),
    "notes": ("notes", "note", "comment", "comments", "definition", "annotation", "context", "usagenote"),
    "kind": ("kind", "type", "category"),
    "id": ("id",),
}


@dataclass
class Plan:
    added: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, list[str]]] = field(default_factory=list)  # merged entry, what changes
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [
            f"{len(self.added)} to add, {len(self.changed)} to change, {len(self.unchanged)} unchanged, "
            f"{len(self.conflicts)} conflict(s)"
        ]
        lines += [f"add     {e['id']}  {e['zh']}  {e['en']}" for e in self.added]
        lines += [f"change  {e['id']}  {e['zh']}: {'; '.join(what)}" for e, what in self.changed]
        lines += [f"conflict  {c}" for c in self.conflicts]
        return "\n".join(lines)


def read(path: Path) -> list[dict]:
    path = Path(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise ImportProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportProblem(f"{path} is larger than the limit of {MAX_IMPORT_BYTES // 2**20} MB; split it")
    if path.suffix.lower() in (".tbx", ".xml") or raw.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return read_tbx(raw, path.name)
    from glossary.formats.documents import DocumentError, decode

    try:
        text, _ = decode(raw, None, path.name)
    except DocumentError as exc:
        raise ImportProblem(str(exc)) from None
    return read_table(text, path.name, "\t" if path.suffix.lower() in (".tsv", ".tab", ".txt") else None)


def _authority(name: str) -> str:
    return f"curator: imported from {name}"


def read_tbx(raw: bytes, name: str) -> list[dict]:
    """TBX-Basic (martif/termEntry/langSet/tig or ntig) and TBX v3 (tbx/conceptEntry/langSec/termSec)."""
    if b"<!ENTITY" in raw:
        raise ImportProblem(f"{name}: entity declarations are not accepted in an import")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise ImportProblem(f"{name} is not well-formed XML: {exc}") from None
    for element in root.iter():  # TBX v3 has a namespace; our reading does not need it
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    items = []
    for number, concept in enumerate([*root.iter("termEntry"), *root.iter("conceptEntry")], 1):
        zh: list = []
        en: list = []
        notes: list = []
        kind = "term"
        for child in concept:
            if child.tag in ("note", "descrip") and child.text and child.get("type") != "subjectField":
                if not child.text.startswith(("ambiguous:", "the Chinese form is curator knowledge")):
                    notes.append(child.text.strip())
            if child.get("type") == "subjectField" and child.text:
                found = re.search(r"\((\w+)\)", child.text)
                kind = found.group(1) if found and found.group(1) in KINDS else kind
        for lang_set in [*concept.iter("langSet"), *concept.iter("langSec")]:
            lang = (lang_set.get(XML_LANG) or lang_set.get("lang") or "").lower()
            for tig in [*lang_set.iter("tig"), *lang_set.iter("ntig"), *lang_set.iter("termSec")]:
                term = (tig.findtext(".//term") or "").strip()
                if not term:
                    continue
                status, term_type, pinyin, note = "admitted", None, None, []
                for node in tig.iter():
                    kind_of = node.get("type")
                    if node.tag == "termNote" and kind_of == "administrativeStatus" and node.text:
                        status = STATUS.get(node.text.strip(), "admitted")
                    elif node.tag == "termNote" and kind_of == "termType":
                        term_type = node.text
                    elif node.tag == "note" and node.text:
                        if node.text.startswith("pinyin: "):
                            pinyin = node.text[8:].strip()
                        elif "forbidden" in node.text and status == "deprecated":
                            status = "forbidden"
                        else:
                            note.append(node.text.strip())
                record = {
                    "term": term,
                    "status": status,
                    "type": term_type,
                    "pinyin": pinyin,
                    "note": "; ".join(note) or None,
                    "lang": lang,
                }
                (zh if lang.startswith("zh") else en if lang.startswith("en") else []).append(record)
        if zh and en:
            items.append(_entry_from_terms(concept.get("id"), zh, en, notes, kind, name, number))
    if not items:
        raise ImportProblem(f"{name} holds no TBX entry with both Chinese and English terms")
    return items


def _entry_from_terms(entry_id, zh, en, notes, kind, name, number) -> dict:
    simplified = [t for t in zh if t["lang"] in ("zh", "zh-cn", "zh-hans", "zh-sg")] or zh
    head = next((t for t in simplified if t["status"] == "preferred"), simplified[0])
    traditional = [t for t in zh if t["lang"] in ("zh-tw", "zh-hant", "zh-hk", "zh-mo")]
    hant = next((t for t in traditional if t["status"] == "preferred"), traditional[0] if traditional else None)
    preferred = next((t for t in en if t["status"] == "preferred"), en[0])
    abbreviation = next((t for t in en if t["type"] in ("abbreviation", "acronym")), None)
    en_text = preferred["term"] + (f" ({abbreviation['term']})" if abbreviation else "")
    item = {
        "id": entry_id,
        "zh": head["term"],
        "pinyin": head["pinyin"],
        "kind": kind,
        "en": en_text,
        "authority": _authority(name),
        "notes": "\n\n".join(notes) or None,
    }
    if hant and hant["term"] != head["term"]:
        item["zh_hant"] = hant["term"]
    item["variants"] = [
        {"form": t["term"], "pinyin": t["pinyin"]}
        for t in zh
        if t is not head and t is not hant and t["term"] not in (head["term"], item.get("zh_hant"))
    ]
    item["renderings"] = [
        {
            "en": t["term"],
            "status": "admitted" if t["status"] == "preferred" else t["status"],
            "authority": _authority(name),
            "note": t["note"],
        }
        for t in en
        if t is not preferred and t is not abbreviation
    ]
    item["_line"] = number
    return item


def read_table(text: str, name: str, delimiter: str | None) -> list[dict]:
    text = text.lstrip("\ufeff")
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        raise ImportProblem(f"{name} is empty")
    header = [re.sub(r"[\s_\-()]+", "", h).lower() for h in rows[0]]
    where = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names and key not in where:
                where[key] = i
    if "zh" not in where or "en" not in where:
        raise ImportProblem(
            f"{name}: the first row must name a Chinese and an English column "
            f"(e.g. zh,en or Chinese,English); found {rows[0]}"
        )
    items = []
    for number, row in enumerate(rows[1:], 2):

        def cell(key, row=row):
            i = where.get(key)
            value = row[i].strip() if i is not None and i < len(row) else ""
            return value[1:] if value.startswith("'") and value[1:2] in "=+-@" and value[1:] else value or None

        zh, en = cell("zh"), cell("en")
        if not zh or not en:
            continue
        kind = cell("kind") if cell("kind") in KINDS else "term"
        others = [o.strip() for o in re.split(r"[;；]", cell("other_renderings") or "") if o.strip()]
        item = {
            "id": cell("id"),
            "zh": zh,
            "zh_hant": cell("zh_hant"),
            "pinyin": cell("pinyin"),
            "kind": kind,
            "en": en,
            "authority": _authority(name),
            "notes": cell("notes"),
            "variants": [],
            "renderings": [{"en": o, "status": "admitted", "authority": _authority(name)} for o in others if o != en],
            "_line": number,
        }
        items.append(item)
    if not items:
        raise ImportProblem(f"{name} has no row with both a Chinese and an English term")
    return items


# ---------------------------------------------------------------- plan and apply


def existing_entries(entries_dir: Path) -> tuple[dict[str, dict], dict[str, set[str]]]:
    """The curated entries as dicts, and every surface form each one already matches (generated
    traditional and Taiwan forms included, so an import of our own export adds nothing)."""
    from glossary.curation import surface_forms
    from glossary.model import parse_entry

    out, forms = {}, {}
    for path in sorted(Path(entries_dir).glob("*.yaml")):
        entry = parse_entry(path, [])
        if entry is not None:
            out[entry.id] = curated_dict(entry)
            forms[entry.id] = {form for form, _origin, _note in surface_forms(entry)}
    return out, forms


def _complete(item: dict) -> dict:
    """Fill what an imported item may lack: pinyin (pypinyin's suggestion, word-joined) and an id."""
    from glossary.model import valid_id
    from glossary.pinyin import slug, suggest_pinyin_words

    item = {k: v for k, v in item.items() if not k.startswith("_")}
    if not item.get("pinyin") or re.search(r"[1-5]", item["pinyin"]):
        item["pinyin"] = suggest_pinyin_words(item["zh"])  # tone numbers are not the curated orthography
    item["renderings"] = [{k: v for k, v in r.items() if v not in (None, "")} for r in item.get("renderings", ())]
    for variant in item.get("variants", ()):
        variant["pinyin"] = variant.get("pinyin") or suggest_pinyin_words(variant["form"])
    if not item.get("id") or not valid_id(item["id"]):
        item["id"] = slug(item["pinyin"]) or "imported-term"
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def plan(items: list[dict], entries_dir: Path) -> Plan:
    current, matched = existing_entries(entries_dir)
    by_form: dict[str, str] = {}
    for entry_id, forms in matched.items():
        for form in forms:
            by_form.setdefault(form, entry_id)
    result, taken = Plan(), set(current)
    for raw in items:
        item = _complete(raw)
        same_id = item["id"] in current and current[item["id"]]["zh"] == item["zh"]
        target = item["id"] if same_id else by_form.get(item["zh"])
        if target is None:
            base, n = item["id"], 2
            while item["id"] in taken:  # an id already used by another entry: number it
                item["id"] = f"{base}-{n}"
                n += 1
            taken.add(item["id"])
            result.added.append(item)
            continue
        merged, what = merge(current[target], item, result.conflicts, matched[target])
        if what:
            result.changed.append((merged, what))
            current[target] = merged
        else:
            result.unchanged.append(target)
    return result


def merge(
    curated: dict, item: dict, conflicts: list[str], matched: set[str] | frozenset[str] = frozenset()
) -> tuple[dict, list[str]]:
    """The curated entry with what the import adds: other renderings and forms. Curated data wins."""
    merged = {
        **curated,
        "renderings": [dict(r) for r in curated.get("renderings", ())],
        "variants": [dict(v) for v in curated.get("variants", ())],
    }
    what = []
    known = {curated["en"], *(r["en"] for r in merged["renderings"])}
    if item["en"] != curated["en"]:
        conflicts.append(
            f"{curated['id']} ({curated['zh']}): imported preferred rendering {item['en']!r}, "
            f"curated {curated['en']!r} kept"
        )
    for rendering in [
        {"en": item["en"], "status": "admitted", "authority": item["authority"]},
        *item.get("renderings", ()),
    ]:
        if rendering["en"] not in known:
            merged["renderings"].append({**rendering, "status": rendering.get("status") or "admitted"})
            known.add(rendering["en"])
            what.append(f"adds rendering {rendering['en']!r} ({rendering.get('status') or 'admitted'})")
    forms = {curated["zh"], curated.get("zh_hant"), *matched, *(v["form"] for v in merged["variants"])}
    for form in [item.get("zh_hant"), *(v["form"] for v in item.get("variants", ()))]:
        if form and form not in forms:
            pinyin = next((v.get("pinyin") for v in item.get("variants", ()) if v["form"] == form), None)
            merged["variants"].append({"form": form, **({"pinyin": pinyin} if pinyin else {})})
            forms.add(form)
            what.append(f"adds form {form}")
    return merged, what


def apply(result: Plan, entries_dir: Path, sources_file: Path | None = None, seeds: Path | None = None):
    """Write the plan through exchange.import_entries (checked, all or nothing)."""
    from glossary.exchange import import_entries

    items = result.added + [merged for merged, _ in result.changed]
    if not items:
        return []
    return import_entries(
        Path("(termbase)"),
        entries_dir,
        replace=bool(result.changed),
        sources_file=sources_file,
        seeds=seeds,
        data={"entries": items},
    )
