"""Word boundaries on real text: the curated glossary over tests/cases/boundaries.yaml.

Each case is a real sentence with a human judgement of whether an entry truly occurs in it. A tag
the annotator flags `ambiguous` is a warning, not a claim, so it is scored apart: the bars below are
on the claims (unflagged tags) and on finding every true occurrence. bench/bench_annotate.py prints
the full figures, the strict ones included.
"""

from pathlib import Path

import pytest
import yaml

from glossary import Glossary
from glossary.build import build

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "boundaries.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    path = tmp_path_factory.mktemp("real") / "terms.sqlite"
    build(path)
    with Glossary.open(path, build=False) as glossary:
        yield glossary


def verdict(glossary, case) -> str:
    """Every tag counts, those of forms whose ordinary sense dominates too (shown on request, and
    flagged ambiguous like the rest): the boundary judgement is what is measured here."""
    spans = [
        s for top in glossary.annotate(case["text"], ordinary=True).spans for s in top.walk() if s.id == case["id"]
    ]
    if not spans:
        return "absent"
    return "flagged" if all(s.ambiguous for s in spans) else "claimed"


def test_the_set_is_large_and_balanced():
    assert len(CASES) >= 150
    assert sum(not c["occurs"] for c in CASES) >= 60
    assert all(c["source"] and c["why"] for c in CASES)


def test_every_case_names_an_entry_whose_form_is_in_the_text(real):
    store = real.store
    for case in CASES:
        forms = {f["form"] for f in store.forms_of(case["id"])}
        assert forms, case["id"]
        assert any(form in case["text"] for form in forms), case


def test_precision_of_claims_and_recall(real):
    seen = [(case, verdict(real, case)) for case in CASES]
    true_found = sum(1 for c, v in seen if c["occurs"] and v != "absent")
    true_total = sum(1 for c, _ in seen if c["occurs"])
    claims = [(c, v) for c, v in seen if v == "claimed"]
    wrong_claims = [c["text"] for c, v in claims if not c["occurs"]]
    assert true_found / true_total >= 0.98
    assert wrong_claims == []


def test_the_pairs_filter_changes_no_verdict(real):
    """The lexicon skips the look-ups at an edge whose two characters no word holds side by side
    (segment.Lexicon.crossed); every window of the set is judged alike with and without that filter."""
    from glossary.segment import CHECKED_LENGTH, Lexicon

    with_pairs, without = Lexicon.load(real.store), Lexicon.load(real.store)
    without._pairs = None
    assert with_pairs._pairs is not None  # the build stored them
    windows = 0
    for case in CASES:
        text = case["text"]
        for length in range(2, CHECKED_LENGTH + 1):
            for start in range(len(text) - length + 1):
                windows += 1
                assert with_pairs.splits_word(text, start, start + length) == without.splits_word(
                    text, start, start + length
                ), (text, start, length)
    assert windows > 5_000
