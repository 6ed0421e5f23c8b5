"""Load the curated sources as a whole and check what no single file can: duplicate surface forms,
unknown source and related ids, pinyin that does not fit its characters, and quotes that are not
verbatim in the article they are attributed to."""

from __future__ import annotations

import re
from collections.abc import Collection, Container, Mapping
from dataclasses import dataclass
from pathlib import Path

from glossary.chinese import plus_variants, regional_forms
from glossary.model import Entry, Problem, Source, parse_entry, parse_sources
from glossary.paths import ENTRIES_DIR, ORDINARY_WORDS, SOURCES_FILE, find_seeds  # noqa: F401  (curation.X)
from glossary.pinyin import pinyin_problem, slug, unconfirmed_readings


def ordinary_words(sources_file: Path = SOURCES_FILE) -> list[str]:
    """The curated list of ordinary words for the boundary judgement (see ordinary_words.txt)."""
    path = Path(sources_file).parent / ORDINARY_WORDS
    if not path.is_file():
        return []
    words = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [w for w in words if w]


@dataclass
class Curated:
    entries: list[Entry]
    sources: list[Source]
    problems: list[Problem]
    warnings: list[Problem]


def surface_forms(entry: Entry) -> list[tuple[str, str, str | None]]:
    """Every form of an entry the annotator should match: (form, origin, note), canonical first.

    The simplified form, the curated traditional form, its script forms and known-good Taiwan wording
    (see chinese.regional_forms), and the curated variants with their own script forms; each with both
    plus signs.
    """
    found: dict[str, tuple[str, str | None]] = {}

    def add(form: str, origin: str, note: str | None = None):
        for each in sorted(plus_variants(form)):
            found.setdefault(each, (origin, note))

    add(entry.zh, "zh")
    if entry.zh_hant:
        add(entry.zh_hant, "zh_hant")
    for config, form in regional_forms(entry.zh, entry.kind).items():
        add(form, config)
    for variant in entry.variants:
        add(variant.form, "variant", variant.note)
        for config, form in regional_forms(variant.form, entry.kind).items():
            add(form, f"variant {config}", variant.note)
    return [(form, origin, note) for form, (origin, note) in found.items()]


def form_region(entry: Entry, origin: str, form: str) -> str | None:
    """The region a surface form belongs to: its variant's, else its entry's (None: every region)."""
    if origin.startswith("variant"):
        for variant in entry.variants:
            if variant.region and form in plus_variants(variant.form) | {
                f for f in regional_forms(variant.form, entry.kind).values()
            }:
                return variant.region
    return entry.region


OFFICIAL = re.compile(r"^official: .+\b(19|20)\d\d\b")


def authority_problem(authority: str | None, source_ids: Collection[str]) -> str | None:
    """Where a rendering comes from must be said: an article, a dated official text, or the curator."""
    if not authority:
        return "has no authority (a source id, 'official: <document>, <year>', or 'curator')"
    if authority in source_ids or authority == "curator" or authority.startswith("curator:"):
        return None
    if authority.startswith("official:") and not OFFICIAL.match(authority):
        return f"authority {authority!r} must name the official document or issuer and a year"
    if not authority.startswith("official:"):
        return f"authority {authority!r} is not a source id, 'official: …, <year>' or 'curator'"
    return None


def authority_kind(authority: str | None, source_ids: frozenset[str] | set[str] = frozenset()) -> str:
    """official | source | curator: how a rendering is backed, for counts and exports."""
    if authority and authority.startswith("official:"):
        return "official"
    return "source" if authority in source_ids else "curator"


def _regions_clash(a: str | None, b: str | None) -> bool:
    """Two entries may share a form only when both belong to different regions (Taiwan's 教育部)."""
    return a is None or b is None or a == b


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _article_texts(sources: list[Source], seeds: Path) -> dict[str, str]:
    texts = {}
    for source in sources:
        if not source.file:
            continue
        path = seeds / source.file
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        if source.lines:
            lines = lines[source.lines[0] - 1 : source.lines[1]]
        texts[source.id] = _normalise("\n".join(lines))
    return texts


def load(entries_dir: Path = ENTRIES_DIR, sources_file: Path = SOURCES_FILE, seeds: Path | None = None) -> Curated:
    """Read and cross-check every curated file. With `seeds`, quotes are checked verbatim."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if not Path(entries_dir).is_dir():
        return Curated([], [], [Problem(str(entries_dir), None, "entries folder not found")], [])
    if not Path(sources_file).is_file():
        problems.append(Problem(str(sources_file), None, "sources file not found"))
        sources = []
    else:
        sources = parse_sources(Path(sources_file), problems)
    source_ids = {s.id for s in sources}
    paths = sorted(Path(entries_dir).glob("*.yaml"))
    lines: dict[str, dict] = {p.stem: {} for p in paths}
    entries = [e for e in (parse_entry(p, problems, lines[p.stem]) for p in paths) if e is not None]
    by_id = {e.id: e for e in entries}
    files = {p.stem: str(p) for p in paths}

    texts = _article_texts(sources, seeds) if seeds else {}
    if seeds and not texts:
        problems.append(Problem(str(seeds), None, "no source article found there"))
    owner: dict[str, list[tuple[str, str | None]]] = {}
    context = Context(owner, by_id.keys(), source_ids, set(ordinary_words(sources_file)), texts, files)
    for entry in entries:
        check_entry(entry, files[entry.id], lines[entry.id], context, problems, warnings)
    return Curated(entries, sources, problems, warnings)


@dataclass
class Context:
    """What checking one entry needs to know of the others: who owns each surface form (with its
    region), which ids and sources exist, the ordinary words, the source articles' texts (for
    verbatim quotes, when given) and each entry's file name (for messages)."""

    owner: dict[str, list[tuple[str, str | None]]]
    ids: Container[str]
    source_ids: Collection[str]
    ordinary: Collection[str]
    texts: dict[str, str]
    files: Mapping[str, str]
    # entries whose forms and readings are those already checked (an edit of their English only):
    # their pinyin is not checked again, which would load CC-CEDICT (seconds) for one entry
    readings_checked: Collection[str] = ()


@dataclass
class Findings:
    """What the checks of one entry find without looking at any other entry, each as (message, key
    path): its pinyin (`pinyin`), its authorities and quotes (`sources`), the id-vs-slug warning;
    and its surface forms with their origins and regions. A build computes these where it parses
    the file (in a worker process), so only the checks across entries are left to the parent."""

    pinyin: list[tuple[str, tuple]]
    sources: list[tuple[str, tuple]]
    warnings: list[tuple[str, tuple]]
    forms: list[tuple[str, str, str | None]]


def own_findings(entry: Entry, context: Context, pinyin: bool = True, surface: list | None = None) -> Findings:
    """The checks of `entry` that need only the context's sources and articles (`pinyin`: with the
    pinyin check, which loads pypinyin and, where it disagrees, CC-CEDICT). `surface`: its
    surface_forms, when the caller has them."""
    readings: list[tuple[str, tuple]] = []
    sources: list[tuple[str, tuple]] = []
    warnings: list[tuple[str, tuple]] = []
    if pinyin:
        _check_pinyin(entry, lambda message, *key: readings.append((message, key)))
    if slug(entry.pinyin) != re.sub(r"-(\d+|prc|tw|hk|mo)$", "", entry.id):
        warnings.append((f"id differs from the pinyin's slug {slug(entry.pinyin)!r}", ("pinyin",)))
    surface = surface_forms(entry) if surface is None else surface
    forms = [(form, origin, form_region(entry, origin, form)) for form, origin, _ in surface]
    _check_sources(entry, context, lambda message, *key: sources.append((message, key)))
    return Findings(readings, sources, warnings, forms)


def check_entry(
    entry: Entry,
    name: str,
    at: dict,
    context: Context,
    problems: list[Problem],
    warnings: list[Problem],
    findings: Findings | None = None,
) -> None:
    """Every check of one entry, its own and against the others (`context`, whose `owner` it extends
    with its forms). `name` and `at` (key path → line) say where a problem is. `findings`: the
    entry's own checks, already made (see own_findings)."""

    def report(message: str, *key, to=problems):
        to.append(Problem(name, at.get(key) or at.get(key[:1]), message))

    readings_checked = entry.id in context.readings_checked
    if findings is None:
        findings = own_findings(entry, context, pinyin=not readings_checked)
    if not readings_checked:
        for message, key in findings.pinyin:
            report(message, *key)
    for message, key in findings.warnings:
        report(message, *key, to=warnings)
    for form, origin, region in findings.forms:
        if form in context.ordinary:
            report(f"surface form {form!r} ({origin}) is listed in {ORDINARY_WORDS} as an ordinary word", "zh")
        for other, other_region in context.owner.get(form, []):
            if other != entry.id and _regions_clash(region, other_region):
                report(
                    f"surface form {form!r} ({origin}) is also a form of {context.files.get(other, other)}"
                    + (f" in region {region}" if region else ""),
                    "zh",
                )
        context.owner.setdefault(form, []).append((entry.id, region))
    for i, rel in enumerate(entry.related):
        if rel not in context.ids:
            report(f"related id {rel!r} is not an entry", "related", i)
    for message, key in findings.sources:
        report(message, *key)


def _check_sources(entry: Entry, context: Context, report) -> None:
    """Every rendering says where it comes from, and what a source article is given for is in it."""
    preferred = [r for r in entry.renderings if r.status == "preferred"]
    problem = None if preferred and not entry.authority else authority_problem(entry.authority, context.source_ids)
    if problem:
        report(f"en {problem}", "authority" if entry.authority else "en")
    for i, rendering in enumerate(entry.renderings):
        problem = authority_problem(rendering.authority, context.source_ids)
        if problem:
            report(f"rendering {rendering.en!r} {problem}", "renderings", i)
        elif rendering.authority in context.texts and (
            _normalise(rendering.en).lower() not in context.texts[rendering.authority].lower()
        ):
            report(
                f"rendering {rendering.en!r} does not occur in {rendering.authority}, the source it names",
                "renderings",
                i,
            )
        if (rendering.en == entry.en) != (rendering.status == "preferred"):
            report(
                f"rendering {rendering.en!r}: only `en` has status preferred, and `en` has no other",
                "renderings",
                i,
            )
    for i, quote in enumerate(entry.quotes):
        if quote.source not in context.source_ids:
            report(f"quote {i + 1}: source {quote.source!r} is not in sources.yaml", "quotes", i, "source")
            continue
        article = context.texts.get(quote.source)
        if article is None:
            continue
        for field_name in ("text", "zh", "cites"):
            value = getattr(quote, field_name)
            if value and _normalise(value) not in article:
                report(
                    f"quote {i + 1}: {field_name} is not verbatim in {quote.source}: {value[:60]!r}",
                    "quotes",
                    i,
                    field_name,
                )


def _check_pinyin(entry: Entry, report) -> None:
    """Every pinyin, the headword's and each variant's, fits its own characters, and every reading
    that neither pypinyin nor CC-CEDICT gives is a decision the entry records (confirmed_readings)."""
    forms: list[tuple[str, str, tuple]] = [(entry.zh, entry.pinyin, ("pinyin",))]
    for i, variant in enumerate(entry.variants):
        if not variant.pinyin:
            report(f"variant {variant.form!r} has no pinyin (the reading of its own characters)", "variants", i)
            continue
        forms.append((variant.form, variant.pinyin, ("variants", i)))
    used: set[str] = set()
    for form, pinyin, key in forms:
        problem = pinyin_problem(form, pinyin)
        if problem:
            report(problem, *key)
            continue
        for reading in unconfirmed_readings(form, pinyin):
            if reading not in entry.confirmed_readings:
                report(
                    f"reading {reading} of {form!r} is neither pypinyin's nor CC-CEDICT's: "
                    f"confirm it in confirmed_readings",
                    *key,
                )
            used.add(reading)


def article_texts(sources: list[Source], seeds: Path) -> dict[str, str]:
    """Each source's article text (its lines only), whitespace normalised, for the verbatim checks."""
    return _article_texts(sources, seeds)
