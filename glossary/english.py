"""English as a terminology reviewer reads it: a rendering is found in a translation whatever its case,
hyphens or dashes, curly or straight quotes, British or American spelling, inflection (plural,
possessive, verb forms, by lemminflect's lexicon), articles, and with or without its parenthetical.

Both sides go through the same normalisation, so it only has to be consistent, not correct: each word
becomes the set of its lemmas (``forces`` → {force}; ``saw`` → {saw, see}) and two words match when
their sets meet. Every match keeps the offsets of the words it covers in the original target, so the
reviewer sees exactly what was taken for the rendering (``matched``) and whether it was verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import accumulate, compress
from operator import not_
from typing import NamedTuple

# A word: letters or digits, joined inside by . & ' ’ (R&D, Ele.me, 01.AI, People’s); "+" counts as a word
# (AI+ is not AI). Hyphens, dashes, slashes and quotes separate words. Possessive quantifiers: the same
# matches (nothing after a word could use a character given back), without the regex saving states.
WORD = re.compile(r"[^\W_]++(?:[.&'’][^\W_]++)*+|[+＋]")
SPLIT = re.compile(f"({WORD.pattern})")  # a text split at its words, the words kept
# the same on ASCII text (most translations), where [^\W_] is [A-Za-z0-9]: the regex takes half the time
SPLIT_ASCII = re.compile(r"([A-Za-z0-9]++(?:[.&'][A-Za-z0-9]++)*+|\+)")
OPENERS, CLOSERS = "(（“‘\"'", ")）”’\"'"
ARTICLES = frozenset({"a", "an", "the"})
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "′": "'", "＇": "'"})
PARENTHETICAL = re.compile(r"\s*[(（][^()（）]*[)）]")
ABBREVIATION = re.compile(r"[(（]([A-Z0-9][A-Za-z0-9.&+＋-]*)[)）]")  # (AGI), (BRI), (AI+), (Beijing-AISI)
ALTERNATIVES = re.compile(r"\s+/\s+|\s*;\s+")  # "boost / power", "multimodal; multimodality"

# British → American, word by word. Whole words first; then endings that are safe because both sides
# are rewritten the same way (a made-up "enterprize" on both sides still matches only "enterprise").
BRITISH = {
    "programme": "program",
    "programmes": "programs",
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "licences": "licenses",
    "pretence": "pretense",
    "ageing": "aging",
    "judgement": "judgment",
    "judgements": "judgments",
    "enrolment": "enrollment",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "grey": "gray",
    "towards": "toward",
    "whilst": "while",
    "amongst": "among",
    "cheque": "check",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "analogue": "analog",
    "tyre": "tire",
    "storey": "story",
    "metre": "meter",
    "metres": "meters",
    "litre": "liter",
    "fibre": "fiber",
    "theatre": "theater",
    "manoeuvre": "maneuver",
    "practise": "practice",
    "practised": "practiced",
    "practising": "practicing",
}
OUR_WORDS = (
    "colour",
    "favour",
    "honour",
    "labour",
    "neighbour",
    "behaviour",
    "harbour",
    "rumour",
    "vigour",
    "endeavour",
    "savour",
    "flavour",
    "humour",
    "armour",
    "odour",
    "valour",
    "parlour",
    "tumour",
)
ENDINGS = [  # (British ending, American ending), longest first
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("iser", "izer"),
    ("isers", "izers"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("yses", "yzes"),
    ("ysing", "yzing"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("eller", "eler"),
]
ENDINGS.sort(key=lambda pair: -len(pair[0]))


def spell(word: str) -> str:
    """One spelling for British and American forms of a lower-case word."""
    if word in BRITISH:
        return BRITISH[word]
    for stem in OUR_WORDS:
        if word.startswith(stem):
            return stem[:-3] + "or" + word[len(stem) :]
    if len(word) > 5:
        for british, american in ENDINGS:
            if word.endswith(british):
                return word[: -len(british)] + american
    return word


def fold(text: str) -> str:
    """Compatibility forms (full-width letters), case and quotes folded; lengths may change."""
    return unicodedata.normalize("NFKC", text).translate(QUOTES).casefold()


@lru_cache(maxsize=65536)
def lemmas(token: str) -> frozenset[str]:
    """Every form a word may stand for: itself and its lemmas (any part of speech), spelling unified,
    possessive dropped. ``mobilising`` → {mobilizing, mobilize}; ``SOEs`` → {soes, soe}."""
    from lemminflect import getAllLemmas, getAllLemmasOOV

    word = fold(token)
    if word.endswith("'s") and len(word) > 2:
        word = word[:-2]
    word = word.replace("'", "")  # people's → peoples after the possessive, don't → dont on both sides
    forms = {spell(word)}
    found = getAllLemmas(word)
    if not found and word.isalpha() and len(word) > 3:
        found = getAllLemmasOOV(word, "NOUN")
    for group in found.values():
        forms.update(spell(lemma.casefold()) for lemma in group)
    return frozenset(forms)


class Token(NamedTuple):
    start: int  # code points into the original text
    end: int
    keys: frozenset[str]


_KEYS: dict[str, frozenset[str]] = {}  # word as written → its lemmas; ARTICLE for an article
ARTICLE: frozenset[str] = frozenset()  # no word has no lemma (lemmas() keeps the word itself)


def _keys(word: str) -> frozenset[str]:
    if len(_KEYS) > 200_000:
        _KEYS.clear()
    keys = _KEYS[word] = ARTICLE if word.casefold() in ARTICLES else lemmas(word if word != "＋" else "+")
    return keys


def tokens(text: str) -> list[Token]:
    """The words of a text that count for matching (articles left out), with their offsets."""
    out = []
    for m in WORD.finditer(text):
        word = m.group()
        keys = _KEYS[word] if word in _KEYS else _keys(word)
        if keys:
            out.append(Token(m.start(), m.end(), keys))
    return out


def variants(rendering: str) -> list[str]:
    """The ways a rendering may stand in a translation: as given, split at " / " or "; ", and each
    with and without its parentheticals ("artificial intelligence (AI)" / "artificial intelligence"); an
    abbreviation in parentheses also alone ("AGI" for "artificial general intelligence (AGI)")."""
    out: list[str] = []
    for whole in [rendering, *ALTERNATIVES.split(rendering)]:
        whole = whole.strip()
        short = [m.group(1) for m in ABBREVIATION.finditer(whole) if sum(c.isupper() for c in m.group(1)) >= 2]
        for form in (whole, PARENTHETICAL.sub("", whole).strip(), *short):
            if form and form not in out:
                out.append(form)
    return out


class Pattern(NamedTuple):
    rendering: str  # the rendering as the glossary gives it
    form: str  # the variant of it that is matched
    keys: tuple[frozenset[str], ...]
    # a one-word rendering that is a name ("the Party", "Xi") must keep its capital: "parties" is not it
    capital: bool = False
    plain: bool = True  # the form's spaces are single spaces: found as written, it is verbatim
    # plain, no capital to keep, and words from its first character to its last (no article, bracket
    # or quote at either end): where it stands as written, as whole words, that is its match (verbatim)
    bare: bool = False


def compile_rendering(rendering: str) -> list[Pattern]:
    """What to look for in the target for one rendering; forms with no words (only quotes) are left out."""
    patterns = []
    for form in variants(rendering):
        words = tokens(form)
        if words:
            capital = len(words) == 1 and form[words[0].start].isupper()
            plain = " ".join(form.split()) == form
            bare = (
                plain
                and not capital
                and words[0].start == 0
                and words[-1].end == len(form)
                and form[0].isalnum()
                and form[-1].isalnum()
            )
            patterns.append(Pattern(rendering, form, tuple(t.keys for t in words), capital, plain, bare))
    return patterns


JOINERS = ".&'’"  # inside a word between letters or digits (see WORD)


def single_spaced(text: str) -> bool:
    """Whether the text's only whitespace is single spaces: then a match whose words are the form's,
    spaces folded, is written exactly as the form (see verbatim). Every other character str.split()
    takes for a space is a separator or control character, which isprintable() refuses (as it does
    a few others: those texts are merely tokenised)."""
    return "  " not in text and text.isprintable()


def verbatim(text: str, pattern: Pattern) -> Match | None:
    """The first place a bare pattern's form stands in a single-spaced text as written, as whole words
    (not inside a longer word, R&D or people's): no tokenising. Target.find finds it too, and ranks it
    first among the pattern's matches (verbatim first; every verbatim one is as long as the form; then
    the first in the text). None where the form stands nowhere so: only a Target can tell then."""
    form = pattern.form
    at = text.find(form)
    while at >= 0:
        end = at + len(form)
        before, after = text[at - 1 : at] if at else "", text[end : end + 1]
        # a word goes on across a letter or digit, or a joiner between two of them (the WORD pattern)
        joined_before = before.isalnum() or (before and before in JOINERS and text[at - 2 : at - 1].isalnum())
        joined_after = after.isalnum() or (after and after in JOINERS and text[end + 1 : end + 2].isalnum())
        if not joined_before and not joined_after:
            return _new(Match, (at, end, text[at:end], pattern.rendering, True))
        at = text.find(form, at + 1)
    return None


class Match(NamedTuple):
    start: int  # code points into the target
    end: int
    text: str  # the target's own words, as written
    rendering: str
    exact: bool  # the target has the rendering (or its form without the parenthetical) verbatim


class Target:
    """A translation tokenised once, searched for many renderings. Only the words and their lemma sets
    are collected up front (a split and a look-up per word, both in C); a rendering's first word is
    sought among the target's words in C, and the words' offsets are worked out only when a match
    needs them."""

    __slots__ = ("text", "keys", "_parts", "_counted", "_ends")

    def __init__(self, text: str):
        self.text = text
        # the text split at its words (kept as odd pieces): the words and, when needed, their offsets
        parts = self._parts = (SPLIT_ASCII if text.isascii() else SPLIT).split(text)
        words = parts[1::2]
        try:
            keys = list(map(_KEYS.__getitem__, words))
        except KeyError:  # a word not seen before in this process
            keys = [_keys(word) if word not in _KEYS else _KEYS[word] for word in words]
        # the position among all words of each word that counts (None: every word counts); an article's
        # keys are empty, so compress and filter leave articles out in C
        counted = list(compress(range(len(keys)), keys))
        self._counted: list[int] | None = None if len(counted) == len(keys) else counted
        self.keys: list[frozenset[str]] = keys if self._counted is None else list(filter(None, keys))
        self._ends: list[int] | None = None

    def _span(self, first: int, last: int) -> tuple[int, int]:
        """The offsets of the counted words first..last (indexes into self.keys), in the text."""
        ends = self._ends
        if ends is None:  # where each piece of the split ends: a word's start is where the piece before ends
            ends = self._ends = [0, *accumulate(map(len, self._parts))]
        counted = self._counted
        if counted is not None:
            first, last = counted[first], counted[last]
        return ends[2 * first + 1], ends[2 * last + 2]

    def spans(self) -> list[tuple[int, int]]:
        """The offsets of the counted words (articles left out), in order."""
        return [self._span(n, n) for n in range(len(self.keys))]

    def find(self, pattern: Pattern) -> list[Match]:
        """Every place the pattern's words stand in a row (articles between them ignored). The places
        of its first word are found by one C-level pass over the target's lemma sets (no index of the
        target is built: most targets are searched for two or three renderings)."""
        keys_list = self.keys
        wanted = pattern.keys
        places = list(compress(_POSITIONS, map(not_, map(wanted[0].isdisjoint, keys_list))))
        if not places:
            return []
        match = self._match
        found: list
        if len(wanted) == 1:
            found = [match(pattern, i, i) for i in places]
        else:
            rest = wanted[1:]
            last = len(keys_list) - len(rest)
            found = []
            for i in places:
                if i >= last:
                    break
                j = i
                for keys in rest:
                    j += 1
                    if keys.isdisjoint(keys_list[j]):
                        break
                else:
                    found.append(match(pattern, i, j))
        return [m for m in found if m is not None] if pattern.capital else found

    def _match(self, pattern: Pattern, first: int, last: int) -> Match | None:
        start, end = self._span(first, last)
        text = self.text
        if pattern.capital and not text[start].isupper():
            return None
        # brackets and quotes around the words belong to the match when the rendering has them
        form = pattern.form
        if form[-1] in CLOSERS and text[end : end + 1] in CLOSERS:
            end += 1
        if form[0] in OPENERS and start and text[start - 1] in OPENERS:
            start -= 1
        words = text[start:end]
        exact = pattern.plain if words == form else " ".join(words.split()) == form
        return _new(Match, (start, end, words, pattern.rendering, exact))


_new = tuple.__new__
_POSITIONS = range(2**62)  # a word's position in a target, for compress: longer than any text
