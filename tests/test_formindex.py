"""The annotator's forms as stored (glossary.formindex): a trie with each form's candidates, and a
delta of the forms an edit changed. Scanning with the trie finds what the automaton finds; an edit
that adds, changes or removes forms is annotated at once, and equals a whole rebuild."""

from glossary import Glossary
from glossary.build import build
from glossary.formindex import FormIndex, pack
from glossary.store import Store

CANDIDATES = {
    "人工智能": [["rengong-zhineng", 0, None]],
    "人工": [["rengong", 1, None]],
    "智能": [["zhineng-tw", 0, "tw"], ["zhineng", 0, None]],
    "通用人工智能": [["tongyong", 0, None]],
    "𠀀𠀀": [["astral", 0, None]],
}


def occurrences(index: FormIndex, text: str) -> set[tuple[int, int, str]]:
    forms = index.forms()
    return {(s, e, forms[n]) for s, e, n in index.matches(text)}


def every_occurrence(forms, text: str) -> set[tuple[int, int, str]]:
    return {(i, i + len(f), f) for f in forms for i in range(len(text)) if text.startswith(f, i)}


def test_the_trie_finds_every_overlapping_occurrence():
    index = FormIndex(pack(CANDIDATES))
    text = "发展通用人工智能和人工智能，𠀀𠀀𠀀"
    assert occurrences(index, text) == every_occurrence(CANDIDATES, text)
    assert index.as_dict() == CANDIDATES  # each form keeps its candidates, in order
    assert list(index.candidates) == [index.candidates[n] for n in range(len(index))]


def test_a_delta_adds_replaces_and_removes_forms():
    delta = {"人工": [], "智能": [["zhineng", 2, None]], "算力": [["suanli", 0, None]]}
    index = FormIndex(pack(CANDIDATES), delta)
    expected = {**{f: c for f, c in CANDIDATES.items() if f != "人工"}, **delta}
    del expected["人工"]
    assert index.as_dict() == expected
    text = "提升算力，发展人工智能"
    assert occurrences(index, text) == every_occurrence(expected, text)
    numbers = [n for _, _, n in index.matches(text)]
    assert sorted(index.candidates[n][0][0] for n in numbers) == ["rengong-zhineng", "suanli", "zhineng"]
    assert index.base_get("人工") == [["rengong", 1, None]] and index.get("人工") == []


def test_forms_decoded_together_read_as_decoded_one_by_one():
    """A long text's first annotation decodes the forms it meets in one call (decode_many): the same
    candidates as one at a time, for the base's forms, the ones an edit replaced and the ones it added."""
    delta = {"人工": [], "智能": [["zhineng", 2, None]], "算力": [["suanli", 0, None]]}
    index = FormIndex(pack(CANDIDATES), delta)
    numbers = list(range(len(index)))[::-1]
    one_by_one = [index.decode(n) for n in numbers]
    assert index.decode_many(numbers) == one_by_one and index.decode_many([]) == []
    fresh = FormIndex(pack(CANDIDATES), delta).candidates
    fresh.decode(numbers[:2])
    assert [fresh[n] for n in numbers] == one_by_one


def test_an_empty_glossary_has_no_forms():
    index = FormIndex(pack({}))
    assert len(index) == 0 and index.matches("人工智能") == [] and list(index.candidates) == []


def tags(db, text: str) -> dict[str, str]:
    with Glossary.open(db, build=False) as glossary:
        annotation = glossary.annotate(text)
        return {span.text: annotation.card(span)["id"] for top in annotation.spans for span in top.walk()}


def forms_of(db) -> dict[str, list]:
    with Store(db) as store:
        return store.annotator_data()["forms"].as_dict()


def assert_equals_a_whole_build(tree, tmp_path) -> None:
    fresh = tmp_path / "fresh.sqlite"
    build(fresh, tree["entries"], tree["sources"])
    assert forms_of(tree["db"]) == forms_of(fresh)
    with Store(tree["db"]) as a, Store(fresh) as b:
        assert a.blob("lexicon_forms") == b.blob("lexicon_forms") and a.lexicon_total == b.lexicon_total


def test_a_new_variant_is_annotated_after_an_edit(tree, tmp_path):
    assert "算力资源" not in tags(tree["db"], "统筹算力资源")
    path = tree["entries"] / "suanli.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "variants:\n  - form: 算力资源\n    pinyin: suànlì zīyuán\n", "utf-8"
    )
    build(tree["db"], tree["entries"], tree["sources"])
    with Store(tree["db"]) as store:
        assert "算力资源" in store.annotator_data()["forms"].delta  # a delta over the base, not a new base
    assert tags(tree["db"], "统筹算力资源") == {"算力资源": "suanli"}
    assert_equals_a_whole_build(tree, tmp_path)


def test_a_removed_entry_is_no_longer_annotated(tree, tmp_path):
    assert tags(tree["db"], "提升算力水平") == {"算力": "suanli"}
    (tree["entries"] / "suanli.yaml").unlink()
    build(tree["db"], tree["entries"], tree["sources"])
    assert tags(tree["db"], "提升算力水平") == {}
    assert_equals_a_whole_build(tree, tmp_path)
    (tree["entries"] / "suanli.yaml").write_text(
        "zh: 算力\npinyin: suànlì\nkind: term\nen: compute\nauthority: curator\n", encoding="utf-8"
    )
    build(tree["db"], tree["entries"], tree["sources"])  # back again: as in the base, the delta forgets it
    assert tags(tree["db"], "提升算力水平") == {"算力": "suanli"}
    with Store(tree["db"]) as store:
        assert "算力" not in store.annotator_data()["forms"].delta


def test_a_delta_grown_past_its_share_is_folded_into_a_new_base(tree, tmp_path, monkeypatch):
    import glossary.build

    monkeypatch.setattr(glossary.build, "DELTA_MIN", 2)
    monkeypatch.setattr(glossary.build, "DELTA_SHARE", 10**6)
    (tree["entries"] / "suanli.yaml").unlink()
    build(tree["db"], tree["entries"], tree["sources"])
    with Store(tree["db"]) as store:
        assert store.annotator_data()["forms"].delta == {"算力": []}
    for name in ("zhongkao.yaml", "xiagang.yaml"):
        (tree["entries"] / name).unlink()
    build(tree["db"], tree["entries"], tree["sources"])
    with Store(tree["db"]) as store:
        assert store.annotator_data()["forms"].delta == {}  # rebuilt whole
    assert tags(tree["db"], "提升算力水平，参加中考") == {}
    assert_equals_a_whole_build(tree, tmp_path)


def test_short_texts_are_annotated_alike_by_the_trie_and_the_automaton(db_path):
    from glossary.annotate import Annotator, text_region
    from glossary.segment import Lexicon

    texts = [
        "坚持新型举国体制，发展通用人工智能，提升算力水平",
        "集中考察了国有企业改革开放的情况",
        "臺灣的教育部推動人工智慧發展",
        "以钉钉子精神抓好工作落实，浪潮集团发布大模型",
    ]
    with Glossary.open(db_path, build=False) as glossary:  # two annotators of their own, not the shared one
        by_trie, by_automaton = (
            Annotator(
                data["forms"],
                Lexicon.load(glossary.store),
                data["reading_keys"],
                data["traditional"],
                data["reading_ids"],
            )
            for data in (glossary.store.annotator_data(), glossary.store.annotator_data())
        )
    by_automaton._switch_after = 0  # as a process that has scanned much text already
    trie_spans = [by_trie.annotate(t, region=text_region(t, by_trie.traditional)).spans for t in texts]
    automaton_spans = [by_automaton.annotate(t, region=text_region(t, by_trie.traditional)).spans for t in texts]
    assert not by_trie.automaton_built() and by_automaton.automaton_built()  # nothing built for short texts
    assert trie_spans == automaton_spans and any(trie_spans)


def long_text_tags(db, sentence: str) -> tuple[bool, set[tuple[str, str]]]:
    """Whether the build's stored automaton was read, and the (text, id) of every span of a text long
    enough for the long-text automaton (the sentence repeated), in a fresh annotator."""
    from glossary import _annotators
    from glossary.annotate import Annotator, stored_automaton

    _annotators.clear()  # a fresh annotator: the one a new process would build
    with Glossary.open(db, build=False) as glossary:
        annotator = glossary.annotator()
        stored = annotator._stored is not None and stored_automaton(*annotator._stored) is not None
        annotation = glossary.annotate(sentence * (Annotator.LONG_TEXT // len(sentence) + 1))
        assert annotator.automaton_built()
        found = {(span.text, annotation.card(span)["id"]) for top in annotation.spans for span in top.walk()}
    return stored, found


def test_the_build_stores_the_long_text_automaton_while_the_forms_keep_their_numbers(tree, tmp_path):
    """A long document's first annotation in a process reads the automaton the build stored instead
    of building it; an edit that adds or removes a form renumbers the forms, so the stored one is set
    aside (and the new forms are still found) until the next new base."""
    sentence = "统筹算力资源，提升算力水平，发展通用人工智能。"
    stored, before = long_text_tags(tree["db"], sentence)
    assert stored and {("算力", "suanli"), ("通用人工智能", "tongyong-rengong-zhineng")} <= before
    path = tree["entries"] / "suanli.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "variants:\n  - form: 算力资源\n    pinyin: suànlì zīyuán\n", "utf-8"
    )
    build(tree["db"], tree["entries"], tree["sources"])
    stored, found = long_text_tags(tree["db"], sentence)
    assert not stored and found == {*before, ("算力资源", "suanli")}
    fresh = tmp_path / "fresh.sqlite"
    build(fresh, tree["entries"], tree["sources"])
    assert long_text_tags(fresh, sentence) == (True, found)
