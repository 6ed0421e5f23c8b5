"""Queries on a built database: entries, forms, browsing, search, the annotator's data.

Read-only: our tables are derived data, written only by build.py (other tables in the same file
belong to their own modules).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DB = "terms.sqlite"
FEW_ROWS = 200  # rows of JSON decoded with the standard library's json (see _json_rows)


class StoreError(Exception):
    """The database cannot be used (unreadable, not ours, or from an unknown schema)."""


class Store:
    """Read-only access to a built database. Opens lazily; one connection per Store, closed by
    close() or by leaving `with Store(path) as store:` (an unclosed one is a ResourceWarning on 3.13)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._meta: dict | None = None
        self._version: str | None = None

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
        """Identifies this database's content: caches keyed on it are rebuilt when it changes. Worked
        out once per Store (like meta): resolving the path is a system call per directory, and a server
        asks for the version several times per request."""
        if self._version is None:
            self._version = f"{self.path.resolve()}:{self.meta['version']}"
        return self._version

    # ---------------------------------------------------------------- entries

    def get(self, entry_id: str):
        from glossary.model import Entry

        rows = self.query("SELECT data FROM entries WHERE id = ?", (entry_id,))
        return Entry.from_dict(json.loads(rows[0]["data"])) if rows else None

    def lookup(self, form: str, region: str | None = None):
        """The entry one of whose surface forms is exactly `form` (any script); where entries of two
        regions share it, the one of `region`, else the one that belongs to no region or the PRC."""
        rows = self.query("SELECT entry_id, region FROM forms WHERE form = ?", (form.strip(),))
        rank = {region: 0, None: 1, "prc": 2}
        rows = sorted(rows, key=lambda r: rank.get(r["region"], 3))
        return self.get(rows[0]["entry_id"]) if rows else None

    def all_entries(self) -> list:
        from glossary.model import Entry

        return [Entry.from_dict(json.loads(r["data"])) for r in self.query("SELECT data FROM entries ORDER BY id")]

    def summaries(self, where: str = "", params=()) -> list[dict]:
        """The fields a list or an annotation needs, without quotes and notes."""
        sql = (
            "SELECT id, zh, zh_hant, pinyin, pinyin_numbered, kind, region, en, ambiguous, ordinary_dominates, "
            "zh_attested, quote_count, tags "
            f"FROM entries {where} ORDER BY pinyin_key, id"
        )
        return [_summary(r) for r in self.query(sql, params)]

    def forms(self) -> list[tuple[str, str]]:
        return [(r["form"], r["entry_id"]) for r in self.query("SELECT form, entry_id FROM forms")]

    def forms_of(self, entry_id: str) -> list[dict]:
        return [
            dict(r)
            for r in self.query(
                "SELECT form, origin, note, region, pinyin, en FROM forms WHERE entry_id = ? ORDER BY rowid",
                (entry_id,),
            )
        ]

    def by_kind(self, kind: str) -> list[dict]:
        return self.summaries("WHERE kind = ?", (kind,))

    def by_tag(self, tag: str) -> list[dict]:
        return self.summaries("WHERE id IN (SELECT entry_id FROM tags WHERE tag = ?)", (tag,))

    def by_source(self, source_id: str) -> list[dict]:
        return self.summaries(
            "WHERE id IN (SELECT entry_id FROM quotes WHERE source = ? "
            "UNION SELECT entry_id FROM renderings WHERE authority = ?)",
            (source_id, source_id),
        )

    def filtered_ids(self, entry_filter) -> frozenset[str]:
        """The ids of the entries a filter (glossary.filters.EntryFilter) lets the annotator tag."""
        from glossary.filters import IMPORTED_MARK, NO_REGION

        where, params = [], []
        if entry_filter.kinds:
            where.append(f"kind IN ({','.join('?' * len(entry_filter.kinds))})")
            params += entry_filter.kinds
        if entry_filter.tags:
            where.append(f"id IN (SELECT entry_id FROM tags WHERE tag IN ({','.join('?' * len(entry_filter.tags))}))")
            params += entry_filter.tags
        if entry_filter.regions:
            named = [r for r in entry_filter.regions if r != NO_REGION]
            either = [f"region IN ({','.join('?' * len(named))})"] if named else []
            either += ["region IS NULL"] if NO_REGION in entry_filter.regions else []
            where.append(f"({' OR '.join(either)})")
            params += named
        if entry_filter.curated_only:
            where.append("coalesce(json_extract(data, '$.authority'), '') NOT LIKE ? ESCAPE '\\'")
            params.append(_escape_like(IMPORTED_MARK) + "%")
        if entry_filter.statuses:
            column = self.status_column()
            if column is None:
                from glossary.filters import FilterError

                raise FilterError(
                    "this glossary records no editorial status (draft, checked, approved) yet, so it cannot "
                    "be filtered by status"
                )
            where.append(f"{column} IN ({','.join('?' * len(entry_filter.statuses))})")
            params += entry_filter.statuses
        sql = "SELECT id FROM entries" + (" WHERE " + " AND ".join(where) if where else "")
        return frozenset(r[0] for r in self.query(sql, params))

    def status_column(self) -> str | None:
        """Where entries keep their editorial status (draft, checked, approved), if this database has
        one: a team server's `edit_state` (editing.py), an `entries.status` column, else a `status`
        field in the entries' stored data."""
        if self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'edit_state'"):
            return "coalesce((SELECT status FROM edit_state WHERE edit_state.entry_id = entries.id), 'approved')"
        columns = {r["name"] for r in self.query("PRAGMA table_info(entries)")}
        if "status" in columns:
            return "status"
        if self.query("SELECT 1 FROM entries WHERE json_extract(data, '$.status') IS NOT NULL LIMIT 1"):
            return "json_extract(data, '$.status')"
        return None

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

    def annotator_data(self) -> dict:
        """What the annotator is built from: its `forms` (a glossary.formindex.FormIndex: the base
        and the delta, read in one statement so that they are of one version), the `reading_keys` of
        forms that read otherwise than their headword and their `reading_ids`, the `traditional` characters."""
        from glossary.formindex import FormIndex

        rows = self.query("SELECT name, data FROM _blobs WHERE name IN ('annotator', 'annotator_base')")
        blobs = {row[0]: row[1] for row in rows}
        data = json.loads(blobs["annotator"])  # not orjson: its import costs a cold start more than this
        data["forms"] = FormIndex(blobs["annotator_base"], data.pop("delta"))
        return data

    def cards(self, ids) -> dict[str, dict]:
        """The annotation cards (see annotate.entry_card) of these entries, by id, in id order."""
        return self._json_rows("cards", "id", sorted(ids))

    def readings(self, keys) -> dict[str, dict]:
        """How forms that read otherwise than their headword read ("<id>|<form>" → pinyin, en, form)."""
        return self._json_rows("readings", "key", sorted(keys))

    def json_object(self, table: str, key: str, wanted) -> bytes:
        """The JSON object of these rows' data by key, in key order (cards or readings: what
        orjson.dumps gives for cards() or readings()), put together from the stored JSON without
        parsing it: each row's data is orjson's own compact JSON (build.py), the same bytes once
        parsed and dumped again. A long document's output names thousands of entries."""
        import orjson

        rows = self._raw_rows(table, key, sorted(wanted))
        return b"{" + b",".join([orjson.dumps(k) + b":" + data for k, data in rows]) + b"}"

    def _json_rows(self, table: str, key: str, wanted: list[str]) -> dict[str, dict]:
        loads: Callable[[bytes], Any] = json.loads  # the cards of a paste: orjson's import costs more
        if len(wanted) > FEW_ROWS or "orjson" in sys.modules:  # (imported already: a long text's later pieces)
            import orjson

            loads = orjson.loads
        return {k: loads(data) for k, data in self._raw_rows(table, key, wanted)}

    def _raw_rows(self, table: str, key: str, wanted: list[str]) -> list[tuple[str, bytes]]:
        """(key, stored JSON as bytes) of the wanted rows there are, in the order wanted."""
        found: dict[str, bytes] = {}
        for i in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
            chunk = wanted[i : i + 500]
            rows = self.query(  # as bytes: no str made of each row's JSON to be parsed again
                f"SELECT {key}, CAST(data AS BLOB) FROM {table} WHERE {key} IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update((r[0], r[1]) for r in rows)
        return [(k, found[k]) for k in wanted if k in found]

    def lexicon_file(self, blob: str = "lexicon_base", write: bool = True) -> Path | None:
        """The base lexicon (jieba's words; see segment.py), or its word table (`lexicon_base_words`),
        as a file beside the database, written once (it changes only with the curated ordinary words),
        so that it is memory-mapped rather than copied out of SQLite at every start. None if not
        writable."""
        kind = blob.removeprefix("lexicon_")
        path = self.path.with_name(f".{self.path.name}.{self.meta['lexicon_base_key'][:12]}.{kind}.lexicon")
        if write and not path.exists():
            try:
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(self.blob(blob))
                os.replace(tmp, path)
            except (OSError, IndexError):  # not writable, or a database without that blob
                return None
        return path

    @property
    def lexicon_total(self) -> int:
        return int(self.meta["lexicon_total"])

    # ---------------------------------------------------------------- search

    def search(self, q: str, limit: int = 50) -> list[dict]:
        """Chinese (any script), pinyin (tone marks, tone numbers or none) or English; exact first.

        Each result is a summary plus `score` (lower is better, see RANK) and `match` (what matched).
        """
        from glossary.chinese import has_han
        from glossary.pinyin import search_key

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
                how = "exact" if form == q else "prefix" if form.startswith(q) else "inside"
                hit(r["entry_id"], RANK[f"form {how}"], "chinese")
            for r in self.query("SELECT id FROM entries WHERE notes LIKE ? ESCAPE '\\'", (like,)):
                hit(r["id"], RANK["notes"], "notes")
        else:
            key = search_key(q)
            if key and key.isascii() and key.isalpha():
                for r in self.query("SELECT id, pinyin_key FROM entries WHERE pinyin_key LIKE ?", (f"%{key}%",)):
                    pk = r["pinyin_key"]
                    how = "exact" if pk == key else "prefix" if pk.startswith(key) else "inside"
                    if how != "inside" or len(key) >= 4:  # a short key inside any pinyin is noise
                        hit(r["id"], RANK[f"pinyin {how}"], "pinyin")
            low = q.lower()
            like = _escape_like(low)
            for r in self.query(  # SQL narrows to the rows that can match; Python ranks them (names split)
                "SELECT id, en, renderings_text FROM entries WHERE lower(en) LIKE ? ESCAPE '\\' "
                "OR lower(renderings_text) LIKE ? ESCAPE '\\'",
                (f"{like}%", f"%{like}%"),
            ):
                names = [r["en"].lower()] + [x.strip().lower() for x in r["renderings_text"].split("|") if x.strip()]
                if low in names:
                    hit(r["id"], RANK["preferred english" if names[0] == low else "other english"], "english")
                elif any(n.startswith(low) for n in names):
                    hit(r["id"], RANK["english prefix"], "english")
            words = [w for w in q.replace('"', " ").split() if w]
            if words:
                match = " ".join(f'"{w}"*' if i == len(words) - 1 else f'"{w}"' for i, w in enumerate(words))
                try:
                    rows = self.query(
                        "SELECT entries.id, entries_fts.rank FROM entries_fts "
                        "JOIN entries ON entries.rowid = entries_fts.rowid "
                        "WHERE entries_fts MATCH ? ORDER BY rank LIMIT 200",
                        (match,),
                    )
                except sqlite3.OperationalError:
                    rows = []
                for i, r in enumerate(rows):
                    hit(r["id"], RANK["full text"] + i / 1000, "text")  # FTS order breaks ties
        if not hits:
            return []
        ids = sorted(hits, key=lambda i: hits[i][0])[:limit]
        marks = ",".join("?" * len(ids))
        found = {s["id"]: s for s in self.summaries(f"WHERE id IN ({marks})", ids)}
        ordered = sorted(ids, key=lambda i: (hits[i][0], len(found[i]["zh"]), found[i]["id"]))
        return [{**found[i], "score": hits[i][0], "match": hits[i][1]} for i in ordered]


# Search ranks, best first: what a user typing a term most likely wants. An exact form or preferred
# English name beats the pinyin of the same word (tone-less pinyin is ambiguous), which beats a prefix;
# a word found only in the notes or the full-text index comes last.
RANK = {
    "form exact": 0,
    "preferred english": 0,
    "pinyin exact": 0.5,
    "other english": 0.8,
    "form prefix": 1,
    "english prefix": 1.2,
    "pinyin prefix": 1.5,
    "form inside": 2,
    "pinyin inside": 3.5,
    "full text": 4,
    "notes": 6,
}


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
