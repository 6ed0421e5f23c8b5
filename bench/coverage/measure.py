"""Coverage of real documents the glossary was not curated from: of the formulations judged by hand in
a random sample of candidate n-grams, the share the annotator tags (default options, as a user runs it).

    python bench/coverage/measure.py bench/coverage/test_judged.tsv DOCS_DIR [--db terms.sqlite]

DOCS_DIR holds the held-out documents named in bench/coverage/test_files.txt (see README.md here for
where each comes from; they are not shipped). A formulation counts as tagged when a span, top-level or
nested, covers exactly its characters (quotation marks at its edges aside) at an occurrence in the
documents. "its entry" counts those met only inside a longer span that names the formulation's own
entry (坚持人民主体地位, a form of the entry 人民主体地位: the reader is shown that entry's card); "inside"
those that are only part of a longer tagged term naming another entry. Both are reported apart from the
exact figure.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUOTES = '“”‘’「」『』"'


def verdict(glossary, texts: list[str], formulation: str) -> str:
    inside = named = False
    entry = glossary.lookup(formulation.strip(QUOTES))
    for text in texts:
        start, seen = text.find(formulation), 0
        while start >= 0 and seen < 5:
            a, b = max(0, start - 80), min(len(text), start + len(formulation) + 80)
            fs = start - a + len(formulation) - len(formulation.lstrip(QUOTES))
            fe = start - a + len(formulation.rstrip(QUOTES))
            for top in glossary.annotate(text[a:b]).spans:
                for span in top.walk():
                    if (span.start, span.end) == (fs, fe):
                        return "exact"
                    covers = span.start <= fs and fe <= span.end
                    named = named or (covers and entry is not None and span.id == entry.id)
                inside = inside or (top.start <= fs and fe <= top.end)
            start, seen = text.find(formulation, start + 1), seen + 1
    if named or inside:
        return "its entry" if named else "inside"
    return "absent" if any(formulation in t for t in texts) else "not in text"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("judged")
    parser.add_argument("docs")
    parser.add_argument("--db", default=None)
    parser.add_argument("--files", default=None, help="list of documents (default: <judged>'s *_files.txt)")
    args = parser.parse_args()
    from glossary import Glossary
    from glossary.build import build

    if args.db is None:
        import tempfile

        args.db = str(Path(tempfile.mkdtemp()) / "terms.sqlite")
        build(args.db)
    glossary = Glossary.open(args.db)
    files = Path(args.files or str(args.judged).replace("_judged.tsv", "_files.txt")).read_text().strip().split(",")
    texts = [(Path(args.docs) / name).read_text(encoding="utf-8") for name in files]
    rows = list(csv.DictReader(open(args.judged, encoding="utf-8"), delimiter="\t"))
    forms = {}
    for row in rows:
        if row["verdict"].strip() == "yes" and row["formulation"].strip():
            forms.setdefault(row["formulation"].strip(), row["category"].strip())
    results = {f: verdict(glossary, texts, f) for f in forms}
    found = [f for f, v in results.items() if v != "not in text"]
    exact = sum(results[f] == "exact" for f in found)
    named = sum(results[f] == "its entry" for f in found)
    inside = sum(results[f] == "inside" for f in found)
    print(f"{len(rows)} candidate n-grams; {len(forms)} distinct formulations judged yes, {len(found)} in the text")
    print(
        f"tagged: {exact}/{len(found)} = {exact / len(found):.1%}; "
        f"with those inside a longer span of their own entry: {exact + named}/{len(found)} = "
        f"{(exact + named) / len(found):.1%}; "
        f"with those inside any longer tagged term: {(exact + named + inside) / len(found):.1%}"
    )
    for formulation in sorted(found, key=lambda f: (forms[f], f)):
        if results[formulation] != "exact":
            print(f"  {results[formulation]:9} {forms[formulation]:8} {formulation}")


if __name__ == "__main__":
    main()
