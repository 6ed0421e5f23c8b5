"""Word segmentation that knows the glossary: the lexicon behind word-boundary judgements.

The lexicon is jieba's word-frequency dictionary plus every surface form of the glossary, stored
in the database as a marisa trie that loads in well under a millisecond. Segmentation is jieba's
maximum-probability path over a word DAG, without the HMM that glues unknown words (找算力), and it
is only run on a small window around a match whose boundary a dictionary word crosses. Whole texts
(pinyin for every word) are cut by the same programme over all their runs at once, in arrays
(glossary/wordtable.py), once a process has text enough to pay for loading numpy.
"""

from __future__ import annotations

import importlib.util
import math
import mmap
import re
import sys
from array import array
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from glossary.chinese import HAN

if TYPE_CHECKING:
    from glossary.wordtable import WordTable

MAX_WORD = 8  # longest word tried when segmenting
WINDOW = 6  # characters of context on each side of a match
# Forms of four or more characters are specific compounds (人工智能, 新质生产力); that one straddles two
# words of another meaning is too rare to pay a check on every occurrence. Shorter ones are checked.
CHECKED_LENGTH = 3  # a longer match is taken as a word of its own (annotate judges only these)
# A glossary form jieba does not know counts as a word of modest frequency. A form only ever meets
# the segmentation where an ordinary word straddles its edge, and there the ordinary reading must
# win unless the text has no better one: 放大|模型 over 放|大模型, but 以|大模型 over 以大|模型. Forms
# jieba knows keep jieba's count. (Chosen on tests/cases/boundaries.yaml: 3 to 100 score alike,
# higher values let glossary forms cut across ordinary words; see bench/bench_annotate.py.)
GLOSSARY_FREQ = 100
HAN_RUN = re.compile(f"[{HAN}]+")
OTHER, WORD, SPAN = 0, 1, 2  # kinds of the pieces of a text (Lexicon.pieces)


def jieba_dictionary() -> Path:
    """jieba's dict.txt, found without importing jieba (its import is not free)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ImportError("jieba is not installed")
    return Path(spec.origin).parent / "dict.txt"


@cache
def _dictionary_words() -> dict[str, int]:
    """jieba's words and frequencies, with their traditional and Taiwan forms (軟件, 軟體) too,
    so that boundaries are judged the same way in either script. Cached: builds in one process
    (the tests) convert the dictionary once."""
    from glossary.chinese import converter

    freqs: dict[str, int] = {}
    with jieba_dictionary().open(encoding="utf-8") as lines:
        for line in lines:
            word, freq, *_ = line.split(" ")
            freqs[word] = int(freq)
    words = list(freqs)
    for config in ("s2t", "s2twp"):
        converted = converter(config).convert("\n".join(words)).split("\n")
        if len(converted) != len(words):
            continue
        for word, form in zip(words, converted, strict=True):
            if form != word:
                freqs[form] = max(freqs.get(form, 0), freqs[word])
    return freqs


def build_base_lexicon(ordinary: Iterable[str] = ()) -> tuple[bytes, int, bytes, bytes, bytes, bytes]:
    return _base_lexicon(tuple(ordinary))


@cache
def _base_lexicon(ordinary: tuple[str, ...]) -> tuple[bytes, int, bytes, bytes, bytes, bytes]:
    """jieba's words (in both scripts) and the curated ordinary words jieba lacks, as trie bytes
    (word → frequency), the frequencies' total, the same words as arrays (glossary.wordtable)
    for segmenting whole texts, and once more as a plain trie with the frequencies by its key ids
    (see Lexicon: the words a text starts with, in about half the time): the part of the
    lexicon that does not change with the glossary, built once per database (seconds), not at every edit;
    last, a trie of the pairs of characters met inside its words (see Lexicon.crossed).

    `ordinary`: glossary/ordinary_words.txt; as rare words they still outweigh a glossary form plus
    a lone character (工信部门 over 工信部|门).
    """
    import marisa_trie

    from glossary import wordtable

    freqs = dict(_dictionary_words())
    for word in ordinary:
        freqs[word] = freqs.get(word) or 1
    trie = marisa_trie.RecordTrie("<I", ((w, (f,)) for w, f in freqs.items()))
    keys = marisa_trie.Trie(freqs)
    by_id = array("I", bytes(4 * len(keys)))
    for word, key_id in keys.iteritems():
        by_id[key_id] = freqs[word]
    if sys.byteorder == "big":
        by_id.byteswap()  # stored little-endian
    pairs = marisa_trie.Trie(list(pairs_in(freqs)))
    return trie.tobytes(), sum(freqs.values()), wordtable.build(freqs), keys.tobytes(), by_id.tobytes(), pairs.tobytes()


def pairs_in(words: Iterable[str]) -> set[str]:
    """Every two characters that follow each other inside one of the words."""
    return {word[i : i + 2] for word in words for i in range(len(word) - 1)}


def forms_pairs_blob(forms_trie: bytes, forms: Iterable[str]) -> bytes:
    """The pairs of characters inside the glossary forms (a trie), headed by the checksum of the forms
    trie they were made with (`forms_trie`, stored as lexicon_forms): a build of another version that
    rewrote that trie alone leaves pairs that Lexicon.load sets aside."""
    import marisa_trie

    return _checksum(forms_trie) + b"\n" + marisa_trie.Trie(list(pairs_in(forms))).tobytes()


def _checksum(data: bytes) -> bytes:
    import zlib

    return f"{len(data)}-{zlib.crc32(data):08x}".encode()


class _Memo(dict):
    """A dict that works out a missing key's value with `compute`, keeping at most about `limit`: read
    as memo[key], a look-up in C when the key is there (the common case in the judging loops, where a
    method call per look-up cost more than the look-up)."""

    __slots__ = ("compute", "limit")

    def __init__(self, compute, limit: int):
        super().__init__()
        self.compute, self.limit = compute, limit

    def __missing__(self, key):
        if len(self) > self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value


class Lexicon:
    """Look-ups are memoised: a document repeats its words and its contexts, and these are the
    annotator's hot path (see bench/bench_annotate.py)."""

    MEMO_LIMIT = 200_000
    # the prefix look-ups remembered: each is a slice of text and a list of words (≈ 350 bytes), and a
    # long document at 100,000 entries fills 200,000 of them (+65 MB at peak); most repeats come close together
    PREFIXES_LIMIT = 50_000

    # Segmenting with arrays needs numpy, whose import (~80 ms) costs what segmenting ~20,000 Han
    # characters in Python does: a process takes the array path once it has been given that much
    # text (a server, a long document) or has numpy loaded already; a short CLI call never pays it.
    ARRAYS_AFTER = 20_000

    def __init__(self, trie, total: int, forms=None, table_file: Path | None = None, keys=None, freqs=None, pairs=None):
        """`trie`: the base lexicon (word → frequency); `forms`: a trie of the glossary forms it
        lacks, each GLOSSARY_FREQ; `total`: the frequencies' sum over both; `table_file`: the base
        lexicon's word table (glossary.wordtable), for segmenting whole texts in arrays; `keys` and
        `freqs`: the base words as a plain trie and their frequencies by its key ids, which answer
        the boundary judgements' look-ups in about half the time of `trie` (a text's prefixes in
        ≈ 2 µs, a record trie's ≈ 4 µs, on this project's loaded 2-core machine): a process judging a
        document's boundaries for the first time makes tens of thousands of them. `pairs`: the pairs of characters
        met inside the base words and inside the glossary forms (two tries, see crossed), if stored."""
        import marisa_trie

        self.trie = trie
        self.keys = keys if freqs is not None else None
        self.freqs: array | memoryview | None = freqs
        self._base = self.keys if self.keys is not None else trie  # the trie asked for prefixes and words
        self.forms = forms if forms is not None else marisa_trie.Trie()
        self.log_total = math.log(total)
        self.unknown = -self.log_total - 5  # a character no word explains
        self._logp = _Memo(self._log_probability, self.MEMO_LIMIT)
        self._prefixes = _Memo(self._find_prefixes, self.PREFIXES_LIMIT)
        self._pairs = pairs
        self._pair_memo = _Memo(self._holds_pair, self.MEMO_LIMIT)
        self._verdicts: dict[tuple[str, str, str], bool] = {}
        self._around: list[dict[str, bool]] = [{} for _ in range(CHECKED_LENGTH + 1)]  # by match length
        self._parts: dict[tuple[str, int, int], bool] = {}
        self._term_cuts: dict[str, list[int]] = {}  # part_of's segmentations, by term
        self._table_file = table_file
        self._table: WordTable | None = None
        self._segmented = 0  # characters of text given to pieces() so far

    @classmethod
    def load(cls, store) -> Lexicon:
        """Memory-map the store's lexicon file (instant), or read it out of the database."""
        import marisa_trie

        trie = marisa_trie.RecordTrie("<I")
        path = store.lexicon_file()
        if path is not None:
            trie.mmap(str(path))
        else:
            trie.frombytes(store.blob("lexicon_base"))
        forms = marisa_trie.Trie()
        forms_bytes = store.blob("lexicon_forms")
        forms.frombytes(forms_bytes)
        keys, freqs = cls._load_keys(store)
        table_file = store.lexicon_file("lexicon_base_words")
        return cls(trie, store.lexicon_total, forms, table_file, keys, freqs, cls._load_pairs(store, forms_bytes))

    @staticmethod
    def _load_pairs(store, forms_bytes: bytes):
        """(base words' pairs, glossary forms' pairs) as the build stored them (see crossed), or None for
        a database without them, or whose forms' pairs are not of its forms trie (see forms_pairs_blob)."""
        import marisa_trie

        base_file = store.lexicon_file("lexicon_base_pairs")
        try:
            head, _, data = store.blob("lexicon_forms_pairs").partition(b"\n")
        except IndexError:
            return None
        if base_file is None or head != _checksum(forms_bytes):
            return None
        base, forms = marisa_trie.Trie(), marisa_trie.Trie()
        base.mmap(str(base_file))
        forms.frombytes(data)
        return base, forms

    @staticmethod
    def _load_keys(store):
        """The base words as a plain trie and their frequencies by its key ids (see __init__), memory-
        mapped and read from the files beside the database, or out of it; (None, None) for a database
        built before they were stored."""
        import marisa_trie

        keys = marisa_trie.Trie()
        keys_file, freqs_file = store.lexicon_file("lexicon_base_keys"), store.lexicon_file("lexicon_base_freqs")
        try:
            if keys_file is not None and freqs_file is not None:
                keys.mmap(str(keys_file))
                if sys.byteorder == "little":  # the file as it is: only the pages read are loaded
                    with freqs_file.open("rb") as file:
                        return keys, memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)).cast("I")
                data = freqs_file.read_bytes()
            else:
                keys.frombytes(store.blob("lexicon_base_keys"))
                data = store.blob("lexicon_base_freqs")
        except IndexError:  # (store.blob: no such blob)
            return None, None
        freqs = array("I")
        freqs.frombytes(data)
        if sys.byteorder == "big":
            freqs.byteswap()
        return keys, freqs

    def pieces(
        self, text: str, spans: list[tuple[int, int]], arrays: bool | None = None
    ) -> tuple[list[int], list[int]]:
        """The text cut into pieces around the spans (sorted, apart): every run of Han characters
        outside them into its words, as `segment` cuts it. Returns the boundaries (0 … len(text))
        and each piece's kind (WORD, SPAN, or OTHER: whatever is not Han). `arrays` forces (True)
        or forbids (False) the array path, else ARRAYS_AFTER decides."""
        if arrays is None:
            self._segmented += len(text)
            arrays = self._segmented >= self.ARRAYS_AFTER or "numpy" in sys.modules
        if arrays and self._table_file is not None:
            if self._table is None:
                from glossary.wordtable import WordTable

                form_logp = math.log(GLOSSARY_FREQ) - self.log_total
                try:
                    self._table = WordTable(self._table_file, self.log_total, self.unknown, self.forms, form_logp)
                except ValueError:  # forms with more new characters than the keys have room for
                    self._table_file = None
            if self._table is not None:
                return self._table.pieces(text, spans, self.logp)
        bounds, kinds, pos = [0], [], 0
        for start, end in [*spans, (len(text), len(text))]:
            for run in HAN_RUN.finditer(text, pos, start):
                if run.start() > pos:
                    bounds.append(run.start())
                    kinds.append(OTHER)
                cuts = self.segment(run.group())[1:]
                bounds.extend(run.start() + c for c in cuts)
                kinds.extend([WORD] * len(cuts))
                pos = run.end()
            if start > pos:
                bounds.append(start)
                kinds.append(OTHER)
            if end > start:
                bounds.append(end)
                kinds.append(SPAN)
            pos = end
        return bounds, kinds

    def logp(self, word: str) -> float | None:
        return self._logp[word]

    def _log_probability(self, word: str) -> float | None:
        freq = self._frequency(word)
        if freq:
            return math.log(freq) - self.log_total
        return math.log(GLOSSARY_FREQ) - self.log_total if word in self.forms else None

    def _frequency(self, word: str) -> int:
        """The base lexicon's count of a word (0: not in it)."""
        if self.keys is not None:
            try:
                return self.freqs[self.keys.key_id(word)]  # type: ignore[index]
            except KeyError:
                return 0
        found = self.trie.get(word)
        return found[0][0] if found else 0

    def segment(self, text: str, whole: bool = True) -> list[int]:
        """Word boundaries (cut positions, 0 and len included) of the most probable segmentation;
        `whole=False` reads the text as made of smaller words even where it is a word itself."""
        n = len(text)
        best = [0.0] * (n + 1)
        step = [n] * (n + 1)
        prefixes, logp, unknown = self._prefixes.__getitem__, self._logp.__getitem__, self.unknown  # (see _Memo)
        longest = n if whole else n - 1  # the longest word the path may take
        if n:  # the last character: no word of two starts there
            single = logp(text[-1])
            best[n - 1] = unknown if single is None else single
        for i in range(n - 2, -1, -1):
            single = logp(text[i])
            choice, score = i + 1, (unknown if single is None else single) + best[i + 1]
            for word in prefixes(text[i : i + MAX_WORD]):
                size = len(word)
                if 1 < size <= longest:
                    p = (logp(word) or 0.0) + best[i + size]  # a prefix found in the trie has a count
                    if p > score:
                        choice, score = i + size, p
            best[i], step[i] = score, choice
        cuts, i = [0], 0
        while i < n:
            i = step[i]
            cuts.append(i)
        return cuts

    def prefixes(self, text: str) -> list[str]:
        """The words of the lexicon that `text` starts with (remembered: a third of a document's
        look-ups repeat one made for another window, or for a term's own words in part_of)."""
        return self._prefixes[text]

    def _find_prefixes(self, text: str) -> list[str]:
        return self._base.prefixes(text) + self.forms.prefixes(text)

    def __contains__(self, word: str) -> bool:
        return word in self._base or word in self.forms

    def crossed(self, text: str, start: int, end: int) -> bool:
        """Does a dictionary word straddle either edge of text[start:end]? (One that starts at most
        WINDOW characters before the match and ends inside it, or starts inside it and ends at most
        WINDOW characters after it.)"""
        prefixes = self._prefixes.__getitem__  # (see _Memo)
        inside = self._pair_memo.__getitem__ if self._pairs is not None else None
        # A word from before the match that ends inside it holds every two characters side by side from
        # its first to the edge's: the positions are tried from the edge outwards, up to a pair no word
        # of the lexicon holds (no word can start at or before it and reach the match).
        for at in range(start - 1, max(0, start - WINDOW) - 1, -1):
            if inside is not None and not inside(text[at : at + 2]):
                break
            words = prefixes(text[at : at + MAX_WORD])
            shortest, longest = start - at, end - at
            for word in words:
                if shortest < len(word) < longest:
                    return True
        # a word from inside the match that ends after it holds the edge's two characters
        if end - start < 2 or (inside is not None and not inside(text[end - 1 : end + 1])):
            return False
        for at in range(start + 1, end):
            words = prefixes(text[at : at + MAX_WORD])
            shortest, longest = end - at, end + WINDOW - at + 1
            for word in words:
                if shortest < len(word) < longest:
                    return True
        return False

    def _holds_pair(self, pair: str) -> bool:
        """Could a word of the lexicon hold these two characters side by side? (Remembered in
        _pair_memo: a document's windows share most of their pairs.)"""
        base, forms = self._pairs  # type: ignore[misc]
        return len(pair) == 2 and (pair in base or pair in forms)

    def splits_word(self, text: str, start: int, end: int) -> bool:
        """True when text[start:end] cuts across the words of its sentence (中考 in 集中考察).

        A match whose edges are word boundaries is real, and so is one lying whole inside a
        longer word (下岗 in 下岗职工). Only the Han run around the match is segmented, and the
        verdict depends on that window alone, so it is remembered for the next time it occurs:
        first by the plain characters around the match (one slice, no character tested), then by
        the Han run they hold.
        """
        length = end - start
        if length > CHECKED_LENGTH:
            return False
        if start < WINDOW:
            return self._splits_in_window(text, start, end)
        around = text[start - WINDOW : end + WINDOW]  # with its length, where the match lies in it
        memo = self._around[length]
        verdict = memo.get(around)
        if verdict is None:
            if len(memo) > self.MEMO_LIMIT:
                memo.clear()
            verdict = memo[around] = self._splits_in_window(text, start, end)
        return verdict

    def remembered_verdicts(self) -> list[dict[str, bool]]:
        """splits_word's verdicts by match length, then by the text from WINDOW characters before the
        match to WINDOW after it (for a caller judging many matches without a call for each)."""
        return self._around

    def _splits_in_window(self, text: str, start: int, end: int) -> bool:
        if self._pairs is not None and not self._pair_memo[text[start - 1 : start + 1]]:
            if not self._pair_memo[text[end - 1 : end + 1]]:
                return False  # no word of the lexicon can straddle either edge (see crossed)
        # the Han characters around the match, at most WINDOW each side (C-level matches, the same as
        # testing each character: the run before it is matched reversed)
        before = HAN_RUN.match(text[max(0, start - WINDOW) : start][::-1])
        lo = start - before.end() if before else start
        after = HAN_RUN.match(text, end, end + WINDOW)
        hi = after.end() if after else end
        key = (text[lo:start], text[start:end], text[end:hi])
        verdict = self._verdicts.get(key)
        if verdict is None:
            if len(self._verdicts) > self.MEMO_LIMIT:
                self._verdicts.clear()
            verdict = self._verdicts[key] = self._judge(text[lo:hi], start - lo, end - lo)
        return verdict

    def _judge(self, window: str, left: int, right: int) -> bool:
        if not self.crossed(window, left, right):
            return False
        cuts = self.segment(window)
        if left in cuts and right in cuts:
            return False
        for a, b in zip(cuts, cuts[1:], strict=False):
            if a <= left and right <= b:
                return not self.compound_of(window[a:b], left - a, right - a)
        return True

    def part_of(self, term: str, start: int, end: int) -> bool:
        """Is term[start:end] one of the words a glossary term is made of? 人工智能 in 通用|人工智能 and
        高考 in 新|高考 are; 用人 (across 通用|人工) and 北大 (inside 北大荒) are not. The term is read as
        smaller words, since as a glossary form it is one word itself — unless it is an ordinary word
        of the dictionary too (北大荒, "the Great Northern Wilderness", a glossary term in a big
        termbase): then a part stands only as a constituent of it (compound_of); verdicts are remembered."""
        key = (term, start, end)
        verdict = self._parts.get(key)
        if verdict is None and term in self._base:  # an ordinary word (北大荒): whole, as in splits_word
            verdict = self._parts[key] = self.compound_of(term, start, end)
        if verdict is None:
            if len(self._parts) > self.MEMO_LIMIT:
                self._parts.clear()
                self._term_cuts.clear()
            cuts = self._term_cuts.get(term)
            if cuts is None:  # (a term holding several others is cut once)
                cuts = self._term_cuts[term] = self.segment(term, whole=False)
            if start in cuts and end in cuts:
                verdict = True
            else:
                words = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if a <= start and end <= b]
                verdict = bool(words) and self.compound_of(
                    term[words[0][0] : words[0][1]], start - words[0][0], end - words[0][0]
                )
            self._parts[key] = verdict
        return verdict

    def compound_of(self, word: str, left: int, right: int) -> bool:
        """Is word[left:right] a constituent of the longer word, the rest being words too?

        下岗职工 is 下岗 + 职工, a real occurrence; 北大荒, 钉钉子 and 千百度 only contain the
        characters of 北大, 钉钉 and 百度, with a lone character left over.
        """
        rest = (word[:left], word[right:])
        return all(not piece or (len(piece) >= 2 and self.logp(piece) is not None) for piece in rest)

    def words(self, text: str) -> list[str]:
        """Split a text into words (used to group whole-text pinyin and dictionary look-ups)."""
        cuts = self.segment(text)
        return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
