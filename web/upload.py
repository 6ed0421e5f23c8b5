"""A document uploaded to the annotate page: read with glossary.formats.documents (plain text in any
Chinese encoding, .docx, PDF, HTML), its warnings shown above the result."""

from __future__ import annotations

ENCODINGS = ("auto", "utf-8", "gb18030", "big5", "utf-16")


class UploadProblem(Exception):
    """An upload that cannot be read; the message is shown on the page."""


def read_upload(storage, encoding: str | None) -> tuple[str, list[str]]:
    from glossary.formats.documents import DocumentError, read

    if encoding not in (None, *ENCODINGS):
        raise UploadProblem(f"Unknown encoding “{encoding}”; choose one of {', '.join(ENCODINGS)}.")
    data = storage.read()
    name = storage.filename or "the file"
    try:
        document = read(data, name, encoding)
    except DocumentError as exc:
        raise UploadProblem(f"Cannot read {name}: {str(exc).replace('the file', 'it', 1)}") from None
    notices = [f"{name}: {w}" for w in document.warnings]
    if document.encoding and document.encoding not in ("utf-8", "utf_8"):
        notices.insert(0, f"{name} was read as {document.encoding}.")
    return document.text.replace("\r\n", "\n").replace("\r", "\n"), notices
