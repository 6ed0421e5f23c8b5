"""The web site in real headless Chromium against a real `glossary serve`: search, entry pages,
annotate with tooltips and the pinyin toggle, export, keyboard use, no-JavaScript use, phone width."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PARAGRAPH = (
    "國務院印發意見，提出堅持新型舉國體制，加快發展通用人工智慧。浪潮等企業表示，人工智慧產業將迎來新的發展機遇。"
)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def errors(page):
    """Console errors and CSP violations seen by the page; a test asserts the list stays empty."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def annotate(page, server, text=PARAGRAPH):
    page.goto(server + "/annotate")
    page.fill("#text", text)
    page.click("form#annotate-form button[type=submit]")
    page.wait_for_selector(".annotated a.term")


def test_search_by_toneless_pinyin_then_open_the_entry(page, server, errors):
    page.goto(server + "/")
    page.fill("#q", "tongyong rengong zhineng")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?q=tongyong"))
    first = page.locator("ol.entries li").first
    expect(first.locator(".zh")).to_have_text("通用人工智能")
    expect(first.locator(".pinyin")).to_have_text("tōngyòng réngōng zhìnéng")
    expect(first.locator(".en")).to_have_text("artificial general intelligence (AGI)")
    first.locator("a.term-link").click()
    page.wait_for_url(server + "/terms/tongyong-rengong-zhineng")
    expect(page.locator("#preferred")).to_have_text("artificial general intelligence (AGI)")
    expect(page.locator("#quote-1 blockquote")).to_contain_text("Local governments piloted AGI")
    expect(page.locator("#quote-1 .quote-source")).to_contain_text("A sample article")
    assert errors == []


def test_copy_button_copies_the_rendering(browser, server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(server + "/terms/xinxing-juguo-tizhi")
        button = page.locator(".preferred button.copy")
        expect(button).to_be_visible()
        button.click()
        expect(button).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == "new national system"
    finally:
        context.close()


def test_annotate_traditional_paragraph_and_hover_a_term(page, server, errors):
    annotate(page, server)
    term = page.locator('.annotated a.term[data-id="tongyong-rengong-zhineng"]')
    expect(term).to_contain_text("通用人工智慧")
    expect(term.locator("rt")).to_have_text("tōngyòng réngōng zhìhuì")  # the reading of the form on the page
    tip = page.locator("#term-tip")
    expect(tip).to_be_hidden()
    term.hover()
    expect(tip).to_be_visible()
    expect(tip.locator(".tip-en")).to_have_text("artificial general intelligence (AGI)")
    expect(tip.locator(".tip-py")).to_have_text("tōngyòng réngōng zhìhuì")
    expect(tip.locator(".tip-quote")).to_contain_text("Local governments piloted AGI (通用人工智能) initiatives.")
    expect(tip.locator(".tip-src")).to_contain_text("Test Review, A sample article, 2025-01-02")
    expect(tip.locator("a.tip-link")).to_have_attribute("href", "/terms/tongyong-rengong-zhineng#quote-1")
    # the tooltip sits next to the term, inside the window
    box, term_box = tip.bounding_box(), term.bounding_box()
    assert abs(box["y"] - (term_box["y"] + term_box["height"])) < 40 or box["y"] + box["height"] <= term_box["y"]
    # the tooltip's link leads to the quote on the entry page
    tip.locator("a.tip-link").click()
    page.wait_for_url(server + "/terms/tongyong-rengong-zhineng#quote-1")
    expect(page.locator(".quote:target")).to_have_attribute("id", "quote-1")
    assert errors == []


def test_ambiguous_terms_look_different_and_say_so(page, server):
    annotate(page, server)
    ambiguous = page.locator('.annotated a.term.ambiguous[data-id="langchao"]')
    plain = page.locator('.annotated a.term[data-id="xinxing-juguo-tizhi"]')
    style = "e => getComputedStyle(e).borderBottomStyle + ' ' + getComputedStyle(e).backgroundColor"
    assert ambiguous.evaluate(style) != plain.evaluate(style)
    ambiguous.hover()
    expect(page.locator("#term-tip .tip-amb")).to_have_text("Ambiguous: also an ordinary word, “wave, tide”")


def test_keyboard_focus_shows_the_tooltip_and_escape_hides_it(page, server):
    annotate(page, server)
    page.locator("#show-pinyin").focus()
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('a.term')"):
            break
    focused = page.evaluate("document.activeElement.dataset.id")
    assert focused == "xinxing-juguo-tizhi"
    tip = page.locator("#term-tip")
    expect(tip).to_be_visible()
    expect(tip.locator(".tip-en")).to_have_text("new national system")
    assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == "term-tip"
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    assert page.evaluate("document.activeElement.dataset.id") == "xinxing-juguo-tizhi"
    page.keyboard.press("Tab")
    expect(tip).to_be_visible()
    expect(tip.locator(".tip-en")).to_have_text("artificial general intelligence (AGI)")
    page.keyboard.press("Enter")  # the second activation follows the link
    page.wait_for_url(server + "/terms/tongyong-rengong-zhineng")


def test_pinyin_ruby_toggle_is_remembered(page, server):
    annotate(page, server)
    rt = page.locator(".annotated rt").first
    expect(rt).to_be_visible()
    page.click("label[for=show-pinyin]")
    expect(rt).to_be_hidden()
    annotate(page, server, "新型举国体制")
    expect(page.locator("#show-pinyin")).not_to_be_checked()
    expect(page.locator(".annotated rt").first).to_be_hidden()


def test_tap_shows_the_tooltip_and_a_second_tap_opens_the_entry(browser, server):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        annotate(page, server)
        term = page.locator('.annotated a.term[data-id="xinxing-juguo-tizhi"]')
        term.tap()
        expect(page.locator("#term-tip")).to_be_visible()
        assert page.url.endswith("/annotate")
        tip_box = page.locator("#term-tip").bounding_box()
        assert tip_box["x"] >= 0 and tip_box["x"] + tip_box["width"] <= PHONE["width"]
        term.tap()
        page.wait_for_url(server + "/terms/xinxing-juguo-tizhi")
    finally:
        context.close()


def test_export_the_term_list(page, server):
    annotate(page, server)
    with page.expect_download() as download:
        page.click("button[value=csv]")
    assert download.value.suggested_filename == "terms.csv"
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    ids = [r["id"] for r in rows]
    assert ids[:3] == ["xinxing-juguo-tizhi", "tongyong-rengong-zhineng", "rengong-zhineng"]
    assert "langchao" in ids
    assert next(r for r in rows if r["id"] == "rengong-zhineng")["count"] == "2"
    with page.expect_download() as download:
        page.click("button[value=tbx]")
    assert download.value.suggested_filename == "terms.tbx"
    assert "<martif" in download.value.path().read_text(encoding="utf-8")
    assert page.url.endswith("/annotate")  # still on the result


def test_search_entry_and_annotate_work_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.fill("#q", "tōngyòng")
        page.keyboard.press("Enter")
        page.locator("ol.entries a.term-link").first.click()
        page.wait_for_url(server + "/terms/tongyong-rengong-zhineng")
        expect(page.locator("#quote-1")).to_be_visible()
        expect(page.locator("button.copy").first).to_be_hidden()  # nothing that needs script is shown
        annotate(page, server)
        expect(page.locator(".termlist tbody tr")).to_have_count(4)
        page.click("label[for=show-pinyin]")  # the toggle is CSS: it works without script
        expect(page.locator(".annotated rt").first).to_be_hidden()
        with page.expect_download() as download:
            page.click("button[value=csv]")
        assert download.value.suggested_filename == "terms.csv"
    finally:
        context.close()


@pytest.mark.parametrize(
    "path",
    ["/", "/?q=zhineng", "/terms/tongyong-rengong-zhineng", "/browse", "/sources/sample-article", "/annotate", "/api"],
)
def test_pages_fit_a_phone_without_sideways_scrolling(browser, server, path):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(server + path)
        if path == "/annotate":
            annotate(page, server)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_the_annotate_page_filter_narrows_the_entries_tagged(page, server, errors):
    """The folded “Filter entries” control: kinds ticked and a shortest form, kept after annotating."""
    page.goto(server + "/annotate")
    control = page.locator("details.filters")
    expect(control.locator("summary")).to_contain_text("(all entries)")
    control.locator("summary").click()
    page.check("details.filters input[name=kind][value=organization]")
    page.fill("#text", PARAGRAPH)
    page.click("form#annotate-form button[type=submit]")
    page.wait_for_selector(".annotated a.term")
    ids = page.eval_on_selector_all(".annotated a.term", "terms => terms.map(t => t.dataset.id)")
    assert ids == ["langchao"]  # the organization; no term is tagged
    expect(page.locator("details.filters summary")).to_contain_text("(1 in use)")
    expect(page.locator("details.filters input[name=kind][value=organization]")).to_be_checked()
    # Now every kind, forms of six characters or more: a different set, from the same control.
    page.uncheck("details.filters input[name=kind][value=organization]")
    page.fill("#filter-min-length", "6")
    page.click("form#annotate-form button[type=submit]")
    page.wait_for_selector(".annotated a.term")
    ids = page.eval_on_selector_all(".annotated a.term", "terms => terms.map(t => t.dataset.id)")
    assert ids == ["xinxing-juguo-tizhi", "tongyong-rengong-zhineng"]
    assert errors == []
