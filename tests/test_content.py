"""The curated glossary itself: every quote verbatim in its article, every form and pinyin checked,
and the coverage the glossary promises (issue #2)."""

import pytest

from glossary import curation


@pytest.fixture(scope="module")
def curated():
    seeds = curation.find_seeds()
    assert seeds is not None, "the source articles (../shared/seeds) are needed to check quotes"
    return curation.load(seeds=seeds)


@pytest.fixture(scope="module")
def by_form(curated):
    return {form: e for e in curated.entries for form, _, _ in curation.surface_forms(e)}


def test_every_curated_file_passes_the_checks_with_quotes_verbatim(curated):
    assert [str(p) for p in curated.problems] == []
    assert sum(len(e.quotes) for e in curated.entries) > 300


def test_coverage_of_the_articles_and_beyond(curated):
    attested = [e for e in curated.entries if e.zh_attested]
    named_unattested = [e for e in curated.entries if not e.zh_attested and e.kind != "term"]
    formulations = [e for e in curated.entries if not e.zh_attested and e.kind in ("term", "slogan")]
    assert len(attested) >= 100
    assert len(named_unattested) >= 25
    assert len(formulations) >= 40


@pytest.mark.parametrize(
    "form,entry_id",
    [
        ("通用人工智能", "tongyong-rengong-zhineng"),
        ("新型举国体制", "xinxing-juguo-tizhi"),
        ("具身智能", "jushen-zhineng"),
        ("占领先机、赢得优势", "zhanling-xianji-yingde-youshi"),
        ("中转站", "zhongzhuanzhan"),
        ("算力券", "suanliquan"),
        ("非升即走", "feisheng-jizou"),
        ("北京通用人工智能研究院", "beijing-tongyong-rengong-zhineng-yanjiuyuan"),
        ("朱松纯", "zhu-songchun"),
        ("产学研用", "chan-xue-yan-yong"),
        ("战略性新兴产业", "zhanlvexing-xinxing-chanye"),
        ("未来产业", "weilai-chanye"),
        ("新赛道", "xin-saidao"),
        ("战略抓手", "zhanlve-zhuashou"),
        ("跨越发展", "kuayue-fazhan"),
        ("颠覆性突破", "dianfuxing-tupo"),
        ("无人区", "wurenqu"),
    ],
)
def test_terms_the_articles_print_are_attested_entries(by_form, form, entry_id):
    assert by_form[form].id == entry_id
    assert by_form[form].zh_attested
    assert by_form[form].quotes, "an attested entry carries its source quote"


@pytest.mark.parametrize(
    "form",
    [
        "人工智能+",
        "新一代人工智能发展规划",
        "十五五规划",
        "改革开放",
        "一带一路",
        "国务院",
        "中央政治局",
        "工业和信息化部",
        "世界人工智能大会",
        "单位",
        "高考",
        "防火长城",
        "国有企业",
        "新质生产力",
        "高质量发展",
        "中国式现代化",
        "科技自立自强",
        "关键核心技术",
        "数字经济",
        "数据要素",
        "东数西算",
    ],
)
def test_standard_chinese_forms_of_english_only_names_are_marked_unattested(by_form, form):
    assert not by_form[form].zh_attested


def test_misspelt_name_is_a_variant_of_the_right_form(by_form):
    entry = by_form["梁文峰"]
    assert entry.zh == "梁文锋"
    assert "misspelling" in next(v.note for v in entry.variants if v.form == "梁文峰")


def test_ordinary_words_are_marked_ambiguous(by_form):
    assert "wave" in by_form["浪潮"].ambiguous
    assert by_form["中转站"].ambiguous


def test_meaning_notes_where_the_sources_discuss_meaning(by_form):
    notes = by_form["通用人工智能"].notes
    assert "general-purpose AI" in notes and "通用大模型" in notes


def test_song_lyrics_are_not_entries(by_form):
    for lyric in ("如此生活三十年", "快来吧奔腾电脑", "忧患其久 不辍奋进 精忠报国"):
        assert lyric not in by_form


def test_quotes_keep_the_original_they_cite(by_form):
    cites = {q.cites for q in by_form["通用人工智能"].quotes}
    assert "State Council, July 20, 2017" in cites
