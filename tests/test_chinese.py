"""Script forms and the matching view."""

from hypothesis import given, settings
from hypothesis import strategies as st

from glossary.chinese import matching_view, script_forms


def test_opencc_gives_taiwan_wording_of_a_term():
    forms = script_forms("人工智能")
    assert forms["s2t"] == "人工智能"
    assert forms["s2t"] == forms["s2tw"] == "人工智能"
    assert script_forms("数据要素")["s2t"] == "數據要素"


def test_matching_view_joins_pdf_breaks_and_maps_back():
    text = "坚持新型举\n国体制，\u3000发展 通用"
    view = matching_view(text)
    assert view.text == "坚持新型举国体制，发展通用"
    start, end = view.text.index("新型举国体制"), view.text.index("新型举国体制") + 6
    assert text[view.to_original(start) : view.to_original(end, end=True)] == "新型举\n国体制"
    i = view.text.index("通用")
    assert text[view.to_original(i) : view.to_original(i + 2, end=True)] == "通用"


def test_matching_view_keeps_spaces_next_to_latin_text():
    text = "AI 人工智能 plan"
    assert matching_view(text).text == text


def test_regional_forms_drop_short_wording_changes_that_read_as_simplified():
    from glossary.chinese import regional_forms

    assert "智慧" not in regional_forms("智能").values()
    assert "人工智慧" in regional_forms("人工智能").values()
    assert regional_forms("数字经济")["tw"] == "數位經濟"


def test_only_real_taiwan_forms_are_generated():
    """OpenCC's phrase conversion made these; nobody writes them (the coverage issue's list)."""
    from glossary.chinese import regional_forms

    bad = {"双循环": "雙迴圈", "产业优化升级": "產業最佳化升級", "自变量机器人": "自變數機器人"}
    for zh, wrong in bad.items():
        assert wrong not in regional_forms(zh).values()
    assert "中國資訊通訊研究院" not in regional_forms("中国信息通信研究院", "organization").values()
    assert regional_forms("人工智能")["tw"] == "人工智慧"


def test_matching_view_drops_quotation_marks_inside_a_phrase():
    text = "协调推进“四个全面”战略布局，实施“人工智能+”行动"
    view = matching_view(text)
    assert view.text == "协调推进四个全面战略布局，实施人工智能+行动"
    i = view.text.index("四个全面战略布局")
    assert text[view.to_original(i) : view.to_original(i + 8, end=True)] == "四个全面”战略布局"


def test_the_views_breaks_are_the_pattern_of_breaks_and_quotes():
    """matching_view looks for each break character one by one: they must be exactly those the
    documented pattern (whitespace, zero-width space, soft hyphen, quotation marks) matches."""
    import re

    from glossary.chinese import _BREAKS, BREAK_OR_QUOTE_RE

    every_char = "".join(map(chr, range(0x110000)))
    assert set(_BREAKS) == set(re.findall(BREAK_OR_QUOTE_RE.pattern.rstrip("+"), every_char))
    assert len(_BREAKS) == len(set(_BREAKS))


def reference_view(text: str):
    """The matching view by its definition: each run of breaks between two joinable characters removed."""
    from glossary.chinese import BREAK_OR_QUOTE_RE, _joinable

    kept, cuts, shifts, removed, last = [], [], [], 0, 0
    for match in BREAK_OR_QUOTE_RE.finditer(text):
        start, end = match.span()
        if start and end < len(text) and _joinable(text[start - 1]) and _joinable(text[end]):
            kept.append(text[last:start])
            cuts.append(start - removed)
            removed += end - start
            shifts.append(removed)
            last = end
    return "".join(kept) + text[last:], tuple(cuts), tuple(shifts)


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.sampled_from(["国", "体制", "\n", " ", "\u3000", "“", "”", "\u200b", "a", "+", "，", "𠀀", "\t"])))
def test_matching_view_removes_exactly_the_runs_between_joinable_characters(pieces):
    text = "".join(pieces)
    view = matching_view(text)
    assert (view.text, view.cuts, view.shifts) == reference_view(text)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(st.sampled_from(["国", "体制", "\n", " ", "“", "”", "a", "，"]), min_size=1),
    st.lists(st.integers(min_value=0, max_value=60), max_size=12),
)
def test_spans_map_back_in_bulk_as_one_by_one(pieces, bounds):
    """View.to_original_spans (the annotator's bulk mapping) gives what to_original gives span by
    span, and names the spans a removed run lies inside."""
    view = matching_view("".join(pieces))
    cut = sorted({b % (len(view.text) + 1) for b in bounds})
    spans = [(s, e) for s, e in zip(cut[::2], cut[1::2], strict=False) if s < e]
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    mapped_starts, mapped_ends, across = view.to_original_spans(starts, ends)
    assert mapped_starts == [view.to_original(s) for s in starts]
    assert mapped_ends == [view.to_original(e, end=True) for e in ends]
    assert across == [q for q, (s, e) in enumerate(spans) if any(s < c < e for c in view.cuts)]


def test_a_span_is_taken_out_to_the_quotation_mark_that_pairs_with_one_inside_it():
    from glossary.chinese import with_its_quotes

    text = '共建“一带一路”，协调“四个全面”战略布局，「大模型」和"算力"，“人工智能”'
    for inside, whole in [
        ("共建“一带一路", "共建“一带一路”"),
        ("四个全面”战略布局", "“四个全面”战略布局"),
        ("大模型」", "「大模型」"),
        ('算力"', '"算力"'),
        ("一带一路", "一带一路"),  # no mark inside: the marks around stay out
        ("“人工智能", "“人工智能”"),  # the closing mark at the very end of the text
    ]:
        start = text.index(inside)
        a, b = with_its_quotes(text, start, start + len(inside))
        assert text[a:b] == whole
    assert with_its_quotes("推进“人工智能", 2, 7) == (2, 7)  # nothing to pair with beside it
