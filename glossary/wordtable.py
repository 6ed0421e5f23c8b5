"""The lexicon as arrays, so that all the Han runs of a text are segmented together in numpy.

Segmenting in Python costs a trie prefix call and a loop step per Han character (≈ 4 µs each): three
times the whole annotation of the text. Here a word of two to four characters is one integer (its
characters' ranks in the lexicon's alphabet, 14 bits each), kept in hash buckets, so the words
starting at every position of a text are found in one vectorised look-up (a filter turns most
non-words away before the buckets are searched); words of five to eight characters (3% of the
lexicon) are looked up in the trie where a bucket says one may start. The dynamic programme of
`Lexicon.segment` then runs over the pieces of the runs that no word crosses, all at once, one
character per step; where two choices come within rounding of each other, the run is cut by the
whole-run programme with the same scores added in the same order: the cuts are the same, to the
last bit of every comparison (tests compare the two on real text). numpy costs microseconds a call
and is slow across many short rows: few calls, arrays laid out [length, position].

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
from itertools import chain
from pathlib import Path

import numpy as np

from glossary.chinese import HAN
from glossary.segment import OTHER, SPAN, WORD

BITS = 14  # bits per character rank: the lexicon's Han alphabet has ~13,700 characters
PACKED = 4  # characters packed into one key
MAX_WORD = 8  # as segment.MAX_WORD
BUCKET_BITS = 19  # 2^19 hash buckets for ~580,000 keys: about one a bucket
FILTER_BITS = 23  # the filter of WordTable.maybe: 2^23 flags (8 MB), 7% of them set
SHIFTS = np.arange(PACKED, dtype=np.uint64) * np.uint64(BITS)  # a key's characters, 14 bits each
WINDOW_SLOTS = 4  # a bucket's first slots compared at once (98% of keys sit in buckets of 4 or fewer)
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
    """Each key's value in a table of `_buckets`, -1 where no key is: the first WINDOW_SLOTS keys of
    its bucket compared at once (a bucket holds one key on average), the rest of a longer bucket
    one slot at a time."""
    buckets = _bucket(keys, bits)
    slots = offsets[buckets]
    left = offsets[buckets + 1] - slots
    window = np.arange(WINDOW_SLOTS)[:, None]  # [slot, key]: numpy is fast along long rows only
    same = stored[np.minimum(slots + window, len(stored) - 1)] == keys
    same &= window < left
    out = np.full(len(keys), -1, dtype=np.int64)
    for k in range(WINDOW_SLOTS):  # keys are unique: one slot at most is the key's
        np.putmask(out, same[k], values[np.minimum(slots + k, len(values) - 1)])
    todo = np.flatnonzero((left > WINDOW_SLOTS) & (out < 0))
    slots, left = slots[todo] + WINDOW_SLOTS, left[todo] - WINDOW_SLOTS
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
        ranges = [(ord(HAN[i]), ord(HAN[i + 2])) for i in range(0, len(HAN), 3)]
        self.is_han = np.zeros(max(high for _, high in ranges) + 2, dtype=bool)  # by code point; False at the end
        for low, high in ranges:
            self.is_han[low : high + 1] = True
        self._add_forms(forms, form_logp)
        # A flag per hash of every key, base's and forms': most of a text's candidate keys are no
        # word, and one look-up here turns them away before the buckets are searched.
        self.maybe = np.zeros(1 << FILTER_BITS, dtype=np.uint8)  # 1: maybe the base's, 2: maybe a form's
        self.maybe[_bucket(self.keys, FILTER_BITS)] = 1
        self.maybe[_bucket(self.form_keys, FILTER_BITS)] |= 2

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
        where no key is, in the base's buckets and the forms' ones; only the keys the filter
        lets through are searched for, each in the table the filter names."""
        out = np.full(len(keys), -1, dtype=np.int64)
        maybe = self.maybe[_bucket(keys, FILTER_BITS)]
        base = np.flatnonzero(maybe & 1)
        out[base] = _probe(keys[base], BUCKET_BITS, self.keys, self.offsets, self.ranks)
        form = np.flatnonzero(maybe & 2)
        if len(form):
            found, old = (
                _probe(keys[form], self.form_bits, self.form_keys, self.form_offsets, self.form_values),
                out[form],
            )
            # only a longer word's start may be in both: then both say which lengths
            out[form] = np.where(found < 0, old, np.where(old < 0, found, old | found))
        return out

    def pieces(self, text: str, spans: list[tuple[int, int]], logp) -> tuple[list[int], list[int]]:
        """Lexicon.pieces, in arrays: the runs of Han characters outside the spans, each cut into
        words; `logp` is Lexicon.logp, asked for words of five to eight characters where one may
        start. Returns the boundaries and each piece's kind, as lists."""
        n = len(text)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        han = self.is_han[np.minimum(codes, len(self.is_han) - 1)]
        edges = np.zeros(n + 1, dtype=np.int64)
        if spans:
            starts, ends = np.fromiter(chain.from_iterable(spans), np.int64, 2 * len(spans)).reshape(-1, 2).T
            edges[starts] += 1
            edges[ends] -= 1
        inside = np.cumsum(edges[:n]) > 0
        in_run = np.zeros(n + 2, dtype=bool)
        in_run[1:-1] = han & ~inside
        changes = np.flatnonzero(in_run[1:] != in_run[:-1])  # each run's first position, then its end
        bound = self._cuts(text, codes, in_run[1:-1], changes[0::2], changes[1::2], logp)
        if spans:
            bound[starts] = bound[ends] = True
        bound[0] = bound[n] = True
        bounds = np.flatnonzero(bound)
        kind = np.where(inside, SPAN, np.where(han, WORD, OTHER))
        return bounds.tolist(), kind[bounds[:-1]].tolist()

    def _cuts(
        self, text: str, codes: np.ndarray, in_run: np.ndarray, first: np.ndarray, last: np.ndarray, logp
    ) -> np.ndarray:
        """Word boundaries of the runs text[first[k]:last[k]] (Han characters only, apart from
        each other; `in_run` marks their characters), as a mask over the text's positions, each
        run's start and end included. Every key of two to five characters at every position is
        made and looked up at once. Arrays are [length or character, position]: numpy is fast
        along long rows, slow across many short ones."""
        n = len(text)
        rank = np.zeros(n + MAX_WORD, dtype=np.uint64)
        rank[:n] = self.char_ranks[np.minimum(codes, len(self.char_ranks) - 1)]
        at = np.flatnonzero(in_run)
        # a key holds known characters of one run: how many follow each position before the
        # run ends or a character no word has (rank 0)
        stop = np.flatnonzero(~in_run | (rank[:n] == 0))
        room = np.append(stop, n)[np.searchsorted(stop, at)] - at
        chars = rank[np.arange(PACKED + 1)[:, None] + at]  # [k, position]: the k-th character's rank
        keys = np.empty((PACKED, len(at)), dtype=np.uint64)  # [k]: key of k + 1 characters; [0]: of five
        keys[1] = chars[0] | chars[1] << SHIFTS[1]
        for k in range(2, PACKED):
            keys[k] = keys[k - 1] | chars[k] << SHIFTS[k]
        keys[0] = _longer_key(keys[PACKED - 1], chars[PACKED])  # (no word of one character is looked up)
        asked = room >= np.array([PACKED + 1, 2, 3, 4])[:, None]  # [k]: a word of k + 1 characters (0: five)
        found = np.full(keys.shape, -1, dtype=np.int64)
        found[asked] = self.lookup(keys[asked])
        scores = np.full((MAX_WORD, n), -np.inf)  # [length - 1, position]
        scores[0, at] = self.singles[chars[0].astype(np.int64)]
        known = found[1:] >= 0
        scores[1:PACKED, at] = np.where(known, self.logps[found[1:]], -np.inf)
        word_size, word_at = np.nonzero(known)
        word_at = at[word_at]
        word_end = word_at + word_size + 2
        widest, longer_at, longer_end = PACKED, [], []
        hit = np.flatnonzero(found[0] >= 0)
        for i, lengths, most in zip(at[hit].tolist(), found[0, hit].tolist(), room[hit].tolist(), strict=True):
            for length in range(PACKED + 1, min(MAX_WORD, most) + 1):  # the trie says which word
                if lengths >> (length - PACKED - 1) & 1 and (p := logp(text[i : i + length])) is not None:
                    scores[length - 1, i] = p
                    widest = max(widest, length)
                    longer_at.append(i)
                    longer_end.append(i + length)
        if longer_at:
            word_at, word_end = np.append(word_at, longer_at), np.append(word_end, longer_end)
        return _best_cuts(scores[:widest], at, first, last, word_at, word_end)


LONG_RUN = 1000  # characters: a longer run is always cut by the exact programme (see _best_cuts)
TIE = 1e-7  # scores closer than this may compare otherwise in the exact programme (see _best_cuts)


def _best_cuts(
    scores: np.ndarray, at: np.ndarray, first: np.ndarray, last: np.ndarray, word_at: np.ndarray, word_end: np.ndarray
) -> np.ndarray:
    """Lexicon.segment's cuts of every run, found in pieces: a run is cut at every place no word
    crosses (`word_at`, `word_end`: every word of two or more characters found), and the pieces,
    a few characters each, are scored together, one character of each per step, so that the
    steps are those of the longest piece, not of the longest run.

    A piece's scores are summed from its own end, not from its run's: the same choices as the
    whole run's programme (every way through the run passes through the piece's end), except
    where two choices are within rounding of each other. Runs where a choice taken is that close
    (TIE), and runs too long for that bound (LONG_RUN), are cut by the exact programme."""
    width, n = scores.shape
    crossing = np.bincount(word_at + 1, minlength=n + 1) - np.bincount(word_end, minlength=n + 1)
    starts = at[np.cumsum(crossing)[at] == 0]  # every run's start among them
    edge = np.zeros(n + 1, dtype=bool)
    edge[starts] = edge[last] = True
    edges = np.flatnonzero(edge)
    # a slot of `best` for each position, and after each piece one for its end, which holds 0
    start = np.zeros(n + 1, dtype=np.int64)
    start[starts] = 1
    slot = np.arange(n + 1) + np.cumsum(start)
    to_end = edges[np.searchsorted(edges, at, side="right")] - 1 - at  # characters after it in its piece
    order = np.argsort(to_end, kind="stable")
    steps = np.searchsorted(to_end[order], np.arange(int(to_end.max(initial=-1)) + 2))
    where = at[order]
    options = scores[:, where]  # [length - 1, position]
    into = slot[where]
    ahead = into + np.arange(1, width + 1)[:, None]
    best = np.zeros(n + len(starts) + width + 2)
    for a, b in zip(steps[:-1].tolist(), steps[1:].tolist(), strict=True):
        best[into[a:b]] = (options[:, a:b] + best[ahead[:, a:b]]).max(axis=0)
    scored = options + best[ahead]
    top = scored.max(axis=0)
    choice = np.zeros(len(where), dtype=np.int64)  # the first best: the shorter word on a tie, as segment()
    for length in range(width - 1, -1, -1):
        np.putmask(choice, scored[length] == top, length)
    scored[choice, np.arange(len(where))] = -np.inf
    following = np.zeros(n + 1, dtype=np.int64)
    following[where] = where + 1 + choice
    close = np.zeros(n + 1, dtype=bool)  # a choice within rounding of another
    close[where] = top - scored.max(axis=0) < TIE
    cut = np.zeros(n + 1, dtype=bool)
    cut[last] = True
    here = starts
    while len(here):
        cut[here] = True
        here = following[here]
        here = here[~edge[here]]
    taken_close = (close & cut)[:n]  # a choice taken (a word starts there) close to another
    redo = (
        np.flatnonzero(np.logical_or.reduceat(taken_close, first) | (last - first > LONG_RUN)) if len(first) else first
    )
    if len(redo):
        exact = _exact_cuts(scores.T, last[redo], last[redo] - first[redo], n)
        for a, b in zip(first[redo].tolist(), last[redo].tolist(), strict=True):
            cut[a:b] = exact[a:b]
    return cut


def _exact_cuts(scores: np.ndarray, last: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
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
