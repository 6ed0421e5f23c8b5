"""A corpus of dated documents beside the glossary, and the occurrences the annotator finds in them.

The tables live in the glossary's own SQLite file (prefix `corpus_`), so one file holds the terms and
the evidence of their use; timelines and concordances are then plain queries (see timeline.py).

Annotating a document is a pure function of (glossary, text), so `add` maps it over worker processes
and writes the results in the main process, one transaction per batch: a document is stored whole with
its occurrences or not at all, and an interrupted run leaves every earlier batch in place.

Incremental re-annotation. Each entry's matching behaviour is summed up by a fingerprint of what the
matcher sees of it (its surface forms, region and ambiguity), stored in `corpus_entries` together with
the forms themselves at the time the corpus was annotated. When the glossary changes, `update` compares
fingerprints: only the entries that were added, removed or changed matter, and only the documents that
contain one of their old or new forms (found by one Aho-Corasick scan over the stored texts) can have
different spans, since a form that is not in a document can neither match there nor change how the
words around another match are cut. Those documents are re-annotated whole (their spans depend on each
other through overlaps); all the others keep their occurrences. A change of the matcher itself (the
schema version) re-annotates everything, as does `update --all` (e.g. after editing ordinary_words.txt).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

CORPUS_FORMAT = "1"  # bump when what is stored per occurrence changes: everything is re-annotated
BATCH = 50  # documents per transaction
SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml"}
# A folder's own notes are not documents of the corpus (a README saying where the files come from).
NOT_DOCUMENTS = {"readme", "license", "licence", "changelog", "notice", "copying"}


def documents_in(folder: Path) -> list[Path]:
    """The text, Markdown and HTML files under a folder, without hidden files and the folder's notes
    (README.md, LICENSE.txt …); a file named on its own is always taken."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and p.stem.lower() not in NOT_DOCUMENTS
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


WHITESPACE = re.compile(r"\s+")
DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(\d\d)[-_.]?(\d\d)(?!\d)")

SCHEMA = """
CREATE TABLE IF NOT EXISTS corpus_documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    date TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT,
    chars INTEGER NOT NULL,
    text TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corpus_documents_size ON corpus_documents(date, source, chars);  -- covers sizes per period
CREATE TABLE IF NOT EXISTS corpus_occurrences (
    document_id INTEGER NOT NULL REFERENCES corpus_documents(id) ON DELETE CASCADE,
    entry_id TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    nested INTEGER NOT NULL,
    ambiguous INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS corpus_occurrences_entry ON corpus_occurrences(entry_id, document_id);
CREATE INDEX IF NOT EXISTS corpus_occurrences_document ON corpus_occurrences(document_id);
CREATE TABLE IF NOT EXISTS corpus_entries (entry_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, forms TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS corpus_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class CorpusError(Exception):
    """Input the corpus cannot take (a file without a date, a bad manifest line); one line to show."""


@dataclass(frozen=True)
class Spec:
    """A file to add and what is known about it before it is read."""

    path: str
    date: str
    source: str
    title: str | None = None
    url: str | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class Annotated:
    """The result of annotating one document: what the worker hands back to be written."""

    spec: Spec
    sha256: str
    title: str
    text: str
    chars: int  # see count_chars
    occurrences: tuple[tuple[str, int, int, int, int], ...]  # entry, start, end, nested, ambiguous


@dataclass
class AddReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"added": self.added, "replaced": self.replaced, "unchanged": self.unchanged, "failed": self.failed}


# ---------------------------------------------------------------- reading files


def parse_date(value: str, where: str = "date") -> str:
    """An ISO date (YYYY-MM-DD or YYYYMMDD), checked to exist."""
    match = re.fullmatch(r"(\d{4})-?(\d\d)-?(\d\d)", value.strip())
    try:
        if not match:
            raise ValueError
        return Date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        raise CorpusError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def date_from_path(path: Path) -> str | None:
    """The date a file's name carries (20251028.md, 2025-10-28-readout.html), else its folder's."""
    for part in (path.name, *reversed(path.parent.parts[-2:])):
        for match in DATE_IN_NAME.finditer(part):
            try:
                return Date(int(match[1]), int(match[2]), int(match[3])).isoformat()
            except ValueError:
                continue
    return None


def collect(
    paths: Iterable[str | Path],
    *,
    date: str | None = None,
    source: str | None = None,
    title: str | None = None,
    encoding: str | None = None,
) -> list[Spec]:
    """The files to add: each path a file or a folder (searched for text, Markdown and HTML files).
    The date is `date`, else taken from the file name; the source label is `source`, else the folder."""
    specs = []
    for given in paths:
        root = Path(given)
        if root.is_dir():
            files = documents_in(root)
        elif root.is_file():
            files = [root]
        else:
            raise CorpusError(f"no such file or folder: {given}")
        for file in files:
            when = parse_date(date) if date else date_from_path(file)
            if when is None:
                raise CorpusError(f"{file}: no date in its name; give --date or a --manifest")
            label = source or file.resolve().parent.name or "corpus"
            specs.append(Spec(str(file.resolve()), when, label, title, None, encoding))
    return specs


def read_manifest(manifest: str | Path, source: str | None = None, encoding: str | None = None) -> list[Spec]:
    """A JSON Lines manifest: one object per line with `path` (relative to the manifest) and `date`,
    optionally `title`, `source`, `url`."""
    manifest = Path(manifest)
    try:
        lines = manifest.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot read manifest {manifest}: {exc}") from None
    specs = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{manifest}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or "date" not in item:
            raise CorpusError(f'{where}: needs at least "path" and "date"')
        path = (manifest.parent / item["path"]).resolve()
        if not path.is_file():
            raise CorpusError(f"{where}: no such file: {item['path']}")
        specs.append(
            Spec(
                str(path),
                parse_date(str(item["date"]), where),
                str(item.get("source") or source or path.parent.name),
                item.get("title"),
                item.get("url"),
                encoding,
            )
        )
    return specs


def file_hash(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


MARKDOWN_MARKS = re.compile(r"^(?:#{1,6}\s+|>\s?|[-*+]\s+)|\*\*|__", re.M)


def document_text(data: bytes, spec: Spec) -> tuple[str, str]:
    """The text of a file and its title (the manifest's, else a heading, else the first line)."""
    from glossary.formats.documents import DocumentError, decode, html_text, kind_of

    name = Path(spec.path).name
    try:
        raw, _ = decode(data, spec.encoding, name)
    except DocumentError as exc:
        raise CorpusError(str(exc)) from None
    heading = None
    if kind_of(data, name) == "html":
        match = re.search(r"<title[^>]*>(.*?)</title>|<h1[^>]*>(.*?)</h1>", raw, re.S | re.I)
        if match:
            heading = html_text(match.group(1) or match.group(2) or "")
        text = html_text(raw)
    elif name.lower().endswith((".md", ".markdown")):
        match = re.search(r"^#\s+(.+)$", raw, re.M)
        heading = match.group(1).strip() if match else None
        text = MARKDOWN_MARKS.sub("", raw)
    else:
        text = raw
    text = text.replace("\r\n", "\n")
    first = next((line.strip() for line in text.splitlines() if line.strip()), name)
    return text, (spec.title or heading or first[:80]).strip()


def count_chars(text: str) -> int:
    """What a period's size is measured in: characters other than whitespace (line breaks and the
    indentation of HTML or Markdown say nothing about how much was written)."""
    return len(text) - sum(len(run) for run in WHITESPACE.findall(text))


# ---------------------------------------------------------------- annotating (in worker processes)

_worker_glossary = None


def _init_worker(db_path: str) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    global _worker_glossary
    from glossary import Glossary

    _worker_glossary = Glossary.open(db_path, build=False)


def occurrences(glossary, text: str) -> tuple[tuple[str, int, int, int, int], ...]:
    """Every span in the text, nested ones too (生产力 inside 新质生产力 is a use of 生产力), with
    ordinary-word entries included: a timeline of 单位 is asked for knowingly."""
    from glossary.annotate import chunks, text_region

    annotator = glossary.annotator()
    region = text_region(text, annotator.traditional)
    found = []
    for offset, piece in chunks(text):
        annotation = annotator.annotate(piece, ambiguous=True, ordinary=True, region=region)
        stack = [(span, 0) for span in annotation.spans]
        while stack:
            span, depth = stack.pop()
            found.append((span.id, offset + span.start, offset + span.end, int(depth > 0), int(span.ambiguous)))
            stack.extend((child, depth + 1) for child in span.children)
    found.sort(key=lambda o: (o[1], -o[2], o[0]))
    return tuple(found)


def annotate_spec(spec: Spec) -> Annotated | str:
    """Read and annotate one file (in a worker): the result, or a one-line reason it failed."""
    try:
        data = Path(spec.path).read_bytes()
        text, title = document_text(data, spec)
    except (OSError, CorpusError) as exc:
        return f"{spec.path}: {exc}"
    sha = hashlib.sha256(data).hexdigest()
    return Annotated(spec, sha, title, text, count_chars(text), occurrences(_worker_glossary, text))


def _annotate_stored(item: tuple[int, str]) -> tuple[int, tuple]:
    document_id, text = item
    return document_id, occurrences(_worker_glossary, text)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parallel_map(db_path: str, function, items: Iterable, jobs: int, engine: Engine | None = None) -> Iterator:
    """function(item) for each item, in order: in this process for one job, else in a pool of
    processes that each open the glossary once (spawned, so no thread state is forked), or on Dask."""
    if engine is not None and engine.name == "dask":
        yield from _dask_map(db_path, function, items, jobs, engine.scheduler)
        return
    if jobs <= 1:
        yield from _map_here(db_path, function, items)
        return
    import multiprocessing

    pool = multiprocessing.get_context("spawn").Pool(jobs, _init_worker, (db_path,))
    try:
        yield from pool.imap(function, items, chunksize=4)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _map_here(db_path: str, function, items: Iterable) -> Iterator:
    """The one-process map: the glossary opened for this run only (the file may have been rebuilt)."""
    global _worker_glossary
    from glossary import Glossary

    previous = _worker_glossary
    _worker_glossary = Glossary.open(db_path, build=False)
    try:
        for item in items:
            yield function(item)
    finally:
        _worker_glossary.close()
        _worker_glossary = previous


@dataclass(frozen=True)
class Engine:
    """Where annotation runs: `processes` (this machine's cores) or `dask`, whose `scheduler` is
    synchronous | processes (local) or the address of a Dask cluster's scheduler
    (tcp://host:8786; `pip install 'policy-glossary[dask]'`). Cluster workers must see the files and the
    database at the same paths (a shared file system); occurrences come back here to be written."""

    name: str = "processes"
    scheduler: str | None = None


LOCAL_SCHEDULERS = ("synchronous", "processes")  # not threads: each worker keeps one glossary open


def _dask_call(db_path: str, function, item):
    """One task on a Dask worker: the worker's glossary opened once per process, then function(item)."""
    global _worker_glossary
    if _worker_glossary is None or str(_worker_glossary.store.path) != str(db_path):
        from glossary import Glossary

        _worker_glossary = Glossary.open(db_path, build=False)
    return function(item)


def _dask_map(db_path: str, function, items: Iterable, jobs: int, scheduler: str | None) -> Iterator:
    """The map on Dask, a batch of tasks at a time (the corpus is never held whole), results in order."""
    global _worker_glossary
    try:
        import dask
    except ImportError:
        raise CorpusError("--engine dask needs Dask: pip install 'policy-glossary[dask]'") from None
    client = None
    if scheduler and scheduler not in LOCAL_SCHEDULERS:
        try:
            from distributed import Client
        except ImportError:
            raise CorpusError("a Dask cluster needs distributed: pip install 'policy-glossary[dask]'") from None
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise CorpusError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    previous = _worker_glossary
    try:
        pending = iter(items)
        while chunk := list(itertools.islice(pending, BATCH * max(jobs, 1))):
            tasks = [dask.delayed(_dask_call)(db_path, function, item) for item in chunk]
            if client is not None:
                yield from client.compute(tasks, sync=True)
            else:
                yield from dask.compute(*tasks, scheduler=scheduler or "processes", num_workers=jobs)
    finally:
        if client is not None:
            client.close()
        if _worker_glossary is not previous and _worker_glossary is not None:  # opened here (synchronous)
            _worker_glossary.close()
        _worker_glossary = previous


# ---------------------------------------------------------------- the corpus


class Corpus:
    """The corpus tables of one glossary database: `with Corpus(path) as corpus: …`."""

    def __init__(self, db_path: str | Path, readonly: bool = False):
        """`readonly`: for readers such as the web site, which never write (an absent corpus reads as empty)."""
        self.db_path = str(db_path)
        self.readonly = readonly
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None and self.readonly:
            conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'corpus_documents'").fetchone() is None:
                conn.close()
                conn = sqlite3.connect(":memory:", check_same_thread=False)  # no corpus yet: an empty one
                conn.row_factory = sqlite3.Row
                conn.executescript(SCHEMA)
            self._conn = conn
        if self._conn is None:
            conn = sqlite3.connect(self.db_path, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            try:
                conn.executescript(SCHEMA)
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise CorpusError(f"cannot use {self.db_path} for a corpus ({exc})") from None
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    # ------------------------------------------------------------ adding

    def add(
        self,
        specs: list[Spec],
        *,
        jobs: int = 1,
        progress: Callable[[int], None] | None = None,
        engine: Engine | None = None,
    ) -> AddReport:
        """Annotate and store the files that are new or changed; unchanged ones are skipped. The
        corpus is first brought up to date with the glossary (update), so every document's
        occurrences come from the same glossary."""
        self.update(jobs=jobs, engine=engine)
        report = AddReport()
        known = {r["path"]: (r["id"], r["sha256"]) for r in self.query("SELECT id, path, sha256 FROM corpus_documents")}
        todo = []
        seen = set()
        for spec in specs:
            if spec.path in seen:
                continue
            seen.add(spec.path)
            old = known.get(spec.path)
            if old and old[1] == file_hash(spec.path) and not self._meta_changed(old[0], spec):
                report.unchanged += 1
                if progress:
                    progress(1)
                continue
            todo.append(spec)
        batch: list[Annotated] = []
        results = parallel_map(self.db_path, annotate_spec, todo, min(jobs, len(todo)), engine) if todo else iter(())
        for result in results:
            if isinstance(result, str):
                report.failed.append(result)
            else:
                batch.append(result)
                if result.spec.path in known:
                    report.replaced += 1
                else:
                    report.added += 1
            if len(batch) >= BATCH:
                self._write(batch)
                batch = []
            if progress:
                progress(1)
        if batch:
            self._write(batch)
        return report

    def _meta_changed(self, document_id: int, spec: Spec) -> bool:
        row = self.query("SELECT date, source, title, url FROM corpus_documents WHERE id = ?", (document_id,))[0]
        return (
            row["date"] != spec.date
            or row["source"] != spec.source
            or (spec.title is not None and row["title"] != spec.title)
        )

    def _write(self, batch: list[Annotated]) -> None:
        """One transaction: each document replaced whole, with its occurrences."""
        from datetime import UTC, datetime

        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.conn:
            for doc in batch:
                spec = doc.spec
                self.conn.execute("DELETE FROM corpus_documents WHERE path = ?", (spec.path,))
                cursor = self.conn.execute(
                    "INSERT INTO corpus_documents (path, sha256, date, title, source, url, chars, text, added_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        spec.path,
                        doc.sha256,
                        spec.date,
                        doc.title,
                        spec.source,
                        spec.url,
                        doc.chars,
                        doc.text,
                        now,
                    ),
                )
                self.conn.executemany(
                    "INSERT INTO corpus_occurrences VALUES (?, ?, ?, ?, ?, ?)",
                    [(cursor.lastrowid, *o) for o in doc.occurrences],
                )

    # ------------------------------------------------------------ keeping up with the glossary

    def stale_entries(self) -> tuple[set[str], set[str], dict[str, tuple[str, list[str]]], bool]:
        """(changed entry ids, forms to look for, the current fingerprints, whether all must be redone)."""
        current = fingerprints(self.db_path)
        rows = self.query("SELECT entry_id, fingerprint, forms FROM corpus_entries")
        stored = {r[0]: (r[1], json.loads(r[2])) for r in rows}
        meta = {r[0]: r[1] for r in self.query("SELECT key, value FROM corpus_meta")}
        redo_all = meta.get("matcher") != matcher_key() and bool(stored)
        changed = {i for i in current.keys() | stored.keys() if current.get(i, ("",))[0] != stored.get(i, ("",))[0]}
        forms: set[str] = set()
        for entry_id in changed:
            for state in (current.get(entry_id), stored.get(entry_id)):
                if state:
                    forms.update(state[1])
        return changed, forms, current, redo_all

    def update(
        self,
        *,
        jobs: int = 1,
        everything: bool = False,
        progress: Callable[[int], None] | None = None,
        engine: Engine | None = None,
    ) -> dict:
        """Re-annotate the documents the glossary's changes can affect (see the module's docstring)."""
        changed, forms, current, redo_all = self.stale_entries()
        if not changed and not redo_all and not everything:
            return {"entries": 0, "documents": 0}
        redo_all = redo_all or everything
        if redo_all:
            ids = [r[0] for r in self.query("SELECT id FROM corpus_documents")]
        else:
            ids = self._documents_containing(forms)
        if progress:
            progress(0)

        def texts():
            for document_id in ids:
                yield document_id, self.query("SELECT text FROM corpus_documents WHERE id = ?", (document_id,))[0][0]

        batch: list[tuple[int, tuple]] = []
        results = (
            parallel_map(self.db_path, _annotate_stored, texts(), min(jobs, len(ids)), engine) if ids else iter(())
        )
        for result in results:
            batch.append(result)
            if len(batch) >= BATCH:
                self._rewrite(batch)
                batch = []
            if progress:
                progress(1)
        with self.conn:  # the state is written last: an interrupted update is simply run again
            if batch:
                self._rewrite_in_transaction(batch)
            self.conn.execute("DELETE FROM corpus_entries")
            self.conn.executemany(
                "INSERT INTO corpus_entries VALUES (?, ?, ?)",
                [(i, fp, json.dumps(f, ensure_ascii=False)) for i, (fp, f) in current.items()],
            )
            self.conn.execute("INSERT OR REPLACE INTO corpus_meta VALUES ('matcher', ?)", (matcher_key(),))
        return {"entries": len(changed), "documents": len(ids)}

    def _rewrite(self, batch: list[tuple[int, tuple]]) -> None:
        with self.conn:
            self._rewrite_in_transaction(batch)

    def _rewrite_in_transaction(self, batch: list[tuple[int, tuple]]) -> None:
        for document_id, found in batch:
            self.conn.execute("DELETE FROM corpus_occurrences WHERE document_id = ?", (document_id,))
            self.conn.executemany(
                "INSERT INTO corpus_occurrences VALUES (?, ?, ?, ?, ?, ?)", [(document_id, *o) for o in found]
            )

    def _documents_containing(self, forms: set[str]) -> list[int]:
        """Ids of the documents whose matching view contains one of `forms`."""
        from glossary.annotate import Annotator
        from glossary.chinese import matching_view

        if not forms:
            return []
        automaton = Annotator.build_automaton(sorted(forms))
        found = []
        for row in self.conn.execute("SELECT id, text FROM corpus_documents ORDER BY id"):
            text = matching_view(row[1]).text
            if next(automaton.iter(text), None) is not None:
                found.append(row[0])
        return found

    # ------------------------------------------------------------ listing

    def documents(self, source: str | None = None, limit: int | None = None) -> list[dict]:
        where, params = ("WHERE source = ?", [source]) if source else ("", [])
        params_list: list = params
        sql = (
            "SELECT d.id, d.date, d.source, d.title, d.path, d.url, d.chars, "
            "(SELECT count(*) FROM corpus_occurrences o WHERE o.document_id = d.id) AS occurrences "
            f"FROM corpus_documents d {where} ORDER BY d.date, d.id"
        )
        if limit:
            sql += " LIMIT ?"
            params_list.append(limit)
        return [dict(r) for r in self.query(sql, params_list)]

    def document(self, document_id: int) -> dict | None:
        rows = self.query("SELECT * FROM corpus_documents WHERE id = ?", (document_id,))
        return dict(rows[0]) if rows else None

    def remove(self, targets: Iterable[str]) -> int:
        """Remove documents by id or path (a folder removes every document under it); one transaction."""
        ids: set[int] = set()
        for target in targets:
            if target.isdigit():
                rows = self.query("SELECT id FROM corpus_documents WHERE id = ?", (int(target),))
            else:
                path = str(Path(target).resolve())
                rows = self.query(
                    "SELECT id FROM corpus_documents WHERE path = ? OR path LIKE ? ESCAPE '\\'",
                    (path, _escape_like(path.rstrip(os.sep) + os.sep) + "%"),
                )
            if not rows:
                raise CorpusError(f"no document {target!r} in the corpus")
            ids.update(r[0] for r in rows)
        with self.conn:
            self.conn.executemany("DELETE FROM corpus_documents WHERE id = ?", [(i,) for i in ids])
        return len(ids)

    def stats(self, stale: bool = True) -> dict:
        """Sizes by source and year; `stale`: also count the entries changed since annotation (slower)."""
        row = self.query(
            "SELECT count(*) AS documents, coalesce(sum(chars), 0) AS chars, min(date) AS first, max(date) AS last "
            "FROM corpus_documents"
        )[0]
        occurrences = self.query("SELECT count(*), count(DISTINCT entry_id) FROM corpus_occurrences")[0]
        sources = [
            {"source": r[0], "documents": r[1], "chars": r[2]}
            for r in self.query(
                "SELECT source, count(*), sum(chars) FROM corpus_documents GROUP BY source ORDER BY source"
            )
        ]
        years = [
            {"year": r[0], "documents": r[1], "chars": r[2]}
            for r in self.query(
                "SELECT substr(date, 1, 4), count(*), sum(chars) FROM corpus_documents GROUP BY 1 ORDER BY 1"
            )
        ]
        changed = self.stale_entries()[0] if row["documents"] and stale else set()
        return {
            **dict(row),
            "occurrences": occurrences[0],
            "entries_found": occurrences[1],
            "sources": sources,
            "years": years,
            "stale_entries": len(changed),
        }

    def save_discovery(self, result: dict) -> None:
        """Keep the last discovery run (the web page shows it: discovery takes too long for a request)."""
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO corpus_meta VALUES ('discovery', ?)", (json.dumps(result, ensure_ascii=False),)
            )

    def saved_discovery(self) -> dict | None:
        rows = self.query("SELECT value FROM corpus_meta WHERE key = 'discovery'")
        return json.loads(rows[0][0]) if rows else None

    def is_empty(self) -> bool:
        return not self.query("SELECT 1 FROM corpus_documents LIMIT 1")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matcher_key() -> str:
    from glossary.build import SCHEMA_VERSION

    return f"{SCHEMA_VERSION}.{CORPUS_FORMAT}"


def fingerprints(db_path: str) -> dict[str, tuple[str, list[str]]]:
    """Each entry's fingerprint and the forms the matcher looks for (as the matching view reads them,
    both plus signs): what the entry can match and how (region, ambiguity)."""
    from glossary.chinese import matching_form, plus_variants
    from glossary.store import Store

    with Store(db_path) as store:
        rows = store.query("SELECT id, ambiguous, ordinary_dominates FROM entries")
        flags = {r[0]: (r[1] or "", r[2] or 0) for r in rows}
        rows = store.query("SELECT entry_id, form, region FROM forms ORDER BY entry_id, form")
    by_entry: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        by_entry.setdefault(r[0], []).append((r[1], r[2] or ""))
    result = {}
    for entry_id, flag in flags.items():
        pairs = by_entry.get(entry_id, [])
        forms = sorted({v for form, _ in pairs for v in plus_variants(matching_form(form))})
        digest = hashlib.sha1(json.dumps([pairs, flag], ensure_ascii=False).encode()).hexdigest()
        result[entry_id] = (digest, forms)
    return result
