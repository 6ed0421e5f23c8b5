"""The corpus pages through Flask's test client: the entry page's chart, table and concordance, the
compare page, the document view with its match, the discovery page; untrusted text escaped."""

from __future__ import annotations

import shutil

import pytest
from lxml import html

from glossary.corpus import Corpus, collect
from web import create_app

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory, db_path):
    folder = tmp_path_factory.mktemp("web-corpus")
    db = folder / "terms.sqlite"
    shutil.copy(db_path, db)
    docs = folder / "docs"
    docs.mkdir()
    (docs / "20230301.txt").write_text(f"发展人工智能。{HOSTILE}推动人工智能。", encoding="utf-8")
    (docs / "20240201.html").write_text(
        f"<html><head><title>标题 {HOSTILE.replace('<', '&lt;')}</title></head>"
        "<body><p>算力与人工智能</p></body></html>",
        encoding="utf-8",
    )
    with Corpus(db) as corpus:
        corpus.add(collect([docs], source="demo"))
        corpus.save_discovery(
            {
                "since": "2024-01-01",
                "until": "2024-02-01",
                "recent_chars": 100,
                "earlier_chars": 50,
                "settings": {"min_docs": 3, "min_count": 5, "source": None},
                "run_at": "2024-02-02T00:00:00+00:00",
                "candidates": [
                    {
                        "text": "澜湄<b>数链",
                        "count": 12,
                        "documents": 6,
                        "earlier_count": 0,
                        "rise": 20.0,
                        "cohesion": 9.1,
                        "freedom": 2.3,
                        "score": 5.0,
                        "first": {"date": "2024-01-03", "document": 2, "context": f"共建澜湄数链{HOSTILE}"},
                        "examples": [f"例句{HOSTILE}"],
                    }
                ],
            }
        )
    return db


@pytest.fixture(scope="module")
def client(corpus_db):
    return create_app(corpus_db).test_client()


def page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    return response, html.fromstring(response.data)


def test_entry_page_shows_timeline_chart_table_and_concordance(client):
    response, tree = page(client, "/terms/rengong-zhineng")
    svg = tree.xpath("//section[@class='corpus-usage']//*[local-name()='svg']")
    assert len(svg) == 1 and svg[0].get("role") == "img"
    assert len(tree.xpath("//*[local-name()='svg']//*[local-name()='circle']")) == 2  # 2023, 2024
    rows = [[c.text_content() for c in tr] for tr in tree.xpath("//table[@class='timeline']/tbody/tr")]
    assert [r[:3] for r in rows] == [["2023", "2", "1"], ["2024", "1", "1"]]
    kwic = tree.xpath("//table[@class='kwic']/tbody/tr")
    assert [tr.xpath("string(td[@class='match'])") for tr in kwic] == ["人工智能"] * 3
    assert kwic[0].xpath("string(td[@class='left'])") == "发展"
    assert HOSTILE.encode() not in response.data  # the script in the document is shown, not run
    assert "&lt;script&gt;" in response.data.decode()
    link = kwic[0].xpath("td[@class='date']/a/@href")[0]
    assert link.startswith("/corpus/documents/1?") and link.endswith("#match")


def test_entry_page_concordance_filters_and_sorts(client):
    _, tree = page(client, "/terms/rengong-zhineng?kwic_period=2024&kwic_sort=right")
    assert [td.text_content() for td in tree.xpath("//table[@class='kwic']//td[@class='date']")] == ["2024-02-01"]
    _, tree = page(client, "/terms/rengong-zhineng?kwic_period=lately")
    assert "is not a period" in tree.xpath("string(//p[@class='error'])")
    _, tree = page(client, "/terms/rengong-zhineng?by=quarter")
    assert tree.xpath("//table[@class='timeline']/tbody/tr[1]/th/text()") == ["2023-Q1"]


def test_entry_without_uses_has_no_corpus_section(client):
    _, tree = page(client, "/terms/xinxing-juguo-tizhi")
    assert not tree.xpath("//section[@class='corpus-usage']")


def test_document_view_marks_the_match(client):
    response, tree = page(client, "/corpus/documents/1?start=2&end=6")
    assert tree.xpath("//mark[@id='match']/text()") == ["人工智能"]
    assert HOSTILE.encode() not in response.data
    _, tree = page(client, "/corpus/documents/1?start=5&end=999")  # out of range: no mark, no error
    assert not tree.xpath("//mark")
    assert client.get("/corpus/documents/99").status_code == 404


def test_compare_page_draws_one_line_per_term(client):
    response, tree = page(client, "/corpus/compare?term=人工智能,算力&term=不存在")
    assert len(tree.xpath("//*[local-name()='polyline']")) == 2
    assert tree.xpath("//table[@class='timeline']/tbody/tr/th/text()") == ["2023", "2024"]
    assert "No entry for “不存在”" in tree.xpath("string(//p[@class='error'])")
    _, empty = page(client, "/corpus/compare")
    assert not empty.xpath("//*[local-name()='svg']")


def test_discovery_page_shows_the_saved_run_with_a_draft_link(client):
    response, tree = page(client, "/corpus/discover")
    assert tree.xpath("string(//strong[@class='candidate-text'])") == "澜湄<b>数链"
    draft = tree.xpath("//a[@class='draft']/@href")[0]
    assert draft.startswith("/new?zh=%E6%BE%9C%E6%B9%84%3Cb%3E")
    assert HOSTILE.encode() not in response.data and b"<b>\xe6\x95\xb0" not in response.data


def test_overview_and_an_empty_corpus(client, db_path):
    _, tree = page(client, "/corpus")
    assert "2 documents" in tree.xpath("string(//main)")
    empty = create_app(db_path).test_client()
    _, tree = page(empty, "/corpus")
    assert "The corpus is empty" in tree.xpath("string(//main)")
    _, tree = page(empty, "/corpus/discover")
    assert "No discovery run yet" in tree.xpath("string(//main)")
    _, tree = page(empty, "/terms/rengong-zhineng")
    assert not tree.xpath("//section[@class='corpus-usage']")
