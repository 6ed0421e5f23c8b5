"""Chinese text helpers: the script forms of a term, character classes, and the matching view.

Terms are converted, never the text (see DESIGN.md): OpenCC turns each curated form into its
traditional, Taiwan and Hong Kong forms at build time, and the text is matched as the user gave it.
OpenCC loads lazily, so annotating does not pay for it. Pinyin lives in pinyin.py.
"""

from __future__ import annotations

import bisect
import re
from functools import cache
from itertools import accumulate, chain, compress, count, repeat
from operator import add, and_, gt, itemgetter, not_, sub

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Breaks a PDF copy leaves inside a phrase: whitespace (incl. U+3000), zero-width space, soft hyphen;
# Quotation marks around part of a formulation (“五位一体”总体布局, 的“十五五”规划) are not part of it:
# the matching view drops them between Han characters, and the forms are matched without them.
QUOTES = '“”‘’「」『』"'
BREAK_OR_QUOTE_RE = re.compile(f"[\\s\u200b\u00ad{QUOTES}]+")
_NO_QUOTES = str.maketrans("", "", QUOTES)


def matching_form(form: str) -> str:
    """A surface form as the matching view reads it: without quotation marks (“十五五”规划 → 十五五规划)."""
    return form.translate(_NO_QUOTES) or form


QUOTE_PAIRS = (("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"))


def with_its_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """A span's bounds in `text` taken out to the quotation mark that pairs with one left unpaired
    inside it: 共建“一带一路” and “四个全面”战略布局, not 共建“一带一路 and 四个全面”战略布局 (the
    matching view drops the marks, so a match ends before the closing one). Only the character
    right beside the span is taken; a span with its marks paired, or none, is as it was."""
    inside = text[start:end]
    for opening, closing in QUOTE_PAIRS:
        unpaired = inside.count(opening) - inside.count(closing)
        if unpaired > 0 and text[end : end + 1] == closing:
            end += 1
        elif unpaired < 0 and start and text[start - 1] == opening:
            start -= 1
    if inside.count('"') % 2:  # the same mark both ways: it pairs with one beside the span, if any
        if text[end : end + 1] == '"':
            end += 1
        elif start and text[start - 1] == '"':
            start -= 1
    return start, end


def is_han(char: str) -> bool:
    """A Han character (CJK ideographs incl. extensions and compatibility forms).

    Compared by code point rather than with a regex, whose character class costs milliseconds to
    compile at every start-up of the CLI; written out because it runs on the annotator's hot path.
    """
    return (
        "\u4e00" <= char <= "\u9fff"
        or "\u3400" <= char <= "\u4dbf"
        or "\uf900" <= char <= "\ufaff"
        or "\U00020000" <= char <= "\U0003134f"
    )


@cache
def han_re() -> re.Pattern:
    return re.compile(f"[{HAN}]")


OPENCC_CONFIGS = ("s2t", "s2tw", "s2hk")  # script only: OpenCC's phrase conversion (s2twp) is not used
PLUS_FORMS = ("+", "\uff0b")  # ASCII and full-width plus: 人工智能+ / 人工智能＋
# Taiwan wording that is right wherever the word stands in a policy term (人工智能 → 人工智慧), keyed by
# the word in Taiwan script. OpenCC's phrase conversion also makes forms nobody writes (双循环 → 雙迴圈,
# 优化 → 最佳化, 自变量 → 自變數), so only these known-good changes are made; any other Taiwan or Hong
# Kong wording is a curated variant (汰舊換新).
TAIWAN_WORDING = {
    "智能": "智慧",
    "數字": "數位",
    "軟件": "軟體",
    "網絡": "網路",
    "芯片": "晶片",
    "集成電路": "積體電路",
    "互聯網": "網際網路",
    "信息": "資訊",
}
NAME_KINDS = ("person", "organization", "product", "document")  # names keep their own wording


def has_han(text: str) -> bool:
    return han_re().search(text) is not None


@cache
def converter(config: str):
    import opencc

    return opencc.OpenCC(f"{config}.json")


_converted: dict[str, dict[str, str]] = {}  # config → text → converted: a build asks for each many times
CONVERTED_LIMIT = 1_000_000  # strings remembered per configuration


def convert(config: str, text: str) -> str:
    """OpenCC's conversion of `text`, remembered (a call costs tens of microseconds)."""
    memo = _converted.setdefault(config, {})
    found = memo.get(text)
    if found is None:
        if len(memo) > CONVERTED_LIMIT:
            memo.clear()
        found = memo[text] = converter(config).convert(text)
    return found


def prefetch(texts: list[str]) -> None:
    """Convert many short texts (a build's terms) in one OpenCC call per configuration instead of
    one call per text and configuration: the forms of 100,000 entries in a second, not a minute."""
    lines = [t for t in dict.fromkeys(texts) if "\n" not in t]
    for config in (*OPENCC_CONFIGS, "t2s"):
        memo = _converted.setdefault(config, {})
        todo = [t for t in lines if t not in memo]
        if config == "t2s":  # what the script forms give is simplified back (regional_forms, reading_of_form)
            todo += [f for c in OPENCC_CONFIGS for t in lines for f in [_converted[c][t]] if f not in memo]
            todo = list(dict.fromkeys(todo))
        if not todo:
            continue
        out = converter(config).convert("\n".join(todo)).split("\n")
        if len(out) == len(todo):
            memo.update(zip(todo, out, strict=True))


def script_forms(zh: str) -> dict[str, str]:
    """The traditional forms OpenCC gives for a simplified term, keyed by configuration (s2t, s2tw, s2hk)."""
    return {config: convert(config, zh) for config in OPENCC_CONFIGS}


def to_traditional(zh: str) -> str:
    return convert("s2t", zh)


def to_simplified(text: str) -> str:
    return convert("t2s", text)


def taiwan_wording(traditional: str) -> str:
    """A Taiwan-script form with the known-good Taiwan words put in (人工智能 → 人工智慧)."""
    for word, taiwan in TAIWAN_WORDING.items():
        traditional = traditional.replace(word, taiwan)
    return traditional


def regional_forms(zh: str, kind: str = "term") -> dict[str, str]:
    """The forms worth matching for a simplified term: its script forms, and for a term (not a name)
    its Taiwan wording ("tw"), keyed by how each was made.

    A changed wording is dropped when it is short and also reads as simplified text, because then it
    is an ordinary mainland word of another meaning (智慧 "wisdom"); a longer phrase (人工智慧) is kept.
    """
    forms = script_forms(zh)
    if kind not in NAME_KINDS:
        wording = taiwan_wording(forms["s2tw"])
        if wording != forms["s2tw"] and (len(wording) >= 4 or to_simplified(wording) != wording):
            forms["tw"] = wording
    return forms


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

    def to_original_spans(self, starts: list[int], ends: list[int]) -> tuple[list[int], list[int], list[int]]:
        """to_original of the starts and ends of sorted spans that do not overlap, in bulk: C-level
        passes over the removed runs, no search per span (a long document has tens of thousands);
        with the indexes of the spans a removed run lies inside (their text is not their view's)."""
        if not self.cuts:
            return starts, ends, []
        before = list(map(bisect.bisect_left, repeat(starts), self.cuts))  # spans starting before each
        shift = chain.from_iterable(map(repeat, (0, *self.shifts), map(sub, [*before, len(starts)], [0, *before])))
        shifts = list(shift)  # of each span's start: the characters removed before it
        mapped_starts, mapped_ends = list(map(add, starts, shifts)), list(map(add, ends, shifts))
        last_ends = [-1, *ends]  # the end of the last span starting before each run: past it, the run is inside
        inside = map(gt, map(last_ends.__getitem__, before), self.cuts)
        across = sorted(set(compress(map(sub, before, repeat(1)), inside)))
        for q in across:
            mapped_ends[q] = self.to_original(ends[q], end=True)
        return mapped_starts, mapped_ends, across

    def to_original(self, index: int, end: bool = False) -> int:
        """Map a view index to the original text. An end index stays before a removed run."""
        k = bisect.bisect_left(self.cuts, index) if end else bisect.bisect_right(self.cuts, index)
        return index + (self.shifts[k - 1] if k else 0)


def _joinable(char: str) -> bool:
    """Han, CJK punctuation (、 〇 「」), a full-width form (＋ ，) or a plus sign: a break between two
    is a PDF's, and quotation marks between two only mark a part of the phrase."""
    return is_han(char) or "\u3001" <= char <= "\u303f" or "\uff01" <= char <= "\uffef" or char == "+"


class _Joinable(dict):
    """_joinable of each character met, remembered (a long text meets few distinct ones)."""

    def __missing__(self, char: str) -> bool:
        if len(self) > 50_000:  # bounded, whatever characters the texts bring
            self.clear()
        joinable = self[char] = _joinable(char)
        return joinable


_JOINABLE = _Joinable()
# The characters of BREAK_OR_QUOTE_RE's class, one by one (\s: the characters str.isspace() accepts;
# tests/test_chinese.py checks that both are the same set).
_BREAKS = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u00ad" + QUOTES
)


def matching_view(text: str) -> View:
    """Remove whitespace that a PDF copy put between Han characters (新型举\\n国体制), and quotation
    marks there (坚持“五位一体”总体布局).

    Done with C-level passes (a `find` per kind of break, one split, joins and maps) and no Python
    step per run of breaks: a long document has thousands, and a regex scan of it alone took longer
    than all of this (bench/bench_annotate.py)."""
    present = [char for char in _BREAKS if char in text]
    if not present:
        return View(text)
    one = present[0]
    flat = text
    for char in present[1:]:
        flat = flat.replace(char, one)  # every break the same character, at the same place
    pieces = flat.split(one)  # a run of n breaks leaves n - 1 empty pieces
    lengths = list(map(len, pieces))
    words = list(filter(None, pieces))  # the text between runs (none at a run at either end)
    if len(words) < 2:
        return View(text)
    starts = list(compress(accumulate(map(add, lengths, repeat(1)), initial=0), lengths))
    run_starts = list(map(add, starts, map(len, words)))[:-1]
    run_ends = starts[1:]
    joinable = _JOINABLE.__getitem__
    cut = list(map(and_, map(joinable, map(itemgetter(-1), words[:-1])), map(joinable, map(itemgetter(0), words[1:]))))
    if not any(cut):
        return View(text)
    removed = list(compress(map(sub, run_ends, run_starts), cut))
    shifts = list(accumulate(removed))  # characters removed up to and including each cut run
    cuts = list(map(sub, compress(run_starts, cut), map(sub, shifts, removed)))
    parts = [text[: starts[0]], *([""] * (2 * len(words) - 1)), text[run_ends[-1] + len(words[-1]) :]]
    parts[1::2] = words
    for k in compress(count(), map(not_, cut)):  # a run kept: as it was in the text
        parts[2 * k + 2] = text[run_starts[k] : run_ends[k]]
    return View("".join(parts), tuple(cuts), tuple(shifts))
