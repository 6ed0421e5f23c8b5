"""Export to JSON/YAML/CSV/TBX and import back into curated YAML (all or nothing)."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from glossary import curation, exchange
from glossary.store import Store


@pytest.fixture
def store(db_path):
    with Store(db_path) as store:  # closed at the end of the test: an open one fails on Python 3.13
        yield store


def test_tbx_is_well_formed_tbx_basic_with_both_languages(store):
    root = ET.fromstring(exchange.export(store, "tbx").split("\n", 2)[2])
    assert root.tag == "martif" and root.get("type") == "TBX-Basic"
    entry = root.find(".//termEntry[@id='xinxing-juguo-tizhi']")
    terms = {
        ls.get("{http://www.w3.org/XML/1998/namespace}lang"): [t.text for t in ls.iter("term")]
        for ls in entry.iter("langSet")
    }
    assert terms["zh-CN"] == ["新型举国体制"]
    assert terms["zh-TW"] == ["新型舉國體制"]
    assert terms["en"] == ["new national system", "new-type whole-nation system"]


def test_csv_has_one_row_per_entry(store):
    rows = list(csv.DictReader(io.StringIO(exchange.export(store, "csv"))))
    assert len(rows) == len(store.all_entries())
    row = next(r for r in rows if r["id"] == "tongyong-rengong-zhineng")
    assert (row["zh"], row["pinyin"], row["other_renderings"]) == (
        "通用人工智能",
        "tōngyòng réngōng zhìnéng",
        "general artificial intelligence",
    )
    assert "\t" in exchange.export(store, "tsv").splitlines()[0]


def test_import_round_trips_an_export(tmp_path, store, fixture_paths):
    exported = tmp_path / "export.json"
    exported.write_text(exchange.export(store, "json"), encoding="utf-8")
    target = tmp_path / "entries"
    written = exchange.import_entries(
        exported, target, sources_file=fixture_paths["sources"], seeds=fixture_paths["seeds"]
    )
    assert len(written) == len(list(fixture_paths["entries"].glob("*.yaml")))
    again = curation.load(target, fixture_paths["sources"], fixture_paths["seeds"])
    assert again.problems == []
    original = {e.id: e for e in curation.load(fixture_paths["entries"], fixture_paths["sources"]).entries}
    assert {e.id: e for e in again.entries} == original


def test_a_bad_import_writes_nothing(tmp_path, fixture_paths):
    target = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "entries": [
                    {"id": "ok-one", "zh": "好", "pinyin": "hǎo", "kind": "term", "en": "good", "authority": "curator"},
                    {"id": "bad-one", "zh": "坏", "pinyin": "hǎo", "kind": "term", "en": "bad", "authority": "curator"},
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(exchange.ImportProblem, match="does not fit"):
        exchange.import_entries(bad, target, sources_file=fixture_paths["sources"], seeds=fixture_paths["seeds"])
    with pytest.raises(exchange.ImportProblem, match="exist already"):
        exchange.import_entries(
            _export_of(tmp_path, target), target, sources_file=fixture_paths["sources"], seeds=fixture_paths["seeds"]
        )
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def _export_of(tmp_path, entries_dir):
    path = tmp_path / "same.json"
    path.write_text(
        json.dumps({"entries": [e.to_dict() for e in curation.load(entries_dir).entries]}), encoding="utf-8"
    )
    return path


# ---------------------------------------------------------------- import: what it may write, and where


def _glossary_copy(tmp_path, fixture_paths):
    """A writable glossary folder: entries/, sources.yaml and ordinary_words.txt, as in the package."""
    root = tmp_path / "glossary"
    shutil.copytree(fixture_paths["entries"], root / "entries")
    shutil.copy(fixture_paths["sources"], root / "sources.yaml")
    shutil.copy(fixture_paths["sources"].parent / "ordinary_words.txt", root / "ordinary_words.txt")
    return root


def _tree(path):
    """Every file under `path` with its bytes, to compare a folder before and after."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _import_file(tmp_path, items, name="import.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"entries": items}, ensure_ascii=False), encoding="utf-8")
    return path


def _good(entry_id="hao", **fields):
    return {"id": entry_id, "zh": "好", "pinyin": "hǎo", "kind": "term", "en": "good", "authority": "curator", **fields}


@pytest.mark.parametrize(
    "bad_id",
    [
        "../sources",
        "../../x",
        "ABS",
        "a/b",
        "a\\b",
        "Upper",
        "with space",
        "x\0y",
        "ok\n",
        "a" * 300,
        "",
        5,
        None,
    ],
)
@pytest.mark.parametrize("replace", [False, True])
def test_import_refuses_ids_that_are_not_slugs_and_writes_nothing(tmp_path, fixture_paths, bad_id, replace):
    root = _glossary_copy(tmp_path, fixture_paths)
    if bad_id == "ABS":
        bad_id = str(tmp_path / "outside")
    before = _tree(tmp_path)
    path = _import_file(tmp_path, [_good(), _good(bad_id, zh="坏", pinyin="huài", en="bad")])
    before[path.name] = path.read_bytes()
    with pytest.raises(exchange.ImportProblem, match="id"):
        exchange.import_entries(path, root / "entries", replace=replace, sources_file=root / "sources.yaml")
    assert _tree(tmp_path) == before


def test_import_writes_only_inside_the_entries_folder_even_through_a_symlink(tmp_path, fixture_paths):
    root = _glossary_copy(tmp_path, fixture_paths)
    (root / "entries" / "hao.yaml").symlink_to(root / "sources.yaml")
    before = _tree(tmp_path)
    path = _import_file(tmp_path, [_good()])
    with pytest.raises(exchange.ImportProblem, match="outside"):
        exchange.import_entries(path, root / "entries", replace=True, sources_file=root / "sources.yaml")
    assert _tree(tmp_path) == {**before, path.name: path.read_bytes()}


@pytest.mark.parametrize("bad_id", ["../sources", "x\0y", "a" * 300])
def test_import_command_refuses_a_bad_id_in_one_line(tmp_path, fixture_paths, bad_id):
    root = _glossary_copy(tmp_path, fixture_paths)
    before = _tree(root)
    path = _import_file(tmp_path, [_good(bad_id)])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "glossary",
            "import",
            str(path),
            "--replace",
            "--entries",
            str(root / "entries"),
            "--sources",
            str(root / "sources.yaml"),
        ],
        capture_output=True,
    )
    err = result.stderr.decode()
    assert result.returncode == 1 and err.count("\n") == 1 and "is not a valid id" in err, err
    assert _tree(root) == before


# ---------------------------------------------------------------- import: hostile YAML and sizes

LAUGHS = "\n".join(
    [
        "entries:",
        "- id: hao",
        "  zh: 好",
        "  pinyin: hǎo",
        "  kind: term",
        "  en: good",
        "  notes: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        "  tags: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "  related: [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "",
    ]
)


def test_import_refuses_yaml_aliases_before_they_expand(tmp_path, fixture_paths):
    root = _glossary_copy(tmp_path, fixture_paths)
    before = _tree(root)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(LAUGHS, encoding="utf-8")
    with pytest.raises(exchange.ImportProblem, match="anchors and aliases"):
        exchange.import_entries(bomb, root / "entries", sources_file=root / "sources.yaml")
    assert _tree(root) == before


def test_import_refuses_a_billion_laughs_at_once(tmp_path, fixture_paths):
    """464 bytes that expand to 10^9 strings: refused while scanning, long before any is built."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{b}: &{b} [{', '.join(['*' + a] * 10)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    root = _glossary_copy(tmp_path, fixture_paths)
    with pytest.raises(exchange.ImportProblem, match="anchors and aliases"):
        exchange.import_entries(bomb, root / "entries", sources_file=root / "sources.yaml")


def test_import_refuses_an_anchor_even_without_an_alias(tmp_path, fixture_paths):
    root = _glossary_copy(tmp_path, fixture_paths)
    path = tmp_path / "anchor.yaml"
    path.write_text("- id: hao\n  zh: &z 好\n  pinyin: hǎo\n  kind: term\n  en: good\n", encoding="utf-8")
    with pytest.raises(exchange.ImportProblem, match="anchor.yaml:2: YAML anchors and aliases"):
        exchange.import_entries(path, root / "entries", sources_file=root / "sources.yaml")


@pytest.mark.parametrize("name", ["big.json", "big.yaml"])
def test_import_refuses_a_file_over_the_size_limit(tmp_path, fixture_paths, monkeypatch, name):
    monkeypatch.setattr(exchange, "MAX_IMPORT_BYTES", 1000)
    root = _glossary_copy(tmp_path, fixture_paths)
    before = _tree(root)
    path = _import_file(tmp_path, [_good(notes="long " * 300)], name)
    with pytest.raises(exchange.ImportProblem, match="larger than the limit"):
        exchange.import_entries(path, root / "entries", sources_file=root / "sources.yaml")
    assert _tree(root) == before
    assert exchange.MAX_IMPORT_BYTES < (tmp_path / name).stat().st_size < 2000


# ---------------------------------------------------------------- import: validated exactly like `glossary check`

FABRICATED = {"source": "sample-article", "text": "Beijing never said this (新型举国体制)."}


@pytest.mark.parametrize(
    "items,message",
    [
        ([_good(quotes=[FABRICATED])], "quote 1: text is not verbatim in sample-article"),
        ([_good(), _good()], "duplicate id 'hao'"),
        ([_good(related=["no-such-entry"])], "related id 'no-such-entry' is not an entry"),
        ([_good(zh="智能", pinyin="zhìnéng")], "surface form '智能' (zh) is also a form of"),
    ],
)
def test_import_refuses_what_check_refuses_and_writes_nothing(tmp_path, fixture_paths, items, message):
    root = _glossary_copy(tmp_path, fixture_paths)
    before = _tree(root)
    path = _import_file(tmp_path, items)
    with pytest.raises(exchange.ImportProblem, match=re.escape(message)):
        exchange.import_entries(
            path, root / "entries", sources_file=root / "sources.yaml", seeds=fixture_paths["seeds"]
        )
    assert _tree(root) == before


def test_import_command_checks_quotes_against_the_articles(tmp_path, fixture_paths):
    root = _glossary_copy(tmp_path, fixture_paths)
    before = _tree(root)
    path = _import_file(tmp_path, [_good(quotes=[FABRICATED])])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "glossary",
            "import",
            str(path),
            "--entries",
            str(root / "entries"),
            "--sources",
            str(root / "sources.yaml"),
        ],
        capture_output=True,
        env={**os.environ, "GLOSSARY_SEEDS": str(fixture_paths["seeds"])},
    )
    err = result.stderr.decode()
    assert result.returncode == 1 and "not verbatim in sample-article" in err and "Traceback" not in err, err
    assert err.splitlines()[-1].startswith("glossary: import refused")
    assert _tree(root) == before


def test_import_reports_the_problems_check_reports_for_the_same_file(tmp_path, fixture_paths):
    """An imported entry goes through the same parse and cross-checks as a curated file."""
    item = _good(
        kind="nonsense",
        variants=[{"form": "好好", "colour": "red"}],
        quotes=[{"source": "nowhere"}],
        tags="not-a-list",
        flavour="odd",
    )
    root = _glossary_copy(tmp_path, fixture_paths)
    path = _import_file(tmp_path, [item])
    with pytest.raises(exchange.ImportProblem) as refused:
        exchange.import_entries(
            path, root / "entries", sources_file=root / "sources.yaml", seeds=fixture_paths["seeds"]
        )
    import yaml

    (root / "entries" / "hao.yaml").write_text(
        yaml.safe_dump({k: v for k, v in item.items() if k != "id"}, allow_unicode=True), encoding="utf-8"
    )
    checked = curation.load(root / "entries", root / "sources.yaml", fixture_paths["seeds"])
    assert sorted(p.message for p in refused.value.problems) == sorted(p.message for p in checked.problems)
    assert len(checked.problems) == 5


# ---------------------------------------------------------------- import: all or nothing, even when it fails midway


def _three_new(tmp_path):
    return _import_file(
        tmp_path,
        [_good("hao"), _good("huai", zh="坏", pinyin="huài", en="bad"), _good("da", zh="大", pinyin="dà", en="big")],
    )


def test_a_failure_midway_through_the_writes_leaves_the_folder_as_it_was(tmp_path, fixture_paths, monkeypatch):
    root = _glossary_copy(tmp_path, fixture_paths)
    before = _tree(tmp_path)
    path = _three_new(tmp_path)
    before[path.name] = path.read_bytes()
    entries = root / "entries"
    writes = []

    def failing(real):
        def write(src, dst, *args, **kwargs):
            if Path(dst).parent == entries:
                writes.append(dst)
                if len(writes) == 2:
                    raise OSError(28, "No space left on device")
            return real(src, dst, *args, **kwargs)

        return write

    monkeypatch.setattr(os, "replace", failing(os.replace))
    monkeypatch.setattr(shutil, "copyfile", failing(shutil.copyfile))
    with pytest.raises(exchange.ImportProblem, match="No space left on device"):
        exchange.import_entries(path, entries, sources_file=root / "sources.yaml", seeds=fixture_paths["seeds"])
    assert len(writes) == 2
    assert _tree(tmp_path) == before and sorted(p.name for p in root.iterdir()) == [
        "entries",
        "ordinary_words.txt",
        "sources.yaml",
    ]


KILL_MIDWAY = """
import os, sys
from pathlib import Path
from glossary import exchange
entries, real, moved = Path(sys.argv[1]), os.replace, []
def replace(src, dst):
    if Path(dst).parent == entries:
        moved.append(dst)
        if len(moved) == 3:
            os._exit(9)  # killed: no except, no finally
    return real(src, dst)
os.replace = replace
exchange.import_entries(Path(sys.argv[2]), entries, replace=True, sources_file=Path(sys.argv[3]),
                        seeds=Path(sys.argv[4]))
"""


@pytest.mark.parametrize("then", ["recover", "a refused import", "glossary check"])
def test_an_import_killed_midway_is_undone_by_the_next_one(tmp_path, fixture_paths, then):
    root = _glossary_copy(tmp_path, fixture_paths)
    entries = root / "entries"
    before = _tree(root)
    changed = _good("zhineng", zh="智能", pinyin="zhìnéng", en="intelligence (changed)")
    path = _import_file(
        tmp_path,
        [
            _good("hao"),
            changed,
            _good("huai", zh="坏", pinyin="huài", en="bad"),
            _good("da", zh="大", pinyin="dà", en="big"),
        ],
    )
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_MIDWAY,
            str(entries),
            str(path),
            str(root / "sources.yaml"),
            str(fixture_paths["seeds"]),
        ],
        capture_output=True,
    )
    assert killed.returncode == 9, killed.stderr.decode()
    assert _tree(root) != before  # two of four moved in, and the journal of the import left beside them
    if then == "recover":
        exchange.recover(entries)
    elif then == "glossary check":
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "glossary",
                "check",
                "--entries",
                str(entries),
                "--sources",
                str(root / "sources.yaml"),
                "--seeds",
                str(fixture_paths["seeds"]),
            ],
            capture_output=True,
        )
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    else:
        with pytest.raises(exchange.ImportProblem, match="duplicate id"):
            exchange.import_entries(_import_file(tmp_path, [_good(), _good()], "twice.json"), entries)
    assert _tree(root) == before and sorted(p.name for p in root.iterdir()) == [
        "entries",
        "ordinary_words.txt",
        "sources.yaml",
    ]
    written = exchange.import_entries(
        path, entries, replace=True, sources_file=root / "sources.yaml", seeds=fixture_paths["seeds"]
    )
    assert len(written) == 4 and "(changed)" in (entries / "zhineng.yaml").read_text(encoding="utf-8")
    assert curation.load(entries, root / "sources.yaml", fixture_paths["seeds"]).problems == []


def test_one_import_at_a_time_into_a_folder(tmp_path, fixture_paths):
    root = _glossary_copy(tmp_path, fixture_paths)
    before = _tree(root)
    with exchange._import_lock(root / "entries"):
        with pytest.raises(exchange.ImportProblem, match="another import"):
            exchange.import_entries(
                _three_new(tmp_path), root / "entries", sources_file=root / "sources.yaml", seeds=fixture_paths["seeds"]
            )
    assert _tree(root) == before


# ---------------------------------------------------------------- exports any spreadsheet or CAT tool can open safely

NASTY = "".join(map(chr, range(32))) + "\x7f\ud800\ufffe\uffff"  # C0 controls, DEL, a lone surrogate, non-characters


class _Store:
    """Just what export() reads, so that entries no curated file could hold can be exported."""

    def __init__(self, entries):
        self.entries = entries

    def all_entries(self):
        return self.entries

    def sources(self):
        return []

    def summaries(self):
        return [{"id": e.id, "zh_hant": e.zh_hant or e.zh} for e in self.entries]


def _entry(entry_id, en, **fields):
    from glossary.model import Entry, Rendering

    return Entry(
        id=entry_id,
        zh=fields.pop("zh", "人工智能"),
        pinyin="réngōng zhìnéng",
        kind="term",
        en=en,
        renderings=(Rendering(en + " (other)"),),
        **fields,
    )


def _xml_legal(text):
    return (
        "".join(
            c
            for c in text
            if c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"
        )
        .replace("\r\n", "\n")
        .replace("\r", "\n")
    )


def test_tbx_parses_as_xml_whatever_characters_the_entries_hold():
    entries = [
        _entry(f"e-{i}", f"term {c!r}{c}end", zh=f"人工{c}智能", zh_hant=f"人工{c}智慧") for i, c in enumerate(NASTY)
    ]
    body = exchange.export(_Store(entries), "tbx")
    root = ET.fromstring(body.encode("utf-8", "surrogatepass"))
    found = {e.get("id"): e for e in root.iter("termEntry")}
    assert list(found) == [e.id for e in entries]
    for entry in entries:
        en = [
            t.text or "" for ls in found[entry.id].iter("langSet") if ls.get(XML_LANG) == "en" for t in ls.iter("term")
        ]
        assert en == [_xml_legal(entry.en), _xml_legal(entry.en + " (other)")]


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_cells_never_start_a_formula(fmt):
    dangerous = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    entries = [_entry(f"e-{i}", en) for i, en in enumerate(dangerous)] + [_entry("plain", "plain - text =")]
    body = exchange.export(_Store(entries), fmt)
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff")), delimiter="\t" if fmt == "tsv" else ","))
    assert [r["en"] for r in rows] == ["'" + en for en in dangerous] + ["plain - text ="]
    assert [r["other_renderings"] for r in rows][0] == "'" + dangerous[0] + " (other)"
    assert all(not row["en"].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows)


def test_a_carriage_return_inside_a_cell_does_not_split_the_row():
    body = exchange.terms_csv([{"zh": "人工智能", "en": "artificial\rintelligence", "id": "x", "count": 2}])
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert len(rows) == 2 and rows[1][3] == "artificial\rintelligence"


def test_the_command_and_the_web_download_give_the_same_csv_file(db_path, client):
    command = subprocess.run(
        [sys.executable, "-m", "glossary", "export", "--format", "csv", "--db", str(db_path)], capture_output=True
    )
    assert command.returncode == 0
    assert command.stdout.startswith("\ufeffzh,".encode()) and command.stdout.count("\ufeff".encode()) == 1
    assert command.stdout == client.get("/glossary.csv").data
