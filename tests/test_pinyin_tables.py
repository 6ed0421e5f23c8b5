"""The pinyin check's copy of pypinyin's tables (glossary.pinyin_tables.CheckTables) gives pypinyin's
own answers, and an edit's build uses it instead of importing pypinyin."""

import random
import sqlite3
import subprocess
import sys

import pytest
from pypinyin import Style, pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

from glossary import pinyin_tables
from glossary.chinese import is_han


@pytest.fixture(scope="module", params=["stored", "loaded"])
def tables(tmp_path_factory, request):
    """The copy a build stores beside the database, and pypinyin's tables in memory (a build's workers)."""
    if request.param == "loaded":
        return pinyin_tables.LoadedTables()
    path = tmp_path_factory.mktemp("tables") / "check.pinyin"
    path.write_bytes(pinyin_tables.build_check())
    return pinyin_tables.CheckTables(path)


def test_every_character_reads_as_pypinyin_reads_it(tables):
    for code in PINYIN_DICT:
        char = chr(code)
        found = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
        assert tables.char_readings(char) == (found[0] if found else []), char


def test_phrases_and_glossary_forms_read_as_pypinyin_reads_them(tables, db_path):
    """Every form of the glossary, a fifth of pypinyin's phrases, each of those less its last
    character (a run of prefixes holding no phrase, which pypinyin's segmenter reads one by one), and
    strings of phrases run together (where its longest-match cutting decides)."""
    with sqlite3.connect(db_path) as conn:
        forms = [r[0] for r in conn.execute("SELECT form FROM forms")]
    conn.close()
    texts = {"".join(c for c in form if is_han(c)) for form in forms}
    phrases = list(PHRASES_DICT)[::5]
    texts |= {*phrases, *(p[:-1] for p in phrases if len(p) > 2)}
    rng = random.Random(7)
    texts |= {"".join(rng.sample(phrases, 3)) for _ in range(2000)}
    texts |= {"".join(rng.choice(p) for p in rng.sample(phrases, 6)) for _ in range(2000)}
    texts.discard("")
    for text in texts:
        assert tables.first_readings(text) == [r[0] for r in pinyin(text, style=Style.TONE)], text


def test_a_character_without_a_reading_is_left_to_pypinyin(tables):
    assert tables.char_readings("a") is None
    assert tables.first_readings("中\U0002b820国") is None  # (not a character pypinyin reads)


def test_an_added_variant_is_checked_without_importing_pypinyin(tree):
    """After a build wrote the copy, a variant's pinyin check and rows read it (importing pypinyin
    is half a second): a wrong reading is still refused, a right one built."""
    path = tree["entries"] / "suanli.yaml"
    text = path.read_text(encoding="utf-8")
    script = """
import sys
from pathlib import Path
from glossary.build import build
from glossary.model import CurationError
try:
    print(build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))["changed"])
except CurationError as error:
    print(error.problems[0].message.split("(")[0])
print("pypinyin" in sys.modules)
"""
    run = [sys.executable, "-c", script, str(tree["db"]), str(tree["entries"]), str(tree["sources"])]
    path.write_text(text.replace("kind: term", "variants:\n- form: 计算力\n  pinyin: jìsuànlì\nkind: term"), "utf-8")
    assert subprocess.run(run, capture_output=True, text=True, check=True).stdout.split("\n")[:2] == ["1", "False"]
    path.write_text(text.replace("kind: term", "variants:\n- form: 计算力\n  pinyin: jìsuànlè\nkind: term"), "utf-8")
    out = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "pinyin 'jìsuànlè' does not fit '计算力' "
