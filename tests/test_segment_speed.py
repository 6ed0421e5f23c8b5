"""The segmentation finds each position's words through their first two characters (remembered
per head) instead of asking the trie for every position's prefixes: the same cuts as the plain
dynamic programme over the trie's prefixes, in either reading of a text (whole or as smaller words)."""

from __future__ import annotations

from pathlib import Path

from glossary.reading import HAN_RUN
from glossary.segment import MAX_WORD

CORPUS = Path(__file__).resolve().parent.parent / "bench" / "corpus"


def prefix_segment(lexicon, text: str, whole: bool = True) -> list[int]:
    """The dynamic programme as it was: the trie's prefixes at every position."""
    n = len(text)
    best = [0.0] * (n + 1)
    step = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        single = lexicon.logp(text[i])
        choice, score = i + 1, (lexicon.unknown if single is None else single) + best[i + 1]
        for word in lexicon.trie.prefixes(text[i : i + MAX_WORD]):
            j = i + len(word)
            if j > i + 1 and (whole or j - i < n):
                p = (lexicon.logp(word) or 0.0) + best[j]
                if p > score:
                    choice, score = j, p
        best[i], step[i] = score, choice
    cuts, i = [0], 0
    while i < n:
        i = step[i]
        cuts.append(i)
    return cuts


def sample_runs() -> list[str]:
    texts = [p.read_text(encoding="utf-8")[:20_000] for p in sorted(CORPUS.glob("*.txt"))[:3]]
    runs = [m.group() for text in texts for m in HAN_RUN.finditer(text)]
    cases = ["集中考察", "放大模型", "以大模型", "通用人工智能", "北大荒集团", "中", "规上工业"]
    return list(dict.fromkeys(runs + cases))


def test_same_cuts_as_the_prefix_programme(glossary):
    lexicon = glossary.annotator().lexicon
    for run in sample_runs():
        for whole in (True, False):
            assert lexicon.segment(run, whole) == prefix_segment(lexicon, run, whole), (run, whole)


def test_heads_are_remembered(glossary):
    lexicon = glossary.annotator().lexicon
    lexicon.segment("人工智能发展")
    assert "人工" in lexicon._heads and "发展" in lexicon._heads
