"""CLI output: HTML with absolute links to the served site, Markdown with pinyin for every word, and
term lists in the script of the text."""

from __future__ import annotations

from click.testing import CliRunner

from glossary import render
from glossary.cli import cli


def run(db_path, *args):
    result = CliRunner().invoke(cli, ["annotate", "--db", str(db_path), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_html_links_are_absolute(db_path):
    out = run(db_path, "--format", "html", "发展人工智能")
    assert 'href="http://127.0.0.1:8000/terms/rengong-zhineng"' in out and 'href="/terms' not in out
    out = run(db_path, "--format", "html", "--base-url", "https://glossary.example/", "发展人工智能")
    assert 'href="https://glossary.example/terms/rengong-zhineng"' in out


def test_markdown_honours_pinyin_all(db_path):
    out = run(db_path, "--format", "markdown", "--pinyin", "all", "我们发展人工智能")
    assert out.startswith("*wǒmen fāzhǎn réngōng zhìnéng*  \n我们发展人工智能")


def test_term_lists_use_the_script_of_the_text(glossary, db_path):
    traditional = glossary.annotate("堅持新型舉國體制，發展通用人工智慧")
    assert render.is_traditional(traditional)
    assert [t["head"] for t in render.term_table(traditional)][:2] == ["新型舉國體制", "通用人工智慧"]
    assert not render.is_traditional(glossary.annotate("坚持新型举国体制"))
    out = run(db_path, "--format", "markdown", "堅持新型舉國體制")
    assert "| 新型舉國體制 |" in out
