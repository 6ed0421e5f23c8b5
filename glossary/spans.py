"""The spans of an annotation, kept as the matcher left them: a `Span` is made only when someone looks
at one, and the JSON of them all is put together in bulk from pieces made once per form.

A long document has tens of thousands of spans. Making a tuple for each, then a dict for each for
orjson, was most of the time of annotating one, and most callers never look at them one by one: the
JSON outputs and the list of entries met need only the matches and where each form's children sit.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Sequence
from itertools import chain, repeat
from operator import add, itemgetter
from typing import NamedTuple

from glossary.chinese import with_its_quotes


# Span and Annotation are immutable records like the model's, but NamedTuples: creating a dataclass
# costs milliseconds at import, and this module is on the CLI's cold path.
class Span(NamedTuple):
    start: int  # code points into the original text
    end: int
    text: str  # the original text of the span, as given
    id: str
    children: tuple[Span, ...] = ()
    # Matched by a form that is also an ordinary word (浪潮 "wave"); a curated variant such as
    # 浪潮集团 is specific, so it is not ambiguous even when its entry is.
    ambiguous: bool = False
    # "<id>|<form>" when the form met reads otherwise than its headword (文心一言 Wénxīn Yīyán, ERNIE Bot)
    reading: str | None = None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


_new = tuple.__new__


def place(shape: tuple, base: int, shift: int) -> tuple[Span, ...]:
    """The children of a match at view index `base`, from its form's shape (see Annotator.shape),
    where the view and the text differ by `shift` all along (no break removed inside it)."""
    return tuple(
        [
            _new(Span, (base + s + shift, base + e + shift, t, i, place(c, base + s, shift) if c else (), a, r))
            for s, e, t, i, a, r, c in shape
        ]
    )


def place_across(shape: tuple, base: int, view, text: str) -> tuple[Span, ...]:
    """The children of a match across a removed line break: each end mapped to the text (with the
    quotation marks that pair with one inside, see chinese.with_its_quotes)."""
    placed = []
    for rs, re_, _, eid, amb, reading, inner in shape:
        s, e = base + rs, base + re_
        start, end = with_its_quotes(text, view.to_original(s), view.to_original(e, end=True))
        kids = place_across(inner, s, view, text) if inner else ()
        placed.append(_new(Span, (start, end, text[start:end], eid, kids, amb, reading)))
    return tuple(placed)


def span_dicts(spans, offset: int = 0) -> list[dict]:
    """The JSON shape of spans, their children nested: where the span is (plus `offset`: a piece's
    place in its document) and which entry it names (`id`, a key of `entries`; `reading`, when
    present, a key of `readings`). The cards are not repeated per span: with a big glossary most of
    a text is tagged, and the JSON was many times the size of the text."""
    return [
        {
            "start": s + offset,
            "end": e + offset,
            "text": t,
            "id": i,
            "ambiguous": a,
            "children": span_dicts(c, offset) if c else [],
        }
        if r is None
        else {
            "start": s + offset,
            "end": e + offset,
            "text": t,
            "id": i,
            "ambiguous": a,
            "reading": r,
            "children": span_dicts(c, offset) if c else [],
        }
        for s, e, t, i, c, a, r in spans
    ]


HEAD = b'{"start":'  # how the JSON of every span begins
END = b',"end":'  # what follows its start


def template(form: str, meant: tuple, shape: tuple, tail: bytes) -> bytes | tuple[bytes, tuple[int, ...]]:
    """The JSON of a top-level match of `form` after its end number, then `tail`: bytes, or for a
    form with children a %-format and, for each of its %d, that number's distance from the match's
    start (the children's places)."""
    import orjson

    dumps = orjson.dumps
    entry_id, ambiguous, reading = meant
    if not shape:  # (most forms: made in one join)
        return b"".join(
            (
                b',"text":',
                dumps(form),
                b',"id":',
                dumps(entry_id),
                b',"ambiguous":true' if ambiguous else b',"ambiguous":false',
                b"" if reading is None else b',"reading":' + dumps(reading),
                b',"children":[]}',
                tail,
            )
        )
    pieces: list = []

    def put(s: int, e: int, t: str, i: str, a: bool, r: str | None, children: tuple, base: int) -> None:
        reading = b"" if r is None else b',"reading":' + dumps(r)
        pieces.extend((HEAD, base + s, END, base + e))
        pieces.append(b',"text":' + dumps(t) + b',"id":' + dumps(i) + b',"ambiguous":' + dumps(a) + reading)
        pieces.append(b',"children":[')
        for n, child in enumerate(children):
            if n:
                pieces.append(b",")
            cs, ce, ct, ci, ca, cr, cc = child
            put(cs, ce, ct, ci, ca, cr, cc, base + s)
        pieces.append(b"]}")

    put(0, len(form), form, entry_id, ambiguous, reading, shape, 0)
    pieces = [*pieces[4:], tail]  # after HEAD, start, END, end
    fmt = b"".join(b"%d" if type(p) is int else p.replace(b"%", b"%%") for p in pieces)
    return fmt, tuple(p for p in pieces if type(p) is int)


class Spans(Sequence):
    """The top-level spans of a text, as a read-only sequence of `Span` (equal to the tuple of them).

    Kept as columns of numbers (where each match is in the view and in the text, which form it is),
    what each form means (its entry, ambiguity and reading are the same wherever it occurs), and
    the shape of the children of those that have some; a Span is made when one is read (all of
    them, once, when they are iterated). `json` and `met` need none of them. (No tuple per match
    either: tens of thousands of live tuples made each run of the cycle collector cost milliseconds.)"""

    __slots__ = ("_text", "_view", "_at", "_forms", "_meant", "_kids", "_across", "_templates", "_items")

    def __init__(
        self, text: str, view, forms: list[int], at: tuple, across: list[int], meant, kids: dict, templates: dict
    ):
        """`forms`: the form number of each top-level match in the matching `view` of `text`; `at`:
        their starts and ends in the view, then in the text; `across`: those with a removed line
        break inside them (see View.to_original_spans); `meant`: (entry id, ambiguous, reading)
        by form number (see annotate.Resolved); `kids`: the shape of the children of each top that has
        some, by its index; `templates`: the JSON after the end of each form met under these options,
        by the separator between spans (kept by the annotator across calls)."""
        self._text, self._view, self._at, self._forms, self._meant = text, view, at, forms, meant
        self._kids, self._templates = kids, templates
        self._across = across
        self._items: tuple[Span, ...] | None = None

    def __len__(self) -> int:
        return len(self._forms)

    def _make(self, q: int) -> Span:
        s, e, a, b = (column[q] for column in self._at)
        entry_id, ambiguous, reading = self._meant[self._forms[q]]
        shape = self._kids.get(q)
        if shape is None:
            kids: tuple[Span, ...] = ()
        elif a - s == b - e:
            kids = place(shape, s, a - s)
        else:
            kids = place_across(shape, s, self._view, self._text)
        return _new(Span, (a, b, self._text[a:b], entry_id, kids, ambiguous, reading))

    def _all(self) -> tuple[Span, ...]:
        if self._items is None:
            text, kids, meant = self._text, self._kids, self._meant
            self._items = tuple(
                [
                    self._make(q) if q in kids else _new(Span, (a, b, text[a:b], m[0], (), m[1], m[2]))
                    for q, (m, a, b) in enumerate(zip(map(meant.__getitem__, self._forms), *self._at[2:], strict=True))
                ]
            )
        return self._items

    def __iter__(self):
        return iter(self._all())

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice) or self._items is not None:
            return self._all()[index]
        return self._make(range(len(self._forms))[index])

    def __eq__(self, other) -> bool:
        if isinstance(other, Spans | tuple):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(self._all())

    def __reduce__(self):
        return tuple, (self._all(),)  # unpickled as the plain tuple of its spans

    def columns(self) -> tuple[Sequence[int], Sequence[int], list[tuple]]:
        """Each top-level span's start and end in the text, and its (entry id, ambiguous, reading key),
        as three read-only columns, no Span made: for callers that need neither their children nor a
        tuple per span (QA groups a segment's terms by entry)."""
        return self._at[2], self._at[3], list(map(self._meant.__getitem__, self._forms))

    def met(self) -> tuple[set[str], set[str | None]]:
        """The entry ids and reading keys of every span, nested ones too (None among the keys)."""
        meant = list(map(self._meant.__getitem__, set(self._forms)))
        ids, keys = set(map(itemgetter(0), meant)), set(map(itemgetter(2), meant))
        shapes = self._kids.values()
        once = dict(zip(map(id, shapes), shapes, strict=True)).values()  # each form's shape once
        children = list(chain.from_iterable(once))
        while children:  # level by level, in C-level passes (a few thousand forms have children)
            ids.update(map(itemgetter(3), children))
            keys.update(map(itemgetter(5), children))
            children = list(chain.from_iterable(filter(None, map(itemgetter(6), children))))
        return ids, keys

    def json(self, offset: int = 0, join: bytes = b",") -> bytes:
        """What `b"[" + join.join(map(orjson.dumps, span_dicts(spans, offset))) + b"]"` gives, byte for
        byte, with no object per span: each span is its start and end, and the bytes after its end,
        the same for every match of a form (made once per form and options), all put together by
        C-level joins; a form with children has its children's numbers put in at each match (one
        %-format). A span with a line break removed inside it has a template of its own
        text (kept beside its form's)."""
        forms = self._forms
        if not forms:
            return b"[]"
        import orjson

        starts, ends = self._at[2:]
        if offset:
            starts, ends = list(map(add, starts, repeat(offset))), list(map(add, ends, repeat(offset)))
        cache = self._templates.get(join)
        if cache is None or len(cache) > 100_000:  # bounded, whatever a server is sent
            cache = self._templates[join] = {}
        try:
            after = list(map(cache.__getitem__, forms))
        except KeyError:
            self._add_templates(cache, join + HEAD)
            after = list(map(cache.__getitem__, forms))
        across = self._across
        if self._kids:  # one %-format for them all, split again at NULs (JSON has none unescaped)
            placed = list(self._kids)  # in order
            chosen = list(map(after.__getitem__, placed))
            for q in across:  # a line break removed inside: its children's places are not the form's
                if q in self._kids:
                    chosen[bisect_left(placed, q)] = self._across_template(q, cache, join + HEAD)
            offsets = list(map(itemgetter(1), chosen))
            at = chain.from_iterable(map(repeat, map(starts.__getitem__, placed), map(len, offsets)))
            numbers = tuple(map(add, at, chain.from_iterable(offsets)))
            written = (b"\0".join(map(itemgetter(0), chosen)) % numbers).split(b"\0")
            deque(map(after.__setitem__, placed, written), maxlen=0)  # after[q] = written[n], in C
        kids, text, view_starts, view_ends, text_starts, text_ends = self._kids, self._text, *self._at
        for q in across:  # a line break removed inside: the text is not the form's
            if q not in kids:
                key = (forms[q], text[text_starts[q] : text_ends[q]])
                retexted = cache.get(key)
                if retexted is None:
                    form_text = self._view.text[view_starts[q] : view_ends[q]]
                    retexted = cache[key] = retext(after[q], form_text, key[1])
                after[q] = retexted
        pieces: list[bytes] = [END] * (4 * len(forms))
        pieces[0::4] = orjson.dumps(starts)[1:-1].split(b",")
        pieces[2::4] = orjson.dumps(ends)[1:-1].split(b",")
        pieces[3::4] = after
        pieces[0] = b"[" + HEAD + pieces[0]
        pieces[-1] = pieces[-1][: -len(join + HEAD)] + b"]"
        return b"".join(pieces)

    def _add_templates(self, cache: dict, tail: bytes) -> None:
        """The JSON after the end of each form met that `cache` does not have yet."""
        forms, kids = self._forms, self._kids
        first = dict(zip(reversed(forms), range(len(forms) - 1, -1, -1), strict=True))
        view_starts, view_ends = self._at[:2]
        for form, q in first.items():
            if form not in cache:
                text = self._view.text[view_starts[q] : view_ends[q]]
                cache[form] = template(text, self._meant[form], kids.get(q, ()), tail)

    def _across_template(self, q: int, cache: dict, tail: bytes) -> tuple[bytes, tuple[int, ...]]:
        """The template (see `template`) of a match with children and a line break removed inside it,
        for its own text: the same wherever that text recurs (坚持“五位一体”总体布局)."""
        form, start, end = self._forms[q], self._at[2][q], self._at[3][q]
        key = (form, self._text[start:end])
        found = cache.get(key)
        if found is None:
            span = self._make(q)
            found = cache[key] = template(span.text, self._meant[form], relative(span.children, start), tail)
        return found  # type: ignore[return-value]


def relative(children: tuple[Span, ...], base: int) -> tuple:
    """Placed children as a shape again (see Annotator.shape): places relative to their parent's."""
    return tuple(
        (c.start - base, c.end - base, c.text, c.id, c.ambiguous, c.reading, relative(c.children, c.start))
        for c in children
    )


def retext(after: bytes, form: str, text: str) -> bytes:
    """The bytes after the end of a childless span (see `template`), with `text` instead of its form."""
    import orjson

    return b',"text":' + orjson.dumps(text) + after[8 + len(orjson.dumps(form)) :]
