"""Documents in: plain text in every encoding Chinese text comes in, Word .docx (accepted text, tracked
changes warned about), PDF text layers (garbling warned about), HTML's visible text; and the CLI's --file."""

from __future__ import annotations

import subprocess
import sys

import pytest
from make_documents import make_docx, make_pdf

from glossary.formats.documents import DocumentError, decode, html_text, pdf_warnings, read

TEXT = "坚持新型举国体制，发展人工智能。\n第二行 2025"
HANT = "堅持新型舉國體制，發展人工智慧。"


@pytest.mark.parametrize(
    "data,encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16-le"),  # with its byte-order mark
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # without: the zero bytes of "2025" and the line break say it
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-32"), "utf-32-le"),
    ],
)
def test_plain_text_encodings_are_detected(data, encoding):
    document = read(data, "notice.txt")
    assert document.text == TEXT and document.kind == "text" and document.encoding == encoding


def test_big5_is_detected_and_read_as_big5_hkscs():
    document = read(HANT.encode("big5"), "notice.txt")
    assert document.text == HANT and document.encoding.startswith("big5")


def test_named_encoding_wins_and_wrong_ones_are_one_line_errors():
    assert decode(HANT.encode("big5"), "big5")[0] == HANT
    with pytest.raises(DocumentError, match="is not big5 text"):
        decode(TEXT.encode("gb18030"), "big5")
    with pytest.raises(DocumentError, match="unknown encoding"):
        decode(b"x", "no-such-codec")
    with pytest.raises(DocumentError, match="is not UTF-8 text, nor GB18030"):
        decode("café".encode("latin-1"))


def test_docx_reads_the_accepted_text_and_warns_about_tracked_changes():
    document = read(make_docx(["第一段：新型举国体制", "发展"], inserted="人工智能", deleted="区块链"), "a.docx")
    assert document.kind == "docx"
    assert document.text == "第一段：新型举国体制\n发展人工智能"
    assert len(document.warnings) == 1 and "tracked change" in document.warnings[0]
    assert read(make_docx(["人工智能"])).warnings == []  # recognised by its bytes, no name needed


def test_broken_docx_is_a_one_line_error():
    with pytest.raises(DocumentError):
        read(b"PK\x03\x04 not really a zip", "a.docx")


def test_pdf_text_layer():
    document = read(make_pdf("坚持新型举国体制，发展通用人工智能。"), "a.pdf")
    assert document.kind == "pdf" and document.warnings == []
    assert document.text.strip() == "坚持新型举国体制，发展通用人工智能。"


def test_garbled_or_empty_pdf_text_is_warned_about():
    assert "garbled" in pdf_warnings("(cid:1234)(cid:99) 人工", 1)[0]
    assert "no text layer" in pdf_warnings("  \n", 3)[0]
    assert pdf_warnings("人工智能", 1) == []
    with pytest.raises(DocumentError):
        read(b"%PDF-1.4 broken", "a.pdf")


def test_html_visible_text_only():
    page = (
        "<!doctype html><html><head><title>标题</title><style>p{}</style><script>var 人工智能=1</script>"
        "</head><body><p>发展<b>人工</b>智能</p><div>新型举国体制&amp;</div><br>末</body></html>"
    )
    assert html_text(page) == "发展人工智能\n新型举国体制&\n末"
    assert read(page.encode("gb18030"), "page.html").text == "发展人工智能\n新型举国体制&\n末"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "glossary", *args], capture_output=True, timeout=120)


def test_cli_annotates_files_of_every_kind(db_path, tmp_path):
    files = {
        "gb.txt": TEXT.encode("gb18030"),
        "report.docx": make_docx(["坚持新型举国体制"], inserted="，发展人工智能", deleted="旧词"),
        "report.pdf": make_pdf("坚持新型举国体制，发展人工智能"),
        "page.html": "<html><body><p>坚持新型举国体制，发展人工智能</p></body></html>".encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        result = cli("annotate", "--db", str(db_path), "--format", "json", "--file", str(tmp_path / name))
        assert result.returncode == 0, (name, result.stderr.decode())
        out = result.stdout.decode()
        assert "xinxing-juguo-tizhi" in out and "rengong-zhineng" in out, name
        if name.endswith(".docx"):
            assert "tracked change" in result.stderr.decode()
            assert "旧词" not in out


def test_cli_encoding_option_for_files_and_stdin(db_path, tmp_path):
    (tmp_path / "b5.txt").write_bytes(HANT.encode("big5"))
    result = cli("annotate", "--db", str(db_path), "--encoding", "big5", "--file", str(tmp_path / "b5.txt"))
    assert result.returncode == 0 and "人工智慧" in result.stdout.decode()
    piped = subprocess.run(
        [sys.executable, "-m", "glossary", "annotate", "--db", str(db_path), "--encoding", "gbk"],
        input=TEXT.encode("gbk"),
        capture_output=True,
        timeout=120,
    )
    assert piped.returncode == 0 and "人工智能" in piped.stdout.decode()
    marked = subprocess.run(
        [sys.executable, "-m", "glossary", "annotate", "--db", str(db_path)],
        input=TEXT.encode("utf-16"),
        capture_output=True,
        timeout=120,
    )
    assert marked.returncode == 0 and "人工智能" in marked.stdout.decode()  # a byte-order mark decides on stdin too
    bad = cli("annotate", "--db", str(db_path), "--encoding", "nope", "--file", str(tmp_path / "b5.txt"))
    assert bad.returncode == 1 and "unknown encoding" in bad.stderr.decode() and "Traceback" not in bad.stderr.decode()
