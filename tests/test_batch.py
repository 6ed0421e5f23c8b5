"""`glossary annotate --jsonl`: one JSON line per document, for many files or a JSON Lines stream on
stdin, streamed in input order; `--jobs N` gives the same lines as one process (issue #10)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from glossary.cli import cli

DOCS = {
    "a.txt": "坚持新型举国体制，发展通用人工智能。",
    "b.txt": "臺灣的教育部與行政院",
    "c.txt": "今天天气很好。",
    "d.txt": "浪潮发布了大模型和算力服务。" * 30,
}


@pytest.fixture
def files(tmp_path):
    paths = []
    for name, text in DOCS.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def run(db_path, *args, input=None):
    return CliRunner().invoke(cli, ["annotate", *args, "--db", str(db_path)], input=input, catch_exceptions=False)


def real(db_path, *args, input: bytes | None = None):
    return subprocess.run(
        [sys.executable, "-m", "glossary", "annotate", *args, "--db", str(db_path)],
        input=input,
        capture_output=True,
        timeout=120,
    )


def test_jsonl_over_files_gives_one_line_per_document_in_order(db_path, files):
    result = run(db_path, "--jsonl", files[0], "--file", files[1], *files[2:])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["path"] for line in lines] == [files[1], files[0], *files[2:]]  # --file first, then arguments
    for line in lines:
        single = json.loads(run(db_path, "--format", "json", "--file", line["path"]).output)
        assert line["spans"] == single["spans"] and line["entries"] == single["entries"]
    assert lines[2]["spans"] == [] and lines[2]["entries"] == {}


def test_jsonl_on_stdin_keeps_ids_and_reports_bad_lines_without_stopping(db_path):
    stream = (
        json.dumps({"id": "doc-1", "text": "发展通用人工智能"}, ensure_ascii=False)
        + "\n\n"
        + json.dumps({"text": "教育部"}, ensure_ascii=False)
        + "\nnot json\n"
        + json.dumps({"id": 7, "body": "x"})
        + "\n"
    )
    result = run(db_path, "--jsonl", "--kind", "term", input=stream.encode("utf-8"))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["doc-1", 3, 4, 5]  # no id: the line number
    assert [s["id"] for s in lines[0]["spans"]] == ["tongyong-rengong-zhineng"]
    assert lines[1]["spans"] == []  # 教育部 is an organization: filtered out
    assert "line 4 is not JSON" in lines[2]["error"] and 'line 5 needs a "text" string' in lines[3]["error"]
    assert result.exit_code == 1
    assert result.stderr == 'glossary: 2 document(s) could not be annotated (their lines carry an "error")\n'


def test_jobs_give_the_same_output_as_one_process(db_path, files):
    one = real(db_path, "--jsonl", "--jobs", "1", *files * 3)
    two = real(db_path, "--jsonl", "--jobs", "2", *files * 3)
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 12
    stream = b"".join(json.dumps({"id": n, "text": t}).encode() + b"\n" for n, t in enumerate(DOCS.values()))
    assert real(db_path, "--jsonl", "--jobs", "2", input=stream).stdout == real(db_path, "--jsonl", input=stream).stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jsonl_streams_each_result_before_the_input_ends(db_path, jobs):
    """A line out for a line in, while stdin is still open: a pipeline's memory does not grow with it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary", "annotate", "--jsonl", "--jobs", jobs, "--db", str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        got = []
        for n in range(int(jobs) * 4 + 2):  # more than the documents kept in flight
            proc.stdin.write(json.dumps({"id": n, "text": "人工智能"}).encode() + b"\n")
            proc.stdin.flush()
        deadline = time.monotonic() + 60
        while not got and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if ready:
                got.append(json.loads(os.read(proc.stdout.fileno(), 1 << 16).split(b"\n")[0]))
        assert got and got[0]["id"] == 0 and got[0]["spans"][0]["id"] == "rengong-zhineng"
        assert proc.poll() is None  # still waiting for more input
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--jobs", "2", "人工智能"], "glossary: --jobs is for --jsonl batches"),
        (["--jsonl", "no-such-file.txt"], "glossary: no such file: no-such-file.txt"),
        (["--jsonl", "--format", "html"], "glossary: --jsonl writes the JSON of each document"),
    ],
)
def test_batch_usage_errors_are_one_line(db_path, args, message):
    result = run(db_path, *args)
    assert result.exit_code == 1 and result.output.startswith(message) and result.output.count("\n") == 1


def test_several_files_without_jsonl_are_refused(db_path, files):
    result = run(db_path, "--file", files[0], "--file", files[1])
    assert result.exit_code == 1 and "several files need --jsonl" in result.output


def test_ctrl_c_stops_the_workers_at_once_without_a_traceback(db_path):
    """Ctrl-C (SIGINT) in the middle of a --jobs 2 run: click's "Aborted!" (exit 1), whole lines only,
    no traceback, no worker left."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary", "annotate", "--jsonl", "--jobs", "2", "--db", str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        for n in range(20):
            proc.stdin.write(json.dumps({"id": n, "text": "发展通用人工智能"}).encode() + b"\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "no output"
        workers = children(proc.pid)
        assert len(workers) >= 2
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 1
        out, err = proc.stdout.read(), proc.stderr.read()
        assert all(json.loads(line)["spans"] for line in out.splitlines())  # whole lines only
        assert err.strip() == b"Aborted!"
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()


def children(pid: int) -> set[int]:
    """Live child processes of `pid` (Linux /proc), multiprocessing's resource tracker aside."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            found |= {int(p) for p in (task / "children").read_text(encoding="ascii").split()}
    return {p for p in found if b"resource_tracker" not in _cmdline(p)}


def _cmdline(pid: int) -> bytes:
    with contextlib.suppress(FileNotFoundError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="ascii").split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False
