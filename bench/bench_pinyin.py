"""Whole-text pinyin ("pinyin for every word") vs the plain annotation, on text never seen before.

    python bench/bench_pinyin.py [--db terms.sqlite] [--repeat 7] [--size 5000]

Each run takes two fresh slices of the corpus (bench/corpus/*.txt) that no earlier run has touched:
one is annotated plainly, the other annotated and read word by word (glossary.reading.reading), so
neither gains from the memos of the other or of an earlier run. The best time of each is kept, in
CPU time of this thread (time.thread_time: other work on the machine does not count; wall-clock
times are printed too). The process is warmed first on the first slices (the annotator, the lexicon,
pypinyin's tables and numpy loaded: a server past its first 20,000 characters, Lexicon.ARRAYS_AFTER).

`--page` measures what the user feels instead: the annotate page (POST /annotate, Flask's test client,
the whole request: annotation, reading, ruby HTML, term list, template) with "pinyin for every word"
against the plain page, each on its own fresh slices, CPU time of this thread, best of `--repeat`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus"


def slices(size: int):
    """Consecutive, non-overlapping slices of the corpus, each `size` characters."""
    files = sorted(CORPUS.glob("*.txt"))
    if not files:
        sys.exit(f"no corpus in {CORPUS}")
    text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    for start in range(0, len(text) - size + 1, size):
        yield text[start : start + size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="database to use (default: a fresh build in a temp dir)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--size", type=int, default=5000, help="characters per text")
    parser.add_argument("--warm", type=int, default=5, help="texts read before measuring (a server's earlier requests)")
    parser.add_argument("--page", action="store_true", help="the annotate page with and without pinyin for every word")
    args = parser.parse_args()

    import tempfile

    from glossary import Glossary
    from glossary.build import build
    from glossary.reading import reading, use_readings

    if args.db:
        db = Path(args.db)
    else:
        db = Path(tempfile.mkdtemp(prefix="glossary-bench-")) / "terms.sqlite"
        build(db)
    if args.page:
        return page(db, args)
    glossary = Glossary.open(db)
    lexicon = glossary.annotator().lexicon
    use_readings(glossary.store.lexicon_file("lexicon_readings"))  # as the CLI and the web page do
    texts = slices(args.size)

    for _ in range(args.warm):  # loads the annotator, the lexicon and pypinyin's tables
        reading(glossary.annotate(next(texts)), lexicon)

    plain_times, pinyin_times, plain_wall, pinyin_wall = [], [], [], []
    for _ in range(args.repeat):
        plain_text, pinyin_text = next(texts), next(texts)
        start, wall = time.thread_time(), time.perf_counter()
        glossary.annotate(plain_text)
        plain_times.append(time.thread_time() - start)
        plain_wall.append(time.perf_counter() - wall)
        start, wall = time.thread_time(), time.perf_counter()
        reading(glossary.annotate(pinyin_text), lexicon)
        pinyin_times.append(time.thread_time() - start)
        pinyin_wall.append(time.perf_counter() - wall)
    plain, pinyin = min(plain_times), min(pinyin_times)
    print(
        f"pinyin for every word, {args.size:,} fresh characters: {pinyin * 1000:.1f} ms vs plain annotation "
        f"{plain * 1000:.1f} ms of CPU  ratio {pinyin / plain:.2f}x (issue #13: ≤ 1.3x of the page, --page); wall "
        f"{min(pinyin_wall) * 1000:.1f} vs {min(plain_wall) * 1000:.1f} ms ({min(pinyin_wall) / min(plain_wall):.2f}x)"
    )


def page(db: Path, args) -> None:
    from web import create_app

    client = create_app(db).test_client()
    texts = slices(args.size)

    def post(text: str, pinyin: bool) -> tuple[float, float]:
        form = {"text": text, "ambiguous": "on", **({"pinyin": "all"} if pinyin else {})}
        start, wall = time.thread_time(), time.perf_counter()
        response = client.post("/annotate", data=form)
        assert response.status_code == 200, response.status_code
        return time.thread_time() - start, time.perf_counter() - wall

    for _ in range(args.warm):
        post(next(texts), True)
        post(next(texts), False)
    plain, pinyin = [], []
    for _ in range(args.repeat):
        plain.append(post(next(texts), False))
        pinyin.append(post(next(texts), True))
    (cpu, wall), (plain_cpu, plain_wall) = map(min, zip(*pinyin, strict=True)), map(min, zip(*plain, strict=True))
    print(
        f"annotate page, {args.size:,} fresh characters: pinyin for every word {cpu * 1000:.1f} ms vs plain page "
        f"{plain_cpu * 1000:.1f} ms of CPU  ratio {cpu / plain_cpu:.2f}x (target ≤ 1.3x); wall clock "
        f"{wall * 1000:.1f} vs {plain_wall * 1000:.1f} ms ({wall / plain_wall:.2f}x)"
    )


if __name__ == "__main__":
    main()
