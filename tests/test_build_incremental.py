"""Builds in place and by the entry: touched files are not re-read, an edit replaces only its entry's
rows, other owners' tables survive, and an interrupted build leaves the previous database as it was."""

import dataclasses
import os
import sqlite3

import pytest

from glossary import Glossary
from glossary.build import apply_entries, build, needs_build
from glossary.model import CurationError
from glossary.store import Store

ENTRY_TABLES = {"entries": "id", **{t: "entry_id" for t in ("forms", "renderings", "quotes", "tags")}}


def rows_by_entry(db) -> dict[str, dict[str, list]]:
    """Every row of the entry tables (and cards, readings), grouped by the entry it belongs to."""
    out: dict[str, dict[str, list]] = {}
    conn = sqlite3.connect(db)
    try:
        for table, key in [*ENTRY_TABLES.items(), ("cards", "id"), ("readings", "entry_id")]:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                record = dict(zip(columns, row, strict=True))
                out.setdefault(record[key], {}).setdefault(table, []).append(record)
    finally:
        conn.close()
    return out


def tags_of(db, text: str) -> dict[str, str]:
    with Glossary.open(db, build=False) as glossary:
        annotation = glossary.annotate(text)
        return {span.text: annotation.card(span)["en"] for top in annotation.spans for span in top.walk()}


def edit(path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_touching_every_file_rebuilds_nothing_and_is_recorded(tree):
    for path in tree["entries"].iterdir():
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert not needs_build(tree["db"])  # hashed once: the content is the same
    with sqlite3.connect(tree["db"]) as conn:
        recorded = dict(conn.execute("SELECT name, mtime_ns FROM _files WHERE name LIKE 'entries/%'"))
    conn.close()
    assert recorded == {f"entries/{p.name}": p.stat().st_ctime_ns for p in tree["entries"].iterdir()}  # see CHANGE_TIME
    assert build(tree["db"], tree["entries"], tree["sources"])["parsed"] == 0


def test_editing_one_entry_replaces_only_its_rows_and_changes_the_annotation(tree):
    before = rows_by_entry(tree["db"])
    assert tags_of(tree["db"], "提升算力水平")["算力"] == "computing power"
    edit(tree["entries"] / "suanli.yaml", "computing power", "compute")
    assert needs_build(tree["db"])
    result = build(tree["db"], tree["entries"], tree["sources"])
    assert (result["parsed"], result["changed"]) == (1, 1)
    after = rows_by_entry(tree["db"])
    assert {k: v for k, v in after.items() if k != "suanli"} == {k: v for k, v in before.items() if k != "suanli"}
    assert after["suanli"]["entries"][0]["en"] == "compute"
    assert tags_of(tree["db"], "提升算力水平")["算力"] == "compute"
    with Store(tree["db"]) as store:
        assert [r["id"] for r in store.search("compute")][:1] == ["suanli"]  # the search index follows
    assert not needs_build(tree["db"])


def test_removing_and_adding_entries(tree):
    assert "算力" in tags_of(tree["db"], "提升算力水平")
    (tree["entries"] / "suanli.yaml").unlink()
    (tree["entries"] / "shuiping.yaml").write_text(
        "zh: 水平\npinyin: shuǐpíng\nkind: term\nen: level\nauthority: curator\n", encoding="utf-8"
    )
    assert needs_build(tree["db"])
    result = build(tree["db"], tree["entries"], tree["sources"])
    assert (result["parsed"], result["removed"]) == (1, 1)
    assert tags_of(tree["db"], "提升算力水平") == {"水平": "level"}
    with Store(tree["db"]) as store:
        assert store.get("suanli") is None and store.lookup("算力") is None
        assert store.search("computing power") == []
        assert store.get("shuiping").en == "level"


def test_an_incremental_build_equals_a_full_one(tree, tmp_path):
    edit(tree["entries"] / "suanli.yaml", "computing power", "compute")
    (tree["entries"] / "zhongkao.yaml").unlink()
    build(tree["db"], tree["entries"], tree["sources"])
    fresh = tmp_path / "fresh.sqlite"
    build(fresh, tree["entries"], tree["sources"])
    assert rows_by_entry(tree["db"]) == rows_by_entry(fresh)
    with Store(tree["db"]) as a, Store(fresh) as b:
        edited, whole = a.annotator_data(), b.annotator_data()
        assert edited["forms"].delta  # the edit is held as a delta over the base, not a rebuilt base
        assert edited["forms"].as_dict() == whole["forms"].as_dict()  # each form, its entries in order
        assert edited["reading_keys"] == whole["reading_keys"] and edited["traditional"] == whole["traditional"]
        assert a.blob("lexicon_forms") == b.blob("lexicon_forms")


def test_tables_of_other_owners_survive_every_build(tree):
    with sqlite3.connect(tree["db"]) as conn:
        conn.execute("CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT)")
        conn.execute("INSERT INTO users VALUES ('ann', 'editor')")
        conn.execute("UPDATE _meta SET value = 'old' WHERE key = 'schema_version'")  # forces a whole rebuild
    conn.close()
    assert needs_build(tree["db"])
    build(tree["db"], tree["entries"], tree["sources"])
    edit(tree["entries"] / "suanli.yaml", "computing power", "compute")
    build(tree["db"], tree["entries"], tree["sources"], full=True)
    with sqlite3.connect(tree["db"]) as conn:
        assert conn.execute("SELECT * FROM users").fetchall() == [("ann", "editor")]
    conn.close()
    assert tags_of(tree["db"], "提升算力水平")["算力"] == "compute"


def test_a_build_interrupted_midway_leaves_the_previous_database(tree, monkeypatch):
    import glossary.build

    before = rows_by_entry(tree["db"])
    edit(tree["entries"] / "suanli.yaml", "computing power", "compute")
    (tree["entries"] / "zhongkao.yaml").unlink()

    def interrupted(conn, *_):  # Ctrl-C after the entries' rows were replaced, before the annotator's data
        raise KeyboardInterrupt

    monkeypatch.setattr(glossary.build, "_refresh_annotator", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(tree["db"], tree["entries"], tree["sources"])
    monkeypatch.undo()
    assert rows_by_entry(tree["db"]) == before
    assert tags_of(tree["db"], "提升算力水平")["算力"] == "computing power"
    assert needs_build(tree["db"])  # the files were not recorded either: the next command catches up
    build(tree["db"], tree["entries"], tree["sources"])
    assert tags_of(tree["db"], "提升算力水平")["算力"] == "compute"


def test_apply_entries_refreshes_derived_data_without_files(tree):
    with Store(tree["db"]) as store:
        suanli, zhongkao = store.get("suanli"), store.get("zhongkao")
    result = apply_entries(tree["db"], [dataclasses.replace(suanli, en="compute")], ["zhongkao"])
    assert (result["changed"], result["removed"]) == (1, 1)
    assert tags_of(tree["db"], "提升算力水平，参加中考")["算力"] == "compute"
    assert "中考" not in tags_of(tree["db"], "提升算力水平，参加中考")
    assert not needs_build(tree["db"])  # the files did not change: the edit is not undone by them

    before = rows_by_entry(tree["db"])
    clash = dataclasses.replace(zhongkao, id="suanli-2", zh="算力", pinyin="suànlì")
    with pytest.raises(CurationError) as info:
        apply_entries(tree["db"], [clash])
    assert [p.message for p in info.value.problems] == ["surface form '算力' (zh) is also a form of suanli"]
    assert rows_by_entry(tree["db"]) == before


def test_apply_entries_inside_the_callers_transaction(tree):
    with Store(tree["db"]) as store:
        suanli = store.get("suanli")
    conn = sqlite3.connect(tree["db"], isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE revisions (entry_id TEXT, n INTEGER)")
        conn.execute("INSERT INTO revisions VALUES ('suanli', 2)")
        apply_entries(conn, [dataclasses.replace(suanli, en="compute")])
        conn.execute("ROLLBACK")  # the caller changes its mind: neither the revision nor the rows land
    finally:
        conn.close()
    assert tags_of(tree["db"], "提升算力水平")["算力"] == "computing power"
    with sqlite3.connect(tree["db"]) as check:
        assert not check.execute("SELECT 1 FROM sqlite_master WHERE name = 'revisions'").fetchall()
    check.close()


def test_an_empty_folder_builds_a_usable_empty_glossary(tmp_path, fixture_paths):
    (tmp_path / "entries").mkdir()
    build(tmp_path / "terms.sqlite", tmp_path / "entries", fixture_paths["sources"])
    assert tags_of(tmp_path / "terms.sqlite", "提升算力水平") == {}
    assert not needs_build(tmp_path / "terms.sqlite")


def test_an_edit_of_the_pinyin_is_checked_and_refused_whole(tree):
    before = rows_by_entry(tree["db"])
    edit(tree["entries"] / "suanli.yaml", "suànlì", "suànfǎ")
    edit(tree["entries"] / "zhongkao.yaml", "kind: term", "kind: term\nnotes: a note")
    with pytest.raises(CurationError) as info:
        build(tree["db"], tree["entries"], tree["sources"])
    assert [p.file.endswith("suanli.yaml") for p in info.value.problems] == [True]
    assert rows_by_entry(tree["db"]) == before


def test_a_term_that_is_also_a_dictionary_word_is_not_split_by_a_nested_term(tree):
    """北大荒 (a dictionary word, here a glossary term as in a big termbase) does not contain 北大
    (Peking University): the lone 荒 left over says so; 人工智能 still contains 智能 (人工 is a word)."""
    (tree["entries"] / "beidahuang.yaml").write_text(
        "zh: 北大荒\npinyin: Běidàhuāng\nkind: place\nen: Great Northern Wilderness\nauthority: curator\n",
        encoding="utf-8",
    )
    build(tree["db"], tree["entries"], tree["sources"])
    assert tags_of(tree["db"], "开发北大荒的历史") == {"北大荒": "Great Northern Wilderness"}
    assert "智能" in tags_of(tree["db"], "发展人工智能产业")
