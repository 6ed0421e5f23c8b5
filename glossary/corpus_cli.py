"""`glossary corpus add|list|remove|stats|update`, `glossary timeline`, `glossary kwic`, `glossary discover`
(registered on the `glossary` group in cli.py)."""

from __future__ import annotations

import json
import sys

import click

from glossary.cli import DB_OPTION, UserError, open_glossary


def _open_corpus(db: str):
    """The glossary (built if needed) and its corpus, both closed when the command ends."""
    from glossary.corpus import Corpus

    glossary = open_glossary(db)
    corpus = Corpus(db)
    click.get_current_context().call_on_close(corpus.close)
    return glossary, corpus


def _bar(length: int, label: str):
    """A progress bar on a terminal's stderr; elsewhere a no-op."""
    if sys.stderr.isatty() and length:
        return click.progressbar(length=length, label=label, file=sys.stderr)
    return _NoBar()


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        pass


def _guard(run):
    """Run `run()` turning corpus errors into one-line messages and Ctrl-C into a clean stop."""
    from glossary.corpus import CorpusError
    from glossary.usage import UsageError

    try:
        return run()
    except (CorpusError, UsageError) as exc:
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("\nglossary: interrupted; every batch already written is complete, run it again to finish", err=True)
        sys.exit(130)


def _entry(glossary, term: str):
    entry = glossary.lookup(term)
    if entry is None:
        raise UserError(f"no entry for {term!r} in the glossary (try: glossary search {term})")
    return entry


ENGINE_OPTIONS = [
    click.option(
        "--engine",
        type=click.Choice(["processes", "dask"]),
        default="processes",
        show_default=True,
        help="Where to annotate: this machine's processes, or Dask (pip install 'policy-glossary[dask]').",
    ),
    click.option(
        "--scheduler",
        help="With --engine dask: a cluster's scheduler address (tcp://host:8786; workers must see the files "
        "and the database at the same paths), or 'processes' (default) or 'synchronous' on this machine.",
    ),
]


def engine_options(command):
    for option in reversed(ENGINE_OPTIONS):
        command = option(command)
    return command


def _engine(engine: str, scheduler: str | None):
    from glossary.corpus import Engine

    if scheduler and engine != "dask":
        raise UserError("--scheduler needs --engine dask")
    return Engine(engine, scheduler)


@click.group()
def corpus():
    """A corpus of dated documents: the evidence behind timelines, concordances and discovery.

    \b
    Examples:
      glossary corpus add speeches/ --source xinhua          # dates from names: 20251028.md, 2025-10-28-x.html
      glossary corpus add report.txt --date 2024-03-05 --source npc
      glossary corpus add --manifest corpus.jsonl            # {"path", "date", "title", "source", "url"}
      glossary corpus stats
    """


@corpus.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--date", help="The date of every file given (YYYY-MM-DD); else taken from each file name.")
@click.option("--source", help="Source label (default: the file's folder name).")
@click.option("--title", help="Title of the document (default: its heading or first line).")
@click.option("--manifest", type=click.Path(dir_okay=False), help="JSON Lines: path, date, title, source, url.")
@click.option("--encoding", help="The files' encoding (default: detected: UTF-8, GB18030, Big5, UTF-16).")
@click.option("--jobs", type=click.IntRange(1, 256), help="Processes annotating in parallel (default: all cores).")
@engine_options
@DB_OPTION
def add(paths, date, source, title, manifest, encoding, jobs, engine, scheduler, db):
    """Add text, Markdown or HTML files (or folders of them) to the corpus, annotated on the way.

    A changed file replaces its earlier version; an unchanged one is skipped. Documents are written in
    batches, each whole, so Ctrl-C loses at most the batch under way.

    \b
    Example:
      glossary corpus add xwlb/2019/ --source 新闻联播 --jobs 2
      glossary corpus add big/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from glossary.corpus import collect, default_jobs, read_manifest

    if not paths and not manifest:
        raise UserError("nothing to add: give files or folders, or --manifest")
    where = _engine(engine, scheduler)

    def run():
        specs = read_manifest(manifest, source, encoding) if manifest else []
        specs += collect(paths, date=date, source=source, title=title, encoding=encoding)
        _, corpus = _open_corpus(db)
        with _bar(len(specs), "Annotating") as bar:
            report = corpus.add(specs, jobs=jobs or default_jobs(), progress=bar.update, engine=where)
        for failure in report.failed:
            click.echo(f"glossary: skipped {failure}", err=True)
        click.echo(f"added {report.added}, replaced {report.replaced}, unchanged {report.unchanged}", err=True)
        if report.failed and not (report.added or report.replaced or report.unchanged):
            sys.exit(1)

    _guard(run)


@corpus.command()
@click.option("--all", "everything", is_flag=True, help="Re-annotate every document, not only those affected.")
@click.option("--jobs", type=click.IntRange(1, 256), help="Processes annotating in parallel (default: all cores).")
@engine_options
@DB_OPTION
def update(everything, jobs, engine, scheduler, db):
    """Re-annotate the documents that the glossary's changes since the last annotation can affect.

    \b
    Example:
      glossary corpus update
    """
    from glossary.corpus import default_jobs

    where = _engine(engine, scheduler)

    def run():
        _, corpus = _open_corpus(db)
        count = [0]

        def tick(n: int) -> None:  # how many documents are affected is known only as they come
            count[0] += n
            if sys.stderr.isatty():
                click.echo(f"\rre-annotated {count[0]} documents", err=True, nl=False)

        done = corpus.update(jobs=jobs or default_jobs(), everything=everything, progress=tick, engine=where)
        if count[0] and sys.stderr.isatty():
            click.echo("", err=True)
        click.echo(f"{done['entries']} entries changed, {done['documents']} documents re-annotated", err=True)

    _guard(run)


@corpus.command(name="list")
@click.option("--source", help="Only this source.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@DB_OPTION
def list_cmd(source, fmt, db):
    """List the corpus's documents (id, date, source, characters, occurrences, title).

    \b
    Example:
      glossary corpus list --source 新闻联播
    """
    _, corpus = _open_corpus(db)
    docs = corpus.documents(source)
    if fmt == "json":
        click.echo(json.dumps(docs, ensure_ascii=False, indent=1))
        return
    for d in docs:
        click.echo(f"{d['id']:>6}  {d['date']}  {d['source']}  {d['chars']:>8}  {d['occurrences']:>6}  {d['title']}")


@corpus.command()
@click.argument("targets", nargs=-1, required=True)
@DB_OPTION
def remove(targets, db):
    """Remove documents by id, file or folder.

    \b
    Example:
      glossary corpus remove 12 xwlb/2013/
    """

    def run():
        _, corpus = _open_corpus(db)
        click.echo(f"removed {corpus.remove(targets)} document(s)", err=True)

    _guard(run)


@corpus.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@DB_OPTION
def stats(fmt, db):
    """Documents, characters and occurrences in the corpus, by source and by year.

    \b
    Example:
      glossary corpus stats --format json
    """
    _, corpus = _open_corpus(db)
    s = corpus.stats()
    if fmt == "json":
        click.echo(json.dumps(s, ensure_ascii=False, indent=1))
        return
    click.echo(
        f"{s['documents']} documents, {s['chars']:,} characters, {s['first'] or '—'} to {s['last'] or '—'}; "
        f"{s['occurrences']:,} occurrences of {s['entries_found']} entries"
    )
    for row in s["sources"]:
        click.echo(f"  source {row['source']}: {row['documents']} documents, {row['chars']:,} characters")
    for row in s["years"]:
        click.echo(f"  {row['year']}: {row['documents']} documents, {row['chars']:,} characters")
    if s["stale_entries"]:
        click.echo(f"  {s['stale_entries']} entries changed since annotation: run `glossary corpus update`")


@click.command()
@click.argument("terms", nargs=-1, required=True)
@click.option("--by", type=click.Choice(["year", "quarter", "month"]), default="year", show_default=True)
@click.option("--source", help="Only documents of this source.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@DB_OPTION
def timeline(terms, by, source, fmt, db):
    """Occurrences of one or more terms per period: count, documents, per 10,000 characters, and the
    first and last attestation. JSON: one object for one term, a list for several.

    \b
    Examples:
      glossary timeline 新质生产力
      glossary timeline 新质生产力 高质量发展 --by quarter --format csv
    """
    from glossary import usage

    def run():
        glossary, corpus = _open_corpus(db)
        entries = [_entry(glossary, t) for t in terms]
        corpus.update()
        results = [usage.timeline(corpus, e.id, by, source) for e in entries]
        if fmt == "json":
            click.echo(json.dumps(results[0] if len(results) == 1 else results, ensure_ascii=False, indent=1))
        elif fmt == "csv":
            click.echo(usage.timelines_csv(results), nl=False)
        else:
            click.echo(usage.timelines_text(results, {e.id: e.zh for e in entries}), nl=False)

    _guard(run)


@click.command()
@click.argument("term")
@click.option("--sort", type=click.Choice(["date", "left", "right"]), default="date", show_default=True)
@click.option("--source", help="Only documents of this source.")
@click.option("--period", help="Only this period: 2024, 2024-Q3, 2024-07 or 2024-07-15.")
@click.option("--width", default=20, show_default=True, type=click.IntRange(1, 200), help="Characters each side.")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@DB_OPTION
def kwic(term, sort, source, period, width, limit, fmt, db):
    """Keyword-in-context lines of a term in the corpus.

    \b
    Examples:
      glossary kwic 新质生产力
      glossary kwic 举国体制 --sort left --period 2019
    """
    from glossary import usage

    def run():
        glossary, corpus = _open_corpus(db)
        entry = _entry(glossary, term)
        corpus.update()
        lines, total = usage.kwic(corpus, entry.id, sort=sort, source=source, period=period, width=width, limit=limit)
        if fmt == "json":
            out = {"entry": entry.id, "total": total, "lines": [line.to_dict() for line in lines]}
            click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        else:
            click.echo(usage.kwic_text(lines, width), nl=False)
            click.echo(f"{len(lines)} of {total} line(s)", err=True)

    _guard(run)


@click.command()
@click.option("--since", help="The recent period starts here (YYYY-MM-DD; default: a year before the last document).")
@click.option("--min-docs", default=3, show_default=True, type=click.IntRange(1), help="Independent documents needed.")
@click.option("--min-count", default=5, show_default=True, type=click.IntRange(1), help="Occurrences needed.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--source", help="Only documents of this source.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@DB_OPTION
def discover(since, min_docs, min_count, limit, source, fmt, db):
    """Candidate formulations the glossary lacks: frequent, cohesive, with free neighbours, spread over
    documents, not ordinary vocabulary, and rising against the earlier period.

    \b
    Examples:
      glossary discover
      glossary discover --since 2020-01-01 --min-docs 5 --format json
    """
    from glossary import discovery
    from glossary.corpus import parse_date

    def run():
        glossary, corpus = _open_corpus(db)
        found = discovery.discover(
            corpus,
            glossary,
            since=parse_date(since, "--since") if since else None,
            min_docs=min_docs,
            min_count=min_count,
            limit=limit,
            source=source,
            progress=(lambda message: click.echo(f"glossary: {message}", err=True)) if sys.stderr.isatty() else None,
        )
        from datetime import UTC, datetime

        settings = {"min_docs": min_docs, "min_count": min_count, "source": source}
        ran = datetime.now(UTC).isoformat(timespec="seconds")
        corpus.save_discovery({**found.to_dict(), "settings": settings, "run_at": ran})
        if fmt == "json":
            click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=1))
            return
        click.echo(
            f"recent: {found.since} to {found.until} ({found.recent_chars:,} characters); "
            f"earlier: {found.earlier_chars:,} characters"
        )
        for i, c in enumerate(found.candidates, 1):
            click.echo(
                f"{i:>3}. {c.text}  n={c.count} docs={c.documents} earlier={c.earlier_count} "
                f"rise={c.rise:.1f} pmi={c.cohesion:.1f} entropy={c.freedom:.2f}  first {c.first['date']}"
            )
            if c.examples:
                click.echo(f"     {c.examples[0]}")

    _guard(run)
