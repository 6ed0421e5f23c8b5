"""Many documents in one run: `glossary annotate --jsonl`, one JSON line per document, in order.

A per-file CLI call pays the start-up (~70 ms) hundreds of times the work of a short article; here
the glossary is opened once per process, documents stream through (a bounded number in flight, so
memory does not grow with the input), and `jobs` > 1 spreads them over worker processes, each of
which opens the glossary once. The work on one document is `annotate_document`, a pure function of
the text: the same call runs on Dask or Spark (see the README).
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator

import orjson

_worker: dict = {}  # in a worker process: its glossary and options (set by _start_worker)


def annotate_document(glossary, text: str, **options) -> dict:
    """One document's annotation as the JSON output gives it: `entries`, `readings`, `spans`."""
    return glossary.annotate(text, **options).to_dict()


Task = tuple[str, object, int]  # ("path", path, n) or ("line", a JSON line, its line number)


def path_tasks(paths: Iterable[str]) -> Iterator[Task]:
    return (("path", path, n) for n, path in enumerate(paths, 1))


def line_tasks(lines: Iterable[bytes]) -> Iterator[Task]:
    """Each non-blank line of a JSON Lines stream ({"id": …, "text": …}), parsed by the worker."""
    return (("line", line, n) for n, line in enumerate(lines, 1) if line.strip())


def run_one(glossary, task: Task, options: dict, encoding: str | None) -> tuple[bytes, bool]:
    """One task as its output line, and whether it succeeded. A document that cannot be read gives
    a line with `error` instead: one bad file does not stop a batch."""
    kind, value, number = task
    key: dict = {"path": value} if kind == "path" else {"id": number}
    warnings: list[str] = []
    try:
        if kind == "path":
            text, warnings = read_path(str(value), encoding)
        else:
            key, text = parse_line(value, number)  # type: ignore[arg-type]
        result = {**key, **annotate_document(glossary, text, **options)}
        if warnings:  # tracked changes in a .docx, a garbled PDF: said in the document's own line
            result["warnings"] = warnings
    except DocumentProblem as problem:
        return orjson.dumps({**key, "error": str(problem)}) + b"\n", False
    return orjson.dumps(result) + b"\n", True


class DocumentProblem(Exception):
    """A document of a batch that cannot be annotated: reported in its output line."""


def read_path(path: str, encoding: str | None) -> tuple[str, list[str]]:
    """A file's text (any document --file reads) and its reader's warnings."""
    from glossary.formats.documents import DocumentError, read

    try:
        with open(path, "rb") as file:
            data = file.read()
        document = read(data, path, encoding)
        return document.text, list(document.warnings)
    except OSError as exc:
        raise DocumentProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    except DocumentError as exc:
        raise DocumentProblem(str(exc).replace("the file", path, 1)) from None


def parse_line(line: bytes, number: int) -> tuple[dict, str]:
    """A JSON line's id (its `id`, else `path`, else its line number) and text."""
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise DocumentProblem(f"line {number} is not JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
        raise DocumentProblem(f'line {number} needs a "text" string, e.g. {{"id": "a", "text": "…"}}')
    key = {"path": doc["path"]} if "path" in doc and "id" not in doc else {"id": doc.get("id", number)}
    return key, doc["text"]


def run(
    tasks: Iterable[Task],
    db: str,
    options: dict,
    write: Callable[[bytes], object],
    *,
    jobs: int = 1,
    encoding: str | None = None,
    glossary=None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Annotate every task and write its line, in input order; the number of documents that failed.
    With jobs > 1, worker processes do the work; at most jobs × 4 documents are in flight."""
    failed = 0

    def done(result: tuple[bytes, bool], n: int) -> None:
        nonlocal failed
        line, ok = result
        failed += not ok
        write(line)
        if progress is not None:
            progress(n)

    if jobs <= 1:
        for n, task in enumerate(tasks, 1):
            done(run_one(glossary, task, options, encoding), n)
        return failed

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),  # fresh processes: no connection or thread forked
        initializer=_start_worker,
        initargs=(db, options, encoding),
    )
    pending: deque = deque()
    n = 0
    try:
        for n, task in enumerate(tasks, 1):
            pending.append(executor.submit(_work, task))
            if len(pending) >= jobs * 4:
                done(pending.popleft().result(), n - len(pending))
        while pending:
            done(pending.popleft().result(), n - len(pending))
    except BaseException:
        for future in pending:
            future.cancel()
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()  # workers ignore Ctrl-C; stop them now, not after their current document
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return failed


def _start_worker(db: str, options: dict, encoding: str | None) -> None:
    """In each worker: open the glossary once; leave Ctrl-C to the parent, which stops the workers."""
    from multiprocessing.util import Finalize

    from glossary import Glossary

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    glossary = Glossary.open(db, build=False)
    Finalize(glossary, glossary.close, exitpriority=10)  # closed when the worker exits
    _worker.update(glossary=glossary, options=options, encoding=encoding)


def _work(task: Task) -> tuple[bytes, bool]:
    return run_one(_worker["glossary"], task, _worker["options"], _worker["encoding"])
