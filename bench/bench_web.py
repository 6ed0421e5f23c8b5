"""How much the web layer costs: annotate-endpoint latency for a 5,000-character text against the
in-process annotate call with its JSON (what the endpoint returns, encoded the same way), and
requests per second under concurrent load from a local client, with `glossary serve --workers` 1
and 2 and 1 to 32 clients.

    python bench/bench_web.py                    # uses terms.sqlite (built first if needed)
    python bench/bench_web.py --db terms.sqlite --clients 8 --seconds 10 --workers 1,2

The server and the in-process call are measured in turn (one request, one call, …; CPU in alternating
blocks), so a change in the machine's other load falls on both sides of each ratio alike.
It starts its own `glossary serve` on a free 127.0.0.1 port, talks to it only over loopback with
bounded loops (a fixed number of requests per client and a deadline), stops the server, and writes
the numbers to bench/out/web.json as well as printing them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_annotate import in_turn  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"


def sample_text(length: int = 5000) -> str:
    """5,000 characters of real policy text: the start of a 2026 government work report (bench/corpus)."""
    text = (CORPUS / "2026_guangdong_gov_work_report.txt").read_text(encoding="utf-8")
    return text[:length]


def alternated(fns: list, runs: int) -> list[list[float]]:
    """Wall times of each function, called in turn `runs` times (bench_annotate.in_turn, after one
    warm-up call each: automaton, lexicon and connections are built once)."""
    for fn in fns:
        fn()
    return in_turn(fns, runs, clock=time.perf_counter)


def cpu_per_call(server_pid: int, request, in_process, calls: int, rounds: int = 10) -> tuple[float, float]:
    """CPU seconds per request in the server's processes and per in-process call, measured in
    alternating blocks (`rounds` of each) for the same reason as `alternated`."""
    server = local = 0.0
    block = max(1, calls // rounds)
    for _ in range(rounds):
        before = tree_cpu(server_pid)
        for _ in range(block):
            request()
        server += tree_cpu(server_pid) - before
        t0 = time.process_time()
        for _ in range(block):
            in_process()
        local += time.process_time() - t0
    return server / (block * rounds), local / (block * rounds)


def summary(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 2),
        "runs": len(times),
    }


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (the workers of `glossary serve --workers`)."""
    total = 0.0
    try:
        total = process_cpu(pid)
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_cpu(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: str, port: int, threads: int, workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary", "serve", "--db", db, "--port", str(port), "--threads", str(threads)]
        + ["--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"glossary serve exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/terms?q=ai", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("glossary serve did not start within 60 s")


class Client:
    """One keep-alive HTTP/1.1 connection to the local server."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post_json(self, path: str, body: bytes) -> bytes:
        self.conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        return self._read()

    def get(self, path: str) -> bytes:
        self.conn.request("GET", path)
        return self._read()

    def _read(self) -> bytes:
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {data[:200]!r}")
        return data

    def close(self):
        self.conn.close()


def load(port: int, clients: int, per_client: int, seconds: float, request) -> dict:
    """`clients` threads, each sending at most `per_client` requests and stopping at the deadline."""
    counts, errors = [0] * clients, []
    deadline = time.monotonic() + seconds

    def worker(i: int):
        client = Client(port)
        try:
            for _ in range(per_client):
                if time.monotonic() > deadline:
                    break
                request(client)
                counts[i] += 1
        except Exception as exc:  # noqa: BLE001 - report, do not hang the benchmark
            errors.append(repr(exc))
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    total = sum(counts)
    return {
        "clients": clients,
        "requests": total,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(total / elapsed, 1),
        "errors": errors[:3],
    }


def scale_by_workers(db: str, args, worker_counts: list[int], client_counts: list[int], request) -> dict:
    """Requests/s for each `--workers` value and number of clients. Every server runs at once (an idle
    one costs nothing) and their phases alternate, `--rounds` times each, the median kept: a change
    in the machine's other load then falls on every configuration alike, not on whichever ran last."""
    servers = {}
    try:
        for workers in worker_counts:
            port = free_port()
            servers[workers] = (port, start_server(db, port, args.threads, workers))
            load(port, 4 * workers, 20, 3.0, request)  # discarded: each worker builds its annotator first
        results: dict[int, list[dict]] = {w: [] for w in worker_counts}
        for clients in client_counts:
            rounds: dict[int, list[dict]] = {w: [] for w in worker_counts}
            for _ in range(args.rounds):
                for workers, (port, server) in servers.items():
                    before = tree_cpu(server.pid)
                    result = load(port, clients, args.per_client, args.scale_seconds, request)
                    # cores the server kept busy: over 1 only when its processes ran in parallel
                    result["server_cores_busy"] = round((tree_cpu(server.pid) - before) / result["seconds"], 2)
                    rounds[workers].append(result)
            for workers, runs in rounds.items():
                middle = sorted(runs, key=lambda r: r["requests_per_second"])[len(runs) // 2]
                results[workers].append(
                    {
                        **middle,
                        "rounds": [r["requests_per_second"] for r in runs],
                        "cores_busy_rounds": [r["server_cores_busy"] for r in runs],
                    }
                )
        return results
    finally:
        for _, server in servers.values():
            server.terminate()
            server.wait(timeout=20)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="terms.sqlite")
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=200, help="alternated requests and calls for the wall times")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--seconds", type=float, default=8.0, help="deadline of each load phase")
    parser.add_argument("--per-client", type=int, default=2000, help="upper bound of requests per client")
    parser.add_argument("--cpu-runs", type=int, default=600, help="requests (and calls) for the CPU-time ratio")
    parser.add_argument("--workers", default="1,2", help="`glossary serve --workers` values for the scaling run")
    parser.add_argument("--client-counts", default="1,2,4,8,16,32", help="concurrent clients in the scaling run")
    parser.add_argument("--scale-seconds", type=float, default=2.0, help="deadline of each scaling phase")
    parser.add_argument("--rounds", type=int, default=3, help="alternating phases per configuration (median kept)")
    args = parser.parse_args(argv)

    from glossary import Glossary

    glossary = Glossary.open(args.db)  # builds it if missing, as `glossary serve` would
    text = sample_text(args.chars)
    spans = sum(1 for top in glossary.annotate(text).spans for _ in top.walk())
    body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    busiest = max(glossary.store.summaries(), key=lambda s: s["quote_count"])  # the longest entry page
    entry_page = f"/terms/{busiest['id']}"

    import orjson

    from web.pages import tooltip_sources

    def with_json() -> bytes:
        """What the endpoint does besides HTTP (web.api.answer): annotate, its sources, the same bytes."""
        annotation = glossary.annotate(text)
        return orjson.dumps({"ok": True, **annotation.json_dict(), "sources": tooltip_sources(annotation, glossary)})

    port = free_port()
    server = start_server(str(glossary.store.path), port, args.threads)
    try:
        client = Client(port)

        def post():
            return client.post_json("/api/v1/annotate", body)

        # wall: one request, one in-process call with JSON, one call without, in turn
        alone_times, json_times, http_times_ = alternated([lambda: glossary.annotate(text), with_json, post], args.runs)
        in_process, in_process_json, http_times = summary(alone_times), summary(json_times), summary(http_times_)
        # CPU seconds per request in the server process against CPU seconds per in-process call:
        # other work on the machine stretches wall-clock times, much less the CPU a request takes.
        server_cpu, in_process_cpu = cpu_per_call(server.pid, post, with_json, args.cpu_runs)
        client.close()
        search = load(
            port,
            args.clients,
            args.per_client,
            args.seconds,
            lambda c: c.get("/api/v1/terms?q=tongyong%20rengong%20zhineng"),
        )
        entry = load(port, args.clients, args.per_client, args.seconds, lambda c: c.get(entry_page))
        annotate = load(
            port, args.clients, args.per_client, args.seconds, lambda c: c.post_json("/api/v1/annotate", body)
        )
    finally:
        server.terminate()
        server.wait(timeout=10)

    scaling = scale_by_workers(
        str(glossary.store.path),
        args,
        [int(w) for w in args.workers.split(",")],
        [int(n) for n in args.client_counts.split(",")],
        lambda c: c.post_json("/api/v1/annotate", body),
    )

    report = {
        "text_chars": len(text),
        "spans": spans,
        "db": str(glossary.store.path),
        "annotate_in_process": in_process,
        "annotate_in_process_with_json": in_process_json,
        "annotate_over_http": http_times,
        "http_over_in_process_with_json": round(http_times["median_ms"] / in_process_json["median_ms"], 2),
        "http_over_annotate_alone": round(http_times["median_ms"] / in_process["median_ms"], 2),
        "cpu_ms_per_request_in_server": round(server_cpu * 1000, 2),
        "cpu_ms_per_call_in_process_with_json": round(in_process_cpu * 1000, 2),
        "cpu_ratio_server_over_in_process_with_json": round(server_cpu / in_process_cpu, 2),
        "load_search_api": search,
        "load_entry_page": entry,
        "load_annotate_5k": annotate,
        "annotate_5k_by_workers": {str(w): rows for w, rows in scaling.items()},
        "cpu_count": os.cpu_count(),
    }
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "web.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"text: {len(text):,} characters, {spans} term occurrences ({report['db']})")
    print(f"annotate in process        median {in_process['median_ms']:8.2f} ms   p95 {in_process['p95_ms']:8.2f} ms")
    print(
        f"  + its JSON               median {in_process_json['median_ms']:8.2f} ms   "
        f"p95 {in_process_json['p95_ms']:8.2f} ms"
    )
    print(f"POST /api/v1/annotate      median {http_times['median_ms']:8.2f} ms   p95 {http_times['p95_ms']:8.2f} ms")
    print(
        f"HTTP over in-process+JSON  {report['http_over_in_process_with_json']:.2f}×   "
        f"(over annotate alone {report['http_over_annotate_alone']:.2f}×)"
    )
    print(
        f"CPU per request: server {server_cpu * 1000:.2f} ms vs in process with JSON {in_process_cpu * 1000:.2f} ms "
        f"= {server_cpu / in_process_cpu:.2f}×"
    )
    for name, result in (
        ("GET /api/v1/terms?q=…", search),
        ("GET /terms/<id> page", entry),
        ("POST annotate 5k chars", annotate),
    ):
        flag = f"  errors: {result['errors']}" if result["errors"] else ""
        print(
            f"{name:26} {result['requests_per_second']:8.1f} req/s  ({result['requests']} requests, "
            f"{result['clients']} clients, {result['seconds']} s){flag}"
        )
    print(f"POST annotate 5k chars, requests/s by server processes (--workers) and clients ({os.cpu_count()} cores):")
    for workers, rows in scaling.items():
        print(f"  {workers} worker(s): " + "  ".join(f"{r['clients']}c {r['requests_per_second']:.0f}" for r in rows))
        print("     cores busy: " + "  ".join(f"{r['clients']}c {max(r['cores_busy_rounds']):.2f}" for r in rows))
    scaled = [r for rows in scaling.values() for r in rows]
    return 1 if any(r["errors"] for r in (search, entry, annotate, *scaled)) else 0


if __name__ == "__main__":
    sys.exit(main())
