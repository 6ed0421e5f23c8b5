"""Detection and false-alarm rates of terminology QA on real official text, with the full glossary.

    python bench/qa_real_text.py [--db terms.sqlite] [FILE]

FILE (default tests/fixtures/bilingual/constitution.tsv: the PRC Constitution with the NPC's official
English) is checked three ways:

  clean     as published: every finding is a false alarm unless the glossary or the text is wrong
  swapped   each accepted rendering replaced by a deprecated or forbidden one of its entry where the
            glossary has one, else by another entry's preferred rendering: every one should be caught
  reworded  each accepted rendering recased, re-hyphenated, its number changed, British spelling:
            none should be flagged (false alarms)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def reword(matched: str) -> str:
    words = matched.replace("-", " ").split()
    words = [w.upper() if i % 2 else w.lower() for i, w in enumerate(words)]
    text = "-".join(words) if len(words) > 1 else words[0]
    text = re.sub(r"ization", "isation", text)
    return text[:-1] if text.endswith("s") and len(text) > 12 else text if text.endswith("s") else text + "s"


def rewrite(report, replace):
    from glossary.formats import Segment

    out = []
    for s in report.segments:
        target = s["target"]
        for t in s["terms"]:
            if t["status"] == "ok":
                target = target.replace(t["matched"], replace(t["entry"], t["matched"]))
        out.append(Segment(s["index"], s["source"], target, s["id"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", default=str(ROOT / "tests" / "fixtures" / "bilingual" / "constitution.tsv"))
    parser.add_argument("--db", default=str(ROOT / "terms.sqlite"))
    args = parser.parse_args()

    from glossary import Glossary, formats, qa

    glossary = Glossary.open(args.db)
    segments = formats.read_file(args.file)
    clean = qa.check(glossary, segments)
    terms = [t for s in clean.segments for t in s["terms"]]
    ok = [t for t in terms if t["status"] == "ok"]
    print(f"{Path(args.file).name}: {len(segments)} segments, {len(terms)} terms, {len(ok)} accepted")
    print(f"clean official text: {clean.findings} finding(s), false-alarm rate {clean.findings / len(terms):.1%}")
    for s in clean.segments:
        for t in s["terms"]:
            if qa.is_finding(t):
                print(
                    f"  {s['id'] or s['index']}: {t['status']} {t['zh']} ({t['entry']}), expected {t['expected'][:2]}"
                )
            elif not t["exact"]:
                print(f"  {s['id'] or s['index']}: loose match {t['matched']!r} for {t['rendering']!r}")

    entries = sorted({t["entry"] for t in ok})
    ids = [e.id for e in glossary.store.all_entries()]

    def wrong(entry_id: str, matched: str) -> str:
        entry = glossary.get(entry_id)
        bad = [r.en for r in entry.all_renderings() if r.status in ("deprecated", "forbidden")]
        if bad:
            return bad[0]
        other = glossary.get(ids[(ids.index(entry_id) + 7) % len(ids)])
        return other.en

    swapped = qa.check(glossary, rewrite(clean, wrong))
    caught = sum(
        1
        for s, c in zip(swapped.segments, clean.segments, strict=True)
        for t, u in zip(s["terms"], c["terms"], strict=False)
        if u["status"] == "ok" and qa.is_finding(t)
    )
    kinds = swapped.summary()["by_kind"]
    print(
        f"swapped renderings ({len(entries)} entries): {caught}/{len(ok)} caught, detection {caught / len(ok):.1%} "
        f"({kinds})"
    )
    reworded = qa.check(glossary, rewrite(clean, lambda entry, matched: reword(matched)))
    alarms = sum(
        1
        for s, c in zip(reworded.segments, clean.segments, strict=True)
        for t, u in zip(s["terms"], c["terms"], strict=False)
        if u["status"] == "ok" and qa.is_finding(t)
    )
    print(f"reworded renderings: {alarms}/{len(ok)} flagged, false-alarm rate {alarms / len(ok):.1%}")


if __name__ == "__main__":
    main()
