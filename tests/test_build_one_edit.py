"""A one-entry edit in a big glossary: `glossary build` compares only the files whose status changed
since the last build (their ctime), an edit that keeps an entry's forms reuses its stored form rows,
and whatever path an edit takes, the database equals a full build of the same folder."""

import os
import shutil
import sqlite3
import time

import pytest

from glossary import Glossary
from glossary.build import RACY_NS, build, needs_build
from glossary.model import CurationError
from glossary.store import Store
from tests.test_build_incremental import rows_by_entry, tags_of


@pytest.fixture
def tree(tree):
    time.sleep(RACY_NS / 1e9 + 0.1)  # the copies' changes are older than a clock tick's doubt
    build(tree["db"], tree["entries"], tree["sources"])  # in step: records the newest change it saw
    return tree


def rewrite_in_place(path, old: str, new: str) -> None:
    """As an editor saving into the same file: same inode, the folder's own stat unchanged."""
    with open(path, "r+", encoding="utf-8") as file:
        text = file.read()
        assert old in text
        file.seek(0)
        file.write(text.replace(old, new))
        file.truncate()


def save_by_rename(path, old: str, new: str) -> None:
    """As an editor saving to a temporary file renamed over the old one."""
    temp = path.with_name(path.name + ".swp")
    temp.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.replace(temp, path)


def assert_equals_a_full_build(tree, tmp_path) -> None:
    fresh = tmp_path / "fresh.sqlite"
    build(fresh, tree["entries"], tree["sources"])
    assert rows_by_entry(tree["db"]) == rows_by_entry(fresh)
    with Store(tree["db"]) as a, Store(fresh) as b:
        edited, whole = a.annotator_data(), b.annotator_data()
        assert edited["forms"].as_dict() == whole["forms"].as_dict()
        assert edited["reading_keys"] == whole["reading_keys"]
        assert a.blob("lexicon_forms") == b.blob("lexicon_forms")
        assert [dict(r) for r in a.search("wisdom")] == [dict(r) for r in b.search("wisdom")]


def test_an_in_place_edit_of_a_rendering_is_built_as_a_full_build_would(tree, tmp_path):
    """人工智能 has readings of its own forms (人工智慧 réngōng zhìhuì): they carry the new English too."""
    path = tree["entries"] / "rengong-zhineng.yaml"
    before = path.stat()
    rewrite_in_place(path, "en: artificial intelligence (AI)", "en: artificial wisdom (AI)")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # even with its old modification time
    result = build(tree["db"], tree["entries"], tree["sources"])
    assert (result["parsed"], result["changed"]) == (1, 1)
    assert tags_of(tree["db"], "发展人工智慧")["人工智慧"] == "artificial wisdom (AI)"
    assert_equals_a_full_build(tree, tmp_path)


def test_an_added_variant_is_built_as_a_full_build_would(tree, tmp_path):
    rewrite_in_place(
        tree["entries"] / "suanli.yaml", "kind: term", "variants:\n- form: 计算力\n  pinyin: jìsuànlì\nkind: term"
    )
    result = build(tree["db"], tree["entries"], tree["sources"])
    assert (result["parsed"], result["changed"]) == (1, 1)
    assert tags_of(tree["db"], "提升计算力")["计算力"] == "computing power"
    assert_equals_a_full_build(tree, tmp_path)
    rewrite_in_place(tree["entries"] / "suanli.yaml", "variants:\n- form: 计算力\n  pinyin: jìsuànlì\n", "")
    build(tree["db"], tree["entries"], tree["sources"])
    assert "计算力" not in tags_of(tree["db"], "提升计算力")
    assert_equals_a_full_build(tree, tmp_path)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("kind: term", "variants:\n- form: 中考\n  pinyin: zhōngkǎo\nkind: term", 1, "also a form of"),
        ("tags: [ai]", "tags: [ai]\nrelated: [no-such-entry]", 7, "related id 'no-such-entry' is not an entry"),
    ],
)
def test_an_edit_that_breaks_a_check_is_refused_with_its_file_and_line(tree, old, new, line, message):
    before = rows_by_entry(tree["db"])
    rewrite_in_place(tree["entries"] / "suanli.yaml", old, new)
    for _ in range(2):  # refused again: nothing of the refused build was recorded
        with pytest.raises(CurationError) as info:
            build(tree["db"], tree["entries"], tree["sources"])
        [problem] = info.value.problems
        assert (problem.file.endswith("suanli.yaml"), problem.line) == (True, line)
        assert message in problem.message
        assert rows_by_entry(tree["db"]) == before


def test_a_removed_file_is_seen_by_a_build_that_compares_only_changed_files(tree):
    (tree["entries"] / "zhongkao.yaml").unlink()
    assert build(tree["db"], tree["entries"], tree["sources"])["removed"] == 1
    with Store(tree["db"]) as store:
        assert store.get("zhongkao") is None


def test_in_a_big_folder_the_next_command_sees_a_saved_edit_and_ignores_a_swap_file(tree, monkeypatch):
    import glossary.build

    monkeypatch.setattr(glossary.build, "SMALL_FOLDER", 10)  # the fixture's 28 files count as a big folder
    build(tree["db"], tree["entries"], tree["sources"])
    assert not needs_build(tree["db"])
    swap = tree["entries"] / ".suanli.yaml.swp"  # an editor's swap file come and gone: the folder's stamp moves
    swap.write_text("x", encoding="utf-8")
    swap.unlink()
    assert not needs_build(tree["db"])
    save_by_rename(tree["entries"] / "suanli.yaml", "computing power", "compute")
    assert needs_build(tree["db"])
    with Glossary.open(tree["db"]) as opened:  # as every command: brought up to date first
        assert opened.get("suanli").en == "compute"
    assert not needs_build(tree["db"])
    (tree["entries"] / "zhongkao.yaml").unlink()
    assert needs_build(tree["db"])
    with Glossary.open(tree["db"]) as opened:
        assert opened.get("zhongkao") is None
    with sqlite3.connect(tree["db"]) as conn:
        assert conn.execute("SELECT count(*) FROM _files WHERE name = 'entries/zhongkao.yaml'").fetchone() == (0,)
    conn.close()


def test_in_a_big_folder_the_check_made_at_launch_leaves_a_changed_folder_to_the_command(tree, monkeypatch):
    """The check forked at launch (prefetch.py) does not compare a big folder's files: the command's own
    check does it once and its build reuses what it found (a second comparison cost ≈ 0.6 s at 100,000)."""
    import glossary.build

    monkeypatch.setattr(glossary.build, "SMALL_FOLDER", 10)  # the fixture's 28 files count as a big folder
    build(tree["db"], tree["entries"], tree["sources"])
    assert needs_build(tree["db"], compare_big=False) is False  # the folder's stamp as recorded: known
    save_by_rename(tree["entries"] / "suanli.yaml", "computing power", "compute")
    assert needs_build(tree["db"], compare_big=False) is None  # left to the command
    assert needs_build(tree["db"]) is True


def test_a_changed_list_of_ordinary_words_or_sources_checks_every_entry_again(tmp_path, fixture_paths):
    """Only entry files changed since the last build are compared — unless sources.yaml or
    ordinary_words.txt changed, which decide every entry's checks."""
    shutil.copytree(fixture_paths["entries"], tmp_path / "entries")
    for name in ("sources.yaml", "ordinary_words.txt"):
        shutil.copy(fixture_paths["sources"].parent / name, tmp_path / name)
    tree = {"entries": tmp_path / "entries", "sources": tmp_path / "sources.yaml", "db": tmp_path / "terms.sqlite"}
    build(tree["db"], tree["entries"], tree["sources"])
    time.sleep(RACY_NS / 1e9 + 0.1)
    build(tree["db"], tree["entries"], tree["sources"])
    before = rows_by_entry(tree["db"])
    ordinary = tmp_path / "ordinary_words.txt"
    listed = ordinary.read_text(encoding="utf-8")
    ordinary.write_text(listed + "算力\n", encoding="utf-8")
    with pytest.raises(CurationError) as info:
        build(tree["db"], tree["entries"], tree["sources"])
    assert "suanli.yaml" in str(info.value) and "ordinary word" in str(info.value)
    assert rows_by_entry(tree["db"]) == before
    ordinary.write_text(listed, encoding="utf-8")
    with open(tree["sources"], "a", encoding="utf-8") as file:
        file.write("# a comment: the content changed\n")
    result = build(tree["db"], tree["entries"], tree["sources"])
    assert (result["parsed"], result["entries"]) == (28, 28)
    assert rows_by_entry(tree["db"]) == before


def build_command(tree, *files: str):
    from click.testing import CliRunner

    from glossary.cli import cli

    args = ["build", "--db", str(tree["db"]), "--entries", str(tree["entries"]), "--sources", str(tree["sources"])]
    return CliRunner().invoke(cli, [*args, *files])


def test_a_build_of_named_files_looks_at_them_alone_and_the_next_build_sees_the_rest(tree, tmp_path):
    """`glossary build FILE…` (an editor's on-save hook in a big glossary): the named files edited,
    deleted or added are built as a full build would, without a look at the others, whose changes
    the next plain build still finds."""
    entries = tree["entries"]
    rewrite_in_place(entries / "suanli.yaml", "computing power", "compute")
    rewrite_in_place(entries / "rengong-zhineng.yaml", "en: artificial intelligence (AI)", "en: artificial wisdom (AI)")
    (entries / "zhongkao.yaml").unlink()
    (entries / "gaokao.yaml").write_text(
        "zh: 高考\npinyin: gāokǎo\nkind: term\nen: national college entrance examination (gaokao)\n"
        'authority: "curator"\ntags: [education]\n',
        encoding="utf-8",
    )
    named = [str(entries / name) for name in ("suanli.yaml", "zhongkao.yaml", "gaokao.yaml")]
    result = build_command(tree, *named)
    assert result.exit_code == 0, result.output
    assert "(2 entry files read, 2 entries changed, 1 removed)" in result.output
    tags = tags_of(tree["db"], "提升算力，发展人工智能，参加中考和高考")
    assert tags["算力"] == "compute" and tags["高考"].startswith("national college")
    assert "中考" not in tags and tags["人工智能"] == "artificial intelligence (AI)"  # not named: not looked at
    assert build(tree["db"], entries, tree["sources"])["parsed"] == 1  # the rest, by the next plain build
    assert tags_of(tree["db"], "发展人工智能")["人工智能"] == "artificial wisdom (AI)"
    assert_equals_a_full_build(tree, tmp_path)


def test_in_a_big_folder_a_named_build_leaves_other_replaced_files_for_the_next_command(tree, monkeypatch):
    import glossary.build

    monkeypatch.setattr(glossary.build, "SMALL_FOLDER", 10)  # the fixture's 28 files count as a big folder
    build(tree["db"], tree["entries"], tree["sources"])
    rewrite_in_place(tree["entries"] / "suanli.yaml", "computing power", "compute")
    assert build_command(tree, str(tree["entries"] / "suanli.yaml")).exit_code == 0
    assert not needs_build(tree["db"])  # the named file is recorded as it is now
    save_by_rename(tree["entries"] / "zhongkao.yaml", "senior high school", "upper secondary school")
    assert build_command(tree, str(tree["entries"] / "suanli.yaml")).exit_code == 0
    assert needs_build(tree["db"])  # zhongkao.yaml, replaced meanwhile, is still seen
    with Glossary.open(tree["db"]) as opened:
        assert opened.get("zhongkao").en.startswith("upper secondary") and opened.get("suanli").en == "compute"


def test_a_named_build_refuses_what_is_not_an_entry_file_and_changes_nothing(tree, tmp_path):
    before = rows_by_entry(tree["db"])
    rewrite_in_place(tree["entries"] / "suanli.yaml", "computing power", "compute")
    outside = tmp_path / "suanli.yaml"
    outside.write_text((tree["entries"] / "suanli.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for files, message in [
        ([str(outside)], f"not an entry file of {tree['entries']}"),
        ([str(tree["entries"] / "suanli.yaml"), str(tree["entries"] / "no-such.yaml")], "no such entry file"),
        ([str(tree["entries"] / "suanli.txt")], "not an entry file"),
    ]:
        result = build_command(tree, *files)
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
        assert rows_by_entry(tree["db"]) == before
    result = build_command(tree, "--full", str(tree["entries"] / "suanli.yaml"))
    assert result.exit_code == 2 and "name no files" in result.output
    rewrite_in_place(tree["entries"] / "suanli.yaml", "kind: term", "kind: term\nrelated: [no-such-entry]")
    result = build_command(tree, str(tree["entries"] / "suanli.yaml"))
    assert result.exit_code == 1 and "suanli.yaml:4: related id" in result.output
    assert rows_by_entry(tree["db"]) == before
