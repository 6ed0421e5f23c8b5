"""Same spans and JSON before and after a speed change: write every output to a folder, compare two.

    python bench/same_output.py --db terms.sqlite --out before/     # on the old code
    python bench/same_output.py --db terms.sqlite --out after/ --against before/

Outputs: the whole corpus (bench/corpus, long-text path) and 5,000-character slices of it (short-text
path), a traditional-script version of it (OpenCC, Taiwan and Hong Kong), each with the default
options and with filters (--kind, --min-length, --no-ambiguous, --region, --entry-region,
ordinary words, no boundaries); tests/cases/boundaries.yaml sentence by sentence; the term lists and
text rendering; and the CLI's own output (`annotate --format json|text --file`, `--jsonl`, filters).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_annotate import ROOT, corpus_text  # noqa: E402

OPTIONS = {
    "default": {},
    "kind": {"entry_filter": ("organization,person", None, 0)},
    "min-length": {"entry_filter": (None, None, 3)},
    "no-ambiguous": {"ambiguous": False},
    "ordinary": {"ordinary": True},
    "region-tw": {"region": "tw"},
    "region-hk": {"region": "hk"},
    "entry-region": {"entry_filter": (None, "tw,none", 0)},
    "no-boundaries": {"boundaries": False},
    "mixed": {"ambiguous": False, "region": "tw", "entry_filter": ("term,organization", None, 2)},
}
CLI_FLAGS = {
    "default": [],
    "filters": ["--kind", "term,organization", "--min-length", "3", "--no-ambiguous", "--region", "tw"],
    "ordinary": ["--ordinary-words", "--entry-region", "prc,none"],
}


def options(name: str) -> dict:
    from glossary.filters import make

    chosen = dict(OPTIONS[name])
    if "entry_filter" in chosen:
        kinds, regions, min_length = chosen["entry_filter"]
        chosen["entry_filter"] = make(kinds=kinds, regions=regions, min_length=min_length)
    return chosen


def outputs(db: Path, work: Path) -> dict[str, bytes]:
    import yaml

    from glossary import Glossary
    from glossary.chinese import converter
    from glossary.render import to_text

    text = corpus_text()
    texts = {"corpus": text}
    for config in ("s2twp", "s2hk"):
        texts[config] = converter(config).convert(text[:200_000])
    out: dict[str, bytes] = {}
    with Glossary.open(db, build=False) as glossary:
        for text_name, whole in texts.items():
            for name in OPTIONS:
                annotation = glossary.annotate(whole, **options(name))
                out[f"{text_name}-{name}"] = orjson.dumps(annotation.to_dict())
                out[f"{text_name}-{name}-terms"] = orjson.dumps(annotation.terms())
                slices = [glossary.annotate(whole[i : i + 5000], **options(name)) for i in range(0, len(whole), 5000)]
                out[f"{text_name}-{name}-slices"] = orjson.dumps([a.to_dict() for a in slices])
            out[f"{text_name}-text"] = to_text(glossary.annotate(whole)).encode()
        cases = yaml.safe_load((ROOT / "tests" / "cases" / "boundaries.yaml").read_text(encoding="utf-8"))
        for name in ("default", "ordinary", "no-ambiguous"):
            out[f"boundaries-{name}"] = orjson.dumps(
                [glossary.annotate(case["text"], **options(name)).to_dict() for case in cases]
            )
    files = []
    for text_name, whole in texts.items():
        (work / f"{text_name}.txt").write_text(whole, encoding="utf-8")
        files.append(f"{text_name}.txt")  # named from the folder, so that the JSON Lines are the same in any
    command = [sys.executable, "-m", "glossary", "annotate", "--db", str(db.resolve())]
    for path in files:
        for name, flags in CLI_FLAGS.items():
            for fmt in ("json", "text"):
                out[f"cli-{Path(path).stem}-{name}-{fmt}"] = cli_output(
                    [*command, "--format", fmt, *flags, "--file", path], work
                )
    out["cli-jsonl"] = cli_output([*command, "--jsonl", *files], work)
    return out


def cli_output(command: list[str], work: Path) -> bytes:
    """What a command writes, standard output then its messages, run in the work folder (as every
    same_*.py script records the CLI's own output)."""
    run = subprocess.run(command, capture_output=True, cwd=work)
    return run.stdout + run.stderr


def first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    show = slice(max(0, at - 150), at + 150)
    return (
        f"at byte {at}:\n  before {a[show].decode(errors='replace')!r}\n  after  {b[show].decode(errors='replace')!r}"
    )


def compare(outputs, description: str) -> None:
    """The command line of this script and of same_pinyin.py: write what `outputs(db, work_folder)`
    gives to --out, and with --against say which differ from an earlier run's (exit 1 if any)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True, help="folder to write the outputs to")
    parser.add_argument("--against", help="folder of earlier outputs to compare with")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    found = outputs(Path(args.db), out)
    for name, data in found.items():
        (out / f"{name}.out").write_bytes(data)
    print(f"{len(found)} outputs written to {out}")
    if not args.against:
        return
    differ = 0
    for name, data in found.items():
        before = (Path(args.against) / f"{name}.out").read_bytes()
        if before != data:
            differ += 1
            print(f"DIFFERENT {name} {first_difference(before, data)}")
    print(f"{len(found) - differ} same, {differ} different")
    sys.exit(1 if differ else 0)


def main() -> None:
    compare(outputs, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
