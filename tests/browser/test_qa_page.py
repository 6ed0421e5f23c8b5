"""The /qa page in real headless Chromium against a real `glossary serve`: upload an XLIFF file, read the
report (terms highlighted in both languages, findings listed, links to the entries), paste instead."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file source-language="zh-CN" target-language="en-US" datatype="plaintext" original="notice.docx"><body>
  <trans-unit id="1"><source>坚持<g id="b">新型举国体制</g>，发展<x id="2"/>通用人工智能。</source>
   <target>Uphold the New-Type Whole-Nation System and develop artificial general intelligence.</target></trans-unit>
  <trans-unit id="2"><source>贯彻新发展理念，推进改革开放。</source>
   <target>Apply the new development concept and advance &lt;script&gt;reform&lt;/script&gt;.</target></trans-unit>
  <trans-unit id="3"><source>毛泽东时代没有算力。</source><target>Mao Tse-tung's era had no data centres.</target>
   <note>glossary-qa: ok mao-zedong</note></trans-unit>
 </body></file>
</xliff>
"""


@pytest.fixture
def errors(page):
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def test_upload_an_xliff_file_and_read_the_report(page, server, errors, tmp_path):
    path = tmp_path / "notice.xlf"
    path.write_text(XLIFF, encoding="utf-8")
    page.goto(server + "/")
    page.click("nav >> text=QA")
    page.wait_for_url(server + "/qa")
    page.set_input_files("#qa-file", str(path))
    page.click("form#qa-form button[type=submit]")
    expect(page.locator("#qa-summary")).to_have_text(
        "3 segments, 6 terms checked, 3 findings (missing 2, deprecated 1), 1 waived"
    )
    expect(page.locator("#qa-h")).to_have_text("Report: notice.xlf")
    first = page.locator("#seg-1")
    expect(first.locator(".qa-src mark.qa-ok")).to_have_count(2)
    expect(first.locator(".qa-tgt mark.qa-ok").first).to_have_text("New-Type Whole-Nation System")
    # a loose match is shown to the reviewer with the rendering it was taken for
    expect(first.locator(".qa-findings")).to_contain_text("taken for “new-type whole-nation system”")
    second = page.locator("#seg-2")
    expect(second.locator(".qa-tgt mark.qa-deprecated")).to_have_text("new development concept")
    expect(second.locator(".qa-findings li.qa-deprecated")).to_contain_text("expected “new development philosophy”")
    expect(second.locator(".qa-findings li.qa-missing")).to_contain_text("改革开放")
    expect(second.locator(".qa-tgt")).to_contain_text("<script>reform</script>")  # shown as text, not run
    third = page.locator("#seg-3")
    expect(third.locator(".qa-src mark.qa-waived")).to_have_text("毛泽东")
    expect(third.locator(".qa-findings li.qa-missing")).to_contain_text("算力")
    second.locator(".qa-src mark.qa-deprecated a").click()
    page.wait_for_url(server + "/terms/xin-fazhan-linian")
    assert errors == []


def test_paste_source_and_target_side_by_side(page, server, errors):
    page.goto(server + "/qa")
    page.fill("textarea[name=source]", "新发展理念\n毛泽东")
    page.fill("textarea[name=target]", "the New Development Philosophy’s reach\nMao Tse-tung")
    page.click("form#qa-form button[type=submit]")
    expect(page.locator("#qa-summary")).to_have_text("2 segments, 2 terms checked, 1 findings (deprecated 1)")
    expect(page.locator("#seg-1 .qa-tgt mark.qa-ok")).to_have_text("New Development Philosophy’s")
    expect(page.locator("textarea[name=source]")).to_have_value("新发展理念\n毛泽东")
    assert errors == []
