"""The bookmarklet in real headless Chromium, on test pages served from a second origin.

The bookmarklet is the exact href of the link on our /bookmarklet page. A browser runs a bookmark's
javascript: URL by percent-decoding it and evaluating it in the page, outside the page's CSP; the
tests do the same through the DevTools protocol (Runtime.evaluate with a user gesture), and one test
clicks the link itself on a page to prove the URL decodes as the browser decodes it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STRICT_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'"


class OtherOrigin:
    """A second origin (another 127.0.0.1 port) serving registered pages with their own headers."""

    def __init__(self):
        self.pages: dict[str, tuple[str, dict[str, str]]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's API
                found = site.pages.get(self.path)
                if found is None:
                    self.send_error(404)
                    return
                body, headers = found
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, name: str, body: str, csp: str | None = None, lang: str = "zh-Hans") -> str:
        html = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{name}</title></head>'
            f"<body>{body}</body></html>"
        )
        self.pages[f"/{name}"] = (html, {"Content-Security-Policy": csp} if csp else {})
        return f"{self.base}/{name}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def site():
    site = OtherOrigin()
    yield site
    site.close()


@pytest.fixture(scope="session")
def href(server, browser):
    """The bookmarklet exactly as the /bookmarklet page offers it to be dragged."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/bookmarklet")
    value = page.get_attribute("a#bookmarklet", "href")
    context.close()
    assert value.startswith("javascript:")
    return value


def click(page, href: str) -> None:
    """Run the bookmark as Chromium runs one from the bookmarks bar."""
    cdp = page.context.new_cdp_session(page)
    result = cdp.send(
        "Runtime.evaluate",
        {"expression": unquote(href[len("javascript:") :]), "userGesture": True, "awaitPromise": False},
    )
    cdp.detach()
    assert "exceptionDetails" not in result, result["exceptionDetails"]


def badge(page):
    return page.locator("pgx-root .badge")


def marks(page) -> list[tuple[str, str]]:
    """(entry id, marked text) of every mark, in document order."""
    found = page.evaluate("() => [...document.querySelectorAll('pgx-mark')].map(m => [m.dataset.pgxId, m.textContent])")
    return [tuple(m) for m in found]


def annotate(page, href: str, expected: str = "marked") -> None:
    click(page, href)
    expect(badge(page)).to_contain_text(expected, timeout=10_000)


SIMPLIFIED = """
<main>
  <h1>国务院关于推动人工智能发展的意见</h1>
  <p id="p1">坚持<b>新型举国体制</b>，发展通用人工智能。</p>
  <p>浪潮公司发布新服务器。</p>
  <script>var x = "人工智能";</script>
  <style>.x::after { content: "人工智能"; }</style>
  <textarea>人工智能</textarea>
  <input value="人工智能">
  <div contenteditable="true">人工智能</div>
  <div style="display:none">人工智能</div>
  <div hidden>人工智能</div>
</main>
"""


def test_simplified_page_is_marked_with_tooltips_linking_to_entries(page, site, href, server):
    page.goto(site.add("simplified", SIMPLIFIED))
    annotate(page, href)
    assert marks(page) == [
        ("rengong-zhineng", "人工智能"),
        ("xinxing-juguo-tizhi", "新型举国体制"),
        ("tongyong-rengong-zhineng", "通用人工智能"),
        ("langchao", "浪潮"),
    ]
    expect(badge(page)).to_contain_text("4 terms marked (5 entries)")
    # Scripts, styles, form fields, editable and hidden areas are left alone.
    assert page.evaluate("document.querySelector('textarea').value") == "人工智能"
    assert page.locator("[contenteditable] pgx-mark, script pgx-mark, [hidden] pgx-mark").count() == 0

    page.locator("pgx-mark[data-pgx-id=tongyong-rengong-zhineng]").hover()
    tip = page.locator("pgx-root .tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("tōngyòng réngōng zhìnéng")
    expect(tip).to_contain_text("artificial general intelligence (AGI)")
    expect(tip).to_contain_text("Contains: 人工智能 artificial intelligence (AI)")
    expect(tip).to_contain_text("Local governments piloted AGI (通用人工智能) initiatives.")
    link = tip.locator("a.link")
    assert link.get_attribute("href") == server + "/terms/tongyong-rengong-zhineng"
    assert link.get_attribute("target") == "_blank"
    assert page.request.get(link.get_attribute("href")).ok

    page.locator("pgx-mark[data-pgx-id=langchao]").hover()
    expect(tip).to_contain_text("Inspur")
    expect(tip).to_contain_text("Ambiguous: also an ordinary word, “wave, tide”")
    assert "pgx-ambiguous" in page.locator("pgx-mark[data-pgx-id=langchao]").get_attribute("class").split()


SAME = "坚持新型举国体制，发展通用人工智能。浪潮公司发布新服务器。"


def tip_fields(tip, prefix: str) -> dict[str, str]:
    fields = {name: tip.locator(f".{prefix}{name}") for name in ("en", "py", "zh", "amb", "quote", "src", "link")}
    return {name: node.inner_text() for name, node in fields.items() if node.count()}


def test_the_bookmarklet_and_the_annotate_page_show_the_same_tooltip(page, site, href, server):
    """Both tooltips are built by static/tooltip.js: the same entry shows the same fields in each."""
    page.goto(server + "/annotate")
    page.fill("#text", SAME)
    page.click("form#annotate-form button[type=submit]")
    on_site = {}
    for entry_id in ("tongyong-rengong-zhineng", "langchao"):
        page.locator(f'.annotated a.term[data-id="{entry_id}"]').hover()
        expect(page.locator("#term-tip")).to_be_visible()
        on_site[entry_id] = tip_fields(page.locator("#term-tip"), "tip-")

    page.goto(site.add("same", f"<p>{SAME}</p>"))
    annotate(page, href)
    assert page.evaluate("typeof glossaryTip") == "undefined", "the shared code stays inside the bookmarklet"
    for entry_id, fields in on_site.items():
        page.locator(f"pgx-mark[data-pgx-id={entry_id}]").hover()
        tip = page.locator("pgx-root .tip")
        expect(tip.locator(".en")).to_have_text(fields["en"])
        assert tip_fields(tip, "") == fields
    agi = on_site["tongyong-rengong-zhineng"]
    assert agi["en"] == "artificial general intelligence (AGI)"
    assert agi["py"] == "tōngyòng réngōng zhìnéng"
    assert "Local governments piloted AGI (通用人工智能) initiatives." in agi["quote"]
    assert "Test Review, A sample article, 2025-01-02" in agi["src"]
    assert on_site["langchao"]["amb"] == "Ambiguous: also an ordinary word, “wave, tide”"


def test_traditional_page_marks_the_forms_as_written(page, site, href):
    page.goto(
        site.add(
            "traditional", "<p>健全新型舉國體制，推動通用人工智慧發展。</p><p>下崗職工再就業。</p>", lang="zh-Hant"
        )
    )
    annotate(page, href)
    assert marks(page) == [
        ("xinxing-juguo-tizhi", "新型舉國體制"),
        ("tongyong-rengong-zhineng", "通用人工智慧"),
        ("xiagang", "下崗"),
    ]
    page.locator("pgx-mark[data-pgx-id=xinxing-juguo-tizhi]").hover()
    expect(page.locator("pgx-root .tip")).to_contain_text("Entry: 新型举国体制")


def test_characters_beyond_the_basic_plane_do_not_shift_the_marks(page, site, href):
    body = "<p>𠀀𠀁</p><p id=a>𠀀𠀁𠀂新型举国体制𠀀，𪚥人工智能。</p><p>𠀀通用人工智能</p>"
    page.goto(site.add("astral", body))
    text_before = page.inner_text("body")
    annotate(page, href)
    assert marks(page) == [
        ("xinxing-juguo-tizhi", "新型举国体制"),
        ("rengong-zhineng", "人工智能"),
        ("tongyong-rengong-zhineng", "通用人工智能"),
    ]
    assert page.inner_text("#a") == "𠀀𠀁𠀂新型举国体制𠀀，𪚥人工智能。"
    assert page.inner_text("body").startswith(text_before)


def test_a_term_split_by_inline_markup_is_marked_in_each_piece(page, site, href):
    body = (
        '<p id=a>坚持新型<b>举国</b><span class="x">体制</span>，发展<a href="#">通用</a>人工智能。</p>'
        "<ul><li>通用</li><li>人工智能</li></ul>"
    )
    page.goto(site.add("inline", body))
    before = page.evaluate("document.body.innerHTML")
    annotate(page, href)
    assert marks(page) == [
        ("xinxing-juguo-tizhi", "新型"),
        ("xinxing-juguo-tizhi", "举国"),
        ("xinxing-juguo-tizhi", "体制"),
        ("tongyong-rengong-zhineng", "通用"),
        ("tongyong-rengong-zhineng", "人工智能"),
        ("rengong-zhineng", "人工智能"),  # separate list items are separate blocks: no 通用人工智能 across them
    ]
    expect(badge(page)).to_contain_text("3 terms marked")
    assert page.inner_text("#a") == "坚持新型举国体制，发展通用人工智能。"
    page.locator("pgx-mark[data-pgx-id=xinxing-juguo-tizhi]").nth(1).hover()
    expect(page.locator("pgx-root .tip")).to_contain_text("新型举国体制")
    click(page, href)
    assert page.evaluate("document.body.innerHTML") == before


def test_second_click_restores_the_page_exactly_and_third_annotates_again(page, site, href):
    body = SIMPLIFIED + "<p>  空白  <i>人工智能</i>&amp;&lt;tag&gt; 人工智能\n人工智能</p><!-- 人工智能 -->"
    page.goto(site.add("toggle", body))
    before = page.evaluate("document.body.innerHTML")
    sheets = page.evaluate("document.adoptedStyleSheets.length")
    page.evaluate("window.__node = document.getElementById('p1').firstChild")

    annotate(page, href)
    count = len(marks(page))
    assert count == 7
    assert page.evaluate("document.body.innerHTML") != before

    click(page, href)
    assert page.evaluate("document.body.innerHTML") == before
    assert page.locator("pgx-mark, pgx-root").count() == 0
    assert page.evaluate("document.adoptedStyleSheets.length") == sheets
    assert page.evaluate("window.__node.isConnected"), "the page's own text nodes are put back"

    annotate(page, href)
    assert len(marks(page)) == count
    click(page, href)
    assert page.evaluate("document.body.innerHTML") == before


def test_remove_button_in_the_badge_undoes_the_marks(page, site, href):
    page.goto(site.add("remove", SIMPLIFIED))
    before = page.evaluate("document.body.innerHTML")
    annotate(page, href)
    page.locator("pgx-root button", has_text="Remove").click()
    assert page.evaluate("document.body.innerHTML") == before
    assert page.locator("pgx-root").count() == 0


def test_the_link_itself_runs_when_clicked(page, site, href):
    """The href as Chromium decodes a javascript: URL: a real click on a real link."""
    page.goto(site.add("link", "<p>发展通用人工智能。</p><p id=slot></p>"))
    page.evaluate(
        """href => {
        const a = document.createElement('a'); a.id = 'bm'; a.textContent = 'bookmark'; a.href = href;
        document.getElementById('slot').appendChild(a); }""",
        href,
    )
    page.click("#bm")
    expect(badge(page)).to_contain_text("1 term marked")
    assert marks(page) == [("tongyong-rengong-zhineng", "通用人工智能")]


HOSTILE_TEXT = '&lt;img src=x onerror="window.__pwned=1"&gt;人工智能&lt;script&gt;window.__pwned=2&lt;/script&gt;'


def test_page_text_that_looks_like_html_stays_text(page, site, href):
    page.goto(site.add("hostile", f"<p id=h>{HOSTILE_TEXT}</p>"))
    text = page.inner_text("#h")
    annotate(page, href)
    assert marks(page) == [("rengong-zhineng", "人工智能")]
    page.locator("pgx-mark").hover()
    page.wait_for_timeout(300)
    assert page.inner_text("#h") == text
    assert page.locator("img, #h script").count() == 0
    assert page.evaluate("window.__pwned") is None


HOSTILE_CSS = """<style>
* { font-size: 31px !important; color: red !important; background: black !important;
    display: block !important; border: 5px solid lime !important; }
span, a, div, button, b { display: none !important; }
.pgx-term, .tip, .badge { visibility: hidden !important; }
#m p * { display: none !important; background: black !important; }
</style>"""


def test_page_css_cannot_break_the_marks_or_the_badge(page, site, href):
    page.goto(site.add("css", HOSTILE_CSS + "<main id=m><p>发展通用人工智能。</p></main>"))
    annotate(page, href)
    mark = page.locator("pgx-mark")
    style = mark.evaluate("m => { const s = getComputedStyle(m); return [s.display, s.visibility, s.fontSize]; }")
    assert style == ["inline", "visible", "31px"], "inline, visible, and in the page's own type size"
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") != "rgb(0, 0, 0)"
    expect(badge(page)).to_be_visible()
    assert badge(page).evaluate("b => getComputedStyle(b).fontSize") == "13px"
    mark.hover()
    tip = page.locator("pgx-root .tip")
    expect(tip).to_be_visible()
    assert tip.evaluate("t => getComputedStyle(t).color") == "rgb(29, 36, 51)"


def test_strict_csp_page_says_so_and_opens_the_annotate_page(page, site, href, server):
    body = "<nav>首页 导航</nav><main><p>坚持新型举国体制。</p><p>发展通用人工智能。</p></main>"
    page.goto(site.add("csp", body, csp=STRICT_CSP))
    with page.context.expect_page() as popup_info:
        click(page, href)
    popup = popup_info.value
    expect(popup.locator(".annotated a[href='/terms/xinxing-juguo-tizhi']")).to_have_count(1)
    assert popup.input_value("textarea#text") == "坚持新型举国体制。\n\n发展通用人工智能。"
    # The text went in the fragment and was posted: it is in no URL the server saw or history keeps.
    assert popup.url == server + "/annotate"
    expect(badge(page)).to_contain_text("Content-Security-Policy blocks requests to the glossary server")
    link = urlsplit(badge(page).locator("a").get_attribute("href"))
    assert f"{link.scheme}://{link.netloc}{link.path}" == server + "/annotate" and not link.query
    assert unquote(link.fragment) == "text=坚持新型举国体制。\n\n发展通用人工智能。"
    assert marks(page) == []


def test_the_annotate_page_opened_by_the_fallback_shows_the_text_annotated(page, site, href):
    page.goto(site.add("csp-prefill", "<main><p>坚持新型举国体制。</p></main>", csp=STRICT_CSP))
    with page.context.expect_page() as popup_info:
        click(page, href)
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.input_value("textarea#text") == "坚持新型举国体制。"
    expect(popup.locator(".annotated a[href='/terms/xinxing-juguo-tizhi']")).to_have_count(1)


def test_strict_csp_page_sends_only_the_selected_passage(page, site, href):
    page.goto(site.add("csp-selection", "<main><p id=a>坚持新型举国体制。</p><p>其他。</p></main>", csp=STRICT_CSP))
    page.evaluate("() => getSelection().selectAllChildren(document.getElementById('a'))")
    with page.context.expect_page():
        click(page, href)
    link = badge(page).locator("a").get_attribute("href")
    assert unquote(urlsplit(link).fragment) == "text=坚持新型举国体制。"


def test_no_terms_and_no_text_are_reported(page, site, href):
    page.goto(site.add("plain", "<p>Nothing to see here. 今天天气很好。</p>"))
    annotate(page, href, "No glossary terms found")
    click(page, href)
    page.goto(site.add("empty", "<p>   </p>"))
    annotate(page, href, "no visible text")


def test_unreachable_server_is_reported(page, site):
    from web.bookmarklet import bookmarklet_href

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens there once closed
    page.goto(site.add("dead", "<p>发展通用人工智能。</p>"))
    annotate(page, bookmarklet_href(dead), f"Cannot reach the glossary server at {dead}")
    assert marks(page) == []


def long_page(chars: int) -> str:
    """About `chars` characters of policy prose in paragraphs, a term every 40 characters or so."""
    sentences = [
        "坚持新型举国体制，集中力量办大事，提高科技创新的整体效能。",
        "各地区各部门要加快发展通用人工智能，推动产业升级和结构调整。",
        "深入实施“人工智能+”行动，促进数字经济和实体经济深度融合。",
        "浪潮等企业加大研发投入，带动上下游企业共同发展，形成良好生态。",
        "做好下岗职工再就业工作，完善社会保障体系，兜住民生底线。",
    ]
    out, n, i = [], 0, 0
    while n < chars:
        para = "".join(sentences[(i + k) % len(sentences)] for k in range(4))
        out.append(f"<p>{para}</p>")
        n += len(para)
        i += 1
    return "".join(out)


def test_a_200000_character_page_is_annotated_in_slices(page, site, href, capsys):
    """Every term of a long page is marked. The timings (under 2 s, no task over 300 ms) depend on the
    machine's load, so they are asserted only on request: GLOSSARY_TIMINGS=1 (bench/ has the benchmarks)."""
    page.goto(site.add("long", "<main>" + long_page(200_000) + "</main>"))
    assert page.evaluate("document.body.innerText.length") >= 200_000
    page.evaluate("""() => {
        window.__longest = 0;
        new PerformanceObserver(list => list.getEntries().forEach(e => {
            window.__longest = Math.max(window.__longest, e.duration); })).observe({entryTypes: ['longtask']});
    }""")
    start = time.monotonic()
    annotate(page, href)
    elapsed = time.monotonic() - start  # with the test harness's own round trips
    page.wait_for_function("window.__policyGlossaryBookmarklet.ms !== undefined")
    in_page = page.evaluate("window.__policyGlossaryBookmarklet.ms") / 1000
    count = page.locator("pgx-mark").count()
    longest = page.evaluate("window.__longest")
    with capsys.disabled():
        print(
            f"\n200,000-character page: {count} marks in {in_page:.2f} s ({elapsed:.2f} s seen by the test); "
            f"longest task {longest:.0f} ms"
        )
    assert count > 4000
    if os.environ.get("GLOSSARY_TIMINGS") == "1":
        assert in_page < 2.0
        assert longest < 300, "the page never freezes for long"


def test_a_text_node_longer_than_the_api_limit_is_annotated_up_to_it(page, site, href):
    filler = "这是一段很长的普通文字。" * 21_000  # 252,000 characters in one text node
    page.goto(site.add("giant", f"<pre>坚持新型举国体制。{filler}发展通用人工智能。</pre><p>人工智能</p>"))
    annotate(page, href)
    assert marks(page) == [("xinxing-juguo-tizhi", "新型举国体制"), ("rengong-zhineng", "人工智能")]


def test_the_bookmarklet_page_lets_the_reader_try_it_in_place(page, server):
    """Our own pages forbid javascript: URLs (CSP); the try button runs the same script from /bookmarklet.js."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/bookmarklet")
    before = page.evaluate("document.body.innerHTML")
    page.click("#bm-try")
    expect(badge(page)).to_contain_text("terms marked")
    assert ("xinxing-juguo-tizhi", "新型舉國體制") in marks(page)
    page.click("#bm-try")
    expect(page.locator("pgx-root")).to_have_count(0)
    assert page.evaluate("document.body.innerHTML") == before
    page.click("#bookmarklet")  # a click on the link itself tries it too, instead of a CSP error
    expect(badge(page)).to_contain_text("terms marked")
    assert errors == []


def test_a_bookmarklet_made_with_filters_marks_only_those_entries(page, site, server):
    """Filters chosen on the /bookmarklet page travel in the link and reach the API with each request."""
    page.goto(server + "/bookmarklet")
    page.locator("details.filters summary").click()
    page.check("details.filters input[name=kind][value=organization]")
    page.click("form.bm-filters button[type=submit]")
    page.wait_for_url("**/bookmarklet?kind=organization*")
    filtered = page.get_attribute("a#bookmarklet", "href")
    page.goto(site.add("simplified-filtered", SIMPLIFIED))
    annotate(page, filtered)
    assert marks(page) == [("langchao", "浪潮")]
    expect(badge(page)).to_contain_text("1 term marked (1 entry)")
