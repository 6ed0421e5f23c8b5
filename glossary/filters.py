"""Which entries an annotation may tag: by kind, tag, region, editorial status, form length, and
curated entries versus imported termbases. With 100,000 entries a document ends up mostly tagged;
a reader narrows the glossary to what they care about.

The filter is applied to the raw matches, before overlaps are resolved: a filtered-out long term
(通用人工智能) leaves the terms inside it (人工智能) to be tagged as if it were not in the glossary.
Word boundaries are still judged with every glossary form as a word of the language: a term left
out of the annotation is still a word (北大荒 still keeps 北大 from being tagged inside it).
"""

from __future__ import annotations

from typing import NamedTuple

EDITORIAL_STATUSES = ("draft", "checked", "approved")
NO_REGION = "none"  # in a region filter: the entries that belong to no region (most of them)
IMPORTED_MARK = "curator: imported from "  # the authority formats/termbase.py gives an imported term


class FilterError(ValueError):
    """A filter value that is not one the glossary knows: a one-line message for the user."""


class EntryFilter(NamedTuple):
    """Empty fields do not filter. Within a field any value matches (kind term or slogan); fields
    combine with AND (a term AND tagged ai). `min_length`: characters of the form met in the text."""

    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    curated_only: bool = False
    min_length: int = 0

    def by_entry(self) -> bool:
        """Whether the filter needs the set of entries it allows (min_length alone does not)."""
        return bool(self.kinds or self.tags or self.regions or self.statuses or self.curated_only)

    def __bool__(self) -> bool:
        return self.by_entry() or self.min_length > 1


def values(raw) -> tuple[str, ...]:
    """'term,slogan', ['term', 'slogan'] or ('term,slogan', 'person') as a sorted tuple of names."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    names = {part.strip() for item in raw for part in str(item).split(",") if part.strip()}
    return tuple(sorted(names))


def make(
    kinds=None, tags=None, regions=None, statuses=None, curated_only: bool = False, min_length: int | None = None
) -> EntryFilter:
    """A checked filter from what a user typed (comma lists or lists); FilterError names a bad value."""
    from glossary.model import KINDS, REGIONS

    checked: dict[str, tuple[str, ...]] = {}
    for name, raw, allowed in (
        ("kind", kinds, KINDS),
        ("region", regions, (*REGIONS, NO_REGION)),
        ("status", statuses, EDITORIAL_STATUSES),
    ):
        found = values(raw)
        wrong = [v for v in found if v not in allowed]
        if wrong:
            raise FilterError(f"unknown {name} {wrong[0]!r}; choose from {', '.join(allowed)}")
        checked[name] = found
    if min_length is not None and not 0 <= min_length <= 100:
        raise FilterError("the minimum length must be between 0 and 100 characters")
    return EntryFilter(
        checked["kind"], values(tags), checked["region"], checked["status"], bool(curated_only), min_length or 0
    )


OPTION_NAMES = ("kind", "tag", "entry_region", "status", "min_length", "curated_only")


def from_options(options: dict, form: bool = False) -> EntryFilter:
    """A filter from the API's JSON body or (`form`) a form's fields, by the names in OPTION_NAMES: a
    name or a comma list or a list of names for kind, tag, entry_region and status; a whole number for
    min_length; true/false for curated_only (in a form, digits and a checkbox's "on")."""
    for name in ("kind", "tag", "entry_region", "status"):
        value = options.get(name)
        if value is not None and not isinstance(value, str | list | tuple):
            raise FilterError(f"{name} must be a name, a comma-separated list or a list of names")
        if isinstance(value, list | tuple) and not all(isinstance(v, str) for v in value):
            raise FilterError(f"{name} must list names (strings)")
    min_length = options.get("min_length")
    if isinstance(min_length, str) and form:
        if min_length.strip() and not min_length.strip().isdigit():
            raise FilterError("min_length must be a whole number of characters")
        min_length = int(min_length) if min_length.strip() else None
    if min_length is not None and (isinstance(min_length, bool) or not isinstance(min_length, int)):
        raise FilterError("min_length must be a whole number of characters")
    curated = options.get("curated_only", False)
    if isinstance(curated, str) and form:
        curated = curated.lower() in ("on", "true", "1", "yes")
    if not isinstance(curated, bool):
        raise FilterError("curated_only must be true or false")
    return make(
        options.get("kind"),
        options.get("tag"),
        options.get("entry_region"),
        options.get("status"),
        curated,
        min_length,
    )


def as_options(entry_filter: EntryFilter) -> dict:
    """The filter as from_options reads it (what a link or the bookmarklet carries), empty fields left out."""
    out: dict = {
        "kind": list(entry_filter.kinds),
        "tag": list(entry_filter.tags),
        "entry_region": list(entry_filter.regions),
        "status": list(entry_filter.statuses),
        "min_length": entry_filter.min_length,
        "curated_only": entry_filter.curated_only,
    }
    return {k: v for k, v in out.items() if v}
