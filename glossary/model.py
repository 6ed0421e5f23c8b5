"""Records of the glossary (Entry, Rendering, Quote, Source) and the validation of curated YAML.

Curated files are the reviewable truth, so every problem found in them is reported with the file and
line it comes from, and none of them stops the others from being reported.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

KINDS = ("term", "slogan", "person", "organization", "product", "document", "place")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

ENTRY_KEYS = {
    "zh", "zh_hant", "zh_attested", "variants", "pinyin", "kind", "en", "renderings", "notes", "tags",
    "related", "first_attested", "ambiguous", "quotes",
}
QUOTE_KEYS = {"source", "text", "zh", "cites", "locator"}
RENDERING_KEYS = {"en", "source", "note"}
VARIANT_KEYS = {"form", "note"}
SOURCE_KEYS = {"id", "title", "publication", "author", "date", "file", "lines", "url"}


class Record:
    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Variant(Record):
    form: str
    note: str | None = None


@dataclass(frozen=True)
class Rendering(Record):
    en: str
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Quote(Record):
    source: str
    text: str
    zh: str | None = None
    cites: str | None = None
    locator: str | None = None


@dataclass(frozen=True)
class Source(Record):
    id: str
    title: str
    publication: str | None = None
    author: str | None = None
    date: str | None = None
    file: str | None = None
    lines: tuple[int, int] | None = None
    url: str | None = None


@dataclass(frozen=True)
class Entry(Record):
    id: str
    zh: str
    pinyin: str
    kind: str
    en: str
    zh_hant: str | None = None
    zh_attested: bool = True
    variants: tuple[Variant, ...] = ()
    renderings: tuple[Rendering, ...] = ()
    notes: str | None = None
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    first_attested: str | None = None
    ambiguous: str | None = None
    quotes: tuple[Quote, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: dict) -> Entry:
        """Rebuild an entry from `to_dict()` output (the database keeps that JSON)."""
        return cls(
            **{k: v for k, v in data.items() if k not in ("variants", "renderings", "quotes", "tags", "related")},
            variants=tuple(Variant(**v) for v in data.get("variants", ())),
            renderings=tuple(Rendering(**r) for r in data.get("renderings", ())),
            quotes=tuple(Quote(**q) for q in data.get("quotes", ())),
            tags=tuple(data.get("tags", ())),
            related=tuple(data.get("related", ())),
        )


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the curated sources, where it is and what it is."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class CurationError(Exception):
    """Raised when curated sources cannot be built; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0]) if problems else "invalid curated sources"
        more = f" (and {len(problems) - 1} more; run `glossary check`)" if len(problems) > 1 else ""
        super().__init__(first + more)


def _line_index(node, prefix=()) -> dict[tuple, int]:
    """Map each key path of a composed YAML node to its 1-based line, for error messages."""
    import yaml

    lines = {prefix: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines.update(_line_index(value, prefix + (key.value,)))
            lines[prefix + (key.value,)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_index(item, prefix + (i,)))
    return lines


def read_yaml(path: Path, problems: list[Problem]) -> tuple[object, dict[tuple, int]]:
    """Parse one YAML file; a syntax error becomes a Problem with its line, not an exception."""
    import yaml

    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(name, None, "not valid UTF-8"))
        return None, {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problems.append(Problem(name, mark.line + 1 if mark else None, f"malformed YAML: {exc.problem}"))
        return None, {}
    return data, (_line_index(node) if node is not None else {})


def _text(value) -> str | None:
    if value is None:
        return None
    return str(value)


def _clean(value) -> str | None:
    """Strip a scalar; YAML block scalars end with a newline we do not want to store."""
    text = _text(value)
    return text.strip() if text is not None else None


def parse_entry(path: Path, problems: list[Problem], where: dict | None = None) -> Entry | None:
    """Validate one entry file and build its Entry; every problem is appended, None if unusable.

    `where`, when given, receives the line of every key path, for later cross-file messages.
    """
    before = len(problems)
    data, lines = read_yaml(path, problems)
    if where is not None:
        where.update(lines)
    name = str(path)
    entry_id = path.stem
    found: list[Problem] = []

    def problem(message: str, *key):
        found.append(Problem(name, lines.get(key) or lines.get(key[:1]) or lines.get(()), message))

    if len(problems) > before:
        return None
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "an entry file must be a YAML mapping of fields"))
        return None
    if not ID_PATTERN.match(entry_id):
        problem(f"file name {entry_id!r} is not a valid id (lower-case ASCII words joined by '-')")
    for key in data:
        if key not in ENTRY_KEYS:
            problem(f"unknown field {key!r}", key)
    for key in ("zh", "pinyin", "kind", "en"):
        if not _clean(data.get(key)):
            problem(f"missing required field {key!r}", key)
    if data.get("kind") and data["kind"] not in KINDS:
        problem(f"kind {data['kind']!r} is not one of {', '.join(KINDS)}", "kind")
    if "zh_attested" in data and not isinstance(data["zh_attested"], bool):
        problem("zh_attested must be true or false", "zh_attested")

    def seq(key) -> list:
        value = data.get(key) or []
        if not isinstance(value, list):
            problem(f"{key!r} must be a list", key)
            return []
        return value

    variants = []
    for i, item in enumerate(seq("variants")):
        if isinstance(item, str):
            item = {"form": item}
        if not isinstance(item, dict) or not _clean(item.get("form")):
            problem("a variant needs a 'form'", "variants", i)
            continue
        for key in set(item) - VARIANT_KEYS:
            problem(f"unknown variant field {key!r}", "variants", i, key)
        variants.append(Variant(_clean(item["form"]), _clean(item.get("note"))))

    renderings = []
    for i, item in enumerate(seq("renderings")):
        if isinstance(item, str):
            item = {"en": item}
        if not isinstance(item, dict) or not _clean(item.get("en")):
            problem("a rendering needs an 'en'", "renderings", i)
            continue
        for key in set(item) - RENDERING_KEYS:
            problem(f"unknown rendering field {key!r}", "renderings", i, key)
        renderings.append(Rendering(_clean(item["en"]), _clean(item.get("source")), _clean(item.get("note"))))

    quotes = []
    for i, item in enumerate(seq("quotes")):
        if not isinstance(item, dict) or not _clean(item.get("source")) or not _clean(item.get("text")):
            problem("a quote needs a 'source' and a 'text'", "quotes", i)
            continue
        for key in set(item) - QUOTE_KEYS:
            problem(f"unknown quote field {key!r}", "quotes", i, key)
        quotes.append(Quote(
            _clean(item["source"]), _clean(item["text"]), _clean(item.get("zh")), _clean(item.get("cites")),
            _clean(item.get("locator")),
        ))

    tags = tuple(str(t) for t in seq("tags"))
    related = tuple(str(r) for r in seq("related"))
    problems.extend(found)
    if found:
        return None
    return Entry(
        id=entry_id,
        zh=_clean(data["zh"]),
        pinyin=_clean(data["pinyin"]),
        kind=data["kind"],
        en=_clean(data["en"]),
        zh_hant=_clean(data.get("zh_hant")),
        zh_attested=data.get("zh_attested", True),
        variants=tuple(variants),
        renderings=tuple(renderings),
        notes=_text(data.get("notes")),
        tags=tags,
        related=related,
        first_attested=_clean(data.get("first_attested")),
        ambiguous=_clean(data.get("ambiguous")),
        quotes=tuple(quotes),
    )


def parse_sources(path: Path, problems: list[Problem]) -> list[Source]:
    """Validate sources.yaml: a list of documents with unique ids."""
    data, lines = read_yaml(path, problems)
    name = str(path)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(name, 1, "sources.yaml must be a list of sources"))
        return []
    sources, seen = [], set()
    for i, item in enumerate(data):
        line = lines.get((i,))
        if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
            problems.append(Problem(name, line, "a source needs an 'id' and a 'title'"))
            continue
        for key in set(item) - SOURCE_KEYS:
            problems.append(Problem(name, lines.get((i, key), line), f"unknown source field {key!r}"))
        if item["id"] in seen:
            problems.append(Problem(name, line, f"duplicate source id {item['id']!r}"))
        seen.add(item["id"])
        span = item.get("lines")
        well_formed = isinstance(span, list) and len(span) == 2 and all(isinstance(n, int) for n in span)
        if span is not None and not well_formed:
            problems.append(Problem(name, lines.get((i, "lines"), line), "'lines' must be [first, last]"))
            span = None
        sources.append(Source(
            id=str(item["id"]), title=str(item["title"]), publication=_text(item.get("publication")),
            author=_text(item.get("author")), date=_text(item.get("date")), file=_text(item.get("file")),
            lines=tuple(span) if span else None, url=_text(item.get("url")),
        ))
    return sources
