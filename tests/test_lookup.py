"""GET /api/v1/lookup: exact forms and prefixes for a CAT tool's terminology plug-in."""

from __future__ import annotations

import time

from glossary.lookup import lookup


def test_exact_form_in_either_script_then_prefixes(glossary):
    exact = lookup(glossary.store, "人工智慧", prefix=False)
    assert [(m["form"], m["id"], m["match"], m["pinyin"]) for m in exact] == [
        ("人工智慧", "rengong-zhineng", "exact", "réngōng zhìhuì")
    ]
    found = lookup(glossary.store, "人工智能")
    assert found[0]["match"] == "exact" and found[0]["en"] == "artificial intelligence (AI)"
    assert {m["id"] for m in found[1:]} == {"rengong-zhineng-plus"} and all(m["match"] == "prefix" for m in found[1:])
    assert lookup(glossary.store, "没有这个词") == []


def test_lookup_is_fast(glossary):
    lookup(glossary.store, "人")  # the index is built once per database version
    start = time.perf_counter()
    for _ in range(1000):
        lookup(glossary.store, "人工智", limit=5)
    assert time.perf_counter() - start < 1.0  # well under a millisecond each


def test_api_lookup_answers_small_json(client):
    response = client.get("/api/v1/lookup?q=人工智&limit=2")
    data = response.get_json()
    assert response.status_code == 200 and data["ok"] is True and len(data["matches"]) == 2
    assert set(data["matches"][0]) <= {"form", "id", "zh", "en", "pinyin", "region", "avoid", "match", "url"}
    assert data["matches"][0]["url"].endswith("/terms/rengong-zhineng")
    assert client.get("/api/v1/lookup?q=人工智能&prefix=false").get_json()["matches"][0]["match"] == "exact"
    assert client.get("/api/v1/lookup").status_code == 400
    assert client.get("/api/v1/lookup?q=x&limit=0").status_code == 400
    assert "/api/v1/lookup" in client.get("/api/v1/openapi.json").get_json()["paths"]
