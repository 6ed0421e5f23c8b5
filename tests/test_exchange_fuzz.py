"""Property tests of import and export: whatever the file holds, an import either succeeds with
every file inside the entries folder and a glossary that passes `check`, or is refused with
ImportProblem and changes nothing; and every export reads back."""

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path
from unittest import mock
from xml.etree import ElementTree as ET

from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from glossary import curation, exchange, formats
from glossary.formats import tbx
from glossary.model import Entry, Rendering, Variant

FUZZ = settings(max_examples=50, deadline=None, database=None)  # seconds, and no example database
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "policy-glossary-hypothesis")  # its caches, out of the repo

GOOD_QUOTE = {"source": "sample-article", "text": "The term AI (人工智能) is everywhere."}
FAKE_QUOTE = {"source": "sample-article", "text": "Beijing never said this."}
GOOD = [("hao", "好", "hǎo"), ("huai", "坏", "huài"), ("da", "大", "dà"), ("shan", "山", "shān")]
BAD_IDS = ["../../outside", "../sources", "ABSOLUTE", "../entries/x", "x\0y", "a" * 300, "ok\n", "Upper"]
ODD = [
    "id",
    "id",
    "id",
    None,
    None,
    None,
    "zh",
    "kind",
    "quote",
    "related",
    "field",
    "existing",
    "size",
    "alias",
    "no list",
]

words = st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=20)
ids = st.one_of(
    st.sampled_from(BAD_IDS),
    st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True),
    st.text(max_size=12),
    st.integers(),
    st.none(),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def imports(draw):
    """Up to three entries that pass `check`, and perhaps one odd one: a bad id, a wrong field,
    a fabricated quote, one too big, or a good one that replaces a curated entry."""
    items = []
    for entry_id, zh, pinyin in GOOD[: draw(st.integers(0, 3))] + [GOOD[3]]:
        item = {"id": entry_id, "zh": zh, "pinyin": pinyin, "kind": "term", "en": draw(words), "authority": "curator"}
        if draw(st.booleans()):
            item["quotes"] = [GOOD_QUOTE]
        if draw(st.booleans()):
            item["related"] = ["suanli"]
        if draw(st.booleans()):
            item["notes"] = "A note. " * 50
        items.append(item)
    odd = items[-1]
    spoil = draw(st.sampled_from(ODD))
    if spoil == "id":
        odd["id"] = draw(st.one_of(st.sampled_from(BAD_IDS), ids))
    elif spoil == "zh":
        odd["zh"], odd["pinyin"] = draw(st.sampled_from([("智能", "zhìnéng"), ("好", "huài"), ("", "")]))
    elif spoil == "kind":
        odd["kind"] = draw(st.one_of(st.just("nonsense"), junk))
    elif spoil == "quote":
        odd["quotes"] = [FAKE_QUOTE]
    elif spoil == "related":
        odd["related"] = ["no-such-entry"]
    elif spoil == "field":
        odd[draw(st.sampled_from(["notes", "tags", "variants", "zh_attested", "renderings", "unknown"]))] = draw(junk)
    elif spoil == "size":
        odd["notes"] = "long " * 1300  # over the lowered size limit, alone
    elif spoil == "existing":  # a good entry, but one that replaces a curated one
        odd.update(id="zhineng", zh="智能", pinyin="zhìnéng")
    items = draw(st.permutations(items))
    if spoil == "no list":
        return draw(junk)
    data = {"entries": items} if draw(st.booleans()) else items
    return {"alias": data} if spoil == "alias" else data


def _tree(path):
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@FUZZ
@given(data=imports(), how=st.sampled_from(["json", "yaml"]), replace=st.booleans())
def test_an_import_succeeds_whole_and_checked_or_changes_nothing(fixture_paths, data, how, replace):
    import yaml

    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(exchange, "MAX_IMPORT_BYTES", 6000):
        tmp = Path(tmp)
        root = tmp / "glossary"
        shutil.copytree(fixture_paths["entries"], root / "entries")
        shutil.copy(fixture_paths["sources"], root / "sources.yaml")
        shutil.copy(fixture_paths["sources"].parent / "ordinary_words.txt", root / "ordinary_words.txt")
        items = data.get("entries") if isinstance(data, dict) else data
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and item.get("id") == "ABSOLUTE":
                item["id"] = str(tmp / "outside")  # an absolute path, to a place the checks below see
        if isinstance(data, dict) and "alias" in data:  # the entries, then the same again by alias
            path, text = tmp / "import.yaml", f"- &first {json.dumps(data['alias'])}\n- *first\n"
        elif how == "json":
            path, text = tmp / "import.json", json.dumps(data, ensure_ascii=False)
        else:
            path, text = tmp / "import.yaml", yaml.safe_dump(data, allow_unicode=True)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        before = _tree(tmp)
        try:
            written = exchange.import_entries(
                path,
                root / "entries",
                replace=replace,
                sources_file=root / "sources.yaml",
                seeds=fixture_paths["seeds"],
            )
        except exchange.ImportProblem as refused:
            event("refused: " + str(refused).split(":")[-1][:40])
            assert _tree(tmp) == before
            return
        event(f"imported {len(written)}")
        after = _tree(tmp)
        changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
        assert all(name.startswith("glossary/entries/") for name in changed)
        assert sorted(p.name for p in root.iterdir()) == ["entries", "ordinary_words.txt", "sources.yaml"]
        assert all(p.resolve().parent == (root / "entries").resolve() for p in written)
        assert curation.load(root / "entries", root / "sources.yaml", fixture_paths["seeds"]).problems == []


class ListedEntries:
    """A glossary that is only a list of entries (no database): what formats.terms reads."""

    def __init__(self, entries):
        self.entries = entries

    def all_entries(self):
        return self.entries

    def summaries(self):
        return [{"id": e.id, "zh_hant": e.zh_hant or e.zh} for e in self.entries]


any_text = st.text(max_size=12)  # control characters, lone surrogates, markup: all must come out as XML
entries = st.lists(
    st.builds(
        Entry,
        id=st.from_regex(r"[a-z]{1,8}", fullmatch=True),
        zh=any_text,
        zh_hant=any_text,
        pinyin=any_text,
        kind=st.sampled_from(["term", "organization", "slogan"]),
        en=any_text,
        notes=any_text,
        ambiguous=st.one_of(st.none(), any_text),
        variants=st.lists(st.builds(Variant, any_text, any_text, st.none(), any_text, any_text), max_size=2).map(tuple),
        renderings=st.lists(
            st.builds(Rendering, any_text, st.sampled_from(["admitted", "deprecated", "forbidden"]), any_text),
            max_size=2,
        ).map(tuple),
    ),
    max_size=4,
    unique_by=lambda e: e.id,
)


@FUZZ
@given(entries=entries)
def test_tbx_of_any_text_is_well_formed_xml_with_every_entry(entries):
    text = tbx.document(formats.terms(ListedEntries(entries)), "https://glossary.example")
    root = ET.fromstring(text.encode("utf-8"))
    assert [e.get("id") for e in root.iter("termEntry")] == [e.id for e in entries]


rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.text(max_size=10),
            "zh": st.text(max_size=10),
            "zh_hant": st.text(max_size=10),
            "pinyin": st.text(max_size=10),
            "en": st.text(max_size=20),
            "kind": st.text(max_size=6),
            "count": st.integers(0, 99),
            "other_renderings": st.lists(st.text(max_size=10), max_size=2),
        }
    ),
    max_size=5,
)


@FUZZ
@given(rows=rows, delimiter=st.sampled_from([",", "\t"]))
def test_csv_of_any_text_reads_back_cell_for_cell_with_formulas_disarmed(rows, delimiter):
    read = list(csv.reader(io.StringIO(exchange.terms_csv(rows, delimiter), newline=""), delimiter=delimiter))
    assert len(read) == len(rows) + 1
    for row, cells in zip(rows, read[1:], strict=True):
        assert cells[3] == ("'" if row["en"].startswith(exchange.FORMULA_STARTS) else "") + row["en"]
        assert not any(cell.startswith(exchange.FORMULA_STARTS) for cell in cells)
