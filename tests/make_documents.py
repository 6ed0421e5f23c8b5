"""Small documents made in the test, never shipped: a .docx with tracked changes (python-docx) and
a PDF with a CJK text layer (fpdf2, Debian's Noto CJK font)."""

from __future__ import annotations

import io
from pathlib import Path

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def make_docx(paragraphs: list[str], inserted: str | None = None, deleted: str | None = None) -> bytes:
    """Paragraphs; optionally a tracked insertion and a tracked deletion appended to the last one."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    for text in paragraphs:
        paragraph = document.add_paragraph(text)
    for tag, text in (("w:ins", inserted), ("w:del", deleted)):
        if text is None:
            continue
        change = OxmlElement(tag)
        change.set(qn("w:id"), "1" if tag == "w:ins" else "2")
        change.set(qn("w:author"), "Reviewer")
        run = OxmlElement("w:r")
        t = OxmlElement("w:t" if tag == "w:ins" else "w:delText")
        t.text = text
        run.append(t)
        change.append(run)
        paragraph._p.append(change)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("noto", fname=str(NOTO), collection_font_number=2)  # Noto Sans CJK SC
    pdf.set_font("noto", size=14)
    pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())
