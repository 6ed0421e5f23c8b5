"""Same QA findings before and after a speed change: write every `glossary qa` output to a folder, compare two.

    python bench/same_qa.py --db terms.sqlite --out before/     # on the old code
    python bench/same_qa.py --db terms.sqlite --out after/ --against before/

Inputs: bench_qa.py's 5,000-segment XLIFF (with --ambiguous; with waivers from a file, in notes and for
a region; its accepted renderings recased, re-hyphenated, in British spelling or the other number; swapped
for a deprecated one or a wrong one; each target replaced by two other segments' targets, one upper-cased),
and the PRC Constitution of tests/fixtures/bilingual (as published, reworded, swapped), against --db and
against the QA tests' fixture glossary (built in a temporary folder). Outputs: the report as JSON (indented
and compact), text (with and without --show-ok), CSV of every term, HTML and waivers; and the CLI's own
`glossary qa --format json` and text of the XLIFF.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_annotate import ROOT  # noqa: E402
from qa_real_text import reword, rewrite  # noqa: E402
from same_output import cli_output, compare  # noqa: E402

CONSTITUTION = ROOT / "tests" / "fixtures" / "bilingual" / "constitution.tsv"


def rewritten(report, replace) -> list:
    """qa_real_text.rewrite (each segment with its accepted renderings replaced); every 7th segment
    also waives its first term in a note."""
    return [
        segment._replace(notes=(f"glossary-qa: ok {s['terms'][0]['entry']}",))
        if s["index"] % 7 == 0 and s["terms"]
        else segment
        for segment, s in zip(rewrite(report, replace), report.segments, strict=True)
    ]


def reports(glossary, name: str, segments, **options) -> dict[str, bytes]:
    from glossary import qa

    report = qa.Checker(glossary, **options).run(segments)
    return {
        f"{name}.json": qa.to_json(report).encode(),
        f"{name}.compact.json": qa.to_json(report, indent=False).encode(),
        f"{name}.txt": qa.to_text(report).encode(),
        f"{name}.ok.txt": qa.to_text(report, show_ok=True).encode(),
        f"{name}.csv": qa.to_csv(report, all_terms=True).encode(),
        f"{name}.html": qa.to_html(report).encode(),
        f"{name}.waivers": qa.to_waivers(report).encode(),
    }


def variations(glossary, name: str, segments, more: bool) -> dict[str, bytes]:
    from glossary import qa
    from glossary.formats import Segment

    out = reports(glossary, name, segments)
    report = qa.check(glossary, segments)
    out.update(reports(glossary, f"{name}-ambiguous", segments, ambiguous=True))

    def wrong(entry_id: str, matched: str) -> str:
        entry = glossary.get(entry_id)
        bad = [r.en for r in entry.all_renderings() if r.status in ("deprecated", "forbidden")]
        return bad[0] if bad else "zz " + matched[::-1]

    out.update(reports(glossary, f"{name}-swapped", rewritten(report, wrong)))
    out.update(reports(glossary, f"{name}-reworded", rewritten(report, lambda _, m: reword(m)), ambiguous=True))
    if more:
        lines = qa.to_waivers(report).splitlines()[:150]
        waivers = qa.Waivers.parse("\n".join([*lines, "* #5", "* 17", "xi-jinping"]) + "\n")
        out.update(reports(glossary, f"{name}-waived", segments, waivers=waivers, region="tw"))
        n = len(segments)
        shifted = [
            Segment(s.index, s.source, segments[(i + 1) % n].target + " " + segments[(i + 7) % n].target.upper(), s.id)
            for i, s in enumerate(segments)
        ]
        out.update(reports(glossary, f"{name}-shifted", shifted, ambiguous=True))
    return out


def outputs(db: Path, work: Path) -> dict[str, bytes]:
    import bench_qa

    from glossary import Glossary, formats
    from glossary.build import build

    out: dict[str, bytes] = {}
    xliff = work / "job.xlf"
    with Glossary.open(db, build=False) as glossary:
        sources = bench_qa.sentences(5000)
        bench_qa.write_xliff(xliff, [(s, bench_qa.english(glossary, s, n)) for n, s in enumerate(sources)])
        out.update(variations(glossary, "bench", formats.read_file(xliff), more=True))
        out.update(variations(glossary, "constitution", formats.read_file(CONSTITUTION), more=False))
    with tempfile.TemporaryDirectory() as tmp:
        entries = Path(tmp) / "entries"
        entries.mkdir()
        fixtures = ROOT / "tests" / "fixtures"
        for path in [*(fixtures / "entries").glob("*.yaml"), *(fixtures / "bilingual" / "entries").glob("*.yaml")]:
            shutil.copy(path, entries / path.name)
        build(Path(tmp) / "qa.sqlite", entries, fixtures / "sources.yaml")
        with Glossary.open(Path(tmp) / "qa.sqlite", build=False) as glossary:
            out.update(variations(glossary, "fixture-constitution", formats.read_file(CONSTITUTION), more=False))
    command = [sys.executable, "-m", "glossary", "qa", "job.xlf", "--db", str(db.resolve())]
    for fmt in ("json", "text"):
        out[f"cli-{fmt}"] = cli_output([*command, "--format", fmt], work)
    return out


def main() -> None:
    compare(outputs, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
