"""`glossary serve` as a real process on a free loopback port: its limits, its error answers below
Flask (waitress's own and the WSGI guard's), and its log. Every loop and wait here is bounded."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

HOST = "127.0.0.1"  # never any other address


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(db_path, *options):
    """Run `glossary serve` with options; yield (port, a function returning the log so far)."""
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary", "serve", "--db", str(db_path), "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )

    def read_log() -> str:
        log.seek(0)
        return log.read().decode("utf-8", "replace")

    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"server exited: {read_log()}"
            assert time.monotonic() < deadline, "server did not start"
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield port, read_log
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def raw(port: int, data: bytes, timeout: float = 10) -> tuple[int, dict, bytes]:
    """Send bytes as they are; return status, headers (lower-case names) and body of the answer."""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict((k.lower(), v.strip()) for k, v in (line.split(":", 1) for line in lines[1:]))
    return int(lines[0].split()[1]), headers, body


def get(port: int, path: str, host: str = HOST, extra: str = "") -> tuple[int, dict, bytes]:
    return raw(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n".encode())


@pytest.fixture(scope="module")
def server(db_path):
    with serving(db_path, "--max-body", "65536") as running:
        yield running


@pytest.mark.parametrize("host", ["x" * 64 + ".example", "a..b", "-a.example", "a b"])
def test_odd_host_headers_are_a_clean_400(server, host):
    port, _ = server
    status, headers, body = get(port, "/", host)
    assert status == 400 and headers["content-type"].startswith("text/html")
    assert b"Bad Request" in body and b"Host" in body
    status, headers, body = get(port, "/api/v1/terms?q=ai", host)
    assert status == 400 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"ok": False, "error": json.loads(body)["error"], "status": 400}
    assert "Host" in json.loads(body)["error"]


def test_a_body_over_the_limit_is_refused_before_it_is_sent(server):
    """Content-Length alone decides: the server answers without waiting for 500 MB that never come."""
    port, _ = server
    start = time.monotonic()
    status, headers, body = raw(
        port,
        b"POST /api/v1/annotate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 524288000\r\n\r\n{",
    )
    assert time.monotonic() - start < 5
    assert status == 413 and headers["content-type"] == "application/json"
    assert json.loads(body)["status"] == 413
    status, headers, body = raw(
        port,
        b"POST /annotate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 524288000\r\n\r\ntext=",
    )
    assert status == 413 and headers["content-type"].startswith("text/html")


def test_a_body_just_over_the_limit_is_a_json_413(server):
    port, _ = server
    body = b'{"text": "' + b"a" * 70000 + b'"}'
    status, headers, answer = raw(
        port,
        b"POST /api/v1/annotate HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
    )
    assert status == 413 and json.loads(answer)["error"].startswith("request body too large")


def test_waitress_level_errors_are_json_under_api(server):
    port, _ = server
    status, headers, body = raw(port, b"GET /api/v1/terms?q=ai HTTP/1.1\r\nHost: 127.0.0.1\r\nBad header line\r\n\r\n")
    assert status == 400 and headers["content-type"] == "application/json"
    assert json.loads(body)["status"] == 400
    status, headers, body = raw(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad header line\r\n\r\n")
    assert status == 400  # a page: waitress's own short answer is fine there


def test_security_headers_on_a_real_server(server):
    port, _ = server
    status, headers, _ = get(port, "/")
    assert status == 200
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cross-origin-opener-policy"] == "same-origin"


def test_slow_clients_cannot_block_the_others(db_path):
    """Connections that never finish their request are closed after --channel-timeout, and beyond
    --connection-limit new ones wait rather than pile up; a normal client is then served."""
    with serving(db_path, "--connection-limit", "4", "--channel-timeout", "2") as (port, _):
        slow = []
        try:
            for _ in range(6):
                s = socket.create_connection((HOST, port), timeout=5)
                s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and never the rest
                slow.append(s)
            start = time.monotonic()
            status, _, _ = raw(
                port, b"GET /api/v1/terms?q=ai HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", timeout=20
            )
            assert status == 200 and time.monotonic() - start < 15
        finally:
            for s in slow:
                s.close()


def test_at_most_one_log_line_per_request_under_load(db_path):
    """Waitress warns 'Task queue depth is N' for every queued task; under load that is a flood."""
    with serving(db_path, "--threads", "1") as (port, read_log):
        url = f"http://{HOST}:{port}/api/v1/annotate"
        body = json.dumps({"text": "坚持新型举国体制，发展通用人工智能。" * 2000}, ensure_ascii=False).encode()

        def client():
            for _ in range(5):
                request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
                urllib.request.urlopen(request, timeout=60).read()

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        time.sleep(0.5)
        log = read_log()
    lines = [line for line in log.splitlines() if line.strip()]
    assert "Traceback" not in log
    assert sum("queue depth" in line for line in lines) <= 1
    assert len(lines) <= 40 + 3  # at most one per request, plus start-up lines


def test_options_are_checked(db_path):
    result = subprocess.run(
        [sys.executable, "-m", "glossary", "serve", "--db", str(db_path), "--max-body", "0"],
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (Linux /proc), the resource tracker of multiprocessing aside."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            found |= {int(p) for p in (task / "children").read_text(encoding="ascii").split()}

    def tracker(child: int) -> bool:
        with contextlib.suppress(FileNotFoundError):
            return b"resource_tracker" in Path(f"/proc/{child}/cmdline").read_bytes()
        return False

    return {child for child in found if not tracker(child)}


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads worker processes from Linux's /proc")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_workers_are_processes_that_answer_together_and_stop_together(db_path, stop):
    """`--workers 2`: two server processes on one port; concurrent requests are all answered; Ctrl-C
    (SIGINT) or SIGTERM to the server stops every worker, and the port is free again."""
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary", "serve", "--db", str(db_path), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while len(children(proc.pid)) < 2 or b"worker processes" not in (log.seek(0) or log.read()):
            assert proc.poll() is None and time.monotonic() < deadline, "workers did not start"
            time.sleep(0.1)
        workers = children(proc.pid)
        assert len(workers) == 2
        results = []

        def client():
            body = json.dumps({"text": "坚持新型举国体制，发展通用人工智能"}, ensure_ascii=False).encode()
            status, _, answer = raw(
                port,
                b"POST /api/v1/annotate HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
                timeout=30,
            )
            results.append((status, [s["id"] for s in json.loads(answer)["spans"]]))

        threads = [threading.Thread(target=client) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert results == [(200, ["xinxing-juguo-tizhi", "tongyong-rengong-zhineng"])] * 12
        proc.send_signal(stop)
        assert proc.wait(timeout=20) in (0, 130)
        assert not any(alive(pid) for pid in workers)
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the closed connections' TIME_WAIT
            s.bind((HOST, port))  # nobody listens any more
            s.listen()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_workers_need_a_free_port(db_path):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "glossary", "serve", "--db", str(db_path), "--port", str(port), "--workers", "2"],
            capture_output=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.decode().splitlines()[-1].startswith(f"glossary: cannot serve on 127.0.0.1:{port}")


TWO_SOCKETS = """
import socket, sys
from web import create_app
from web.server import serve
listening = []
for _ in range(2):  # as waitress listens for a host name with two addresses (localhost: ::1 and 127.0.0.1)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    listening.append(s)
print(*(s.getsockname()[1] for s in listening), flush=True)
serve(create_app(sys.argv[1]), "", 0, sockets=listening, threads=2, max_body=65536, connection_limit=100,
      channel_timeout=30)
"""


def test_every_listening_socket_answers_errors_in_json(db_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", TWO_SOCKETS, str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert proc.stdout is not None
        ports = [int(p) for p in proc.stdout.readline().split()]
        assert len(ports) == 2
        for port in ports:
            status, headers, body = raw(
                port, b"GET /api/v1/terms HTTP/1.1\r\nHost: 127.0.0.1\r\nBad header line\r\n\r\n"
            )
            assert status == 400 and headers["content-type"] == "application/json", port
            assert json.loads(body)["status"] == 400
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
