"""The corpus: adding dated documents (skip, replace, dates from names and manifests, encodings),
timelines against hand-computed numbers, concordance order and filters, incremental re-annotation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from glossary.corpus import Corpus, CorpusError, Spec, collect, count_chars, date_from_path, read_manifest
from glossary.usage import kwic, period_bounds, periods_between, timeline


@pytest.fixture
def db(tmp_path, db_path) -> Path:
    """A private copy of the fixture glossary: the corpus writes into the same file."""
    path = tmp_path / "terms.sqlite"
    shutil.copy(db_path, path)
    return path


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def corpus_of(db: Path, *paths, **options) -> Corpus:
    corpus = Corpus(db)
    corpus.add(collect(paths, **options))
    return corpus


# ---------------------------------------------------------------- adding


def test_dates_come_from_file_names_and_folders():
    assert date_from_path(Path("xwlb/20251028.md")) == "2025-10-28"
    assert date_from_path(Path("2025-10-28-readout.html")) == "2025-10-28"
    assert date_from_path(Path("2019/05/2019_05_17.txt")) == "2019-05-17"
    assert date_from_path(Path("20251399.md")) is None  # not a real day
    assert date_from_path(Path("report.txt")) is None


def test_a_folders_readme_and_hidden_files_are_not_documents(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "README.md", "# 来源\n\n这些文件来自政府网站。")
    write(docs, ".cache/20240101.md", "推进人工智能发展。")
    report = write(docs, "2024/20240105.md", "推进人工智能发展。")
    assert [spec.path for spec in collect([docs], date="2024-02-01")] == [str(report.resolve())]
    # named on its own, a README is taken: the user asked for it
    assert len(collect([docs / "README.md"], date="2024-02-01")) == 1


def test_add_skips_unchanged_files_and_replaces_changed_ones(tmp_path, db):
    docs = tmp_path / "docs"
    write(docs, "20240105.md", "# 第一篇\n\n推进人工智能发展。")
    second = write(docs, "2024-03-10-speech.txt", "坚持新型举国体制。")
    with Corpus(db) as corpus:
        first = corpus.add(collect([docs], source="test"))
        assert first.to_dict() == {"added": 2, "replaced": 0, "unchanged": 0, "failed": []}
        before = corpus.documents()
        again = corpus.add(collect([docs], source="test"))
        assert again.to_dict() == {"added": 0, "replaced": 0, "unchanged": 2, "failed": []}
        assert corpus.documents() == before

        second.write_text("坚持新型举国体制，发展人工智能。", encoding="utf-8")
        third = corpus.add(collect([docs], source="test"))
        assert third.to_dict() == {"added": 0, "replaced": 1, "unchanged": 1, "failed": []}
        docs_now = corpus.documents()
        assert [(d["date"], d["title"], d["occurrences"]) for d in docs_now] == [
            ("2024-01-05", "第一篇", 2),  # 人工智能, and 智能 inside it
            ("2024-03-10", "坚持新型举国体制，发展人工智能。", 3),
        ]
        assert len(corpus.documents()) == 2  # replaced, not added beside the old version


def test_markdown_html_and_gb18030_are_read_as_text(tmp_path, db):
    docs = tmp_path / "docs"
    write(
        docs,
        "20240101.html",
        "<html><head><title>标题一</title><script>人工智能()</script></head>"
        "<body><p>发展<b>人工智能</b>。</p></body></html>",
    )
    write(docs, "20240102.txt", "国有企业改革。", encoding="gb18030")
    write(docs, "20240103.md", "## 小标题\n\n**算力**建设。")
    with corpus_of(db, docs, source="s") as corpus:
        docs_ = {d["date"]: corpus.document(d["id"]) for d in corpus.documents()}
        assert docs_["2024-01-01"]["title"] == "标题一"
        assert docs_["2024-01-01"]["text"] == "发展人工智能。"  # the script is not text
        assert docs_["2024-01-02"]["text"] == "国有企业改革。"
        assert docs_["2024-01-03"]["text"] == "小标题\n\n算力建设。"
        found = {d["date"]: d["occurrences"] for d in corpus.documents()}
        assert found == {"2024-01-01": 2, "2024-01-02": 1, "2024-01-03": 1}  # 智能 inside 人工智能


def test_manifest_gives_date_title_source_and_url(tmp_path, db):
    write(tmp_path, "a.txt", "人工智能")
    write(tmp_path, "sub/b.txt", "算力")
    manifest = tmp_path / "corpus.jsonl"
    manifest.write_text(
        json.dumps({"path": "a.txt", "date": "2023-07-01", "title": "甲", "source": "xinhua", "url": "https://x/a"})
        + "\n\n"
        + json.dumps({"path": "sub/b.txt", "date": "20230802"})
        + "\n",
        encoding="utf-8",
    )
    specs = read_manifest(manifest, source="fallback")
    assert specs == [
        Spec(str((tmp_path / "a.txt").resolve()), "2023-07-01", "xinhua", "甲", "https://x/a"),
        Spec(str((tmp_path / "sub/b.txt").resolve()), "2023-08-02", "fallback", None, None),
    ]
    with Corpus(db) as corpus:
        corpus.add(specs)
        rows = [(d["date"], d["source"], d["title"], d["url"]) for d in corpus.documents()]
    assert rows == [("2023-07-01", "xinhua", "甲", "https://x/a"), ("2023-08-02", "fallback", "算力", None)]


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"path": "a.txt"}', 'needs at least "path" and "date"'),
        ('{"path": "a.txt", "date": "2023-02-30"}', "is not a date"),
        ('{"path": "missing.txt", "date": "2023-02-03"}', "no such file"),
        ("not json", "not JSON"),
    ],
)
def test_bad_manifest_lines_are_named(tmp_path, line, message):
    write(tmp_path, "a.txt", "人工智能")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message) as info:
        read_manifest(manifest)
    assert "m.jsonl:1" in str(info.value)


def test_a_file_without_a_date_is_refused_before_anything_is_written(tmp_path, db):
    write(tmp_path, "docs/20240101.txt", "人工智能")
    write(tmp_path, "docs/undated.txt", "算力")
    with pytest.raises(CorpusError, match="undated.txt: no date"):
        collect([tmp_path / "docs"])
    with Corpus(db) as corpus:
        assert corpus.is_empty()


def test_remove_by_id_and_by_folder(tmp_path, db):
    write(tmp_path, "a/20240101.txt", "人工智能")
    write(tmp_path, "a/20240102.txt", "算力")
    write(tmp_path, "b/20240103.txt", "大模型")
    with corpus_of(db, tmp_path / "a", tmp_path / "b") as corpus:
        first = corpus.documents()[0]["id"]
        assert corpus.remove([str(first)]) == 1
        assert corpus.remove([str(tmp_path / "b")]) == 1
        assert [d["date"] for d in corpus.documents()] == ["2024-01-02"]
        assert corpus.query("SELECT count(*) FROM corpus_occurrences")[0][0] == 1  # the others' went with them
        with pytest.raises(CorpusError, match="no document"):
            corpus.remove(["999"])


# ---------------------------------------------------------------- timelines


def test_timeline_counts_and_per_10k_match_hand_computed_numbers(tmp_path, db):
    texts = {
        "20230510.txt": "人工智能改变世界。人工智能也改变生活。",  # 2 uses
        "20231201.txt": "今年没有提到那个词。",
        "20240115.txt": "通用人工智能来了。",  # 通用人工智能 and the 人工智能 inside it
        "20240820.txt": "算力和人工智能。",
    }
    for name, text in texts.items():
        write(tmp_path / "docs", name, text)
    with corpus_of(db, tmp_path / "docs", source="s") as corpus:
        chars = {name[:4]: 0 for name in texts}
        for name, text in texts.items():
            chars[name[:4]] += count_chars(text)
        assert chars == {"2023": 19 + 10, "2024": 9 + 8}
        result = timeline(corpus, "rengong-zhineng", "year")
        assert result == {
            "entry": "rengong-zhineng",
            "by": "year",
            "series": [
                {"period": "2023", "count": 2, "documents": 1, "per_10k": round(2 * 10_000 / 29, 3)},
                {"period": "2024", "count": 2, "documents": 2, "per_10k": round(2 * 10_000 / 17, 3)},
            ],
            "first": {"date": "2023-05-10", "document": 1, "context": "人工智能改变世界。人工智能也改变生活。"},
            "last": {"date": "2024-08-20", "document": 4, "context": "算力和人工智能。"},
        }
        quarters = timeline(corpus, "rengong-zhineng", "quarter")
        assert [(p["period"], p["count"], p["documents"]) for p in quarters["series"]] == [
            ("2023-Q2", 2, 1),
            ("2023-Q3", 0, 0),
            ("2023-Q4", 0, 0),
            ("2024-Q1", 1, 1),
            ("2024-Q2", 0, 0),
            ("2024-Q3", 1, 1),
        ]
        assert quarters["series"][1]["per_10k"] == 0.0
        assert [p["period"] for p in timeline(corpus, "suanli", "month")["series"]][:3] == [
            "2023-05",
            "2023-06",
            "2023-07",
        ]


def test_timeline_of_a_source_counts_only_its_documents(tmp_path, db):
    write(tmp_path, "a/20230101.txt", "人工智能")
    write(tmp_path, "b/20230102.txt", "人工智能，人工智能")
    with Corpus(db) as corpus:
        corpus.add(collect([tmp_path / "a"], source="a") + collect([tmp_path / "b"], source="b"))
        only_b = timeline(corpus, "rengong-zhineng", "year", source="b")
        assert only_b["series"] == [{"period": "2023", "count": 2, "documents": 1, "per_10k": round(2e4 / 9, 3)}]
        assert only_b["first"]["date"] == "2023-01-02"


def test_periods():
    assert periods_between("2023-11-05", "2024-02-01", "month") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert periods_between("2023-05-05", "2023-05-06", "quarter") == ["2023-Q2"]
    assert period_bounds("2024-Q3") == ("2024-07-01", "2024-09-31")
    assert period_bounds("2024") == ("2024-01-01", "2024-12-31")


# ---------------------------------------------------------------- concordance


def test_kwic_sorts_by_date_and_context_and_filters_by_source_and_period(tmp_path, db):
    write(tmp_path, "x/20240301.txt", "乙方发展人工智能甲")
    write(tmp_path, "x/20230301.txt", "甲方支持人工智能乙")
    write(tmp_path, "y/20240501.txt", "丙方推动人工智能丙")
    with Corpus(db) as corpus:
        corpus.add(collect([tmp_path / "x"], source="x") + collect([tmp_path / "y"], source="y"))
        lines, total = kwic(corpus, "rengong-zhineng", width=4)
        assert total == 3
        assert [(line.date, line.left, line.match, line.right) for line in lines] == [
            ("2023-03-01", "甲方支持", "人工智能", "乙"),
            ("2024-03-01", "乙方发展", "人工智能", "甲"),
            ("2024-05-01", "丙方推动", "人工智能", "丙"),
        ]
        by_left = [line.left for line in kwic(corpus, "rengong-zhineng", sort="left", width=4)[0]]
        assert by_left == sorted(by_left, key=lambda s: s[::-1])
        by_right = [line.right for line in kwic(corpus, "rengong-zhineng", sort="right", width=4)[0]]
        assert by_right == sorted(by_right)
        assert [line.source for line in kwic(corpus, "rengong-zhineng", source="y")[0]] == ["y"]
        assert [line.date for line in kwic(corpus, "rengong-zhineng", period="2024-Q1")[0]] == ["2024-03-01"]
        assert kwic(corpus, "rengong-zhineng", limit=1)[1] == 3


# ---------------------------------------------------------------- incremental re-annotation


def test_a_glossary_edit_reannotates_only_the_documents_it_can_affect(tmp_path, fixture_paths):
    from glossary.build import build

    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    db = tmp_path / "terms.sqlite"
    build(db, entries, fixture_paths["sources"])
    write(tmp_path, "docs/20240101.txt", "发展人工智能。")
    write(tmp_path, "docs/20240102.txt", "建设算力中心。")
    write(tmp_path, "docs/20240103.txt", "发展智算中心。")  # 智算 is not a form yet
    with corpus_of(db, tmp_path / "docs", source="s") as corpus:
        occurrences_before = corpus.query("SELECT rowid, * FROM corpus_occurrences ORDER BY rowid")
        assert corpus.update() == {"entries": 0, "documents": 0}

    suanli = entries / "suanli.yaml"
    suanli.write_text(
        suanli.read_text(encoding="utf-8") + "variants:\n  - form: 智算\n    pinyin: zhìsuàn\n", encoding="utf-8"
    )
    build(db, entries, fixture_paths["sources"])  # in place: the corpus tables stay
    with Corpus(db) as corpus:
        assert len(corpus.documents()) == 3
        changed, forms, _, redo_all = corpus.stale_entries()
        assert changed == {"suanli"} and not redo_all and "智算" in forms
        # 算力 (old and new form) is in the 2nd document, 智算 (new) in the 3rd: those two are redone
        assert corpus.update() == {"entries": 1, "documents": 2}
        after = corpus.query("SELECT rowid, * FROM corpus_occurrences ORDER BY rowid")
        untouched = [tuple(r) for r in occurrences_before if r["document_id"] == 1]
        assert [tuple(r) for r in after if r["document_id"] == 1] == untouched  # same rows, not rewritten
        third = [(r["entry_id"], r["start"], r["end"]) for r in after if r["document_id"] == 3]
        assert third == [("suanli", 2, 4)]
        assert corpus.update() == {"entries": 0, "documents": 0}


def test_removing_an_entry_removes_its_occurrences_on_update(tmp_path, fixture_paths):
    from glossary.build import build

    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    db = tmp_path / "terms.sqlite"
    build(db, entries, fixture_paths["sources"])
    write(tmp_path, "docs/20240101.txt", "建设算力中心，发展人工智能。")
    corpus_of(db, tmp_path / "docs").close()
    (entries / "suanli.yaml").unlink()
    build(db, entries, fixture_paths["sources"])
    with Corpus(db) as corpus:
        assert corpus.update() == {"entries": 1, "documents": 1}
        ids = [r[0] for r in corpus.query("SELECT entry_id FROM corpus_occurrences ORDER BY entry_id")]
        assert ids == ["rengong-zhineng", "zhineng"]


def test_parallel_annotation_stores_what_one_process_stores(tmp_path, db):
    for day in range(1, 7):
        write(tmp_path, f"docs/202401{day:02d}.txt", "发展人工智能和算力。" * day + "坚持新型举国体制。")
    other = tmp_path / "other.sqlite"
    shutil.copy(db, other)
    with Corpus(db) as one, Corpus(other) as two:
        one.add(collect([tmp_path / "docs"], source="s"), jobs=1)
        two.add(collect([tmp_path / "docs"], source="s"), jobs=2)
        query = "SELECT d.date, o.entry_id, o.start, o.end, o.nested FROM corpus_occurrences o JOIN corpus_documents d "
        query += "ON d.id = o.document_id ORDER BY 1, 3, 2"
        assert [tuple(r) for r in one.query(query)] == [tuple(r) for r in two.query(query)]
        assert len(one.query(query)) == sum(3 * d + 1 for d in range(1, 7))  # 人工智能, 智能, 算力


@pytest.mark.parametrize("scheduler", ["synchronous", "processes"])
def test_dask_engine_stores_what_one_process_stores(tmp_path, db, scheduler):
    pytest.importorskip("dask")
    from glossary.corpus import Engine

    for day in range(1, 5):
        write(tmp_path, f"docs/202401{day:02d}.txt", "发展人工智能和算力。" * day + "坚持新型举国体制。")
    other = tmp_path / "other.sqlite"
    shutil.copy(db, other)
    query = (
        "SELECT d.date, o.entry_id, o.start, o.end, o.nested, o.ambiguous FROM corpus_occurrences o "
        "JOIN corpus_documents d ON d.id = o.document_id ORDER BY 1, 3, 2"
    )
    with Corpus(db) as one, Corpus(other) as dask:
        one.add(collect([tmp_path / "docs"], source="s"), jobs=1)
        report = dask.add(collect([tmp_path / "docs"], source="s"), jobs=2, engine=Engine("dask", scheduler))
        assert report.added == 4
        assert [tuple(r) for r in dask.query(query)] == [tuple(r) for r in one.query(query)]
        assert len(one.query(query)) == sum(3 * d + 1 for d in range(1, 5))
