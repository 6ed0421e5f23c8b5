"""The /bookmarklet page and the script it carries, through Flask's test client.

What a browser does with the link is tested in tests/browser/test_bookmarklet.py; here: the link is
there, points at the server that served it, survives being a URL, and the API answers the
cross-origin requests the script makes.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import unquote

from web.bookmarklet import INCLUDE, SCRIPT, TOOLTIP, bookmarklet_href, compact, script_for


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attrs: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.attrs[attrs["id"]] = attrs


def element(html: str, id_: str) -> dict[str, str]:
    parser = Links()
    parser.feed(html)
    return parser.attrs[id_]


def test_page_holds_the_link_pointing_at_the_server_that_served_it(client):
    response = client.get("/bookmarklet", base_url="http://glossary.example:8000")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    href = element(html, "bookmarklet")["href"]
    assert href == bookmarklet_href("http://glossary.example:8000")
    script = unquote(href.removeprefix("javascript:"))
    assert 'const SERVER = "http://glossary.example:8000";' in script
    assert "Drag this button to your" in html
    assert "http://glossary.example:8000" in html  # the page says where the text goes


def test_link_is_a_url_that_survives_a_drag_to_the_bookmarks_bar(client):
    href = bookmarklet_href("http://127.0.0.1:8000")
    assert href.startswith("javascript:(() => {")
    body = href.removeprefix("javascript:")
    assert not re.search(r"[\r\n\t#]", body), "no raw line break or #: URL parsers drop or split on them"
    assert not re.search(r"%(?![0-9A-F]{2})", body), "every % is an escape"
    assert all(ord(c) < 128 for c in body)
    assert unquote(body) == compact(script_for("http://127.0.0.1:8000"))
    assert "__GLOSSARY_SERVER__" not in unquote(body)


def test_compacting_keeps_every_statement(client):
    """Only whole-line comments go; a comment after code would swallow the next statement."""
    source = SCRIPT.read_text(encoding="utf-8")
    assert not re.search(r"[;{}),][ \t]*//", source), "no comment after code on the same line"
    lines = compact(source).splitlines()
    assert lines[0] == "(() => {" and lines[-1] == "})();"
    assert not any(line.startswith("//") for line in lines)


def test_script_never_turns_text_into_html():
    source = SCRIPT.read_text(encoding="utf-8")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setAttribute("style',
        "createContextualFragment",
        "DOMParser",
    ):
        assert sink not in source, sink


def test_the_link_carries_the_tooltip_code_the_annotate_page_loads(client):
    """One piece of code (static/tooltip.js) builds both tooltips: the link carries it inside its function."""
    shared = TOOLTIP.read_text(encoding="utf-8")
    assert "function glossaryTip(" in shared
    script = unquote(bookmarklet_href("http://glossary.example:8000")[len("javascript:") :])
    assert INCLUDE not in script
    at = script.index(compact(shared))
    assert script.startswith("(() => {") and 0 < at < len(script) - len("})();"), "inside the function"
    assert shared in client.get("/bookmarklet.js").get_data(as_text=True)
    html = client.get("/annotate").get_data(as_text=True)
    assert html.index("/static/tooltip.js") < html.index("/static/annotate.js")
    response = client.get("/static/tooltip.js")
    assert response.status_code == 200 and response.get_data(as_text=True) == shared
    response.close()


def test_tooltip_code_compacts_and_never_turns_text_into_html():
    source = TOOLTIP.read_text(encoding="utf-8")
    assert not re.search(r"[;{}),][ \t]*//", source), "no comment after code on the same line"
    assert "`" not in source, "no template literal: compacting would change a multi-line one"
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "DOMParser",
    ):
        assert sink not in source, sink


def test_origin_is_written_as_a_string_literal(client):
    """Whatever Host header arrives, it stays inside one JavaScript string."""
    hostile = 'http://a";alert(1);//'
    assert f"const SERVER = {json.dumps(hostile)};" in script_for(hostile)
    response = client.get("/bookmarklet.js", headers={"Host": 'evil";alert(1);"'})
    assert response.status_code == 400 and b"alert" not in response.data  # not a host name: never served
    response = client.get("/bookmarklet.js", headers={"Host": "evil.example:8000"})
    line = next(x for x in response.get_data(as_text=True).splitlines() if "const SERVER =" in x)
    assert json.loads(line.strip().removeprefix("const SERVER = ").removesuffix(";")) == "http://evil.example:8000"


def test_readable_script_is_served(client):
    response = client.get("/bookmarklet.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    text = response.get_data(as_text=True)
    assert 'const SERVER = "http://localhost";' in text
    assert "// Policy glossary bookmarklet" in text


def test_api_answers_the_bookmarklet_from_another_origin(client):
    """The preflight a public HTTPS page sends before calling a local server, then the call."""
    preflight = client.options(
        "/api/v1/annotate",
        headers={
            "Origin": "https://www.gov.cn",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert preflight.headers["Access-Control-Allow-Private-Network"] == "true"

    text = "𠀀坚持新型举国体制\n\ufffc\n人工智能"
    response = client.post("/api/v1/annotate", json={"text": text}, headers={"Origin": "https://www.gov.cn"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    spans = [(s["start"], s["end"], s["id"]) for s in response.get_json()["spans"]]
    assert spans == [(3, 9, "xinxing-juguo-tizhi"), (12, 16, "rengong-zhineng")], "code points, not UTF-16"


def test_page_offers_a_try_button_and_the_code_to_copy(client):
    html = client.get("/bookmarklet").get_data(as_text=True)
    assert element(html, "bm-try")["data-script"] == "/bookmarklet.js"
    assert "Copy the code" in html
    code = re.search(r'<textarea id="bm-code"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert code.startswith("javascript:(() =&gt; {")  # escaped in the page, the same URL when copied
