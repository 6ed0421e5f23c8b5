"""`glossary serve`'s server: waitress with limits of our own, JSON errors under /api/, a quiet log.

Waitress's defaults suit a trusted network, not a public one: a 1 GB body is received (and spooled
to disk) before it is refused, 100 connections that never finish their request hold the server for
two minutes each, and every queued request logs a warning. Here the body limit is the app's own
(the WSGI guard answers first, by Content-Length; waitress's own limit, just above it, catches the
rest), slow connections are dropped after `channel_timeout`, and the queue warning is logged once a minute
at most, with a count.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from web.guard import error_body

HEADER_LIMIT = 64 * 1024  # request line and headers; waitress allows 256 kB
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
# A socket read of up to 64 kB instead of waitress's 8 kB: a 5,000-character annotate request (15 kB
# of JSON) is read at once, not over several turns of waitress's loop (bench/bench_web.py's request:
# 0.2-0.45 ms less CPU in the server, 1.06-1.18x the in-process call instead of 1.21-1.26x).
RECV_BYTES = 64 * 1024


class ApiErrorTask(ErrorTask):
    """Waitress's own errors (malformed request, body or headers too large) as the guard answers its
    own: the API's JSON shape under /api/, a small page elsewhere."""

    def execute(self):
        error = self.request.error
        content_type, body = error_body(
            request_path(self.request), error.code, error.reason, f"{error.reason.lower()}: {error.body}"
        )
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", content_type))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


def request_path(request) -> str:
    """The path, even of a request whose headers failed to parse (then only its first line is known)."""
    path = getattr(request, "path", None)
    if path is None:
        parts = getattr(request, "first_line", b"").split()
        path = parts[1].decode("latin-1") if len(parts) > 1 else ""
    return path


class Channel(HTTPChannel):
    error_task_class = ApiErrorTask


class QueueSummary(logging.Filter):
    """Let one 'Task queue depth' warning through per interval, saying how many were held back."""

    def __init__(self, interval: float = 60):
        super().__init__()
        self.interval, self.last, self.held = interval, float("-inf"), 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self.last < self.interval:
            self.held += 1
            return False
        if self.held:
            record.msg = f"{record.msg} ({self.held} more such warnings in the last {now - self.last:.0f} s)"
        self.last, self.held = now, 0
        return True


def serve(
    app,
    host: str,
    port: int,
    *,
    threads: int,
    max_body: int,
    connection_limit: int,
    channel_timeout: int,
    sockets: list | None = None,
) -> None:
    """Run waitress on host:port, or on `sockets` already listening (a worker of serve_workers)."""
    from waitress.server import BaseWSGIServer, create_server

    logging.basicConfig(format=LOG_FORMAT, level=logging.INFO)
    logging.getLogger("waitress.queue").addFilter(QueueSummary())
    where: dict = {"sockets": sockets} if sockets else {"host": host, "port": port}
    listeners: dict = {}  # waitress's socket map: a server per listening socket (two for "localhost" on some hosts)
    server = create_server(
        app,
        map=listeners,
        **where,
        threads=threads,
        ident="glossary",
        max_request_body_size=max_body + HEADER_LIMIT,  # the guard answers first; this catches the rest
        max_request_header_size=HEADER_LIMIT,
        connection_limit=connection_limit,
        channel_timeout=channel_timeout,
        cleanup_interval=max(1, min(30, channel_timeout // 2)),
        inbuf_overflow=1024 * 1024,
        recv_bytes=RECV_BYTES,
    )
    for listener in [server, *listeners.values()]:  # each socket's server, or the JSON error answers go
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = Channel
    server.run()


# ---------------------------------------------------------------- several processes


def serve_workers(make_app, host: str, port: int, workers: int, options: dict, log=lambda message: None) -> None:
    """`glossary serve --workers N`: N processes, each a waitress server with its own threads, on
    one port. Waitress is one process, so the annotator's Python work runs on one core at a time;
    here each worker has its own interpreter.

    On Linux each worker listens on its own socket bound with SO_REUSEPORT and the kernel spreads
    new connections evenly over them; this process holds the port with a socket of the group that
    never listens, so a port taken by another program fails at once, here. Elsewhere (SO_REUSEPORT
    does not balance on macOS) this process binds one listening socket and hands it to every worker;
    that works on any POSIX system but lets whichever worker wakes first take most keep-alive
    connections (measured: 24 of 32 on two workers). This process only watches: a worker that dies
    is started again (a crash loop stops the server), and Ctrl-C or SIGTERM stops every worker before
    it returns. Workers stop by themselves if this process is killed outright. `make_app`: a
    picklable callable building the app in each worker.
    """
    import multiprocessing
    import signal
    import socket
    from multiprocessing.connection import wait

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    backlog = max(1024, options["connection_limit"])
    if sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT"):
        held = socket.socket(family, socket.SOCK_STREAM)  # holds the port for the group; never listens
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            held.bind((host, port))
        except OSError:
            held.close()
            raise
        listen: object = (family, host, held.getsockname()[1], backlog)
    else:
        held = socket.create_server((host, port), family=family, backlog=backlog)
        listen = held
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no connection or lock inherited

    go = context.Event()  # set once every first worker has bound: they then listen together

    def start():
        ready = context.Event()
        process = context.Process(
            target=_worker, args=(make_app, listen, options, os.getpid(), ready, go), name="glossary-worker"
        )
        process.start()
        return process, ready

    def wait_ready(process, ready) -> None:
        deadline = time.monotonic() + 60
        while not ready.wait(0.2):
            if not process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"a worker process failed to start (exit code {process.exitcode})")

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    running: list = []
    started_at: dict[int, float] = {}
    try:
        first = [start() for _ in range(workers)]
        running.extend(process for process, _ in first)
        for process, ready in first:
            wait_ready(process, ready)
            started_at[process.pid] = time.monotonic()
        go.set()  # all listen from now on: the kernel spreads connections over all of them from the first
        log(f"{workers} worker processes: {', '.join(str(p.pid) for p in running)}")
        quick_deaths = 0
        while True:
            ended = wait([p.sentinel for p in running], timeout=5)
            for process in [p for p in running if p.sentinel in ended]:
                process.join()
                running.remove(process)
                quick_deaths = quick_deaths + 1 if time.monotonic() - started_at.pop(process.pid) < 5 else 0
                if quick_deaths >= 3:
                    raise RuntimeError(f"worker processes keep exiting (last exit code {process.exitcode})")
                log(f"worker {process.pid} exited with code {process.exitcode}; starting another")
                running.append(start()[0])
                started_at[running[-1].pid] = time.monotonic()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for process in running:
            if process.is_alive():
                process.terminate()
        for process in running:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
        held.close()


def _worker(make_app, listen, options: dict, parent: int, ready, go) -> None:
    """One worker: the app, and waitress on its own SO_REUSEPORT socket (`listen`: family, host, port,
    backlog) or on the shared one; it exits when its parent is gone. SIGTERM (the parent stopping it)
    ends waitress's loop as Ctrl-C does."""
    import signal
    import socket
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides

    def orphaned():
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=orphaned, daemon=True).start()
    if isinstance(listen, tuple):
        family, host, port, backlog = listen
        own = socket.socket(family, socket.SOCK_STREAM)
        own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        own.bind((host, port))
        ready.set()
        go.wait()  # every first worker bound: listen together, so none takes the first connections alone
        own.listen(backlog)
        listen = own
    else:
        ready.set()
    app = make_app()

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # until here SIGTERM just ends the process; now waitress's loop
    serve(app, "", 0, sockets=[listen], **options)
