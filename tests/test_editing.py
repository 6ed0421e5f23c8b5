"""The editorial core and its commands on a real SQLite file: accounts, upstream releases that meet
local edits, exports that `glossary check` accepts, and the approved-only filter."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from glossary.cli import cli


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def test_user_commands_manage_accounts_and_refuse_bad_input(db_path, tmp_path):
    db = tmp_path / "terms.sqlite"
    shutil.copy(db_path, db)
    added = run("user", "add", "alice", "--role", "admin", "--password-stdin", "--db", db, input="long enough\n")
    assert added.exit_code == 0 and "added alice (admin)" in added.output
    assert run("user", "add", "bob", "--role", "editor", "--password-stdin", "--db", db, input="short\n").exit_code == 1
    assert (
        run("user", "add", "alice", "--role", "editor", "--password-stdin", "--db", db, input="long enough\n").exit_code
        == 1
    )
    assert (
        run("user", "add", "bob", "--role", "editor", "--password-stdin", "--db", db, input="password2\n").exit_code
        == 0
    )
    assert run("user", "list", "--db", db).output.splitlines()[0].startswith("alice\tadmin\t")
    only_admin = run("user", "remove", "alice", "--db", db)
    assert only_admin.exit_code == 1 and "only admin" in only_admin.output
    assert run("user", "set-role", "bob", "contributor", "--db", db).exit_code == 0
    assert "bob\tcontributor" in run("user", "list", "--db", db).output
    token = run("token", "create", "bob", "--db", db)
    assert token.exit_code == 0 and token.output.startswith("glt_")
    assert run("token", "create", "nobody", "--db", db).exit_code == 1
    assert run("user", "remove", "bob", "--db", db).exit_code == 0
    assert "bob" not in run("user", "list", "--db", db).output


def test_passwords_and_tokens_are_stored_hashed(team_db):
    import sqlite3

    from glossary import accounts
    from glossary.editdb import connect

    with connect(team_db) as conn:
        token = accounts.create_token(conn, "ann")
        assert accounts.token_user(conn, token) == {"name": "ann", "role": "editor"}
        assert accounts.check_password(conn, "ann", "password-ann") == {"name": "ann", "role": "editor"}
        assert accounts.check_password(conn, "ann", "password-eve") is None
        assert accounts.check_password(conn, "nobody", "password-ann") is None
    raw = sqlite3.connect(team_db)
    stored = " ".join(
        str(v)
        for row in raw.execute(
            "SELECT * FROM edit_users UNION ALL SELECT hash, user, label, created_at FROM edit_tokens"
        )
        for v in row
    )
    raw.close()
    assert "password-ann" not in stored and token not in stored and "$argon2id$" in stored


@pytest.fixture
def upstream(tmp_path, fixture_paths):
    """A copy of the curated YAML, to publish a new release of."""
    folder = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], folder)
    return folder


def test_a_new_upstream_release_never_overwrites_a_local_edit(team_db, upstream, fixture_paths):
    from glossary import Glossary
    from glossary.editing import Editor

    editor = Editor(team_db, fixture_paths["seeds"])
    current, revision, _ = editor.current("suanli")
    editor.save("suanli", {**current, "en": "compute"}, revision, "ann", "shorter")
    for name, en in (("suanli.yaml", "computational power"), ("zhineng.yaml", "intelligent (new release)")):
        data = yaml.safe_load((upstream / name).read_text(encoding="utf-8"))
        data["en"] = en
        (upstream / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    synced = run("build", "--db", team_db, "--entries", upstream, "--sources", fixture_paths["sources"])
    assert synced.exit_code == 0, synced.output
    assert "1 updated" in synced.output and "1 conflict(s)" in synced.output
    assert editor.current("suanli")[0]["en"] == "compute"  # the local edit stands
    assert editor.current("zhineng")[0]["en"] == "intelligent (new release)"  # nobody edited it here
    queue = editor.queue()
    assert [c["entry_id"] for c in queue["conflicts"]] == ["suanli"]
    with Glossary.open(team_db) as glossary:
        assert glossary.get("suanli").en == "compute" and glossary.get("zhineng").en == "intelligent (new release)"
    again = run("build", "--db", team_db, "--entries", upstream, "--sources", fixture_paths["sources"])
    assert "0 updated" in again.output and "0 conflict(s)" in again.output  # the same release: nothing to do
    editor.resolve("suanli", "upstream", "eve")
    assert editor.current("suanli")[0]["en"] == "computational power" and not editor.queue()["conflicts"]


def test_export_writes_entry_files_that_check_accepts(team_db, tmp_path, fixture_paths):
    from glossary import curation
    from glossary.editing import Editor

    editor = Editor(team_db, fixture_paths["seeds"])
    current, revision, _ = editor.current("suanli")
    editor.save("suanli", {**current, "en": "compute", "notes": "Edited *here*."}, revision, "ann")
    out = tmp_path / "out"
    done = run("export", "--format", "yaml", "--folder", out, "--db", team_db)
    assert done.exit_code == 0, done.output
    checked = curation.load(out, fixture_paths["sources"], fixture_paths["seeds"])
    assert checked.problems == []
    assert {e.id: e for e in checked.entries}["suanli"].en == "compute"
    assert len(checked.entries) == len(list(fixture_paths["entries"].glob("*.yaml")))
    approved = tmp_path / "approved"
    run("export", "--format", "yaml", "--folder", approved, "--approved-only", "--db", team_db)
    assert not (approved / "suanli.yaml").exists() and (approved / "zhineng.yaml").exists()
    as_json = run("export", "--format", "json", "--approved-only", "--db", team_db)
    import json

    assert "suanli" not in {e["id"] for e in json.loads(as_json.output)["entries"]}
    assert run("export", "--format", "csv", "--folder", out, "--db", team_db).exit_code == 1


def test_a_build_of_an_edited_database_keeps_users_and_revisions(team_db, fixture_paths):
    from glossary.build import needs_build
    from glossary.editing import Editor

    editor = Editor(team_db, fixture_paths["seeds"])
    current, revision, _ = editor.current("suanli")
    editor.save("suanli", {**current, "en": "compute"}, revision, "ann")
    assert not needs_build(team_db)  # never rebuilt behind the editors' backs
    assert (
        run(
            "build", "--db", team_db, "--entries", fixture_paths["entries"], "--sources", fixture_paths["sources"]
        ).exit_code
        == 0
    )
    assert editor.current("suanli")[0]["en"] == "compute"
    assert [r["number"] for r in editor.history("suanli")] == [2, 1]
    assert "ann\teditor" in run("user", "list", "--db", team_db).output


def test_an_import_into_a_team_database_goes_through_the_same_door(team_db, tmp_path, fixture_paths):
    import json

    from glossary.editing import Editor

    new = {
        "id": "xin-zhi",
        "zh": "新质",
        "pinyin": "xīnzhì",
        "kind": "term",
        "en": "new quality",
        "authority": "curator",
    }
    bad = {**new, "id": "huai", "zh": "坏", "pinyin": "huài", "kind": "idea"}
    file = tmp_path / "in.json"
    file.write_text(json.dumps({"entries": [new, bad]}, ensure_ascii=False), encoding="utf-8")
    refused = run("import", file, "--as", "ann", "--db", team_db)
    assert refused.exit_code == 1 and "huai: kind 'idea'" in refused.output and "nothing written" in refused.output
    assert run("import", file, "--as", "bob", "--db", team_db).exit_code == 1  # a contributor may not
    file.write_text(json.dumps({"entries": [new]}, ensure_ascii=False), encoding="utf-8")
    done = run("import", file, "--as", "ann", "--db", team_db)
    assert done.exit_code == 0 and "imported 1 entries" in done.output
    editor = Editor(team_db, fixture_paths["seeds"])
    assert editor.current("xin-zhi")[0]["en"] == "new quality"
    assert editor.history("xin-zhi")[0]["user"] == "ann"
    assert run("import", file, "--as", "ann", "--db", team_db).exit_code == 1  # exists: --replace


def test_a_stored_revision_turns_back_into_the_same_entry(glossary):
    """Revisions keep entries in the curated schema; the derived rows are built from them again."""
    from glossary.editing import entry_of, normal

    for entry in glossary.store.all_entries():
        assert entry_of(normal(entry)) == entry


def test_an_edited_database_keeps_one_annotator_per_file(team_db, fixture_paths):
    """A long-running server annotates after every edit: older versions' annotators are let go."""
    import glossary as package
    from glossary import Glossary
    from glossary.editing import Editor

    editor = Editor(team_db, fixture_paths["seeds"])
    for en in ("compute", "computing power"):
        with Glossary.open(team_db) as g:
            g.annotate("算力")
        current, revision, _ = editor.current("suanli")
        editor.save("suanli", {**current, "en": en}, revision, "ann")
    with Glossary.open(team_db) as g:
        assert g.annotate("算力").to_dict()["entries"]["suanli"]["en"] == "computing power"
    assert len([k for k in package._annotators if k.startswith(f"{team_db.resolve()}:")]) == 1


def test_the_annotator_can_be_limited_to_approved_entries(team_db, fixture_paths):
    from glossary.editing import Editor

    editor = Editor(team_db, fixture_paths["seeds"])
    current, revision, _ = editor.current("suanli")
    editor.save("suanli", {**current, "en": "compute"}, revision, "ann")  # now a draft
    every = run("annotate", "--format", "json", "--db", team_db, "算力和智能")
    approved = run("annotate", "--format", "json", "--status", "approved", "--db", team_db, "算力和智能")
    assert every.exit_code == 0 and approved.exit_code == 0, approved.output
    assert "suanli" in every.output and "suanli" not in approved.output and "zhineng" in approved.output
