"""Curated YAML → Entry, with every problem reported by file and line."""

from pathlib import Path

from glossary.model import Entry, Problem, parse_entry, parse_sources


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_entry_fields_are_read_and_round_trip(fixture_paths):
    problems: list[Problem] = []
    entry = parse_entry(fixture_paths["entries"] / "tongyong-rengong-zhineng.yaml", problems)
    assert problems == []
    assert entry.id == "tongyong-rengong-zhineng"
    assert entry.pinyin == "tōngyòng réngōng zhìnéng"
    assert entry.renderings[0].en == "general artificial intelligence"
    assert entry.quotes[0].text == "Local governments piloted AGI (通用人工智能) initiatives."
    assert Entry.from_dict(entry.to_dict()) == entry


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad-entry.yaml", "zh: 中考\npinyin: zhōngkǎo\nkind: [term\nen: x\n")
    problems: list[Problem] = []
    assert parse_entry(path, problems) is None
    assert len(problems) == 1
    assert problems[0].file == str(path) and problems[0].line in (3, 4, 5)
    assert "malformed YAML" in str(problems[0])


def test_missing_and_unknown_fields_are_each_reported_with_their_line(tmp_path):
    path = write(tmp_path, "zhongkao.yaml", "zh: 中考\nkind: exam\nen: x\ncolour: red\n")
    problems: list[Problem] = []
    assert parse_entry(path, problems) is None
    messages = {p.message: p.line for p in problems}
    assert messages["missing required field 'pinyin'"] is not None
    assert messages["kind 'exam' is not one of term, slogan, person, organization, product, document, place"] == 2
    assert messages["unknown field 'colour'"] == 4


def test_quote_without_text_is_reported_at_the_quote(tmp_path):
    path = write(
        tmp_path,
        "zhongkao.yaml",
        "zh: 中考\npinyin: zhōngkǎo\nkind: term\nen: x\nquotes:\n  - source: a\n    zh: 中考\n",
    )
    problems: list[Problem] = []
    parse_entry(path, problems)
    assert [(p.line, p.message) for p in problems] == [(6, "missing required field 'text'")]


def test_bad_file_name_and_non_mapping(tmp_path):
    problems: list[Problem] = []
    parse_entry(write(tmp_path, "Bad Name.yaml", "zh: 中考\npinyin: zhōngkǎo\nkind: term\nen: x\n"), problems)
    parse_entry(write(tmp_path, "list.yaml", "- a\n- b\n"), problems)
    assert any("is not a valid id" in p.message for p in problems)
    assert any("must be a YAML mapping" in p.message for p in problems)


def test_sources_need_unique_ids(tmp_path):
    path = write(tmp_path, "sources.yaml", "- id: a\n  title: A\n- id: a\n  title: B\n- title: no id\n")
    problems: list[Problem] = []
    sources = parse_sources(path, problems)
    assert [s.id for s in sources] == ["a", "a"]
    assert [(p.line, p.message) for p in problems] == [
        (3, "duplicate source id 'a'"),
        (5, "a source needs an 'id' and a 'title'"),
    ]
