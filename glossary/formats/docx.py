"""Bilingual DOCX: the review tables memoQ, Trados and Phrase export (a row per segment: id, source,
target, comment, status). Read straight from the package's XML with defusedxml, not python-docx, because
python-docx reads tracked insertions as absent and deletions as present: a document with tracked
changes is refused rather than checked as the wrong text.
"""

from __future__ import annotations

import io
import zipfile

from glossary.formats.bilingual import BilingualError, Segment, local, parse_xml
from glossary.formats.tabular import HAN, ID_NAMES, NOTE_NAMES, SOURCE_NAMES, TARGET_NAMES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TRACKED = ("ins", "del", "moveFrom", "moveTo")
MAX_XML_BYTES = 100 * 1024 * 1024


def _cell_text(cell) -> str:
    paragraphs = []
    for p in cell.iter(W + "p"):
        parts = []
        for node in p.iter():
            tag = local(node.tag)
            if tag == "t":
                parts.append(node.text or "")
            elif tag == "tab":
                parts.append("\t")
            elif tag in ("br", "cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs).strip()


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    """The column a header cell names ("Source (zh-CN)" names the source)."""
    return next((i for i, cell in enumerate(header) if cell in names or cell.split(" (")[0] in names), None)


def read(data: bytes, name: str) -> list[Segment]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo("word/document.xml")
            if info.file_size > MAX_XML_BYTES:
                raise BilingualError(f"{name}: word/document.xml is larger than {MAX_XML_BYTES // 2**20} MB")
            xml = package.read(info)
    except (zipfile.BadZipFile, KeyError):
        raise BilingualError(f"{name}: not a Word document (no word/document.xml in a ZIP package)") from None
    root = parse_xml(xml, name)
    tracked = sum(1 for node in root.iter() if local(node.tag) in TRACKED)
    if tracked:
        raise BilingualError(
            f"{name}: has {tracked} tracked change(s); accept or reject them in Word first, "
            "so the text checked is the text you mean"
        )
    for table in root.iter(W + "tbl"):
        rows = [[_cell_text(c) for c in tr if local(c.tag) == "tc"] for tr in table if local(tr.tag) == "tr"]
        rows = [row for row in rows if any(row)]
        if not rows or max(len(r) for r in rows) < 2:
            continue
        header = [cell.lower() for cell in rows[0]]

        src, tgt, ident, note = (_column(header, names) for names in (SOURCE_NAMES, TARGET_NAMES, ID_NAMES, NOTE_NAMES))
        body = rows[1:] if src is not None and tgt is not None else rows
        if src is None or tgt is None:
            width = max(len(r) for r in rows)
            han = [sum(bool(HAN.search(r[i])) for r in rows if i < len(r)) for i in range(width)]
            src = max(range(width - 1), key=lambda i: han[i])
            if not han[src]:
                continue
            tgt, ident, note = src + 1, None, None
        segments = [
            Segment(
                n,
                row[src] if src < len(row) else "",
                row[tgt] if tgt < len(row) else "",
                row[ident] if ident is not None and ident < len(row) and row[ident] else None,
                (row[note],) if note is not None and note < len(row) and row[note] else (),
            )
            for n, row in enumerate(body, 1)
        ]
        if segments:
            return segments
    raise BilingualError(f"{name}: no bilingual table (a table with Chinese and English columns) found")
