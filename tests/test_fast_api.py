"""web/fast_api.py answers POST /api/v1/annotate without Flask: every answer through the whole app
(guard, fast layer, Flask) is byte for byte the one Flask alone gives — status, headers in order,
body — for plain requests, bad ones and odd ones, on a read-only server, a team server (sessions on)
and one with ALLOWED_ORIGINS; and the plain request really skips Flask."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from web import close_connections, create_app

TEXT = "国务院印发《关于深入实施“人工智能+”行动的意见》，推进通用人工智能研究。台灣的人工智慧產業。𠀀人工智能"


def dumps(body) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


PLAIN = {
    "text": dumps({"text": TEXT}),
    "not ambiguous": dumps({"text": TEXT, "ambiguous": False}),
    "region": dumps({"text": TEXT, "region": "tw"}),
    "filters": dumps({"text": TEXT, "kind": ["term"], "min_length": 3, "curated_only": True}),
    "duplicate key": b'{"text": "x", "text": "\xe4\xba\xba\xe5\xb7\xa5\xe6\x99\xba\xe8\x83\xbd"}',
}
BAD = {
    "not JSON": b'{"text": ',
    "nested too deeply": b"[" * 3000,
    "not UTF-8": b'{"text": "\xff"}',
    "no text": dumps({"txt": TEXT}),
    "a list": dumps([TEXT]),
    "text not a string": dumps({"text": 5}),
    "ambiguous not a bool": dumps({"text": TEXT, "ambiguous": "yes"}),
    "bad region": dumps({"text": TEXT, "region": "xx"}),
    "bad filter": dumps({"text": TEXT, "kind": 3}),
    "blank": dumps({"text": "  \n "}),
    "too long": dumps({"text": "人" * 200_001}),
    "NaN": b'{"text": "x", "ambiguous": NaN}',
}


def call(wsgi_app, body: bytes, method="POST", path="/api/v1/annotate", **environ):
    """One WSGI request, as waitress hands it over; (status, headers in order, body)."""
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **environ,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, list(headers)

    chunks = wsgi_app(env, start_response)
    try:
        data = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], data


class Served:
    """An app, its whole WSGI stack, Flask alone, and a count of the requests Flask saw."""

    def __init__(self, db, config=None):
        self.app = create_app(db, config)
        self.flask_requests = 0
        self.app.before_request(self._count)
        self.whole = self.app.wsgi_app
        self.flask_alone = self.app.wsgi_app.app.wsgi_app  # the guard's app is the fast layer; its app is Flask
        call(self.whole, PLAIN["text"])  # the first request builds and opens the glossary, through Flask

    def _count(self):
        self.flask_requests += 1

    def same(self, body: bytes, **request):
        """The answer through the whole stack, after asserting Flask alone gives the same bytes."""
        whole = call(self.whole, body, **request)
        assert whole == call(self.flask_alone, body, **request)
        return whole


@pytest.fixture(scope="module")
def served(db_path):
    served = Served(db_path)
    yield served
    close_connections(served.app)


@pytest.fixture
def team_served(team_db):
    served = Served(team_db)
    yield served
    close_connections(served.app)


@pytest.mark.parametrize("name", PLAIN)
def test_a_plain_request_is_answered_without_flask_and_as_flask_would(served, name):
    before = served.flask_requests
    status, headers, body = call(served.whole, PLAIN[name])
    assert served.flask_requests == before  # Flask did not see it
    assert (status, headers, body) == call(served.flask_alone, PLAIN[name])
    assert status == "200 OK" and json.loads(body)["ok"] is True
    assert ("Access-Control-Allow-Origin", "*") in headers and ("Cache-Control", "no-store") in headers


@pytest.mark.parametrize("name", BAD)
def test_bad_requests_get_flasks_json_errors(served, name):
    status, headers, body = served.same(BAD[name])
    assert status.startswith(("400", "413"))
    assert json.loads(body)["ok"] is False
    assert ("Content-Type", "application/json") in headers


@pytest.mark.parametrize(
    "request_",
    [
        {"CONTENT_TYPE": "application/json; charset=utf-8"},
        {"CONTENT_TYPE": "Application/JSON"},
        {"CONTENT_TYPE": "text/plain"},
        {"CONTENT_TYPE": ""},
        {"HTTP_COOKIE": "session=not-a-signed-one"},
        {"HTTP_ORIGIN": "https://example.org"},
        {"path": "/api/v1/annotate?debug=1"},
        {"path": "/api/v1/annotate/"},
        {"method": "GET"},
        {"method": "OPTIONS"},
        {"method": "PUT"},
        {"CONTENT_LENGTH": ""},
        {"CONTENT_LENGTH": "999999"},  # the client sent less than it announced
    ],
    ids=str,
)
def test_odd_requests_are_answered_as_flask_answers_them(served, request_):
    served.same(PLAIN["text"], **request_)


def test_a_lone_surrogate_is_answered_as_flask_answers_it(served):
    served.same(b'{"text": "\\ud800\xe4\xba\xba\xe5\xb7\xa5\xe6\x99\xba\xe8\x83\xbd"}')


def test_a_team_server_adds_vary_cookie_as_flask_does(team_served):
    for body in (PLAIN["text"], PLAIN["filters"], BAD["bad filter"]):
        status, headers, _ = team_served.same(body)
        assert headers[-1] == ("Vary", "Cookie")
    before = team_served.flask_requests
    call(team_served.whole, PLAIN["text"])
    assert team_served.flask_requests == before
    team_served.same(PLAIN["text"], HTTP_COOKIE="session=not-a-signed-one")


def test_allowed_origins_are_left_to_flask(db_path):
    served = Served(db_path, {"ALLOWED_ORIGINS": ["https://intranet.example.org"]})
    try:
        for origin in ("https://intranet.example.org", "https://elsewhere.example", None):
            extra = {"HTTP_ORIGIN": origin} if origin else {}
            status, headers, _ = served.same(PLAIN["text"], **extra)
            assert status == "200 OK" and ("Vary", "Origin") in headers
    finally:
        close_connections(served.app)


def test_a_rebuilt_database_is_served_by_the_fast_path_too(tree):
    """The fast layer uses the same per-thread connection as Flask: a database replaced by a build
    is seen at the next request."""
    from glossary.build import build

    served = Served(tree["db"])
    try:
        before = json.loads(served.same(PLAIN["text"])[2])
        (tree["entries"] / "tongyong-rengong-zhineng.yaml").unlink()
        build(tree["db"], tree["entries"], tree["sources"])
        after = json.loads(served.same(PLAIN["text"])[2])
        assert "tongyong-rengong-zhineng" in before["entries"]
        assert "tongyong-rengong-zhineng" not in after["entries"]
    finally:
        close_connections(served.app)


def test_editing_turned_on_while_serving_is_seen_at_the_next_request(tree, fixture_paths):
    """The server asks SQLite whether editing is on only when the database changed: a user added
    while it runs still turns editing on without a restart."""
    from glossary import accounts
    from glossary.editdb import connect
    from glossary.editing import Editor

    app = create_app(tree["db"])
    try:
        client = app.test_client()
        assert client.get("/login").status_code == 404  # read-only: no accounts
        assert client.get("/login").status_code == 404  # asked once, remembered
        with connect(tree["db"]) as conn:
            accounts.add_user(conn, "ann", "editor", "password-ann")
        Editor(tree["db"], fixture_paths["seeds"]).enable()
        assert client.get("/login").status_code == 200
    finally:
        close_connections(app)


def test_a_database_that_cannot_be_used_is_flasks_503(db_path, tmp_path):
    """A database file that goes away is Flask's clear 503, not an error of the fast layer."""
    path = tmp_path / "terms.sqlite"
    shutil.copy(db_path, path)
    served = Served(path)
    try:
        close_connections(served.app)
        path.unlink()
        path.write_bytes(b"not a database")
        status, headers, body = served.same(PLAIN["text"])
        assert status.startswith("503") and json.loads(body)["ok"] is False
    finally:
        close_connections(served.app)
