"""Documents in: the text of a plain-text file (UTF-8, GB18030/GBK, Big5, UTF-16/32; detected or named),
a Word .docx (the accepted text: insertions in, deletions out; a warning when tracked changes are
present), a PDF's text layer (a warning when it comes out garbled) and an HTML page's visible text.

`read(data, name=None, encoding=None) -> Document`; `DocumentError` for what cannot be read (a message
to show as it is). The libraries (charset-normalizer, python-docx, pypdf) load only when needed."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser

# A byte-order mark decides, wherever text comes from (files, standard input, uploads).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What detection may answer: the encodings Chinese text comes in. GB2312 and GBK are read as GB18030,
# their superset, so a rarer character in a "GBK" file is not lost.
# UTF-16 without a mark is recognised by the zero bytes of its ASCII characters (line breaks, digits);
# a UTF-16 file of Chinese alone with no mark and no ASCII needs --encoding utf-16-le.
DETECTABLE = ["utf_8", "gb18030", "gbk", "gb2312", "big5", "big5hkscs"]
SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}
CID = re.compile(r"\(cid:\d+\)")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
KINDS = ("text", "docx", "pdf", "html")


class DocumentError(Exception):
    """A document that cannot be read; the message says why, in one line."""


@dataclass
class Document:
    text: str
    kind: str
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


def kind_of(data: bytes, name: str | None = None) -> str:
    suffix = (name or "").lower().rsplit(".", 1)[-1] if name and "." in name else ""
    if data.startswith(b"%PDF") or suffix == "pdf":
        return "pdf"
    if data.startswith(b"PK\x03\x04") or suffix == "docx":
        return "docx"
    if suffix in ("html", "htm", "xhtml"):
        return "html"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def read(data: bytes, name: str | None = None, encoding: str | None = None) -> Document:
    kind = kind_of(data, name)
    if kind == "pdf":
        return read_pdf(data)
    if kind == "docx":
        return read_docx(data)
    text, used = decode(data, encoding, name or "the file")
    if kind == "html":
        return Document(html_text(text), "html", used)
    return Document(text, "text", used)


def bom(data: bytes) -> tuple[str, int] | None:
    for mark, codec in BOMS:
        if data.startswith(mark):
            return codec, len(mark)
    return None


def decode(data: bytes, encoding: str | None = None, source: str = "the file") -> tuple[str, str]:
    """Text and the encoding it was read in: a byte-order mark first, then the named encoding
    ('auto' or None: UTF-8 if it is valid, else what charset-normalizer detects among DETECTABLE)."""
    marked = bom(data)
    if marked:
        codec, skip = marked
        try:
            return data[skip:].decode(codec), codec
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"{source} starts with a {codec} byte-order mark but is not {codec} (offset {exc.start + skip})"
            ) from None
    if encoding and encoding.lower() != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DocumentError(f"unknown encoding {encoding!r}") from None
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"{source} is not {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    wide = _utf16_without_mark(data)
    if wide:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=DETECTABLE).best()
    if best is not None:
        codec = SUPERSET.get(best.encoding, best.encoding)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    raise DocumentError(
        f"{source} is not UTF-8 text, nor GB18030, Big5 or UTF-16 (byte 0x{data[first_bad]:02x} "
        f"at offset {first_bad}); name its encoding with --encoding"
    )


def _utf16_without_mark(data: bytes) -> str | None:
    if len(data) % 2 or b"\0" not in data:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd > 2 * even and odd >= len(data) // 20:
        return "utf-16-le"
    if even > 2 * odd and even >= len(data) // 20:
        return "utf-16-be"
    return None


# ---------------------------------------------------------------- Word

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TRACKED = (f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo")
REMOVED = (f"{W}del", f"{W}moveFrom")


def read_docx(data: bytes) -> Document:
    """Paragraphs (and table cells) in document order, as if every tracked change were accepted."""
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"not a Word .docx file ({exc})") from None
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise DocumentError(f"cannot read the .docx file: {exc}") from None
    body = document.element.body
    tracked = sum(1 for el in body.iter(*TRACKED))
    paragraphs = []
    for p in body.iter(f"{W}p"):
        parts = []
        for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
            if any(a.tag in REMOVED for a in el.iterancestors()):
                continue
            if el.tag == f"{W}t":
                parts.append(el.text or "")
            else:
                parts.append("\t" if el.tag == f"{W}tab" else "\n")
        paragraphs.append("".join(parts))
    warnings = []
    if tracked:
        warnings.append(
            f"the document has {tracked} tracked change(s): read as if all were accepted "
            "(insertions kept, deletions left out)"
        )
    return Document("\n".join(paragraphs), "docx", None, warnings)


# ---------------------------------------------------------------- PDF


def read_pdf(data: bytes) -> Document:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as exc:
        raise DocumentError(f"cannot read the PDF: {exc}") from None
    except Exception as exc:  # a damaged file can fail anywhere inside the parser
        raise DocumentError(f"cannot read the PDF: {exc}") from None
    text = CONTROL.sub("", "\n".join(pages))  # some ToUnicode maps hand out a NUL before every character
    return Document(text, "pdf", None, pdf_warnings(text, len(pages)))


def pdf_warnings(text: str, pages: int) -> list[str]:
    """What a reader should know about an extracted text layer."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return [f"the PDF ({pages} page(s)) has no text layer (a scan?): run OCR first"]
    cids = len(CID.findall(text))
    bad = sum(1 for c in visible if c == "\ufffd" or "\ue000" <= c <= "\uf8ff")
    if cids or bad > len(visible) // 20:
        return [
            f"the PDF's text came out garbled ({cids} unmapped glyphs like (cid:NNNN), {bad} unreadable "
            "characters): its fonts lack a Unicode map; terms may be missed"
        ]
    return []


# ---------------------------------------------------------------- HTML

HIDDEN = {"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe", "object"}
BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "hr",
    "main",
    "aside",
    "nav",
    "figcaption",
}
VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCK:
            self.parts.append("\n")
        if tag in VOID and tag in HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The text a reader sees: scripts, styles and the head left out, blocks on lines of their own."""
    parser = _Visible()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
