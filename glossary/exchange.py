"""Import and export: the whole glossary as JSON/YAML/CSV/TSV/TBX, a document's term list as CSV or
TBX-Basic (for memoQ, Trados and OmegaT), and entries imported back into curated YAML files."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

from glossary.model import ID_PATTERN, Entry

TERM_COLUMNS = ["zh", "zh_hant", "pinyin", "en", "kind", "id", "count", "other_renderings"]
MAX_IMPORT_BYTES = 50 * 1024 * 1024  # ~40,000 entries of today's size; a bigger file is refused unread
MAX_ID_LENGTH = 200  # an id is a file name (<id>.yaml) and a URL: well under the usual 255-byte limit


class ImportProblem(Exception):
    """An import that was refused; nothing was written."""


def entry_yaml(entry: Entry) -> str:
    """The curated YAML of an entry: the fields that carry something, in reading order."""
    import yaml

    data = entry.to_dict()
    data.pop("id")
    if data["zh_attested"]:
        data.pop("zh_attested")

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v not in (None, "", [], ())}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    return yaml.safe_dump(clean(data), allow_unicode=True, sort_keys=False, width=100)


def export(store, fmt: str) -> str:
    entries = store.all_entries()
    sources = [s.to_dict() for s in store.sources()]
    if fmt == "json":
        return json.dumps({"entries": [e.to_dict() for e in entries], "sources": sources},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump({"entries": [e.to_dict() for e in entries], "sources": sources},
                              allow_unicode=True, sort_keys=False, width=100)
    hant = {s["id"]: s["zh_hant"] for s in store.summaries()}  # curated or derived traditional form
    rows = [{**_term_row(e.to_dict()), "zh_hant": hant[e.id]} for e in entries]
    if fmt in ("csv", "tsv"):
        return terms_csv(rows, "\t" if fmt == "tsv" else ",")
    if fmt == "tbx":
        return terms_tbx(rows)
    raise ValueError(f"unknown export format {fmt!r}")


def _term_row(entry: dict) -> dict:
    return {**entry, "other_renderings": [r["en"] for r in entry.get("renderings", ())]}


def terms_csv(rows: list[dict], delimiter: str = ",") -> str:
    """One row per term; a document's term list carries counts."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(TERM_COLUMNS)
    for row in rows:
        writer.writerow([
            row.get("zh"), row.get("zh_hant") or "", row.get("pinyin"), row.get("en"), row.get("kind"),
            row.get("id"), row.get("count", ""), "; ".join(row.get("other_renderings") or ()),
        ])
    return out.getvalue()


def terms_tbx(rows: list[dict], title: str = "Policy glossary") -> str:
    """TBX-Basic (martif, the form memoQ, Trados MultiTerm and OmegaT all read)."""
    martif = ET.Element("martif", {"type": "TBX-Basic", "xml:lang": "en"})
    header = ET.SubElement(ET.SubElement(ET.SubElement(martif, "martifHeader"), "fileDesc"), "sourceDesc")
    ET.SubElement(header, "p").text = title
    body = ET.SubElement(ET.SubElement(martif, "text"), "body")
    for row in rows:
        entry = ET.SubElement(body, "termEntry", {"id": row["id"]})
        ET.SubElement(entry, "descrip", {"type": "subjectField"}).text = f"Chinese policy ({row.get('kind')})"
        if row.get("count"):
            ET.SubElement(entry, "note").text = f"occurrences in document: {row['count']}"
        zh = ET.SubElement(entry, "langSet", {"xml:lang": "zh-CN"})
        _tig(zh, row["zh"], "preferredTerm-admn-sts", note=row.get("pinyin"))
        if row.get("zh_hant") and row["zh_hant"] != row["zh"]:
            _tig(ET.SubElement(entry, "langSet", {"xml:lang": "zh-TW"}), row["zh_hant"], "preferredTerm-admn-sts")
        en = ET.SubElement(entry, "langSet", {"xml:lang": "en"})
        _tig(en, row["en"], "preferredTerm-admn-sts")
        for other in row.get("other_renderings") or ():
            if other != row["en"]:
                _tig(en, other, "admittedTerm-admn-sts")
    ET.indent(martif)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">\n'
            + ET.tostring(martif, encoding="unicode") + "\n")


def _tig(lang_set, term: str, status: str, note: str | None = None):
    tig = ET.SubElement(lang_set, "tig")
    ET.SubElement(tig, "term").text = term
    ET.SubElement(tig, "termNote", {"type": "administrativeStatus"}).text = status
    if note:
        ET.SubElement(tig, "note").text = f"pinyin: {note}"


def import_entries(file: Path, entries_dir: Path, replace: bool = False,
                   sources_file: Path | None = None) -> list[Path]:
    """Write the entries of a JSON/YAML export as curated YAML files, all or nothing.

    The new files are validated together with the existing ones before anything is written.
    """
    from glossary import curation

    data = read_import(Path(file))
    items = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ImportProblem(f"{file} holds no list of entries")
    entries_dir = Path(entries_dir)
    targets = {entry_id: entry_path(entries_dir, entry_id) for entry_id in (i.get("id") for i in items)}
    existing = [i for i, path in targets.items() if path.exists() or path.is_symlink()]
    if existing and not replace:
        raise ImportProblem(f"{len(existing)} entries exist already (e.g. {existing[0]}); use --replace")
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "entries"
        if entries_dir.is_dir():
            shutil.copytree(entries_dir, staged)
        else:
            staged.mkdir()
        for item in items:
            try:
                entry = Entry.from_dict(item)
            except TypeError as exc:
                raise ImportProblem(f"entry {item['id']!r} has fields we do not know: {exc}") from None
            entry_path(staged, entry.id).write_text(entry_yaml(entry), encoding="utf-8")
        checked = curation.load(staged, sources_file or curation.SOURCES_FILE)
        if checked.problems:
            raise ImportProblem(f"import refused, {len(checked.problems)} problem(s): "
                                + str(checked.problems[0]).replace(str(staged), str(entries_dir)))
        entries_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for entry_id, target in targets.items():
            shutil.copyfile(entry_path(staged, entry_id), target)
            written.append(target)
    return written


def read_import(file: Path):
    """The data of a JSON or YAML export, read with bounds: at most MAX_IMPORT_BYTES, and YAML
    without anchors or aliases (a few hundred bytes of nested aliases expand to gigabytes, and
    no export of ours writes them)."""
    import yaml

    try:
        with open(file, "rb") as f:
            raw = f.read(MAX_IMPORT_BYTES + 1)  # never more, whatever the file claims (or /dev/zero)
    except OSError as exc:
        raise ImportProblem(f"cannot read {file}: {exc.strerror or exc}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportProblem(f"{file} is larger than the limit of {MAX_IMPORT_BYTES // 2**20} MB; split it")
    try:
        text = raw.decode("utf-8-sig")
        if file.suffix.lower() == ".json":
            return json.loads(text)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same rules, faster
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ImportProblem(f"{file}:{event.start_mark.line + 1}: YAML anchors and aliases (& and *) "
                                    "are not accepted in an import")
        return yaml.load(text, Loader=loader)  # a safe loader, chosen above
    except (UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
        reason = str(exc).replace("\n", " ")
        raise ImportProblem(f"{file} is not a JSON or YAML export: {reason}") from None


def entry_path(folder: Path, entry_id) -> Path:
    """The file of an entry in `folder`, refusing any id that could name a file elsewhere.

    An id becomes a file name, so it must be a slug (model.ID_PATTERN, whole string: `$` alone
    would let a trailing newline through) of a sane length; and the path must still resolve
    inside the folder, which also refuses an existing symlink that points out of it.
    """
    if not isinstance(entry_id, str) or not ID_PATTERN.fullmatch(entry_id) or len(entry_id) > MAX_ID_LENGTH:
        shown = entry_id if not isinstance(entry_id, str) or len(entry_id) <= 60 else entry_id[:60] + "…"
        raise ImportProblem(f"entry id {shown!r} is not a valid id (lower-case ASCII words joined by '-', "
                            f"at most {MAX_ID_LENGTH} characters)")
    path = Path(folder) / f"{entry_id}.yaml"
    if path.resolve().parent != Path(folder).resolve():
        raise ImportProblem(f"entry id {entry_id!r} names a file outside {folder} (a symlink?)")
    return path
