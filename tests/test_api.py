"""The JSON API through Flask's test client: every endpoint, every error status, one JSON shape,
CORS on everything (preflights and errors included), and the OpenAPI document matching the routes."""

import json

import pytest

from web import create_app


def annotate(client, body, content_type="application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body, ensure_ascii=False)
    return client.post("/api/v1/annotate", data=data, content_type=content_type)


def assert_error(response, status: int, message: str):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json() == {"ok": False, "error": response.get_json()["error"], "status": status}
    assert message in response.get_json()["error"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# ---------------------------------------------------------------- search


def test_search_returns_ranked_results(client, glossary):
    response = client.get("/api/v1/terms", query_string={"q": "tongyong rengong zhineng"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True and data["query"] == "tongyong rengong zhineng"
    expected = glossary.search("tongyong rengong zhineng", 20)
    assert [r["id"] for r in data["results"]] == [r["id"] for r in expected]
    first = data["results"][0]
    assert (first["id"], first["zh"], first["pinyin"], first["en"], first["url"]) == (
        "tongyong-rengong-zhineng",
        "通用人工智能",
        "tōngyòng réngōng zhìnéng",
        "artificial general intelligence (AGI)",
        "/terms/tongyong-rengong-zhineng",
    )


def test_json_keeps_chinese_as_is(client):
    body = client.get("/api/v1/terms?q=人工智慧").get_data()
    assert "人工智能".encode() in body and b"\\u" not in body


def test_search_limit(client):
    data = client.get("/api/v1/terms?q=zhineng&limit=1").get_json()
    assert len(data["results"]) == 1


@pytest.mark.parametrize(
    "query,message",
    [
        ("", "missing query parameter q"),
        ("?q=%20%20", "missing query parameter q"),
        ("?q=" + "a" * 201, "query too long"),
        ("?q=ai&limit=lots", "limit must be a whole number"),
        ("?q=ai&limit=0", "limit must be between 1 and 200"),
        ("?q=ai&limit=201", "limit must be between 1 and 200"),
    ],
)
def test_bad_search_is_400(client, query, message):
    assert_error(client.get("/api/v1/terms" + query), 400, message)


# ---------------------------------------------------------------- one entry


def test_entry_with_quotes_sources_and_forms(client, glossary):
    response = client.get("/api/v1/terms/xinxing-juguo-tizhi")
    assert response.status_code == 200
    entry = response.get_json()["entry"]
    expected = glossary.get("xinxing-juguo-tizhi").to_dict()
    assert {k: v for k, v in entry.items() if k in expected} == json.loads(json.dumps(expected))
    assert entry["quotes"][0]["cites"] == "Xinhua, March 5, 2023"
    assert entry["sources"]["sample-article"]["title"] == "A sample article"
    assert {
        "form": "新型舉國體制",
        "origin": "s2t",
        "note": None,
        "region": None,
        "pinyin": "xīnxíng jǔguó tǐzhì",
        "en": None,
    } in entry["forms"]
    assert entry["url"] == "/terms/xinxing-juguo-tizhi"


def test_unknown_entry_is_404(client):
    assert_error(client.get("/api/v1/terms/no-such-entry"), 404, "no entry with id 'no-such-entry'")


# ---------------------------------------------------------------- annotate


def test_annotate_gives_the_cli_json_shape(client, glossary):
    text = "坚持新型举国体制，发展通用人工智慧。浪潮"
    response = annotate(client, {"text": text})
    assert response.status_code == 200
    data = response.get_json()
    expected = json.loads(json.dumps(glossary.annotate(text).to_dict()))
    assert data["ok"] is True
    assert data["entries"] == expected["entries"] and data["spans"] == expected["spans"]
    assert data["sources"]["sample-article"] == {
        "title": "A sample article",
        "publication": "Test Review",
        "date": "2025-01-02",
    }
    for span in data["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert any(
        s["id"] == "langchao" and s["ambiguous"] and data["entries"][s["id"]]["ordinary"] == "wave, tide"
        for s in data["spans"]
    )


def test_annotate_without_ambiguous_terms(client):
    data = annotate(client, {"text": "浪潮和人工智能", "ambiguous": False}).get_json()
    assert [s["id"] for s in data["spans"]] == ["rengong-zhineng"]


def test_offsets_are_code_points_beyond_the_bmp(client):
    text = "𠀀𠀀人工智能"
    span = annotate(client, {"text": text}).get_json()["spans"][0]
    assert (span["start"], span["end"], span["text"]) == (2, 6, "人工智能")


@pytest.mark.parametrize("text", ["", "  ", " \n\t\u3000"])
def test_empty_or_whitespace_text_is_a_400_like_the_page(client, text):
    """One rule for every front door: nothing to annotate is a user error (CLI exit 1, page 400, API 400)."""
    assert_error(annotate(client, {"text": text}), 400, "No text to annotate")


def test_deeply_nested_json_is_a_400_not_a_500(client):
    body = "[" * 1000 + "]" * 1000  # 2 kB: too deep for the decoder on Python 3.11, not on 3.13
    assert_error(annotate(client, body), 400, "")
    deeper = '{"text": "x", "more": ' + "[" * 100_000 + "]" * 100_000 + "}"  # too deep everywhere
    assert_error(annotate(client, deeper), 400, "nested too deeply")


def test_content_type_with_charset_is_accepted(client):
    response = annotate(client, {"text": "人工智能"}, "application/json; charset=utf-8")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body,message",
    [
        (b"{not json", "the request body is not valid JSON"),
        (b"", "the request body is not valid JSON"),
        ("[1, 2]", 'the JSON body needs a "text" field'),
        ({"txt": "人工智能"}, 'the JSON body needs a "text" field'),
        ({"text": 42}, '"text" must be a string'),
        ({"text": None}, '"text" must be a string'),
        ({"text": "人工智能", "ambiguous": "no"}, '"ambiguous" must be true or false'),
        ('{"text": "人工智能"}'.encode("gb18030"), "the request body is not UTF-8"),
        (b'{"text": "\xff\xfe"}', "the request body is not UTF-8"),
        (b'{"text": "\\u4eba\\ud800"}', "The text is not valid Unicode: a lone surrogate at character 1."),
    ],
)
def test_bad_annotate_request_is_400(client, body, message):
    assert_error(annotate(client, body), 400, message)


def test_text_over_the_limit_is_413_and_at_the_limit_is_fine(client):
    text = "人" * 200_000
    assert annotate(client, {"text": text}).status_code == 200
    assert_error(annotate(client, {"text": text + "人"}), 413, "The text has 200,001 characters; the limit is 200,000")


def test_body_over_the_byte_limit_is_413(client):
    assert_error(annotate(client, b'{"text": "' + b"a" * (5 * 1024 * 1024) + b'"}'), 413, "request body too large")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_wrong_content_type_is_415(client, content_type):
    response = client.post("/api/v1/annotate", data='{"text": "人工智能"}', content_type=content_type)
    assert_error(response, 415, "Content-Type: application/json")


def test_unknown_endpoint_and_wrong_method_are_json(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "no such endpoint")
    assert_error(client.get("/api/v1/annotate"), 405, "method GET not allowed")
    assert_error(client.delete("/api/v1/terms/langchao"), 405, "method DELETE not allowed")


def test_a_broken_database_is_a_json_503(tmp_path):
    bogus = tmp_path / "terms.sqlite"
    bogus.write_text("not a database", encoding="utf-8")
    response = create_app(bogus).test_client().get("/api/v1/terms?q=ai")
    assert_error(response, 503, "The glossary database cannot be used")


# ---------------------------------------------------------------- CORS and headers


def test_every_api_answer_carries_cors(client):
    for response in (
        client.get("/api/v1/terms?q=ai"),
        client.get("/api/v1/terms/langchao"),
        annotate(client, {"text": "人工智能"}),
        client.get("/api/v1/openapi.json"),
    ):
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/api/v1/annotate", "/api/v1/terms", "/api/v1/terms/langchao"])
def test_preflight_allows_json_posts_from_any_origin_and_private_network(client, path):
    response = client.options(
        path,
        headers={
            "Origin": "https://news.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert response.status_code == 204
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]
    assert headers["Access-Control-Allow-Private-Network"] == "true"


def test_api_does_not_carry_the_page_csp_or_frame_rules(client):
    headers = client.get("/api/v1/terms?q=ai").headers
    assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "X-Frame-Options" not in headers


def test_annotations_are_not_cached(client):
    assert annotate(client, {"text": "人工智能"}).headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- OpenAPI


def test_openapi_documents_every_api_route_and_error_status(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():  # one path may have a view per method (GET and PUT)
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.replace("<entry_id>", "{id}").replace("<int:number>", "{number}")
            routes.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    documented = {path: {m.upper() for m in ops} for path, ops in doc["paths"].items()}
    assert documented == routes
    assert set(doc["paths"]["/api/v1/annotate"]["post"]["responses"]) == {"200", "400", "413", "415"}
    assert set(doc["paths"]["/api/v1/terms/{id}"]["get"]["responses"]) == {"200", "404"}
    refs = json.dumps(doc).count('"$ref": "#/components/schemas/')
    assert refs and all(
        name in doc["components"]["schemas"]
        for name in ("Error", "Summary", "Entry", "Span", "AnnotateRequest", "AnnotateResult")
    )


def test_allowed_origins_restrict_cors_to_those_origins(db_path):
    client = create_app(db_path, {"ALLOWED_ORIGINS": ["https://intranet.example"]}).test_client()
    ok = client.get("/api/v1/terms?q=ai", headers={"Origin": "https://intranet.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://intranet.example" and "Origin" in ok.headers["Vary"]
    other = client.get("/api/v1/terms?q=ai", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/v1/annotate", headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_allowed_hosts_refuse_other_host_names(db_path):
    client = create_app(db_path, {"ALLOWED_HOSTS": ["glossary.example"]}).test_client()
    assert client.get("/api/v1/terms?q=ai", headers={"Host": "glossary.example:8000"}).status_code == 200
    assert_error(client.get("/api/v1/terms?q=ai", headers={"Host": "rebound.example"}), 400, "Host")
    page = client.get("/", headers={"Host": "rebound.example"})
    assert page.status_code == 400 and page.mimetype == "text/html"


@pytest.mark.parametrize("host", ["x" * 64 + ".example", "a..b", "a b", 'evil";x'])
def test_odd_host_headers_are_a_400(client, host):
    assert_error(client.get("/api/v1/terms?q=ai", headers={"Host": host}), 400, "Host header")
    page = client.get("/", headers={"Host": host})
    assert page.status_code == 400 and page.mimetype == "text/html" and b"Host header" in page.data


def test_every_answer_carries_permissions_and_opener_policies(client):
    for response in (client.get("/"), client.get("/api/v1/terms?q=ai"), client.get("/api/v1/nothing")):
        assert "microphone=()" in response.headers["Permissions-Policy"]
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
