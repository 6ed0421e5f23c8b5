"""The general dictionary (CC-CEDICT): indexed once beside the database, markup cleaned, numerals and
function words left alone, glossed in place and always labelled, never mixed with curated terms."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from glossary import dictionary, render
from glossary.reading import dictionary as dictionary_words


@pytest.fixture(scope="module")
def index(db_path):
    return dictionary.open_index(db_path)


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("CL:個|个[ge4]", None),
        ("variant of 個|个[ge4]", "variant of 个 (gè)"),
        ("see 西安[Xi1 an1]", "see 西安 (Xī'ān)"),
        ("capital of Shaanxi 陕西省[Shan3 xi1 Sheng3]", "capital of Shaanxi 陕西省 (Shǎnxī Shěng)"),
        ("question", "question"),
    ],
)
def test_cedict_markup_is_cleaned(raw, clean):
    assert dictionary.clean(raw) == clean


def test_lookups_skip_numerals_and_function_words(index):
    assert dictionary.lookup(index, "问题") == ("wèntí", ("question", "problem", "issue", "topic"))
    assert dictionary.lookup(index, "西安")[0] == "Xī'ān"
    for word in ("我们", "三年", "2025年", "第二", "因为", "的"):
        assert dictionary.lookup(index, word) is None, word


def test_the_index_is_a_file_beside_the_database_opened_fast(db_path, index):
    assert dictionary.index_path(db_path).is_file()
    dictionary._opened.clear()
    start = time.perf_counter()
    dictionary.open_index(db_path)
    assert time.perf_counter() - start < 0.5


def test_glossed_in_place_and_labelled(glossary, index):
    annotation = glossary.annotate("坚持新型举国体制，推动数据产业，推动数据")
    words = dictionary_words(annotation, glossary.annotator().lexicon, index=index)
    by_word = {w["text"]: w for w in words}
    assert set(by_word) >= {"坚持", "推动", "数据", "产业"} and "新型" not in by_word  # never inside a curated term
    assert by_word["推动"]["spans"] == [[9, 11], [16, 18]] and by_word["推动"]["source"] == "CC-CEDICT"
    text = render.to_text(annotation, None, words)
    assert "推动⟨dict: tuīdòng · " in text and text.count("⟨dict: tuīdòng") == 1  # in place, once
    assert "新型举国体制〔xīnxíng jǔguó tǐzhì · new national system〕" in text
    html = render.html_fragment(annotation, dictionary=words)
    assert (
        '<span class="dict" tabindex="-1" title="General dictionary (CC-CEDICT), not curated: shùjù — data">'
        "数据</span>" in html
    )
    assert 'class="term"' in html and "[" not in html and "CL:" not in html


def test_cli_dictionary_is_fast_after_the_first_run(db_path, index):
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "glossary",
            "annotate",
            "--db",
            str(db_path),
            "--dictionary",
            "推动数据产业发展人工智能",
        ],
        capture_output=True,
        timeout=120,
    )
    took = time.perf_counter() - start
    assert result.returncode == 0 and "⟨dict: shùjù · data⟩" in result.stdout.decode()
    assert took < 10  # was ~2 s of CC-CEDICT parsing alone; now a memory-mapped index (process start dominates)


def test_web_dictionary_glosses_on_hover(client, index):
    html = client.post("/annotate", data={"text": "推动数据产业", "dictionary": "on"}).get_data(as_text=True)
    assert 'class="dict" tabindex="-1" title="General dictionary (CC-CEDICT), not curated: shùjù — data"' in html
    assert "general dictionary (CC-CEDICT), not curated" in html
