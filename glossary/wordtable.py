"""The lexicon as arrays, so that all the Han runs of a text are segmented together in numpy.

Segmenting in Python costs a trie prefix call and a loop step per Han character (≈ 4 µs each): three
times the whole annotation of the text. Here a word of two to four characters is one integer (its
characters' ranks in the lexicon's alphabet, 14 bits each), kept in hash buckets, so the words
starting at every position of a text are found in one vectorised look-up; words of five to eight
characters (3% of the lexicon) are looked up in the trie where a bucket says one may start. The
dynamic programme of `Lexicon.segment` then runs over every run at once, one character per step
from the runs' ends, with the same scores added in the same order: the cuts are the same, to the
last bit of every comparison (tests compare the two on real text).

The table holds the base lexicon (jieba's words), built once per database; the glossary's own forms
(the small `lexicon_forms` trie, rebuilt at every edit) are added when a process first loads the
table: their new characters get ranks after the base alphabet's, and their keys go into a small
sorted array searched beside the buckets.

numpy is imported only here, once a process has text enough to pay for it (Lexicon.ARRAYS_AFTER).
"""

from __future__ import annotations

import math
import mmap
import re
from pathlib import Path

import numpy as np

from glossary.chinese import HAN
from glossary.segment import OTHER, SPAN, WORD

BITS = 14  # bits per character rank: the lexicon's Han alphabet has ~13,700 characters
PACKED = 4  # characters packed into one key
MAX_WORD = 8  # as segment.MAX_WORD
BUCKET_BITS = 19  # 2^19 hash buckets for ~580,000 keys: about one a bucket
MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing
LONGER = np.uint64(1 << 63)  # marks the key of a longer word's first five characters
HEADER = np.dtype([(f, "<u8") for f in ("keys", "chars", "freqs")])


def _bucket(keys: np.ndarray, bits: int = BUCKET_BITS) -> np.ndarray:
    return ((keys * MIX) >> np.uint64(64 - bits)).astype(np.int64)


def _buckets(keys: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """The order that groups the keys by bucket, and where each of the 2^bits buckets starts in it."""
    buckets = _bucket(keys, bits)
    order = np.argsort(buckets, kind="stable")
    return order, np.searchsorted(buckets[order], np.arange((1 << bits) + 1))


def _probe(keys: np.ndarray, bits: int, stored: np.ndarray, offsets: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each key's value in a table of `_buckets`, -1 where no key is: its bucket's keys compared one
    slot at a time, for the keys still unresolved (a bucket holds one key on average)."""
    buckets = _bucket(keys, bits)
    slots, left = offsets[buckets], offsets[buckets + 1] - offsets[buckets]
    out = np.full(len(keys), -1, dtype=np.int64)
    todo = np.flatnonzero(left)
    slots, left = slots[todo], left[todo]
    while len(todo):
        hit = stored[slots] == keys[todo]
        out[todo[hit]] = values[slots[hit]]
        more = ~hit & (left > 1)
        todo, slots, left = todo[more], slots[more] + 1, left[more] - 1
    return out


def _longer_key(first_four: np.ndarray, fifth: np.ndarray) -> np.ndarray:
    """A longer word's first five characters, hashed: only says where the trie is worth asking."""
    return (first_four * MIX) ^ fifth | LONGER


def build(words: dict[str, int]) -> bytes:
    """The table: every word of two to four Han characters as a key with its frequency's rank,
    the keys of the first five characters of longer ones, each character's rank and its own
    frequency's rank, and the distinct frequencies. Built with the lexicon (a second, at most)."""
    han = re.compile(f"[{HAN}]{{1,{MAX_WORD}}}")
    words = {w: f for w, f in words.items() if han.fullmatch(w)}
    alphabet = sorted({c for w in words for c in w})
    if len(alphabet) >= 1 << BITS:
        raise ValueError(f"{len(alphabet)} characters do not fit in {BITS} bits")
    freqs = np.unique(np.fromiter(words.values(), dtype="<u4"))
    chars = np.zeros((ord(alphabet[-1]) + 2, 2), dtype="<u2")  # code point → (rank, frequency rank + 1)
    chars[[ord(c) for c in alphabet], 0] = np.arange(1, len(alphabet) + 1)
    singles = [w for w in words if len(w) == 1]
    chars[[ord(c) for c in singles], 1] = np.searchsorted(freqs, [words[c] for c in singles]) + 1

    def packed(group: list[str], size: int) -> np.ndarray:
        codes = np.frombuffer("".join(w[:size].ljust(size, "\0") for w in group).encode("utf-32-le"), "<u4")
        ranks = chars[codes, 0].astype(np.uint64).reshape(-1, size)
        return np.bitwise_or.reduce(ranks << (np.arange(size, dtype=np.uint64) * np.uint64(BITS)), axis=1)

    short = [w for w in words if 2 <= len(w) <= PACKED]
    longer = [w for w in words if len(w) > PACKED]
    fifth = chars[[ord(w[PACKED]) for w in longer], 0].astype(np.uint64)
    starts, which = np.unique(_longer_key(packed(longer, PACKED), fifth), return_inverse=True)
    lengths = np.zeros(len(starts), dtype="<u2")  # for a longer word's start: a bit per length, 5 to 8
    np.bitwise_or.at(lengths, which, 1 << (np.array([len(w) for w in longer]) - PACKED - 1))
    keys = np.concatenate([packed(short, PACKED), starts])
    ranks = np.concatenate([np.searchsorted(freqs, [words[w] for w in short]).astype("<u2"), lengths])
    order, offsets = _buckets(keys, BUCKET_BITS)
    offsets = offsets.astype("<u4")
    header = np.array([(len(keys), len(chars), len(freqs))], dtype=HEADER)
    keys, ranks = keys[order], ranks[order]
    return b"".join(a.tobytes() for a in (header, keys, offsets, freqs, ranks, chars))


class WordTable:
    """The arrays of `build`, memory-mapped, plus the glossary's forms, scored as `Lexicon.logp` scores."""

    def __init__(self, path: Path, log_total: float, unknown: float, forms=(), form_logp: float = 0.0):
        """`forms`: the glossary's forms the base lacks (an iterable of words, the forms trie), each
        scored `form_logp`."""
        with path.open("rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        size = np.frombuffer(self._map, dtype=HEADER, count=1)[0]
        at = HEADER.itemsize

        def take(dtype: str, count: int) -> np.ndarray:
            nonlocal at
            array = np.frombuffer(self._map, dtype=dtype, count=count, offset=at)
            at += array.nbytes
            return array

        self.keys = take("<u8", int(size["keys"]))
        self.offsets = take("<u4", (1 << BUCKET_BITS) + 1).astype(np.int64)
        # math.log as Lexicon.logp has it, so that every score is the same to the last bit
        freqs = take("<u4", int(size["freqs"]))
        self.logps = np.array([math.log(int(f)) - log_total for f in freqs])
        self.ranks = take("<u2", int(size["keys"]))
        chars = take("<u2", 2 * int(size["chars"])).reshape(-1, 2)
        self.char_ranks = chars[:, 0]
        singles = np.full(int(chars[:, 0].max()) + 1, unknown)  # by character rank; 0: not in the lexicon
        known = chars[:, 1] > 0
        singles[chars[known, 0]] = self.logps[chars[known, 1] - 1]
        self.singles = singles
        self.han = [(ord(HAN[i]), ord(HAN[i + 2])) for i in range(0, len(HAN), 3)]  # its ranges, a-b
        self._add_forms(forms, form_logp)

    def _add_forms(self, forms, form_logp: float) -> None:
        """The glossary's forms of one to eight Han characters as the base's words are: a single
        character's score by its rank; the keys of longer ones, sorted, in `form_keys` (a form of
        two to four characters → the rank of `form_logp` in `logps`; a longer form's first five
        characters → its length's bit). Forms are words the base lacks: no key of two to four
        characters is in both; a longer word's start may be, and then both say which lengths."""
        han = re.compile(f"[{HAN}]{{1,{MAX_WORD}}}")
        words = [w for w in forms if han.fullmatch(w)]
        codes = sorted({ord(c) for w in words for c in w})
        char_ranks = np.zeros(max([len(self.char_ranks) - 1, *codes]) + 2, dtype=np.int64)  # a 0 at the end
        char_ranks[: len(self.char_ranks)] = self.char_ranks
        new = [c for c in codes if char_ranks[c] == 0]
        top = len(self.singles) - 1  # the base alphabet's highest rank
        if top + len(new) >= 1 << BITS:
            raise ValueError(f"{top + len(new)} characters do not fit in {BITS} bits")
        char_ranks[new] = np.arange(top + 1, top + 1 + len(new))
        self.char_ranks = char_ranks
        self.singles = np.concatenate([self.singles, np.full(len(new), self.singles[0])])
        self.logps = np.append(self.logps, form_logp)
        self.singles[char_ranks[[ord(w) for w in words if len(w) == 1]]] = form_logp
        short = [w for w in words if 2 <= len(w) <= PACKED]
        longer = [w for w in words if len(w) > PACKED]
        ranks = char_ranks.astype(np.uint64)

        def packed(group: list[str]) -> np.ndarray:
            codes = np.frombuffer("".join(w[:PACKED].ljust(PACKED, "\0") for w in group).encode("utf-32-le"), "<u4")
            shifts = np.arange(PACKED, dtype=np.uint64) * np.uint64(BITS)
            return np.bitwise_or.reduce(ranks[codes].reshape(-1, PACKED) << shifts, axis=1)

        fifth = ranks[[ord(w[PACKED]) for w in longer]]
        starts, which = np.unique(_longer_key(packed(longer), fifth), return_inverse=True)
        lengths = np.zeros(len(starts), dtype=np.int64)
        np.bitwise_or.at(lengths, which, 1 << (np.array([len(w) for w in longer], dtype=np.int64) - PACKED - 1))
        keys = np.concatenate([packed(short), starts])
        values = np.concatenate([np.full(len(short), len(self.logps) - 1, dtype=np.int64), lengths])
        self.form_bits = max(1, len(keys).bit_length())  # about one key a bucket, as the base's
        order, self.form_offsets = _buckets(keys, self.form_bits)
        self.form_keys, self.form_values = keys[order], values[order]

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Each key's value (a word's frequency rank; the lengths of longer words starting so), -1
        where no key is, in the base's buckets and the forms' ones."""
        out = _probe(keys, BUCKET_BITS, self.keys, self.offsets, self.ranks)
        if len(self.form_keys):
            found = _probe(keys, self.form_bits, self.form_keys, self.form_offsets, self.form_values)
            # only a longer word's start may be in both: then both say which lengths
            out = np.where(found < 0, out, np.where(out < 0, found, out | found))
        return out

    def pieces(self, text: str, spans: list[tuple[int, int]], logp) -> tuple[list[int], list[int]]:
        """Lexicon.pieces, in arrays: the runs of Han characters outside the spans, each cut into
        words; `logp` is Lexicon.logp, asked for words of five to eight characters where one may
        start. Returns the boundaries and each piece's kind, as lists."""
        n = len(text)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        han = np.zeros(n, dtype=bool)
        for low, high in self.han:
            han |= (codes >= low) & (codes <= high)
        edges = np.zeros(n + 1, dtype=np.int64)
        if spans:
            starts, ends = np.array(spans).T
            edges[starts] += 1
            edges[ends] -= 1
        inside = np.cumsum(edges[:n]) > 0
        runs = np.diff((han & ~inside).astype(np.int8), prepend=0, append=0)
        bound = self._cuts(text, codes, np.flatnonzero(runs == 1), np.flatnonzero(runs == -1), logp)
        if spans:
            bound[starts] = bound[ends] = True
        bound[0] = bound[n] = True
        bounds = np.flatnonzero(bound)
        kind = np.where(inside, SPAN, np.where(han, WORD, OTHER))
        return bounds.tolist(), kind[bounds[:-1]].tolist()

    def _cuts(self, text: str, codes: np.ndarray, first: np.ndarray, last: np.ndarray, logp) -> np.ndarray:
        """Word boundaries of the runs text[first[k]:last[k]] (Han characters only, apart from
        each other), as a mask over the text's positions, each run's start and end included."""
        n = len(text)
        rank = np.zeros(n + MAX_WORD, dtype=np.int64)
        rank[:n] = self.char_ranks[np.minimum(codes, len(self.char_ranks) - 1)]
        lengths = last - first
        at = np.arange(int(lengths.sum())) + np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
        room = np.zeros(n + MAX_WORD + 1, dtype=np.int64)  # characters from a position to its run's end
        room[at] = np.repeat(last, lengths) - at
        unknown_before = np.zeros(n + MAX_WORD + 1, dtype=np.int64)
        unknown_before[1:] = np.cumsum(rank == 0)
        scores = np.full((n, MAX_WORD), -np.inf)
        scores[at, 0] = self.singles[rank[at]]
        ranks = rank.astype(np.uint64)
        packed = ranks[:n].copy()
        where, queries = [], []
        for size in range(2, PACKED + 2):
            whole = at[(room[at] >= size) & (unknown_before[at + size] == unknown_before[at])]
            if size > PACKED:
                queries.append(_longer_key(packed[whole], ranks[whole + PACKED]))
            else:
                packed |= ranks[size - 1 : n + size - 1] << np.uint64(BITS * (size - 1))
                queries.append(packed[whole])
            where.append(whole)
        found = self.lookup(np.concatenate(queries))
        widest, done = PACKED, 0
        for size, whole in enumerate(where, start=2):
            part = found[done : done + len(whole)]
            done += len(whole)
            hit = part >= 0
            if size <= PACKED:
                scores[whole[hit], size - 1] = self.logps[part[hit]]
                continue
            for i, longer in zip(whole[hit].tolist(), part[hit].tolist(), strict=True):  # the trie says which word
                for length in range(PACKED + 1, min(MAX_WORD, int(room[i])) + 1):
                    if longer >> (length - PACKED - 1) & 1 and (p := logp(text[i : i + length])) is not None:
                        scores[i, length - 1] = p
                        widest = max(widest, length)
        return _best_cuts(scores[:, :widest], last, lengths, n)


def _best_cuts(scores: np.ndarray, last: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
    """Lexicon.segment's programme over every run at once, from the runs' ends leftwards, one
    character of every run still going per step. best[r, steps - 1 - k] is run r's best score from
    k characters before its end (k = -1: the end itself, 0)."""
    width = scores.shape[1]
    order = np.argsort(-lengths, kind="stable")
    ends, sizes = last[order], lengths[order]
    steps = int(sizes[0]) if len(sizes) else 0
    positions = ends - 1 - np.arange(steps)[:, None]  # [k, r]: k characters before run r's end
    options = scores[np.maximum(positions, 0)]  # [k, r, length - 1], read row by row below
    best = np.zeros((len(sizes), steps + width))
    choice = np.zeros((steps, len(sizes)), dtype=np.int64)
    active = np.searchsorted(-sizes, -np.arange(steps))  # how many runs are longer than k
    for k in range(steps):
        m, at = active[k], steps - 1 - k
        scored = options[k, :m] + best[:m, at + 1 : at + 1 + width]
        choice[k, :m] = scored.argmax(axis=1)  # the first best: the shorter word on a tie, as segment()
        best[:m, at] = scored.max(axis=1)
    cut = np.zeros(n + 1, dtype=bool)
    cut[last] = True
    runs, back = np.arange(len(sizes)), sizes - 1  # each run's walk from its start: where it is
    while len(runs):
        cut[ends[runs] - 1 - back] = True
        back = back - 1 - choice[back, runs]
        runs, back = runs[back >= 0], back[back >= 0]
    return cut
