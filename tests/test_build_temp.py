"""A killed build leaves its temporary database beside the real one; the next build removes it,
and only files of that exact pattern whose builder is gone."""

import os
import subprocess
import sys
import time

from glossary.build import build


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_build_removes_the_temporary_files_of_killed_builds_and_nothing_else(tmp_path, fixture_paths):
    dead, alive, hour_ago = _dead_pid(), os.getpid(), time.time() - 3700
    stale = [
        f"terms.sqlite.{dead}.k2j_9x0a.tmp",  # a killed build of this version
        "terms.sqlite.a1b2c3d4.tmp",  # a killed build of an earlier version (no pid), an hour old
        f".terms.sqlite.0123456789ab.2026-01-01T000000+0000.{dead}.tmp",
    ]  # a killed lexicon cache write
    kept = [
        f"terms.sqlite.{alive}.zz99yy88.tmp",  # a build still running
        "terms.sqlite.e5f6g7h8.tmp",  # an earlier version's build, started a moment ago
        f"other.sqlite.{dead}.k2j_9x0a.tmp",
        "terms.sqlite.notes.tmp",
        "terms.sqlite.backup",
    ]
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"x" * 100)
    for name in ("terms.sqlite.a1b2c3d4.tmp",):
        os.utime(tmp_path / name, (hour_ago, hour_ago))
    build(tmp_path / "terms.sqlite", fixture_paths["entries"], fixture_paths["sources"])
    left = {p.name for p in tmp_path.iterdir() if not p.name.endswith(".pinyin")}  # (the check's tables)
    assert left == {"terms.sqlite", *kept}
