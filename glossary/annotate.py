"""The matcher: surface forms → Aho-Corasick → overlaps → word boundaries → spans.

The text is scanned as given (after removing PDF line breaks between Han characters, with a map
back), so every span points into the user's own text whatever its script. Longest match wins from
the left; shorter terms inside it become its children; a match that cuts across the words of its
sentence is dropped (see segment.py).
"""

from __future__ import annotations

import gc
import os
from array import array
from collections.abc import Sequence
from functools import cached_property, wraps
from itertools import chain, compress, count, repeat
from operator import is_, itemgetter, ne, sub
from typing import NamedTuple

from glossary.chinese import matching_view, with_its_quotes
from glossary.segment import CHECKED_LENGTH, WINDOW
from glossary.spans import Span, Spans, span_dicts


def collector_paused(work):
    """Run `work` with Python's cycle collector off. Annotating a long text makes tens of thousands
    of tuples and dicts that all live on, so the collector ran again and again over them (and over
    the annotator's own data) to free nothing: a quarter of the time (see bench/bench_annotate.py).
    They form no cycles; the collector is on again (if it was on) as soon as the work is done."""

    @wraps(work)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return work(*args, **kwargs)
        gc.disable()
        try:
            return work(*args, **kwargs)
        finally:
            gc.enable()

    return paused


# A raw match: (start, end, form number); see Annotator.matches. What the form means under the
# options, (entry id, ambiguous, reading key or None), is looked up by its number in a Resolved.
Match = tuple[int, int, int]
Resolved = list | dict  # by form number: (entry id, ambiguous, reading key or None), or None: left out


class Annotation(NamedTuple):
    """The spans of a text, with the cards of the entries they name (and of the forms that read
    otherwise than their headword): what every output needs, fetched once for the terms found."""

    text: str
    spans: Sequence[Span]  # a Spans, or any sequence of Span
    entries: dict[str, dict]
    readings: dict[str, dict] = {}

    def met(self) -> tuple[set[str], set[str]]:
        """The entry ids and reading keys of every span, nested ones too."""
        if isinstance(self.spans, Spans):
            ids, keys = self.spans.met()
        else:
            ids, keys = set(), set()
            level = tuple(self.spans)
            while level:  # level by level: most spans have no children
                ids.update([s[3] for s in level])
                keys.update([s[6] for s in level])
                level = tuple([child for s in level if s[4] for child in s[4]])
        keys.discard(None)
        return ids, keys  # type: ignore[return-value]

    def card(self, span: Span) -> dict:
        """What to show for a span: its entry's card, read as the form on the page."""
        return self.card_of(span.id, span.reading)

    def card_of(self, entry_id: str, reading: str | None = None) -> dict:
        card = self.entries[entry_id]
        return {**card, **self.readings[reading]} if reading else card

    def span_dict(self, span: Span) -> dict:
        return self.span_dicts((span,))[0]

    @staticmethod
    def span_dicts(spans, offset: int = 0) -> list[dict]:
        """The JSON shape of spans (see spans.span_dicts)."""
        return span_dicts(spans, offset)

    @collector_paused
    def to_dict(self) -> dict:
        return {"entries": self.entries, "readings": self.readings, "spans": self.span_dicts(self.spans)}

    def json_dict(self) -> dict:
        """to_dict() for orjson without indent: the same bytes, its spans one JSON fragment put
        together in bulk (see spans.Spans.json) instead of a dict per span."""
        import orjson

        return {"entries": self.entries, "readings": self.readings, "spans": orjson.Fragment(self.spans_json())}

    @collector_paused
    def spans_json(self, offset: int = 0, join: bytes = b",") -> bytes:
        """The JSON array of the spans (`offset` added to every position, `join` between top-level
        spans): what orjson gives for span_dicts, byte for byte."""
        if isinstance(self.spans, Spans):
            return self.spans.json(offset, join)
        import orjson

        return b"[" + join.join(map(orjson.dumps, span_dicts(self.spans, offset))) + b"]"

    def terms(self) -> list[dict]:
        """The document's term list (the one every output shows) in order of first appearance, with
        counts (nested ones too) and the forms `seen` other than the headword; a form that reads
        otherwise than its headword (文心一言 under 文心大模型) is a row of its own."""
        rows: dict[str, dict] = {}
        for top in self.spans:
            for span in top.walk():
                row = rows.setdefault(
                    span.reading or span.id,
                    {**self.card(span), "count": 0, "nested": 0, "first": span.start, "ambiguous": False, "seen": []},
                )
                row["count"] += 1
                row["nested"] += span is not top
                row["ambiguous"] = row["ambiguous"] or span.ambiguous  # as met in this text
                row["first"] = min(row["first"], span.start)
                if span.text != row["zh"] and span.text not in row["seen"]:
                    row["seen"].append(span.text)
        return sorted(rows.values(), key=lambda row: row["first"])


def entry_card(summary: dict, quote: dict | None = None) -> dict:
    """What an annotation says of one entry: enough for a tooltip and a term list."""
    return {
        "id": summary["id"],
        "zh": summary["zh"],
        "zh_hant": summary["zh_hant"],
        "pinyin": summary["pinyin"],
        "pinyin_numbered": summary["pinyin_numbered"],
        "en": summary["en"],
        "kind": summary["kind"],
        "region": summary.get("region"),
        "ambiguous": bool(summary["ambiguous"]),
        "ordinary": summary["ambiguous"],
        "zh_attested": summary["zh_attested"],
        "quote": quote,
    }


CHUNK = 50_000  # characters annotated at a time in a long document (see chunks)
SENTENCE_ENDS = "。！？"  # no surface form contains one, so no term straddles a cut just after it


def chunks(text: str, size: int | None = None):
    """(offset, piece) of consecutive pieces of at most about `size` characters, each cut just after
    a sentence end, so that a long document is annotated (and written out) piece by piece in bounded
    memory with the same spans as in one pass. Where the last half of a piece has no sentence end, the
    piece runs on to the next one; only a text with none over twice `size` is cut where it stands."""
    size = size or CHUNK
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind(mark, start + size // 2, end) for mark in SENTENCE_ENDS)
            if cut < 0:
                ahead = [i for i in (text.find(mark, end, start + 2 * size) for mark in SENTENCE_ENDS) if i >= 0]
                cut = min(ahead) if ahead else end - 1
            end = cut + 1
        yield start, text[start:end]
        start = end


SPECIFIC, AMBIGUOUS, ORDINARY = 0, 1, 2  # how a form reads: a term, also an ordinary word, mostly one
REGIONS_BY_MARKERS = {
    "tw": ("臺灣", "台灣", "行政院", "立法院", "國科會", "縣市"),
    "hk": ("香港", "特區", "立法會", "港府", "律政司"),
}


def text_region(text: str, traditional: frozenset[str]) -> str:
    """The region a text's usage points to, when the user does not say: traditional script (characters
    OpenCC would simplify, listed at build time) with Taiwan or Hong Kong markers, else the mainland.
    Decides between entries sharing a form (Taiwan's 教育部 and the PRC's)."""
    sample = text[:4000]
    if len(list(filter(traditional.__contains__, sample))) < max(3, len(sample) // 100):
        return "prc"
    counts = {region: sum(sample.count(m) for m in markers) for region, markers in REGIONS_BY_MARKERS.items()}
    return "hk" if counts["hk"] > counts["tw"] else "tw"


AUTOMATON_BLOB = "annotator_automaton"  # the long-text automaton as the build stores it


def charwise_automaton(forms: list[str]):
    """The long-text automaton over `forms` (numbered as listed): daachorse's character-wise
    double-array Aho-Corasick (see Annotator._charwise)."""
    import daachorse

    return daachorse.CharwiseDoubleArrayAhoCorasick(forms)


def _engine() -> str:
    """Which build of daachorse is installed (its extension's size and time): a serialized
    automaton is read back only by the build that wrote it."""
    import daachorse

    engine = os.stat(getattr(daachorse, "daachorse", daachorse).__file__ or "")  # (the extension itself)
    return f"{engine.st_size}-{engine.st_mtime_ns}"


def automaton_blob(forms: list[str], base: bytes) -> tuple[str, bytes]:
    """(token, blob) of the long-text automaton over the forms of a stored form index (`base`, whose
    forms are `forms` in number order), for the build to store: a long document's first annotation
    in a process then reads it instead of building it (≈ 20–30 ms with the blob read, against 100–300 ms
    to list the forms and build it at 9,189 entries, measured under load).
    The token names the base and daachorse's build; the blob starts with it."""
    token = f"{base_digest(base)}:{_engine()}"
    return token, token.encode() + b"\n" + charwise_automaton(forms).serialize()


def base_digest(base: bytes) -> str:
    """Names a stored form index (a checksum: it tells one build's base from another's)."""
    import zlib

    return f"{len(base)}-{zlib.crc32(base):08x}"


def stored_automaton(token: str, read_blob):
    """The automaton stored with `token` (see automaton_blob), or None when there is none, another
    build of daachorse wrote it, or the blob `read_blob()` gives is of other forms."""
    if token.partition(":")[2] != _engine():
        return None
    blob = read_blob()
    head = token.encode() + b"\n"
    if not blob or not blob.startswith(head):
        return None
    import daachorse

    try:
        return daachorse.CharwiseDoubleArrayAhoCorasick.deserialize(blob[len(head) :])
    except ValueError:  # (daachorse checks what it reads)
        return None


class Annotator:
    """Built once per database version from the stored forms (glossary.formindex). It finds spans;
    the cards of the entries found are fetched by the caller (Glossary.annotate), so a cold start
    loads only what scanning needs, whatever the size of the glossary."""

    def __init__(
        self, forms, lexicon=None, reading_keys=frozenset(), traditional: str = "", reading_ids=None, stored=None
    ):
        """`forms`: a FormIndex, each form numbered; `candidates[number]` is that form's
        [[entry id, how it reads (SPECIFIC …), region or None], …]. A form that two regions' entries
        share (Taiwan's 教育部 and the PRC's) has both; the text's region picks. `reading_keys`:
        "<id>|<form>" of the forms that read otherwise than their headword; `reading_ids`, their ids
        (worked out from the keys when not given). `stored`: (token, a function giving the stored
        blob) of the long-text automaton the build made for these forms (see stored_automaton)."""
        self._stored = stored
        self.forms = forms
        self.candidates = forms.candidates  # decoded as forms are met (see formindex.Candidates)
        self.lexicon = lexicon
        self.reading_keys = frozenset(reading_keys)
        if reading_ids is None:
            reading_ids = (key.split("|", 1)[0] for key in self.reading_keys)
        self.reading_ids = frozenset(reading_ids)
        self.traditional = frozenset(traditional)
        # Short texts are scanned with the forms' trie until a process has scanned about as much
        # text as building the automaton costs (see scan).
        self._trie_chars = 0
        self._switch_after = max(self.LONG_TEXT, int(len(forms) * self.SWITCH_FACTOR))
        self._tables: dict[tuple[int, str], tuple[list, list]] = {}  # see _resolved
        self._met: dict[tuple[int, str], dict] = {}  # the same for the forms met in short texts
        self.cards: dict[str, dict] = {}  # filled by Glossary.annotate as entries are met
        self.readings: dict[str, dict] = {}

    @staticmethod
    def build_automaton(forms: list[str]):
        """A pyahocorasick automaton over `forms`, each form's value its index (corpus.py's search)."""
        import ahocorasick

        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for i, form in enumerate(forms):
            automaton.add_word(form, i)
        if forms:
            automaton.make_automaton()
        return automaton

    @staticmethod
    def _pick(candidates, region: str) -> tuple[str, int]:
        """The entry for the text's region, else the one that belongs to no region, else the PRC's."""
        rank = {region: 0, None: 1, "prc": 2}
        return min(candidates, key=lambda c: rank.get(c[2], 3))[:2]

    def matches(
        self,
        view_text: str,
        ambiguous: bool = True,
        ordinary: bool = False,
        region: str = "prc",
        allowed: frozenset[str] | None = None,
        min_length: int = 0,
    ) -> tuple[list[Match], Resolved]:
        """Every raw match as (start, end, form number), sorted leftmost-longest first, and what each
        form means under these options (see Resolved; made once per form and options, so that a match
        needs no look-up of its own). `allowed`: the only entries to tag (glossary.filters),
        `min_length`: the shortest form to tag; both applied here, before overlaps are resolved, so a
        term left out hides none inside it. The region still decides what a shared form means (a
        filter leaves out; it never re-reads)."""
        if not self.candidates:
            return [], []
        most = ORDINARY if ordinary else AMBIGUOUS if ambiguous else SPECIFIC
        if len(view_text) >= self.LONG_TEXT:
            raw = self._charwise.find_overlapping(view_text)
            table, kept = self._resolved(most, region)
            flags = list(map(kept.__getitem__, map(itemgetter(2), raw)))
            if None in flags:  # forms this process meets for the first time under these options
                self._resolve_met(raw, flags, view_text, most, region)
                flags = list(map(kept.__getitem__, map(itemgetter(2), raw)))
            # reported in order of their end: reversed, a stable sort by start alone puts the longest
            # first at each start, in C (no key tuple per match), as the filter before it
            if allowed is None and min_length <= 1:
                found = list(compress(reversed(raw), reversed(flags)))
            else:
                found = [
                    m
                    for m in reversed(raw)
                    if (t := table[m[2]]) is not None
                    and (allowed is None or t[0] in allowed)
                    and m[1] - m[0] >= min_length
                ]
            found.sort(key=itemgetter(0))
            return found, table
        met = self._met.get((most, region))
        if met is None or len(met) > 100_000:  # bounded: a new table (spans made from the old keep it)
            met = self._met[(most, region)] = {}
        found = []
        for start, end, index in self.scan(view_text):
            meant = met.get(index, met)
            if meant is met:
                meant = met[index] = self._meaning(index, view_text[start:end], most, region)
            if meant is not None and (allowed is None or meant[0] in allowed) and end - start >= min_length:
                found.append((start, end, index))
        found.sort(key=lambda m: (m[0], -m[1]))
        return found, met

    def _meaning(self, number: int, form: str, most: int, region: str) -> tuple | None:
        """What a form means under these options (see Resolved)."""
        choices = self.candidates[number]
        entry_id, reads = choices[0][:2] if len(choices) == 1 else self._pick(choices, region)
        return (entry_id, reads != SPECIFIC, self._reading(entry_id, form)) if reads <= most else None

    def _resolved(self, most: int, region: str) -> tuple[list, list[bool | None]]:
        """Each form's meaning under these options (see Resolved) and whether it is tagged at all, by
        form number, for long texts; None in both for a form not met yet under these options (see
        _resolve_met): a one-off run over a long document meets a fraction of the forms, and decoding
        and resolving them all cost it ≈ 65 ms at 9,189 entries."""
        key = (most, region)
        tables = self._tables.get(key)
        if tables is None:
            size = len(self.candidates)
            tables = self._tables[key] = ([None] * size, [None] * size)
        return tables

    def _resolve_met(self, raw: list, flags: list, view_text: str, most: int, region: str) -> None:
        """Resolve the forms of the matches whose flag is None (see _resolved), each once."""
        table, kept = self._tables[(most, region)]
        new = {m[2]: m for m in compress(raw, map(is_, flags, repeat(None)))}  # one match of each
        self.candidates.decode(list(new))  # their candidates decoded in one call, for _meaning to read
        for number, (start, end, _) in new.items():
            meant = table[number] = self._meaning(number, view_text[start:end], most, region)
            kept[number] = meant is not None

    @cached_property
    def _charwise(self):
        """The automaton for long texts (daachorse, a double-array Aho-Corasick over characters): it
        finds every overlapping match in a third less time than ahocorasick_rs and builds in half the
        time (≈ 40 ms for 20,000 forms; bench/bench_annotate.py). The build stores it serialized
        (see automaton_blob), read back in tens of milliseconds; else it is built once per process. A
        form's candidates are decoded as the form is met (see _resolved)."""
        automaton = stored_automaton(*self._stored) if self._stored else None
        if automaton is None:  # (the forms ≈ 30 ms for 20,000, the automaton ≈ 40 ms more: made once)
            automaton = charwise_automaton(self.forms.forms())
        return automaton

    def automaton_built(self) -> bool:
        return "_charwise" in vars(self)

    LONG_TEXT = 20_000  # characters: past this a document is scanned by the Rust automaton
    # Characters of short texts scanned with the trie, per form of the glossary, before a process
    # builds the automaton for them too: the trie costs ≈ 2 µs a character (this machine, loaded) and
    # needs no building, the automaton ≈ 3.5 µs a form to build and a fraction of that to scan;
    # switching when the two costs meet keeps a stream of short texts within about twice the best.
    SWITCH_FACTOR = 2.0

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence of every form as (start, end, form number). A short text (a paste, a
        cold start) is scanned with the forms' trie, which is ready as loaded; a long one, or any
        once a process has scanned enough with the trie, by the automaton (_charwise), built once
        per process. Both report every overlapping occurrence, so spans are equal."""
        if len(text) < self.LONG_TEXT and not self.automaton_built() and self._trie_chars < self._switch_after:
            self._trie_chars += len(text)
            return self.forms.matches(text)
        return self._charwise.find_overlapping(text)

    @collector_paused
    def annotate(
        self,
        text: str,
        *,
        ambiguous: bool = True,
        boundaries: bool = True,
        ordinary: bool = False,
        region: str | None = None,
        allowed: frozenset[str] | None = None,
        min_length: int = 0,
    ) -> Annotation:
        """Spans of every term in `text`. `ambiguous`: also forms that are ordinary words too (浪潮);
        `ordinary`: also those whose ordinary sense dominates (单位); `region`: prc, tw, hk or mo, else
        guessed from the text; `allowed`, `min_length`: see matches."""
        view = matching_view(text)
        vt = view.text
        region = region or text_region(text, self.traditional)
        found, table = self.matches(vt, ambiguous, ordinary, region, allowed, min_length)
        lexicon = self.lexicon if boundaries else None
        found, firsts = judged_in_sentence(found, vt, lexicon)
        cached = self._cached_for((ambiguous, ordinary, region, allowed, min_length, lexicon is not None))
        return Annotation(text, self._spans(found, firsts, table, text, view, cached, lexicon), {})

    def _spans(self, found: list, firsts: list[int], table: Resolved, text: str, view, cached: tuple, lexicon) -> Spans:
        """The leftmost-longest matches as top-level spans, each with the matches inside it as its
        children (see shape). Most matches contain none, and those that do are a few forms met again and
        again, so a form's children are worked out once (per options) and placed at each occurrence,
        when the spans are read (see spans.Spans)."""
        vt = view.text
        shapes, templates = cached
        # the tops (firsts: their indexes in found) as columns of new ints, in one pass over the matches:
        # the automaton's ints lie scattered among its tuples, and each later pass over them (mapping
        # them to the text, hashing the forms) waited on memory; new ones lie in order
        columns = array("q", chain.from_iterable(map(found.__getitem__, firsts)))
        at = columns[0::3].tolist(), columns[1::3].tolist()  # in the view
        if self.automaton_built():  # a long text (or many): see _form_numbers
            forms = list(map(self._form_numbers.__getitem__, columns[2::3]))
        else:
            forms = columns[2::3].tolist()
        firsts.append(len(found))
        # the tops that other matches start inside (they contain some of them), and their forms' shapes
        inside = list(compress(count(), map(ne, map(sub, firsts[1:], firsts), repeat(1))))  # (no new int: mostly 1)
        got = list(map(shapes.get, map(forms.__getitem__, inside)))
        for n in list(compress(count(), map(is_, got, repeat(None)))):  # forms not met before
            q = inside[n]
            k = firsts[q]
            s, e, number = found[k]
            shape = shapes.get(number)
            if shape is None:
                eid = table[number][0]
                inner = [
                    (m[0] - s, m[1] - s, *meant[:2])
                    for m in found[k + 1 : firsts[q + 1]]
                    if m[1] <= e and (meant := table[m[2]])[0] != eid
                ]
                shape = shapes[number] = self.shape(vt[s:e], inner, lexicon)
            got[n] = shape
        kids = dict(compress(zip(inside, got, strict=True), got))  # those with children
        starts, ends, across = view.to_original_spans(*at)
        for q in across:  # (a quotation mark inside: see with_its_quotes)
            starts[q], ends[q] = with_its_quotes(text, starts[q], ends[q])
        return Spans(text, view, forms, (*at, starts, ends), across, table, kids, templates)

    @cached_property
    def _form_numbers(self) -> list[int]:
        """Every form number as one int object. The automaton makes an int for each match, scattered
        over the heap among its tuples; the spans' forms mapped to these instead share a few thousand,
        so that the passes that hash them (the entries met, the JSON's look-ups) stay in the CPU's
        cache: at 100,000 entries (126,660 spans) that saved more than it costs."""
        return list(range(len(self.candidates)))

    def _reading(self, entry_id: str, form: str) -> str | None:
        """The reading key of a form met, when it reads otherwise than its entry's headword."""
        if entry_id not in self.reading_ids:
            return None
        key = f"{entry_id}|{form}"  # (an id is a slug: no "|" in it)
        return key if key in self.reading_keys else None

    def shape(self, form: str, inner: list[tuple[int, int, str, bool]], lexicon) -> tuple:
        """The children of a match of `form`, from the matches `inner` to it (offsets into the form,
        sorted, its own entry left out): leftmost-longest, each with its own children, as (start, end,
        text, id, ambiguous, reading, children) relative to their parent. A match that splits a word of the
        parent term is dropped first (用人 splits 通用|人工智能, 北大 splits 北大荒), so it cannot hide
        a real term beside it."""
        if lexicon is not None:
            inner = [m for m in inner if lexicon.part_of(form, m[0], m[1])]
        shape = []
        i, n = 0, len(inner)
        while i < n:
            s, e, eid, amb = inner[i]
            j = i = i + 1
            while j < n and inner[j][0] < e:  # the matches that start inside this one
                j += 1
            below = [(a - s, b - s, c, d) for a, b, c, d in inner[i:j] if b <= e and c != eid]
            i = j
            reading = f"{eid}|{form[s:e]}" if eid in self.reading_ids else None
            reading = reading if reading in self.reading_keys else None
            shape.append((s, e, form[s:e], eid, amb, reading, self.shape(form[s:e], below, lexicon) if below else ()))
        return tuple(shape)

    @cached_property
    def _per_options(self) -> dict[tuple, tuple[dict, dict]]:
        return {}

    def _cached_for(self, options: tuple) -> tuple[dict, dict]:
        """The children of each form met so far (see shape), and its JSON (see spans.template), by form number,
        per options (they decide which matches count)."""
        cached = self._per_options.get(options)
        if cached is None:
            if len(self._per_options) >= 16:  # bounded, whatever filters a server's clients send
                self._per_options.clear()
            cached = self._per_options[options] = ({}, {})
        return cached


def judged_in_sentence(found: list[Match], vt: str, lexicon) -> tuple[list[Match], list[int]]:
    """Drop the outermost matches that split a word of the sentence (none without a `lexicon`); a
    match inside a longer one is judged in that one's text instead (高考 in 新高考, see
    Annotator.shape), unless the longer one goes. Also gives the index of each top-level match among
    those kept: a match that starts inside the one before is not a top-level one.

    One pass in order (by start, longest first): a match is outermost when no match kept before it
    reaches its end, since whatever contains it comes before it. (The same as judging the outermost,
    dropping, and judging again until nothing changes, without the passes.)"""
    splits = lexicon.splits_word if lexicon is not None else None
    # the verdicts splits_word remembers by the characters around a match, read here first: a call
    # per outermost match cost a third of this pass
    memos = lexicon.remembered_verdicts() if lexicon is not None else []
    kept: list[Match] = []
    tops: list[int] = []
    keep, top, reach, top_reach = kept.append, tops.append, -1, -1
    for m in found:
        s, e, _ = m
        if e > reach:
            if splits is not None and e - s <= CHECKED_LENGTH:
                verdict = memos[e - s].get(vt[s - WINDOW : e + WINDOW]) if s >= WINDOW else None
                if verdict is None:
                    verdict = splits(vt, s, e)
                if verdict:
                    continue
            reach = e
        if s >= top_reach:
            top(len(kept))
            top_reach = e
        keep(m)
    return kept, tops
