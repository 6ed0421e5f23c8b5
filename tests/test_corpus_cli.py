"""`glossary corpus …`, `timeline`, `kwic`, `discover` as a user runs them: outputs, formats, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from glossary.cli import cli


@pytest.fixture
def db(tmp_path, db_path):
    path = tmp_path / "terms.sqlite"
    shutil.copy(db_path, path)
    return path


@pytest.fixture
def run(db):
    def invoke(*args):
        return CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)

    return invoke


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "20230301.txt").write_text("发展人工智能。坚持新型举国体制。", encoding="utf-8")
    (folder / "2024-02-01-speech.md").write_text("# 讲话\n\n人工智能与算力。人工智能。", encoding="utf-8")
    return folder


def test_add_list_stats_and_readd(run, docs):
    added = run("corpus", "add", str(docs), "--source", "demo", "--jobs", "1")
    assert added.exit_code == 0
    assert "added 2, replaced 0, unchanged 0" in added.stderr
    assert "unchanged 2" in run("corpus", "add", str(docs), "--source", "demo", "--jobs", "1").stderr
    listed = json.loads(run("corpus", "list", "--format", "json").output)
    assert [(d["date"], d["source"], d["title"]) for d in listed] == [
        ("2023-03-01", "demo", "发展人工智能。坚持新型举国体制。"),
        ("2024-02-01", "demo", "讲话"),
    ]
    stats = json.loads(run("corpus", "stats", "--format", "json").output)
    assert (stats["documents"], stats["first"], stats["last"], stats["stale_entries"]) == (
        2,
        "2023-03-01",
        "2024-02-01",
        0,
    )
    assert "2 documents" in run("corpus", "stats").output


def test_timeline_formats(run, docs):
    run("corpus", "add", str(docs), "--jobs", "1")
    one = json.loads(run("timeline", "人工智能", "--format", "json").output)
    assert one["entry"] == "rengong-zhineng" and [p["count"] for p in one["series"]] == [1, 2]
    assert list(one) == ["entry", "by", "series", "first", "last"]
    assert list(one["first"]) == ["date", "document", "context"]
    two = json.loads(run("timeline", "人工智能", "算力", "--format", "json").output)
    assert [t["entry"] for t in two] == ["rengong-zhineng", "suanli"]
    rows = list(csv.DictReader(io.StringIO(run("timeline", "人工智能", "算力", "--format", "csv").output)))
    assert rows[0] == {
        "entry": "rengong-zhineng",
        "period": "2023",
        "count": "1",
        "documents": "1",
        "per_10k": rows[0]["per_10k"],
    }
    assert [(r["entry"], r["period"], r["count"]) for r in rows] == [
        ("rengong-zhineng", "2023", "1"),
        ("rengong-zhineng", "2024", "2"),
        ("suanli", "2023", "0"),
        ("suanli", "2024", "1"),
    ]
    text = run("timeline", "人工智能").output
    assert text.splitlines()[1].split() == ["2023", "1", "1", one["series"][0]["per_10k"].__format__(".3f")]
    assert "first 人工智能: 2023-03-01" in text


def test_kwic_text_and_json(run, docs):
    run("corpus", "add", str(docs), "--jobs", "1")
    out = run("kwic", "人工智能", "--width", "3")
    assert out.output.splitlines()[0].endswith("发展 [人工智能] 。坚持")
    assert "3 of 3 line(s)" in out.stderr
    data = json.loads(run("kwic", "人工智能", "--format", "json", "--period", "2024").output)
    assert data["total"] == 2 and {line["date"] for line in data["lines"]} == {"2024-02-01"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["corpus", "add"], "nothing to add"),
        (["corpus", "add", "missing-folder"], "no such file or folder"),
        (["corpus", "add", "{docs}/undated.txt"], "no date in its name"),
        (["corpus", "add", "{docs}/20230301.txt", "--date", "2023-13-01"], "is not a date"),
        (["corpus", "remove", "42"], "no document '42'"),
        (["timeline", "不存在的词"], "no entry for '不存在的词'"),
        (["kwic", "人工智能", "--period", "last year"], "is not a period"),
        (["discover", "--since", "yesterday"], "is not a date"),
        (
            ["corpus", "add", "{docs}/20230301.txt", "--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler needs --engine dask",
        ),
    ],
)
def test_user_errors_are_one_line_with_exit_1(db, docs, args, message):
    (docs / "undated.txt").write_text("人工智能", encoding="utf-8")
    args = [a.replace("{docs}", str(docs)) for a in args]
    result = subprocess.run([sys.executable, "-m", "glossary", *args, "--db", str(db)], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("glossary: ") and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_update_reports_what_it_reannotated(run, docs):
    run("corpus", "add", str(docs), "--jobs", "1")
    assert "0 entries changed, 0 documents re-annotated" in run("corpus", "update", "--jobs", "1").stderr
    everything = run("corpus", "update", "--all", "--jobs", "1")
    assert everything.exit_code == 0 and "2 documents re-annotated" in everything.stderr
    removed = run("corpus", "remove", "1")
    assert "removed 1 document(s)" in removed.stderr
    assert [d["date"] for d in json.loads(run("corpus", "list", "--format", "json").output)] == ["2024-02-01"]


def test_the_corpus_survives_glossary_build_and_follows_an_entry_edit(tmp_path, fixture_paths, docs):
    """`glossary build` updates the database in place: the corpus stays, and the next corpus command
    re-annotates the documents an edited entry can affect."""
    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    db = tmp_path / "own.sqlite"
    sources = str(fixture_paths["sources"])

    def invoke(*args):
        return CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)

    assert invoke("build", "--entries", str(entries), "--sources", sources).exit_code == 0
    invoke("corpus", "add", str(docs), "--jobs", "1")
    before = json.loads(invoke("timeline", "算力", "--format", "json").output)
    assert [p["count"] for p in before["series"]] == [0, 1]

    (entries / "suanli.yaml").write_text(
        (entries / "suanli.yaml").read_text(encoding="utf-8") + "variants:\n  - form: 举国\n    pinyin: jǔguó\n",
        encoding="utf-8",
    )
    assert invoke("build", "--entries", str(entries), "--sources", sources).exit_code == 0
    stats = json.loads(invoke("corpus", "stats", "--format", "json").output)
    assert (stats["documents"], stats["stale_entries"]) == (2, 1)
    after = json.loads(invoke("timeline", "算力", "--format", "json").output)  # updates first
    assert [p["count"] for p in after["series"]] == [1, 1]  # the new form, inside 新型举国体制 in 2023
    assert json.loads(invoke("corpus", "stats", "--format", "json").output)["stale_entries"] == 0
