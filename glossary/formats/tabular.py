"""Rows of zh and en: TSV or CSV (with or without a header) and JSON Lines.

A header is recognised when its cells name the columns (zh / source / chinese, en / target / english,
optionally id and note or comment). Without one, the first column holding Chinese is the source and the
next column the target; rows of one column are refused. JSON Lines: one object per line with "zh" and "en"
(or "source" and "target"), optionally "id" and "note".
"""

from __future__ import annotations

import csv
import io
import json
import re

from glossary.formats.bilingual import BilingualError, Segment, decode

HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")
SOURCE_NAMES = ("zh", "zh-cn", "zh-hans", "zh-tw", "zh-hant", "zh-hk", "source", "chinese", "src", "cn")
TARGET_NAMES = ("en", "en-us", "en-gb", "target", "english", "tgt", "translation")
ID_NAMES = ("id", "segment", "segment id", "key", "#")
NOTE_NAMES = ("note", "notes", "comment", "comments")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    cells = [cell.strip().lower() for cell in header]
    return next((i for i, cell in enumerate(cells) if cell in names), None)


def read_table(data: bytes, name: str, delimiter: str) -> list[Segment]:
    text = decode(data, name)
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:
        raise BilingualError(f"{name}: not readable as {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})") from None
    if not rows:
        raise BilingualError(f"{name}: no rows")
    header = rows[0]
    src, tgt = _column(header, SOURCE_NAMES), _column(header, TARGET_NAMES)
    ident, note = None, None
    start = 0
    if src is not None and tgt is not None:
        ident, note, start = _column(header, ID_NAMES), _column(header, NOTE_NAMES), 1
    else:
        width = max(len(row) for row in rows)
        if width < 2:
            raise BilingualError(
                f"{name}: one column only; expected zh and en columns "
                f"separated by {'tabs' if delimiter == chr(9) else 'commas'}"
            )
        han = [sum(bool(HAN.search(row[i])) for row in rows if i < len(row)) for i in range(width)]
        src = max(range(width - 1), key=lambda i: han[i])
        if not han[src]:
            raise BilingualError(f"{name}: no column holds Chinese text")
        tgt = src + 1
    segments: list[Segment] = []
    for number, row in enumerate(rows[start:], start + 1):
        if src >= len(row):
            raise BilingualError(f"{name}: row {number} has no {('source', 'zh')[start == 0]} column")
        segments.append(
            Segment(
                len(segments) + 1,
                row[src],
                row[tgt] if tgt < len(row) else "",
                row[ident].strip() if ident is not None and ident < len(row) and row[ident].strip() else None,
                (row[note],) if note is not None and note < len(row) and row[note].strip() else (),
            )
        )
    return segments


def read_jsonl(data: bytes, name: str) -> list[Segment]:
    segments: list[Segment] = []
    for number, line in enumerate(decode(data, name).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise BilingualError(f"{name}: line {number} is not JSON ({exc})") from None
        if not isinstance(record, dict):
            raise BilingualError(f"{name}: line {number} is not a JSON object")
        source = record.get("zh", record.get("source"))
        target = record.get("en", record.get("target", ""))
        if not isinstance(source, str) or not isinstance(target, str):
            raise BilingualError(f'{name}: line {number} needs "zh" and "en" strings')
        ident = record.get("id")
        note = record.get("note")
        segments.append(
            Segment(
                len(segments) + 1,
                source,
                target,
                None if ident is None else str(ident),
                (note,) if isinstance(note, str) and note.strip() else (),
            )
        )
    if not segments:
        raise BilingualError(f"{name}: no lines")
    return segments
