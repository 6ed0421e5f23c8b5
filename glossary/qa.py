"""Terminology QA of a zh→en translation: every glossary term in each Chinese source segment, found by
the annotator (word boundaries, scripts, PDF line breaks, region), checked against the English target.

Per segment and entry (a term met twice is one check, satisfied by one acceptable rendering; the record
says how many occurrences it covers), the status is:

    ok          the target has an acceptable rendering (preferred or admitted), found as english.py reads
    missing     it has none
    deprecated  it uses a rendering the glossary marks deprecated (or forbidden: `forbidden`)
    ambiguous   a form that is also an ordinary word, without a rendering: reported only on request
    untranslated  the segment has no target: listed, never a finding

Only outermost terms are checked: a term inside a longer one (人工智能 in 通用人工智能) is translated by
the longer one's rendering. Waivers — `glossary-qa: ok` or `glossary-qa: ok <entry-id>` in a unit's
note, or a waiver file — mark what a reviewer has already accepted, so a re-run shows only what is new.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, repeat
from operator import itemgetter, not_

from glossary.annotate import collector_paused
from glossary.english import Target, compile_rendering, verbatim
from glossary.english import single_spaced as is_single_spaced
from glossary.formats import Segment
from glossary.spans import Spans

ACCEPTABLE = ("preferred", "admitted")
BAD = ("forbidden", "deprecated")  # worst first
FINDING_KINDS = ("missing", "deprecated", "forbidden", "ambiguous")
NOTE_MARKER = re.compile(r"glossary-qa\s*:\s*ok\b([^\n]*)", re.IGNORECASE)
ENTRY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
BATCH = 1000  # segments annotated as one text (and the progress bar's step)
SEPARATOR = "\x00"
NO_MATCH = (None,) * 5  # a Match's fields where there is none
UNTRANSLATED = ("untranslated", *NO_MATCH)
MEANING = itemgetter(0, 2)  # (entry id, reading key) of a span's (entry id, ambiguous, reading key)


class WaiverError(ValueError):
    pass


@dataclass(frozen=True)
class Waivers:
    """What a reviewer has accepted: entries everywhere, whole segments, or an entry in one segment.
    A segment is named by its unit id or by `#N`, its 1-based position in the file."""

    entries: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def parse(cls, text: str, name: str = "waivers") -> Waivers:
        """Lines `ENTRY-ID` (everywhere), `ENTRY-ID SEGMENT` or `* SEGMENT` (the whole segment); `#` starts
        a comment unless it begins a segment reference (`#12`)."""
        entries, segments, pairs = set(), set(), set()
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("# ") or line == "#":
                continue
            parts = line.split("\t") if "\t" in line else line.split(None, 1)
            parts = [p.strip() for p in parts if p.strip()]
            entry = parts[0]
            if entry != "*" and not ENTRY_ID.fullmatch(entry):
                raise WaiverError(f"{name}, line {number}: {entry!r} is not an entry id or *")
            if len(parts) == 1:
                if entry == "*":
                    raise WaiverError(f"{name}, line {number}: * needs a segment (a unit id or #N)")
                entries.add(entry)
            elif entry == "*":
                segments.add(parts[1])
            else:
                pairs.add((parts[1], entry))
        return cls(frozenset(entries), frozenset(segments), frozenset(pairs))

    def covers(self, refs: tuple[str, ...], entry_id: str) -> bool:
        return (
            entry_id in self.entries
            or any(r in self.segments for r in refs)
            or any((r, entry_id) in self.pairs for r in refs)
        )


def note_waivers(notes: tuple[str, ...]) -> tuple[bool, frozenset[str]]:
    """From a unit's notes: (the whole segment is waived, the entries waived in it)."""
    whole, entries = False, set()
    for note in notes:
        for m in NOTE_MARKER.finditer(note or ""):
            named = [w for w in re.split(r"[\s,;]+", m.group(1).strip()) if ENTRY_ID.fullmatch(w)]
            if named:
                entries.update(named)
            else:
                whole = True
    return whole, frozenset(entries)


@dataclass
class Report:
    segments: list[dict] = field(default_factory=list)
    region: str = "prc"

    def summary(self) -> dict:
        """Counted in C over columns of the terms' fields: a report has tens of thousands of terms."""
        terms = list(chain.from_iterable(map(itemgetter("terms"), self.segments)))
        statuses = list(map(itemgetter("status"), terms))
        waived = list(map(itemgetter("waived"), terms))
        unwaived = Counter(compress(statuses, map(not_, waived)))
        by_kind = {kind: unwaived[kind] for kind in FINDING_KINDS}
        return {
            "segments": len(self.segments),
            "terms": len(statuses) - statuses.count("untranslated"),
            "findings": sum(by_kind.values()),
            "by_kind": by_kind,
            "waived": sum(waived),
            "untranslated": sum(1 for s in self.segments if s["source"].strip() and not s["target"].strip()),
        }

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "region": self.region, "segments": self.segments}

    @property
    def findings(self) -> int:
        return sum(is_finding(t) for s in self.segments for t in s["terms"])


def is_finding(term: dict) -> bool:
    return term["status"] in FINDING_KINDS and not term["waived"]


def columns(spans) -> tuple:
    """(starts, ends, (entry id, ambiguous, reading) of each top-level span): see Spans.columns."""
    if isinstance(spans, Spans):
        return spans.columns()
    return [s.start for s in spans], [s.end for s in spans], [(s.id, s.ambiguous, s.reading) for s in spans]


_RULES: dict[str, dict] = {}  # compiled renderings per database version, shared like the annotator


class Checker:
    """Checks segments against one glossary; each entry's renderings are compiled once."""

    def __init__(self, glossary, *, region: str | None = None, ambiguous: bool = False, waivers: Waivers | None = None):
        self.glossary = glossary
        self.region = region
        self.ambiguous = ambiguous
        self.waivers = waivers or Waivers()
        self._rules: dict[tuple[str, str | None], tuple] = _RULES.setdefault(glossary.store.version, {})
        # per run, by target text and (entry id, reading): see segment()
        self._judged: dict[str, dict[tuple[str, str | None], tuple]] = {}
        self._meanings: dict[tuple[str, str | None], tuple] = {}  # per run: see _meaning()

    def rules(self, entry_id: str, variant_en: str | None):
        """(expected renderings, acceptable patterns, [(status, patterns)] of bad ones) for an entry."""
        key = (entry_id, variant_en)
        if key not in self._rules:
            entry = self.glossary.get(entry_id)
            renderings = entry.all_renderings() if entry else ()
            expected = [r.en for r in renderings if r.status in ACCEPTABLE]
            if variant_en:
                expected = [variant_en] + [e for e in expected if e != variant_en]
            expected = list(dict.fromkeys(expected))
            good = [p for en in expected for p in compile_rendering(en)]
            bad = [
                (r.status, p)
                for r in renderings
                if r.status in BAD and r.en not in expected
                for p in compile_rendering(r.en)
            ]
            self._rules[key] = (entry.zh if entry else entry_id, expected, good, bad)
        return self._rules[key]

    def run(self, segments: list[Segment], progress=None) -> Report:
        from glossary.annotate import text_region

        annotator = self.glossary.annotator()
        region = self.region
        if region is None:
            region = text_region("".join(s.source for s in segments[:200]), annotator.traditional)
        report = Report(region=region)
        self._judged, self._meanings = {}, {}
        # the cycle collector paused per batch: the report's thousands of dicts and lists live on and
        # form no cycles, so its runs (over the annotator's data too) freed nothing (see annotate.py)
        check_batch = collector_paused(self._batch)
        for start in range(0, len(segments), BATCH):
            batch = segments[start : start + BATCH]
            report.segments.extend(check_batch(batch, region))
            if progress is not None:
                progress(len(batch))
        self._judged, self._meanings = {}, {}
        return report

    def _batch(self, batch: list[Segment], region: str) -> list[dict]:
        segment = self.segment
        spans = self.spans(self.glossary.annotator(), batch, region)
        return [segment(s, columns) for s, columns in zip(batch, spans, strict=True)]

    @staticmethod
    def spans(annotator, batch: list[Segment], region: str):
        """The annotator's top-level spans of each segment's source, as columns: (starts, ends, (entry id,
        ambiguous, reading key) of each, and the offset to subtract from starts and ends). The batch
        is annotated as one text, segments joined by a separator the annotator never bridges or reads
        across (NUL: not Han, not whitespace between Han, in no surface form), so the spans are those
        of each segment annotated alone, at a fraction of the per-call cost; each segment's are slices
        of the batch's columns (no Span made). Children are left out: only outermost terms are checked.
        The Annotator's own annotate: QA needs none of the entries' cards Glossary.annotate collects."""
        sources = [s.source for s in batch]
        if any(SEPARATOR in s for s in sources):
            for source in sources:
                yield (*columns(annotator.annotate(source, ambiguous=True, region=region).spans), 0)
            return
        annotation = annotator.annotate(SEPARATOR.join(sources), ambiguous=True, region=region)
        offsets = list(accumulate((len(s) + len(SEPARATOR) for s in sources[:-1]), initial=0))
        starts, ends, meant = columns(annotation.spans)
        # the spans of segment i are those starting from its offset to the next one's (found in C)
        bounds = list(map(bisect_left, repeat(starts), offsets))
        for lo, hi, base in zip(bounds, [*bounds[1:], len(starts)], offsets, strict=True):
            yield starts[lo:hi], ends[lo:hi], meant[lo:hi], base

    def _meaning(self, key: tuple[str, str | None]) -> tuple:
        """rules() for an (entry id, reading key): with the rendering the reading asks for, if any."""
        entry_id, reading = key
        variant_en = None
        if reading:
            readings = self.glossary.annotator().readings  # kept per process, as Glossary.annotate keeps them
            if reading not in readings:
                readings.update(self.glossary.store.readings([reading]))
            variant_en = readings[reading].get("en")
        found = self._meanings[key] = self.rules(entry_id, variant_en)
        return found

    def segment(self, segment: Segment, columns: tuple) -> dict:
        """One segment's record: its terms (the spans of `columns`, see spans(), grouped by entry and
        reading), each judged against the target."""
        starts, ends, meant, base = columns
        source, target_text = segment.source, segment.target
        terms: list[dict] = []
        result = {"index": segment.index, "id": segment.id, "source": source, "target": target_text, "terms": terms}
        if not meant:
            return result
        waivers = self.waivers if (self.waivers.entries or self.waivers.segments or self.waivers.pairs) else None
        refs = ((segment.id, f"#{segment.index}") if segment.id else (f"#{segment.index}",)) if waivers else ()
        whole_waived, waived_entries = note_waivers(segment.notes) if segment.notes else (False, frozenset())
        keys = list(map(MEANING, meant))
        groups: Iterable[tuple[tuple[str, str | None], Sequence[int]]]
        if len(set(keys)) == len(keys):  # each term met once (the usual case): one span per group
            groups = zip(keys, zip(range(len(keys))), strict=True)
        else:
            grouped: dict[tuple[str, str | None], list[int]] = {}
            for q, key in enumerate(keys):
                grouped.setdefault(key, []).append(q)
            groups = grouped.items()
        translated = bool(target_text.strip())
        target = None  # the target tokenised, once needed
        single_spaced = translated and is_single_spaced(target_text)
        # a judgement depends only on the target's text and the entry's rules: a target met again (a
        # translation memory's stock sentences) is tokenised and searched once a run
        verdicts = self._judged.get(target_text)
        if verdicts is None:
            verdicts = self._judged[target_text] = {}
        waiving = whole_waived or waived_entries or waivers
        meanings, ambiguous_too = self._meanings, self.ambiguous
        for key, group in groups:
            q = group[0]
            is_ambiguous = meant[q][1] if len(group) == 1 else all([meant[k][1] for k in group])
            if is_ambiguous and not ambiguous_too:
                continue
            meaning = meanings.get(key)
            headword, expected, good, bad = meaning if meaning is not None else self._meaning(key)
            entry_id = key[0]
            if translated:
                verdict = verdicts.get(key)  # (entry id, reading): the same rules all run
                if verdict is None:
                    # the preferred rendering as written, as whole words, decides without tokenising
                    # (most terms of a translation that follows the glossary): see english.verbatim
                    if single_spaced and not bad and good and good[0].bare:
                        found = verbatim(target_text, good[0])
                        if found is not None:
                            verdict = ("ok", found)
                    if verdict is None:
                        if target is None:
                            target = Target(target_text)
                        verdict = judge(target, good, bad)
                    verdict = verdicts[key] = (verdict[0], *(verdict[1] or NO_MATCH))
                status, target_start, target_end, matched, rendering, exact = verdict
                if status == "missing" and is_ambiguous:
                    status = "ambiguous"
            else:
                status, target_start, target_end, matched, rendering, exact = UNTRANSLATED
            start, end = starts[q] - base, ends[q] - base
            terms.append(
                {
                    "entry": entry_id,
                    "zh": source[start:end],
                    "headword": headword,
                    "start": start,
                    "end": end,
                    "occurrences": len(group),
                    "spans": [[start, end]] if len(group) == 1 else [[starts[k] - base, ends[k] - base] for k in group],
                    "status": status,
                    "expected": expected,
                    "matched": matched,
                    "target_start": target_start,
                    "target_end": target_end,
                    "rendering": rendering,
                    "exact": exact,
                    "ambiguous": is_ambiguous,
                    "waived": bool(waiving)
                    and (
                        whole_waived or entry_id in waived_entries or bool(waivers and waivers.covers(refs, entry_id))
                    ),
                }
            )
        return result


EXACT = itemgetter(4)  # Match.exact


def judge(target: Target, good, bad):
    """The status of one entry in a target, and the match that decides it. A bad rendering counts unless
    it lies inside a longer acceptable match; an acceptable one inside a longer bad match does not count."""
    good_matches: list = []
    for pattern in good:  # preferred first: once a rendering stands verbatim, the others need not be sought
        found = target.find(pattern)
        if found:
            good_matches += found
            if True in map(EXACT, found):
                break
    bad_matches = [(status, m) for status, p in bad for m in target.find(p)] if bad else []
    if not bad_matches:
        if not good_matches:
            return "missing", None
        if len(good_matches) == 1:
            return "ok", good_matches[0]
        return "ok", min(good_matches, key=lambda m: (not m.exact, m.start - m.end, m.start))

    def inside(m, others):
        return any(o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start) for o in others)

    bad_matches = [(s, m) for s, m in bad_matches if not inside(m, good_matches)]
    good_matches = [m for m in good_matches if not inside(m, [b for _, b in bad_matches])]
    for status in BAD:
        found = [m for s, m in bad_matches if s == status]
        if found:
            return status, min(found, key=lambda m: m.start)
    if good_matches:
        # the verbatim match first, then the longest, then the first in the text
        return "ok", min(good_matches, key=lambda m: (not m.exact, -(m.end - m.start), m.start))
    return "missing", None


def check(
    glossary,
    segments: list[Segment],
    *,
    region: str | None = None,
    ambiguous: bool = False,
    waivers: Waivers | None = None,
    progress=None,
) -> Report:
    """QA of aligned segments against a Glossary: see the module's docstring."""
    return Checker(glossary, region=region, ambiguous=ambiguous, waivers=waivers).run(segments, progress)


# ------------------------------------------------------------------------------------------ output


@collector_paused
def to_json(report: Report, indent: bool = True) -> str:
    """The report as JSON. With the collector paused, as Annotation.to_dict is: the summary's few
    lists would otherwise set off a run of the collector over every dict and list of the report, young
    and all alive (tens of milliseconds for a long file), or not, by chance of the free lists."""
    from glossary.render import to_json as dumps

    return dumps(report.to_dict(), indent=indent)


def _quote(items: list[str]) -> str:
    return " | ".join(f"“{e}”" for e in items) or "(no rendering)"


def to_text(report: Report, show_ok: bool = False) -> str:
    """For the terminal: each finding under its segment; with `show_ok`, also what was accepted and how."""
    lines = []
    for seg in report.segments:
        rows = [t for t in seg["terms"] if is_finding(t) or (show_ok and not t["waived"])]
        if not rows:
            continue
        label = f"#{seg['index']}" + (f" [{seg['id']}]" if seg["id"] else "")
        lines.append(f"{label}  {_clip(seg['source'])}")
        lines.append(f"{' ' * len(label)}  {_clip(seg['target'])}")
        for t in rows:
            times = f" ×{t['occurrences']}" if t["occurrences"] > 1 else ""
            head = f"  {t['status']:<12} {t['zh']}{times} ({t['entry']})"
            if t["status"] == "ok":
                how = "" if t["exact"] else f" for “{t['rendering']}”"
                lines.append(f"{head}: “{t['matched']}”{how}")
            elif t["status"] in ("deprecated", "forbidden"):
                lines.append(f"{head}: has “{t['matched']}”; use {_quote(t['expected'][:3])}")
            else:
                lines.append(f"{head}: expected {_quote(t['expected'][:3])}")
        lines.append("")
    s = report.summary()
    kinds = ", ".join(f"{k} {n}" for k, n in s["by_kind"].items() if n)
    extra = "".join(
        [
            f", {s['waived']} waived" if s["waived"] else "",
            f", {s['untranslated']} untranslated segment(s)" if s["untranslated"] else "",
        ]
    )
    lines.append(
        f"── {s['segments']} segments, {s['terms']} terms checked, {s['findings']} findings"
        f"{' (' + kinds + ')' if kinds else ''}{extra}"
    )
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


CSV_FIELDS = [
    "segment",
    "id",
    "status",
    "entry",
    "zh",
    "occurrences",
    "expected",
    "matched",
    "waived",
    "source",
    "target",
]


def to_csv(report: Report, all_terms: bool = False) -> str:
    """One row per finding (or per term checked, with `all_terms`); formula-like cells disarmed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for seg in report.segments:
        for t in seg["terms"]:
            if all_terms or is_finding(t):
                row = [
                    seg["index"],
                    seg["id"] or "",
                    t["status"],
                    t["entry"],
                    t["zh"],
                    t["occurrences"],
                    " | ".join(t["expected"]),
                    t["matched"] or "",
                    "yes" if t["waived"] else "",
                    seg["source"],
                    seg["target"],
                ]
                writer.writerow([_disarm(c) if isinstance(c, str) else c for c in row])
    return "\ufeff" + out.getvalue()


def _disarm(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_waivers(report: Report) -> str:
    """A waiver file accepting every current finding: pass it back with --waive to see only new ones."""
    lines = ["# glossary qa waivers: ENTRY-ID SEGMENT (unit id or #N); delete a line to check it again"]
    for seg in report.segments:
        ref = seg["id"] or f"#{seg['index']}"
        for t in seg["terms"]:
            if is_finding(t):
                lines.append(f"{t['entry']}\t{ref}")
    return "\n".join(lines) + "\n"


def _marked(text: str, ranges: list[tuple[int, int, str, str | None, str]]) -> str:
    """Text with [start, end) ranges wrapped in <mark>, linked where a URL is given; all text escaped."""
    from markupsafe import escape

    out, pos = [], 0
    for start, end, css, url, title in sorted(ranges, key=lambda r: (r[0], -r[1])):
        if start < pos:
            continue
        out.append(str(escape(text[pos:start])))
        inner = str(escape(text[start:end]))
        if url:
            inner = f'<a href="{escape(url)}">{inner}</a>'
        out.append(f'<mark class="qa-{css}" title="{escape(title)}">{inner}</mark>')
        pos = end
    out.append(str(escape(text[pos:])))
    return "".join(out)


def html_rows(report: Report, entry_url=lambda entry_id: f"/terms/{entry_id}", only_findings: bool = False) -> str:
    """The report's table rows: source and target side by side, terms highlighted in both, findings listed."""
    from markupsafe import escape

    rows = []
    for seg in report.segments:
        if only_findings and not any(is_finding(t) for t in seg["terms"]):
            continue
        src: list[tuple] = []
        tgt: list[tuple] = []
        notes: list[str] = []
        for t in seg["terms"]:
            css = "waived" if t["waived"] else t["status"]
            title = f"{t['headword']} → {' | '.join(t['expected'])}"
            src.extend((s, e, css, entry_url(t["entry"]), title) for s, e in t["spans"])
            if t["matched"] is not None:
                tgt.append((t["target_start"], t["target_end"], css, None, f"{t['status']}: {t['entry']}"))
            if is_finding(t) or (t["status"] == "ok" and not t["exact"]):
                times = f" ×{t['occurrences']}" if t["occurrences"] > 1 else ""
                what = f"has “{escape(t['matched'])}”" if t["matched"] is not None else "no acceptable rendering"
                if t["status"] == "ok":
                    what = f"“{escape(t['matched'])}” taken for “{escape(t['rendering'])}”"
                notes.append(
                    f'<li class="qa-{escape(css)}"><span class="qa-status">{escape(t["status"])}</span> '
                    f'<a href="{escape(entry_url(t["entry"]))}" lang="zh">{escape(t["zh"])}</a>{times}: '
                    f"{what}; expected {escape(_quote(t['expected'][:4]))}</li>"
                )
        label = f"{seg['index']}" + (f'<br><span class="qa-id">{escape(seg["id"])}</span>' if seg["id"] else "")
        rows.append(
            f'<tr id="seg-{seg["index"]}"><td class="qa-n">{label}</td>'
            f'<td lang="zh" class="qa-src">{_marked(seg["source"], src)}</td>'
            f'<td lang="en" class="qa-tgt">{_marked(seg["target"], tgt)}'
            + (f'<ul class="qa-findings">{"".join(notes)}</ul>' if notes else "")
            + "</td></tr>"
        )
    return "\n".join(rows)


STYLE = """body{font:15px/1.5 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f}
table{border-collapse:collapse;width:100%}
td,th{border-top:1px solid #ddd;padding:.4rem .6rem;vertical-align:top;text-align:left}.qa-n{color:#777;width:3rem}
mark{border-radius:3px;padding:0 2px}mark a{color:inherit}.qa-ok{background:#d9f2dd}.qa-missing{background:#ffe2b3}
.qa-deprecated,.qa-forbidden{background:#ffc9c9}.qa-ambiguous{background:#e6e0ff}.qa-waived{background:#eee}
.qa-untranslated{background:#eee}.qa-findings{margin:.3rem 0 0;padding-left:1.1rem;font-size:13px}
.qa-status{font-weight:600}.qa-id{font-size:12px}.qa-summary{margin-bottom:1rem}"""


def summary_line(report: Report) -> str:
    s = report.summary()
    kinds = ", ".join(f"{k} {n}" for k, n in s["by_kind"].items() if n)
    return (
        f"{s['segments']} segments, {s['terms']} terms checked, {s['findings']} findings"
        + (f" ({kinds})" if kinds else "")
        + (f", {s['waived']} waived" if s["waived"] else "")
    )


def to_html(report: Report, title: str = "Terminology QA", entry_url=lambda entry_id: f"/terms/{entry_id}") -> str:
    """A standalone HTML report (its own stylesheet inline)."""
    from markupsafe import escape

    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f'<p class="qa-summary">{escape(summary_line(report))}</p>'
        "<table><thead><tr><th>#</th><th>Chinese</th><th>English</th></tr></thead><tbody>\n"
        f"{html_rows(report, entry_url)}\n</tbody></table></body></html>\n"
    )
