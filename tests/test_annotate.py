"""The annotator on the data-driven cases in tests/cases/annotate.yaml, and its output shape."""

import json
from pathlib import Path

import pytest
import yaml

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "annotate.yaml").read_text(encoding="utf-8"))


def project(span, expected: dict, entries: dict) -> dict:
    """The parts of a span a case states (text, id, children always; offsets and flags when given)."""
    out = {"text": span.text, "id": span.id}
    if "start" in expected:
        out["start"] = span.start
    if "end" in expected:
        out["end"] = span.end
    if "ambiguous" in expected:
        out["ambiguous"] = span.ambiguous
    kids = expected.get("children", [])
    if span.children or kids:
        padded = kids + [{}] * len(span.children)
        out["children"] = [project(c, e, entries) for c, e in zip(span.children, padded, strict=False)]
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_annotation_case(glossary, case):
    annotation = glossary.annotate(case["text"], **case.get("options", {}))
    expected = case["spans"]
    got = [
        project(s, e, annotation.entries)
        for s, e in zip(annotation.spans, expected + [{}] * len(annotation.spans), strict=False)
    ]
    assert got == expected
    for span in annotation.spans:
        for each in span.walk():
            assert case["text"][each.start : each.end] == each.text


def test_json_shape_matches_the_documented_contract(glossary):
    """Spans name their entry by id; each entry's card is given once, in `entries` (issue #10)."""
    data = glossary.annotate("发展通用人工智能，通用人工智能").to_dict()
    assert set(data) == {"entries", "readings", "spans"}
    span = data["spans"][0]
    assert set(span) == {"start", "end", "text", "id", "ambiguous", "children"}
    assert (span["start"], span["end"], span["text"]) == (2, 8, "通用人工智能")
    card = data["entries"][span["id"]]
    assert (card["zh"], card["pinyin"]) == ("通用人工智能", "tōngyòng réngōng zhìnéng")
    assert span["children"][0]["id"] == "rengong-zhineng"
    assert set(data["entries"]) == {"tongyong-rengong-zhineng", "rengong-zhineng", "zhineng"}
    assert data["entries"]["tongyong-rengong-zhineng"]["quote"]["source"] == "sample-article"
    assert json.dumps(data, ensure_ascii=False).count("tōngyòng réngōng zhìnéng") == 1  # not once per span


def test_term_list_counts_first_appearance_and_nesting(glossary):
    terms = glossary.annotate("人工智能和通用人工智能，人工智能").terms()
    assert [(t["id"], t["count"], t["nested"]) for t in terms] == [
        ("rengong-zhineng", 3, 1),
        ("zhineng", 3, 3),
        ("tongyong-rengong-zhineng", 1, 0),
    ]


def test_boundaries_can_be_switched_off(glossary):
    assert glossary.annotate("集中考察").spans == ()
    assert [s.id for s in glossary.annotate("集中考察", boundaries=False).spans] == ["zhongkao"]


def test_annotator_is_built_once_per_database_version(glossary):
    assert glossary.annotator() is glossary.annotator()


def test_a_form_reads_as_its_own_characters(glossary):
    """Variants and Taiwan wording are not clones of the headword (the coverage issue)."""
    data = glossary.annotate("發展人工智慧，改革央企").to_dict()
    taiwan, central = data["spans"]

    def card(span):
        return {**data["entries"][span["id"]], **data["readings"].get(span.get("reading"), {})}

    assert (taiwan["text"], card(taiwan)["pinyin"]) == ("人工智慧", "réngōng zhìhuì")
    assert card(taiwan)["en"] == "artificial intelligence (AI)"
    assert (central["text"], card(central)["pinyin"], card(central)["en"]) == (
        "央企",
        "yāngqǐ",
        "central state-owned enterprise",
    )
    assert card(central)["zh"] == "国有企业"  # still the entry it belongs to


def test_the_term_list_keeps_a_variant_with_its_own_rendering_apart(glossary):
    terms = glossary.annotate("国有企业和央企").terms()
    assert [(t.get("form") or t["zh"], t["en"]) for t in terms] == [
        ("国有企业", "state-owned enterprise (SOE)"),
        ("央企", "central state-owned enterprise"),
    ]


def test_a_long_document_annotated_piece_by_piece_gives_the_same_spans(glossary, monkeypatch):
    """Bounded memory: the CLI annotates a long text in pieces cut after sentence ends (issue #8)."""
    import json

    from glossary import annotate, render

    text = "坚持新型举国体制，发展通用人工智能。" * 40 + "安置下岗职工！" * 30 + "發展人工智慧？" * 20
    whole = glossary.annotate(text).to_dict()
    monkeypatch.setattr(annotate, "CHUNK", 50)
    pieces = list(glossary.annotate_chunks(text))
    assert len(pieces) > 10 and "".join(piece.text for _, piece in pieces) == text
    out: list[bytes] = []
    render.write_json(iter(pieces), out.append, glossary.cards_json)
    assert json.loads(b"".join(out)) == json.loads(json.dumps(whole))
    text_out: list[str] = []
    render.write_text(iter(pieces), text_out.append)
    assert "".join(text_out) == render.to_text(glossary.annotate(text))


def test_the_cli_json_reads_the_cards_as_stored_and_writes_the_same_bytes(glossary, monkeypatch):
    """`annotate --format json` takes the cards' JSON as the database stores it, once at the end
    (Glossary.cards_json), instead of parsing each card to write it out again: the same bytes, with
    the entries and the forms that read otherwise (央企 under 国有企业) in the same order."""
    import orjson

    from glossary import annotate, render

    text = "坚持新型举国体制，发展通用人工智能。改革央企和大模型。" * 30 + "發展人工智慧？" * 10
    monkeypatch.setattr(annotate, "CHUNK", 60)
    whole = glossary.annotate(text)  # the cards parsed, then dumped again as the output would be
    parsed = (
        b'],\n"entries": '
        + orjson.dumps(dict(sorted(whole.entries.items())))
        + b',\n"readings": '
        + orjson.dumps(dict(sorted(whole.readings.items())))
        + b"}\n"
    )
    as_stored: list[bytes] = []
    render.write_json(glossary.annotate_chunks(text, cards=False), as_stored.append, glossary.cards_json)
    assert b"".join(as_stored).endswith(parsed)
    data = orjson.loads(b"".join(as_stored))
    assert data["readings"] and len(data["entries"]) >= 4
    ids, keys = {"damoxing", "no-such-entry"}, set()
    assert glossary.cards_json(ids, keys) == (orjson.dumps(glossary.store.cards(ids)), b"{}")


def test_spans_read_one_by_one_or_all_at_once_are_the_same_tuple(glossary):
    """Annotation.spans keeps the matches and makes a Span only when one is read: indexing before
    and after iterating, slicing, equality and pickling give what the tuple of spans gives."""
    import pickle

    from glossary.annotate import Span

    text = "发展通用人工智能，坚持新型举\n国体制。人工智能"
    spans = glossary.annotate(text).spans
    one_by_one = [spans[i] for i in range(len(spans))]
    assert spans[-1] == one_by_one[-1] and spans[-len(spans)] == one_by_one[0]
    with pytest.raises(IndexError):
        spans[len(spans)]
    whole = tuple(spans)
    assert all(type(s) is Span for s in whole) and list(whole) == one_by_one
    assert [s.text for s in whole] == ["通用人工智能", "新型举\n国体制", "人工智能"]
    assert whole[0].children[0].text == "人工智能" and whole[0].children[0].start == 4
    assert spans == whole and whole == spans and spans[1:] == whole[1:] and hash(spans) == hash(whole)
    assert pickle.loads(pickle.dumps(spans)) == whole
    assert glossary.annotate("").spans == () and not glossary.annotate("").spans


@pytest.mark.parametrize("long_text", [False, True])
def test_a_term_with_children_across_a_removed_break_is_written_with_its_own_text(glossary, monkeypatch, long_text):
    """Spans across a removed line break or quotation mark have JSON templates of their own text, kept
    across calls: the same bytes as the dicts', for each way the term is written, whatever the offset."""
    import orjson

    from glossary import annotate

    if long_text:
        monkeypatch.setattr(annotate.Annotator, "LONG_TEXT", 0)
    text = "发展通用人工\n智能。推进通用“人工智能”。发展通用人工\n智能和通用人工智能。"
    for offset, join in ((0, b","), (9, b",\n"), (0, b","), (9, b",\n")):  # twice: from the templates kept
        annotation = glossary.annotate(text)
        texts = [span.text for span in annotation.spans]
        assert "通用人工\n智能" in texts and "通用“人工智能”" in texts and "通用人工智能" in texts
        assert all(span.children for span in annotation.spans if span.text.startswith("通用"))
        dicts = annotation.span_dicts(annotation.spans, offset)
        assert annotation.spans_json(offset, join) == b"[" + join.join(map(orjson.dumps, dicts)) + b"]"
