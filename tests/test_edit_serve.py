"""No acknowledged edit is lost: a real `glossary serve` killed with SIGKILL in the middle of a loop
of edits, restarted, then `glossary build` run on its database — every edit it answered 200 to is there."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from tests.test_serve import HOST, free_port


def start(db, seeds):
    port = free_port()
    log = tempfile.TemporaryFile()
    env = {**os.environ, "GLOSSARY_SEEDS": str(seeds)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env=env,
    )
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, "server exited"
        assert time.monotonic() < deadline, "server did not start"
        try:
            urllib.request.urlopen(base + "/api/v1/entries/suanli", timeout=30).read()
            return proc, base, log
        except OSError:
            time.sleep(0.2)


def call(base, method, path, token=None, body=None, timeout=60):
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode()
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_acknowledged_edits_survive_kill_9_and_a_build(team_db, fixture_paths):
    from glossary import accounts
    from glossary.editdb import connect

    with connect(team_db) as conn:
        token = accounts.create_token(conn, "ann")
    proc, base, log = start(team_db, fixture_paths["seeds"])
    acknowledged: list[tuple[int, str]] = []
    stop = threading.Event()

    def edit_in_a_loop():
        status, got = call(base, "GET", "/api/v1/entries/suanli")
        entry, revision = got["entry"], got["revision"]
        for i in range(1000):
            if stop.is_set():
                return
            notes = f"Edit number {i}."
            try:
                status, got = call(
                    base, "PUT", "/api/v1/entries/suanli", token, {**entry, "notes": notes, "base_revision": revision}
                )
            except OSError:
                return  # the server died under this request: not acknowledged
            if status != 200:
                return
            revision = got["revision"]
            acknowledged.append((revision, notes))

    editing = threading.Thread(target=edit_in_a_loop)
    try:
        editing.start()
        deadline = time.monotonic() + 240
        while len(acknowledged) < 3 and time.monotonic() < deadline and editing.is_alive():
            time.sleep(0.05)
        assert len(acknowledged) >= 3, "the server acknowledged too few edits"
        os.kill(proc.pid, signal.SIGKILL)  # mid-loop: another edit is on its way
        proc.wait(timeout=10)
    finally:
        stop.set()
        editing.join(timeout=120)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    last_revision, last_notes = acknowledged[-1]

    proc, base, log = start(team_db, fixture_paths["seeds"])
    try:
        status, got = call(base, "GET", "/api/v1/entries/suanli/history")
        numbers = {r["number"] for r in got["revisions"]}
        assert {n for n, _ in acknowledged} <= numbers
        status, got = call(base, "GET", "/api/v1/entries/suanli")
        assert got["revision"] >= last_revision
        if got["revision"] == last_revision:
            assert got["entry"]["notes"] == last_notes
        status, card = call(base, "GET", "/api/v1/terms/suanli")  # the derived data caught up at start
        assert card["entry"]["notes"] == got["entry"]["notes"]
        same_base = {**got["entry"], "base_revision": got["revision"]}
        answers: list[tuple[int, dict]] = []
        racers = [
            threading.Thread(
                target=lambda en=en: answers.append(
                    call(base, "PUT", "/api/v1/entries/suanli", token, {**same_base, "en": en})
                )
            )
            for en in ("compute", "computing capacity")
        ]
        for racer in racers:  # two clients at once, same field, same base: one wins, one is told
            racer.start()
        for racer in racers:
            racer.join(timeout=120)
        assert sorted(status for status, _ in answers) == [200, 409]
        winner = next(body for status, body in answers if status == 200)
        loser = next(body for status, body in answers if status == 409)
        assert loser["conflicts"] == ["en"] and loser["revision"] == winner["revision"]
        status, got = call(base, "GET", "/api/v1/entries/suanli")
        assert got["revision"] == winner["revision"] and got["entry"]["en"] == loser["entry"]["en"]
        last_revision, last_notes = got["revision"], got["entry"]["notes"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()

    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "glossary",
            "build",
            "--db",
            str(team_db),
            "--entries",
            str(fixture_paths["entries"]),
            "--sources",
            str(fixture_paths["sources"]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    from glossary import Glossary
    from glossary.editing import Editor

    now, revision, _ = Editor(team_db, fixture_paths["seeds"]).current("suanli")
    assert revision >= last_revision and {n for n, _ in acknowledged} <= {
        r["number"] for r in Editor(team_db).history("suanli")
    }
    with Glossary.open(team_db) as glossary:
        assert glossary.get("suanli").notes == now["notes"]
