"""The runtime database: schema, build from the curated YAML, and every query the shells need.

The database is derived data. It records the schema version, a hash of the sources it was built
from and where they were, so a stale or foreign database is detected and rebuilt, and a build
writes a new file beside the old one and swaps it in, so a failed build changes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

SCHEMA_VERSION = "6"
DEFAULT_DB = "terms.sqlite"
ORDINARY_WORDS = "ordinary_words.txt"  # beside sources.yaml; read by curation.ordinary_words


class StoreError(Exception):
    """The database cannot be used (unreadable, not ours, or from an unknown schema)."""


def curated_lists(sources_file: Path) -> list[Path]:
    """The curated files beside the entries: sources.yaml and, where there is one, ordinary_words.txt."""
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


def build(db_path: str | Path, entries_dir: Path | None = None, sources_file: Path | None = None,
          seeds: Path | None = None) -> dict:
    """Build the database from the curated sources; raises CurationError and leaves any old file.

    Returns counts of what was written.
    """
    import tempfile
    from datetime import UTC, datetime

    import sqlite_utils

    from glossary import curation
    from glossary.chinese import pinyin_forms
    from glossary.model import CurationError
    from glossary.segment import build_lexicon

    entries_dir = Path(entries_dir or curation.ENTRIES_DIR).resolve()
    sources_file = Path(sources_file or curation.SOURCES_FILE).resolve()
    curated = curation.load(entries_dir, sources_file, seeds)
    if curated.problems:
        raise CurationError(curated.problems)

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would keep a shared server from reading the database
    db = None
    try:
        db = sqlite_utils.Database(tmp)
        forms_rows, entry_rows, rendering_rows, quote_rows, tag_rows = [], [], [], [], []
        for entry in curated.entries:
            py = pinyin_forms(entry.zh, entry.pinyin)
            forms = curation.surface_forms(entry)
            entry_rows.append({
                "id": entry.id, "zh": entry.zh, "zh_hant": entry.zh_hant or _hant(entry), "kind": entry.kind,
                "zh_attested": int(entry.zh_attested), "pinyin": entry.pinyin, "pinyin_plain": py["plain"],
                "pinyin_syllables": py["syllables"], "pinyin_numbered": py["numbered"], "pinyin_key": py["key"],
                "en": entry.en, "ambiguous": entry.ambiguous, "first_attested": entry.first_attested,
                "notes": entry.notes or "", "tags": json.dumps(entry.tags, ensure_ascii=False),
                "renderings_text": " | ".join(r.en for r in entry.renderings),
                "quote_count": len(entry.quotes),
                "data": json.dumps(entry.to_dict(), ensure_ascii=False),
            })
            for form, origin, note in forms:
                forms_rows.append({"form": form, "entry_id": entry.id, "origin": origin, "note": note})
            for i, r in enumerate(entry.renderings):
                rendering_rows.append({"entry_id": entry.id, "position": i, **r.to_dict()})
            for i, q in enumerate(entry.quotes):
                quote_rows.append({"entry_id": entry.id, "position": i, **q.to_dict()})
            tag_rows.extend({"entry_id": entry.id, "tag": t} for t in entry.tags)

        _create_schema(db)
        db["sources"].insert_all([{**s.to_dict(), "lines": json.dumps(s.lines)} for s in curated.sources])
        db["entries"].insert_all(entry_rows)
        db["forms"].insert_all(forms_rows)
        db["renderings"].insert_all(rendering_rows)
        db["quotes"].insert_all(quote_rows)
        db["tags"].insert_all(tag_rows)
        for table in ("renderings", "quotes", "tags"):
            db[table].create_index(["entry_id"], if_not_exists=True)
        db["quotes"].create_index(["source"], if_not_exists=True)
        db["entries"].create_index(["pinyin_key"])
        db["entries"].create_index(["kind"])
        db["entries"].enable_fts(["en", "renderings_text", "notes", "pinyin_plain", "pinyin_syllables"],
                                 tokenize="unicode61 remove_diacritics 2")
        lexicon, total = build_lexicon([row["form"] for row in forms_rows], curation.ordinary_words(sources_file))
        db["_blobs"].insert({"name": "lexicon", "data": lexicon})
        db["_blobs"].insert({"name": "annotator", "data": _annotator_blob(entry_rows, forms_rows, quote_rows)})
        meta = {
            "schema_version": SCHEMA_VERSION,
            "sources_hash": sources_hash(entries_dir, sources_file),
            "entries_dir": str(entries_dir),
            "sources_file": str(sources_file),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "lexicon_total": str(total),
            "entries": str(len(entry_rows)),
        }
        db["_meta"].insert_all([{"key": k, "value": v} for k, v in meta.items()])
        db.conn.commit()
        db.close()
        os.replace(tmp, db_path)
        for stale in db_path.parent.glob(f".{db_path.name}.*.lexicon"):  # caches of earlier builds
            stale.unlink(missing_ok=True)
    except BaseException:
        if db is not None:
            db.close()
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"entries": len(entry_rows), "forms": len(forms_rows), "quotes": len(quote_rows),
            "sources": len(curated.sources), "warnings": curated.warnings}


def _create_schema(db) -> None:
    """Create every table up front, so an empty list (no tags yet) still leaves a usable schema."""
    db["sources"].create({"id": str, "title": str, "publication": str, "author": str, "date": str,
                          "file": str, "lines": str, "url": str}, pk="id")
    db["entries"].create({
        "id": str, "zh": str, "zh_hant": str, "kind": str, "zh_attested": int, "pinyin": str,
        "pinyin_plain": str, "pinyin_syllables": str, "pinyin_numbered": str, "pinyin_key": str, "en": str,
        "ambiguous": str, "first_attested": str, "notes": str, "tags": str, "renderings_text": str,
        "quote_count": int, "data": str}, pk="id")
    db["forms"].create({"form": str, "entry_id": str, "origin": str, "note": str}, pk="form",
                       foreign_keys=[("entry_id", "entries")])
    db["renderings"].create({"entry_id": str, "position": int, "en": str, "source": str, "note": str},
                            pk=("entry_id", "position"), foreign_keys=[("entry_id", "entries")])
    db["quotes"].create({"entry_id": str, "position": int, "source": str, "text": str, "zh": str,
                         "cites": str, "locator": str}, pk=("entry_id", "position"),
                        foreign_keys=[("entry_id", "entries"), ("source", "sources")])
    db["tags"].create({"entry_id": str, "tag": str}, pk=("entry_id", "tag"),
                      foreign_keys=[("entry_id", "entries")])
    db["_blobs"].create({"name": str, "data": bytes}, pk="name")
    db["_meta"].create({"key": str, "value": str}, pk="key")


def _annotator_blob(entry_rows: list[dict], forms_rows: list[dict], quote_rows: list[dict]) -> bytes:
    """What the annotator loads, in one JSON blob: every surface form and every entry's card.
    One read instead of three queries keeps a cold `glossary annotate` close to Python's start-up."""
    import orjson

    from glossary.annotate import entry_card

    first = {q["entry_id"]: {k: q[k] for k in ("source", "text", "zh", "cites")}
             for q in quote_rows if q["position"] == 0}
    cards = {row["id"]: entry_card({**row, "zh_attested": bool(row["zh_attested"])}, first.get(row["id"]))
             for row in entry_rows}
    ambiguous = {row["id"] for row in entry_rows if row["ambiguous"]}
    forms = [[f["form"], f["entry_id"], f["entry_id"] in ambiguous and not f["origin"].startswith("variant")]
             for f in forms_rows]  # curated variants are the specific forms (浪潮集团), never ambiguous
    return orjson.dumps({"forms": forms, "cards": cards})


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


class Store:
    """Read-only access to a built database. Opens lazily; one connection per Store, closed by
    close() or by leaving `with Store(path) as store:` (an unclosed one is a ResourceWarning on 3.13)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._meta: dict | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self.path.is_file():
                raise StoreError(f"database not found: {self.path}")
            conn = None
            try:
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute("SELECT 1 FROM _meta LIMIT 1")
            except sqlite3.DatabaseError as exc:
                if conn is not None:
                    conn.close()
                raise StoreError(f"cannot read {self.path} as a glossary database ({exc})") from None
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    @property
    def meta(self) -> dict:
        if self._meta is None:
            self._meta = {r["key"]: r["value"] for r in self.query("SELECT key, value FROM _meta")}
            if self._meta.get("schema_version") is None:
                raise StoreError(f"{self.path} has no schema version")
        return self._meta

    @property
    def version(self) -> str:
        """Identifies this database's content: caches keyed on it are rebuilt when it changes."""
        return f"{self.path.resolve()}:{self.meta['sources_hash']}:{self.meta['built_at']}"

    # ---------------------------------------------------------------- entries

    def get(self, entry_id: str):
        from glossary.model import Entry

        rows = self.query("SELECT data FROM entries WHERE id = ?", (entry_id,))
        return Entry.from_dict(json.loads(rows[0]["data"])) if rows else None

    def lookup(self, form: str):
        """The entry one of whose surface forms is exactly `form` (any script)."""
        rows = self.query("SELECT entry_id FROM forms WHERE form = ?", (form.strip(),))
        return self.get(rows[0]["entry_id"]) if rows else None

    def all_entries(self) -> list:
        from glossary.model import Entry

        return [Entry.from_dict(json.loads(r["data"])) for r in self.query("SELECT data FROM entries ORDER BY id")]

    def summaries(self, where: str = "", params=()) -> list[dict]:
        """The fields a list or an annotation needs, without quotes and notes."""
        sql = ("SELECT id, zh, zh_hant, pinyin, pinyin_numbered, kind, en, ambiguous, zh_attested, quote_count, tags "
               f"FROM entries {where} ORDER BY pinyin_key, id")
        return [_summary(r) for r in self.query(sql, params)]

    def forms(self) -> list[tuple[str, str]]:
        return [(r["form"], r["entry_id"]) for r in self.query("SELECT form, entry_id FROM forms")]

    def forms_of(self, entry_id: str) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT form, origin, note FROM forms WHERE entry_id = ? ORDER BY rowid", (entry_id,))]

    def by_kind(self, kind: str) -> list[dict]:
        return self.summaries("WHERE kind = ?", (kind,))

    def by_tag(self, tag: str) -> list[dict]:
        return self.summaries("WHERE id IN (SELECT entry_id FROM tags WHERE tag = ?)", (tag,))

    def by_source(self, source_id: str) -> list[dict]:
        return self.summaries(
            "WHERE id IN (SELECT entry_id FROM quotes WHERE source = ? "
            "UNION SELECT entry_id FROM renderings WHERE source = ?)", (source_id, source_id))

    def kinds(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.query("SELECT kind, count(*) FROM entries GROUP BY kind ORDER BY kind")]

    def tags(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.query("SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY tag")]

    def sources(self) -> list:
        return [_source(r) for r in self.query("SELECT * FROM sources ORDER BY date DESC, id")]

    def source(self, source_id: str):
        rows = self.query("SELECT * FROM sources WHERE id = ?", (source_id,))
        return _source(rows[0]) if rows else None

    def blob(self, name: str) -> bytes:
        return self.query("SELECT data FROM _blobs WHERE name = ?", (name,))[0]["data"]

    def annotator_data(self) -> tuple[list[tuple[str, str, bool]], dict[str, dict]]:
        """Every surface form with its entry id and whether it is also an ordinary word, and each
        entry's card (see annotate.entry_card)."""
        import orjson

        data = orjson.loads(self.blob("annotator"))
        return [tuple(f) for f in data["forms"]], data["cards"]

    def lexicon_file(self) -> Path | None:
        """The lexicon as a file beside the database, written once per database version, so that
        it is memory-mapped rather than copied out of SQLite at every start. None if not writable."""
        path = self.path.with_name(f".{self.path.name}.{self.meta['sources_hash'][:12]}."
                                   f"{self.meta['built_at'].replace(':', '')}.lexicon")
        if not path.exists():
            try:
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(self.blob("lexicon"))
                os.replace(tmp, path)
            except OSError:
                return None
        return path

    @property
    def lexicon_total(self) -> int:
        return int(self.meta["lexicon_total"])

    # ---------------------------------------------------------------- search

    def search(self, q: str, limit: int = 50) -> list[dict]:
        """Chinese (any script), pinyin (tone marks, tone numbers or none) or English; exact first.

        Each result is a summary plus `score` (lower is better) and `match` (what matched).
        """
        from glossary.chinese import has_han, search_key

        q = " ".join(q.split())
        if not q:
            return []
        hits: dict[str, tuple[float, str]] = {}

        def hit(entry_id: str, score: float, how: str):
            if entry_id not in hits or score < hits[entry_id][0]:
                hits[entry_id] = (score, how)

        if has_han(q):
            like = f"%{_escape_like(q)}%"
            for r in self.query("SELECT form, entry_id FROM forms WHERE form LIKE ? ESCAPE '\\'", (like,)):
                form = r["form"]
                hit(r["entry_id"], 0 if form == q else 1 if form.startswith(q) else 2, "chinese")
            for r in self.query("SELECT id FROM entries WHERE notes LIKE ? ESCAPE '\\'", (like,)):
                hit(r["id"], 6, "notes")
        else:
            key = search_key(q)
            if key and key.isascii() and key.isalpha():
                for r in self.query("SELECT id, pinyin_key FROM entries WHERE pinyin_key LIKE ?", (f"%{key}%",)):
                    pk = r["pinyin_key"]
                    score = 0 if pk == key else 1 if pk.startswith(key) else 3
                    if score < 3 or len(key) >= 4:
                        hit(r["id"], score + 0.5, "pinyin")
            low = q.lower()
            for r in self.query("SELECT id, en, renderings_text FROM entries"):
                names = [r["en"].lower()] + [x.strip().lower() for x in r["renderings_text"].split("|") if x.strip()]
                if low in names:
                    hit(r["id"], 0 if names[0] == low else 0.8, "english")
                elif any(n.startswith(low) for n in names):
                    hit(r["id"], 1.2, "english")
            words = [w for w in q.replace('"', " ").split() if w]
            if words:
                match = " ".join(f'"{w}"*' if i == len(words) - 1 else f'"{w}"' for i, w in enumerate(words))
                try:
                    rows = self.query(
                        "SELECT entries.id, entries_fts.rank FROM entries_fts "
                        "JOIN entries ON entries.rowid = entries_fts.rowid "
                        "WHERE entries_fts MATCH ? ORDER BY rank LIMIT 200", (match,))
                except sqlite3.OperationalError:
                    rows = []
                for i, r in enumerate(rows):
                    hit(r["id"], 4 + i / 1000, "text")
        if not hits:
            return []
        ids = sorted(hits, key=lambda i: hits[i][0])[:limit]
        marks = ",".join("?" * len(ids))
        found = {s["id"]: s for s in self.summaries(f"WHERE id IN ({marks})", ids)}
        ordered = sorted(ids, key=lambda i: (hits[i][0], len(found[i]["zh"]), found[i]["id"]))
        return [{**found[i], "score": hits[i][0], "match": hits[i][1]} for i in ordered]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _summary(row: sqlite3.Row) -> dict:
    out = dict(row)
    out["zh_attested"] = bool(out["zh_attested"])
    out["tags"] = json.loads(out["tags"])
    return out


def _source(row: sqlite3.Row):
    from glossary.model import Source

    data = dict(row)
    lines = json.loads(data.pop("lines") or "null")
    return Source(**data, lines=tuple(lines) if lines else None)
