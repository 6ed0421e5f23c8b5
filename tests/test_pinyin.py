"""Pinyin: curated readings checked against characters, searchable forms, one orthography."""

from glossary.pinyin import (
    align_pinyin,
    cedict_pinyin,
    cedict_syllables,
    numbered_syllable,
    pinyin_forms,
    pinyin_problem,
    search_key,
    slug,
    unconfirmed_readings,
)


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


def test_tone_numbers_cover_the_readings_of_signs():
    # + × 〇 give no Han syllable: their reading is numbered too, not left in tone marks
    assert pinyin_forms("人工智能+", "réngōng zhìnéng jiā")["numbered"] == "ren2gong1 zhi4neng2 jia1"
    assert pinyin_forms("数据要素×", "shùjù yàosù chéng")["numbered"] == "shu4ju4 yao4su4 cheng2"
    assert pinyin_forms("二〇三五年", "èr líng sān wǔ nián")["numbered"] == "er4 ling2 san1 wu3 nian2"
    assert pinyin_forms("人工智能+", "réngōng zhìnéng+")["numbered"] == "ren2gong1 zhi4neng2+"


def test_slug_is_the_pinyin_without_tones():
    assert slug("tōngyòng réngōng zhìnéng") == "tongyong-rengong-zhineng"
    assert slug("Zhū Sōngchún") == "zhu-songchun"
    assert slug("bèi'àn") == "beian"


def test_cedict_keeps_every_reading_of_a_word():
    assert ["zhōng", "shì"] in cedict_syllables("中试")
    assert ["zhòng", "shì"] in cedict_syllables("中试")


def test_one_orthography_for_dictionary_pinyin():
    assert cedict_pinyin("Xi1 an1", numbers=False) == "Xī'ān"
    assert cedict_pinyin("An1 hui1", numbers=False) == "Ānhuī"
    assert cedict_pinyin("Xi1 an1", numbers=True) == "Xi1'an1"


def test_a_reading_neither_pypinyin_nor_cedict_gives_must_be_confirmed():
    assert unconfirmed_readings("重塑", "chóngsù") == []  # CC-CEDICT lists chóngsù
    assert unconfirmed_readings("通用", "tōngyòng") == []
    assert unconfirmed_readings("书记", "shūji") == []  # CC-CEDICT: shu1 ji5
    assert unconfirmed_readings("行业", "xíngyè") == ["行:xíng"]
    assert unconfirmed_readings("行业", "xíngyè", ("行:xíng",)) == []
