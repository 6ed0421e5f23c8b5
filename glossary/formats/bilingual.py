"""Bilingual files in (for QA): each reader turns one family of formats into aligned segments.

`read(path)` picks the reader by the file's name and content; `read_pair(zh, en)` reads two line-aligned
text files. Every reader refuses what it cannot read with a BilingualError whose message is one line
naming the file and what is wrong. XML is parsed with defusedxml (no entity expansion, no external
entities), so a hostile file cannot exhaust memory or read local files.

    xliff.py    XLIFF 1.2 (memoQ, Trados SDLXLIFF, OmegaT, Phrase) and XLIFF 2.x
    tmx.py      TMX 1.4
    tabular.py  TSV / CSV (zh, en columns, header optional) and JSON Lines ({"zh": …, "en": …})
    text.py     two line-aligned plain-text files
    docx.py     bilingual DOCX tables (memoQ, Trados, Phrase review exports); refused with tracked changes
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

MAX_FILE_BYTES = 200 * 1024 * 1024


class BilingualError(ValueError):
    """A bilingual file that cannot be read; the message is one line and names the file."""


class Segment(NamedTuple):  # immutable like the model's records; a NamedTuple is cheaper to make by the thousand
    index: int  # type: ignore[assignment]  # 1-based position in the file (shadows tuple.index)
    source: str
    target: str
    id: str | None = None  # the unit's id where the format has one
    notes: tuple[str, ...] = ()  # translator notes and comments (waiver markers live here)

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "notes": list(self.notes),
        }


FORMATS = ("xliff", "tmx", "tsv", "csv", "jsonl", "docx")
EXTENSIONS = {
    ".xlf": "xliff",
    ".xliff": "xliff",
    ".sdlxliff": "xliff",
    ".mqxliff": "xliff",
    ".mxliff": "xliff",
    ".tmx": "tmx",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".docx": "docx",
}


def sniff(name: str, data: bytes) -> str | None:
    """The format of a file, by its name, else by its first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"<"):
        low = head.lower()
        return "tmx" if b"<tmx" in low else "xliff" if b"<xliff" in low else None
    if head.startswith(b"{"):
        return "jsonl"
    first = head.split(b"\n", 1)[0]
    return "tsv" if b"\t" in first else "csv" if b"," in first else None


def read_bytes(data: bytes, name: str, fmt: str | None = None) -> list[Segment]:
    """Segments of a bilingual file given as bytes (an upload); `name` is used in messages and to sniff.
    Read with the cycle collector paused: an XML tree is tens of thousands of elements, freed when
    read, with no cycles, that its runs went over again and again (see annotate.collector_paused)."""
    from glossary.annotate import collector_paused

    return collector_paused(_read_bytes)(data, name, fmt)


def _read_bytes(data: bytes, name: str, fmt: str | None) -> list[Segment]:
    fmt = fmt or sniff(name, data)
    if fmt is None:
        raise BilingualError(f"{name}: not a bilingual format this reads (XLIFF, TMX, TSV, CSV, JSON Lines, DOCX)")
    if fmt == "xliff":
        from glossary.formats import xliff

        segments = xliff.read(data, name)
    elif fmt == "tmx":
        from glossary.formats import tmx

        segments = tmx.read(data, name)
    elif fmt in ("tsv", "csv"):
        from glossary.formats import tabular

        segments = tabular.read_table(data, name, "\t" if fmt == "tsv" else ",")
    elif fmt == "jsonl":
        from glossary.formats import tabular

        segments = tabular.read_jsonl(data, name)
    elif fmt == "docx":
        from glossary.formats import docx

        segments = docx.read(data, name)
    else:
        raise BilingualError(f"{name}: unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    return segments


def read_file(path: str | Path, fmt: str | None = None) -> list[Segment]:
    path = Path(path)
    return read_bytes(_read(path), str(path), fmt)


def read_pair(source: str | Path, target: str | Path) -> list[Segment]:
    from glossary.formats import text

    return text.read_pair(_read(Path(source)), str(source), _read(Path(target)), str(target))


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise BilingualError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB")
        return path.read_bytes()
    except OSError as exc:
        raise BilingualError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def decode(data: bytes, name: str) -> str:
    """UTF-8 (a byte-order mark dropped), or UTF-16 with its mark; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BilingualError(f"{name}: not valid UTF-16 text") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BilingualError(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


PLAIN_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["'](?:utf-?8|us-ascii|ascii)["']""", re.IGNORECASE)
NO_ENCODING = re.compile(rb"""^<\?xml(?:(?!encoding)[^>])*\?>|^(?!<\?xml)""")


def parse_xml(data: bytes, name: str):
    """The root element of an XML file, parsed safely (no DTD entities, no external references).

    Entities, internal or external, can only be declared in a document type declaration. A file that
    has none — every XLIFF and TMX a CAT tool writes — is read in UTF-8 or ASCII (so the byte search
    for "<!DOCTYPE" cannot be fooled by another encoding) and then parsed by the standard library's C
    parser, which is several times faster than defusedxml's pure-Python one. Anything else (a
    DOCTYPE, UTF-16, another declared encoding) goes through defusedxml, which refuses entity
    declarations and external references."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    head = head.lstrip(b" \t\r\n")
    plain = (
        b"\x00" not in data
        and b"<!DOCTYPE" not in data
        and b"<!ENTITY" not in data
        and (PLAIN_ENCODING.match(head) or NO_ENCODING.match(head))
    )
    try:
        if plain:
            from xml.etree.ElementTree import fromstring as plain_fromstring

            return plain_fromstring(data)
        return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BilingualError(f"{name}: refused: the XML declares entities or external references ({exc})") from None
    except ParseError as exc:
        raise BilingualError(f"{name}: not well-formed XML ({exc})") from None


def local(tag) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
