"""Where the database lives when no `--db` or GLOSSARY_DB says: the checkout's top-level
`terms.sqlite` when running from a source checkout, else the user's data folder (platformdirs:
~/.local/share/policy-glossary on Linux) for an installed package; never the folder the command
happens to be run in."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DB_NAME = "terms.sqlite"


def checkout_root() -> Path | None:
    """The source checkout this package runs from, if any (its pyproject names this project)."""
    root = PACKAGE_DIR.parent
    try:
        return root if 'name = "policy-glossary"' in (root / "pyproject.toml").read_text(encoding="utf-8") else None
    except OSError:
        return None


def default_db() -> Path:
    root = checkout_root()
    if root is not None:
        return root / DB_NAME
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("policy-glossary", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / DB_NAME
