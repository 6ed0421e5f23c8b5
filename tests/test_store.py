"""Building the database and querying it: idempotent, atomic, stale detection, search ranking."""

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from glossary.build import build, ensure_built, needs_build
from glossary.model import CurationError
from glossary.store import Store, StoreError


@pytest.fixture
def tree(tmp_path, fixture_paths):
    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    return {"entries": entries, "sources": fixture_paths["sources"], "db": tmp_path / "terms.sqlite"}


def table_rows(db):
    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("entries", "forms", "quotes", "renderings", "tags", "sources")
        }
    finally:
        conn.close()


def test_build_is_idempotent(tree):
    first = build(tree["db"], tree["entries"], tree["sources"])
    rows = table_rows(tree["db"])
    second = build(tree["db"], tree["entries"], tree["sources"])
    assert first["entries"] == second["entries"] == len(list(tree["entries"].glob("*.yaml")))
    assert table_rows(tree["db"]) == rows


def test_a_failed_build_leaves_the_old_database_untouched(tree):
    build(tree["db"], tree["entries"], tree["sources"])
    before = tree["db"].read_bytes()
    (tree["entries"] / "broken.yaml").write_text("zh: [\n", encoding="utf-8")
    with pytest.raises(CurationError) as info:
        build(tree["db"], tree["entries"], tree["sources"])
    assert "broken.yaml:" in str(info.value)
    assert tree["db"].read_bytes() == before
    assert [p.name for p in tree["db"].parent.iterdir() if p.name.startswith("terms.sqlite")] == ["terms.sqlite"]


def test_stale_database_is_rebuilt_on_use(tree):
    build(tree["db"], tree["entries"], tree["sources"])
    assert not needs_build(tree["db"])
    path = tree["entries"] / "suanli.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("computing power", "compute"), encoding="utf-8")
    os.utime(path, (path.stat().st_mtime + 5, path.stat().st_mtime + 5))
    assert needs_build(tree["db"])
    ensure_built(tree["db"])
    with Store(tree["db"]) as store:
        assert store.get("suanli").en == "compute"
    assert not needs_build(tree["db"])


def test_missing_database_is_built_from_the_default_sources(tmp_path, monkeypatch):
    from glossary import Glossary, curation

    monkeypatch.chdir(tmp_path)
    assert needs_build("terms.sqlite")
    with Glossary.open("terms.sqlite") as glossary:
        meta = glossary.store.meta
        assert Path(meta["entries_dir"]) == curation.ENTRIES_DIR.resolve()
        assert Path(meta["sources_file"]) == curation.SOURCES_FILE.resolve()
        assert int(meta["entries"]) == len(list(curation.ENTRIES_DIR.glob("*.yaml")))
        assert glossary.get("xinxing-juguo-tizhi").zh == "新型举国体制"
    assert (tmp_path / "terms.sqlite").is_file() and not needs_build("terms.sqlite")


def test_a_file_that_is_not_a_glossary_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE x (y)").connection.close()
    assert not needs_build(path)
    with pytest.raises(StoreError), Store(path) as store:
        store.meta  # noqa: B018
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all")
    with pytest.raises(StoreError), Store(tmp_path / "junk.sqlite") as store:
        store.meta  # noqa: B018


@pytest.fixture
def store(db_path):
    with Store(db_path) as store:
        yield store


def test_get_lookup_and_forms(store):
    assert store.get("xinxing-juguo-tizhi").en == "new national system"
    assert store.get("nope") is None
    assert store.lookup("新型舉國體制").id == "xinxing-juguo-tizhi"
    assert store.lookup("人工智慧").id == "rengong-zhineng"
    assert {f["form"] for f in store.forms_of("rengong-zhineng-plus")} >= {"人工智能+", "人工智能＋", "AI+"}


@pytest.mark.parametrize(
    "query",
    [
        "通用人工智能",
        "通用人工智慧",
        "tongyong rengong zhineng",
        "tōngyòng réngōng zhìnéng",
        "tong1yong4 ren2gong1 zhi4neng2",
        "tongyongrengongzhineng",
        "artificial general intelligence (AGI)",
        "general artificial intelligence",
    ],
)
def test_search_finds_the_exact_headword_first(store, query):
    results = store.search(query)
    assert results[0]["id"] == "tongyong-rengong-zhineng"


def test_search_by_part_ranks_exact_then_longer(store):
    ids = [r["id"] for r in store.search("人工智能")]
    assert ids[0] == "rengong-zhineng"
    assert set(ids[1:]) == {"tongyong-rengong-zhineng", "rengong-zhineng-plus"}
    assert [r["id"] for r in store.search("tongyong")] == ["tongyong-rengong-zhineng"]
    assert store.search("national system")[0]["id"] == "xinxing-juguo-tizhi"
    assert store.search("zzzz") == []
    assert store.search("   ") == []


def test_search_survives_fts_syntax_in_the_query(store):
    """FTS5 operators in a query are searched as words: nothing raises, the words still find the entry."""
    for query in ['"', "AND OR NOT", "a*b(", "%_", "NEAR(", "*"]:
        assert store.search(query) == []
    for query in ['"national system"', "national) system(", "national -system", "^national", "national:system"]:
        assert [(r["id"], r["match"]) for r in store.search(query)] == [("xinxing-juguo-tizhi", "text")], query


def test_browse_by_kind_tag_and_source(store):
    assert [e["id"] for e in store.by_kind("organization")] == [
        "beidahuang-jituan",
        "beijing-daxue",
        "jiaoyu-bu",
        "jiaoyu-bu-tw",
        "langchao",
    ]
    assert "tongyong-rengong-zhineng" in [e["id"] for e in store.by_tag("agi")]
    assert {e["id"] for e in store.by_source("other-article")} == {"tongyong-rengong-zhineng", "rengong-zhineng-plus"}
    assert store.source("sample-article").lines == (3, 6)
