"""The annotator's surface forms as stored: a base and a small delta, both loaded in a millisecond.

The base is one blob: a marisa trie of the forms (as the matching view reads them) and, packed
beside it by the trie's key ids, each form's candidates ([[entry id, how it reads, region], …]).
A cold start copies it and decodes only the candidates of the forms a text contains; a short text is
scanned by asking the trie for the forms that start at each position, so no automaton is built or
unpickled. The delta holds the forms an edit changed since the base was written (a form no entry has
any more maps to []), so a one-entry edit rewrites a few rows, not every form; build.py rebuilds the
base when the delta grows past a small fraction of it.

Forms are numbered densely: the base's live forms in key-id order, then the delta's new forms in
sorted order. That number is what Annotator.candidates[index] and the long-text automaton use.
"""

from __future__ import annotations

import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any

MAGIC = b"GFI1"
HEADER = struct.Struct("<4sIII")  # magic, forms, bytes of the trie, longest form


def pack(candidates: dict[str, list]) -> bytes:
    """The base blob of `candidates` (form → its candidates, each list in build order)."""
    import marisa_trie
    import orjson

    trie = marisa_trie.Trie(list(candidates))
    keys = [""] * len(trie)
    for key, key_id in trie.iteritems():
        keys[key_id] = key
    parts = [orjson.dumps(candidates[key]) for key in keys]
    offsets = array("I", accumulate((len(part) + 1 for part in parts), initial=0))  # each part and a comma
    if sys.byteorder == "big":
        offsets.byteswap()  # stored little-endian
    trie_bytes = trie.tobytes()
    longest = max(map(len, keys), default=0)
    return HEADER.pack(MAGIC, len(keys), len(trie_bytes), longest) + trie_bytes + offsets.tobytes() + b",".join(parts)


class FormIndex:
    """The base blob and the delta (form → candidates, [] for a form gone), read as one numbering."""

    def __init__(self, base: bytes, delta: dict[str, list] | None = None):
        import marisa_trie

        magic, count, trie_size, longest = HEADER.unpack_from(base)
        if magic != MAGIC:
            raise ValueError("not a form index")
        start = HEADER.size + trie_size
        self._trie = marisa_trie.Trie()
        self._trie.frombytes(base[HEADER.size : start])
        offsets = array("I")
        offsets.frombytes(base[start : start + 4 * (count + 1)])
        if sys.byteorder == "big":
            offsets.byteswap()
        self._offsets = offsets
        self._data = memoryview(base)[start + 4 * (count + 1) :]
        self.delta = delta or {}
        trie = self._trie
        self._replaced = {trie.key_id(k): c for k, c in self.delta.items() if c and k in trie}
        self._dead = sorted(trie.key_id(k) for k, c in self.delta.items() if not c and k in trie)
        self._dead_set = frozenset(self._dead)
        self._dead_shift = [tid - n for n, tid in enumerate(self._dead)]  # see _key_id
        self._new = sorted(k for k, c in self.delta.items() if c and k not in trie)
        self._live_base = count - len(self._dead)
        self._new_trie = marisa_trie.Trie(self._new) if self._new else None
        position = {k: self._live_base + n for n, k in enumerate(self._new)}
        self._new_index = {key_id: position[k] for k, key_id in self._new_trie.iteritems()} if self._new_trie else {}
        self.longest = max([longest, *map(len, self._new)])
        self.candidates = Candidates(self)

    def __len__(self) -> int:
        return self._live_base + len(self._new)

    def _key_id(self, index: int) -> int:
        """The base trie's key id of a form's number (the dead forms skipped)."""
        return index + bisect_right(self._dead_shift, index) if self._dead else index

    def _number(self, key_id: int) -> int:
        return key_id - bisect_left(self._dead, key_id) if self._dead else key_id

    def decode(self, index: int) -> list:
        """The candidates of the form numbered `index`."""
        if index >= self._live_base:
            return self.delta[self._new[index - self._live_base]]
        key_id = self._key_id(index)
        replaced = self._replaced.get(key_id)
        return replaced if replaced is not None else self._base_candidates(key_id)

    def _base_candidates(self, key_id: int) -> list:
        # The standard library's json: orjson's import (dataclasses, uuid, …) costs more than a cold
        # start decodes; decode_all, for long texts, uses orjson.
        import json

        return json.loads(self._data[self._offsets[key_id] : self._offsets[key_id + 1] - 1].tobytes())

    def decode_many(self, numbers: list[int]) -> list[list]:
        """The candidates of these forms, in their order: the base's in one orjson call (a long text's
        first annotation meets thousands of forms; one json.loads each cost ≈ 8 µs)."""
        import orjson

        parts: list[memoryview] = []
        where: list[int | None] = []  # each form's place among the parts (None: not the base's)
        for index in numbers:
            key_id = -1 if index >= self._live_base else self._key_id(index)
            if key_id < 0 or key_id in self._replaced:
                where.append(None)
            else:
                where.append(len(parts))
                parts.append(self._data[self._offsets[key_id] : self._offsets[key_id + 1] - 1])
        decoded = orjson.loads(b"[" + b",".join(parts) + b"]") if parts else []
        return [self.decode(index) if at is None else decoded[at] for index, at in zip(numbers, where, strict=True)]

    def decode_all(self) -> list[list]:
        """Every form's candidates by number, decoded at once."""
        import orjson

        base = orjson.loads(b"[" + self._data.tobytes() + b"]") if self._offsets[-1] else []
        for key_id, replaced in self._replaced.items():
            base[key_id] = replaced
        live = [c for key_id, c in enumerate(base) if key_id not in self._dead_set] if self._dead else base
        return live + [self.delta[key] for key in self._new]

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence of every form as (start, end, number): the forms that start at each
        position, asked of the trie (about a microsecond a character, nothing to build first)."""
        found: list[tuple[int, int, int]] = []
        append, longest, dead = found.append, self.longest, self._dead_set
        tries = [(self._trie, None)] + ([(self._new_trie, self._new_index)] if self._new_trie else [])
        for trie, numbers in tries:
            prefixes = trie.iter_prefixes_with_ids
            for start in range(len(text)):
                for form, key_id in prefixes(text[start : start + longest]):
                    if numbers is not None:
                        append((start, start + len(form), numbers[key_id]))
                    elif key_id not in dead:
                        append((start, start + len(form), self._number(key_id) if dead else key_id))
        return found

    def forms(self) -> list[str]:
        """Every form by its number (what the long-text automaton is built from)."""
        by_id = [""] * (len(self._offsets) - 1)
        for key, key_id in self._trie.iteritems():
            by_id[key_id] = key
        return [key for key_id, key in enumerate(by_id) if key_id not in self._dead_set] + self._new

    def number(self, form: str) -> int | None:
        """A form's number (None if no entry has it), without listing every form."""
        for trie, numbers in ((self._trie, None), (self._new_trie, self._new_index)):
            try:
                key_id = trie.key_id(form) if trie is not None else -1
            except KeyError:
                continue
            if numbers is not None:
                return numbers.get(key_id)
            return None if key_id in self._dead_set else self._number(key_id)
        return None

    def get(self, form: str) -> list:
        """The candidates of a form ([] if no entry has it)."""
        if form in self.delta:
            return self.delta[form]
        if form not in self._trie:
            return []
        key_id = self._trie.key_id(form)
        return self.decode(self._number(key_id))

    def base_get(self, form: str) -> list:
        """The candidates the base gives a form, whatever the delta says ([] if none)."""
        return self._base_candidates(self._trie.key_id(form)) if form in self._trie else []

    def as_dict(self) -> dict[str, list]:
        """Every form with its candidates, whatever the split between base and delta."""
        return dict(zip(self.forms(), self.candidates, strict=True))


class Candidates(Sequence):
    """Each form's candidates by its number, decoded on first use: a cold start pays only for the
    forms its text contains; iterating (the long-text table) decodes them all once."""

    def __init__(self, index: FormIndex):
        self._index = index
        self._decoded: list[Any] = [None] * len(index)

    def __len__(self) -> int:
        return len(self._decoded)

    def __getitem__(self, number):  # type: ignore[override]
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        found = self._decoded[number]
        if found is None:
            found = self._decoded[number] = self._index.decode(number % len(self))
        return found

    def decode(self, numbers: list[int]) -> list[list]:
        """These forms' candidates, those not decoded yet decoded now, at once (see FormIndex.decode_many)."""
        decoded = self._decoded
        missing = [number for number in numbers if decoded[number] is None]
        for number, found in zip(missing, self._index.decode_many(missing), strict=True):
            decoded[number] = found
        return [decoded[number] for number in numbers]

    def __iter__(self) -> Iterator[list]:
        if any(found is None for found in self._decoded):
            self._decoded = self._index.decode_all()
        return iter(self._decoded)
