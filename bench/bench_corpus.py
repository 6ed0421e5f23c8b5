"""Corpus speed: `corpus add` with 1 and 2 worker processes, and timeline / concordance queries.

    python bench/bench_corpus.py FOLDER [--db terms.sqlite] [--limit 400] [--term 高质量发展]
    python bench/bench_corpus.py --queries-only corpus.sqlite [--term 高质量发展]   # queries on a corpus you have

FOLDER holds dated text or Markdown files (dates in the names, e.g. 20190301.md); the first --limit
of them, in name order, are added to fresh copies of the database (the glossary is copied, never
changed). Wall-clock times, in the same run:

  add --jobs 1      documents and characters per second, one process
  add --jobs 2      the same with two worker processes (spawned; the start-up is included)
  ratio             jobs 2 / jobs 1 throughput
  timeline / kwic   median of 5 runs of a year timeline and a 200-line concordance of --term (by date,
                    and by left context, which needs every line)
  peak memory       of this process (ru_maxrss), which writes while the workers annotate
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def add(db: Path, files: list[Path], jobs: int) -> tuple[float, int]:
    from glossary.corpus import Corpus, collect

    specs = collect(files, source="bench")
    with Corpus(db) as corpus:
        corpus.update()  # the fingerprints of a fresh corpus, outside the timing
        start = time.perf_counter()
        report = corpus.add(specs, jobs=jobs)
        elapsed = time.perf_counter() - start
        assert report.added == len(files), report
        chars = corpus.stats(stale=False)["chars"]
    return elapsed, chars


def median_time(run, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def queries(db: Path, term: str) -> None:
    from glossary import Glossary
    from glossary.corpus import Corpus
    from glossary.usage import kwic, timeline

    with Glossary.open(db, build=False) as glossary, Corpus(db) as corpus:
        entry = glossary.lookup(term)
        if entry is None:
            sys.exit(f"no entry for {term}")
        size = corpus.stats(stale=False)
        t = median_time(lambda: timeline(corpus, entry.id, "year"))
        k = median_time(lambda: kwic(corpus, entry.id, limit=200))
        left = median_time(lambda: kwic(corpus, entry.id, sort="left", limit=200))
        n = kwic(corpus, entry.id, limit=1)[1]
        print(
            f"corpus of {size['documents']} documents, {size['chars']:,} characters, "
            f"{size['occurrences']:,} occurrences: "
            f"timeline {term} ({n} uses) {t * 1000:.0f} ms; kwic 200 lines by date {k * 1000:.0f} ms, "
            f"by left context {left * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--db", default=str(ROOT / "terms.sqlite"))
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--term", default="高质量发展")
    parser.add_argument(
        "--queries-only", type=Path, metavar="CORPUS_DB", help="Only time the queries on this database."
    )
    args = parser.parse_args()
    if args.queries_only:
        queries(args.queries_only, args.term)
        return
    if args.folder is None:
        parser.error("give a FOLDER of dated files, or --queries-only CORPUS_DB")

    from glossary.build import needs_build

    if needs_build(args.db):  # not built here: a build's own peak memory would hide the corpus's
        sys.exit(f"build the glossary first: glossary build --db {args.db}")
    files = sorted(p for p in args.folder.rglob("*") if p.suffix in (".md", ".txt"))[: args.limit]
    if not files:
        sys.exit(f"no .md or .txt files under {args.folder}")
    with tempfile.TemporaryDirectory() as tmp:
        rates = {}
        for jobs in (1, 2):
            db = Path(tmp) / f"jobs{jobs}.sqlite"
            shutil.copy(args.db, db)
            elapsed, chars = add(db, files, jobs)
            rates[jobs] = len(files) / elapsed
            print(
                f"add --jobs {jobs}: {len(files)} documents, {chars:,} characters in {elapsed:.1f} s: "
                f"{len(files) / elapsed:.1f} documents/s, {chars / elapsed / 1000:.0f}k characters/s"
            )
        print(f"ratio jobs 2 / jobs 1: {rates[2] / rates[1]:.2f}x")
        queries(Path(tmp) / "jobs1.sqlite", args.term)
    print(f"peak memory of the writing process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
