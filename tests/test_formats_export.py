"""Termbase exports read back the way each tool reads them: Yomitan's zip (index + term banks),
Anki's apkg (its SQLite collection: notes and GUIDs), Pleco, OmegaT and DeepL text files."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
import zipfile

import pytest
from click.testing import CliRunner

from glossary import formats
from glossary.cli import cli


@pytest.fixture(scope="module")
def store(glossary):
    return glossary.store


def test_terms_carry_every_form_the_annotator_matches(store):
    terms = {t.entry.id: t for t in formats.terms(store)}
    forms = {f.form for f in terms["rengong-zhineng"].forms}
    assert {"人工智能", "人工智慧"} <= forms
    assert {f.form: f.pinyin for f in terms["rengong-zhineng"].forms}["人工智慧"] == "réngōng zhìhuì"
    assert set(terms) == {e.id for e in store.all_entries()}


def test_plain_en_splits_a_parenthetical_gloss():
    assert formats.plain_en("artificial intelligence (AI)") == ("artificial intelligence", "AI")
    assert formats.plain_en("Made in China 2025") == ("Made in China 2025", None)


def test_yomitan_zip_is_a_format_3_dictionary_with_update_urls(store):
    data = formats.export(store, "yomitan", base_url="http://glossary.test:8000")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        index = json.loads(archive.read("index.json"))
        bank = json.loads(archive.read("term_bank_1.json"))
        tags = json.loads(archive.read("tag_bank_1.json"))
    assert index["format"] == 3 and index["sequenced"] is True and index["title"] and index["revision"]
    assert index["isUpdatable"] is True
    assert index["indexUrl"] == "http://glossary.test:8000/downloads/yomitan-index.json"
    assert index["downloadUrl"] == "http://glossary.test:8000/downloads/policy-glossary-yomitan.zip"
    for row in bank:  # [expression, reading, definitionTags, rules, score, definitions, sequence, termTags]
        assert len(row) == 8
        assert isinstance(row[0], str) and isinstance(row[1], str) and isinstance(row[2], str)
        assert isinstance(row[4], int) and isinstance(row[6], int) and isinstance(row[7], str)
        assert row[5][0]["type"] == "structured-content"
    by_form = {row[0]: row for row in bank}
    assert by_form["人工智能"][6] == by_form["人工智慧"][6]  # one entry: one sequence number
    assert by_form["人工智慧"][1] == "réngōng zhìhuì"
    content = json.dumps(by_form["人工智能"][5], ensure_ascii=False)
    assert "artificial intelligence" in content and "http://glossary.test:8000/terms/rengong-zhineng" in content
    assert {t[0] for t in tags} >= {t for row in bank for t in row[2].split()}


def test_yomitan_zip_of_one_glossary_is_the_same_bytes_later(store):
    """A download's checksum changes only with the glossary: zip times have 2-second steps, so the
    second export is written after the next step."""
    first = formats.export(store, "yomitan")
    time.sleep(2.1)
    assert formats.export(store, "yomitan") == first


def test_anki_apkg_notes_have_stable_guids(store, tmp_path):
    def notes(data: bytes) -> dict[str, list[str]]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
        con = sqlite3.connect(tmp_path / "collection.anki2")
        try:
            return {guid: flds.split("\x1f") for guid, flds in con.execute("SELECT guid, flds FROM notes")}
        finally:
            con.close()

    first, second = notes(formats.export(store, "anki")), notes(formats.export(store, "anki"))
    assert first.keys() == second.keys()  # the same GUIDs each time: re-import updates, not duplicates
    assert len(first) == len(store.all_entries())
    from glossary.formats.anki import guid

    card = first[guid("rengong-zhineng")]
    assert card[0] == "人工智能" and card[2] == "réngōng zhìnéng" and "artificial intelligence" in card[3]
    assert "/terms/rengong-zhineng" in card[-1]


def test_pleco_lines_are_simplified_traditional_pinyin_definition(store):
    lines = formats.export(store, "pleco").decode("utf-8").splitlines()
    parts = [line.split("\t") for line in lines]
    assert all(len(p) == 3 for p in parts)
    by_head = {p[0]: p for p in parts}
    assert by_head["国有企业[國有企業]"][1] == "guo2you3 qi3ye4"
    assert by_head["大模型"][2].startswith("large model")  # no [] when the scripts agree


def test_omegat_glossary_has_three_columns_per_form(store):
    text = formats.export(store, "omegat").decode("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if not line.startswith("#")]
    assert all(len(r) == 3 for r in rows)
    assert ["人工智慧", "artificial intelligence (AI)"] in [r[:2] for r in rows]


def test_deepl_glossary_has_unique_sources_and_plain_targets(store):
    rows = list(csv.reader(io.StringIO(formats.export(store, "deepl").decode("utf-8")), delimiter="\t"))
    assert all(len(r) == 2 for r in rows)
    sources = [r[0] for r in rows]
    assert len(sources) == len(set(sources))
    assert dict(rows)["人工智能"] == "artificial intelligence"  # the gloss (AI) is not pasted into translations


@pytest.mark.parametrize("fmt", formats.EXPORTS)
def test_cli_export_to_stdout_and_output(fmt, db_path, tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["export", "--db", str(db_path), "--format", fmt])
    assert out.exit_code == 0, out.output
    target = tmp_path / formats.FILES[fmt][0]
    done = runner.invoke(cli, ["export", "--db", str(db_path), "--format", fmt, "--output", str(target)])
    assert done.exit_code == 0
    if fmt != "anki":  # genanki stamps the time into the collection
        assert target.read_bytes() == out.stdout_bytes


def test_web_downloads_and_yomitan_index(client):
    page = client.get("/browse").get_data(as_text=True)
    for fmt, (name, _) in formats.FILES.items():
        assert f"/downloads/{name}" in page
        response = client.get(f"/downloads/{name}")
        assert response.status_code == 200, fmt
        assert name in response.headers["Content-Disposition"]
    index = client.get("/downloads/yomitan-index.json").get_json()
    assert index["indexUrl"] == "http://localhost/downloads/yomitan-index.json"
    assert client.get("/downloads/nothing.zip").status_code == 404
