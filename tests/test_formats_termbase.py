"""TBX and CSV/TSV termbases in: read, planned (added / changed / unchanged / conflicts), written only
through exchange.import_entries' door, never outside the entries folder; a dry run writes nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml

from glossary import exchange
from glossary.formats import termbase
from glossary.store import Store

MEMOQ = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>memoQ</p></sourceDesc></fileDesc></martifHeader>
<text><body>
<termEntry id="_1"><langSet xml:lang="zh-CN"><ntig><termGrp><term>新质生产力</term></termGrp></ntig></langSet>
  <langSet xml:lang="zh-TW"><ntig><termGrp><term>新質生產力</term></termGrp></ntig></langSet>
  <langSet xml:lang="en"><ntig><termGrp><term>new quality productive forces</term>
    <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termGrp></ntig>
  <ntig><termGrp><term>new productive forces</term>
    <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termGrp></ntig></langSet></termEntry>
<termEntry id="_2"><langSet xml:lang="zh-CN"><tig><term>人工智能</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>machine intelligence</term></tig></langSet></termEntry>
</body></text></martif>
"""


@pytest.fixture
def folder(tmp_path, fixture_paths):
    target = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], target)
    return target


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_our_own_tbx_export_reads_back_unchanged(folder, db_path, tmp_path):
    path = tmp_path / "glossary.tbx"
    with Store(db_path) as store:  # closed: an open connection is a ResourceWarning on 3.13
        path.write_text(exchange.export(store, "tbx"), encoding="utf-8")
    result = termbase.plan(termbase.read(path), folder)
    assert (result.added, result.changed, result.conflicts) == ([], [], [])
    assert len(result.unchanged) == len(list(folder.glob("*.yaml")))


def test_memoq_tbx_plan_and_apply(folder, tmp_path, fixture_paths):
    path = tmp_path / "memoq.tbx"
    path.write_text(MEMOQ, encoding="utf-8")
    result = termbase.plan(termbase.read(path), folder)
    assert [e["zh"] for e in result.added] == ["新质生产力"]
    added = result.added[0]
    assert added["zh_hant"] == "新質生產力" and added["pinyin"]  # pinyin suggested where the file has none
    assert added["renderings"] == [
        {"en": "new productive forces", "status": "deprecated", "authority": "curator: imported from memoq.tbx"}
    ]
    [(merged, what)] = result.changed
    assert merged["id"] == "rengong-zhineng" and what == ["adds rendering 'machine intelligence' (admitted)"]
    assert merged["en"] == "artificial intelligence (AI)"  # curated data wins
    assert result.conflicts and "machine intelligence" in result.conflicts[0]
    before = snapshot(folder)
    written = termbase.apply(result, folder, fixture_paths["sources"], fixture_paths["seeds"])
    assert {p.parent for p in written} == {folder}
    after = snapshot(folder)
    assert set(after) - set(before) == {f"{added['id']}.yaml"}
    data = yaml.safe_load((folder / "rengong-zhineng.yaml").read_text(encoding="utf-8"))
    assert data["en"] == "artificial intelligence (AI)"
    assert {
        "en": "machine intelligence",
        "status": "admitted",
        "authority": "curator: imported from memoq.tbx",
    } in data["renderings"]


def test_csv_with_eto_like_columns_and_a_dry_run_from_the_cli(folder, tmp_path, fixture_paths):
    path = tmp_path / "eto.csv"
    path.write_text(
        "Simplified Chinese,Traditional Chinese,Pinyin,English,Notes\n"
        "数据要素,數據要素,shùjù yàosù,data as a factor of production,\n"
        "人工智能,人工智慧,,artificial intelligence (AI),\n",
        encoding="utf-8",
    )
    before = snapshot(folder)
    args = [
        sys.executable,
        "-m",
        "glossary",
        "import",
        str(path),
        "--entries",
        str(folder),
        "--sources",
        str(fixture_paths["sources"]),
        "--seeds",
        str(fixture_paths["seeds"]),
    ]
    dry = subprocess.run([*args, "--dry-run"], capture_output=True, timeout=120)
    out = dry.stdout.decode()
    assert dry.returncode == 0 and "1 to add, 0 to change, 1 unchanged, 0 conflict(s)" in out
    assert "add     shuju-yaosu  数据要素  data as a factor of production" in out
    assert snapshot(folder) == before and "nothing written" in dry.stderr.decode()
    done = subprocess.run(args, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert (folder / "shuju-yaosu.yaml").is_file() and len(snapshot(folder)) == len(before) + 1


def test_bad_termbases_are_refused_and_change_nothing(folder, tmp_path):
    before = snapshot(folder)
    for name, body in [
        ("a.tbx", "<martif><text><body></body></text></martif>"),
        ("b.tbx", "<martif"),
        ("c.tbx", '<!DOCTYPE x [<!ENTITY a "aaaa">]><martif>&a;</martif>'),
        ("d.csv", "foo,bar\n1,2\n"),
    ]:
        (tmp_path / name).write_text(body, encoding="utf-8")
        with pytest.raises(exchange.ImportProblem):
            termbase.read(tmp_path / name)
    assert snapshot(folder) == before


def test_an_entry_that_fails_the_check_refuses_the_whole_import(folder, tmp_path, fixture_paths):
    path = tmp_path / "bad.csv"
    path.write_text("zh,en,pinyin\n数据要素,data factor,\n区块链,blockchain,wrong pinyin here\n", encoding="utf-8")
    result = termbase.plan(termbase.read(path), folder)
    before = snapshot(folder)
    with pytest.raises(exchange.ImportProblem):
        termbase.apply(result, folder, fixture_paths["sources"], fixture_paths["seeds"])
    assert snapshot(folder) == before
