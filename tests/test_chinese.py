"""Script forms, pinyin checks and the matching view."""

from glossary.chinese import (
    align_pinyin,
    matching_view,
    numbered_syllable,
    pinyin_forms,
    pinyin_problem,
    script_forms,
    search_key,
    slug,
)


def test_opencc_gives_taiwan_wording_of_a_term():
    forms = script_forms("人工智能")
    assert forms["s2t"] == "人工智能"
    assert forms["s2twp"] == "人工智慧"
    assert script_forms("数据要素")["s2twp"] == "資料要素"


def test_pinyin_must_fit_the_characters_but_polyphones_are_the_curators_choice():
    assert pinyin_problem("重塑", "chóngsù") is None  # pypinyin's default would be zhòngsù
    assert pinyin_problem("行业", "hángyè") is None
    assert "does not fit" in pinyin_problem("行业", "xíngyè yè")
    assert "does not fit" in pinyin_problem("中考", "zhōngkào kǎo")
    assert "tone numbers" in pinyin_problem("中考", "zhong1kao3")


def test_pinyin_alignment_handles_latin_plus_and_punctuation():
    assert align_pinyin("人工智能+", "réngōng zhìnéng jiā") == ["rén", "gōng", "zhì", "néng"]
    assert align_pinyin("AGI已是确定性事件", "AGI yǐ shì quèdìngxìng shìjiàn") is not None
    assert align_pinyin("占领先机、赢得优势", "zhànlǐng xiānjī, yíngdé yōushì") is not None
    assert align_pinyin("西安", "Xī'ān") == ["xī", "ān"]


def test_pinyin_forms_for_search_and_tone_numbers():
    forms = pinyin_forms("通用人工智能", "tōngyòng réngōng zhìnéng")
    assert forms == {
        "plain": "tongyong rengong zhineng",
        "syllables": "tong yong ren gong zhi neng",
        "numbered": "tong1yong4 ren2gong1 zhi4neng2",
        "key": "tongyongrengongzhineng",
    }
    assert numbered_syllable("lǜ") == "lv4"
    assert search_key("tong1yong4 ren2gong1") == search_key("Tōngyòng Réngōng") == "tongyongrengong"


def test_slug_is_the_pinyin_without_tones():
    assert slug("tōngyòng réngōng zhìnéng") == "tongyong-rengong-zhineng"
    assert slug("Zhū Sōngchún") == "zhu-songchun"
    assert slug("bèi'àn") == "beian"


def test_matching_view_joins_pdf_breaks_and_maps_back():
    text = "坚持新型举\n国体制，\u3000发展 通用"
    view = matching_view(text)
    assert view.text == "坚持新型举国体制，发展通用"
    start, end = view.text.index("新型举国体制"), view.text.index("新型举国体制") + 6
    assert text[view.to_original(start):view.to_original(end, end=True)] == "新型举\n国体制"
    i = view.text.index("通用")
    assert text[view.to_original(i):view.to_original(i + 2, end=True)] == "通用"


def test_matching_view_keeps_spaces_next_to_latin_text():
    text = "AI 人工智能 plan"
    assert matching_view(text).text == text


def test_regional_forms_drop_short_wording_changes_that_read_as_simplified():
    from glossary.chinese import regional_forms

    assert "智慧" not in regional_forms("智能").values()
    assert "人工智慧" in regional_forms("人工智能").values()
    assert "資料要素" in regional_forms("数据要素").values()
