"""English matching as a reviewer reads it (glossary/english.py): what counts as the rendering, and what not."""

from __future__ import annotations

import pytest

from glossary.english import Target, compile_rendering, lemmas, single_spaced, spell, tokens, variants, verbatim


def found(rendering: str, target: str) -> list[str]:
    t = Target(target)
    return [m.text for p in compile_rendering(rendering) for m in t.find(p)]


@pytest.mark.parametrize(
    "rendering, target, matched",
    [
        ("State Council", "the state council decided", "state council"),  # case
        ("new quality productive forces", "New-Quality Productive Forces", "New-Quality Productive Forces"),
        ("reform and opening up", "reform and opening-up", "reform and opening-up"),  # hyphen vs space
        ("state-owned enterprises", "state owned enterprises", "state owned enterprises"),
        (
            "industry–university–research collaboration",
            "industry-university-research collaboration",
            "industry-university-research collaboration",
        ),  # en dash vs hyphen
        ("People’s Daily", "People's Daily", "People's Daily"),  # curly vs straight
        ("“rat race” competition", 'a "rat race" competition', '"rat race" competition'),
        (
            "new system for mobilizing resources nationwide",
            "a new system for mobilising resources nationwide",
            "new system for mobilising resources nationwide",
        ),  # British spelling
        ("modernization", "socialist modernisation", "modernisation"),
        ("defense", "national defence", "defence"),
        ("labor", "labour", "labour"),
        ("strategic emerging industries", "a strategic emerging industry", "strategic emerging industry"),  # number
        ("State Council", "the State Council’s decisions", "State Council’s"),  # possessive
        ("seize new opportunities", "we seized new opportunities", "seized new opportunities"),  # verb forms
        (
            "ensure both development and security",
            "ensuring both development and security",
            "ensuring both development and security",
        ),
        (
            "community with a shared future for mankind",
            "community with the shared future for mankind",
            "community with the shared future for mankind",
        ),  # articles
        ("artificial intelligence (AI)", "artificial intelligence drives", "artificial intelligence"),
        ("artificial intelligence (AI)", "artificial intelligence (AI) drives", "artificial intelligence (AI)"),
        ("artificial general intelligence (AGI)", "the road to AGI", "AGI"),  # the abbreviation alone
        ("boost / power", "to power growth", "power"),  # alternatives in one rendering
        ("the Party", "under the Party’s leadership", "Party’s"),
    ],
)
def test_loose_but_right(rendering, target, matched):
    assert matched in found(rendering, target)


@pytest.mark.parametrize(
    "rendering, target",
    [
        ("new development philosophy", "new development concept"),
        ("AI Plus (AI+)", "AI plans"),
        ("AI+ Action", "AI Action"),  # + is a word: AI+ is not AI
        ("State Council", "state and council"),
        ("community with a shared future for mankind", "community of shared destiny"),
        ("Belt and Road Initiative (BRI)", "belt, road"),
        ("the Party", "other political parties"),  # a one-word name keeps its capital
    ],
)
def test_not_taken_for_the_rendering(rendering, target):
    assert found(rendering, target) == []


def test_match_offsets_point_into_the_target_and_say_if_verbatim():
    t = Target("Uphold the New Development Philosophy, and the new development philosophy again.")
    matches = [m for p in compile_rendering("new development philosophy") for m in t.find(p)]
    assert [(m.start, m.end, m.exact) for m in matches] == [(11, 37, False), (47, 73, True)]
    assert all(t.text[m.start : m.end] == m.text for m in matches)


@pytest.mark.parametrize(
    "rendering, target",
    [
        ("development", "development plans"),
        ("development", "the developments and development"),  # an inflected one first, the verbatim one wins
        ("reform", "reforms, R&reform, reform.x and Ele.reform; then reform"),  # inside longer words
        ("people", "the people's congress and people"),  # a possessive is a longer word
        ("opening up", "opening-up and opening up"),
        ("5G", "5G+ and 5G networks"),  # "+" is a word of its own
        ("new development philosophy", "The New Development Philosophy, the new development philosophy"),
        ("belt and road", "belt and roads"),  # no verbatim one: the tokenised search decides
    ],
)
def test_a_rendering_found_as_written_is_the_match_the_tokenised_search_ranks_first(rendering, target):
    """QA takes a preferred rendering standing as written, as whole words, without tokenising the
    target (english.verbatim): it must be the very match Target.find gives first place."""
    pattern = compile_rendering(rendering)[0]
    assert pattern.bare and single_spaced(target)
    fast = verbatim(target, pattern)
    ranked = sorted(Target(target).find(pattern), key=lambda m: (not m.exact, m.start - m.end, m.start))
    if fast is None:
        assert not any(m.exact for m in ranked)
    else:
        assert fast == ranked[0] and fast.exact


def test_only_single_spaced_text_and_bare_renderings_are_taken_as_written():
    assert not single_spaced("reform  and opening up") and not single_spaced("reform\nand opening up")
    assert not single_spaced("reform\u00a0and opening up") and single_spaced("reform and opening up")
    assert [p.bare for p in compile_rendering("artificial intelligence (AI)")] == [False, True, False]
    assert not compile_rendering("the Party")[0].bare and not compile_rendering("Xi")[0].bare


def test_variants_of_a_rendering():
    assert variants("artificial general intelligence (AGI)") == [
        "artificial general intelligence (AGI)",
        "artificial general intelligence",
        "AGI",
    ]
    assert variants("gaokao (national college entrance examination)") == [
        "gaokao (national college entrance examination)",
        "gaokao",
    ]
    assert variants("multimodal; multimodality") == ["multimodal; multimodality", "multimodal", "multimodality"]


def test_lemmas_and_spelling():
    assert {"force"} <= lemmas("forces")
    assert {"see", "saw"} <= lemmas("saw")
    assert "mobilize" in lemmas("mobilising")
    assert "country" in lemmas("countries")
    assert "soe" in lemmas("SOEs")  # an abbreviation's plural
    assert spell("organisation") == spell("organization") == "organization"
    assert spell("centre") == "center" and spell("behaviour") == "behavior"
    assert spell("rise") == "rise"  # short words keep their -ise


def test_articles_do_not_count_and_hyphens_split():
    assert [t.keys for t in tokens("the AI-native enterprises")] == [
        lemmas("AI"),
        lemmas("native"),
        lemmas("enterprises"),
    ]
