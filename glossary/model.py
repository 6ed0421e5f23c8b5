"""Records of the glossary (Entry, Rendering, Quote, Source) and the validation of curated YAML.

Curated files are the reviewable truth, so every problem found in them is reported with the file and
line it comes from, and none of them stops the others from being reported.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("term", "slogan", "person", "organization", "product", "document", "place")
REGIONS = ("prc", "tw", "hk", "mo")
# TBX's vocabulary; the preferred rendering is the entry's `en`, so a listed rendering is one of the rest.
STATUSES = ("preferred", "admitted", "deprecated", "forbidden")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_MAX_LENGTH = 200  # an id is a file name: well under every file system's 255-byte limit

ENTRY_KEYS = {
    "zh",
    "zh_hant",
    "zh_attested",
    "region",
    "variants",
    "pinyin",
    "kind",
    "en",
    "authority",
    "renderings",
    "notes",
    "tags",
    "related",
    "first_attested",
    "ambiguous",
    "confirmed_readings",
    "quotes",
}
QUOTE_KEYS = {"source", "text", "zh", "cites", "locator"}
RENDERING_KEYS = {"en", "status", "authority", "from", "until", "note"}
VARIANT_KEYS = {"form", "pinyin", "region", "en", "note"}
AMBIGUOUS_KEYS = {"ordinary", "dominant"}
SOURCE_KEYS = {"id", "title", "publication", "author", "date", "file", "lines", "url"}


class Record:
    def to_dict(self) -> dict:
        return asdict(self)  # type: ignore[call-overload]  # every Record subclass is a dataclass


def valid_id(entry_id: str) -> bool:
    """An entry id is a slug, so it is always a safe file name inside the entries folder."""
    return len(entry_id) <= ID_MAX_LENGTH and ID_PATTERN.fullmatch(entry_id) is not None


@dataclass(frozen=True)
class Variant(Record):
    """Another surface form of the entry, read as its own characters (人工智慧 réngōng zhìhuì).

    `en` only when the form names something narrower or different (央企: central SOEs)."""

    form: str
    pinyin: str | None = None
    region: str | None = None
    en: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Rendering(Record):
    """An English rendering with its TBX status, where it comes from and the years it held.

    `authority` is a source id (an article that uses it), "official: <document or issuer>, <year>",
    or "curator" / "curator: <why>" for curator judgement."""

    en: str
    status: str = "admitted"
    authority: str | None = None
    from_year: int | None = None
    until_year: int | None = None
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
    region: str | None = None
    authority: str | None = None  # of `en`, the preferred rendering
    variants: tuple[Variant, ...] = ()
    renderings: tuple[Rendering, ...] = ()
    notes: str | None = None
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    first_attested: str | None = None
    ambiguous: str | None = None  # the ordinary sense, when the form is also an ordinary word
    ordinary_dominates: bool = False  # then the form is not tagged by default (单位)
    confirmed_readings: tuple[str, ...] = ()  # "字:reading" decisions against pypinyin and CC-CEDICT
    quotes: tuple[Quote, ...] = field(default=())

    def all_renderings(self) -> tuple[Rendering, ...]:
        """The preferred rendering (`en`) first, then the others: what exports and QA read. The preferred
        one may be listed (with its authority and a note) or stand as `en` + `authority` alone."""
        listed = tuple(r for r in self.renderings if r.status != "preferred")
        preferred = [r for r in self.renderings if r.status == "preferred"]
        return (preferred[0] if preferred else Rendering(self.en, "preferred", self.authority),) + listed

    @classmethod
    def from_dict(cls, data: dict) -> Entry:
        """Rebuild an entry from `to_dict()` output (the database keeps that JSON)."""
        records: dict[str, type] = {"variants": Variant, "renderings": Rendering, "quotes": Quote}
        lists = ("tags", "related", "confirmed_readings")
        fields: dict[str, Any] = {k: v for k, v in data.items() if k not in records and k not in lists}
        fields.update({k: tuple(record(**x) for x in data.get(k, ())) for k, record in records.items()})
        fields.update({k: tuple(data.get(k, ())) for k in lists})
        return cls(**fields)


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


def read_yaml(path: Path, problems: list[Problem], raw: bytes | None = None) -> tuple[object, dict[tuple, int]]:
    """Parse one YAML file; a syntax error becomes a Problem with its line, not an exception."""
    import yaml

    name = str(path)
    try:
        if raw is None:
            text = path.read_text(encoding="utf-8")
        else:  # the file's bytes, already read: decoded as read_text decodes (universal newlines)
            text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        problems.append(Problem(name, None, "not valid UTF-8"))
        return None, {}
    simple = _simple_yaml(text)
    if simple is not None:
        return simple
    # Parsed once, by libyaml where it is there: the node tree gives the lines, and the data is
    # constructed from the same tree (the pure-Python loader, twice, was most of a build's time).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problems.append(Problem(name, mark.line + 1 if mark else None, f"malformed YAML: {exc.problem}"))
        return None, {}
    finally:
        loader.dispose()
    return data, (_line_index(node) if node is not None else {})


_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?")
_ITEM_LINE = re.compile(r"( *)- (.*)")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`<=~ ")
_TEXT_KEYS = frozenset({"tags", "notes", "en", "ambiguous", "first_attested"})  # known to resolve to text
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


def _simple_yaml(text: str) -> tuple[object, dict[tuple, int]] | None:
    """What the YAML loader and _line_index give for the plain files most entries are (top-level
    `key: value` lines and lists of one-line values), without building a node tree: a build reads
    100,000 of them. None for anything else (quotes, block or flow styles, nesting, comments, a
    repeated key, a character outside the printable ones), which the loader then reads."""
    import yaml

    if not text.replace("\n", "").isprintable():
        return None
    resolver = yaml.resolver.Resolver()
    constructor = yaml.constructor.SafeConstructor()

    def scalar(value: str):
        if not value or value[0] in _INDICATORS or ": " in value or " #" in value or value.endswith(":"):
            raise ValueError
        if value[0] not in resolver.yaml_implicit_resolvers:
            return value  # no implicit type starts so: text (what resolve would say, without its loop)
        tag = resolver.resolve(yaml.ScalarNode, value, (True, False))
        if tag == "tag:yaml.org,2002:str":
            return value
        if tag not in _PLAIN_TAGS:
            raise ValueError
        return constructor.yaml_constructors[tag](constructor, yaml.ScalarNode(tag, value))

    data: dict = {}
    lines: dict[tuple, int] = {}
    key: str | None = None  # the key whose value is a list being read
    items: list | None = None  # and its items
    indent: int | None = None
    try:
        for number, line in enumerate(text.split("\n"), 1):
            if not line:
                continue
            item = _ITEM_LINE.fullmatch(line) if items is not None else None
            if item is not None and items is not None and indent in (None, len(item.group(1))):
                indent = len(item.group(1))
                lines[(key, len(items))] = number
                items.append(scalar(item.group(2).rstrip(" ")))
                continue
            match = _KEY_LINE.fullmatch(line)
            if match is None or match.group(1) in data:
                return None
            key = match.group(1)
            if key[0] in resolver.yaml_implicit_resolvers and key not in _TEXT_KEYS:
                if resolver.resolve(yaml.ScalarNode, key, (True, False)) != "tag:yaml.org,2002:str":
                    return None
            lines.setdefault((), number)
            lines[(key,)] = number
            value = (match.group(2) or "").rstrip(" ")
            items, indent = ([], None) if not value else (None, None)
            data[key] = scalar(value) if value else items
        if not data:
            return None
    except ValueError:
        return None
    for k, v in data.items():
        if v == []:
            data[k] = None  # `key:` with nothing under it
    return data, lines


class _Fields:
    """One mapping read from YAML, with typed accessors that report a wrong type as a Problem
    (file and line) instead of storing it: `zh: [人工, 智能]` must not build an entry that never matches."""

    def __init__(self, data: dict, report, path: tuple = ()):
        self.data, self.report, self.path = data, report, path

    def problem(self, message: str, *key) -> None:
        self.report(message, *self.path, *key)

    def unknown(self, allowed: set[str], what: str) -> None:
        for key in self.data:
            if key not in allowed:
                self.problem(f"unknown {what}field {key!r}", key)

    def text(self, key: str, required: bool = False) -> str | None:
        """A scalar as stripped text; numbers are accepted (first_attested: 2017), nothing else."""
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.problem(f"missing required field {key!r}", key)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(f"{key!r} must be text, not a {type(value).__name__}", key)
            return None
        text = str(value).strip()
        if not text.isprintable() and any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            self.problem(f"{key!r} holds a lone surrogate, not text", key)
            return None
        if required and not text:
            self.problem(f"missing required field {key!r}", key)
        return text or None

    def choice(self, key: str, allowed: tuple[str, ...], required: bool = False) -> str | None:
        value = self.text(key, required)
        if value is not None and value not in allowed:
            self.problem(f"{key} {value!r} is not one of {', '.join(allowed)}", key)
            return None
        return value

    def year(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
            self.problem(f"{key!r} must be a year such as 2015", key)
            return None
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{key} must be true or false", key)
            return default
        return value

    def texts(self, key: str, unique: bool = True) -> tuple[str, ...]:
        """A list of scalars (tags, related ids, confirmed readings); `unique`: a repeat is an error."""
        items = self.data.get(key) or []
        if not isinstance(items, list):
            self.problem(f"{key!r} must be a list", key)
            return ()
        found = []
        for i, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, str | int):
                self.problem(f"{key} item {i + 1} must be text", key, i)
            elif str(item).strip() in found and unique:
                self.problem(f"{key} item {i + 1} repeats {str(item).strip()!r}", key, i)
            elif str(item).strip() and str(item).strip() not in found:
                found.append(str(item).strip())
        return tuple(found)

    def records(self, key: str, shorthand: str | None = None) -> list[_Fields]:
        """A list of mappings (variants, renderings, quotes); a bare string means {shorthand: it}."""
        items = self.data.get(key) or []
        if not isinstance(items, list):
            self.problem(f"{key!r} must be a list", key)
            return []
        found = []
        for i, item in enumerate(items):
            if isinstance(item, str) and shorthand:
                item = {shorthand: item}
            if not isinstance(item, dict):
                self.problem(f"{key} item {i + 1} must be a mapping of fields", key, i)
                continue
            found.append(_Fields(item, self.report, self.path + (key, i)))
        return found


def _variant(fields: _Fields) -> Variant | None:
    fields.unknown(VARIANT_KEYS, "variant ")
    form = fields.text("form", required=True)
    return (
        Variant(form, fields.text("pinyin"), fields.choice("region", REGIONS), fields.text("en"), fields.text("note"))
        if form
        else None
    )


def _rendering(fields: _Fields) -> Rendering | None:
    fields.unknown(RENDERING_KEYS, "rendering ")
    en = fields.text("en", required=True)
    status = fields.choice("status", STATUSES) or "admitted"
    return (
        Rendering(en, status, fields.text("authority"), fields.year("from"), fields.year("until"), fields.text("note"))
        if en
        else None
    )


def _quote(fields: _Fields) -> Quote | None:
    fields.unknown(QUOTE_KEYS, "quote ")
    source, text = fields.text("source", required=True), fields.text("text", required=True)
    if not (source and text):
        return None
    return Quote(source, text, fields.text("zh"), fields.text("cites"), fields.text("locator"))


def _ambiguity(fields: _Fields) -> tuple[str | None, bool]:
    """`ambiguous: "ordinary sense"`, or `{ordinary: …, dominant: true}` when that sense dominates."""
    value = fields.data.get("ambiguous")
    if isinstance(value, dict):
        inner = _Fields(value, fields.report, ("ambiguous",))
        inner.unknown(AMBIGUOUS_KEYS, "ambiguous ")
        return inner.text("ordinary", required=True), inner.flag("dominant", False)
    return fields.text("ambiguous"), False


def parse_entry(
    path: Path, problems: list[Problem], where: dict | None = None, raw: bytes | None = None
) -> Entry | None:
    """Validate one entry file and build its Entry; every problem is appended, None if unusable.

    `where`, when given, receives the line of every key path, for later cross-file messages.
    `raw`: the file's bytes, when the caller has read them (a build hashes them too).
    """
    before = len(problems)
    data, lines = read_yaml(path, problems, raw)
    if where is not None:
        where.update(lines)
    if len(problems) > before:
        return None
    if not isinstance(data, dict):
        problems.append(Problem(str(path), 1, "an entry file must be a YAML mapping of fields"))
        return None
    found: list[Problem] = []

    def report(message: str, *key):
        """At the line of the key path, or of the nearest enclosing one that is there."""
        line = next((lines[key[:n]] for n in range(len(key), -1, -1) if key[:n] in lines), None)
        found.append(Problem(str(path), line, message))

    fields = _Fields(data, report)
    if not valid_id(path.stem):
        report(f"file name {path.stem!r} is not a valid id (lower-case ASCII words joined by '-')")
    fields.unknown(ENTRY_KEYS, "")
    zh, pinyin, en = (fields.text(key, required=True) for key in ("zh", "pinyin", "en"))
    kind = fields.choice("kind", KINDS, required=True)
    ambiguous, dominates = _ambiguity(fields)
    entry: dict[str, Any] = dict(
        id=path.stem,
        zh=zh,
        pinyin=pinyin,
        kind=kind,
        en=en,
        zh_hant=fields.text("zh_hant"),
        zh_attested=fields.flag("zh_attested", True),
        region=fields.choice("region", REGIONS),
        authority=fields.text("authority"),
        variants=tuple(v for f in fields.records("variants", "form") if (v := _variant(f))),
        renderings=tuple(r for f in fields.records("renderings", "en") if (r := _rendering(f))),
        notes=_notes(fields),
        tags=fields.texts("tags"),
        related=fields.texts("related"),
        first_attested=fields.text("first_attested"),
        ambiguous=ambiguous,
        ordinary_dominates=dominates,
        confirmed_readings=fields.texts("confirmed_readings", unique=False),
        quotes=tuple(q for f in fields.records("quotes") if (q := _quote(f))),
    )
    problems.extend(found)
    return None if found else Entry(**entry)


def _notes(fields: _Fields) -> str | None:
    """Notes keep their inner line breaks (Markdown); only a type check and the outer strip."""
    fields.text("notes")
    value = fields.data.get("notes")
    return value if isinstance(value, str) and value.strip() else None


def _text(value) -> str | None:
    return None if value is None else str(value)


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
        sources.append(
            Source(
                id=str(item["id"]),
                title=str(item["title"]),
                publication=_text(item.get("publication")),
                author=_text(item.get("author")),
                date=_text(item.get("date")),
                file=_text(item.get("file")),
                lines=tuple(span) if span else None,
                url=_text(item.get("url")),
            )
        )
    return sources
