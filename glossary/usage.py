"""How a term is used in the corpus: timelines (occurrences per period, normalised) and concordance lines.

Both are queries over the occurrences the corpus stored (corpus.py). A timeline counts every span of
the entry, nested ones too, and divides by the size of ALL the documents of the period (characters
other than whitespace), since a corpus is never uniform over time: 3 uses in a thin year may weigh
more than 10 in a thick one. Every period between the first and the last document is listed, zeros too.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

BY = ("year", "quarter", "month")
CONTEXT = 30  # characters each side in a first/last attestation
PERIOD = re.compile(r"(\d{4})(?:-(?:Q([1-4])|(\d\d))(?:-(\d\d))?)?")


class UsageError(Exception):
    """A query that cannot be answered (unknown period format); one line to show."""


def period_of(date: str, by: str) -> str:
    if by == "year":
        return date[:4]
    if by == "quarter":
        return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"
    return date[:7]


def periods_between(first: str, last: str, by: str) -> list[str]:
    """Every period from the one of `first` to the one of `last` (ISO dates), in order."""
    year, month = int(first[:4]), int(first[5:7])
    step = {"year": 12, "quarter": 3, "month": 1}[by]
    month = (month - 1) // step * step + 1
    out: list[str] = []
    end = period_of(last, by)
    while True:
        period = period_of(f"{year:04d}-{month:02d}-01", by)
        out.append(period)
        if period >= end:
            return out
        month += step
        if month > 12:
            year, month = year + 1, month - 12


def period_bounds(value: str) -> tuple[str, str]:
    """First and last date of a period written 2024, 2024-Q3, 2024-07 or 2024-07-15."""
    match = PERIOD.fullmatch(value.strip())
    if not match:
        raise UsageError(f"{value!r} is not a period (2024, 2024-Q3, 2024-07 or 2024-07-15)")
    year, quarter, month, day = match.groups()
    if day:
        return f"{year}-{month}-{day}", f"{year}-{month}-{day}"
    if month:
        return f"{year}-{month}-01", f"{year}-{month}-31"
    if quarter:
        first = (int(quarter) - 1) * 3 + 1
        return f"{year}-{first:02d}-01", f"{year}-{first + 2:02d}-31"
    return f"{year}-01-01", f"{year}-12-31"


def _filters(source: str | None, period: str | None, alias: str = "d") -> tuple[str, list]:
    clauses, params = [], []
    if source:
        clauses.append(f"{alias}.source = ?")
        params.append(source)
    if period:
        start, end = period_bounds(period)
        clauses.append(f"{alias}.date BETWEEN ? AND ?")
        params += [start, end]
    return (" AND ".join(clauses) or "1"), params


def context(text: str, start: int, end: int, width: int = CONTEXT) -> tuple[str, str, str]:
    """(left, match, right) with line breaks and runs of spaces shown as one space."""

    def flat(s: str) -> str:
        return " ".join(s.split())

    return flat(text[max(0, start - width) : start]), flat(text[start:end]), flat(text[end : end + width])


def timeline(corpus, entry_id: str, by: str = "year", source: str | None = None) -> dict:
    """The issue's JSON shape: {entry, by, series: [{period, count, documents, per_10k}], first, last}."""
    if by not in BY:
        raise UsageError(f"--by must be one of {', '.join(BY)}")
    where, params = _filters(source, None)
    sizes: dict[str, int] = {}
    first_date = last_date = None
    for row in corpus.query(f"SELECT date, chars FROM corpus_documents d WHERE {where} ORDER BY date", params):
        period = period_of(row[0], by)
        sizes[period] = sizes.get(period, 0) + row[1]
        first_date = first_date or row[0]
        last_date = row[0]
    counts: dict[str, list] = {}
    rows = corpus.query(
        "SELECT d.date, d.id, count(*) FROM corpus_occurrences o JOIN corpus_documents d ON d.id = o.document_id "
        f"WHERE o.entry_id = ? AND {where} GROUP BY d.id ORDER BY d.date, d.id",
        [entry_id, *params],
    )
    for date, _, n in rows:
        bucket = counts.setdefault(period_of(date, by), [0, 0])
        bucket[0] += n
        bucket[1] += 1
    series = []
    if first_date and last_date:
        for period in periods_between(first_date, last_date, by):
            count, documents = counts.get(period, (0, 0))
            size = sizes.get(period, 0)
            series.append(
                {
                    "period": period,
                    "count": count,
                    "documents": documents,
                    "per_10k": round(count * 10_000 / size, 3) if size else 0.0,
                }
            )
    return {
        "entry": entry_id,
        "by": by,
        "series": series,
        "first": _attestation(corpus, entry_id, where, params, "ASC"),
        "last": _attestation(corpus, entry_id, where, params, "DESC"),
    }


def _attestation(corpus, entry_id: str, where: str, params: list, order: str) -> dict | None:
    rows = corpus.query(
        "SELECT d.date, d.id, o.start, o.end FROM corpus_occurrences o "
        f"JOIN corpus_documents d ON d.id = o.document_id WHERE o.entry_id = ? AND {where} "
        f"ORDER BY d.date {order}, d.id {order}, o.start {order} LIMIT 1",
        [entry_id, *params],
    )
    if not rows:
        return None
    date, document_id, start, end = rows[0]  # the text of that one document only, not of every candidate row
    text = corpus.query("SELECT text FROM corpus_documents WHERE id = ?", (document_id,))[0][0]
    return {"date": date, "document": document_id, "context": "".join(context(text, start, end))}


def timelines_csv(timelines: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["entry", "period", "count", "documents", "per_10k"])
    for t in timelines:
        for point in t["series"]:
            writer.writerow([t["entry"], point["period"], point["count"], point["documents"], point["per_10k"]])
    return out.getvalue()


def timelines_text(timelines: list[dict], labels: dict[str, str]) -> str:
    """A table: one row per period, one column group per term (count, documents, per 10k), then the
    first and last attestations."""
    if not timelines:
        return ""
    periods = [p["period"] for p in timelines[0]["series"]]
    heads = [labels.get(t["entry"], t["entry"]) for t in timelines]
    lines = ["period".ljust(9) + "".join(f"{h}  (n / docs / per 10k)".rjust(34) for h in heads)]
    for i, period in enumerate(periods):
        cells = []
        for t in timelines:
            p = t["series"][i]
            cells.append(f"{p['count']:>8} {p['documents']:>6} {p['per_10k']:>10.3f}".rjust(34))
        lines.append(period.ljust(9) + "".join(cells))
    for t, head in zip(timelines, heads, strict=True):
        for which in ("first", "last"):
            a = t[which]
            lines.append(f"{which} {head}: " + (f"{a['date']} (document {a['document']}) {a['context']}" if a else "—"))
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Line:
    """One concordance line."""

    document: int
    date: str
    source: str
    title: str
    start: int
    end: int
    left: str
    match: str
    right: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


SORTS = ("date", "left", "right")


def kwic(
    corpus,
    entry_id: str,
    *,
    sort: str = "date",
    source: str | None = None,
    period: str | None = None,
    width: int = 20,
    limit: int | None = 200,
    nested: bool = True,
) -> tuple[list[Line], int]:
    """Keyword-in-context lines of an entry, and how many there are in all. `sort`: date (oldest
    first), left (by the words just before the term, read right to left) or right (just after)."""
    if sort not in SORTS:
        raise UsageError(f"--sort must be one of {', '.join(SORTS)}")
    where, params = _filters(source, period)
    if not nested:
        where += " AND o.nested = 0"
    total = corpus.query(
        "SELECT count(*) FROM corpus_occurrences o JOIN corpus_documents d ON d.id = o.document_id "
        f"WHERE o.entry_id = ? AND {where}",
        [entry_id, *params],
    )[0][0]
    limited = sort == "date" and limit
    rows = corpus.query(
        "SELECT d.id, d.date, d.source, d.title, o.start, o.end "
        "FROM corpus_occurrences o JOIN corpus_documents d ON d.id = o.document_id "
        f"WHERE o.entry_id = ? AND {where} ORDER BY d.date, d.id, o.start" + (" LIMIT ?" if limited else ""),
        [entry_id, *params] + ([limit] if limited else []),  # other orders need every line's context
    )
    texts: dict[int, str] = {}  # each document's text read once, however many lines it has
    lines = []
    for document_id, date, source, title, start, end in rows:
        if document_id not in texts:
            texts[document_id] = corpus.query("SELECT text FROM corpus_documents WHERE id = ?", (document_id,))[0][0]
        left, match, right = context(texts[document_id], start, end, width)
        lines.append(Line(document_id, date, source, title, start, end, left, match, right))
    if sort == "left":
        lines.sort(key=lambda line: (line.left[::-1], line.date))
    elif sort == "right":
        lines.sort(key=lambda line: (line.right, line.date))
    return (lines[:limit] if limit else lines), total


def kwic_text(lines: list[Line], width: int = 20) -> str:
    out = []
    for line in lines:
        left = line.left.rjust(width, "\u3000") if len(line.left) < width else line.left
        out.append(f"{line.date}  {line.document:>6}  {left} [{line.match}] {line.right}")
    return "\n".join(out) + ("\n" if out else "")
