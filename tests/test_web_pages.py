"""The web site's pages through Flask's test client: search, entries, browsing, annotate and export,
escaping of everything we did not write, and the security headers."""

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from web import create_app

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = [
    "/",
    "/?q=rengong",
    "/terms/tongyong-rengong-zhineng",
    "/browse",
    "/kinds/term",
    "/tags/ai",
    "/sources/sample-article",
    "/annotate",
    "/api",
    "/terms/no-such-entry",
]


class Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes), plus the text of <script> elements."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]


def result_ids(html: str) -> list[str]:
    section = html.split('class="results"', 1)[1]
    return re.findall(r'class="term-link" href="/terms/([a-z0-9-]+)"', section)


def get_text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- the app factory


def test_create_app_touches_no_database(tmp_path, monkeypatch):
    missing = tmp_path / "not-yet.sqlite"
    app = create_app(missing)
    assert app.config["GLOSSARY_DB"] == str(missing)
    assert not missing.exists()
    monkeypatch.setenv("GLOSSARY_DB", str(tmp_path / "from-env.sqlite"))
    assert create_app().config["GLOSSARY_DB"] == str(tmp_path / "from-env.sqlite")
    monkeypatch.delenv("GLOSSARY_DB")
    from glossary.locations import default_db

    assert create_app().config["GLOSSARY_DB"] == str(default_db())  # the checkout's, never the current folder
    assert list(tmp_path.iterdir()) == []


def test_each_thread_keeps_one_connection_and_the_annotator_is_shared(db_path, tmp_path):
    """One read-only connection per server thread, kept across requests, never shared by two
    threads; a rebuilt (replaced) database file is opened anew; closing the app closes them all."""
    import shutil
    import threading

    from web import close_connections, get_glossary

    path = tmp_path / "terms.sqlite"
    shutil.copy(db_path, path)
    app = create_app(path)

    def request_glossary():
        with app.test_request_context("/"):
            glossary = get_glossary()
            assert get_glossary() is glossary
            glossary.search("AGI")
            app.do_teardown_appcontext()  # as Flask does at the end of every request
            return glossary

    first, second = request_glossary(), request_glossary()
    assert first is second and first.store._conn is not None  # kept for this thread's next request
    other = []
    thread = threading.Thread(target=lambda: other.append(request_glossary()))
    thread.start()
    thread.join()
    assert other[0] is not first and other[0].store.conn is not first.store.conn
    assert other[0].annotator() is first.annotator()  # built once per database version, shared

    shutil.copy(db_path, tmp_path / "new.sqlite")
    (tmp_path / "new.sqlite").replace(path)  # as a rebuild replaces the file
    assert request_glossary() is not first and first.store._conn is None
    close_connections(app)
    assert all(g.store._conn is None for g in (first, second, *other))


def test_an_in_place_rebuild_is_served_on_the_next_request(fixture_paths, tmp_path):
    """`glossary build` now rewrites rows in place (same file, same inode): a server thread's kept
    connection must notice and serve the edited entry, not its cached card."""
    import shutil
    import sqlite3
    from contextlib import closing

    from glossary.build import build

    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    path = tmp_path / "terms.sqlite"
    build(path, entries, fixture_paths["sources"])
    with closing(sqlite3.connect(path)) as conn:  # as on a team server (editing.py): commits go to the WAL,
        conn.execute("PRAGMA journal_mode=WAL")  # and the database file itself may not change at all
    client = create_app(path).test_client()
    assert "artificial intelligence" in get_text(client.get("/terms/rengong-zhineng"))
    assert "machine intellect" not in get_text(client.get("/terms/rengong-zhineng"))
    card = entries / "rengong-zhineng.yaml"
    card.write_text(card.read_text(encoding="utf-8").replace("\nen: ", "\nen: machine intellect; ", 1), "utf-8")
    inode = path.stat().st_ino
    build(path, entries, fixture_paths["sources"])
    assert path.stat().st_ino == inode  # rewritten in place, not replaced
    assert "machine intellect" in get_text(client.get("/terms/rengong-zhineng"))
    annotated = client.post("/api/v1/annotate", json={"text": "发展人工智能"}).get_json()
    assert annotated["entries"]["rengong-zhineng"]["en"].startswith("machine intellect")


def test_a_file_that_is_not_a_glossary_gets_a_clear_503(tmp_path):
    bogus = tmp_path / "terms.sqlite"
    bogus.write_text("not a database", encoding="utf-8")
    response = create_app(bogus).test_client().get("/")
    assert response.status_code == 503
    assert "The glossary database cannot be used" in get_text(response)
    assert bogus.read_text(encoding="utf-8") == "not a database"


# ---------------------------------------------------------------- home and search


def test_home_has_a_search_box_and_browse_links(client, glossary):
    html = get_text(client.get("/"))
    page = Elements(html)
    form = page.find("form", role="search")[0]
    assert form["method"] == "get" and form["action"] == "/"
    assert page.find("input", name="q", type="search")
    for kind, count in glossary.store.kinds():
        assert f'href="/kinds/{kind}">{kind} <span class="n">{count}</span>' in html
    assert 'href="/annotate"' in html and 'href="/bookmarklet"' in html


@pytest.mark.parametrize(
    "query,first",
    [
        ("tongyong rengong zhineng", "tongyong-rengong-zhineng"),
        ("tōngyòng réngōng zhìnéng", "tongyong-rengong-zhineng"),
        ("tong1yong4 ren2gong1 zhi4neng2", "tongyong-rengong-zhineng"),
        ("通用人工智能", "tongyong-rengong-zhineng"),
        ("人工智慧", "rengong-zhineng"),
        ("rengong zhineng", "rengong-zhineng"),
        ("artificial intelligence (AI)", "rengong-zhineng"),
        ("new-type whole-nation system", "xinxing-juguo-tizhi"),
        ("Inspur", "langchao"),
    ],
)
def test_search_puts_the_exact_headword_first(client, query, first):
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 200
    assert result_ids(get_text(response))[0] == first


def test_search_results_are_ranked_as_the_library_ranks_them(client, glossary):
    html = get_text(client.get("/?q=zhineng"))
    assert result_ids(html) == [r["id"] for r in glossary.search("zhineng", 100)]
    assert len(result_ids(html)) > 1


def test_a_search_result_shows_chinese_pinyin_and_rendering(client):
    html = get_text(client.get("/?q=xinxing+juguo"))
    row = html.split('href="/terms/xinxing-juguo-tizhi"', 1)[1].split("</li>", 1)[0]
    assert '<span class="zh" lang="zh-Hans">新型举国体制</span>' in row
    assert '<span class="zh-hant" lang="zh-Hant">新型舉國體制</span>' in row
    assert '<span class="pinyin">xīnxíng jǔguó tǐzhì</span>' in row
    assert '<span class="en">new national system</span>' in row


def test_no_result_says_so_and_the_query_is_escaped(client):
    html = get_text(client.get("/", query_string={"q": "<b>zzqx</b>"}))
    assert "No entry matches “&lt;b&gt;zzqx&lt;/b&gt;”" in html
    assert "<b>zzqx" not in html


# ---------------------------------------------------------------- entry pages


def test_entry_page_shows_forms_renderings_notes_and_quotes(client, glossary):
    response = client.get("/terms/tongyong-rengong-zhineng")
    assert response.status_code == 200
    html = get_text(response)
    entry = glossary.get("tongyong-rengong-zhineng")
    assert f'<h1 id="headword"><span class="zh" lang="zh-Hans">{entry.zh}</span>' in html
    assert f'<p class="pinyin big">{entry.pinyin}</p>' in html
    assert f'<strong class="rendering" id="preferred">{entry.en}</strong>' in html
    assert f'<button type="button" class="copy" data-copy="{entry.en}" hidden>Copy</button>' in html
    # the other rendering, with where it is used
    row = html.split('<td class="rendering">general artificial intelligence</td>', 1)[1].split("</tr>", 1)[0]
    assert '<a href="/sources/other-article">Another article</a>, Test Weekly' in row
    assert "<em>general-purpose AI</em>" in html  # Markdown notes rendered
    assert 'id="quote-1"' in html
    quote = html.split('id="quote-1"', 1)[1].split("</li>", 1)[0]
    assert "<p>Local governments piloted AGI (通用人工智能) initiatives.</p>" in quote
    assert (
        '<a href="/sources/sample-article">A sample article</a>, <span class="publication">Test Review</span>'
    ) in quote
    assert '<time datetime="2025-01-02">2025-01-02</time>' in quote
    assert '<a href="/terms/rengong-zhineng"><span lang="zh-Hans">人工智能</span></a>' in html  # related
    # a variant shows the reading of its own characters
    assert (
        '<li><span lang="zh">通用人工智慧</span> <span class="pinyin">tōngyòng réngōng zhìhuì</span> '
        '<span class="hint">Taiwan usage</span></li>'
    ) in html


def test_each_quote_has_a_stable_anchor_and_its_cited_original(client, glossary):
    html = get_text(client.get("/terms/xinxing-juguo-tizhi"))
    entry = glossary.get("xinxing-juguo-tizhi")
    assert re.findall(r'id="(quote-\d+)"', html) == [f"quote-{i}" for i in range(1, len(entry.quotes) + 1)]
    assert '<span class="label">Cites</span> Xinhua, March 5, 2023' in html
    assert '<a class="permalink" href="#quote-1"' in html


def test_entry_page_warns_of_curator_knowledge_and_ambiguity(client):
    assert "The Chinese form is curator knowledge" in get_text(client.get("/terms/rengong-zhineng-plus"))
    html = get_text(client.get("/terms/langchao"))
    assert "浪潮 is also an ordinary word, “wave, tide”" in html
    assert "notice-curator" not in html


def test_an_entry_can_be_reached_by_any_of_its_forms(client):
    response = client.get("/terms/人工智慧")
    assert response.status_code == 302
    assert response.headers["Location"] == "/terms/rengong-zhineng"


def test_unknown_entry_is_a_404_page(client):
    response = client.get("/terms/<b>x")
    assert response.status_code == 404
    html = get_text(response)
    assert "No entry with the id “&lt;b&gt;x”" in html
    assert "<b>x" not in html


# ---------------------------------------------------------------- browsing


def test_browse_lists_kinds_tags_and_sources(client, glossary):
    html = get_text(client.get("/browse"))
    for tag, count in glossary.store.tags():
        assert f'href="/tags/{tag}">{tag} <span class="n">{count}</span>' in html
    for source in glossary.store.sources():
        assert f'<a href="/sources/{source.id}">{source.title}</a>' in html


def test_kind_and_tag_pages_list_their_entries(client, glossary):
    for url, expected in (("/kinds/term", glossary.store.by_kind("term")), ("/tags/ai", glossary.store.by_tag("ai"))):
        html = get_text(client.get(url))
        assert re.findall(r'class="term-link" href="/terms/([a-z0-9-]+)"', html) == [e["id"] for e in expected]


def test_source_page_lists_every_entry_it_attests_with_links_to_the_quotes(client, glossary):
    html = get_text(client.get("/sources/sample-article"))
    assert "<h1>A sample article</h1>" in html
    ids = re.findall(r'class="term-link" href="/terms/([a-z0-9-]+)"', html)
    assert ids == [e["id"] for e in glossary.store.by_source("sample-article")]
    assert '<a href="/terms/xinxing-juguo-tizhi#quote-1">quote 1</a> · cites Xinhua, March 5, 2023' in html


def test_sources_index_is_the_browse_pages_source_table(client):
    response = client.get("/sources")
    assert response.status_code == 302 and response.headers["Location"] == "/browse#sources"


def test_wrong_method_on_a_page_is_a_405_page(client):
    response = client.delete("/annotate")
    assert response.status_code == 405
    assert "<h1>Method Not Allowed</h1>" in get_text(response)


@pytest.mark.parametrize("url", ["/kinds/bogus", "/tags/no-such-tag", "/sources/no-such-source"])
def test_unknown_browse_pages_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert '<p class="error" role="alert">' in get_text(response)


# ---------------------------------------------------------------- annotate

TRADITIONAL = "堅持新型舉國體制，發展通用人工智慧。浪潮的伺服器。"


def test_annotate_page_has_a_form_that_works_without_javascript(client):
    page = Elements(get_text(client.get("/annotate")))
    form = page.find("form", id="annotate-form")[0]
    assert (form["method"], form["action"]) == ("post", "/annotate")
    assert page.find("textarea", name="text")
    assert page.find("input", type="checkbox", name="ambiguous")


def test_annotate_traditional_text_server_side(client, glossary):
    response = client.post("/annotate", data={"text": TRADITIONAL, "ambiguous": "on"})
    assert response.status_code == 200
    html = get_text(response)
    annotated = html.split('<div class="annotated" lang="zh">', 1)[1].split("</div>", 1)[0]
    assert (
        '<a class="term" data-id="tongyong-rengong-zhineng" data-reading="tongyong-rengong-zhineng|通用人工智慧" '
        'href="/terms/tongyong-rengong-zhineng" '
        'title="artificial general intelligence (AGI) — tōngyòng réngōng zhìhuì">'
        "<ruby>通用人工智慧<rt>tōngyòng réngōng zhìhuì</rt></ruby>"
        '<span class="gloss" lang="en">artificial general intelligence (AGI)</span></a>'
    ) in annotated
    assert '<a class="term ambiguous" data-id="langchao"' in annotated
    bare = re.sub(r'<rt>[^<]*</rt>|<span class="gloss" lang="en">[^<]*</span>', "", annotated)
    assert re.sub(r"<[^>]+>", "", bare) == TRADITIONAL
    # the tooltip data the script reads: the entries of the annotation and their first quotes' sources
    data = json.loads(Elements(html).scripts[-1])
    expected = glossary.annotate(TRADITIONAL)
    assert data["entries"] == json.loads(json.dumps(expected.entries))
    assert data["sources"]["sample-article"]["title"] == "A sample article"


def test_annotate_lists_the_documents_terms_with_counts(client):
    text = "新型举国体制。新型舉國體制！通用人工智能"
    html = get_text(client.post("/annotate", data={"text": text, "ambiguous": "on"}))
    table = html.split('<table class="termlist">', 1)[1]
    rows = re.findall(
        r'<tr(?: class="ambiguous")?>\s*<td><a href="/terms/([a-z0-9-]+)".*?'
        r'<td class="num">(\d+)',
        table,
        re.S,
    )
    assert rows == [
        ("xinxing-juguo-tizhi", "2"),
        ("tongyong-rengong-zhineng", "1"),
        ("rengong-zhineng", "1"),
        ("zhineng", "1"),
    ]  # nested terms are counted too
    assert 'as <span lang="zh">新型舉國體制</span>' in table


def test_ambiguous_terms_can_be_left_out(client):
    with_ambiguous = get_text(client.post("/annotate", data={"text": "浪潮和人工智能", "ambiguous": "on"}))
    without = get_text(client.post("/annotate", data={"text": "浪潮和人工智能"}))
    assert 'data-id="langchao"' in with_ambiguous
    assert 'data-id="langchao"' not in without and 'data-id="rengong-zhineng"' in without
    assert 'name="ambiguous">' in without  # the box stays unticked, as the user left it


def test_pinyin_for_every_word(client):
    html = get_text(client.post("/annotate", data={"text": "我们发展人工智能", "pinyin": "all"}))
    assert "<ruby>我们<rt>wǒmen</rt></ruby>" in html
    assert "<ruby>人工智能<rt>réngōng zhìnéng</rt></ruby>" in html


def test_pasted_text_is_escaped(client):
    html = get_text(client.post("/annotate", data={"text": '<script>alert(1)</script><img src=x onerror="y">人工智能'}))
    annotated = html.split('<div class="annotated" lang="zh">', 1)[1].split("</div>", 1)[0]
    assert annotated.startswith("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;y&#34;&gt;")
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.split("<textarea", 1)[1]


@pytest.mark.parametrize("text", ["", "  \n", "\u3000\t"])
def test_empty_text_is_a_400_with_a_message(client, text):
    response = client.post("/annotate", data={"text": text})
    assert response.status_code == 400
    assert "No text to annotate: paste some Chinese text." in get_text(response)


def test_a_full_size_text_is_accepted_and_one_more_character_is_413(client):
    text = ("新型举国体制发展通用人工智能。" * 13334)[:200_000]
    ok = client.post("/annotate", data={"text": text, "ambiguous": "on"})
    assert ok.status_code == 200
    assert "200,000 characters" in get_text(ok)
    over = client.post("/annotate", data={"text": text + "能"})
    assert over.status_code == 413
    assert "The text has 200,001 characters; the limit is 200,000." in get_text(over)
    assert (text + "能") in get_text(over)  # given back in the form, to be cut down


def test_a_body_over_the_byte_limit_is_413(client):
    response = client.post("/annotate", data={"text": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in get_text(response)


def test_annotate_results_are_not_cached(client):
    assert client.post("/annotate", data={"text": "人工智能"}).headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- export


def test_export_csv_is_the_documents_term_list(client):
    text = "浪潮。新型举国体制，新型举国体制"
    response = client.post("/annotate/export", data={"text": text, "ambiguous": "on", "format": "csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="terms.csv"'
    body = get_text(response)
    assert body.startswith("\ufeff")  # the byte-order mark Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    assert [(r["zh"], r["id"], r["count"], r["en"]) for r in rows] == [
        ("浪潮", "langchao", "1", "Inspur"),
        ("新型举国体制", "xinxing-juguo-tizhi", "2", "new national system"),
    ]
    assert rows[1]["zh_hant"] == "新型舉國體制" and rows[1]["pinyin"] == "xīnxíng jǔguó tǐzhì"
    assert rows[1]["other_renderings"] == "new-type whole-nation system"


def test_export_tbx_basic_loads_as_xml_with_both_languages(client):
    response = client.post("/annotate/export", data={"text": "發展通用人工智慧", "format": "tbx"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="terms.tbx"'
    root = ET.fromstring(response.get_data())
    assert root.tag == "martif" and root.get("type") == "TBX-Basic"
    entries = {e.get("id"): e for e in root.iter("termEntry")}
    assert set(entries) == {"tongyong-rengong-zhineng", "rengong-zhineng"}
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    lang_sets = entries["tongyong-rengong-zhineng"].iter("langSet")
    terms = {ls.get(lang): [t.text for t in ls.iter("term")] for ls in lang_sets}
    assert terms["zh-CN"] == ["通用人工智能"]
    # the preferred rendering without its gloss, the abbreviation a term of its own (glossary/formats/tbx.py)
    assert terms["en"] == ["artificial general intelligence", "AGI", "general artificial intelligence"]
    assert terms["zh-TW"] == ["通用人工智慧"]


@pytest.mark.parametrize(
    "data,status",
    [
        ({"text": "人工智能", "format": "xlsx"}, 400),
        ({"text": "", "format": "csv"}, 400),
        ({"text": "能" * 200_001, "format": "csv"}, 413),
    ],
)
def test_export_refuses_bad_requests(client, data, status):
    assert client.post("/annotate/export", data=data).status_code == status


# ---------------------------------------------------------------- untrusted curated text

HOSTILE = """zh: 恶意
pinyin: èyì
kind: term
en: "malice <img src=x onerror=alert(1)>"
authority: "curator: <b>judgement</b>"
notes: |
  Raw <script>alert('notes')</script> and <b onclick="x()">bold</b>, a [link](javascript:alert(1)), *emphasis*.
tags: [ai]
quotes:
  - source: sample-article
    text: "A quote with <script>alert('quote')</script> in it."
    cites: "<i>cited</i>"
"""


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    import shutil

    from glossary.build import build

    tmp = tmp_path_factory.mktemp("hostile")
    shutil.copytree(FIXTURES / "entries", tmp / "entries")
    (tmp / "entries" / "eyi.yaml").write_text(HOSTILE, encoding="utf-8")
    build(tmp / "terms.sqlite", tmp / "entries", FIXTURES / "sources.yaml")
    return create_app(tmp / "terms.sqlite").test_client()


def test_notes_quotes_and_renderings_are_escaped(hostile_client):
    html = get_text(hostile_client.get("/terms/eyi"))
    assert "<script>alert" not in html and "<img" not in html and "<b onclick" not in html
    assert "Raw &lt;script&gt;alert('notes')&lt;/script&gt; and &lt;b onclick=\"x()\"&gt;bold&lt;/b&gt;" in html
    assert "<em>emphasis</em>" in html and "<a>link</a>" in html  # Markdown works, the javascript: link does not
    assert "A quote with &lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt; in it." in html
    assert "&lt;i&gt;cited&lt;/i&gt;" in html
    assert "malice &lt;img src=x onerror=alert(1)&gt;" in html
    assert "curator: &lt;b&gt;judgement&lt;/b&gt;" in html  # the authority too
    assert (
        '<h1 id="headword"><span class="zh" lang="zh-Hans">恶意</span> <span class="zh-hant" lang="zh-Hant">惡意</span>'
    ) in html


def test_hostile_rendering_is_escaped_in_annotations_and_search(hostile_client):
    annotated = get_text(hostile_client.post("/annotate", data={"text": "恶意"}))
    assert "<img" not in annotated and "malice &lt;img" in annotated
    script = Elements(annotated).scripts[-1]
    assert "<" not in script  # the JSON data block cannot close its own script element
    assert json.loads(script)["entries"]["eyi"]["en"] == "malice <img src=x onerror=alert(1)>"
    assert "<img" not in get_text(hostile_client.get("/?q=malice"))


# ---------------------------------------------------------------- headers and markup rules


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_security_headers(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_style_or_handlers(client, url):
    page = Elements(get_text(client.get(url)))
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/") or attrs.get("type") == "application/json"
    assert all(not s.strip() or s.lstrip().startswith("{") for s in page.scripts)


@pytest.mark.parametrize("url", PAGES[:-1])
def test_pages_are_readable_on_a_phone_and_link_the_whole_site(client, url):
    html = get_text(client.get(url))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    for link in ('href="/"', 'href="/browse"', 'href="/annotate"', 'href="/bookmarklet"', 'href="/api"'):
        assert link in html


def test_static_files_are_served(client):
    for name in ("style.css", "annotate.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        response.close()


def test_annotate_get_with_text_annotates_it(client):
    """The bookmarklet's fallback opens /annotate?text=… in a new window."""
    response = client.get("/annotate", query_string={"text": "坚持新型举国体制"})
    assert response.status_code == 200
    html = get_text(response)
    assert '<a class="term" data-id="xinxing-juguo-tizhi"' in html
    assert ">坚持新型举国体制</textarea>" in html
    assert client.get("/annotate", query_string={"text": " "}).status_code == 400


def test_the_whole_glossary_downloads_for_a_termbase(client):
    tbx = client.get("/glossary.tbx")
    assert tbx.status_code == 200 and tbx.mimetype == "application/x-tbx+xml"
    assert tbx.headers["Content-Disposition"] == 'attachment; filename="policy-glossary.tbx"'
    root = ET.fromstring(get_text(tbx).split("\n", 2)[2])
    ids = {e.get("id") for e in root.iter("termEntry")}
    data = client.get("/glossary.json").get_json()
    assert ids == {e["id"] for e in data["entries"]} and "xinxing-juguo-tizhi" in ids
    assert get_text(client.get("/glossary.csv")).startswith("\ufeffzh,zh_hant,pinyin,en")
    assert client.get("/glossary.exe").status_code == 404
    assert 'href="/glossary.tbx"' in get_text(client.get("/browse"))
