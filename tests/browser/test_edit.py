"""Editing in real headless Chromium against a real `glossary serve` with accounts: an editor logs in
and changes a rendering; a contributor suggests an entry from the annotate page, an editor approves
it, it annotates, and its history restores the first revision; hostile notes stay inert."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import free_port, wait_for
from tests.conftest import team_password

pytestmark = pytest.mark.browser


@pytest.fixture
def team_server(team_db, fixture_paths):
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary", "serve", "--db", str(team_db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, "GLOSSARY_SEEDS": str(fixture_paths["seeds"])},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", proc, log, timeout=120)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def log_in(page, base, name):
    page.goto(base + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", team_password(name))
    page.click("form.login-form button")
    expect(page.locator("header.site")).to_contain_text(f"{name} · log out")


def test_an_editor_logs_in_and_edits_a_rendering(browser, team_server):
    page = browser.new_context().new_page()
    log_in(page, team_server, "ann")
    page.goto(team_server + "/terms/suanli")
    page.click("text=Edit")
    page.fill("input[name=renderings-0-en]", "compute")
    page.select_option("select[name=renderings-0-status]", "admitted")
    page.fill("input[name=renderings-0-authority]", "curator")
    page.fill("input[name=comment]", "the shorter form is common now")
    page.click("button[value=save]")
    expect(page.locator(".notice-ok")).to_contain_text("Saved as revision 2")
    expect(page.locator("table.renderings")).to_contain_text("compute")
    expect(page.locator(".status-badge")).to_have_text("draft")
    page.context.close()


def test_a_suggestion_from_the_annotate_page_is_approved_annotates_and_restores(browser, team_server):
    contributor = browser.new_context().new_page()
    log_in(contributor, team_server, "bob")
    contributor.goto(team_server + "/annotate")
    contributor.fill("#text", "坚持发展新质生产力。")
    contributor.click("#annotate-form button[type=submit]")
    contributor.fill("#suggest-zh", "新质生产力")
    contributor.click("text=Suggest an entry")
    expect(contributor.locator("input[name=zh]")).to_have_value("新质生产力")
    expect(contributor.locator(".suggestion")).to_contain_text("pypinyin suggests")
    contributor.fill("input[name=id]", "xinzhi-shengchanli")
    contributor.fill("input[name=pinyin]", "xīnzhì shēngchǎnlì")
    contributor.fill("input[name=en]", "new quality productive forces")
    contributor.fill("textarea[name=notes]", 'Hostile: <img src=x onerror="document.title=1"> [x](javascript:alert(1))')
    contributor.click("button[value=save]")
    expect(contributor.locator(".notice-ok")).to_contain_text("proposal #1")
    contributor.context.close()

    editor = browser.new_context().new_page()
    dialogs: list[str] = []
    editor.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(editor, team_server, "ann")
    editor.goto(team_server + "/review")
    editor.click("text=#1")
    expect(editor.locator("table.diff")).to_contain_text("new quality productive forces")
    editor.click("button[value=approve]")
    expect(editor.locator(".notice-ok")).to_contain_text("approved")
    editor.goto(team_server + "/annotate")
    editor.fill("#text", "坚持发展新质生产力。")
    editor.click("#annotate-form button[type=submit]")
    expect(editor.locator(".annotated")).to_contain_text("new quality productive forces")
    editor.goto(team_server + "/terms/xinzhi-shengchanli")
    assert editor.locator(".notes img").count() == 0 and editor.title() != "1"
    editor.goto(team_server + "/terms/xinzhi-shengchanli/edit")
    editor.fill("input[name=en]", "new productive forces")
    editor.click("button[value=save]")
    editor.goto(team_server + "/terms/xinzhi-shengchanli/history")
    expect(editor.locator("table.history tbody tr")).to_have_count(2)
    editor.click("button:has-text('Restore this revision')")
    expect(editor.locator(".notice-ok")).to_contain_text("Restored revision 1 as revision 3")
    editor.goto(team_server + "/terms/xinzhi-shengchanli")
    expect(editor.locator("#preferred")).to_have_text("new quality productive forces")
    assert dialogs == []
    editor.context.close()
