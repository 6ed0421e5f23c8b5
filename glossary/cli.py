"""The `glossary` command: annotate pasted text, look terms up, build and check the glossary, serve.

Exit codes: 0 ok, 1 user error (one line on stderr, never a traceback), 2 usage.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click


def _db_default(ctx, param, value):
    """--db, else GLOSSARY_DB, else the checkout's terms.sqlite or the user's data folder (glossary.locations)."""
    if value:
        return value
    from glossary.locations import default_db

    return str(default_db())


DB_OPTION: Callable = click.option(
    "--db",
    "db",
    default=None,
    envvar="GLOSSARY_DB",
    callback=_db_default,
    type=click.Path(dir_okay=False),
    help="The glossary database (env GLOSSARY_DB); built on first use. Default: terms.sqlite at the top of a "
    "source checkout, else in your data folder (~/.local/share/policy-glossary on Linux).",
)


class UserError(click.ClickException):
    """A one-line message and exit code 1."""

    def show(self, file=None):
        click.echo(f"glossary: {self.format_message()}", err=True)


def open_glossary(db: str, build: bool = True):
    """Open (building if needed) the database, turning every failure into a one-line message.
    The connection is closed when the command's context closes."""
    from glossary import Glossary
    from glossary.store import StoreError

    try:
        if build:
            first_build(db)
        glossary = Glossary.open(db, build=False)  # first_build has built it if it had to
        ctx = click.get_current_context(silent=True)
        if ctx is not None:
            ctx.call_on_close(glossary.close)  # every command closes what it opened, when it ends
        glossary.store.meta  # noqa: B018 - fail here, with a message, if the file is not ours
        return glossary
    except StoreError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot use database {db}: {exc.strerror or exc}") from None
    except Exception as exc:
        from glossary.model import CurationError  # not imported up front: annotating never needs it

        if isinstance(exc, CurationError):
            raise UserError(f"cannot build {db}: {exc}") from None
        raise


def first_build(db: str) -> None:
    """Build a missing or stale database, saying so: a line on stderr, and on a terminal a live
    count of the seconds it takes (the build has no steps to count)."""
    from glossary.build import ensure_built
    from glossary.prefetch import needs_build  # answered by the check started at launch, if any

    if not needs_build(Path(db)):
        return
    what = "building" if not Path(db).exists() else "rebuilding (its sources changed)"
    message = f"glossary: {what} the database {db} from the curated entries…"
    if not sys.stderr.isatty():
        click.echo(message, err=True)
        ensure_built(db, stale=True)
        return
    import threading
    import time

    done, failed = threading.Event(), []

    def run():
        try:
            ensure_built(db, stale=True)
        except BaseException as exc:  # re-raised below, in the command's thread
            failed.append(exc)
        finally:
            done.set()

    start = time.monotonic()
    threading.Thread(target=run, daemon=True).start()
    frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
    n = 0
    while not done.wait(0.1):
        click.echo(f"\r{frames[n % len(frames)]} {message} {time.monotonic() - start:.0f} s", err=True, nl=False)
        n += 1
    click.echo(f"\r{message} done in {time.monotonic() - start:.1f} s", err=True)
    if failed:
        raise failed[0]


UTF16_32_MARKS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-32 LE starts with UTF-16 LE's


def decode(data: bytes, source: str) -> str:
    """The one rule for text from standard input or the command line: a byte-order mark decides
    (UTF-8, UTF-16 or UTF-32, the mark dropped, so offsets are the same whichever way the text came),
    else UTF-8. Files are read by glossary.formats.documents, which also detects GB18030, Big5, UTF-16."""
    if data.startswith(UTF16_32_MARKS):  # else UTF-8, with or without its mark: no need for the readers
        from glossary.formats.documents import DocumentError

        try:
            return read_document(data, source, None).text
        except DocumentError as exc:
            raise UserError(str(exc)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{source} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def plain_utf8(data: bytes, name: str) -> str | None:
    """A .txt file in UTF-8, the common case, as glossary.formats.documents reads it, without
    importing the document readers (zipfile, html.parser, the formats package: ≈ 25–60 ms of a
    one-off run); None for anything else (another encoding or mark, a PDF, .docx or HTML inside)."""
    if not name.lower().endswith(".txt") or data.startswith((*UTF16_32_MARKS, b"%PDF", b"PK\x03\x04")):
        return None
    if data[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):  # as documents.kind_of
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def argument(value: str, source: str = "the argument") -> str:
    """A command-line argument as text. Python hands over bytes that are not UTF-8 (a GBK file pasted
    with "$(cat gbk.txt)") as surrogate escapes, which fail later when printed: judge them here."""
    try:
        data = os.fsencode(value)
    except UnicodeEncodeError:
        raise UserError(f"{source} is not valid text") from None
    return decode(data, source)


def read_document(data: bytes, source: str, encoding: str | None, name: str | None = None):
    """A document's text (plain text in any detected or named encoding, .docx, PDF, HTML); its
    warnings (tracked changes, a garbled PDF) go to stderr."""
    from glossary.formats.documents import DocumentError, read

    try:
        document = read(data, name, encoding)
    except DocumentError as exc:
        raise UserError(str(exc).replace("the file", source, 1)) from None
    for warning in document.warnings:
        click.echo(f"glossary: warning: {source}: {warning}", err=True)
    return document


def read_input(text: tuple[str, ...], file: str | None, encoding: str | None = None) -> str:
    """The text to annotate: the arguments, a file (or an existing file named as the argument), or stdin.
    A file may be plain text (UTF-8, GB18030/GBK, Big5, UTF-16: detected, or named by `encoding`),
    Word .docx, PDF or HTML; standard input too when `encoding` is given."""
    if text and file:
        raise UserError("give the text as an argument or with --file, not both")
    if len(text) == 1 and not file and os.path.isfile(text[0]) and not any(ord(c) > 127 for c in text[0]):
        file = text[0]
    if file:
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise UserError(f"cannot read {file}: {exc.strerror or exc}") from None
        if file == "-" and not encoding:
            return decode(data, "standard input")
        if file != "-" and not encoding and (plain := plain_utf8(data, file)) is not None:
            return plain
        source = "standard input" if file == "-" else os.fsencode(file).decode("utf-8", "replace")
        return read_document(data, source, encoding, None if file == "-" else file).text
    if text:
        return " ".join(argument(t) for t in text)
    if sys.stdin is not None and not sys.stdin.isatty():
        data = sys.stdin.buffer.read()
        return read_document(data, "standard input", encoding).text if encoding else decode(data, "standard input")
    raise UserError("no text to annotate: pass it as an argument, with --file, or on standard input")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy-glossary")
def cli():
    """A bilingual glossary of Chinese policy terms, and an annotator for Chinese text.

    \b
    Example:
      echo '坚持新型举国体制，发展通用人工智能' | glossary annotate
    """


def filter_options(command):
    """The entry filters of `annotate` (glossary.filters): which entries may be tagged."""
    options = [
        click.option("--kind", multiple=True, metavar="KIND", help="Only entries of this kind (repeat, or a,b)."),
        click.option("--tag", multiple=True, metavar="TAG", help="Only entries with this tag (repeat, or a,b)."),
        click.option(
            "--entry-region",
            multiple=True,
            metavar="REGION",
            help="Only entries that belong to this region: prc, tw, hk, mo, or 'none' for those of no region "
            "(repeat, or a,b). Unlike --region, which says whose usage the text follows.",
        ),
        click.option(
            "--status",
            multiple=True,
            metavar="STATUS",
            help="Only entries of this editorial status (draft, checked, approved), where the glossary records one.",
        ),
        click.option("--min-length", type=click.IntRange(0, 100), help="Only forms of at least N characters."),
        click.option(
            "--curated-only", is_flag=True, help="Leave out entries imported from termbases (TBX, CSV) as they came."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def entry_filter(kind, tag, entry_region, status, min_length, curated_only):
    """The filter the options ask for (None when they ask for none); a bad value is a UserError."""
    if not (kind or tag or entry_region or status or curated_only or min_length):
        return None  # without loading the model's vocabularies (a cold start's milliseconds)
    from glossary.filters import FilterError, make

    try:
        found = make(kind, tag, entry_region, status, curated_only, min_length)
    except FilterError as exc:
        raise UserError(str(exc)) from None
    return found or None


@cli.command()
@click.argument("text", nargs=-1)
@click.option("-f", "--file", multiple=True, help="Read the text from this file ('-' for stdin); with --jsonl, repeat.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]), default="text", show_default=True
)
@click.option(
    "--pinyin",
    type=click.Choice(["terms", "all"]),
    default="terms",
    show_default=True,
    help="'all': pinyin for every word (ruby in HTML, interlinear in text).",
)
@click.option(
    "--tones",
    type=click.Choice(["marks", "numbers"]),
    default="marks",
    show_default=True,
    help="Tone marks (tōng) or numbers (tong1) in whole-text pinyin.",
)
@click.option("--no-ambiguous", is_flag=True, help="Leave out entries whose form is also an ordinary word.")
@click.option(
    "--ordinary-words",
    is_flag=True,
    help="Also tag forms whose ordinary sense dominates running text (单位 'unit'), left out by default.",
)
@click.option(
    "--region",
    type=click.Choice(["prc", "tw", "hk", "mo"]),
    help="Whose usage the text follows (Taiwan's 教育部 or the PRC's); guessed from the text if not given.",
)
@click.option("--dictionary", is_flag=True, help="Also gloss other words from CC-CEDICT (marked as such).")
@click.option(
    "--encoding",
    metavar="NAME",
    help="The encoding of a text file or stdin (gb18030, big5, utf-16…); default: a byte-order mark, "
    "else UTF-8, else detected among GB18030, Big5 and UTF-16 ('auto' detects stdin too).",
)
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="HTML output: the served site its links point to (so a saved file's links work).",
)
@filter_options
@click.option(
    "--jsonl",
    is_flag=True,
    help="Many documents, one JSON line each ({path|id, entries, readings, spans}), in order: the files "
    'given (arguments or --file), else JSON Lines on stdin ({"id": …, "text": …} per line).',
)
@click.option(
    "--jobs",
    type=click.IntRange(0, 256),
    default=1,
    show_default=True,
    help="With --jsonl: worker processes (0: one per core).",
)
@DB_OPTION
def annotate(
    text,
    file,
    fmt,
    pinyin,
    tones,
    no_ambiguous,
    ordinary_words,
    region,
    dictionary,
    encoding,
    base_url,
    kind,
    tag,
    entry_region,
    status,
    min_length,
    curated_only,
    jsonl,
    jobs,
    db,
):
    """Tag every glossary term in Chinese text (simplified or traditional).

    \b
    Examples:
      glossary annotate '加快形成新质生产力'
      pbpaste | glossary annotate --format markdown
      glossary annotate --file notice.txt --format json
      glossary annotate --file report.docx   # also .pdf, .html, GB18030/Big5/UTF-16 text
      glossary annotate --file old.txt --encoding big5
      glossary annotate --pinyin all --tones numbers '發展人工智慧'
      glossary annotate --kind organization,person --min-length 3 --file notice.txt
      glossary annotate --jsonl --jobs 4 articles/*.txt > annotations.jsonl
      jq -c '{id, text}' docs.jsonl | glossary annotate --jsonl
    """
    chosen = entry_filter(kind, tag, entry_region, status, min_length, curated_only)
    options = {"ambiguous": not no_ambiguous, "ordinary": ordinary_words, "region": region, "entry_filter": chosen}
    if jsonl:
        if fmt not in ("text", "json") or pinyin != "terms" or dictionary:
            raise UserError(
                "--jsonl writes the JSON of each document: --format, --pinyin all and --dictionary do not apply"
            )
        return annotate_batch([*file, *text], options, jobs, encoding, db)
    if jobs != 1:
        raise UserError("--jobs is for --jsonl batches")
    if len(file) > 1:
        raise UserError("several files need --jsonl (one JSON line per document)")
    content = read_input(text, file[0] if file else None, encoding)
    if not content.strip():
        raise UserError("no text to annotate: the input is empty")
    glossary = open_glossary(db)
    check_filter(glossary, chosen)
    if fmt in ("text", "json") and pinyin == "terms" and not dictionary:
        from glossary import render

        def echo(part) -> None:  # str or bytes
            click.echo(part, nl=False)

        if fmt == "json":  # (the cards' JSON read as stored, at the end: see Glossary.cards_json)
            render.write_json(glossary.annotate_chunks(content, cards=False, **options), echo, glossary.cards_json)
        else:
            render.write_text(glossary.annotate_chunks(content, **options), echo)
        return
    annotation = glossary.annotate(content, **options)
    numbers = tones == "numbers"
    words = reading_tokens = None
    if pinyin == "all" or dictionary:
        from glossary import reading

        lexicon = glossary.annotator().lexicon
        if pinyin == "all":
            reading.use_readings(glossary.store.lexicon_file("lexicon_readings"))
            reading_tokens = reading.reading(annotation, lexicon, numbers)
        if dictionary:
            from glossary.dictionary import index_path, open_index

            if not index_path(glossary.store.path).exists():
                click.echo("glossary: indexing CC-CEDICT for --dictionary (once, a few seconds)…", err=True)
            try:
                index = open_index(glossary.store.path)
            except OSError as exc:
                raise UserError(str(exc)) from None
            words = reading.dictionary(annotation, lexicon, numbers, index=index)
    from glossary import render

    if fmt == "json":
        out = render.annotation_json(annotation, reading_tokens, words)
    elif fmt == "markdown":
        out = render.to_markdown(annotation, words, reading_tokens)
    elif fmt == "html":
        out = render.to_html(annotation, reading_tokens, words, base_url=base_url)
    else:
        out = render.to_text(annotation, reading_tokens, words)
    click.echo(out, nl=not out.endswith("\n"))


def check_filter(glossary, chosen) -> None:
    """Resolve the filter once up front, so a filter the glossary cannot apply (--status on a glossary
    without editorial status) is a one-line error before any output."""
    from glossary.filters import FilterError

    try:
        glossary.allowed(chosen)
    except FilterError as exc:
        raise UserError(str(exc)) from None


def annotate_batch(paths: list[str], options: dict, jobs: int, encoding: str | None, db: str) -> None:
    """`annotate --jsonl`: the files named, else JSON Lines on stdin; one output line per document."""
    from glossary import batch

    if any(path == "-" for path in paths):
        raise UserError("with --jsonl, standard input is read as JSON Lines when no file is named; drop '-'")
    missing = [path for path in paths if not os.path.isfile(path)]
    if missing:
        raise UserError(f"no such file: {missing[0]} (with --jsonl, arguments are files)")
    if not paths and (sys.stdin is None or sys.stdin.isatty()):
        raise UserError("--jsonl needs files, or JSON Lines on standard input")
    glossary = open_glossary(db)
    check_filter(glossary, options["entry_filter"])
    tasks = batch.path_tasks(paths) if paths else batch.line_tasks(sys.stdin.buffer)
    out = sys.stdout.buffer
    progress = None
    if sys.stderr.isatty():
        total = f"/{len(paths)}" if paths else ""

        def progress(n: int) -> None:
            if n % 20 == 0 or (paths and n == len(paths)):
                click.echo(f"\r{n:,}{total} documents", err=True, nl=False)

    failed = batch.run(
        tasks,
        str(glossary.store.path),
        options,
        lambda line: (out.write(line), out.flush()),
        jobs=jobs or os.cpu_count() or 1,
        encoding=encoding,
        glossary=glossary,
        progress=progress,
    )
    if progress is not None:
        click.echo("", err=True)
    if failed:
        raise UserError(f'{failed} document(s) could not be annotated (their lines carry an "error")')


@cli.command()
@click.argument("term")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@DB_OPTION
def show(term, fmt, db):
    """Print one entry with its renderings, quotes and sources, by id or by any of its forms.

    \b
    Examples:
      glossary show tongyong-rengong-zhineng
      glossary show 人工智慧
    """
    term = argument(term, "the term")
    glossary = open_glossary(db)
    entry = glossary.lookup(term.strip())
    if entry is None:
        raise UserError(f"no entry for {term!r}; try: glossary search {term}")
    from glossary import render

    sources = {s.id: s for s in glossary.store.sources()}
    if fmt == "json":
        data = entry.to_dict()
        data["sources"] = {q.source: sources[q.source].to_dict() for q in entry.quotes if q.source in sources}
        click.echo(render.to_json(data))
    else:
        click.echo(render.entry_text(entry, sources, glossary.store.forms_of(entry.id)))


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@DB_OPTION
def search(query, limit, fmt, db):
    """Search by Chinese (either script), pinyin (with or without tones) or English.

    \b
    Examples:
      glossary search 举国
      glossary search tongyong rengong zhineng
      glossary search tong1yong4
      glossary search "national system"
    """
    q = " ".join(argument(word, "the query") for word in query)
    results = open_glossary(db).search(q, limit)
    if fmt == "json":
        from glossary.render import to_json

        click.echo(to_json({"query": q, "results": results}))
        return
    if not results:
        raise UserError(f"no entry matches {q!r}")
    for r in results:
        click.echo(f"{r['zh']}\t{r['pinyin']}\t{r['en']}\t({r['id']})")


@cli.command()
@DB_OPTION
@click.option(
    "--entries", type=click.Path(file_okay=False, exists=True), help="Entries folder (default: the packaged one)."
)
@click.option(
    "--sources", type=click.Path(dir_okay=False, exists=True), help="sources.yaml (default: the packaged one)."
)
@click.option("--full", is_flag=True, help="Re-read every entry file, not only the changed ones.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def build(db, entries, sources, full, files):
    """Build the database from the curated YAML (safe to repeat; a failed build changes nothing).

    Only entry files whose content changed since the last build are read again; the database is
    updated in place, in one transaction, and tables it does not own (users, corpus) are kept.

    FILES: look only at these entry files (edited, added or deleted), not at every file of the
    folder — an editor's on-save hook in a big glossary, where finding what changed is most of the
    time (100,000 files). Any other change is still found by the next plain build or command.

    \b
    Examples:
      glossary build --db terms.sqlite
      glossary build --entries my/entries my/entries/suanli.yaml
    """
    from glossary.build import build as build_db
    from glossary.editdb import has_editing
    from glossary.model import CurationError
    from glossary.store import StoreError

    if files and full:
        raise click.UsageError("--full re-reads every entry file: name no files with it")
    finish_killed_import(entries)
    if has_editing(db):
        if files:
            raise UserError(f"{db} is a team server's database: `glossary build` syncs its upstream whole")
        return sync_edited(db, entries, sources)
    try:
        counts = build_db(
            db,
            entries and Path(entries),
            sources and Path(sources),
            full=full,
            progress=_counter(),
            only=[Path(f) for f in files] if files else None,
        )
    except StoreError as exc:
        raise UserError(str(exc)) from None
    except CurationError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise UserError(f"{len(exc.problems)} problem(s) in the curated sources; {db} left as it was") from None
    except OSError as exc:
        raise UserError(f"cannot write {db}: {exc.strerror or exc}") from None
    click.echo(
        f"built {db}: {counts['entries']} entries, {counts['forms']} surface forms, "
        f"{counts['quotes']} quotes, {counts['sources']} sources ({counts['parsed']} entry files read, "
        f"{counts['changed']} entries changed, {counts['removed']} removed)"
    )


def _counter():
    """A progress counter on stderr when it is a terminal (None otherwise): entry files read so far."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = done + 500 >= total
        click.echo(f"\rglossary: reading changed entry files {min(done + 500, total):,}/{total:,}…", err=True, nl=end)

    return show


def sync_edited(db: str, entries: str | None, sources: str | None) -> None:
    """A team server's database is never rebuilt: the curated YAML comes in as its upstream (editing.py)."""
    from glossary import curation
    from glossary.editing import Editor
    from glossary.model import CurationError

    try:
        counts = Editor(db).sync_upstream(
            Path(entries) if entries else curation.ENTRIES_DIR, Path(sources) if sources else curation.SOURCES_FILE
        )
    except CurationError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise UserError(f"{len(exc.problems)} problem(s) in the curated sources; {db} left as it was") from None
    click.echo(
        f"synced {db} with the curated YAML (local edits kept): {counts['updated']} updated, {counts['added']} added, "
        f"{counts['removed']} removed, {counts['conflicts']} conflict(s) queued for review"
    )


def finish_killed_import(entries: str | None) -> None:
    """An import killed while moving its files in is undone before the folder is read (see exchange)."""
    from glossary import curation, exchange

    folder = Path(entries) if entries else curation.ENTRIES_DIR
    if any(folder.parent.glob(f".{folder.name}.import-*")):
        try:
            exchange.recover(folder)
        except OSError as exc:
            raise UserError(f"an interrupted import into {folder} could not be undone: {exc}") from None


@cli.command()
@click.option("--entries", type=click.Path(file_okay=False), help="Entries folder (default: the packaged one).")
@click.option("--sources", type=click.Path(dir_okay=False), help="sources.yaml (default: the packaged one).")
@click.option(
    "--seeds",
    type=click.Path(file_okay=False),
    help="Folder of source articles for the verbatim check (default: $GLOSSARY_SEEDS or ../shared/seeds).",
)
@click.option("--warnings/--no-warnings", default=False, help="Also list warnings (ids that differ from the pinyin).")
def check(entries, sources, seeds, warnings):
    """Validate the curated sources: fields, YAML, ids, forms, pinyin, quotes verbatim.

    \b
    Example:
      glossary check --seeds ../shared/seeds
    """
    from glossary import curation

    finish_killed_import(entries)
    seeds_dir = Path(seeds) if seeds else curation.find_seeds()
    curated = curation.load(
        Path(entries) if entries else curation.ENTRIES_DIR,
        Path(sources) if sources else curation.SOURCES_FILE,
        seeds_dir,
    )
    for problem in curated.problems:
        click.echo(str(problem))
    if warnings:
        for warning in curated.warnings:
            click.echo(f"warning: {warning}")
    if seeds_dir is None:
        click.echo("note: source articles not found; quotes were not checked verbatim (use --seeds)", err=True)
    kinds: dict[str, int] = {}
    for entry in curated.entries:
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    attested = sum(e.zh_attested for e in curated.entries)
    quotes = sum(len(e.quotes) for e in curated.entries)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    click.echo(
        f"{len(curated.entries)} entries ({summary}); {attested} with the Chinese printed in a source; {quotes} quotes"
    )
    if curated.problems:
        raise UserError(f"{len(curated.problems)} problem(s) found")


def names(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--max-body",
    default=4 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1024, 64 * 1024 * 1024),
    help="Largest request body in bytes; larger ones are refused (413) before they are read.",
)
@click.option(
    "--connection-limit",
    default=100,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="Open connections at most; more wait to be accepted.",
)
@click.option(
    "--channel-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds a connection may stay idle (or trickle a request) before it is closed.",
)
@click.option(
    "--allowed-hosts",
    metavar="NAMES",
    help="Comma-separated host names to answer (others get 400), e.g. glossary.example.org; "
    "set it on a server with private entries. Default: any.",
)
@click.option(
    "--allowed-origins",
    metavar="ORIGINS",
    help="Comma-separated origins allowed to call the API from the browser (CORS), e.g. "
    "https://intranet.example.org. Default: any origin (the bookmarklet works on every site).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port, each with --threads threads: annotation uses one core per process.",
)
@DB_OPTION
def serve(
    host, port, threads, max_body, connection_limit, channel_timeout, allowed_hosts, allowed_origins, workers, db
):
    """Serve the web site and JSON API with waitress (a production WSGI server).

    \b
    Examples:
      glossary serve --port 8000   # then open http://127.0.0.1:8000/
      glossary serve --host 0.0.0.0 --allowed-hosts glossary.example.org \\
          --allowed-origins https://intranet.example.org
    """
    with open_glossary(db) as glossary:  # built (if needed) and checked before serving
        path = str(glossary.store.path)
    import functools

    from web import create_app
    from web.server import serve as run_server
    from web.server import serve_workers

    make_app = functools.partial(
        create_app,
        path,
        {
            "MAX_CONTENT_LENGTH": max_body,
            "MAX_FORM_MEMORY_SIZE": max_body,
            "ALLOWED_HOSTS": names(allowed_hosts),
            "ALLOWED_ORIGINS": names(allowed_origins),
        },
    )
    options = {
        "threads": threads,
        "max_body": max_body,
        "connection_limit": connection_limit,
        "channel_timeout": channel_timeout,
    }
    click.echo(f"serving {db} on http://{host}:{port}/", err=True)
    try:
        if workers > 1:
            serve_workers(make_app, host, port, workers, options, log=lambda m: click.echo(f"glossary: {m}", err=True))
        else:
            run_server(make_app(), host, port, **options)
    except OSError as exc:
        raise UserError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    except RuntimeError as exc:  # --workers: a worker that cannot start, or keeps exiting
        raise UserError(f"cannot serve on {host}:{port}: {exc}") from None


@cli.command(name="export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "yaml", "csv", "tsv", "tbx", "yomitan", "anki", "pleco", "omegat", "deepl"]),
    default="json",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to this file instead of stdout (the Yomitan zip and Anki deck are binary).",
)
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="The served site, for links to entry pages and Yomitan's update URLs.",
)
@click.option(
    "--folder",
    type=click.Path(file_okay=False),
    help="With --format yaml: write one curated entry file per entry into this folder (what `check` reads).",
)
@click.option("--approved-only", is_flag=True, help="Only entries whose review status is approved (team servers).")
@DB_OPTION
def export_cmd(fmt, output, base_url, folder, approved_only, db):
    """Write the whole glossary (every field, quotes included) to stdout.

    CSV starts with a byte-order mark (as the web download does), and a CSV or TSV cell that
    starts like a spreadsheet formula (= + - @) is prefixed with an apostrophe.

    \b
    Examples:
      glossary export --format json > glossary.json
      glossary export --format tbx > glossary.tbx
      glossary export --format yomitan --output policy-glossary.zip
      glossary export --format anki --output policy-glossary.apkg   # re-import updates cards
      glossary export --format pleco > pleco.txt   # also: omegat, deepl
      glossary export --format yaml --folder entries/ --approved-only   # a team's work, for upstream
    """
    from glossary import editing, exchange, formats

    glossary = open_glossary(db)
    if folder:
        if fmt != "yaml":
            raise UserError("--folder writes entry files: use it with --format yaml")
        try:
            written = editing.export_folder(Path(db), Path(folder), approved_only)
        except (OSError, exchange.ImportProblem) as exc:
            raise UserError(f"cannot write {folder}: {getattr(exc, 'strerror', None) or exc}") from None
        click.echo(f"wrote {written} entry files to {folder}", err=True)
        return
    store = editing.ApprovedOnly(glossary.store, editing.statuses(db)) if approved_only else glossary.store
    if fmt in formats.EXPORTS:
        data = formats.export(store, fmt, base_url=base_url)
    else:
        data = exchange.as_file(exchange.export(store, fmt, base_url=base_url), fmt).encode("utf-8")
    if output:
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
        click.echo(f"wrote {output} ({len(data):,} bytes)", err=True)
    else:
        click.echo(data, nl=False)


@cli.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--entries", type=click.Path(file_okay=False), help="Entries folder to write (default: the packaged one)."
)
@click.option(
    "--sources",
    type=click.Path(dir_okay=False, exists=True),
    help="sources.yaml the quotes refer to (default: the packaged one).",
)
@click.option(
    "--seeds",
    type=click.Path(file_okay=False),
    help="Folder of source articles for the verbatim check (default: $GLOSSARY_SEEDS or ../shared/seeds).",
)
@click.option("--replace", is_flag=True, help="Overwrite entries that already exist (JSON/YAML exports).")
@click.option(
    "--dry-run", is_flag=True, help="TBX/CSV/TSV: show what would be added, changed or conflict; write nothing."
)
@click.option(
    "--as",
    "as_user",
    help="Team server: import into the database (--db) as revisions by this editor, instead of into YAML files.",
)
@DB_OPTION
def import_cmd(file, entries, sources, seeds, replace, dry_run, as_user, db):
    """Add entries from a JSON or YAML export, or a TBX or CSV/TSV termbase, into the curated YAML files
    (all or nothing).

    A termbase (a colleague's memoQ/Trados/OmegaT TBX; a CSV/TSV with Chinese and English columns, such
    as the CSET-ETO glossary's) is merged: new terms become entries (pinyin suggested where missing),
    known ones gain the renderings and forms they lack, and curated data wins (an imported preferred
    rendering that differs is kept as an admitted one and reported as a conflict). --dry-run shows it.

    The glossary as it would be after the import is checked as `glossary check` checks it;
    any problem refuses the whole import and nothing is written. Files are moved in one by one
    under a journal: an import that fails midway is undone at once, one that is killed is undone
    by the next import. Ids are slugs; YAML anchors and aliases and files over 50 MB are refused.

    \b
    Examples:
      glossary import colleague.json --entries glossary/entries
      glossary import memoq-export.tbx --dry-run
      glossary import eto-glossary.csv
      glossary import colleague.json --as alice --db terms.sqlite   # a team server: as revisions
    """
    from glossary import curation, exchange

    if as_user:
        return import_as_revisions(Path(file), as_user, replace, db)
    target = Path(entries) if entries else curation.ENTRIES_DIR
    if Path(file).suffix.lower() in TERMBASE_SUFFIXES:
        return import_termbase(Path(file), target, sources, seeds, dry_run)
    if dry_run:
        raise UserError("--dry-run is for TBX, CSV and TSV termbases")
    seeds_dir = Path(seeds) if seeds else curation.find_seeds()
    if seeds_dir is None:
        click.echo("note: source articles not found; quotes were not checked verbatim (use --seeds)", err=True)
    try:
        written = exchange.import_entries(
            Path(file), target, replace=replace, sources_file=Path(sources) if sources else None, seeds=seeds_dir
        )
    except exchange.ImportProblem as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot import into {target}: {exc.strerror or exc}") from None
    click.echo(f"wrote {len(written)} entries to {target}")


TERMBASE_SUFFIXES = (".tbx", ".xml", ".csv", ".tsv", ".tab", ".txt")


def import_as_revisions(file: Path, user: str, replace: bool, db: str) -> None:
    """A team server's import: through the editors' door (editing.py), as revisions, all or nothing."""
    from glossary import accounts, exchange
    from glossary.editdb import connect, has_editing
    from glossary.editing import EditError, Editor, Invalid

    open_glossary(db)
    if not has_editing(db):
        raise UserError(f"{db} has no accounts: add one with `glossary user add` first")
    with connect(db) as conn:
        found = accounts.user(conn, user)
    if found is None or not accounts.may(found["role"], "editor"):
        raise UserError(f"{user!r} is not an editor or admin of {db}")
    try:
        data = exchange.read_import(file)
        items = data.get("entries") if isinstance(data, dict) else data
        saved = Editor(db).import_entries(items, user, replace)
    except exchange.ImportProblem as exc:
        raise UserError(str(exc)) from None
    except Invalid as invalid:
        for message in invalid.messages:
            click.echo(message, err=True)
        raise UserError(f"import refused, {len(invalid.messages)} problem(s); nothing written") from None
    except EditError as exc:
        raise UserError(f"import refused: {exc}; nothing written") from None
    click.echo(f"imported {len(saved)} entries into {db} as revisions by {user}")


def import_termbase(file: Path, target: Path, sources: str | None, seeds: str | None, dry_run: bool) -> None:
    from glossary import curation, exchange
    from glossary.formats import termbase

    finish_killed_import(str(target))
    try:
        result = termbase.plan(termbase.read(file), target)
    except exchange.ImportProblem as exc:
        raise UserError(str(exc)) from None
    click.echo(result.report())
    if dry_run:
        click.echo("dry run: nothing written", err=True)
        return
    seeds_dir = Path(seeds) if seeds else curation.find_seeds()
    try:
        written = termbase.apply(result, target, Path(sources) if sources else None, seeds_dir)
    except exchange.ImportProblem as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot import into {target}: {exc.strerror or exc}") from None
    click.echo(f"wrote {len(written)} entries to {target}")


from glossary.qa_cli import qa as _qa  # noqa: E402 - the command needs the helpers above

cli.add_command(_qa)

from glossary.corpus_cli import corpus as _corpus  # noqa: E402 - the commands need the helpers above
from glossary.corpus_cli import discover as _discover  # noqa: E402
from glossary.corpus_cli import kwic as _kwic  # noqa: E402
from glossary.corpus_cli import timeline as _timeline  # noqa: E402

for _command in (_corpus, _timeline, _kwic, _discover):
    cli.add_command(_command)

from glossary.edit_cli import token as _token  # noqa: E402
from glossary.edit_cli import user as _user  # noqa: E402

cli.add_command(_user)
cli.add_command(_token)


def main():
    try:
        cli(prog_name="glossary")
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
