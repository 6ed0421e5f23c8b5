"""`glossary check`'s cross-file rules: each problem with its file and line."""

import shutil
from pathlib import Path

import pytest

from glossary import curation


@pytest.fixture
def tree(tmp_path, fixture_paths) -> dict[str, Path]:
    """A writable copy of the fixture glossary."""
    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    return {"entries": entries, "sources": fixture_paths["sources"], "seeds": fixture_paths["seeds"]}


def load(tree):
    return curation.load(tree["entries"], tree["sources"], tree["seeds"])


def test_the_fixture_glossary_is_clean(tree):
    curated = load(tree)
    assert curated.problems == []
    assert len(curated.entries) == len(list(tree["entries"].glob("*.yaml")))


def test_surface_forms_include_traditional_taiwan_and_plus_variants(tree):
    entry = {e.id: e for e in load(tree).entries}["rengong-zhineng-plus"]
    forms = {form for form, _, _ in curation.surface_forms(entry)}
    assert {"人工智能+", "人工智能＋", "人工智慧+", "人工智慧＋", "AI+", "AI＋"} <= forms


def test_a_paraphrased_quote_is_caught(tree):
    path = tree["entries"] / "rengong-zhineng.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("is everywhere", "is ubiquitous"), encoding="utf-8")
    problems = load(tree).problems
    assert [(Path(p.file).name, p.line) for p in problems] == [("rengong-zhineng.yaml", 9)]  # the text: line
    assert "text is not verbatim in sample-article" in problems[0].message


def test_a_quote_is_checked_only_against_its_own_article(tree):
    path = tree["entries"] / "rengong-zhineng-plus.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("source: other-article", "source: sample-article"), encoding="utf-8"
    )
    assert any("not verbatim in sample-article" in p.message for p in load(tree).problems)


def test_duplicate_surface_form_unknown_related_and_source(tree):
    (tree["entries"] / "zhongkao-2.yaml").write_text(
        "zh: 中考\npinyin: zhōngkǎo\nkind: term\nen: x\nauthority: curator\nrelated: [nope]\n"
        "quotes:\n  - source: nowhere\n    text: t\n",
        encoding="utf-8",
    )
    found = sorted((Path(p.file).name, p.line, p.message) for p in load(tree).problems)
    assert found == [
        ("zhongkao-2.yaml", 6, "related id 'nope' is not an entry"),
        ("zhongkao-2.yaml", 8, "quote 1: source 'nowhere' is not in sources.yaml"),
        ("zhongkao.yaml", 1, f"surface form '中考' (zh) is also a form of {tree['entries'] / 'zhongkao-2.yaml'}"),
    ]


def test_wrong_pinyin_is_reported(tree):
    path = tree["entries"] / "xiagang.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("xiàgǎng", "xiàgāng gǎng"), encoding="utf-8")
    problems = load(tree).problems
    assert len(problems) == 1 and problems[0].line == 2 and "does not fit" in problems[0].message


def test_a_rendering_attributed_to_an_article_must_occur_in_it(tree):
    path = tree["entries"] / "tongyong-rengong-zhineng.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "- en: general artificial intelligence", "- en: universal machine intelligence"
        ),
        encoding="utf-8",
    )
    problems = load(tree).problems
    assert [(p.line, p.message) for p in problems] == [
        (7, "rendering 'universal machine intelligence' does not occur in other-article, the source it names")
    ]


def test_an_ordinary_word_may_not_be_a_glossary_form(tmp_path, fixture_paths):
    import shutil

    sources = tmp_path / "sources.yaml"
    shutil.copy(fixture_paths["sources"], sources)
    (tmp_path / "ordinary_words.txt").write_text("北大门  # fine\n下岗\n", encoding="utf-8")
    problems = curation.load(fixture_paths["entries"], sources).problems
    assert [p.message for p in problems] == [
        "surface form '下岗' (zh) is listed in ordinary_words.txt as an ordinary word"
    ]


def write_entry(tree, name: str, text: str) -> list[str]:
    (tree["entries"] / name).write_text(text, encoding="utf-8")
    return [p.message for p in load(tree).problems if Path(p.file).name == name]


ENTRY = "zh: 试点\npinyin: shìdiǎn\nkind: term\nen: pilot\nauthority: curator\n"


def test_every_rendering_says_its_status_and_authority(tree):
    assert write_entry(tree, "shidian.yaml", ENTRY) == []
    assert write_entry(tree, "shidian.yaml", ENTRY.replace("authority: curator\n", "")) == [
        "en has no authority (a source id, 'official: <document>, <year>', or 'curator')"
    ]
    assert write_entry(tree, "shidian.yaml", ENTRY + "renderings:\n  - en: trial\n    status: maybe\n") == [
        "status 'maybe' is not one of preferred, admitted, deprecated, forbidden"
    ]
    assert write_entry(
        tree,
        "shidian.yaml",
        ENTRY + "renderings:\n  - en: trial\n    status: admitted\n    authority: 'official: State Council'\n",
    ) == ["rendering 'trial' authority 'official: State Council' must name the official document or issuer and a year"]


def test_variant_pinyin_must_read_its_own_characters(tree):
    variant = ENTRY + "variants:\n  - form: 試點工作\n    pinyin: {}\n"
    assert write_entry(tree, "shidian.yaml", variant.format("shìdiǎn gōngzuò")) == []
    assert "does not fit" in write_entry(tree, "shidian.yaml", variant.format("shìdiǎn"))[0]
    assert write_entry(tree, "shidian.yaml", ENTRY + "variants:\n  - form: 試點工作\n") == [
        "variant '試點工作' has no pinyin (the reading of its own characters)"
    ]


def test_a_reading_neither_pypinyin_nor_cedict_gives_is_confirmed_in_the_data(tree):
    entry = "zh: 行业\npinyin: xíngyè\nkind: term\nen: x\nauthority: curator\n"
    assert write_entry(tree, "xingye.yaml", entry) == [
        "reading 行:xíng of '行业' is neither pypinyin's nor CC-CEDICT's: confirm it in confirmed_readings"
    ]
    assert write_entry(tree, "xingye.yaml", entry + "confirmed_readings: ['行:xíng']\n") == []


def test_wrong_field_types_are_refused_not_built(tree):
    """`zh: [人工, 智能]` passed check and built an entry that never matched (the hardening issue)."""
    messages = write_entry(
        tree, "bad.yaml", "zh: [人工, 智能]\npinyin: x\nkind: term\nen: {a: b}\nauthority: curator\ntags: [[x]]\n"
    )
    assert messages == ["'zh' must be text, not a list", "'en' must be text, not a dict", "tags item 1 must be text"]


def test_two_regions_may_share_a_form_one_region_may_not(tree):
    body = "zh: 教育部\npinyin: Jiàoyù Bù\nkind: organization\nen: x\nauthority: curator\n"
    assert write_entry(tree, "jiaoyu-bu.yaml", body + "region: prc\n") == []
    assert write_entry(tree, "jiaoyu-bu-tw.yaml", body + "region: tw\n") == []
    write_entry(tree, "jiaoyu-bu-tw.yaml", body + "region: prc\n")
    assert [p.message for p in load(tree).problems] == [
        f"surface form '教育部' (zh) is also a form of {tree['entries'] / 'jiaoyu-bu-tw.yaml'} in region prc"
    ]
