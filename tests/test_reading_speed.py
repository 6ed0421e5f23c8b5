"""Whole-text pinyin reads pypinyin's tables directly, once per word: the same readings as
pypinyin.pinyin, without its per-call cost."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary import pinyin_tables
from glossary.reading import _pypinyin_word, _word_pinyin

WORDS = [
    "我们",
    "发展",
    "重庆",
    "银行",
    "行长",
    "长大",
    "的",
    "了",
    "一带一路",
    "绿色",
    "女",
    "西安",
    "新质生产力",
    "高质量发展",
    "𠀀",
    "乐观",
    "音乐",
    "覆盖率",
    "参差不齐",
    "调整",
]


@pytest.mark.parametrize("numbers", [False, True])
def test_table_reading_is_pypinyins_reading(numbers):
    assert [_word_pinyin(w, numbers) for w in WORDS] == [_pypinyin_word(w, numbers) for w in WORDS]


@pytest.mark.parametrize("numbers", [False, True])
def test_the_databases_copy_of_pypinyins_tables_reads_alike(db_path, monkeypatch, numbers):
    """The build stores what whole-text pinyin reads of pypinyin's tables (glossary.pinyin_tables);
    a process that memory-maps that copy reads every word as pypinyin's own tables do."""
    from glossary import reading
    from glossary.store import Store

    with Store(db_path) as store:
        copy = store.lexicon_file("lexicon_readings")
    assert copy is not None and copy.exists()
    CORPUS = Path(__file__).resolve().parent.parent / "bench" / "corpus"
    text = (CORPUS / "2026_guangdong_gov_work_report.txt").read_text(encoding="utf-8")[:3000]
    words = sorted({w for run in reading.HAN_RUN.findall(text) for w in (run[i : i + 4] for i in range(len(run)))})
    words += WORDS
    monkeypatch.setattr(reading, "_SOURCE", [])
    reading._char_reading.cache_clear()
    reading.use_readings(copy)
    assert isinstance(reading._tables(), pinyin_tables.StoredTables)
    try:
        assert [_word_pinyin(w, numbers) for w in words] == [_pypinyin_word(w, numbers) for w in words]
    finally:
        reading._char_reading.cache_clear()


def test_a_one_off_reading_does_not_import_pypinyin(db_path):
    """`glossary annotate --pinyin all` of a paste: pypinyin's tables cost 0.2 s to import; the
    database's copy of them is memory-mapped instead."""
    import subprocess
    import sys

    script = f"""
import sys
from glossary import Glossary
from glossary.reading import reading, use_readings
with Glossary.open({str(db_path)!r}, build=False) as glossary:
    use_readings(glossary.store.lexicon_file("lexicon_readings"))
    tokens = reading(glossary.annotate("我们发展人工智能大模型，西安很美。"), glossary.annotator().lexicon)
    print(*[t[3] for t in tokens if t[2] == "西安"], "pypinyin" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["xī'ān", "False"]


def test_each_word_is_read_once_per_process(glossary, monkeypatch):
    from glossary import reading as module

    calls: list[str] = []
    real = module._word_pinyin
    monkeypatch.setattr(module, "_word_pinyin", lambda word, numbers: calls.append(word) or real(word, numbers))
    monkeypatch.setitem(module._READINGS, False, module._Readings(False))
    text = "我们发展经济，我们发展教育。"
    tokens = module.reading(glossary.annotate(text), glossary.annotator().lexicon)
    assert [t[2] for t in tokens if t[2] in ("我们", "发展")] == ["我们", "发展", "我们", "发展"]
    assert calls.count("我们") == calls.count("发展") == 1
    assert module.reading(glossary.annotate(text), glossary.annotator().lexicon) == tokens
    assert calls.count("发展") == 1  # the second reading of the page reads nothing again


def test_ruby_html_is_remembered_per_word_and_tone_style(glossary):
    """The page's ruby per word is kept for the process (glossary.render._RUBIES): the same word read
    in tone numbers afterwards shows tone numbers, the apostrophe escaped either way, and a page made
    again is the same page."""
    from glossary import render
    from glossary.reading import reading

    annotation = glossary.annotate("我们在西安发展大模型。")
    lexicon = glossary.annotator().lexicon
    marks = render.html_fragment(annotation, reading=reading(annotation, lexicon))
    numbers = render.html_fragment(annotation, reading=reading(annotation, lexicon, numbers=True))
    assert "<ruby>西安<rt>xī&#39;ān</rt></ruby>" in marks and "<ruby>我们<rt>wǒmen</rt></ruby>" in marks
    assert "<ruby>西安<rt>xi1&#39;an1</rt></ruby>" in numbers and "<ruby>我们<rt>wo3men</rt></ruby>" in numbers
    assert render.html_fragment(annotation, reading=reading(annotation, lexicon)) == marks
