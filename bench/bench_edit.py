"""A one-entry edit re-indexed at termbase scale (issue #10: < 1 s at 100,000 entries).

    python bench/bench_scale.py --sizes 100000 --keep DIR     # writes and builds DIR/100000 once
    python bench/bench_edit.py DIR/100000 [--rounds 3]

On a built glossary folder, each round makes three edits of one entry file, as a user does, and
reports each one's CPU seconds (the command's own, user + system) and wall seconds, with the load
average the machine had when it started, then puts the file back (rebuilt, not counted):

1. one rendering changed, saved into the same file, then `glossary build`
2. a variant added, saved into the same file, then `glossary build`
3. one rendering changed, saved by renaming a new file over the old one (as many editors do),
   then the next `glossary annotate`, which notices it and brings the database up to date first
   (a folder of more than 10,000 files: commands see files added, removed or replaced; an edit
   saved into the same file is for `glossary build` to see)
4. and 5. as 1. and 2., then `glossary build FILE`, naming the edited file (an editor's on-save hook):
   no look at the other files

Each edit is at least 2 s after the build before it, as a user's edit comes (see build.RACY_NS).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode as a user has it


def run(args: list[str], stdin: bytes = b"") -> tuple[float, float, str]:
    """CPU and wall seconds and standard output of one `glossary` command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.run([sys.executable, "-m", "glossary", *args], input=stdin, capture_output=True, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode:
        sys.exit(f"failed: glossary {' '.join(args)}\n{child.stderr.decode(errors='replace')}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, wall, child.stdout.decode()


def save_in_place(path: Path, text: str) -> None:
    with open(path, "r+", encoding="utf-8") as file:
        file.write(text)
        file.truncate()


def save_by_rename(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.new")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a glossary folder (entries/, sources.yaml, terms.sqlite)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = args.folder.resolve()
    where = ["--db", str(folder / "terms.sqlite")]
    build = ["build", *where, "--entries", str(folder / "entries"), "--sources", str(folder / "sources.yaml")]
    run(build)  # in step before the first edit
    files = sorted((folder / "entries").glob("*.yaml"))
    path = next(
        p for p in files[len(files) // 2 :] if "renderings:" not in (t := p.read_text("utf-8")) and "variants:" not in t
    )
    original = path.read_text(encoding="utf-8")
    en = next(line for line in original.splitlines() if line.startswith("en: "))
    zh = next(line for line in original.splitlines() if line.startswith("zh: "))[4:].strip("'\"")
    pinyin = next(line for line in original.splitlines() if line.startswith("pinyin: "))[8:]
    print(f"{len(files):,} entry files; the entry edited: {path.name} ({zh})")
    rendering = original.replace(en, f"{en} (edited)")
    variant = original.replace("kind: ", f"variants:\n- form: “{zh}”\n  pinyin: {pinyin}\nkind: ", 1)
    named = [*build, str(path)]
    edits = {
        "rendering, `glossary build`": (save_in_place, rendering, build, "(edited)"),
        "variant added, `glossary build`": (save_in_place, variant, build, "“"),
        "rendering saved by rename, next `glossary annotate`": (
            save_by_rename,
            original.replace(en, f"{en} (renamed)"),
            ["annotate", *where, "--format", "json"],
            "(renamed)",
        ),
        "rendering, `glossary build FILE`": (save_in_place, rendering, named, "(edited)"),
        "variant added, `glossary build FILE`": (save_in_place, variant, named, "“"),
    }
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in edits}
    for _ in range(args.rounds):
        for name, (save, text, command, shown) in edits.items():
            time.sleep(2.1)
            load = os.getloadavg()[0]
            save(path, text)
            cpu, wall, out = run(command, zh.encode())
            if command[0] == "build":
                out = run(["show", *where, path.stem])[2]
            if shown not in out:
                sys.exit(f"the edit was not seen: {name}")
            results[name].append((cpu, wall, load))
            print(f"  {name}: {cpu:.2f} s CPU, {wall:.2f} s wall (load {load:.1f})", flush=True)
            time.sleep(2.1)
            save_in_place(path, original)
            run(build)
    for name, runs in results.items():
        cpus, walls = sorted(r[0] for r in runs), sorted(r[1] for r in runs)
        loads = ", ".join(f"{r[2]:.1f}" for r in runs)
        print(f"{name}: CPU {cpus[0]:.2f}-{cpus[-1]:.2f} s, wall {walls[0]:.2f}-{walls[-1]:.2f} s", end=" ")
        print(f"(load {loads}; target < 1 s)")


if __name__ == "__main__":
    main()
