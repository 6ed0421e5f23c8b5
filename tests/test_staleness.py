"""The check every command makes before using the database: an entry file rewritten in place by an
editor (same inode, the folder's own stat unchanged) is seen by the next annotate, even when its size
and modification time are as before; files left alone, or only touched, rebuild nothing."""

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from glossary import Glossary
from glossary.build import RACY_NS, needs_build


@pytest.fixture
def tree(tree):
    time.sleep(RACY_NS / 1e9 + 0.1)  # the copies' changes are older than a clock tick's doubt
    return tree


def recorded_mark(db) -> list | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT value FROM _meta WHERE key = 'newest_change'").fetchone()
    conn.close()
    return json.loads(row[0]) if row and row[0] else None


def english_of(db, text: str) -> dict[str, str]:
    with Glossary.open(db) as glossary:  # as every command: rebuilt first if the files changed
        annotation = glossary.annotate(text)
        return {span.text: annotation.card(span)["en"] for top in annotation.spans for span in top.walk()}


def test_an_in_place_rewrite_with_the_old_size_and_mtime_is_seen(tree):
    assert not needs_build(tree["db"])
    assert recorded_mark(tree["db"])[1:] == [28, max(p.stat().st_ctime_ns for p in tree["entries"].iterdir())]
    path = tree["entries"] / "suanli.yaml"
    before, folder_before = path.stat(), tree["entries"].stat()
    with open(path, "r+", encoding="utf-8") as file:  # as an editor saving into the same file
        text = file.read().replace("computing power", "computing POWER")
        file.seek(0)
        file.write(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert tree["entries"].stat().st_mtime_ns == folder_before.st_mtime_ns
    assert needs_build(tree["db"])
    assert english_of(tree["db"], "提升算力水平") == {"算力": "computing POWER"}
    assert not needs_build(tree["db"])


def test_touched_files_rebuild_nothing_and_the_next_check_is_quick_again(tree):
    assert not needs_build(tree["db"])
    for path in tree["entries"].iterdir():
        os.utime(path)  # a status change, the same content
    assert not needs_build(tree["db"])  # compared file by file, found the same
    assert recorded_mark(tree["db"]) is None  # changes this recent: the next check compares again
    time.sleep(RACY_NS / 1e9 + 0.1)
    assert not needs_build(tree["db"])
    assert recorded_mark(tree["db"])[2] == max(p.stat().st_ctime_ns for p in tree["entries"].iterdir())
    assert english_of(tree["db"], "提升算力水平") == {"算力": "computing power"}


def test_an_added_or_removed_file_is_seen(tree):
    assert not needs_build(tree["db"])
    (tree["entries"] / "suanli.yaml").unlink()
    assert needs_build(tree["db"])
    assert english_of(tree["db"], "提升算力水平") == {}
    (tree["entries"] / "suanli.yaml").write_text(
        "zh: 算力\npinyin: suànlì\nkind: term\nen: compute\nauthority: curator\n", encoding="utf-8"
    )
    assert needs_build(tree["db"])
    assert english_of(tree["db"], "提升算力水平") == {"算力": "compute"}


# The `glossary` command as launched (glossary.prefetch.launch), with the check forked or not whatever
# the machine's load: both must see the same.
LAUNCH = "from glossary import prefetch; prefetch.core_to_spare = lambda: {spare}; prefetch.launch()"


def annotate_command(db, text: str, *flags: str, forked: bool) -> subprocess.CompletedProcess:
    """`glossary annotate` in a real process, its staleness check made in a forked child or inline."""
    return subprocess.run(
        [sys.executable, "-c", LAUNCH.format(spare=forked), "annotate", *flags, "--format", "json", text],
        capture_output=True,
        env={**os.environ, "GLOSSARY_DB": str(db)},
    )


def test_a_one_off_annotate_builds_with_the_cycle_collector_on(tree):
    """A one-off annotate runs without the cycle collector (prefetch.launch), but a build it has to
    make first runs with it on: the build's parsing makes cycles, and its workers inherit the setting."""
    (tree["entries"] / "suanli.yaml").touch()  # a new ctime: the command compares, finds it in step
    seen = (
        "import gc, sys; from glossary import build, prefetch; prefetch.core_to_spare = lambda: False\n"
        "def ensure_built(*args, _ensure=build.ensure_built, **kwargs):\n"
        "    print('collector on' if gc.isenabled() else 'collector off', file=sys.stderr)\n"
        "    return _ensure(*args, **kwargs)\n"
        "build.ensure_built = ensure_built; prefetch.launch()"
    )
    in_step = subprocess.run(
        [sys.executable, "-c", seen, "annotate", "--db", str(tree["db"]), "提升算力水平"], capture_output=True
    )
    assert in_step.returncode == 0 and b"collector" not in in_step.stderr  # no build: nothing to say
    path = tree["entries"] / "suanli.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("computing power", "computing POWER"), "utf-8")
    stale = subprocess.run(
        [sys.executable, "-c", seen, "annotate", "--db", str(tree["db"]), "--format", "json", "提升算力水平"],
        capture_output=True,
    )
    assert stale.returncode == 0 and b"collector on" in stale.stderr
    assert json.loads(stale.stdout)["entries"]["suanli"]["en"] == "computing POWER"


def test_the_forked_check_says_nothing_when_the_command_has_ended_first(tree):
    # a user error ends the command before its child answers: the child's write then finds no reader
    ended_at_once = (
        "import os, sys; from glossary import prefetch; prefetch.core_to_spare = lambda: True; "
        "prefetch.start(['annotate', '--db', sys.argv[1]]); os._exit(1)"
    )
    result = subprocess.run([sys.executable, "-c", ended_at_once, str(tree["db"])], capture_output=True)
    assert result.returncode == 1 and result.stderr == b""


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "inline"])
@pytest.mark.parametrize("named", [True, False], ids=["--db", "GLOSSARY_DB"])
def test_the_command_sees_an_in_place_rewrite_and_says_it_rebuilds(tree, named, forked):
    flags = ("--db", str(tree["db"])) if named else ()
    first = annotate_command(tree["db"], "提升算力水平", *flags, forked=forked)
    assert first.returncode == 0 and first.stderr == b""  # in step: no rebuild
    path = tree["entries"] / "suanli.yaml"
    with open(path, "r+", encoding="utf-8") as file:  # as an editor saving into the same file
        text = file.read().replace("computing power", "computing POWER")
        file.seek(0)
        file.write(text)
    second = annotate_command(tree["db"], "提升算力水平", *flags, forked=forked)
    assert second.returncode == 0
    assert b"rebuilding (its sources changed)" in second.stderr
    assert json.loads(second.stdout)["entries"]["suanli"]["en"] == "computing POWER"
    third = annotate_command(tree["db"], "提升算力水平", *flags, forked=forked)
    assert third.stderr == b"" and json.loads(third.stdout)["entries"]["suanli"]["en"] == "computing POWER"
