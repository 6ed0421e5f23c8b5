"""`glossary qa`: terminology QA of a zh→en bilingual file (registered on the `glossary` group in cli.py).

Exit status: 0 when the check ran (findings or not), 1 on a user error (one line, no traceback), 2 on a
usage error, 3 with --fail-on-findings when there are findings.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from glossary.cli import DB_OPTION, UserError, open_glossary

PROGRESS_FROM = 200  # segments: below this a bar only flickers


@click.command(name="qa")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--source",
    "source_file",
    type=click.Path(dir_okay=False),
    help="Chinese text file, line-aligned with --target (instead of FILE).",
)
@click.option("--target", "target_file", type=click.Path(dir_okay=False), help="English text file, line-aligned.")
@click.option(
    "--input-format",
    type=click.Choice(["xliff", "tmx", "tsv", "csv", "jsonl", "docx"]),
    help="The format of FILE (default: from its name, else its content).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "html", "waivers"]),
    default="text",
    show_default=True,
    help="Report format; 'waivers' writes a --waive file accepting every finding.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here (default: stdout).")
@click.option(
    "--waive",
    "waive_file",
    type=click.Path(dir_okay=False),
    help="Waiver file: lines 'ENTRY-ID', 'ENTRY-ID SEGMENT' or '* SEGMENT' (SEGMENT: unit id or #N).",
)
@click.option("--ambiguous", is_flag=True, help="Also report forms that are ordinary words too (浪潮 “wave”).")
@click.option(
    "--region",
    type=click.Choice(["prc", "tw", "hk", "mo"]),
    help="The source text's region (default: guessed from the text).",
)
@click.option("--show-ok", is_flag=True, help="Text format: also list accepted terms and what was matched.")
@click.option("--all-terms", is_flag=True, help="CSV format: a row for every term checked, not only findings.")
@click.option("--site", default="", help="HTML format: the glossary site's address, for links to the entries.")
@click.option("--fail-on-findings", is_flag=True, help="Exit with status 3 when there are findings (for CI).")
@DB_OPTION
def qa(
    file,
    source_file,
    target_file,
    input_format,
    fmt,
    output,
    waive_file,
    ambiguous,
    region,
    show_ok,
    all_terms,
    site,
    fail_on_findings,
    db,
):
    """Check a Chinese→English translation against the glossary, segment by segment.

    Reads XLIFF 1.2/2.x, TMX, TSV/CSV (zh, en columns), JSON Lines ({"zh": …, "en": …}), bilingual
    DOCX tables, or two line-aligned text files. Reports every glossary term in a Chinese segment whose
    English has no acceptable rendering (missing) or a deprecated or forbidden one.

    \b
    Examples:
      glossary qa job.mqxliff
      glossary qa --source zh.txt --target en.txt --format html -o qa.html
      glossary qa memory.tmx --format json --fail-on-findings
      glossary qa job.xlf --format waivers > accepted.txt; glossary qa job.xlf --waive accepted.txt
    """
    from glossary import formats
    from glossary import qa as qa_core

    if file and (source_file or target_file):
        raise UserError("give a bilingual FILE or --source and --target, not both")
    if not file and not (source_file and target_file):
        raise UserError("nothing to check: give a bilingual FILE, or both --source zh.txt and --target en.txt")
    try:
        segments = formats.read_file(file, input_format) if file else formats.read_pair(source_file, target_file)
    except formats.BilingualError as exc:
        raise UserError(str(exc)) from None
    waivers = None
    if waive_file:
        try:
            waivers = qa_core.Waivers.parse(Path(waive_file).read_text(encoding="utf-8-sig"), waive_file)
        except OSError as exc:
            raise UserError(f"cannot read {waive_file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UserError(f"{waive_file}: not UTF-8 text") from None
        except qa_core.WaiverError as exc:
            raise UserError(str(exc)) from None
    glossary = open_glossary(db)
    checker = qa_core.Checker(glossary, region=region, ambiguous=ambiguous, waivers=waivers)
    if len(segments) >= PROGRESS_FROM and sys.stderr.isatty():
        with click.progressbar(length=len(segments), label="Checking", file=sys.stderr) as bar:
            report = checker.run(segments, bar.update)
    else:
        report = checker.run(segments)
    base = site.rstrip("/")
    rendered = {
        "text": lambda: qa_core.to_text(report, show_ok),
        "json": lambda: qa_core.to_json(report) + "\n",
        "csv": lambda: qa_core.to_csv(report, all_terms),
        "html": lambda: qa_core.to_html(
            report, f"Terminology QA: {Path(file or source_file).name}", lambda entry_id: f"{base}/terms/{entry_id}"
        ),
        "waivers": lambda: qa_core.to_waivers(report),
    }[fmt]()
    if output:
        try:
            Path(output).write_text(rendered, encoding="utf-8", newline="")
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
        click.echo(qa_core.summary_line(report), err=True)
    else:
        click.echo(rendered, nl=False)
    if fail_on_findings and report.findings:
        click.get_current_context().exit(3)
