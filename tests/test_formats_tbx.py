"""The whole glossary as TBX-Basic: valid against the TBX-Basic RELAX NG schema the project ships
(tests/schemas), every surface form the annotator matches, statuses, notes, region, pinyin, and the
preferred rendering without its parenthetical gloss."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from glossary import exchange, formats
from glossary.formats.tbx import document
from glossary.model import Entry, Rendering, Variant
from glossary.store import Store

SCHEMA = Path(__file__).parent / "schemas" / "TBXBasicRNGV02.rng"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATUSES = {"preferredTerm-admn-sts", "admittedTerm-admn-sts", "deprecatedTerm-admn-sts", "supersededTerm-admn-sts"}
TERM_TYPES = {"abbreviation", "acronym", "fullForm", "shortForm", "variant", "phrase"}


@pytest.fixture(scope="module")
def rng():
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def valid(rng, text: str):
    root = etree.fromstring(text.encode("utf-8"))
    assert rng.validate(root), rng.error_log.last_error
    # the schema's embedded Schematron rules, which lxml's RELAX NG validator does not run
    assert {n.text for n in root.iter("termNote") if n.get("type") == "administrativeStatus"} <= STATUSES
    assert {n.text for n in root.iter("termNote") if n.get("type") == "termType"} <= TERM_TYPES
    return root


def test_the_validator_refuses_what_is_not_tbx_basic(rng):
    bad = '<martif type="TBX-Basic" xml:lang="en"><martifHeader/><text><body/></text></martif>'
    assert not rng.validate(etree.fromstring(bad))


@pytest.fixture
def store(db_path):
    with Store(db_path) as store:  # closed: an open connection is a ResourceWarning on 3.13
        yield store


def test_glossary_export_is_valid_tbx_basic_with_every_form(rng, store):
    root = valid(rng, exchange.export(store, "tbx"))
    exported = {e.get("id"): e for e in root.iter("termEntry")}
    assert set(exported) == {e.id for e in store.all_entries()}
    for term in formats.terms(store):  # every surface form the annotator matches is a Chinese term
        zh = {
            t.text
            for ls in exported[term.entry.id].iter("langSet")
            if ls.get(XML_LANG).startswith("zh")
            for t in ls.iter("term")
        }
        assert {f.form for f in term.forms} == zh, term.entry.id
    entry = exported["rengong-zhineng"]
    by_lang = {ls.get(XML_LANG): ls for ls in entry.iter("langSet")}
    tw = [(t.findtext("term"), [n.text for n in t.iter("note")]) for t in by_lang["zh-TW"].iter("tig")]
    assert ("人工智慧", ["pinyin: réngōng zhìhuì"]) in tw
    en = [
        (
            t.findtext("term"),
            t.findtext("termNote[@type='administrativeStatus']"),
            t.findtext("termNote[@type='termType']"),
        )
        for t in by_lang["en"].iter("tig")
    ]
    assert en[:2] == [
        ("artificial intelligence", "preferredTerm-admn-sts", None),
        ("AI", "admittedTerm-admn-sts", "abbreviation"),
    ]
    assert entry.find("xref").get("target") == "http://127.0.0.1:8000/terms/rengong-zhineng"


class FakeStore:
    def __init__(self, entries):
        self.entries = entries

    def all_entries(self):
        return self.entries

    def summaries(self):
        return [{"id": e.id, "zh_hant": e.zh_hant or e.zh} for e in self.entries]


def test_statuses_forbidden_notes_region_and_ambiguity(rng):
    entry = Entry(
        id="yidai-yilu",
        zh="一带一路",
        zh_hant="一帶一路",
        pinyin="Yīdài Yīlù",
        kind="slogan",
        en="Belt and Road Initiative (BRI)",
        region="prc",
        ambiguous="belt and road (literally)",
        notes="Official English since *2015*.",
        variants=(Variant("带路", "dàilù", "prc", None, "short form"),),
        renderings=(
            Rendering("Belt and Road Initiative (BRI)", "preferred", "official: NDRC, 2015"),
            Rendering("One Belt, One Road (OBOR)", "deprecated", "official: NDRC, 2015", 2013, 2015),
            Rendering("New Silk Road", "forbidden", "curator", note="a different thing"),
            Rendering("Belt and Road", "admitted"),
        ),
    )
    root = valid(rng, document(formats.terms(FakeStore([entry])), "https://glossary.example"))
    tigs = {t.findtext("term"): t for t in root.iter("tig")}
    status = {k: t.findtext("termNote[@type='administrativeStatus']") for k, t in tigs.items()}
    assert status["Belt and Road Initiative"] == "preferredTerm-admn-sts"
    assert status["BRI"] == "admittedTerm-admn-sts"
    assert status["One Belt, One Road (OBOR)"] == "deprecatedTerm-admn-sts"
    assert status["New Silk Road"] == "deprecatedTerm-admn-sts"
    assert "forbidden: do not use" in tigs["New Silk Road"].findtext("note")
    assert "2013–2015" in tigs["One Belt, One Road (OBOR)"].findtext("note")
    assert status["Belt and Road"] == "admittedTerm-admn-sts"
    assert status["一帶一路"] == "preferredTerm-admn-sts" and status["带路"] == "admittedTerm-admn-sts"
    assert tigs["带路"].findtext("termNote[@type='geographicalUsage']") == "mainland China"
    notes = [n.text for n in root.find("text/body/termEntry").findall("note")]
    assert "Official English since 2015." in notes
    assert any(n.startswith("ambiguous: also an ordinary word") for n in notes)
