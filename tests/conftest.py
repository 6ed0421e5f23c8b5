"""Shared fixtures: a small curated glossary built into a database in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixture_paths() -> dict[str, Path]:
    return {"entries": FIXTURES / "entries", "sources": FIXTURES / "sources.yaml", "seeds": FIXTURES / "seeds"}


@pytest.fixture(scope="session")
def db_path(tmp_path_factory, fixture_paths) -> Path:
    """A database built from tests/fixtures, once per test session (read-only for tests)."""
    from glossary.build import build

    path = tmp_path_factory.mktemp("db") / "terms.sqlite"
    build(path, fixture_paths["entries"], fixture_paths["sources"])
    return path


@pytest.fixture(scope="session")
def glossary(db_path):
    from glossary import Glossary

    with Glossary.open(db_path, build=False) as glossary:
        yield glossary


@pytest.fixture(scope="module")
def app(db_path):
    """The Flask app on the fixture database (nothing is opened until the first request)."""
    from web import create_app

    return create_app(db_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def qa_db_path(tmp_path_factory, fixture_paths) -> Path:
    """The fixture glossary plus the organizations the real bilingual text needs (国务院, 中国共产党:
    tests/fixtures/bilingual/entries), kept apart so the other tests' glossary stays as it was."""
    import shutil

    from glossary.build import build

    folder = tmp_path_factory.mktemp("qa-entries")
    for path in [*fixture_paths["entries"].glob("*.yaml"), *(FIXTURES / "bilingual" / "entries").glob("*.yaml")]:
        shutil.copy(path, folder / path.name)
    path = tmp_path_factory.mktemp("qa-db") / "terms.sqlite"
    build(path, folder, fixture_paths["sources"])
    return path


@pytest.fixture(scope="session")
def qa_glossary(qa_db_path):
    from glossary import Glossary

    with Glossary.open(qa_db_path, build=False) as glossary:  # closed: an open one fails on Python 3.13
        yield glossary


TEAM = {"root": "admin", "ann": "editor", "eve": "editor", "bob": "contributor"}


def team_password(name: str) -> str:
    return f"password-{name}"


@pytest.fixture(scope="session")
def team_template(tmp_path_factory, fixture_paths) -> Path:
    """The fixture glossary with editing on and a user of each role (see TEAM), built once."""
    from glossary import accounts
    from glossary.build import build
    from glossary.editdb import connect
    from glossary.editing import Editor

    path = tmp_path_factory.mktemp("team") / "terms.sqlite"
    build(path, fixture_paths["entries"], fixture_paths["sources"])
    with connect(path) as conn:
        for name, role in TEAM.items():
            accounts.add_user(conn, name, role, team_password(name))
    Editor(path, fixture_paths["seeds"]).enable()
    return path


@pytest.fixture
def team_db(team_template, tmp_path) -> Path:
    """A fresh copy of the team database for one test (tests write to it)."""
    import shutil

    path = tmp_path / "terms.sqlite"
    shutil.copy(team_template, path)
    return path


@pytest.fixture
def tree(tmp_path, fixture_paths) -> dict[str, Path]:
    """A private copy of the fixture entries, built: for tests that edit entry files and build again."""
    import shutil

    from glossary.build import build

    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    db = tmp_path / "terms.sqlite"
    build(db, entries, fixture_paths["sources"])
    return {"entries": entries, "sources": fixture_paths["sources"], "db": db}
