"""Fuzz the annotator (hypothesis, bounded): whatever the text, every span points into it, and every
output format renders it, escaped, with the same spans whether annotated whole or piece by piece."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary import annotate, render

PIECES = [
    "通用人工智能。",
    "。",
    "！",
    "？",
    "通用人工智能",
    "人工智能",
    "人工智慧",
    "新型举国体制",
    "新型举\n国体制",
    "“通用人工智能”",
    "集中考察",
    "下岗职工",
    "浪潮",
    "央企",
    "教育部",
    "臺灣的",
    "北大荒集团",
    "单位",
    "。",
    "，",
    "\n",
    " ",
    "\u3000",
    "𠀀",
    "<script>alert(1)</script>",
    "&amp;",
    "AI",
    "+",
    "＋",
    "\ufeff",
    "\u200b",
    "中",
    "国",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=30).map("".join)
SETTINGS = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def walk(spans):
    for span in spans:
        yield span
        yield from walk(span.children)


@SETTINGS
@given(text=texts, ordinary=st.booleans(), region=st.sampled_from([None, "prc", "tw", "hk"]))
def test_every_span_points_into_the_text_and_every_format_renders(glossary, text, ordinary, region):
    annotation = glossary.annotate(text, ordinary=ordinary, region=region)
    last = 0
    for top in annotation.spans:
        assert last <= top.start < top.end <= len(text)  # top-level spans in order, not overlapping
        last = top.end
    for span in walk(annotation.spans):
        assert text[span.start : span.end] == span.text
        assert span.id in annotation.entries
    data = json.loads(render.annotation_json(annotation))
    assert [(s["start"], s["end"]) for s in data["spans"]] == [(s.start, s.end) for s in annotation.spans]
    render.to_text(annotation)
    render.to_markdown(annotation)
    html = render.to_html(annotation)
    assert "<script>alert" not in html  # the text's markup is escaped, never inserted


@SETTINGS
@given(text=texts, size=st.integers(min_value=2, max_value=40))
def test_piece_by_piece_gives_the_whole_texts_spans(glossary, monkeypatch, text, size):
    monkeypatch.setattr(annotate, "CHUNK", size)
    pieces = list(glossary.annotate_chunks(text))
    assert "".join(piece.text for _, piece in pieces) == text
    out: list[bytes] = []
    render.write_json(iter(pieces), out.append, glossary.cards_json)
    # The guarantee holds where the pieces are cut after sentence ends (a text with none over twice the
    # piece size is cut where it stands, documented in annotate.chunks).
    if all(piece.text[-1] in annotate.SENTENCE_ENDS for _, piece in pieces[:-1]):
        whole = glossary.annotate(text, region=annotate.text_region(text, glossary.annotator().traditional))
        assert json.loads(b"".join(out))["spans"] == json.loads(json.dumps(whole.to_dict()))["spans"]


@SETTINGS
@given(
    text=texts,
    ordinary=st.booleans(),
    region=st.sampled_from([None, "prc", "tw", "hk"]),
    chosen=st.sampled_from([None, {"min_length": 3}, {"kinds": "term"}, {"kinds": "organization,product"}]),
)
def test_long_and_short_texts_get_the_same_spans(glossary, monkeypatch, text, ordinary, region, chosen):
    """A long text is scanned by another automaton (daachorse's) and its matches resolved through a
    table per options, and a form's children are remembered from one text to the next: none of it
    may change a span."""
    from glossary.filters import make

    options = {"ordinary": ordinary, "region": region, "entry_filter": make(**chosen) if chosen else None}
    short = glossary.annotate(text, **options).to_dict()
    with monkeypatch.context() as patch:
        patch.setattr(annotate.Annotator, "LONG_TEXT", 0)
        assert glossary.annotate(text, **options).to_dict() == short


@SETTINGS
@given(
    text=texts,
    ordinary=st.booleans(),
    offset=st.sampled_from([0, 7, 123456]),
    long_text=st.booleans(),
)
def test_the_json_made_in_bulk_is_the_json_of_the_dicts(glossary, monkeypatch, text, ordinary, offset, long_text):
    """The JSON outputs put the spans' JSON together from pieces made once per form (Spans.json),
    never from a dict per span: byte for byte what orjson makes of to_dict(), whatever the text
    (line breaks removed inside a term, children, readings), offset or separator."""
    import orjson

    if long_text:
        monkeypatch.setattr(annotate.Annotator, "LONG_TEXT", 0)
    for _ in range(2):  # the second time from the pieces remembered
        annotation = glossary.annotate(text, ordinary=ordinary)
        assert orjson.dumps(annotation.json_dict()) == orjson.dumps(annotation.to_dict())
        dicts = annotation.span_dicts(annotation.spans, offset)
        assert glossary.annotate(text, ordinary=ordinary).spans_json(offset, b",\n") == (
            b"[" + b",\n".join(map(orjson.dumps, dicts)) + b"]"
        )
