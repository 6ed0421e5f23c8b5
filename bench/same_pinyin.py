"""Same pinyin for every word before and after a speed change: write every output to a folder, compare two.

    python bench/same_pinyin.py --db terms.sqlite --out before/     # on the old code
    python bench/same_pinyin.py --db terms.sqlite --out after/ --against before/

Outputs (glossary.reading's tokens as JSON, in tone marks and in tone numbers, and the renderings made
from them): the whole corpus (bench/corpus) in 5,000-character slices, one process reading them one after
another as a server does (the first ones run by run, the rest in arrays: Lexicon.ARRAYS_AFTER), then whole,
and a traditional-script version (OpenCC, Taiwan and Hong Kong); tests/cases/boundaries.yaml sentence by
sentence; the ruby HTML of the annotate page, Markdown and interlinear text of the slices; and the CLI's
own `annotate --pinyin all` in each format.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_annotate import ROOT, corpus_text  # noqa: E402
from same_output import cli_output, compare  # noqa: E402


def outputs(db: Path, work: Path) -> dict[str, bytes]:
    import yaml

    from glossary import Glossary, render
    from glossary.chinese import converter
    from glossary.reading import reading, token_dicts, use_readings

    text = corpus_text()
    texts = {"corpus": text}
    for config in ("s2twp", "s2hk"):
        texts[config] = converter(config).convert(text[:100_000])
    cases = yaml.safe_load((ROOT / "tests" / "cases" / "boundaries.yaml").read_text(encoding="utf-8"))
    out: dict[str, bytes] = {}
    with Glossary.open(db, build=False) as glossary:
        lexicon = glossary.annotator().lexicon
        use_readings(glossary.store.lexicon_file("lexicon_readings"))
        for text_name, whole in texts.items():
            for numbers in (False, True):
                tokens, pages = [], []
                for i in range(0, len(whole), 5000):
                    annotation = glossary.annotate(whole[i : i + 5000])
                    read = reading(annotation, lexicon, numbers)
                    tokens.append(token_dicts(read))
                    if not numbers:
                        pages.append(
                            render.html_fragment(annotation, lambda i: f"/entry/{i}", reading=read, gloss=True)
                        )
                        pages.append(render.to_markdown(annotation, None, read))
                        pages.append(render.to_text(annotation, read))
                out[f"{text_name}-{numbers}-slices"] = orjson.dumps(tokens)
                if pages:
                    out[f"{text_name}-pages"] = "\n\f".join(pages).encode()
                out[f"{text_name}-{numbers}-whole"] = orjson.dumps(
                    token_dicts(reading(glossary.annotate(whole), lexicon, numbers))
                )
        for numbers in (False, True):
            out[f"boundaries-{numbers}"] = orjson.dumps(
                [token_dicts(reading(glossary.annotate(case["text"]), lexicon, numbers)) for case in cases]
            )
    (work / "sample.txt").write_text(text[:30_000], encoding="utf-8")
    command = [sys.executable, "-m", "glossary", "annotate", "--db", str(db.resolve()), "--pinyin", "all"]
    for fmt in ("json", "text", "markdown", "html"):
        for tones in ("marks", "numbers"):
            out[f"cli-{fmt}-{tones}"] = cli_output(
                [*command, "--format", fmt, "--tones", tones, "--file", "sample.txt"], work
            )
    return out


def main() -> None:
    compare(outputs, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
