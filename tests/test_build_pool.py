"""A full build of many entry files reads them with a pool of processes: it builds the same database
as one process does, reports a problem with its file and line as before, and Ctrl-C during it leaves
the previous database as it was, with no process left behind."""

import itertools
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_build_incremental import rows_by_entry

import glossary.build
from glossary.build import build
from glossary.model import CurationError
from glossary.store import Store

pytestmark = pytest.mark.skipif(glossary.build._cores() < 2, reason="one core: the build reads in one process")

COUNT = glossary.build.POOL_MIN_FILES + 300
CHARS = "安北草东方风高国海河湖花江金南平青山水天田文西新阳云中红绿白黑"


def write_entries(folder: Path, count: int, fixture_paths) -> None:
    """`count` valid entry files: the fixture entries plus three-character words read as pypinyin reads them."""
    from pypinyin import Style, lazy_pinyin

    from glossary.curation import load, ordinary_words, surface_forms
    from glossary.model import Entry
    from glossary.pinyin import pinyin_problem, slug, unconfirmed_readings

    shutil.copytree(fixture_paths["entries"], folder)
    curated = load(folder, fixture_paths["sources"])
    owned = {form for e in curated.entries for form, _, _ in surface_forms(e)} | set(
        ordinary_words(fixture_paths["sources"])
    )
    ids = {e.id for e in curated.entries}
    for chars in itertools.permutations(CHARS, 3):
        if len(ids) >= count:
            break
        zh = "".join(chars)
        pinyin = "".join(lazy_pinyin(zh, style=Style.TONE))
        forms = [f for f, _, _ in surface_forms(Entry(id="x", zh=zh, pinyin=pinyin, kind="term", en="x"))]
        if any(f in owned for f in forms) or pinyin_problem(zh, pinyin) or unconfirmed_readings(zh, pinyin):
            continue
        entry_id = next(i for n in itertools.count(1) if (i := slug(pinyin) + (f"-{n}" if n > 1 else "")) not in ids)
        ids.add(entry_id)
        owned.update(forms)
        text = f"zh: {zh}\npinyin: {pinyin}\nkind: term\nen: word {len(ids)}\nauthority: curator\ntags:\n- made\n"
        (folder / f"{entry_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def many(tmp_path_factory, fixture_paths):
    """A folder of more entry files than a build reads in one process, and its database."""
    root = tmp_path_factory.mktemp("many")
    write_entries(root / "entries", COUNT, fixture_paths)
    build(root / "terms.sqlite", root / "entries", fixture_paths["sources"])
    return {"entries": root / "entries", "sources": fixture_paths["sources"], "db": root / "terms.sqlite"}


def test_a_pooled_build_equals_a_build_in_one_process(many, tmp_path, monkeypatch):
    monkeypatch.setattr(glossary.build, "POOL_MIN_FILES", 10**9)
    serial = tmp_path / "serial.sqlite"
    build(serial, many["entries"], many["sources"])
    assert rows_by_entry(many["db"]) == rows_by_entry(serial)
    with Store(many["db"]) as a, Store(serial) as b:
        assert a.meta["entries"] == b.meta["entries"] == str(COUNT)
        for blob in ("annotator", "annotator_base", "lexicon_forms", "lexicon_forms_pairs", "lexicon_base"):
            assert a.blob(blob) == b.blob(blob)
        schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"  # (the triggers a later edit needs)
        assert a.query(schema) == b.query(schema)
        query = "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid"
        for term in ("word", "computing", "suanli", "zhong*"):
            assert a.query(query, (term,)) == b.query(query, (term,))


def problems_of(entries: Path, sources: Path, db: Path) -> list[str]:
    with pytest.raises(CurationError) as caught:
        build(db, entries, sources)
    return [str(p) for p in caught.value.problems]


def test_a_problem_in_a_pooled_build_is_reported_with_its_file_and_line(tmp_path, fixture_paths, monkeypatch):
    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    suanli = entries / "suanli.yaml"
    suanli.write_text(suanli.read_text(encoding="utf-8").replace("suànlì", "suànlè"), encoding="utf-8")
    (entries / "broken.yaml").write_text("zh: 坏\npinyin: [huài\n", encoding="utf-8")
    serial = problems_of(entries, fixture_paths["sources"], tmp_path / "serial.sqlite")
    monkeypatch.setattr(glossary.build, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(glossary.build, "CHUNK", 4)
    pooled = problems_of(entries, fixture_paths["sources"], tmp_path / "pooled.sqlite")
    assert pooled == serial
    assert any(p.startswith(f"{entries / 'broken.yaml'}:3: malformed YAML") for p in pooled)
    assert any(p.startswith(f"{suanli}:") and "does not fit '算力'" in p for p in pooled)
    with sqlite3.connect(tmp_path / "pooled.sqlite") as conn:  # created, and left without a table of ours
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'entries'").fetchone() == (0,)
    conn.close()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def interrupted_build(options: list[str], many: dict, after: float = 0.0) -> tuple[list[int], bytes]:
    """`glossary build` of the many-files folder, Ctrl-C'ed (the whole group, as a terminal does) once
    its pool is up and `after` seconds more; its workers' pids and its stderr, checked to say Aborted!."""
    command = [sys.executable, "-m", "glossary", "build", *options]
    command += ["--entries", str(many["entries"]), "--sources", str(many["sources"])]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    build_process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while not children(build_process.pid) and time.monotonic() < deadline and build_process.poll() is None:
        time.sleep(0.02)
    workers = children(build_process.pid)
    assert workers, "the build did not start a pool"
    time.sleep(after)
    os.killpg(build_process.pid, signal.SIGINT)
    _, stderr = build_process.communicate(timeout=60)
    assert build_process.returncode != 0 and stderr.decode().strip().endswith("Aborted!"), stderr.decode()
    return workers, stderr


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to see the pool's processes")
def test_ctrl_c_during_a_pooled_build_leaves_the_previous_database(many):
    before = rows_by_entry(many["db"])
    edited = many["entries"] / "suanli.yaml"
    original = edited.read_text(encoding="utf-8")
    edited.write_text(original.replace("computing power", "compute"), encoding="utf-8")
    try:
        workers, stderr = interrupted_build(["--full", "--db", str(many["db"])], many)
        assert b"Traceback" not in stderr
        assert rows_by_entry(many["db"]) == before
        assert not [w for w in workers if Path(f"/proc/{w}").exists()]
        left = sorted(p.name for p in many["db"].parent.iterdir() if not p.name.endswith(".pinyin"))
        assert left == ["entries", "terms.sqlite"]  # (beside the pinyin check's tables the first build wrote)
    finally:
        edited.write_text(original, encoding="utf-8")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to see the pool's processes")
def test_ctrl_c_during_a_first_pooled_build_leaves_no_table(many, tmp_path):
    """A first build writes rows as the workers send them: Ctrl-C then leaves none of them."""
    db = tmp_path / "first.sqlite"
    workers, _ = interrupted_build(["--db", str(db)], many, after=1.0)  # (into the read: rows written as they come)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.sqlite"]
