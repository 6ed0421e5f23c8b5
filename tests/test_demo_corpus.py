"""The dated demo corpus shipped in bench/corpus/: its manifest loads, and `corpus add --manifest`
finds the files relative to the manifest, whatever the working directory."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from glossary.cli import cli

CORPUS = Path(__file__).resolve().parent.parent / "bench" / "corpus"


def test_shipped_manifest_names_every_report_with_a_2026_date():
    lines = (CORPUS / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    assert {item["path"] for item in items} == {p.name for p in CORPUS.glob("*.txt")}
    for item in items:
        assert (CORPUS / item["path"]).is_file()
        when = datetime.date.fromisoformat(item["date"])
        assert datetime.date(2026, 1, 1) <= when <= datetime.date(2026, 3, 31), item
        assert item["title"] and item["url"].startswith("https://")
        assert item["source"] == "provincial government work report"


@pytest.fixture
def db(tmp_path, db_path):
    path = tmp_path / "terms.sqlite"
    shutil.copy(db_path, path)
    return path


def test_manifest_paths_resolve_from_the_manifest_not_the_working_directory(tmp_path, db, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text("发展人工智能。", encoding="utf-8")
    (folder / "manifest.jsonl").write_text(
        json.dumps({"path": "a.txt", "date": "2026-01-25", "title": "甲", "source": "demo"}) + "\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    args = ["corpus", "add", "--manifest", "../reports/manifest.jsonl", "--jobs", "1", "--db", str(db)]
    added = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert added.exit_code == 0, added.output
    listed = CliRunner().invoke(cli, ["corpus", "list", "--format", "json", "--db", str(db)])
    assert [(d["date"], d["title"], d["source"]) for d in json.loads(listed.output)] == [("2026-01-25", "甲", "demo")]
