"""The README says what the code does: its documented commands print what it shows, its claims about
options hold, its dependency table names every dependency. Parsed from the README, not copied here
(as sqlite-utils' test_docs.py does)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest

from glossary.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, re.MULTILINE | re.DOTALL)


def setup_command() -> list[str]:
    """The `glossary annotate …` at the end of the README's set-up command line, as argv."""
    line = next(body for lang, body in BLOCKS if lang == "sh" and "glossary annotate" in body and "apt-get" in body)
    command = shlex.split(line.split("&&")[-1])
    assert Path(command[0]).name == "glossary", command
    return command[1:]


def shown_session() -> tuple[list[str], str]:
    """The README's `$ glossary annotate …` block: the arguments and the output it shows."""
    body = next(body for _, body in BLOCKS if body.startswith("$ glossary annotate"))
    first, _, output = body.partition("\n")
    return shlex.split(first.removeprefix("$ "))[1:], output


def test_the_setup_sample_prints_what_the_readme_shows(tmp_path):
    args, output = shown_session()
    assert setup_command() == args, "the set-up sample and the shown session differ"
    # As a user runs it after set-up, from another folder; the database goes where GLOSSARY_DB says
    # (without it, the checkout's terms.sqlite, which a test must not write): none in the working folder.
    db = tmp_path / "data" / "terms.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "glossary", *args],
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
        env={**os.environ, "GLOSSARY_DB": str(db)},
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode("utf-8") == output
    assert db.is_file() and not (tmp_path / "terms.sqlite").exists()


def test_the_readme_names_the_commands_without_db():
    """'Every command takes --db … except X and Y': X and Y are exactly the commands without it."""
    claim = re.search(r"takes `--db PATH`(?:(?!\n\n).)*?except ((?:`\w+`(?:,\s*|\s+and\s+)?)+)", README, re.DOTALL)
    assert claim, "the README's --db sentence"
    named = set(re.findall(r"`(\w+)`", claim.group(1)))
    without = {
        name
        for name, command in cli.commands.items()
        if not any(isinstance(p, click.Option) and "--db" in p.opts for p in command.params)
    }
    assert named == without


def test_the_dependency_table_names_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower() for d in project["dependencies"]}
    table = README.split("## Dependencies", 1)[1].split("\n## ", 1)[0]
    listed = {
        name.strip().lower()
        for row in re.findall(r"^\| ([^|]+) \|", table, re.MULTILINE)
        for name in re.split(r",\s*", re.sub(r"\(.*?\)", "", row))
    }
    assert wanted <= listed, f"missing from the README's table: {sorted(wanted - listed)}"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_in_the_readme_list_exists(command):
    block = next(body for lang, body in BLOCKS if lang == "sh" and "glossary check" in body)
    assert f"glossary {command}" in block
