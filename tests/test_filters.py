"""Entry filters for big glossaries (issue #10): by kind, tag, region of the entry, editorial status,
shortest form, curated entries versus imported termbases. On the library, the CLI, the API (real Flask
client), the annotate page and the bookmarklet. A filtered-out long term must not hide a wanted one
inside it: the filter applies to the raw matches, before overlaps are resolved."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from glossary import Glossary
from glossary.cli import cli
from glossary.filters import FilterError, make
from web import create_app

INSTITUTE = """zh: 北京大学人工智能研究院
zh_attested: false
pinyin: Běijīng Dàxué Réngōng Zhìnéng Yánjiūyuàn
kind: organization
en: Peking University Institute for Artificial Intelligence
authority: curator
tags: [university]
"""
TERMBASE = "zh,en\n人工智能安全,AI safety\n"
TEXT = "北京大学人工智能研究院研究人工智能安全。"


@pytest.fixture(scope="module")
def filter_db(tmp_path_factory, fixture_paths):
    """The fixture glossary, a curated organization whose name holds a term (北京大学人工智能研究院),
    and a term imported from a CSV termbase through the real import (人工智能安全)."""
    from glossary.build import build
    from glossary.formats import termbase

    root = tmp_path_factory.mktemp("filters")
    folder = root / "entries"
    shutil.copytree(fixture_paths["entries"], folder)
    (folder / "beijing-daxue-ai-institute.yaml").write_text(INSTITUTE, encoding="utf-8")
    csv = root / "eto.csv"
    csv.write_text(TERMBASE, encoding="utf-8")
    termbase.apply(termbase.plan(termbase.read(csv), folder), folder, fixture_paths["sources"], fixture_paths["seeds"])
    path = root / "terms.sqlite"
    build(path, folder, fixture_paths["sources"])
    return path


@pytest.fixture(scope="module")
def glossary(filter_db):
    with Glossary.open(filter_db, build=False) as glossary:
        yield glossary


def tops(annotation) -> list[tuple[str, str, list[str]]]:
    return [(s.text, s.id, [c.id for c in s.children]) for s in annotation.spans]


def test_without_a_filter_the_longest_term_wins_and_holds_the_others(glossary):
    spans = tops(glossary.annotate(TEXT))
    assert spans[0][:2] == ("北京大学人工智能研究院", "beijing-daxue-ai-institute")
    assert "rengong-zhineng" in spans[0][2]
    assert spans[1][0] == "人工智能安全" and spans[1][2] == ["rengong-zhineng"]


def test_a_filtered_out_long_term_leaves_the_term_inside_it_tagged(glossary):
    """Filtering after overlap resolution would lose 人工智能 inside the organization's name."""
    spans = tops(glossary.annotate(TEXT, entry_filter=make(kinds="term")))
    assert ("人工智能", "rengong-zhineng") in [s[:2] for s in spans]
    assert all(s[1] != "beijing-daxue-ai-institute" for s in spans)
    assert spans[0] == ("人工智能", "rengong-zhineng", ["zhineng"])  # itself with its own nested term


def test_curated_only_leaves_out_imported_termbase_entries(glossary, filter_db):
    imported = glossary.get(glossary.store.lookup("人工智能安全").id)
    assert imported.authority == "curator: imported from eto.csv"  # the mark the import leaves
    spans = tops(glossary.annotate(TEXT, entry_filter=make(curated_only=True)))
    assert [s[1] for s in spans] == ["beijing-daxue-ai-institute", "rengong-zhineng"]
    assert spans[1][0] == "人工智能"  # no longer inside the imported 人工智能安全


def test_kind_tag_region_and_length_filters(glossary):
    def ids(text, **filters):
        return sorted({s.id for top in glossary.annotate(text, entry_filter=make(**filters)).spans for s in top.walk()})

    assert ids("毛泽东和曾毅谈人工智能", kinds="person") == ["mao-zedong", "zeng-yi"]
    both = ["mao-zedong", "rengong-zhineng", "zeng-yi", "zhineng"]
    assert ids("毛泽东和曾毅谈人工智能", kinds=["person", "term"]) == both
    assert ids("改革开放和人工智能", tags="economy") == ["gaige-kaifang"]
    assert ids("改革开放和人工智能", tags="economy,ai") == ["gaige-kaifang", "rengong-zhineng", "zhineng"]
    assert ids("人工智能和算力", min_length=3) == ["rengong-zhineng"]
    # the text's region still decides what 教育部 means; the filter only leaves entries out
    assert ids("臺灣的教育部與行政院", regions="tw") == ["jiaoyu-bu-tw"]
    assert ids("国务院教育部发布", regions="tw") == []
    assert ids("教育部和人工智能", regions="none") == ["rengong-zhineng", "zhineng"]


def test_unknown_values_and_a_missing_status_are_clear_errors(glossary):
    with pytest.raises(FilterError, match="unknown kind 'people'; choose from term"):
        make(kinds="people")
    with pytest.raises(FilterError, match="unknown status 'final'"):
        make(statuses="final")
    with pytest.raises(FilterError, match="records no editorial status"):
        glossary.allowed(make(statuses="approved"))


def test_status_filter_works_once_entries_carry_an_editorial_status(filter_db, tmp_path):
    """Today's entries have no draft/checked/approved status; an `entries.status` column (the editing
    work adds one) is what --status reads. Simulated here by adding the column to a copy."""
    copy = tmp_path / "terms.sqlite"
    shutil.copy(filter_db, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("ALTER TABLE entries ADD COLUMN status TEXT DEFAULT 'draft'")
        conn.execute("UPDATE entries SET status = 'approved' WHERE id = 'rengong-zhineng'")
    conn.close()
    with Glossary.open(copy, build=False) as glossary:
        spans = tops(glossary.annotate(TEXT, entry_filter=make(statuses="approved")))
    assert spans == [("人工智能", "rengong-zhineng", []), ("人工智能", "rengong-zhineng", [])]


# ---------------------------------------------------------------- CLI


@pytest.fixture
def run(filter_db):
    def invoke(*args):
        return CliRunner().invoke(cli, [*args, "--db", str(filter_db)], catch_exceptions=False)

    return invoke


def test_cli_filters(run):
    result = run("annotate", "--format", "json", "--kind", "term", "--curated-only", TEXT)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [(s["text"], s["id"]) for s in data["spans"]] == [("人工智能", "rengong-zhineng")] * 2
    assert set(data["entries"]) == {"rengong-zhineng", "zhineng"}
    text = run("annotate", "--tag", "person", "--tag", "economy", "毛泽东谈改革开放和人工智能").output
    assert "(mao-zedong)" in text and "(gaige-kaifang)" in text and "(rengong-zhineng)" not in text
    assert "(suanli)" not in run("annotate", "--min-length", "3", "人工智能和算力").output
    assert "(jiaoyu-bu-tw)" in run("annotate", "--entry-region", "tw", "臺灣的教育部與行政院").output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--kind", "people"], "glossary: unknown kind 'people'; choose from term, slogan"),
        (["--entry-region", "cn"], "glossary: unknown region 'cn'; choose from prc, tw, hk, mo, none"),
        (["--status", "approved"], "glossary: this glossary records no editorial status"),
    ],
)
def test_cli_bad_filters_are_one_line_errors(run, args, message):
    result = run("annotate", *args, "人工智能")
    assert result.exit_code == 1 and result.output.startswith(message) and result.output.count("\n") == 1


# ---------------------------------------------------------------- API


@pytest.fixture
def client(filter_db):
    return create_app(filter_db).test_client()


def annotate(client, body):
    return client.post("/api/v1/annotate", data=json.dumps(body), content_type="application/json")


def test_api_filters(client):
    data = annotate(client, {"text": TEXT, "kind": ["term"], "curated_only": True}).get_json()
    assert [(s["text"], s["id"]) for s in data["spans"]] == [("人工智能", "rengong-zhineng")] * 2
    data = annotate(client, {"text": TEXT, "kind": "organization,term", "min_length": 5}).get_json()
    assert [s["id"] for s in data["spans"]] == ["beijing-daxue-ai-institute", "rengongzhinenganquan"]
    data = annotate(client, {"text": "臺灣的教育部與行政院", "entry_region": ["tw"], "region": "tw"}).get_json()
    assert [s["id"] for s in data["spans"]] == ["jiaoyu-bu-tw"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"kind": "people"}, "unknown kind 'people'"),
        ({"kind": 3}, "kind must be a name"),
        ({"tag": [1]}, "tag must list names"),
        ({"min_length": "3"}, "min_length must be a whole number"),
        ({"min_length": 1000}, "between 0 and 100"),
        ({"curated_only": "yes please"}, "curated_only must be true or false"),
        ({"status": "approved"}, "records no editorial status"),
        ({"region": "cn"}, '"region" must be one of prc, tw, hk, mo'),
    ],
)
def test_api_bad_filters_are_400_json(client, body, message):
    response = annotate(client, {"text": "人工智能", **body})
    assert response.status_code == 400
    data = response.get_json()
    assert data["ok"] is False and message in data["error"]


def test_openapi_documents_the_filters(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    request = doc["components"]["schemas"]["AnnotateRequest"]["properties"]
    assert {"kind", "tag", "entry_region", "status", "min_length", "curated_only", "region"} <= set(request)
    span = doc["components"]["schemas"]["Span"]["properties"]
    assert "en" not in span and "pinyin" not in span and "reading" in span


# ---------------------------------------------------------------- annotate page and bookmarklet


def test_annotate_page_filter(client):
    page = client.get("/annotate").get_data(as_text=True)
    assert '<details class="filters">' in page and 'name="kind" value="person"' in page
    assert 'name="status"' not in page  # offered only where the glossary records a status
    response = client.post("/annotate", data={"text": TEXT, "kind": "term", "ambiguous": "on"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-id="rengong-zhineng"' in html and 'data-id="beijing-daxue-ai-institute"' not in html
    assert "(1 in use)" in html and 'name="kind" value="term" checked' in html
    bad = client.post("/annotate", data={"text": TEXT, "min_length": "many"})
    assert bad.status_code == 400 and "Filter: min_length must be a whole number" in bad.get_data(as_text=True)


def test_export_of_the_term_list_keeps_the_filter(client):
    response = client.post("/annotate/export", data={"text": TEXT, "format": "csv", "kind": "organization"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "beijing-daxue-ai-institute" in body and "rengong-zhineng" not in body


def test_bookmarklet_carries_the_filters(client):
    from urllib.parse import unquote

    page = client.get("/bookmarklet?kind=term&min_length=3").get_data(as_text=True)
    href = unquote(page.split('id="bookmarklet" class="bm-button" href="', 1)[1].split('"', 1)[0])
    assert 'const OPTIONS = {"kind": ["term"], "min_length": 3};' in href.replace("&#34;", '"')
    script = client.get("/bookmarklet.js?curated_only=on").get_data(as_text=True)
    assert 'const OPTIONS = {"curated_only": true};' in script
    assert "const OPTIONS = {};" in client.get("/bookmarklet.js").get_data(as_text=True)
