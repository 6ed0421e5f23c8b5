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
    path.write_text(path.read_text(encoding="utf-8").replace("source: other-article", "source: sample-article"),
                    encoding="utf-8")
    assert any("not verbatim in sample-article" in p.message for p in load(tree).problems)


def test_duplicate_surface_form_unknown_related_and_source(tree):
    (tree["entries"] / "zhongkao-2.yaml").write_text(
        "zh: 中考\npinyin: zhōngkǎo\nkind: term\nen: x\nauthority: curator\nrelated: [nope]\n"
        "quotes:\n  - source: nowhere\n    text: t\n", encoding="utf-8")
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
    path.write_text(path.read_text(encoding="utf-8").replace("- en: general artificial intelligence",
                                                             "- en: universal machine intelligence"),
                    encoding="utf-8")
    problems = load(tree).problems
    assert [(p.line, p.message) for p in problems] == [
        (7, "rendering 'universal machine intelligence' does not occur in other-article, the source it names")]


def test_an_ordinary_word_may_not_be_a_glossary_form(tmp_path, fixture_paths):
    import shutil

    sources = tmp_path / "sources.yaml"
    shutil.copy(fixture_paths["sources"], sources)
    (tmp_path / "ordinary_words.txt").write_text("北大门  # fine\n下岗\n", encoding="utf-8")
    problems = curation.load(fixture_paths["entries"], sources).problems
    assert [p.message for p in problems] == [
        "surface form '下岗' (zh) is listed in ordinary_words.txt as an ordinary word"]
