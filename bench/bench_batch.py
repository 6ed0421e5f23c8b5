"""Many documents: `glossary annotate --jsonl` (one process, then `--jobs N`) against one CLI call per
file, on the reports of bench/corpus (repeated to make the run long enough to time), with the size of
the JSON against the size of the input.

    python bench/bench_batch.py                    # uses terms.sqlite (built first if needed)
    python bench/bench_batch.py --repeat 4 --jobs 1,2

Every figure is a ratio within the same run; the output lines are checked to be the same whatever
the number of jobs. Writes bench/out/batch.json as well as printing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"


def run(args: list[str], db: str) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "glossary", "annotate", *args, "--db", db], capture_output=True, check=True
    )
    return time.perf_counter() - t0, result.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="terms.sqlite")
    parser.add_argument("--repeat", type=int, default=4, help="times each corpus file is listed")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--per-file", type=int, default=24, help="files annotated one CLI call each")
    args = parser.parse_args(argv)

    from glossary import Glossary

    with Glossary.open(args.db) as glossary:  # built if needed, before anything is timed
        db = str(glossary.store.path)
    files = sorted(str(p) for p in CORPUS.glob("*.txt"))
    batch = files * args.repeat
    size = sum(Path(f).stat().st_size for f in batch)

    per_file = [run(["--format", "json", "--file", f], db)[0] for f in files[: args.per_file]]
    per_call = sum(per_file) / len(per_file)
    results, outputs = {}, set()
    for jobs in [int(j) for j in args.jobs.split(",")]:
        seconds, out = run(["--jsonl", "--jobs", str(jobs), *batch], db)
        outputs.add(out)
        results[jobs] = round(seconds, 2)
    lines = next(iter(outputs)).splitlines()
    spans_only = sum(len(json.dumps(json.loads(line)["spans"], ensure_ascii=False).encode()) for line in lines)
    one = results[min(results)]
    report = {
        "documents": len(batch),
        "input_bytes": size,
        "cpu_count": os.cpu_count(),
        "one_cli_call_per_file_s": round(per_call, 3),
        "per_file_calls_for_the_batch_s (estimated)": round(per_call * len(batch), 1),
        "jsonl_seconds_by_jobs": results,
        "speed_up_by_jobs": {j: round(one / s, 2) for j, s in results.items()},
        "same_output_for_every_jobs": len(outputs) == 1,
        "json_over_input": round(sum(len(line) + 1 for line in lines) / size, 2),
        "spans_json_over_input": round(spans_only / size, 2),
    }
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "batch.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{len(batch)} documents, {size:,} bytes, {os.cpu_count()} cores")
    print(f"one CLI call per file: {per_call:.3f} s each, ≈{per_call * len(batch):.1f} s for the batch")
    for jobs, seconds in results.items():
        print(f"--jsonl --jobs {jobs}: {seconds:.2f} s  ({one / seconds:.2f}× --jobs {min(results)})")
    print(f"same output for every --jobs: {report['same_output_for_every_jobs']}")
    print(f"JSON / input: {report['json_over_input']}× (spans alone {report['spans_json_over_input']}×)")
    return 0 if report["same_output_for_every_jobs"] else 1


if __name__ == "__main__":
    sys.exit(main())
