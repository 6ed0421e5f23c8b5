"""Chinese text helpers: the script forms of a term, pinyin forms and checks, and the matching view.

Terms are converted, never the text (see DESIGN.md): OpenCC turns each curated form into its
traditional, Taiwan and Hong Kong forms at build time, and the text is matched as the user gave it.
OpenCC and pypinyin load lazily, so annotating does not pay for them.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import cache

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Breaks a PDF copy leaves inside a phrase: whitespace (incl. U+3000), zero-width space, soft hyphen.
BREAK_RE = re.compile("[\\s\u200b\u00ad]+")


def is_han(char: str) -> bool:
    """A Han character (CJK ideographs incl. extensions and compatibility forms).

    Compared by code point rather than with a regex, whose character class costs milliseconds to
    compile at every start-up of the CLI; written out because it runs on the annotator's hot path.
    """
    return ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"
            or "\U00020000" <= char <= "\U0003134f")


@cache
def han_re() -> re.Pattern:
    return re.compile(f"[{HAN}]")


OPENCC_CONFIGS = ("s2t", "s2tw", "s2twp", "s2hk")
PLUS_FORMS = ("+", "\uff0b")  # ASCII and full-width plus: 人工智能+ / 人工智能＋


def has_han(text: str) -> bool:
    return han_re().search(text) is not None


@cache
def converter(config: str):
    import opencc

    return opencc.OpenCC(f"{config}.json")


def script_forms(zh: str) -> dict[str, str]:
    """The forms OpenCC gives for a simplified term, keyed by configuration (s2t, s2twp …)."""
    return {config: converter(config).convert(zh) for config in OPENCC_CONFIGS}


def to_traditional(zh: str) -> str:
    return converter("s2t").convert(zh)


def to_simplified(text: str) -> str:
    return converter("t2s").convert(text)


def regional_forms(zh: str) -> dict[str, str]:
    """The script forms worth matching for a simplified term, keyed by OpenCC configuration.

    Taiwan and Hong Kong configurations also change wording (智能 → 智慧). Such a changed form is
    dropped when it is short and also reads as simplified text, because then it is an ordinary
    mainland word of another meaning (智慧 "wisdom"); a longer phrase (人工智慧) is kept, and any
    other form a curator wants goes in `variants`.
    """
    forms = script_forms(zh)
    plain = forms["s2t"]
    return {
        config: form for config, form in forms.items()
        if form == plain or len(form) >= 4 or to_simplified(form) != form
    }


def plus_variants(form: str) -> set[str]:
    """Both plus signs for a form that ends in one (人工智能+ and 人工智能＋)."""
    forms = {form}
    for plus in PLUS_FORMS:
        if plus in form:
            forms.update(form.replace(plus, other) for other in PLUS_FORMS)
    return forms


class View:
    """The text the matcher scans: breaks between Han characters removed, with a map back.

    `cuts[k]` is the view index at which the k-th removed run was, `shifts[k]` how many original
    characters had been removed up to and including it. (A plain class: see annotate.Span.)
    """

    __slots__ = ("text", "cuts", "shifts")

    def __init__(self, text: str, cuts: tuple[int, ...] = (), shifts: tuple[int, ...] = ()):
        self.text, self.cuts, self.shifts = text, cuts, shifts

    def to_original(self, index: int, end: bool = False) -> int:
        """Map a view index to the original text. An end index stays before a removed run."""
        k = bisect.bisect_left(self.cuts, index) if end else bisect.bisect_right(self.cuts, index)
        return index + (self.shifts[k - 1] if k else 0)


def _joinable(char: str) -> bool:
    """Han, CJK punctuation (、 〇 「」) or a full-width form (＋ ，): a break between two is a PDF's."""
    return is_han(char) or "\u3001" <= char <= "\u303f" or "\uff01" <= char <= "\uffef"


def matching_view(text: str) -> View:
    """Remove whitespace that a PDF copy put between Han characters (新型举\\n国体制)."""
    cuts, shifts, pieces, removed, last = [], [], [], 0, 0
    for match in BREAK_RE.finditer(text):
        start, end = match.span()
        if start == 0 or end == len(text) or not (_joinable(text[start - 1]) and _joinable(text[end])):
            continue
        pieces.append(text[last:start])
        cuts.append(start - removed)
        removed += end - start
        shifts.append(removed)
        last = end
    if not cuts:
        return View(text)
    pieces.append(text[last:])
    return View("".join(pieces), tuple(cuts), tuple(shifts))


# ---------------------------------------------------------------- pinyin

TONE_MARKS = {
    "ā": ("a", 1), "á": ("a", 2), "ǎ": ("a", 3), "à": ("a", 4),
    "ē": ("e", 1), "é": ("e", 2), "ě": ("e", 3), "è": ("e", 4),
    "ī": ("i", 1), "í": ("i", 2), "ǐ": ("i", 3), "ì": ("i", 4),
    "ō": ("o", 1), "ó": ("o", 2), "ǒ": ("o", 3), "ò": ("o", 4),
    "ū": ("u", 1), "ú": ("u", 2), "ǔ": ("u", 3), "ù": ("u", 4),
    "ǖ": ("ü", 1), "ǘ": ("ü", 2), "ǚ": ("ü", 3), "ǜ": ("ü", 4),
    "ń": ("n", 2), "ň": ("n", 3), "ǹ": ("n", 4), "ḿ": ("m", 2),
}
SEPARATORS = re.compile(r"[\s'’\-·,，、“”\"‘]+")


def strip_tones(pinyin: str) -> str:
    """tōngyòng → tongyong; ü becomes v, as pinyin is typed."""
    out = []
    for ch in unicodedata.normalize("NFC", pinyin.lower()):
        base = TONE_MARKS.get(ch, (ch, 0))[0]
        out.append("v" if base == "ü" else base)
    return "".join(out)


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


@cache
def _readings(char: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    readings = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
    marked = [r.lower() for r in (readings[0] if readings else [])]
    toneless = [strip_tones(r).replace("v", "ü") for r in marked]
    return tuple(dict.fromkeys(marked + toneless))


def align_pinyin(zh: str, pinyin: str) -> list[str] | None:
    """Split a curated pinyin into one syllable per Han character of `zh`, or None if it cannot.

    Each syllable must be one of pypinyin's readings of its character (any tone, or neutral), so
    a misspelt or misaligned pinyin is caught while every polyphone decision stays the curator's.
    Latin letters and digits in `zh` must stand as they are; `+` reads jiā; punctuation is skipped.
    """
    target = SEPARATORS.sub("", unicodedata.normalize("NFC", pinyin.lower()))
    chars = [c for c in zh if not SEPARATORS.fullmatch(c) and not unicodedata.category(c).startswith("P")]

    def walk(i: int, pos: int) -> list[str] | None:
        if i == len(chars):
            return [] if pos == len(target) else None
        char = chars[i].lower()
        if is_han(char):
            options = _readings(char)
        elif char in PLUS_FORMS:
            options = ("jiā", "+")
        else:
            options = (unicodedata.normalize("NFKC", char),)
        for option in sorted(options, key=len, reverse=True):
            if target.startswith(option, pos):
                rest = walk(i + 1, pos + len(option))
                if rest is not None:
                    return ([option] if is_han(char) else []) + rest
        return None

    return walk(0, 0)


def pinyin_problem(zh: str, pinyin: str) -> str | None:
    """Why a curated pinyin does not fit its Chinese form, or None when it does."""
    if re.search(r"[1-5]", pinyin):
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
        words.append(out if taken == key else word)
    return " ".join(words)
