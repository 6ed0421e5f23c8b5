"""Where the database lives by default, and what first use says while it builds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from glossary import locations

ROOT = Path(__file__).resolve().parent.parent


def test_a_checkout_uses_its_top_level_database():
    assert locations.checkout_root() == ROOT
    assert locations.default_db() == ROOT / "terms.sqlite"


def test_an_installed_package_uses_the_users_data_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(locations, "checkout_root", lambda: None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert locations.default_db() == tmp_path / "data" / "policy-glossary" / "terms.sqlite"
    assert (tmp_path / "data" / "policy-glossary").is_dir()


def test_never_the_current_folder_and_first_use_says_it_builds(tmp_path, fixture_paths):
    db = tmp_path / "fresh.sqlite"
    env = {**os.environ, "GLOSSARY_DB": str(db)}
    result = subprocess.run(
        [sys.executable, "-m", "glossary", "annotate", "人工智能"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert f"building the database {db}" in result.stderr.decode() and db.is_file()
    again = subprocess.run(
        [sys.executable, "-m", "glossary", "annotate", "人工智能"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert "building" not in again.stderr.decode()
    assert all("fresh.sqlite" in p.name for p in tmp_path.iterdir())  # the database (and its lexicon) alone
