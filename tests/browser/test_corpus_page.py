"""The entry page's corpus section in real headless Chromium against a real `glossary serve`: the SVG
timeline is drawn (with JavaScript off, too), its table opens, and a concordance line leads to the
document view scrolled to the match."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"server exited with {proc.returncode}"
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory, db_path):
    from glossary.corpus import Corpus, collect

    folder = tmp_path_factory.mktemp("browser-corpus")
    db = folder / "terms.sqlite"
    shutil.copy(db_path, db)
    docs = folder / "docs"
    docs.mkdir()
    for year, uses in ((2021, 1), (2022, 3), (2023, 2)):
        filler = "各地稳步推进各项工作。" * 200
        (docs / f"{year}0601.txt").write_text(filler + "发展人工智能。" * uses + filler, encoding="utf-8")
    with Corpus(db) as corpus:
        corpus.add(collect([docs], source="demo"))
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_entry_page_timeline_chart_table_and_concordance(browser, corpus_server):
    context = browser.new_context(java_script_enabled=False)  # the chart needs no script
    page = context.new_page()
    try:
        page.goto(corpus_server + "/terms/rengong-zhineng")
        chart = page.locator("section.corpus-usage svg.timeline-chart")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 80
        assert page.locator("svg.timeline-chart circle").count() == 3
        ys = [float(c.get_attribute("cy") or 0) for c in page.locator("svg.timeline-chart circle").all()]
        assert ys[1] < ys[2] < ys[0]  # 2022 highest, 2021 lowest (SVG y grows downwards)
        table = page.locator("table.timeline")
        expect(table).to_be_hidden()  # inside a closed <details>
        page.locator("details.timeline-table summary").click()
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(3)
        expect(table.locator("tbody tr").nth(1)).to_contain_text("2022")
        lines = page.locator("table.kwic tbody tr")
        expect(lines).to_have_count(6)
        expect(lines.first.locator("td.match mark")).to_have_text("人工智能")
        lines.nth(3).locator("td.date a").click()
        expect(page.locator("mark#match")).to_have_text("人工智能")
        expect(page.locator("mark#match")).to_be_in_viewport()
    finally:
        context.close()
