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


def test_word_readings_are_cached():
    _word_pinyin.cache_clear()
    _word_pinyin("发展", False)
    _word_pinyin("发展", False)
    assert _word_pinyin.cache_info().hits == 1
