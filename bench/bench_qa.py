"""Terminology QA speed: QA of a 5,000-segment XLIFF vs annotating its source text alone, in the same run.

    python bench/bench_qa.py [--db terms.sqlite] [--segments 5000] [--repeat 3]

The XLIFF is generated from the real Chinese of bench/corpus/ (sentences in order until --segments), with
English targets built from the glossary's renderings: for each term the annotator finds, mostly the
preferred rendering, sometimes an admitted or deprecated one, sometimes none, inside filler English.
Measured in CPU time of the process, best of --repeat, run in turn:

  annotate  the source segments joined into one text, annotated with JSON out, exactly as
            bench_annotate.py measures annotation (to_json(glossary.annotate(text).to_dict()))
  qa        read the XLIFF + check every segment + the JSON report (compact, like the annotate JSON)
  ratio     qa / annotate; the target is ≤ 3×. Also shown: the ratio to the annotation alone, no JSON

Each timed call starts with the garbage of the others collected (untimed): both QA and the annotator
pause the cycle collector while they make their results, so the collection of one's young objects
would otherwise fall in the next one's time (QA's report, in the annotation's: a flattering ratio).
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_annotate import in_turn  # noqa: E402

CORPUS = ROOT / "bench" / "corpus"
SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")


def sentences(limit: int) -> list[str]:
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        for m in SENTENCE.finditer(path.read_text(encoding="utf-8")):
            text = m.group().strip()
            if len(text) >= 8:
                out.append(text)
                if len(out) == limit:
                    return out
    sys.exit(f"the corpus has only {len(out)} sentences of 8 characters or more")


def english(glossary, source: str, n: int) -> str:
    """A target using the glossary's renderings for the terms of `source` (varied, as real work is)."""
    words = ["The plan"]
    for k, span in enumerate(glossary.annotate(source).spans):
        entry = glossary.get(span.id)
        renderings = entry.all_renderings()
        pick = (n + k) % 20
        if pick == 0:
            continue  # left out: a `missing` finding
        if pick == 1 and len(renderings) > 1:
            words.append(renderings[1].en)  # admitted, or deprecated where that is the second one listed
        else:
            words.append(entry.en)
        words.append("and")
    words.append("further measures will be taken.")
    return " ".join(words)


def write_xliff(path: Path, pairs: list[tuple[str, str]]) -> None:
    units = "\n".join(
        f'  <trans-unit id="{i}"><source>{escape(s)}</source><target>{escape(t)}</target></trans-unit>'
        for i, (s, t) in enumerate(pairs, 1)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" '
        'xmlns="urn:oasis:names:tc:xliff:document:1.2">\n<file source-language="zh-CN" '
        f'target-language="en" datatype="plaintext" original="corpus"><body>\n{units}\n'
        "</body></file></xliff>\n",
        encoding="utf-8",
    )


def settled_in_turn(fns: list, repeat: int) -> list[list[float]]:
    """in_turn, with the garbage collected before each call (see the module's docstring)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, taken in zip(fns, times, strict=True):
            gc.collect()
            taken.extend(in_turn([fn], 1)[0])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "terms.sqlite"))
    parser.add_argument("--segments", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    from glossary import Glossary, formats, qa

    glossary = Glossary.open(args.db)
    sources = sentences(args.segments)
    pairs = [(s, english(glossary, s, n)) for n, s in enumerate(sources)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "job.xlf"
        write_xliff(path, pairs)
        size = path.stat().st_size
        joined = "\n".join(sources)
        glossary.annotate(joined)  # the automaton and lexicon are loaded before either timing

        from glossary.render import to_json

        def annotate():
            to_json(glossary.annotate(joined).to_dict(), indent=False)

        def annotate_bare():
            glossary.annotate(joined).to_dict()

        report = None

        def check():
            nonlocal report
            report = qa.check(glossary, formats.read_file(path))
            qa.to_json(report, indent=False)

        start = time.process_time()
        check()  # lemminflect's lexicon loads and the lemma cache fills on the first run
        first_qa = time.process_time() - start
        qa_times, annotate_times, bare_times = settled_in_turn([check, annotate, annotate_bare], args.repeat)
        best_qa, best_annotate, best_bare = min(qa_times), min(annotate_times), min(bare_times)
    summary = report.summary()
    print(f"{len(sources):,} segments, {len(joined):,} Chinese characters, XLIFF {size / 1e6:.1f} MB")
    print(f"{summary['terms']:,} terms checked, {summary['findings']:,} findings {summary['by_kind']}")
    print(
        f"annotate the source text alone, JSON out:  {best_annotate * 1000:8.0f} ms"
        f"  (without JSON: {best_bare * 1000:.0f} ms)"
    )
    print(
        f"QA (read XLIFF + check + JSON):            {best_qa * 1000:8.0f} ms  "
        f"(first run in the process: {first_qa * 1000:.0f} ms)"
    )
    print(
        f"ratio: {best_qa / best_annotate:.2f}×  (target ≤ 3×; {best_qa / best_bare:.2f}× the annotation without JSON)"
    )


if __name__ == "__main__":
    main()
