"""Where the curated files are: the entries folder, sources.yaml, the ordinary-word list, the seeds.

Kept apart from curation.py (which parses and checks them) so that the staleness check on every
start of the CLI names these files without importing the checks.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ENTRIES_DIR = PACKAGE_DIR / "entries"
SOURCES_FILE = PACKAGE_DIR / "sources.yaml"
ORDINARY_WORDS = "ordinary_words.txt"  # beside sources.yaml


def find_seeds() -> Path | None:
    """The source articles: $GLOSSARY_SEEDS, else shared/seeds beside the checkout or the cwd."""
    if os.environ.get("GLOSSARY_SEEDS"):
        return Path(os.environ["GLOSSARY_SEEDS"])
    for base in (PACKAGE_DIR.parent, Path.cwd()):
        candidate = base.parent / "shared" / "seeds"
        if candidate.is_dir():
            return candidate
    return None
