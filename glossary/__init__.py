"""A bilingual glossary of Chinese policy terms and an annotator built on it.

    >>> from glossary import Glossary
    >>> with Glossary.open("terms.sqlite") as g:     # builds it from the curated YAML if needed
    ...     g.annotate("坚持新型举国体制").to_dict()["spans"][0]["en"]

Importing this package loads nothing heavy; the store, automaton and lexicon load on first use.
"""

from __future__ import annotations

from functools import partial
from itertools import filterfalse
from pathlib import Path
from threading import Lock

__all__ = ["Glossary"]
__version__ = "0.1.0"

_annotators: dict[str, object] = {}
_allowed: dict[tuple, frozenset[str]] = {}
_per_version: dict[tuple[str, str], object] = {}
_lock = Lock()


class Glossary:
    """The library's front door: one built database, its annotator, its queries."""

    def __init__(self, store):
        self.store = store

    @classmethod
    def open(cls, path: str | Path = "terms.sqlite", *, build: bool = True) -> Glossary:
        """Open a database, first building it when it is missing or older than its sources."""
        from glossary.build import ensure_built
        from glossary.store import Store

        if build:
            ensure_built(path)
        return cls(Store(path))

    def close(self) -> None:
        """Close the database connection (it reopens on the next query)."""
        self.store.close()

    def __enter__(self) -> Glossary:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def annotator(self):
        """The annotator of this database version, built once per process and shared."""
        from glossary.annotate import AUTOMATON_BLOB, Annotator
        from glossary.segment import Lexicon

        key = self.store.version
        annotator = _annotators.get(key)
        if annotator is None:
            with _lock:
                annotator = _annotators.get(key)
                if annotator is None:
                    data = self.store.annotator_data()
                    token = data.get("automaton")
                    annotator = Annotator(
                        data["forms"],
                        Lexicon.load(self.store),
                        data["reading_keys"],
                        data["traditional"],
                        data["reading_ids"],
                        (token, partial(_stored_blob, self.store.path, AUTOMATON_BLOB)) if token else None,
                    )
                    same_file = f"{self.store.path.resolve()}:"  # an edited database's older versions go
                    for stale in [k for k in _annotators if k.startswith(same_file)]:
                        del _annotators[stale]
                    _annotators[key] = annotator
        return annotator

    def annotate(
        self,
        text: str,
        *,
        ambiguous: bool = True,
        boundaries: bool = True,
        ordinary: bool = False,
        region: str | None = None,
        entry_filter=None,
        cards: bool = True,
    ):
        """The spans of every term in `text` with the cards of the entries found (see Annotator).
        `entry_filter`: a glossary.filters.EntryFilter, the entries that may be tagged. `cards=False`:
        the spans alone (the Annotation's entries and readings left empty)."""
        annotator = self.annotator()
        annotation = annotator.annotate(
            text,
            ambiguous=ambiguous,
            boundaries=boundaries,
            ordinary=ordinary,
            region=region,
            allowed=self.allowed(entry_filter),
            min_length=entry_filter.min_length if entry_filter else 0,
        )
        if not cards:
            return annotation
        ids, keys = annotation.met()
        return annotation._replace(
            entries=self._cached(annotator.cards, ids, self.store.cards),
            readings=self._cached(annotator.readings, keys, self.store.readings),
        )

    def allowed(self, entry_filter) -> frozenset[str] | None:
        """The ids a filter allows (None: all), computed once per process, database version and
        filter: a server or batch run with the same filter queries the database once."""
        if entry_filter is None or not entry_filter.by_entry():
            return None
        key = (self.store.version, entry_filter)
        found = _allowed.get(key)
        if found is None:
            found = self.store.filtered_ids(entry_filter)
            with _lock:
                if len(_allowed) >= 64:  # bounded, whatever filters clients send
                    _allowed.clear()
                _allowed[key] = found
        return found

    @staticmethod
    def _cached(cache: dict, wanted: set[str], fetch) -> dict:
        """Cards fetched once per process and database version (they never change within one), in
        sorted order; a long-running server or a batch run reads each entry's card once."""
        missing = list(filterfalse(cache.__contains__, wanted))  # (C-level passes: thousands at 100,000 entries)
        if missing:
            cache.update(fetch(missing))
        found = sorted(filter(cache.__contains__, wanted))
        return dict(zip(found, map(cache.__getitem__, found), strict=True))

    def per_version(self, name: str, compute):
        """`compute(self)`, once per process and database version: what does not change between two
        requests of a server (the sources table, the tag list) is not queried for each of them."""
        key = (self.store.version, name)
        value = _per_version.get(key, _per_version)  # the dict itself: "not computed yet"
        if value is _per_version:
            value = compute(self)
            with _lock:
                if len(_per_version) >= 64:  # a few names, kept for the current database versions
                    _per_version.clear()
                _per_version[key] = value
        return value

    def sources_by_id(self) -> dict:
        """Every source by id (a server's tooltips name them on each annotation)."""
        return self.per_version("sources", lambda g: {s.id: s for s in g.store.sources()})

    def annotate_chunks(self, text: str, *, cards: bool = True, **options):
        """(offset, Annotation) of a long text piece by piece (see annotate.chunks), in bounded memory.
        The region is decided once for the whole text, as one annotate() would. `cards=False`: the
        pieces without their cards (`entries` and `readings` empty), for a writer that takes their
        JSON at the end from cards_json()."""
        from glossary.annotate import chunks, text_region

        if options.get("region") is None:
            options["region"] = text_region(text, self.annotator().traditional)
        for offset, piece in chunks(text):
            yield offset, self.annotate(piece, cards=cards, **options)

    def cards_json(self, ids, keys) -> tuple[bytes, bytes]:
        """The JSON of to_dict()'s "entries" and "readings" for these entry ids and reading keys, as
        stored (Store.json_object): the same bytes as orjson gives for the cards, without parsing
        each card to write it out again."""
        return self.store.json_object("cards", "id", ids), self.store.json_object("readings", "key", keys)

    def get(self, entry_id: str):
        return self.store.get(entry_id)

    def lookup(self, term: str):
        """An entry by id or by any of its surface forms."""
        return self.store.get(term) or self.store.lookup(term)

    def search(self, q: str, limit: int = 50) -> list[dict]:
        return self.store.search(q, limit)


def _stored_blob(path: Path, name: str) -> bytes | None:
    """A blob of the database (None if it has none), read on its own connection: the annotator that
    asks for it outlives the Glossary that made it."""
    from glossary.store import Store, StoreError

    with Store(path) as store:
        try:
            return store.blob(name)
        except (IndexError, StoreError):
            return None
