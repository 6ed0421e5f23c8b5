"""Where a full `glossary build` spends its time: wall and CPU of each phase, in one process.

    python bench/profile_build.py FOLDER [DB]

FOLDER holds `entries/`, `sources.yaml` (and `ordinary_words.txt`), as bench/scale_glossary.py
writes them; DB (default: a new file in a temporary folder) is built from scratch. The phases are
the build's own functions, each timed where it is called (nested phases are inside their callers'
figures); the workers' CPU is counted once the pool has ended (RUSAGE_CHILDREN).
"""

from __future__ import annotations

import functools
import resource
import sys
import tempfile
import time
from pathlib import Path

PHASES = (
    "scan_files",
    "_preload",
    "_insert_rows",
    "_index_search",
    "_set_meta",
    "_read_files",
    "_kept_forms",
    "_check",
    "_apply",
    "_insert",
    "_refresh_annotator",
    "_annotator_base",
    "_automaton_of",
    "_forms_mark",
    "_refresh_lexicon",
    "_traditional_chars",
    "_write_check_tables",
)


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed(name: str, function, figures: dict):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        wall, own, children = time.perf_counter(), cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
        try:
            return function(*args, **kwargs)
        finally:
            was = figures.get(name, (0.0, 0.0, 0.0))
            figures[name] = (
                was[0] + time.perf_counter() - wall,
                was[1] + cpu(resource.RUSAGE_SELF) - own,
                was[2] + cpu(resource.RUSAGE_CHILDREN) - children,
            )

    return wrapper


def main() -> None:
    from glossary import build

    folder = Path(sys.argv[1])
    db = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp()) / "terms.sqlite"
    figures: dict[str, tuple[float, float, float]] = {}
    for name in PHASES:
        setattr(build, name, timed(name, getattr(build, name), figures))
    wall, own, children = time.perf_counter(), cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    build.build(db, folder / "entries", folder / "sources.yaml")
    figures["whole build"] = (
        time.perf_counter() - wall,
        cpu(resource.RUSAGE_SELF) - own,
        cpu(resource.RUSAGE_CHILDREN) - children,
    )
    print(f"{'phase':<22} {'wall s':>8} {'CPU s':>8} {'workers':>8}")
    for name, (w, c, k) in figures.items():
        print(f"{name:<22} {w:8.2f} {c:8.2f} {k:8.2f}")


if __name__ == "__main__":
    main()
