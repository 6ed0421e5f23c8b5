"""Keep the database in step with the curated YAML: in place, incrementally, in one transaction.

The database holds our tables (entries and their rows, the annotator's data) beside tables other
parts own (users and revisions of a team server, a corpus), so a build never replaces the file: it
updates our tables in one `BEGIN IMMEDIATE` transaction, which an error or Ctrl-C rolls back whole.

Each curated file is recorded with its size, mtime, inode and SHA-256 (`_files`). A build re-reads
only the files whose stat changed, re-parses only those whose content changed, and replaces only
their entries' rows; the annotator's data (automaton, candidates, the glossary part of the lexicon)
is then rebuilt from the stored forms, without reading YAML. `apply_entries` is that second half,
the door other writers (editing.py) use for entries that do not come from files.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from collections.abc import Collection, Iterator
from pathlib import Path
from stat import S_ISREG

from glossary.store import Store, StoreError

SCHEMA_VERSION = "15"  # 15: signs' readings in tone numbers; 14: long-text automaton, lexicon plain trie stored
# Up to this many entry files, every command compares each file's stat with the recorded one (a
# few tens of milliseconds). Past it that walk costs more than the command (0.3-0.9 s at 100,000
# files), so commands compare only the folder's own stat — which adding, removing or replacing a
# file changes (git, rsync, editors that save by renaming) — and `glossary build` walks every file.
SMALL_FOLDER = 10_000
BUSY_TIMEOUT = 60  # seconds a build waits for another writer (a concurrent build) to finish
BUILD_CACHE_KIB = 131_072  # SQLite's page cache for a build's connection (taken only as pages are used)

OWN_TABLES = (
    "entries_fts",
    "forms",
    "renderings",
    "quotes",
    "tags",
    "cards",
    "readings",
    "entries",
    "sources",
    "_blobs",
    "_form_changes",
    "_files",
    "_meta",
)
FTS_COLUMNS = ("en", "renderings_text", "notes", "pinyin_plain", "pinyin_syllables")
SCHEMA = f"""
CREATE TABLE sources (id TEXT PRIMARY KEY, title TEXT, publication TEXT, author TEXT, date TEXT, file TEXT,
    lines TEXT, url TEXT);
CREATE TABLE entries (id TEXT PRIMARY KEY, zh TEXT, zh_hant TEXT, kind TEXT, region TEXT, zh_attested INTEGER,
    pinyin TEXT, pinyin_plain TEXT, pinyin_syllables TEXT, pinyin_numbered TEXT, pinyin_key TEXT, en TEXT,
    ambiguous TEXT, ordinary_dominates INTEGER, first_attested TEXT, notes TEXT, tags TEXT, renderings_text TEXT,
    quote_count INTEGER, data TEXT, hash TEXT);
CREATE INDEX entries_pinyin_key ON entries (pinyin_key);
CREATE INDEX entries_kind ON entries (kind);
CREATE TABLE forms (form TEXT, entry_id TEXT REFERENCES entries(id), origin TEXT, note TEXT, region TEXT,
    pinyin TEXT, en TEXT, in_base INTEGER, PRIMARY KEY (form, entry_id));
CREATE INDEX forms_entry_id ON forms (entry_id);
CREATE TABLE renderings (entry_id TEXT REFERENCES entries(id), position INTEGER, en TEXT, status TEXT,
    authority TEXT, from_year INTEGER, until_year INTEGER, note TEXT, PRIMARY KEY (entry_id, position));
CREATE TABLE quotes (entry_id TEXT REFERENCES entries(id), position INTEGER, source TEXT REFERENCES sources(id),
    text TEXT, zh TEXT, cites TEXT, locator TEXT, PRIMARY KEY (entry_id, position));
CREATE INDEX quotes_source ON quotes (source);
CREATE TABLE tags (entry_id TEXT REFERENCES entries(id), tag TEXT, PRIMARY KEY (entry_id, tag));
CREATE INDEX tags_tag ON tags (tag);
CREATE TABLE cards (id TEXT PRIMARY KEY, data TEXT);
CREATE TABLE readings (key TEXT PRIMARY KEY, entry_id TEXT, data TEXT);
CREATE INDEX readings_entry_id ON readings (entry_id);
CREATE TABLE _blobs (name TEXT PRIMARY KEY, data BLOB);
CREATE TABLE _files (name TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, inode INTEGER, sha256 TEXT);
CREATE TABLE _meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE _form_changes (form TEXT, entry_id TEXT);
CREATE TRIGGER forms_changed_ad AFTER DELETE ON forms BEGIN
    INSERT INTO _form_changes VALUES (old.form, old.entry_id);
END;
CREATE TRIGGER forms_changed_ai AFTER INSERT ON forms BEGIN
    INSERT INTO _form_changes VALUES (new.form, new.entry_id);
END;
CREATE VIRTUAL TABLE entries_fts USING fts5({", ".join(FTS_COLUMNS)}, content='entries',
    tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, {", ".join(FTS_COLUMNS)})
    VALUES (new.rowid, {", ".join("new." + c for c in FTS_COLUMNS)});
END;
CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, {", ".join(FTS_COLUMNS)})
    VALUES ('delete', old.rowid, {", ".join("old." + c for c in FTS_COLUMNS)});
END;
"""
ENTRY_TABLES = ("forms", "renderings", "quotes", "tags")  # rows keyed by entry_id
# The columns an entry's rows are written with (_rows_of gives each row as a tuple of these: a
# hundred thousand entries' rows cross from the workers and into SQLite faster than as dicts).
TABLE_COLUMNS = {
    "entries": (
        *("id", "zh", "zh_hant", "kind", "region", "zh_attested", "pinyin", "pinyin_plain", "pinyin_syllables"),
        *("pinyin_numbered", "pinyin_key", "en", "ambiguous", "ordinary_dominates", "first_attested", "notes"),
        *("tags", "renderings_text", "quote_count", "data", "hash"),
    ),
    "forms": ("form", "entry_id", "origin", "note", "region", "pinyin", "en"),
    "renderings": ("entry_id", "position", "en", "status", "authority", "from_year", "until_year", "note"),
    "quotes": ("entry_id", "position", "source", "text", "zh", "cites", "locator"),
    "tags": ("entry_id", "tag"),
    "cards": ("id", "data"),
    "readings": ("key", "entry_id", "data"),
}
ENTRY_HASH = TABLE_COLUMNS["entries"].index("hash")


def curated_lists(sources_file: Path) -> list[Path]:
    """The curated files beside the entries: sources.yaml and, where there is one, ordinary_words.txt."""
    from glossary.paths import ORDINARY_WORDS

    ordinary = Path(sources_file).parent / ORDINARY_WORDS
    return [Path(sources_file)] + ([ordinary] if ordinary.is_file() else [])


# ------------------------------------------------------------------------------------------ files


# Where the system has one, a file's status-change time (ctime) stands for it in its stat key: the
# kernel sets it at every write, rename, chmod or touch and no call sets it back, so a file an editor
# rewrote in place is seen even with its size and modification time as before (they can be restored).
# (It is what `_files.mtime_ns` holds since schema 13.) On Windows ctime is the creation time.
CHANGE_TIME = os.name == "posix"


def _stat_key(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_size, st.st_ctime_ns if CHANGE_TIME else st.st_mtime_ns, st.st_ino


def scan_files(
    entries_dir: Path, sources_file: Path, recorded: dict | None = None
) -> dict[str, tuple[str, tuple[int, int, int]]]:
    """Every curated file by its recorded name ("entries/<id>.yaml", "sources.yaml", …) with its path
    and (size, mtime_ns, inode). With `recorded`, an entry file whose inode is the recorded one is
    taken to have its recorded stat without asking (the listing gives inodes for free, a stat costs
    a system call per file): what a command checks in a folder too big to stat whole."""
    found: dict[str, tuple[str, tuple[int, int, int]]] = {}
    with os.scandir(entries_dir) as listing:
        for item in listing:
            if not item.name.endswith(".yaml"):
                continue
            name = f"entries/{item.name}"
            old = recorded.get(name) if recorded else None
            if old is not None and old[2] == item.inode():
                found[name] = (item.path, old[:3])
            elif item.is_file():
                found[name] = (item.path, _stat_key(item.stat()))
    found.update(_curated_stats(sources_file))
    return found


def _curated_stats(sources_file: Path) -> dict[str, tuple[str, tuple[int, int, int]]]:
    return {path.name: (str(path), _stat_key(path.stat())) for path in curated_lists(sources_file)}


def _changed_since(entries_dir: Path, since: int) -> tuple[tuple[int, int], dict]:
    """(number of entry files, newest status change) and, as scan_files gives them, the entry files
    whose status changed after `since` (st_ctime_ns): a stat of each file by its name within the
    folder, and nothing more for the others (see CHANGE_TIME)."""
    found: dict[str, tuple[str, tuple[int, int, int]]] = {}
    count = newest = 0
    folder = os.open(entries_dir, os.O_RDONLY)  # each file stat'ed by name within the folder: no path walk
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                if not item.name.endswith(".yaml"):
                    continue
                count += 1
                st = item.stat()
                changed = st.st_ctime_ns
                if changed > newest:
                    newest = changed
                if changed > since:
                    found[f"entries/{item.name}"] = (os.path.join(entries_dir, item.name), _stat_key(st))
    finally:
        os.close(folder)
    return (count, newest), found


def _newest_of(files: dict[str, tuple[str, tuple[int, int, int]]]) -> tuple[int, int] | None:
    """(number of entry files, newest status change) of what scan_files found (None: not by ctime)."""
    if not CHANGE_TIME:
        return None
    stats = [stat for name, (_, stat) in files.items() if name.startswith("entries/")]
    return len(stats), max((stat[1] for stat in stats), default=0)


def _sha256(path: str) -> str:
    import hashlib

    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def _folder_stamp(entries_dir: Path, sources_file: Path) -> str:
    """The cheap fingerprint every command compares: the entries folder's own stat (changed by any
    file added, removed or replaced) and the curated lists' stats."""
    parts = [_stat_key(Path(entries_dir).stat())]
    parts += [_stat_key(p.stat()) for p in curated_lists(sources_file)]
    return json.dumps(parts)


# ------------------------------------------------------------------------------------------ build


def build(
    db_path: str | Path,
    entries_dir: Path | None = None,
    sources_file: Path | None = None,
    seeds: Path | None = None,
    *,
    full: bool = False,
    quick: bool = False,
    progress=None,
    scanned: tuple | None = None,
    only: list[Path] | None = None,
) -> dict:
    """Bring the database in step with the curated sources, in place, in one transaction.

    Only files whose content changed since the last build are parsed and their entries' rows
    replaced (`full`: every file); tables of other owners in the same file are never touched.
    `quick`: stat only the entry files whose inode changed (see scan_files), as commands do in a
    folder of more than SMALL_FOLDER files; `glossary build` stats them all. `progress(done, total)`
    is called as changed entry files are read (the CLI shows a counter on a terminal). `scanned`:
    what needs_build found of the files changed since the recorded mark (see _SCANS), not looked up again.
    `only`: the entry files to look at (saved, added or deleted), the others taken as recorded — no
    `stat` of the whole folder (see _named_files); a later build or command still sees any other change.
    Raises CurationError and changes nothing when a changed file has a problem. Returns counts.
    """
    from glossary import curation, pinyin

    entries_dir = Path(entries_dir or curation.ENTRIES_DIR).resolve()
    sources_file = Path(sources_file or curation.SOURCES_FILE).resolve()
    if not entries_dir.is_dir():
        from glossary.model import CurationError, Problem

        raise CurationError([Problem(str(entries_dir), None, "entries folder not found")])
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(db_path)
    check_tables = _check_tables_path(db_path)
    pinyin.use_check_tables(check_tables)
    with _connect(db_path) as conn, _no_cycle_collection():
        # Room for the pages a big build changes, which SQLite's default cache (2 MB) spills to the
        # file before the commit (then writes again): the same rows, in less time.
        conn.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time; what we read below stays true
        try:
            result = _sync(conn, entries_dir, sources_file, seeds, full, quick, progress, scanned, only)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            _stop_pools()
            _PREBUILT.clear()
    if not check_tables.exists() and (result["changed"] or result["removed"] or "pypinyin" in sys.modules):
        _write_check_tables(check_tables)
    _remove_stale_lexicon_files(db_path)
    return result


def _check_tables_path(db_path: Path) -> Path:
    """The copy of pypinyin's tables the pinyin check reads (pinyin_tables.CheckTables), beside the
    database and named by the pypinyin it was made from."""
    from glossary import pinyin_tables

    return db_path.with_name(f".{db_path.name}.{_digest([pinyin_tables.check_version()])[:12]}.pinyin")


def _write_check_tables(path: Path) -> None:
    """Made once by a build that changed something (importing pypinyin, which it has mostly done
    already): later edits' checks then read it instead of importing pypinyin. Best effort."""
    from glossary import pinyin, pinyin_tables

    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(pinyin_tables.build_check())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    pinyin.use_check_tables(path)


class _no_cycle_collection:
    """Python's cycle collector paused while a build makes its millions of objects (entries, rows,
    the workers' results), which hold no cycles and are freed by their reference counts: each of
    its passes walks every object still alive (13% of a worker's time, half of the unpickling of
    their results)."""

    def __enter__(self) -> None:
        import gc

        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc) -> None:
        import gc

        if self.was_enabled:
            gc.enable()


class _connect:
    """A read-write connection in autocommit mode (transactions are explicit), always closed."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            self.conn.execute("PRAGMA user_version")  # fails here if the file is not a database
        except sqlite3.DatabaseError as exc:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
            raise StoreError(f"cannot use {self.path} as a glossary database ({exc})") from None
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.close()


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_meta'").fetchone():
        return {}
    return dict(conn.execute("SELECT key, value FROM _meta").fetchall())


def _sync(
    conn,
    entries_dir: Path,
    sources_file: Path,
    seeds: Path | None,
    full: bool,
    quick: bool,
    progress,
    scanned=None,
    only: list[Path] | None = None,
) -> dict:
    """Compare the files with the recorded ones, parse what changed, check it, apply it."""
    from glossary import curation
    from glossary.model import CurationError, parse_sources

    meta = _meta(conn)
    same_place = meta.get("entries_dir") == str(entries_dir) and meta.get("sources_file") == str(sources_file)
    fresh_schema = meta.get("schema_version") != SCHEMA_VERSION
    if fresh_schema:
        _create_schema(conn)
    started = time.time_ns()
    stamp = _folder_stamp(entries_dir, sources_file)
    since = None if fresh_schema or not same_place or full else _mark(meta.get("newest_change"), entries_dir)
    newest: tuple[int, int] | None = None
    partial = False  # `files` holds only the files whose status changed since the mark (or the named ones)
    count = int(meta.get("files", 0))
    if only is not None and same_place and not fresh_schema and not full:
        files, gone = _named_files(entries_dir, only)
        files.update(_curated_stats(sources_file))
        recorded = _recorded_files(conn, [*gone, *files, "ordinary_words.txt"])
        _check_gone(gone, recorded)
        list_names = [n for n in (*files, *recorded) if not n.startswith("entries/")]
        partial = all(n in files and recorded.get(n, ())[:3] == files[n][1] for n in list_names)
        if partial:  # the recorded stamp and mark stay: any other file changed since is still seen later
            stamp = meta.get("folder_stamp", "")
            added = len(files.keys() - recorded.keys()) - len(recorded.keys() - files.keys())  # (or removed)
            count += added
            newest = since and (since[0] + added, since[1])
    elif since is not None:
        # Every entry file whose status changed at or before the mark has its stat recorded, and any
        # later change (an edit, a file added, renamed or replaced) gives a later ctime: only those
        # files can differ, and a file is gone when fewer than the recorded ones are left.
        if scanned is not None and scanned[0] == meta.get("newest_change"):
            started, stamp, newest, files = scanned[1:]  # the check's scan, from before the stamp it took
        else:
            newest, files = _changed_since(entries_dir, since[1])
            files.update(_curated_stats(sources_file))
        recorded = _recorded_files(conn, [*files, "ordinary_words.txt"])
        added = sum(n.startswith("entries/") and n not in recorded for n in files)
        list_names = [n for n in (*files, *recorded) if not n.startswith("entries/")]
        lists_same = all(n in files and recorded.get(n, ())[:3] == files[n][1] for n in list_names)
        partial = newest[0] == since[0] + added and lists_same  # (a changed list: every entry is checked)
    if not partial:
        recorded = {} if fresh_schema or not same_place else _recorded_files(conn)
        files = scan_files(entries_dir, sources_file, recorded if quick and not full else None)
        newest = None if quick else _newest_of(files)
    hashes, changed = {}, set()
    for name, (path, stat) in files.items():
        old = recorded.get(name)
        if old is not None and old[:3] == stat and not full:
            hashes[name] = old[3]
            continue
        if (full or old is None) and name.startswith("entries/"):
            changed.add(name)  # read whatever its hash: hashed as it is read (_read_files)
            continue
        hashes[name] = _sha256(path)
        if full or old is None or old[3] != hashes[name]:
            changed.add(name)
    removed_files = set(recorded) - set(files)
    lists = ("sources.yaml", "ordinary_words.txt")
    lists_changed = fresh_schema or any(n in changed or n in removed_files for n in lists)
    if lists_changed or not same_place:
        changed = set(files)  # the sources or ordinary words decide every entry's checks

    problems: list = []
    warnings: list = []
    sources = parse_sources(sources_file, problems) if sources_file.is_file() else []
    if not sources_file.is_file():
        from glossary.model import Problem

        problems.append(Problem(str(sources_file), None, "sources file not found"))
    entry_files = sorted(n for n in changed if n.startswith("entries/"))
    source_ids = {s.id for s in sources}
    texts = curation._article_texts(sources, seeds) if seeds else {}
    ordinary = curation.ordinary_words(sources_file)
    writer = _RowWriter(conn) if conn.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None else None
    paths = [files[n][0] for n in entry_files]
    read = _read_files(paths, source_ids, texts, progress, _lexicon_wanted(meta, ordinary), writer)
    written = writer.ids if writer is not None else set()  # (none when the files were read in process)
    lines: dict[str, dict] = {}
    entries, findings, rows = [], {}, {}
    for name, result in zip(entry_files, read, strict=True):
        digest, entry, where, found, own, entry_rows = result
        hashes.setdefault(name, digest)
        lines[name[len("entries/") : -len(".yaml")]] = where  # (its id: the stem, without a Path per file)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
            if own is not None:
                findings[entry.id], rows[entry.id] = curation.Findings(*own), entry_rows
    for entry_id, (own, entry_rows) in _kept_forms(
        conn, [e for e in entries if e.id not in rows], source_ids, texts
    ).items():
        findings[entry_id], rows[entry_id] = own, entry_rows
    changed_ids = {e.id for e in entries}
    removed_ids = [n[len("entries/") : -len(".yaml")] for n in removed_files if n.startswith("entries/")]
    if lists_changed or not same_place:
        removed_ids = [r[0] for r in conn.execute("SELECT id FROM entries") if r[0] not in changed_ids]
    if seeds and not texts:
        from glossary.model import Problem

        problems.append(Problem(str(seeds), None, "no source article found there"))
    names = {e.id: files[f"entries/{e.id}.yaml"][0] for e in entries}
    _check(conn, entries, removed_ids, source_ids, ordinary, texts, names, lines, problems, warnings, findings, written)
    if problems:
        raise CurationError(problems)

    if lists_changed or not same_place:
        conn.execute("DELETE FROM sources")
        conn.executemany(
            "INSERT INTO sources VALUES (:id, :title, :publication, :author, :date, :file, :lines, :url)",
            [{**s.to_dict(), "lines": json.dumps(s.lines)} for s in sources],
        )
        _set_meta(conn, {"ordinary_words": json.dumps(ordinary, ensure_ascii=False)})
    counts = _apply(conn, entries, removed_ids, False, rows or None, written)
    if removed_files:
        _rows_in(conn, "DELETE FROM _files WHERE name IN", list(removed_files))
    conn.executemany(
        "INSERT OR REPLACE INTO _files VALUES (?, ?, ?, ?, ?)",
        [(n, *files[n][1], hashes[n]) for n in files if recorded.get(n) != (*files[n][1], hashes[n])],
    )
    _set_meta(
        conn,
        {
            "entries_dir": str(entries_dir),
            "sources_file": str(sources_file),
            "folder_stamp": stamp,
            "newest_change": _build_mark(entries_dir, newest, started),
            "files": str(count if partial else len(files)),
        },
    )
    return {**counts, "sources": len(sources), "warnings": warnings, "parsed": len(entries)}


def _named_files(entries_dir: Path, paths: list[Path]) -> tuple[dict[str, tuple[str, tuple[int, int, int]]], dict]:
    """The named entry files that are there, as scan_files gives them, and those that are not (deleted)
    with the path as given. Raises CurationError for a path that is not a .yaml file directly in the
    entries folder."""
    from glossary.model import CurationError, Problem

    found: dict[str, tuple[str, tuple[int, int, int]]] = {}
    gone: dict[str, str] = {}
    problems = []
    for path in paths:
        resolved = Path(path).parent.resolve() / Path(path).name  # (the file itself may be a link)
        if resolved.parent != entries_dir or resolved.suffix != ".yaml":
            problems.append(Problem(str(path), None, f"not an entry file of {entries_dir}"))
            continue
        try:
            st = resolved.stat()
        except FileNotFoundError:
            gone[f"entries/{resolved.name}"] = str(path)
            continue
        if not S_ISREG(st.st_mode):
            problems.append(Problem(str(path), None, "not a file"))
        else:
            found[f"entries/{resolved.name}"] = (str(resolved), _stat_key(st))
    if problems:
        raise CurationError(problems)
    return found, gone


def _check_gone(gone: dict[str, str], recorded: dict) -> None:
    """A named file that is neither there nor recorded was never an entry file: say so."""
    from glossary.model import CurationError, Problem

    never = [path for name, path in gone.items() if name not in recorded]
    if never:
        raise CurationError([Problem(path, None, "no such entry file (nor one built before)") for path in never])


POOL_MIN_FILES = 2_000  # from this many changed entry files on, they are read by a pool of processes
CHUNK = 500  # entry files per task of the pool (and per step of the progress counter)


def _read_files(
    paths: list[str],
    source_ids: set[str],
    texts: dict[str, str],
    progress,
    lexicon: tuple | None = None,
    writer: _RowWriter | None = None,
) -> list[tuple]:
    """Each entry file read: (sha256, Entry or None, its lines, its problems, own findings, rows).

    Many files are read by a pool of processes, one per core, which also make each entry's own
    checks and its rows (curation.own_findings, _rows_of): parsing and checking are most of a
    full build, and each entry's are independent of the others'. The results come back in order,
    so problems are reported as a serial read reports them. On Ctrl-C (or any error) the workers
    are stopped and the exception goes up to the transaction, which is rolled back.
    `lexicon`: (key, ordinary words) of a lexicon base the build will need (see _lexicon_wanted):
    one worker builds it first, beside the others' reading, rather than the parent after the read.
    `writer`: given the pool's results as they come back (see _RowWriter), while the workers read on."""
    total = len(paths)
    workers = _cores()
    if workers < 2 or total < POOL_MIN_FILES:
        results = []
        for done in range(0, total, CHUNK):
            if progress is not None:
                progress(done, total)
            results += [_read_one(path) for path in paths[done : done + CHUNK]]
        return results
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        _preload()
    context = multiprocessing.get_context(method)
    chunks = [paths[i : i + CHUNK] for i in range(0, total, CHUNK)]
    results = []
    import signal

    # Ctrl-C is the parent's to handle (it stops the workers and rolls back): the workers are forked
    # with it held back, and ignore it before they let it through; one pressed meanwhile waits for
    # the parent.
    block = getattr(signal, "pthread_sigmask", None)
    if block is not None:
        block(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = context.Pool(workers, _start_worker, (source_ids, texts))
    finally:
        if block is not None:
            block(signal.SIG_UNBLOCK, {signal.SIGINT})
    _POOLS.append(pool)  # (stopped when the build ends, whatever happens: _stop_pools)
    base = pool.apply_async(_lexicon_base, (lexicon[1],)) if lexicon is not None else None
    if progress is not None:
        progress(0, total)
    for chunk in pool.imap(_read_chunk, chunks):
        results += chunk if writer is None else writer.write(chunk)
        if progress is not None and len(results) < total:
            progress(len(results), total)
    if base is not None and lexicon is not None:
        _PREBUILT[lexicon[0]] = base.get()
    lexicon_base = _PREBUILT[lexicon[0]][0] if lexicon is not None else None
    if writer is None or not writer.finish(pool, lexicon_base):
        _stop_pools()  # (nothing more for it to do)
    return results


_POOLS: list = []  # the pool of the build under way, kept for the annotator's data (see _RowWriter)


def _stop_pools() -> None:
    while _POOLS:
        _POOLS.pop().terminate()


class _RowWriter:
    """Writes the rows the pool's workers made into an empty entries table as they come back, in
    file order, while the workers read on: the parent is otherwise idle during the read, and writing
    a hundred thousand entries' rows after it took seconds on one core while the other idled. The
    rows are those _apply would write (every entry read is new to an empty table), in the same
    order, so in the same rowids; the search index is built in one pass at the end, as _insert does
    for many rows. Problems found later roll the transaction back with them."""

    def __init__(self, conn):
        self.conn, self.ids, self.whole = conn, set(), False

    def write(self, chunk: list[tuple]) -> list[tuple]:
        """The chunk's rows written; the chunk without them (None: freed now, beside the workers)."""
        rows = [result[5] for result in chunk if result[1] is not None and result[5] is not None]
        if rows and not self.ids:
            self.conn.execute("DROP TRIGGER entries_ai")
            self.whole = _blob(self.conn, "annotator") is None
            if self.whole:  # the annotator's data will be made whole: no form changes to record
                self.conn.execute("DROP TRIGGER forms_changed_ai")
        _insert_rows(self.conn, rows)
        self.ids.update(row["entries"][0][0] for row in rows)
        return [result[:5] + (None,) if result[1] is not None else result for result in chunk]

    def finish(self, pool, lexicon_base: bytes | None) -> set[str]:
        """The ids of the entries written, once their search index is built. `pool`: the workers,
        idle now, which make the annotator's data from the written forms (_annotator_blobs) and,
        with the new `lexicon_base`, the lexicon's trie of them (_lexicon_forms) while the parent
        indexes them for search and checks them across entries."""
        if self.ids:
            rows = self.conn.execute(f"{FORM_ROWS} ORDER BY f.entry_id, f.rowid").fetchall()
            mark = _forms_mark(self.conn)
            _PREBUILT["annotator"] = (mark, pool.apply_async(_annotator_blobs, (rows,)))
            if lexicon_base is not None:
                forms = sorted((r[6], r[0]) for r in rows)  # (rowid, form)
                job = pool.apply_async(_lexicon_forms, (lexicon_base, forms))
                _PREBUILT["lexicon_forms"] = (mark, lexicon_base, job)
            _index_search(self.conn)
            if self.whole:
                self.conn.execute(_schema_statement("CREATE TRIGGER forms_changed_ai "))
        return self.ids


# A lexicon base built by a worker of the pool while the others read (see _read_files), by its key,
# for _refresh_lexicon to take instead of building it.
_PREBUILT: dict[str, tuple] = {}  # (and the annotator's data being made by the pool: _RowWriter.finish)


def _lexicon_key(ordinary: list[str]) -> str:
    """What the lexicon base is made of: the schema, pypinyin's tables and the ordinary words."""
    from glossary import pinyin_tables

    return _digest([SCHEMA_VERSION, pinyin_tables.version(), *ordinary])


def _lexicon_wanted(meta: dict[str, str], ordinary: list[str]) -> tuple[str, list[str]] | None:
    """(key, ordinary words) of the lexicon base this build will build, or None if it has it."""
    key = _lexicon_key(ordinary)
    return None if meta.get("lexicon_base_key") == key else (key, ordinary)


def _lexicon_base(ordinary: list[str]) -> tuple[bytes, int, bytes, bytes, bytes, bytes, bytes]:
    """The lexicon base (segment.build_base_lexicon) and the copy of pypinyin's tables beside it."""
    from glossary import pinyin_tables
    from glossary.segment import build_base_lexicon

    return (*build_base_lexicon(ordinary), pinyin_tables.build())


def _preload() -> None:
    """What every worker loads (pypinyin's tables, CC-CEDICT's readings, OpenCC's), loaded
    once before they are forked: they share it instead of each loading its own (seconds each)."""
    from glossary.chinese import OPENCC_CONFIGS, converter
    from glossary.pinyin import _cedict_readings, use_loaded_tables

    use_loaded_tables()  # (the same answers as pypinyin's own calls, a third of their time)
    _cedict_readings()
    for config in (*OPENCC_CONFIGS, "t2s"):
        converter(config)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _read_one(path: str) -> tuple:
    """One entry file parsed (with its hash and lines), as the parent reads it: checks and rows come later."""
    import hashlib

    from glossary.model import parse_entry

    problems: list = []
    lines: dict = {}
    raw = _read_bytes(path)
    entry = parse_entry(Path(path), problems, lines, raw)
    return hashlib.sha256(raw).hexdigest(), entry, lines, problems, None, None


def _read_bytes(path: str) -> bytes:
    """A file's bytes by the system calls themselves: half the time of open() and its buffered file
    object, for the 100,000 small files of a big build."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


_WORKER: dict = {}  # in a worker process: the context of its entries' own checks


def _start_worker(source_ids: set[str], texts: dict[str, str]) -> None:
    import gc
    import signal

    from glossary.curation import Context

    gc.disable()  # (see _no_cycle_collection: a worker lives for one build)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the pool
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _WORKER["context"] = Context({}, (), source_ids, (), texts, {})


def _read_chunk(paths: list[str]) -> list[tuple]:
    """A worker's task: some entry files read, each entry's own checks made and its rows built."""
    from glossary.curation import own_findings, surface_forms

    read = [_read_one(path) for path in paths]
    _prefetch([r[1] for r in read if r[1] is not None])
    out: list[tuple] = []
    for digest, entry, lines, problems, _, _ in read:
        if entry is None:
            out.append((digest, None, lines, problems, None, None))
        else:
            surface = surface_forms(entry)
            own = own_findings(entry, _WORKER["context"], surface=surface)
            # (the findings as a tuple: a Findings object takes 30 µs to unpickle, its fields 2 µs)
            own_fields = (own.pinyin, own.sources, own.warnings, own.forms)
            out.append((digest, entry, lines, problems, own_fields, _rows_of(entry, surface)))
    return out


def _recorded_files(conn, names: list[str] | None = None) -> dict[str, tuple]:
    """(size, mtime_ns, inode, sha256) of each recorded file, or of those of `names` recorded."""
    sql = "SELECT name, size, mtime_ns, inode, sha256 FROM _files"
    rows = conn.execute(sql) if names is None else _rows_in(conn, f"{sql} WHERE name IN", names)
    return {r[0]: tuple(r[1:]) for r in rows}


def _create_schema(conn) -> None:
    """Drop our tables of an older schema (never another owner's) and create the current ones."""
    for table in OWN_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in _statements(SCHEMA):
        conn.execute(statement)
    _set_meta(conn, {"schema_version": SCHEMA_VERSION})


def _statements(script: str) -> list[str]:
    """SQL statements of a script, kept whole across the `;` inside trigger bodies."""
    out, current = [], ""
    for line in script.strip().splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def _set_meta(conn, values: dict[str, str]) -> None:
    conn.executemany("INSERT OR REPLACE INTO _meta (key, value) VALUES (?, ?)", list(values.items()))


def _check(
    conn, entries, removed_ids, source_ids, ordinary, texts, names, lines, problems, warnings, findings=None, written=()
) -> None:
    """The checks of curation.check_entry for `entries`, against the stored others. `findings`:
    each entry's own checks by id, made where it was read (_read_files), or None. `written`: the ids
    of entries already written into a table that was empty (_RowWriter), none of them stored before."""
    from glossary.curation import Context, check_entry, surface_forms
    from glossary.model import Problem

    findings = findings or {}
    if len(findings) < len(entries):
        _prefetch([e for e in entries if e.id not in findings])
    changed = {e.id for e in entries}
    gone = set(removed_ids) | changed
    owner: dict[str, list[tuple[str, str | None]]] = {}
    stored_total = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    if stored_total > len(_rows_in(conn, "SELECT id FROM entries WHERE id IN", list(gone))):
        # some stored entries stay: the changed ones' forms must not clash with theirs
        forms = [
            form for e in entries for form, _, _ in (findings[e.id].forms if e.id in findings else surface_forms(e))
        ]
        for form, entry_id, region in _rows_in(conn, "SELECT form, entry_id, region FROM forms WHERE form IN", forms):
            if entry_id not in gone:
                owner.setdefault(form, []).append((entry_id, region))
    ids = _EntryIds(conn, changed, set(removed_ids))
    same = _same_readings(conn, [e for e in entries if e.id not in written])
    context = Context(owner, ids, source_ids, set(ordinary), texts, names, same)
    for entry in entries:
        name, at = names.get(entry.id, entry.id), lines.get(entry.id, {})
        check_entry(entry, name, at, context, problems, warnings, findings.get(entry.id))
    if removed_ids:
        for entry_id, rel in _rows_in(
            conn, "SELECT e.id, j.value FROM entries e, json_each(e.data, '$.related') j WHERE j.value IN", removed_ids
        ):
            if entry_id not in gone:
                problems.append(Problem(entry_id, None, f"related id {rel!r} is not an entry (it was removed)"))


class _EntryIds:
    """The ids there will be once the changes are applied, asked one at a time (an entry's related
    ids) rather than read whole: the stored ids, less the removed, with the changed."""

    def __init__(self, conn, changed: set[str], removed: set[str]):
        self.conn, self.changed, self.removed = conn, changed, removed

    def __contains__(self, entry_id: object) -> bool:
        if entry_id in self.changed:
            return True
        if entry_id in self.removed:
            return False
        return self.conn.execute("SELECT 1 FROM entries WHERE id = ?", (entry_id,)).fetchone() is not None


READING_FIELDS = ("zh", "pinyin", "variants", "confirmed_readings")


def _same_readings(conn, entries: list) -> set[str]:
    """The ids of entries whose forms and pinyin are as stored (checked when they were written)."""
    import orjson

    stored = dict(_rows_in(conn, "SELECT id, data FROM entries WHERE id IN", [e.id for e in entries]))
    same = set()
    for entry in entries:
        if entry.id in stored:
            old = orjson.loads(stored[entry.id])
            new = orjson.loads(orjson.dumps(entry))
            if all(old.get(f) == new.get(f) for f in READING_FIELDS):
                same.add(entry.id)
    return same


def _rows_in(conn, sql: str, values: list[str]) -> list[tuple]:
    """`sql` ending in `IN` run over `values` in chunks (SQLite's limit on bound parameters)."""
    rows: list[tuple] = []
    values = list(dict.fromkeys(values))
    for i in range(0, len(values), 500):
        chunk = values[i : i + 500]
        rows += conn.execute(f"{sql} ({','.join('?' * len(chunk))})", chunk).fetchall()
    return rows


# ---------------------------------------------------------------------------------- apply entries


def apply_entries(target, entries: list, removed_ids=(), *, check: bool = True) -> dict:
    """Replace the rows of `entries` (new or changed Entry records) and delete those of `removed_ids`,
    then rebuild the annotator's data (automaton, candidates, the glossary part of the lexicon) from
    the stored forms — no YAML is read. The one door for derived data: `build` uses it for the files
    that changed, editing.py for entries edited in the database.

    `target`: a database path (opened, `BEGIN IMMEDIATE`, committed; rolled back whole on any error)
    or an open sqlite3.Connection already inside the caller's transaction (the caller commits, so an
    edit's revision and its derived rows land together). The database must have been built once.
    `check`: refuse (CurationError, nothing applied) entries whose forms clash with another entry's,
    that name an unknown related id or source, or whose pinyin does not fit (curation.check_entry),
    and removals that leave a related id dangling.
    Returns {"entries", "forms", "quotes", "changed", "removed"} (totals, then this call's counts).
    """
    if isinstance(target, sqlite3.Connection):
        return _apply(target, entries, list(removed_ids), check)
    with _connect(Path(target)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if _meta(conn).get("schema_version") != SCHEMA_VERSION:
                raise StoreError(f"{target} is not a built glossary database of schema {SCHEMA_VERSION}")
            result = _apply(conn, entries, list(removed_ids), check)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return result


def _apply(
    conn,
    entries: list,
    removed_ids: list[str],
    check: bool,
    made: dict | None = None,
    written: frozenset[str] | set[str] = frozenset(),
) -> dict:
    """apply_entries in the caller's transaction. `made`: each entry's rows by id, already made
    where it was read (_read_files), or None. `written`: the ids of those whose rows are already
    written, into a table that was empty (_RowWriter; their rows in `made` are None)."""
    from datetime import UTC, datetime

    from glossary.model import CurationError

    if check:
        problems: list = []
        meta = _meta(conn)
        source_ids = {r[0] for r in conn.execute("SELECT id FROM sources")}
        ordinary = json.loads(meta.get("ordinary_words", "[]"))
        _check(conn, entries, removed_ids, source_ids, ordinary, {}, {}, {}, problems, [])
        if problems:
            raise CurationError(problems)
    stored = dict(
        _rows_in(conn, "SELECT id, hash FROM entries WHERE id IN", [e.id for e in entries if e.id not in written])
    )
    made = made or {}
    fresh = [e for e in entries if e.id not in made and stored.get(e.id) != _entry_hash(e)]
    if fresh:
        _prefetch(fresh)
    made = {**made, **{e.id: _rows_of(e) for e in fresh}}
    rows = [
        made[e.id]
        for e in entries
        if e.id in made and e.id not in written and stored.get(e.id) != made[e.id]["entries"][0][ENTRY_HASH]
    ]
    gone = list(dict.fromkeys([*removed_ids, *(r["entries"][0][0] for r in rows)]))
    if gone or rows or written or _blob(conn, "annotator") is None:  # (an empty glossary still gets its blobs)
        if conn.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None:  # (a first build has none)
            _delete(conn, [entry_id for entry_id in gone if entry_id not in written])
        _insert(conn, rows)
        _refresh_annotator(conn, {*gone, *written})
        now = datetime.now(UTC)
        _set_meta(
            conn,
            {
                "built_at": now.isoformat(timespec="seconds"),
                "version": f"{now.timestamp():.6f}-{os.getpid()}",
                "entries": str(conn.execute("SELECT count(*) FROM entries").fetchone()[0]),
            },
        )

    def count(table: str) -> int:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    return {
        "entries": count("entries"),
        "forms": count("forms"),
        "quotes": count("quotes"),
        "changed": len(rows) + len(written),
        "removed": len([r for r in removed_ids if r not in {e.id for e in entries}]),
    }


def _prefetch(entries: list) -> None:
    """Every script form the entries need, converted in one OpenCC call per configuration."""
    from glossary.chinese import prefetch

    prefetch([form for e in entries for form in (e.zh, e.zh_hant, *(v.form for v in e.variants)) if form])


def _entry_hash(entry) -> str:
    """The content hash of an entry: its JSON (orjson writes the dataclass fields in their order)."""
    import hashlib

    import orjson

    return hashlib.sha256(orjson.dumps(entry)).hexdigest()


def _delete(conn, ids: list[str]) -> None:
    for table, key in [*((t, "entry_id") for t in ENTRY_TABLES), ("readings", "entry_id"), ("cards", "id")]:
        _rows_in(conn, f"DELETE FROM {table} WHERE {key} IN", ids)
    _rows_in(conn, "DELETE FROM entries WHERE id IN", ids)


FTS_REBUILD_MIN = 1_000  # rows into an empty entries table: index them in one go, not row by row


def _insert(conn, rows: list[dict]) -> None:
    """Insert the rows, table by table. Many entries into an empty table (a first or full build) are
    indexed for search in one `rebuild` after they are all in, rather than by the insert trigger row
    by row (five times slower); the index holds the same terms either way."""
    rebuild = len(rows) >= FTS_REBUILD_MIN and conn.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None
    if rebuild:
        conn.execute("DROP TRIGGER entries_ai")
    _insert_rows(conn, rows)
    if rebuild:
        _index_search(conn)


def _insert_rows(conn, rows: list[dict]) -> None:
    for table, columns in TABLE_COLUMNS.items():
        records = [record for row in rows for record in row[table]]
        if records:
            marks = ", ".join("?" * len(columns))
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", records)


def _index_search(conn) -> None:
    """The insert trigger put back, and every entry indexed for search in one pass."""
    conn.execute(_schema_statement("CREATE TRIGGER entries_ai "))
    conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')")


def _schema_statement(start: str) -> str:
    return next(s for s in _statements(SCHEMA) if s.startswith(start))


def _rows_of(entry, surface: list | None = None, kept: dict | None = None) -> dict[str, list[tuple]]:
    """Every row one entry owns: itself, its forms, renderings, quotes, tags, card and readings, each
    a tuple of its table's TABLE_COLUMNS.
    `surface`: its curation.surface_forms, when the caller has them. `kept`: what its stored rows
    already hold of its forms and readings, when those are unchanged (see _kept_forms)."""
    import orjson

    from glossary.annotate import entry_card
    from glossary.chinese import matching_form
    from glossary.pinyin import pinyin_forms

    row = _entry_row(entry, kept)
    forms = kept["forms"] if kept else _form_rows(entry, surface)
    numbered = kept["numbered"] if kept else {}
    quotes = [{"entry_id": entry.id, "position": i, **_fields(q)} for i, q in enumerate(entry.quotes)]
    first = {k: quotes[0][k] for k in ("source", "text", "zh", "cites")} if quotes else None
    card = entry_card({**row, "zh_attested": bool(row["zh_attested"])}, first)
    readings = {}
    for f in forms:
        if f["pinyin"] != card["pinyin"] or f["en"]:
            key = f"{entry.id}|{matching_form(f['form'])}"
            reading = {
                "pinyin": f["pinyin"],
                "pinyin_numbered": numbered[key]
                if key in numbered
                else pinyin_forms(f["form"], f["pinyin"])["numbered"],
                "en": f["en"] or card["en"],
                "form": f["form"],
            }
            readings[key] = reading
    tables = {
        "entries": [row],
        "forms": forms,
        "renderings": [
            {"entry_id": entry.id, "position": i, **_fields(r)} for i, r in enumerate(entry.all_renderings())
        ],
        "quotes": quotes,
        "tags": [{"entry_id": entry.id, "tag": t} for t in dict.fromkeys(entry.tags)],
        "cards": [{"id": entry.id, "data": orjson.dumps(card).decode()}],
        "readings": [{"key": k, "entry_id": entry.id, "data": orjson.dumps(v).decode()} for k, v in readings.items()],
    }
    return {t: [tuple(map(r.__getitem__, TABLE_COLUMNS[t])) for r in records] for t, records in tables.items()}


# What an entry's forms and readings are made of (with its characters' script forms, which only
# change with OpenCC, a dependency whose new version gives a new schema): entries equal in these have
# the same form rows, pinyin columns and readings' tone numbers.
FORM_FIELDS = ("zh", "zh_hant", "kind", "region", "pinyin", "variants", "confirmed_readings")


def _kept_forms(conn, entries: list, source_ids: set[str], texts: dict[str, str]) -> dict[str, tuple]:
    """For each of `entries` whose forms and readings are those stored (an edit of its English,
    notes, quotes or tags): its own findings and its rows, made from its stored rows rather than
    anew — which would load OpenCC and pypinyin (about half a second) for rows the database holds."""
    import orjson

    from glossary.curation import Context, own_findings

    stored = {
        r[0]: r[1:]
        for r in _rows_in(
            conn,
            "SELECT id, data, zh_hant, pinyin_plain, pinyin_syllables, pinyin_numbered, pinyin_key"
            " FROM entries WHERE id IN",
            [e.id for e in entries],
        )
    }
    same = []
    for entry in entries:
        if entry.id in stored:
            old, new = orjson.loads(stored[entry.id][0]), orjson.loads(orjson.dumps(entry))
            if all(old.get(f) == new.get(f) for f in FORM_FIELDS):
                same.append(entry)
    if not same:
        return {}
    ids = [e.id for e in same]
    columns = ("form", "entry_id", "origin", "note", "region", "pinyin", "en")
    forms: dict[str, list[dict]] = {}
    in_order = sorted(
        _rows_in(conn, f"SELECT {', '.join(columns)}, rowid FROM forms WHERE entry_id IN", ids), key=lambda r: r[-1]
    )
    for row in in_order:
        forms.setdefault(row[1], []).append(dict(zip(columns, row[:-1], strict=True)))
    numbered: dict[str, dict[str, str]] = {}
    for key, entry_id, data in _rows_in(conn, "SELECT key, entry_id, data FROM readings WHERE entry_id IN", ids):
        numbered.setdefault(entry_id, {})[key] = orjson.loads(data)["pinyin_numbered"]
    context = Context({}, (), source_ids, (), texts, {})
    out = {}
    for entry in same:
        zh_hant, plain, syllables, numbered_words, key = stored[entry.id][1:]
        entry_forms = forms.get(entry.id, [])
        kept = {
            "pinyin": {"plain": plain, "syllables": syllables, "numbered": numbered_words, "key": key},
            "zh_hant": zh_hant,
            "forms": entry_forms,
            "numbered": numbered.get(entry.id, {}),
        }
        own = own_findings(entry, context, pinyin=False, surface=[])
        own.forms = [(f["form"], f["origin"], f["region"]) for f in entry_forms]
        out[entry.id] = (own, _rows_of(entry, kept=kept))
    return out


def _fields(record) -> dict:
    """A flat record's fields (Rendering, Quote: text and numbers only), as to_dict gives them without
    dataclasses.asdict's deep copy (a tenth of a build's row-making)."""
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _entry_row(entry, kept: dict | None = None) -> dict:
    import hashlib

    import orjson

    from glossary.pinyin import pinyin_forms

    py = kept["pinyin"] if kept else pinyin_forms(entry.zh, entry.pinyin)
    data = orjson.dumps(entry)
    return {
        "id": entry.id,
        "zh": entry.zh,
        "zh_hant": kept["zh_hant"] if kept else entry.zh_hant or _hant(entry),
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
        "data": data.decode(),
        "hash": hashlib.sha256(data).hexdigest(),
    }


def _form_rows(entry, surface: list | None = None) -> list[dict]:
    """Each surface form with where it came from, its region, and its own reading: a variant's pinyin
    (and rendering, when it names something narrower) or, for generated Taiwan wording, the reading of
    its own characters (人工智慧 réngōng zhìhuì)."""
    from glossary.curation import form_region, surface_forms
    from glossary.pinyin import reading_of_form

    rows = []
    for form, origin, note in surface_forms(entry) if surface is None else surface:
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


def _hant(entry) -> str:
    from glossary.chinese import to_traditional

    return to_traditional(entry.zh)


# ------------------------------------------------------------------------------ annotator's data


# How many forms the delta of the annotator's data (glossary.formindex) may hold, as a fraction of
# the base, before the next change rebuilds the base: the delta is read whole at every start.
DELTA_SHARE = 64
DELTA_MIN = 256

FORM_ROWS = (
    "SELECT f.form, f.entry_id, f.origin, f.region, e.ambiguous, e.ordinary_dominates, f.rowid "
    "FROM forms f JOIN entries e ON e.id = f.entry_id"
)


def _refresh_annotator(conn, touched: set[str] | None = None) -> None:
    """What the annotator loads, brought in step with the stored forms: each form's candidates in a
    base (a trie of the forms with their candidates, glossary.formindex) and a delta of the forms
    changed since, and the lexicon's glossary part. The forms rows written or deleted since the last
    refresh are in `_form_changes` (triggers record them), so an edit of one entry recomputes the
    candidates of its few forms; a big change, or a delta grown past DELTA_SHARE, rebuilds the base.
    `touched`: the entries whose rows were deleted or written since the last refresh (see _reading_index)."""
    import orjson

    from glossary.annotate import AUTOMATON_BLOB
    from glossary.formindex import FormIndex

    stored = _blob(conn, "annotator")
    last = orjson.loads(stored) if stored else None
    base = _blob(conn, "annotator_base")
    index = FormIndex(base, last["delta"]) if last and base else None
    room = max(DELTA_MIN, len(index) // DELTA_SHARE) if index is not None else 0
    changes = conn.execute("SELECT form, entry_id FROM _form_changes LIMIT ?", (room + 1,)).fetchall()
    conn.execute("DELETE FROM _form_changes")
    affected, delta = None, {}
    if index is not None and len(changes) <= room:
        affected = _changed_candidates(conn, index, changes)
        delta = dict(index.delta)
        for form, candidates in affected.items():
            if candidates == index.base_get(form):
                delta.pop(form, None)  # as in the base again (an edit that changed no form)
            else:
                delta[form] = candidates
    checked = last and last.get("automaton")  # the token of the base and automaton the last refresh left
    if affected is None or len(delta) > room:
        delta, checked = {}, None
        base, automaton = _annotator_base(conn)
        _set_blob(conn, "annotator_base", base)
        _set_blob(conn, AUTOMATON_BLOB, automaton)
    traditional = _blob(conn, "traditional")
    if traditional is None:
        traditional = _traditional_chars().encode()
        _set_blob(conn, "traditional", traditional)
    blob = {
        "delta": delta,
        "automaton": _automaton_token(conn, base, index, delta, checked),
        **_reading_index(conn, last, touched),
        "traditional": traditional.decode(),
    }
    _set_blob(conn, "annotator", orjson.dumps(blob))
    changed = None if affected is None else {f: bool(c) for f, c in affected.items()}
    _refresh_lexicon(conn, changed, {entry_id for _, entry_id in changes})


READINGS_REREAD_MAX = 500  # entries touched: up to this many, only their readings are read again


def _reading_index(conn, last: dict | None, touched: set[str] | None) -> dict[str, list[str]]:
    """The keys ("<id>|<form>") and entry ids of the stored readings, in order: the last refresh's with
    those of the `touched` entries read again when they are few (not every reading: a one-entry edit),
    else all of them. (Python's order of str is SQLite's of UTF-8 text: by code point.)"""
    if last is None or touched is None or len(touched) > READINGS_REREAD_MAX:
        return {
            "reading_keys": [r[0] for r in conn.execute("SELECT key FROM readings ORDER BY key")],
            "reading_ids": [r[0] for r in conn.execute("SELECT DISTINCT entry_id FROM readings ORDER BY entry_id")],
        }
    rows = _rows_in(conn, "SELECT key, entry_id FROM readings WHERE entry_id IN", list(touched))
    keys = [key for key in last["reading_keys"] if key.partition("|")[0] not in touched]  # (ids are slugs)
    ids = [entry_id for entry_id in last["reading_ids"] if entry_id not in touched]
    return {
        "reading_keys": sorted(keys + [key for key, _ in rows]),
        "reading_ids": sorted(ids + list({entry_id for _, entry_id in rows})),
    }


def _automaton_of(base: bytes) -> bytes:
    """The long-text automaton over the base's forms, stored beside it (see annotate.automaton_blob)."""
    from glossary.annotate import automaton_blob
    from glossary.formindex import FormIndex

    return automaton_blob(FormIndex(base).forms(), base)[1]


def _automaton_token(conn, base: bytes | None, index, delta: dict, checked: str | None = None) -> str | None:
    """The stored automaton's token, while it is the automaton of the stored base (`base`) and numbers
    the forms as the annotator will: none of the delta's forms is new to the base or gone from it (a
    changed entry of an existing form is fine). `checked`: the token the last refresh found, when
    neither the base nor the automaton was written since (then they still agree: not read again)."""
    from glossary.annotate import AUTOMATON_BLOB, base_digest

    if base is None or delta and not all(candidates and index.base_get(form) for form, candidates in delta.items()):
        return None
    if checked:
        return checked
    row = conn.execute("SELECT substr(data, 1, 200) FROM _blobs WHERE name = ?", (AUTOMATON_BLOB,)).fetchone()
    token = bytes(row[0]).partition(b"\n")[0].decode() if row else ""
    return token if token.partition(":")[0] == base_digest(base) else None


def _candidate(rows) -> Iterator[tuple[str, list]]:
    """(matching form, [entry id, how it reads, region]) of FORM_ROWS."""
    from glossary.annotate import AMBIGUOUS, ORDINARY, SPECIFIC
    from glossary.chinese import matching_form

    for form, entry_id, origin, region, ambiguous, dominates, _ in rows:
        if not ambiguous or origin.startswith("variant"):  # variants are specific (浪潮集团)
            reads = SPECIFIC
        else:
            reads = ORDINARY if dominates else AMBIGUOUS
        yield matching_form(form), [entry_id, reads, region]


def _annotator_base(conn) -> tuple[bytes, bytes]:
    """The base of every stored form (candidates in entry id, then form row order) and its
    automaton: made by the pool from the same rows (_RowWriter.finish) while the forms are as then."""
    prebuilt = _PREBUILT.pop("annotator", None)
    if prebuilt is not None and prebuilt[0] == _forms_mark(conn):
        return prebuilt[1].get()
    return _annotator_blobs(conn.execute(f"{FORM_ROWS} ORDER BY f.entry_id, f.rowid"))


def _forms_mark(conn) -> tuple:
    """The forms rows' count and last rowid: the same while no form row was written or deleted."""
    return tuple(conn.execute("SELECT count(*), max(rowid) FROM forms").fetchone())


def _annotator_blobs(rows) -> tuple[bytes, bytes]:
    """The annotator's base of these FORM_ROWS (glossary.formindex) and its automaton."""
    from glossary.formindex import pack

    candidates: dict[str, list] = {}
    for form, candidate in _candidate(rows):
        candidates.setdefault(form, []).append(candidate)
    base = pack(candidates)
    return base, _automaton_of(base)


def _changed_candidates(conn, index, changes: list[tuple[str, str]]) -> dict[str, list]:
    """The new candidates of every form whose rows changed: its candidates of the entries left as they
    were, and those of the changed entries' rows now stored, in the order a whole rebuild gives."""
    from glossary.chinese import matching_form

    entries = {entry_id for _, entry_id in changes}
    forms = {matching_form(form) for form, _ in changes}
    rows = sorted(_rows_in(conn, f"{FORM_ROWS} WHERE f.entry_id IN", list(entries)), key=lambda r: (r[1], r[6]))
    fresh: dict[str, list] = {}
    for form, candidate in _candidate(rows):
        fresh.setdefault(form, []).append(candidate)
    out = {}
    for form in forms:
        kept = [c for c in index.get(form) if c[0] not in entries]
        out[form] = sorted(kept + fresh.get(form, []), key=lambda c: c[0])  # stable: rows keep their order
    return out


def _refresh_lexicon(conn, changed: dict[str, bool] | None = None, entry_ids: Collection[str] = ()) -> None:
    """The lexicon's base (jieba's words and the ordinary words: seconds, so built only when those
    change) and the trie of the glossary forms it lacks (each form's membership is found once, when
    its entry is written). `changed`: the forms whose rows changed, each with whether any entry still
    has it; only when one of them enters or leaves the trie is the trie rebuilt (None: rebuild it).
    `entry_ids`: with `changed`, the entries of those rows (the only ones written since the last refresh,
    so the only ones whose membership is not known yet)."""
    import marisa_trie

    from glossary.chinese import matching_form
    from glossary.segment import forms_pairs_blob

    meta = _meta(conn)
    ordinary = json.loads(meta.get("ordinary_words", "[]"))
    base_key = _lexicon_key(ordinary)
    base = _blob(conn, "lexicon_base")
    parts = ("lexicon_base_words", "lexicon_base_keys", "lexicon_base_freqs", "lexicon_base_pairs")
    stored_parts = conn.execute(f"SELECT count(*) FROM _blobs WHERE name IN {parts}").fetchone()[0]
    if meta.get("lexicon_base_key") != base_key or base is None or stored_parts < len(parts):
        prebuilt = _PREBUILT.pop(base_key, None) or _lexicon_base(ordinary)
        base, base_total, words, keys, freqs, pairs, readings = prebuilt  # words: its table (glossary.wordtable)
        _set_blob(conn, "lexicon_base", base)
        _set_blob(conn, "lexicon_base_words", words)
        _set_blob(conn, "lexicon_base_keys", keys)  # the same words, a plain trie (see segment.Lexicon)
        _set_blob(conn, "lexicon_base_freqs", freqs)
        _set_blob(conn, "lexicon_base_pairs", pairs)  # the pairs of characters inside its words
        _set_blob(conn, "lexicon_readings", readings)  # pypinyin's tables, for glossary.reading
        _set_meta(conn, {"lexicon_base_key": base_key, "lexicon_base_total": str(base_total)})
        conn.execute("UPDATE forms SET in_base = NULL")
        made = _PREBUILT.pop("lexicon_forms", None)
        if made is not None and made[:2] == (_forms_mark(conn), base):  # every form's, by the pool
            membership, forms_trie, forms_pairs, count = made[2].get()
            conn.executemany("UPDATE forms SET in_base = ? WHERE rowid = ?", membership)
            _store_lexicon_forms(conn, forms_trie, forms_pairs, count)
            return
        changed = None
    known = marisa_trie.RecordTrie("<I")
    known.frombytes(base)
    if changed is not None:  # (not a scan of every form row)
        unknown = _rows_in(conn, "SELECT rowid, form FROM forms WHERE in_base IS NULL AND entry_id IN", list(entry_ids))
    else:
        unknown = conn.execute("SELECT rowid, form FROM forms WHERE in_base IS NULL").fetchall()
    membership = [(matching_form(form) in known, rowid) for rowid, form in unknown]
    conn.executemany("UPDATE forms SET in_base = ? WHERE rowid = ?", membership)
    stored = _blob(conn, "lexicon_forms")
    if changed is not None and stored is not None:
        old = marisa_trie.Trie()
        old.frombytes(stored)
        moved = {form: present and form not in known for form, present in changed.items()}
        moved = {form: wanted for form, wanted in moved.items() if wanted != (form in old)}
        if not moved:
            return
        new = {*(f for f in old if moved.get(f, True)), *(f for f, wanted in moved.items() if wanted)}
    else:
        new = {matching_form(r[0]) for r in conn.execute("SELECT form FROM forms WHERE in_base = 0")}
    forms_trie = marisa_trie.Trie(list(new)).tobytes()
    _store_lexicon_forms(conn, forms_trie, forms_pairs_blob(forms_trie, new), len(new))


def _store_lexicon_forms(conn, forms_trie: bytes, forms_pairs: bytes, count: int) -> None:
    from glossary.segment import GLOSSARY_FREQ

    _set_blob(conn, "lexicon_forms", forms_trie)
    _set_blob(conn, "lexicon_forms_pairs", forms_pairs)  # see segment.Lexicon.crossed
    total = int(_meta(conn)["lexicon_base_total"]) + GLOSSARY_FREQ * count
    _set_meta(conn, {"lexicon_total": str(total)})


def _lexicon_forms(base: bytes, forms: list[tuple[int, str]]) -> tuple[list, bytes, bytes, int]:
    """Of every (rowid, form) row, as _refresh_lexicon makes them from a new lexicon `base`: each
    row's membership of the base, the trie of the glossary forms it lacks, their pairs, how many."""
    import marisa_trie

    from glossary.chinese import matching_form
    from glossary.segment import forms_pairs_blob

    known = marisa_trie.RecordTrie("<I")
    known.frombytes(base)
    matching = [(rowid, matching_form(form)) for rowid, form in forms]
    membership = [(form in known, rowid) for rowid, form in matching]
    new = {form for (member, _), (_, form) in zip(membership, matching, strict=True) if not member}
    forms_trie = marisa_trie.Trie(list(new)).tobytes()
    return membership, forms_trie, forms_pairs_blob(forms_trie, new), len(new)


def _blob(conn, name: str) -> bytes | None:
    row = conn.execute("SELECT data FROM _blobs WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def _set_blob(conn, name: str, data: bytes) -> None:
    conn.execute("INSERT OR REPLACE INTO _blobs (name, data) VALUES (?, ?)", (name, data))


def _digest(parts: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _traditional_chars() -> str:
    """The characters OpenCC simplifies: how the annotator tells a traditional text without loading OpenCC."""
    from glossary.chinese import to_simplified

    chars = "".join(map(chr, range(0x4E00, 0xA000)))
    return "".join(a for a, b in zip(chars, to_simplified(chars), strict=True) if a != b)


# --------------------------------------------------------------------------------- housekeeping


LEGACY_TEMP_AGE = 3600  # seconds: temp files named without a pid count as stale after an hour


def remove_stale_temp_files(db_path: Path) -> None:
    """Remove what killed builds of earlier versions left beside the database (a whole temporary
    database each), and killed lexicon-cache writes: only files of our own name patterns, named with
    the pid of a process that is gone. Files of earlier versions, named without a pid, go once an hour old."""
    import re

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


def _remove_stale_lexicon_files(db_path: Path) -> None:
    """Lexicon caches (see Store.lexicon_file) of base lexicons this database no longer has, and copies
    of pypinyin's tables for the pinyin check (_check_tables_path) made from another pypinyin."""
    try:
        with Store(db_path) as store:
            bases = (
                "lexicon_base",
                "lexicon_base_words",
                "lexicon_base_keys",
                "lexicon_base_freqs",
                "lexicon_base_pairs",
            )
            current = {store.lexicon_file(blob, write=False) for blob in (*bases, "lexicon_readings")}
    except StoreError:
        return
    for stale in db_path.parent.glob(f".{db_path.name}.*.lexicon"):
        if stale not in current:
            stale.unlink(missing_ok=True)
    current_tables = _check_tables_path(db_path)
    for stale in db_path.parent.glob(f".{db_path.name}.*.pinyin"):
        if stale != current_tables:
            stale.unlink(missing_ok=True)


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


# ----------------------------------------------------------------------------------- staleness


def needs_build(db_path: str | Path, compare_big: bool = True) -> bool | None:
    """Missing, from another schema, or behind the curated sources it was built from. Cheap: the
    folder's stamp is compared with the recorded one and, for a folder of at most SMALL_FOLDER
    files, the newest status change of its files with the newest one seen when the database was
    last found in step (see _newest_change: a stat of each file, nothing read from the database);
    only when that moved are the files' stats compared one by one. A file whose stat changed but
    whose content did not (touched, checked out again) has its new stat recorded, so the next
    command does not look again. `compare_big=False`: None (not known) where a big folder's files
    would have to be compared — the check started at launch (prefetch.py) leaves that to the
    command, whose build then reuses what the comparison found (_SCANS) instead of doing it again."""
    from glossary.editdb import has_editing

    db_path = Path(db_path)
    if not db_path.is_file():
        return True
    if has_editing(db_path):
        return False  # a team server's database holds edits: only `glossary build` syncs it (editing.py)
    try:
        with Store(db_path) as store:
            meta = store.meta
            if meta.get("schema_version") != SCHEMA_VERSION:
                return True
            entries_dir, sources_file = Path(meta.get("entries_dir", "")), Path(meta.get("sources_file", ""))
            if not entries_dir.is_dir() or not sources_file.is_file():
                return False  # built elsewhere (e.g. shipped alone): use it as it is
            stamp = _folder_stamp(entries_dir, sources_file)
            stamp_same = stamp == meta.get("folder_stamp")
            big = int(meta.get("files", 0)) > SMALL_FOLDER
            if stamp_same and big:
                return False
            if big and not compare_big:
                return None
            mark = _mark(meta.get("newest_change"), entries_dir)
            if big and mark is not None:
                return _changed_since_mark(store, db_path, entries_dir, sources_file, meta["newest_change"], stamp)
            newest = None if big else _newest_change(entries_dir)
            if stamp_same and newest is not None and mark is not None and newest[0] == mark[0] and newest[1] <= mark[1]:
                return False  # no entry file added, removed or changed since the check that was in step
            recorded = {
                r[0]: (r[1], r[2], r[3], r[4])
                for r in store.query("SELECT name, size, mtime_ns, inode, sha256 FROM _files")
            }
    except StoreError:
        return False  # not ours: never overwrite it behind the user's back
    files = scan_files(entries_dir, sources_file, recorded if big else None)
    if files.keys() != recorded.keys():
        return True
    touched = {n: f for n, f in files.items() if recorded[n][:3] != f[1]}
    if any(_sha256(files[n][0]) != recorded[n][3] for n in touched):
        return True
    new_mark = _newest_change_mark(entries_dir, newest)  # taken before the files were compared: never too new
    if touched or not stamp_same or (new_mark is not None and new_mark != meta.get("newest_change")):
        _record_stats(db_path, {n: files[n][1] for n in touched}, stamp, new_mark)
    return False


# What needs_build found of a big folder's changed files, by database, for the build that follows it
# in the same process (ensure_built): the stat of every file is not taken twice. The build uses it only
# if the mark it was found from is still the recorded one.
_SCANS: dict[str, tuple] = {}


def _changed_since_mark(
    store: Store, db_path: Path, entries_dir: Path, sources_file: Path, recorded_mark: str, stamp: str
) -> bool:
    """needs_build of a big folder whose stamp moved (a file added, removed or replaced, or an
    editor's swap file come and gone), since a build or check that recorded a mark: only the files
    whose status changed since are compared, with their own recorded rows (see _sync)."""
    mark = _mark(recorded_mark, entries_dir)
    assert mark is not None
    started = time.time_ns()
    newest, files = _changed_since(entries_dir, mark[1])
    files.update(_curated_stats(sources_file))
    names = [*files, "ordinary_words.txt"]
    recorded = {
        r[0]: tuple(r[1:])
        for i in range(0, len(names), 500)
        for r in store.query(
            "SELECT name, size, mtime_ns, inode, sha256 FROM _files WHERE name IN "
            f"({','.join('?' * len(names[i : i + 500]))})",
            names[i : i + 500],
        )
    }
    _SCANS[str(db_path)] = (recorded_mark, started, stamp, newest, files)
    if recorded.keys() != files.keys() or newest[0] != mark[0]:
        return True  # a file added or removed
    touched = {n: f for n, f in files.items() if recorded[n][:3] != f[1]}
    if any(_sha256(files[n][0]) != recorded[n][3] for n in touched):
        return True
    del _SCANS[str(db_path)]
    _record_stats(db_path, {n: files[n][1] for n in touched}, stamp, _build_mark(entries_dir, newest, started))
    return False


# A file changed within this many nanoseconds of the newest change a check saw could share its
# timestamp (file times advance by clock ticks): such a check records no mark, the next one looks again.
RACY_NS = 2 * 10**9


def _newest_change(entries_dir: Path) -> tuple[int, int] | None:
    """How many entry files there are and the newest status change (st_ctime_ns) among them, or
    None where ctime is not the time of the last change (see CHANGE_TIME). An entry file rewritten in
    place since a check (an editor saving into the same inode, which leaves the folder's own stat as
    it was) has a ctime past the newest that check saw."""
    if not CHANGE_TIME:
        return None
    return _changed_since(entries_dir, sys.maxsize)[0]  # the same stat of each file; none changed after that


def _newest_change_mark(entries_dir: Path, newest: tuple[int, int] | None) -> str | None:
    """What to record of a check that found the database in step: the folder, its number of entry
    files and their newest change, unless that change is so recent that a later one could share its
    timestamp (then None: the next check compares the files again)."""

    if newest is None or newest[1] > time.time_ns() - RACY_NS:
        return None
    return json.dumps([str(entries_dir), *newest])


def _build_mark(entries_dir: Path, newest: tuple[int, int] | None, started: int) -> str:
    """The mark a build records: every entry file whose status changed at or before it has its stat
    recorded. Not later than RACY_NS before the build began, so that a file changed after its stat
    was taken has a later ctime even on a coarse clock: the few files changed just before a build
    (the edit it was run for) are compared again by the next one, the others are not."""
    if newest is None:
        return ""
    return json.dumps([str(entries_dir), newest[0], min(newest[1], started - RACY_NS)])


def _mark(recorded: str | None, entries_dir: Path) -> tuple[int, int] | None:
    """(number of entry files, newest change) of the last check that found the database in step
    with this folder, if one recorded it."""
    if not recorded:
        return None
    folder, count, newest = json.loads(recorded)
    return (count, newest) if folder == str(entries_dir) else None


def _record_stats(db_path: Path, stats: dict[str, tuple[int, int, int]], stamp: str, mark: str | None = None) -> None:
    """Record the new stat of files whose content is unchanged, the folder's stamp and the mark of
    this check (best effort: a read-only database or a busy one is left as it is, and the files are
    compared again next time)."""
    try:
        with _connect(db_path) as conn:
            conn.execute("PRAGMA busy_timeout = 100")
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "UPDATE _files SET size = ?, mtime_ns = ?, inode = ? WHERE name = ?",
                [(*stat, name) for name, stat in stats.items()],
            )
            _set_meta(conn, {"folder_stamp": stamp, "newest_change": mark or ""})
            conn.execute("COMMIT")
    except (sqlite3.Error, StoreError, OSError):
        pass


def ensure_built(db_path: str | Path, stale: bool = False) -> None:
    """Build (or bring up to date from the sources it names) a missing or stale database.
    `stale`: the caller has just found it so (needs_build), which is not asked again."""
    db_path = Path(db_path)
    if not stale and not needs_build(db_path):
        return
    entries_dir = sources_file = None
    big = False
    if db_path.is_file():
        try:
            with Store(db_path) as store:
                meta = store.meta
            entries_dir, sources_file = meta.get("entries_dir"), meta.get("sources_file")
            big = int(meta.get("files", 0)) > SMALL_FOLDER
        except StoreError:
            pass
    scanned = _SCANS.pop(str(db_path), None)
    build(db_path, entries_dir and Path(entries_dir), sources_file and Path(sources_file), quick=big, scanned=scanned)
