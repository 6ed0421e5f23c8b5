"""The annotator at termbase scale: synthetic glossaries of 5,000, 20,000 and 100,000 entries.

    python bench/bench_scale.py [--sizes 5000,20000,100000] [--repeat 9] [--keep DIR]

For each size it writes the glossary itself (bench/scale_glossary.py: the curated entries plus
CC-CEDICT words as entry files) into a temporary folder and reports, each as measured in the same run:

1. full build: `glossary build` of the new folder (wall time, peak memory)
2. one-entry edit: one entry's rendering changed, then `glossary build` (re-index time), and the
   next `glossary annotate` shows the new rendering; touching every file rebuilds nothing
3. cold start: `glossary annotate` of a 300-character paste vs `python -I -c pass` (median of runs,
   bytecode cached as a user has it after a first run)
4. throughput: annotate + JSON in process on the corpus (bench/corpus, ≥ 1 MB) vs a bare
   pyahocorasick scan of the same surface forms; and the whole CLI (`--format json --file`) vs that scan
5. boundary precision and recall on tests/cases/boundaries.yaml
6. peak memory of the CLI on the corpus
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_annotate import best_of, boundary_scores, corpus_text  # noqa: E402
from scale_glossary import write  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode as a user has it


# Children are started by this small launcher, which reports their peak memory: measured from this
# process (which holds CC-CEDICT and an annotator) a child's maximum RSS would include ours at fork.
LAUNCHER = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "open(sys.argv[1], 'w').write(f'{u.ru_maxrss} {u.ru_utime + u.ru_stime}'); sys.exit(code)"
)


CPU: dict[tuple, float] = {}  # CPU seconds of the last run of each command (on a busy machine, fairer than wall)


def run(cmd: list[str], stdin: bytes | None = None) -> tuple[float, float, bytes]:
    """Wall seconds, peak memory (MB) and standard output of one command (its CPU seconds in CPU)."""
    with tempfile.NamedTemporaryFile(suffix=".maxrss") as report:
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-I", "-c", LAUNCHER, report.name, *cmd],
            input=stdin or b"",
            capture_output=True,
            env=ENV,
            cwd=tempfile.gettempdir(),
        )
        took = time.perf_counter() - start
        if child.returncode:
            sys.exit(f"failed: {' '.join(cmd)}\n{child.stderr.decode(errors='replace')}")
        peak, cpu = Path(report.name).read_text().split()
    CPU[tuple(cmd)] = float(cpu)
    return took, int(peak) / 1024, child.stdout


def bare_run(cmd: list[str]) -> float:
    """Wall seconds of a command started directly (the cold-start comparison has no launcher)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=ENV, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def cold_run(cmd: list[str], stdin: bytes) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, input=stdin, check=True, env=ENV, cwd=tempfile.gettempdir(), capture_output=True)
    return time.perf_counter() - start


def measure(size: int, folder: Path, text: str, repeat: int) -> dict:
    import ahocorasick
    import orjson

    from glossary import Glossary

    count = write(folder, size)
    db, entries, sources = folder / "terms.sqlite", folder / "entries", folder / "sources.yaml"
    glossary_cmd = [sys.executable, "-m", "glossary"]
    where = ["--db", str(db)]
    out: dict = {"size": count}

    build_cmd = [*glossary_cmd, "build", *where, "--entries", str(entries), "--sources", str(sources)]
    out["build_load"] = os.getloadavg()[0]  # other work on the machine: the wall clock counts it, CPU less so
    out["build"], out["build_peak"], _ = run(build_cmd)
    out["build_cpu"] = CPU[tuple(build_cmd)]
    files = sorted(entries.glob("*.yaml"))
    plain = [p for p in files[len(files) // 2 :] if "renderings:" not in p.read_text(encoding="utf-8")]
    edited = plain[0]  # an entry whose `en` has no rendering list to agree with
    with Glossary.open(db, build=False) as glossary:
        entry = glossary.get(edited.stem)
    new_en = f"{entry.en} (edited)"
    edited.write_text(edited.read_text(encoding="utf-8").replace(f"en: {entry.en}", f"en: {new_en}"), "utf-8")
    out["edit"], _, report = run(build_cmd)
    out["edit_cpu"] = CPU[tuple(build_cmd)]
    out["edit_report"] = report.decode().strip()
    shown = run([*glossary_cmd, "annotate", *where, "--format", "json"], entry.zh.encode())[2].decode()
    out["edit_shown"] = new_en in shown
    for path in entries.iterdir():
        os.utime(path)
    out["touched"], _, _ = run([*glossary_cmd, "annotate", *where], "算力".encode())
    out["touched_after"], _, _ = run([*glossary_cmd, "annotate", *where], "算力".encode())

    paste = text[:300].encode()
    run([*glossary_cmd, "annotate", *where], paste)  # writes the bytecode and the lexicon cache once
    python = statistics.median(bare_run([sys.executable, "-I", "-c", "pass"]) for _ in range(repeat))
    cold = statistics.median(cold_run([*glossary_cmd, "annotate", *where], paste) for _ in range(repeat))
    out.update(python=python, cold=cold)

    with Glossary.open(db, build=False) as glossary:
        automaton = ahocorasick.Automaton()
        for form, entry_id in glossary.store.forms():
            automaton.add_word(form, (len(form), entry_id))
        automaton.make_automaton()
        glossary.annotate(text[:1000])  # the annotator and its lexicon loaded, as in a long run

        def bare_scan():
            return sum(1 for _ in automaton.iter(text))

        def annotate_json():  # as the JSON outputs do it (see bench_annotate.py)
            return orjson.dumps(glossary.annotate(text).json_dict())

        out["scan"] = best_of(bare_scan, max(3, repeat // 3))
        out["annotate"] = best_of(annotate_json, max(3, repeat // 3))
        out["spans"] = len(glossary.annotate(text).spans)
        out["boundaries"] = boundary_scores(glossary)
    corpus = folder / "corpus.txt"
    corpus.write_text(text, encoding="utf-8")
    cli_runs = [run([*glossary_cmd, "annotate", *where, "--format", "json", "--file", str(corpus)]) for _ in range(3)]
    out["cli"] = min(r[0] for r in cli_runs)
    out["cli_peak"] = max(r[1] for r in cli_runs)
    return out


def report(r: dict, mb: float) -> None:
    b = r["boundaries"]
    print(f"== {r['size']:,} entries")
    print(
        f"1. full build: {r['build']:.1f} s, {r['build_cpu']:.1f} s of CPU, its workers' included "
        f"(peak memory {r['build_peak']:.0f} MB; load average {r['build_load']:.1f}; target < 20 s at 100k)"
    )
    print(
        f"2. one-entry edit re-indexed by `glossary build`: {r['edit']:.2f} s ({r['edit_cpu']:.2f} s of CPU); "
        f"shown by the next annotate: "
        f"{r['edit_shown']}; {r['edit_report']}"
    )
    print(
        f"   every file touched, next annotate: {r['touched'] * 1000:.0f} ms, the one after: "
        f"{r['touched_after'] * 1000:.0f} ms"
    )
    print(
        f"3. cold start, 300 characters: {r['cold'] * 1000:.0f} ms vs python -I -c pass {r['python'] * 1000:.0f} ms: "
        f"{r['cold'] / r['python']:.1f}x (target ≤ 5x)"
    )
    print(
        f"4. {mb:.2f} MB: bare pyahocorasick scan {r['scan'] * 1000:.0f} ms; annotate + JSON in process "
        f"{r['annotate'] * 1000:.0f} ms ({r['spans']:,} spans): {r['annotate'] / r['scan']:.2f}x (target ≤ 1.3x); "
        f"whole CLI {r['cli'] * 1000:.0f} ms: {r['cli'] / r['scan']:.2f}x (target ≤ 1.5x)"
    )
    print(
        f"5. boundary set: precision {b['precision']:.3f} every tag, {b['claim_precision']:.3f} claims only "
        f"({b['wrong_claims']} wrong of {b['claims']}); recall {b['recall']:.3f}"
    )
    print(f"6. peak memory, CLI on the corpus: {r['cli_peak']:.0f} MB")
    for kind, entry_id, sentence in b["wrong"]:
        if kind != "flagged ambiguous":
            print(f"   {kind}: {entry_id} in {sentence}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000,100000")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--keep", help="write the glossaries here (kept) instead of a temporary folder")
    args = parser.parse_args()
    text = corpus_text()
    mb = len(text.encode()) / 1e6
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="glossary-scale-"))
    for size in (int(s) for s in args.sizes.split(",")):
        folder = base / str(size)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "terms.sqlite").unlink(missing_ok=True)
        report(measure(size, folder, text, args.repeat), mb)


if __name__ == "__main__":
    main()
