"""Build the runtime database from the curated YAML: schema, rows, search index, annotator data.

The database is derived data. It records the schema version, a hash of the sources it was built
from and where they were, so a stale or foreign database is detected and rebuilt, and a build
writes a new file beside the old one and swaps it in, so a failed build changes nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from glossary.store import Store, StoreError

SCHEMA_VERSION = "10"


def curated_lists(sources_file: Path) -> list[Path]:
    """The curated files beside the entries: sources.yaml and, where there is one, ordinary_words.txt."""
    from glossary.paths import ORDINARY_WORDS

    ordinary = Path(sources_file).parent / ORDINARY_WORDS
    return [Path(sources_file)] + ([ordinary] if ordinary.is_file() else [])


def source_files(entries_dir: Path, sources_file: Path) -> list[Path]:
    return sorted(Path(entries_dir).glob("*.yaml")) + curated_lists(sources_file)


def sources_hash(entries_dir: Path, sources_file: Path) -> str:
    import hashlib

    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for path in source_files(entries_dir, sources_file):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(
    db_path: str | Path, entries_dir: Path | None = None, sources_file: Path | None = None, seeds: Path | None = None
) -> dict:
    """Build the database from the curated sources; raises CurationError and leaves any old file.

    Returns counts of what was written.
    """
    import tempfile
    from datetime import UTC, datetime

    import sqlite_utils

    from glossary import curation
    from glossary.model import CurationError
    from glossary.segment import build_lexicon

    entries_dir = Path(entries_dir or curation.ENTRIES_DIR).resolve()
    sources_file = Path(sources_file or curation.SOURCES_FILE).resolve()
    curated = curation.load(entries_dir, sources_file, seeds)
    if curated.problems:
        raise CurationError(curated.problems)

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(db_path)
    fd, tmp = tempfile.mkstemp(prefix=f"{db_path.name}.{os.getpid()}.", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would keep a shared server from reading the database
    db = None
    try:
        db = sqlite_utils.Database(tmp)
        forms_rows: list[dict] = []
        entry_rows: list[dict] = []
        rendering_rows: list[dict] = []
        quote_rows: list[dict] = []
        tag_rows: list[dict] = []
        for entry in curated.entries:
            entry_rows.append(_entry_row(entry))
            forms_rows.extend(_form_rows(entry))
            for i, r in enumerate(entry.all_renderings()):
                rendering_rows.append({"entry_id": entry.id, "position": i, **r.to_dict()})
            for i, q in enumerate(entry.quotes):
                quote_rows.append({"entry_id": entry.id, "position": i, **q.to_dict()})
            tag_rows.extend({"entry_id": entry.id, "tag": t} for t in entry.tags)

        _create_schema(db)
        db.table("sources").insert_all([{**s.to_dict(), "lines": json.dumps(s.lines)} for s in curated.sources])
        db.table("entries").insert_all(entry_rows)
        db.table("forms").insert_all(forms_rows)
        db.table("renderings").insert_all(rendering_rows)
        db.table("quotes").insert_all(quote_rows)
        db.table("tags").insert_all(tag_rows)
        for table in ("renderings", "quotes", "tags"):
            db.table(table).create_index(["entry_id"], if_not_exists=True)
        db.table("quotes").create_index(["source"], if_not_exists=True)
        db.table("entries").create_index(["pinyin_key"])
        db.table("entries").create_index(["kind"])
        db.table("entries").enable_fts(
            ["en", "renderings_text", "notes", "pinyin_plain", "pinyin_syllables"],
            tokenize="unicode61 remove_diacritics 2",
        )
        from glossary.chinese import matching_form

        lexicon, total, words = build_lexicon(
            list(dict.fromkeys(matching_form(row["form"]) for row in forms_rows)), curation.ordinary_words(sources_file)
        )
        db.table("_blobs").insert({"name": "lexicon", "data": lexicon})
        db.table("_blobs").insert({"name": "lexicon_words", "data": words})
        _annotator_data(db, entry_rows, forms_rows, quote_rows)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "sources_hash": sources_hash(entries_dir, sources_file),
            "entries_dir": str(entries_dir),
            "sources_file": str(sources_file),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "lexicon_total": str(total),
            "entries": str(len(entry_rows)),
        }
        db.table("_meta").insert_all([{"key": k, "value": v} for k, v in meta.items()])
        db.conn.commit()
        db.close()
        os.replace(tmp, db_path)
        for stale in db_path.parent.glob(f".{db_path.name}.*.lexicon*"):  # caches of earlier builds
            stale.unlink(missing_ok=True)
    except BaseException:
        if db is not None:
            db.close()
        Path(tmp).unlink(missing_ok=True)
        raise
    return {
        "entries": len(entry_rows),
        "forms": len(forms_rows),
        "quotes": len(quote_rows),
        "sources": len(curated.sources),
        "warnings": curated.warnings,
    }


LEGACY_TEMP_AGE = 3600  # seconds: temp files named without a pid count as stale after an hour


def remove_stale_temp_files(db_path: Path) -> None:
    """Remove what killed builds left beside the database (a whole temporary database each), and
    killed lexicon-cache writes: only files of our own name patterns, named with the pid of a
    process that is gone. Files of earlier versions, named without a pid, go once an hour old."""
    import re
    import time

    name = re.escape(db_path.name)
    ours = re.compile(rf"{name}\.(?:(\d+)\.)?[a-z0-9_]{{8}}\.tmp|\.{name}\.[0-9a-f]{{12}}\.[^/]+\.(\d+)\.tmp")
    for path in db_path.parent.iterdir():
        match = ours.fullmatch(path.name)
        if not match:
            continue
        pid = match.group(1) or match.group(2)
        try:
            stale = not process_alive(int(pid)) if pid else time.time() - path.stat().st_mtime > LEGACY_TEMP_AGE
            if stale:
                path.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: the build goes on


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (assumed so where that cannot be asked cheaply)."""
    if os.name != "posix" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _entry_row(entry) -> dict:
    from glossary.pinyin import pinyin_forms

    py = pinyin_forms(entry.zh, entry.pinyin)
    return {
        "id": entry.id,
        "zh": entry.zh,
        "zh_hant": entry.zh_hant or _hant(entry),
        "kind": entry.kind,
        "region": entry.region,
        "zh_attested": int(entry.zh_attested),
        "pinyin": entry.pinyin,
        "pinyin_plain": py["plain"],
        "pinyin_syllables": py["syllables"],
        "pinyin_numbered": py["numbered"],
        "pinyin_key": py["key"],
        "en": entry.en,
        "ambiguous": entry.ambiguous,
        "ordinary_dominates": int(entry.ordinary_dominates),
        "first_attested": entry.first_attested,
        "notes": entry.notes or "",
        "tags": json.dumps(entry.tags, ensure_ascii=False),
        "renderings_text": " | ".join(r.en for r in entry.renderings if r.en != entry.en),
        "quote_count": len(entry.quotes),
        "data": json.dumps(entry.to_dict(), ensure_ascii=False),
    }


def _form_rows(entry) -> list[dict]:
    """Each surface form with where it came from, its region, and its own reading: a variant's pinyin
    (and rendering, when it names something narrower) or, for generated Taiwan wording, the reading of
    its own characters (人工智慧 réngōng zhìhuì)."""
    from glossary.curation import form_region, surface_forms
    from glossary.pinyin import reading_of_form

    rows = []
    for form, origin, note in surface_forms(entry):
        source = next((v for v in entry.variants if form in _forms_of(v.form, entry.kind)), None)
        if origin.startswith("variant") and source is not None:
            pinyin, en = reading_of_form(form, source.form, source.pinyin or entry.pinyin), source.en
        else:
            pinyin, en = reading_of_form(form, entry.zh, entry.pinyin), None
        rows.append(
            {
                "form": form,
                "entry_id": entry.id,
                "origin": origin,
                "note": note,
                "region": form_region(entry, origin, form),
                "pinyin": pinyin,
                "en": en,
            }
        )
    return rows


def _forms_of(form: str, kind: str) -> set[str]:
    from glossary.chinese import plus_variants, regional_forms

    return {f for each in [form, *regional_forms(form, kind).values()] for f in plus_variants(each)}


def _create_schema(db) -> None:
    """Create every table up front, so an empty list (no tags yet) still leaves a usable schema."""
    db.table("sources").create(
        {
            "id": str,
            "title": str,
            "publication": str,
            "author": str,
            "date": str,
            "file": str,
            "lines": str,
            "url": str,
        },
        pk="id",
    )
    db.table("entries").create(
        {
            "id": str,
            "zh": str,
            "zh_hant": str,
            "kind": str,
            "region": str,
            "zh_attested": int,
            "pinyin": str,
            "pinyin_plain": str,
            "pinyin_syllables": str,
            "pinyin_numbered": str,
            "pinyin_key": str,
            "en": str,
            "ambiguous": str,
            "ordinary_dominates": int,
            "first_attested": str,
            "notes": str,
            "tags": str,
            "renderings_text": str,
            "quote_count": int,
            "data": str,
        },
        pk="id",
    )
    db.table("forms").create(
        {"form": str, "entry_id": str, "origin": str, "note": str, "region": str, "pinyin": str, "en": str},
        pk=("form", "entry_id"),
        foreign_keys=[("entry_id", "entries")],
    )
    db.table("renderings").create(
        {
            "entry_id": str,
            "position": int,
            "en": str,
            "status": str,
            "authority": str,
            "from_year": int,
            "until_year": int,
            "note": str,
        },
        pk=("entry_id", "position"),
        foreign_keys=[("entry_id", "entries")],
    )
    db.table("quotes").create(
        {"entry_id": str, "position": int, "source": str, "text": str, "zh": str, "cites": str, "locator": str},
        pk=("entry_id", "position"),
        foreign_keys=[("entry_id", "entries"), ("source", "sources")],
    )
    db.table("tags").create(
        {"entry_id": str, "tag": str}, pk=("entry_id", "tag"), foreign_keys=[("entry_id", "entries")]
    )
    db.table("_blobs").create({"name": str, "data": bytes}, pk="name")
    db.table("cards").create({"id": str, "data": str}, pk="id")
    db.table("readings").create({"key": str, "data": str}, pk="key")
    db.table("_meta").create({"key": str, "value": str}, pk="key")


def _annotator_data(db, entry_rows: list[dict], forms_rows: list[dict], quote_rows: list[dict]) -> None:
    """What the annotator loads: the automaton pickled (a cold start unpickles it rather than adding
    every form again), each form's candidates in one small JSON blob, and, in tables fetched only for
    the terms a text contains, every entry's card and the reading of each form whose characters read
    otherwise than the headword's (文心一言, 人工智慧)."""
    import pickle

    import orjson

    from glossary.annotate import AMBIGUOUS, ORDINARY, SPECIFIC, Annotator, entry_card
    from glossary.chinese import matching_form
    from glossary.pinyin import pinyin_forms

    first = {
        q["entry_id"]: {k: q[k] for k in ("source", "text", "zh", "cites")} for q in quote_rows if q["position"] == 0
    }
    cards = {
        row["id"]: entry_card({**row, "zh_attested": bool(row["zh_attested"])}, first.get(row["id"]))
        for row in entry_rows
    }
    rows = {row["id"]: row for row in entry_rows}

    def reads(form: dict) -> int:
        entry = rows[form["entry_id"]]
        if not entry["ambiguous"] or form["origin"].startswith("variant"):  # variants are specific (浪潮集团)
            return SPECIFIC
        return ORDINARY if entry["ordinary_dominates"] else AMBIGUOUS

    candidates: dict[str, list] = {}
    readings = {}
    for f in forms_rows:
        form = matching_form(f["form"])
        candidates.setdefault(form, []).append([f["entry_id"], reads(f), f["region"]])
        card = cards[f["entry_id"]]
        if f["pinyin"] != card["pinyin"] or f["en"]:
            readings[f"{f['entry_id']}|{form}"] = {
                "pinyin": f["pinyin"],
                "pinyin_numbered": pinyin_forms(f["form"], f["pinyin"])["numbered"],
                "en": f["en"] or card["en"],
                "form": f["form"],
            }
    automaton = Annotator.build_automaton(list(candidates))
    blob = {
        "lengths": [len(form) for form in candidates],
        "candidates": list(candidates.values()),
        "reading_keys": sorted(readings),
        "traditional": _traditional_chars(),
    }
    db.table("_blobs").insert_all(
        [{"name": "annotator", "data": orjson.dumps(blob)}, {"name": "automaton", "data": pickle.dumps(automaton)}]
    )
    db.table("cards").insert_all([{"id": k, "data": orjson.dumps(v).decode()} for k, v in cards.items()])
    db.table("readings").insert_all([{"key": k, "data": orjson.dumps(v).decode()} for k, v in readings.items()])


def _traditional_chars() -> str:
    """The characters OpenCC simplifies: how the annotator tells a traditional text without loading OpenCC."""
    from glossary.chinese import to_simplified

    chars = "".join(map(chr, range(0x4E00, 0xA000)))
    return "".join(a for a, b in zip(chars, to_simplified(chars), strict=True) if a != b)


def _hant(entry) -> str:
    from glossary.chinese import to_traditional

    return to_traditional(entry.zh)


def needs_build(db_path: str | Path) -> bool:
    """Missing, from another schema, or older than the curated sources it was built from."""
    db_path = Path(db_path)
    if not db_path.is_file():
        return True
    try:
        with Store(db_path) as store:
            meta = store.meta
    except StoreError:
        return False  # not ours: never overwrite it behind the user's back
    if meta.get("schema_version") != SCHEMA_VERSION:
        return True
    entries_dir, sources_file = Path(meta.get("entries_dir", "")), Path(meta.get("sources_file", ""))
    if not entries_dir.is_dir() or not sources_file.is_file():
        return False  # built elsewhere (e.g. shipped alone): use it as it is
    built = db_path.stat().st_mtime
    with os.scandir(entries_dir) as found:  # scandir: this runs at every start of the CLI
        stats = [e.stat().st_mtime for e in found if e.name.endswith(".yaml")]
    newest = max(stats + [p.stat().st_mtime for p in curated_lists(sources_file)])
    if newest <= built and len(stats) == int(meta.get("entries", -1)):
        return False
    return sources_hash(entries_dir, sources_file) != meta.get("sources_hash")


def ensure_built(db_path: str | Path) -> None:
    """Build (or rebuild from the sources it names) a missing or stale database."""
    db_path = Path(db_path)
    if not needs_build(db_path):
        return
    entries_dir = sources_file = None
    if db_path.is_file():
        with Store(db_path) as store:
            meta = store.meta
        entries_dir, sources_file = meta.get("entries_dir"), meta.get("sources_file")
    build(db_path, entries_dir and Path(entries_dir), sources_file and Path(sources_file))
