"""File upload and the inline-English view in real headless Chromium against `glossary serve`:
a GB18030 text file, a .docx with tracked changes and a PDF are chosen in the file field and annotated;
English stands under each term and can be hidden; the skip link takes one Tab past the annotated text."""

from __future__ import annotations

import os

import pytest
from make_documents import make_docx, make_pdf
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("GLOSSARY_SCREENSHOTS")  # a folder to save screenshots in, when set (never the repo)


def upload(page, server, path):
    page.goto(server + "/annotate")
    page.set_input_files("#file", str(path))
    page.click("form#annotate-form button[type=submit]")
    page.wait_for_selector(".annotated a.term")


def test_gb18030_text_file_upload(page, server, tmp_path):
    path = tmp_path / "notice.txt"
    path.write_bytes("國務院提出堅持新型舉國體制，发展通用人工智能。".encode("gb18030"))
    upload(page, server, path)
    expect(page.locator(".notice").first).to_contain_text("read as gb18030")
    expect(page.locator('.annotated a.term[data-id="xinxing-juguo-tizhi"]')).to_have_count(1)
    expect(page.locator("#text")).to_have_value("國務院提出堅持新型舉國體制，发展通用人工智能。")


def test_docx_upload_with_tracked_changes(page, server, tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(make_docx(["坚持新型举国体制，"], inserted="发展人工智能", deleted="删去的话"))
    upload(page, server, path)
    expect(page.locator(".notice")).to_contain_text("tracked change")
    expect(page.locator('.annotated a.term[data-id="rengong-zhineng"]')).to_have_count(1)
    expect(page.locator(".annotated")).not_to_contain_text("删去的话")


def test_pdf_upload(page, server, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf("坚持新型举国体制，发展通用人工智能。"))
    upload(page, server, path)
    expect(page.locator('.annotated a.term[data-id="tongyong-rengong-zhineng"]')).to_have_count(1)


def test_inline_english_view_and_skip_link(page, server):
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(server + "/annotate")
    page.fill("#text", "国务院提出坚持新型举国体制，加快发展通用人工智能。浪潮等企业表示，人工智能产业将迎来新机遇。")
    page.click("form#annotate-form button[type=submit]")
    term = page.locator('.annotated a.term[data-id="tongyong-rengong-zhineng"]')
    gloss = term.locator(".gloss")
    expect(gloss).to_be_visible()
    expect(gloss).to_have_text("artificial general intelligence (AGI)")
    han, english = term.locator("ruby").bounding_box(), gloss.bounding_box()
    assert english["y"] >= han["y"] + han["height"] - 2  # on the line under the term, not beside it
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "annotate-both.png"), full_page=True)
    page.click("label[for=show-pinyin]")
    expect(term.locator("rt")).to_be_hidden()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "annotate-english.png"), full_page=True)
    page.click("label[for=show-pinyin]")
    page.click("label[for=show-english]")
    expect(gloss).to_be_hidden()
    expect(term.locator("rt")).to_be_visible()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "annotate-pinyin.png"), full_page=True)
    page.reload()  # the choice is remembered
    expect(page.locator("#show-english")).not_to_be_checked()
    page.click("label[for=show-english]")
    # keyboard: from the toggles, one Tab reaches the skip link, Enter, and the next Tab is an export button
    page.locator("#show-english").focus()
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(".export button").first).to_be_focused()
    # the tooltip lists the other renderings with their status
    term.hover()
    expect(page.locator("#term-tip")).to_contain_text("general artificial intelligence (also admitted)")
