"""The annotate page takes files (test client): GB18030 text, .docx with tracked changes, PDF; the
inline English, skip link and tooltip renderings are on the page."""

from __future__ import annotations

import io
import json
import re

from make_documents import make_docx, make_pdf


def post_file(client, data: bytes, name: str, **fields):
    return client.post(
        "/annotate",
        data={"text": "", "ambiguous": "on", **fields, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def annotated(html: str) -> str:
    return html.split('<div class="annotated" lang="zh">', 1)[1].split("</div>", 1)[0]


def test_gb18030_upload_is_detected_and_said(client):
    response = post_file(client, "坚持新型举国体制，发展人工智能".encode("gb18030"), "notice.txt")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-id="xinxing-juguo-tizhi"' in annotated(html)
    assert "notice.txt was read as gb18030" in html
    assert "坚持新型举国体制，发展人工智能</textarea>" in html  # the text is in the form to edit or export


def test_docx_upload_warns_about_tracked_changes(client):
    response = post_file(client, make_docx(["坚持新型举国体制"], inserted="发展人工智能", deleted="旧"), "r.docx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "tracked change" in html
    assert 'data-id="rengong-zhineng"' in annotated(html) and "旧" not in annotated(html)


def test_pdf_upload(client):
    html = post_file(client, make_pdf("发展通用人工智能"), "r.pdf").get_data(as_text=True)
    assert 'data-id="tongyong-rengong-zhineng"' in annotated(html)


def test_unreadable_upload_is_a_400_with_the_reason(client):
    response = post_file(client, b"%PDF-1.4 broken", "r.pdf")
    assert response.status_code == 400 and "Cannot read r.pdf" in response.get_data(as_text=True)
    response = post_file(client, b"x", "a.txt", encoding="ebcdic")
    assert response.status_code == 400 and "Unknown encoding" in response.get_data(as_text=True)


def test_inline_english_skip_link_and_tooltip_renderings(client):
    html = client.post("/annotate", data={"text": "探索通用人工智能", "ambiguous": "on"}).get_data(as_text=True)
    assert '<span class="gloss" lang="en">artificial general intelligence (AGI)</span>' in annotated(html)
    assert 'id="show-english"' in html and 'class="skip-link" href="#terms"' in html and 'id="terms"' in html
    assert html.index("skip-link") < html.index('class="annotated"')
    data = json.loads(re.search(r'id="annotation-data">(.*?)</script>', html, re.S).group(1))
    statuses = [r["status"] for r in data["renderings"]["tongyong-rengong-zhineng"]]
    assert statuses[0] == "preferred" and len(statuses) >= 1
