"""The admins' import page (/admin/import) through the real Flask app on a real SQLite file:
a preview that writes nothing, then one transaction of revisions by the admin; roles and CSRF."""

from __future__ import annotations

import html
import io
import json
import re

import pytest

from tests.test_edit_web import NEW, login


@pytest.fixture
def app(team_db, fixture_paths):
    from web import create_app

    return create_app(team_db, {"GLOSSARY_SEEDS": fixture_paths["seeds"]})


def current(app, entry_id: str) -> tuple[dict | None, int]:
    from glossary.editing import Editor

    state = Editor(app.config["GLOSSARY_DB"]).state(entry_id)
    if state is None:
        return None, 0
    entry, revision, _ = Editor(app.config["GLOSSARY_DB"]).current(entry_id)
    return entry, revision


def upload(client, token: str | None, items, name: str = "colleague.json", replace: bool = True):
    body = items if isinstance(items, bytes) else json.dumps(items, ensure_ascii=False).encode()
    data: dict = {"file": (io.BytesIO(body), name), "action": "preview"}
    if token is not None:
        data["csrf_token"] = token
    if replace:
        data["replace"] = "1"
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def confirmed(page: str) -> str:
    """The entries the preview's Apply form carries."""
    return html.unescape(re.search(r'name="entries" value="([^"]*)"', page).group(1))


def test_an_admin_previews_then_applies_as_revisions_by_the_admin(app):
    client = app.test_client()
    token = login(client, "root")
    assert "/admin/import" in client.get("/admin/users").text
    suanli, before = current(app, "suanli")
    changed = {**suanli, "en": "compute capacity"}

    preview = upload(client, token, [NEW, changed])
    assert preview.status_code == 200
    assert "1 to add, 1 to change, 0 unchanged, 0 in conflict, 0 problem(s)" in preview.text
    assert "<code>xin-zhi</code>" in preview.text and "change <a" in preview.text
    assert current(app, "xin-zhi") == (None, 0) and current(app, "suanli") == (suanli, before)  # nothing written

    applied = client.post(
        "/admin/import",
        data={"csrf_token": token, "action": "apply", "replace": "1", "entries": confirmed(preview.text)},
    )
    assert applied.status_code == 200 and "Imported 2 entries as revisions by root" in applied.text
    assert current(app, "suanli") == (changed, before + 1)
    assert current(app, "xin-zhi")[0]["en"] == "new quality"
    from glossary.editing import Editor

    newest = Editor(app.config["GLOSSARY_DB"]).history("suanli")[0]
    assert (newest["number"], newest["user"], newest["action"]) == (before + 1, "root", "import")
    assert re.search(r"<td>\s*root\s*</td>\s*<td>\s*import", client.get("/terms/suanli/history").text)
    assert client.get("/api/v1/entries/suanli").get_json()["entry"]["en"] == "compute capacity"


def test_without_replace_a_changed_entry_is_a_conflict_and_cannot_be_applied(app):
    client = app.test_client()
    token = login(client, "root")
    suanli, _ = current(app, "suanli")
    import yaml

    body = yaml.safe_dump([{**suanli, "en": "compute capacity"}], allow_unicode=True).encode()
    preview = upload(client, token, body, name="colleague.yaml", replace=False)
    assert (
        "0 to add, 0 to change, 0 unchanged, 1 in conflict" in preview.text
        and "exists and differs (en)" in preview.text
    )
    assert 'value="apply"' not in preview.text


@pytest.mark.parametrize("name", ["bob", "ann"])
def test_contributors_and_editors_may_not_import(app, name):
    client = app.test_client()
    token = login(client, name)
    assert client.get("/admin/import").status_code == 403
    assert upload(client, token, [NEW]).status_code == 403
    refused = client.post("/admin/import", data={"csrf_token": token, "action": "apply", "entries": json.dumps([NEW])})
    assert refused.status_code == 403 and current(app, "xin-zhi") == (None, 0)


def test_anonymous_is_sent_to_log_in(app):
    answer = app.test_client().get("/admin/import")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_post_without_the_csrf_token_is_refused(app):
    client = app.test_client()
    login(client, "root")
    assert upload(client, None, [NEW]).status_code == 403
    refused = client.post("/admin/import", data={"action": "apply", "entries": json.dumps([NEW])})
    assert refused.status_code == 403 and current(app, "xin-zhi") == (None, 0)


def test_one_invalid_entry_writes_nothing_and_says_why(app):
    client = app.test_client()
    token = login(client, "root")
    bad = {**NEW, "id": "bad-kind", "zh": "坏类", "pinyin": "huài lèi", "kind": "nonsense"}
    preview = upload(client, token, [NEW, bad])
    assert "1 problem(s)" in preview.text and "bad-kind: " in preview.text and "nonsense" in preview.text
    assert 'value="apply"' not in preview.text
    forced = client.post(
        "/admin/import", data={"csrf_token": token, "action": "apply", "entries": json.dumps([NEW, bad])}
    )
    assert forced.status_code == 422 and "nothing was written" in forced.text and "bad-kind: " in forced.text
    assert current(app, "xin-zhi") == (None, 0) and current(app, "bad-kind") == (None, 0)


def test_a_file_that_is_not_an_export_is_refused_clearly(app):
    client = app.test_client()
    token = login(client, "root")
    broken = upload(client, token, b"{not json", name="colleague.json")
    assert broken.status_code == 422 and "is not a JSON or YAML export" in broken.text
    wrong = upload(client, token, b"zh,en\n", name="terms.exe")
    assert wrong.status_code == 422 and "Nothing was written" in wrong.text
