"""Export to JSON/YAML/CSV/TBX and import back into curated YAML (all or nothing)."""

import csv
import io
import json
import shutil
from xml.etree import ElementTree as ET

import pytest

from glossary import curation, exchange
from glossary.store import Store


@pytest.fixture
def store(db_path):
    with Store(db_path) as store:  # closed at the end of the test: an open one fails on Python 3.13
        yield store


def test_tbx_is_well_formed_tbx_basic_with_both_languages(store):
    root = ET.fromstring(exchange.export(store, "tbx").split("\n", 2)[2])
    assert root.tag == "martif" and root.get("type") == "TBX-Basic"
    entry = root.find(".//termEntry[@id='xinxing-juguo-tizhi']")
    terms = {ls.get("{http://www.w3.org/XML/1998/namespace}lang"): [t.text for t in ls.iter("term")]
             for ls in entry.iter("langSet")}
    assert terms["zh-CN"] == ["新型举国体制"]
    assert terms["zh-TW"] == ["新型舉國體制"]
    assert terms["en"] == ["new national system", "new-type whole-nation system"]


def test_csv_has_one_row_per_entry(store):
    rows = list(csv.DictReader(io.StringIO(exchange.export(store, "csv"))))
    assert len(rows) == len(store.all_entries())
    row = next(r for r in rows if r["id"] == "tongyong-rengong-zhineng")
    assert (row["zh"], row["pinyin"], row["other_renderings"]) == (
        "通用人工智能", "tōngyòng réngōng zhìnéng", "general artificial intelligence")
    assert "\t" in exchange.export(store, "tsv").splitlines()[0]


def test_import_round_trips_an_export(tmp_path, store, fixture_paths):
    exported = tmp_path / "export.json"
    exported.write_text(exchange.export(store, "json"), encoding="utf-8")
    target = tmp_path / "entries"
    written = exchange.import_entries(exported, target, sources_file=fixture_paths["sources"])
    assert len(written) == len(list(fixture_paths["entries"].glob("*.yaml")))
    again = curation.load(target, fixture_paths["sources"], fixture_paths["seeds"])
    assert again.problems == []
    original = {e.id: e for e in curation.load(fixture_paths["entries"], fixture_paths["sources"]).entries}
    assert {e.id: e for e in again.entries} == original


def test_a_bad_import_writes_nothing(tmp_path, fixture_paths):
    target = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"entries": [
        {"id": "ok-one", "zh": "好", "pinyin": "hǎo", "kind": "term", "en": "good"},
        {"id": "bad-one", "zh": "坏", "pinyin": "hǎo", "kind": "term", "en": "bad"},
    ]}), encoding="utf-8")
    with pytest.raises(exchange.ImportProblem, match="does not fit"):
        exchange.import_entries(bad, target, sources_file=fixture_paths["sources"])
    with pytest.raises(exchange.ImportProblem, match="exist already"):
        exchange.import_entries(_export_of(tmp_path, target), target, sources_file=fixture_paths["sources"])
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def _export_of(tmp_path, entries_dir):
    path = tmp_path / "same.json"
    path.write_text(json.dumps({"entries": [e.to_dict() for e in curation.load(entries_dir).entries]}),
                    encoding="utf-8")
    return path
