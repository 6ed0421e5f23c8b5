"""The staleness check of `glossary annotate`, started on another core as the command launches.

Every annotate first asks whether the database is behind its entry files (build.needs_build): for a
folder of up to SMALL_FOLDER files that is a `stat` of each file, so that an entry rewritten in place
is seen — tens of milliseconds of system time, as long as importing the command's own modules. A
forked child makes that check while the parent imports (as git's preloaded index stats files in
parallel) and answers through a pipe; the parent waits for the answer only where it would have made
the check itself. Threads would not do: each `stat` of the loop has to win the GIL back from the
importing thread. Where fork is missing, no core is to spare (a busy machine: the child would only
compete with the parent), or anything about the child goes wrong, the parent checks for itself.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

PREFETCHED_COMMANDS = {"annotate"}
_pending: dict[str, tuple[int, int]] = {}  # database path → (child's pid, read end of its pipe)


def start(args: list[str]) -> None:
    """Fork the check for the database the command line names, if it is a command that checks. The
    child answers "?" where a big folder's files would have to be compared: the command's own check
    keeps what it found for the build that follows, the child's would be lost."""
    if not hasattr(os, "fork") or not args or args[0] not in PREFETCHED_COMMANDS or not core_to_spare():
        return
    db = database_named(args[1:])
    if db is None or not os.path.isfile(db):
        return  # a first build says what it does; nothing to gain here
    # imported before the fork: the command imports it anyway, and a child importing it (json, sqlite3,
    # the store) for itself spent half as much CPU again as its check (≈ 25 ms of ≈ 55)
    from glossary.build import needs_build

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer b"1" (stale) or b"0", never return into the command
        answer = b"?"
        try:
            os.close(read_end)
            stale = needs_build(db, compare_big=False)
            answer = b"?" if stale is None else b"1" if stale else b"0"
        finally:
            try:
                os.write(write_end, answer)
            except OSError:  # the command ended first (a user error, say): nobody to answer, nothing to say
                pass
            os._exit(0)
    os.close(write_end)
    _pending[db] = (pid, read_end)


def core_to_spare() -> bool:
    """Whether another core is idle now: on a busy machine the child only competes with the command it
    should save time for. Linux says how many tasks are running at this instant (/proc/loadavg, this
    one included); elsewhere the last minute's load average stands in for it."""
    try:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        try:
            with open("/proc/loadavg", encoding="ascii") as file:
                running = int(file.read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            running = int(os.getloadavg()[0]) + 1
        return running < cores
    except OSError:
        return False


def database_named(args: list[str]) -> str | None:
    """The database the CLI will use: --db, else GLOSSARY_DB, else the default (as cli._db_default)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--db":
            return os.path.abspath(args[i + 1]) if i + 1 < len(args) else None
        if arg.startswith("--db="):
            return os.path.abspath(arg[5:])
    if os.environ.get("GLOSSARY_DB"):
        return os.path.abspath(os.environ["GLOSSARY_DB"])
    from glossary.locations import default_db

    return os.path.abspath(default_db())


def needs_build(db: str | Path) -> bool:
    """build.needs_build, answered by the child started for this database if there is one. A build
    to come runs with the cycle collector on (see launch): its parsing makes cycles, and the workers
    it forks would inherit the collector off."""
    stale = _needs_build(db)
    if stale:
        gc.enable()
    return stale


def _needs_build(db: str | Path) -> bool:
    pending = _pending.pop(os.path.abspath(db), None)
    if pending is not None:
        answer = _answer(*pending)
        if answer is not None:
            return answer
    from glossary.build import needs_build as check

    return bool(check(db))  # (compares a big folder's files itself: never None)


def _answer(pid: int, read_end: int) -> bool | None:
    try:
        with os.fdopen(read_end, "rb") as pipe:
            answer = pipe.read()
        os.waitpid(pid, 0)
    except OSError:
        return None
    return {b"1": True, b"0": False}.get(answer)


def launch() -> None:
    """The `glossary` command: the check started, then the CLI (imported after the fork, so the
    child does not carry it).

    A one-off annotation runs without Python's cycle collector, and whatever a command made is left
    to the exit: the collector only walked over objects that live to the end (the modules as they
    are imported, then the annotator's data and the output's tables, at the first pass after the
    annotation and again at exit), freeing nothing — 40–60 ms of a whole corpus's run. The
    annotation makes no cycles (see annotate.collector_paused); a --jsonl batch, which may run for
    hours, keeps the collector, and so does a build the command has to make first (needs_build)."""
    args = sys.argv[1:]
    start(args)
    if args[:1] == ["annotate"] and "--jsonl" not in args:
        gc.disable()
    from glossary.cli import main

    try:
        main()
    finally:
        gc.freeze()  # (the collection at exit passes over frozen objects)
