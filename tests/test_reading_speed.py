"""Whole-text pinyin reads pypinyin's tables directly, once per word: the same readings as
pypinyin.pinyin, without its per-call cost."""

from __future__ import annotations

import pytest

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
