"""Import and export: the whole glossary as JSON/YAML/CSV/TSV/TBX, a document's term list as CSV or
TBX-Basic (for memoQ, Trados and OmegaT), and entries imported back into curated YAML files."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path, PurePath

from glossary.model import ID_MAX_LENGTH, Entry, Problem, valid_id

TERM_COLUMNS = ["zh", "zh_hant", "pinyin", "en", "kind", "id", "count", "other_renderings"]
BOM_FORMATS = {"csv"}  # Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell that starts so (OWASP)
MAX_IMPORT_BYTES = 50 * 1024 * 1024  # ~40,000 entries of today's size; a bigger file is refused unread


class ImportProblem(Exception):
    """An import that was refused; nothing was written. `problems` lists what `check` found."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


def entry_yaml(item: dict) -> str:
    """An imported entry as a curated file: its fields in reading order, empty ones left out, the id
    left to the file name. The data is written as given, not rebuilt as an Entry first, so that
    parse_entry judges it exactly as `glossary check` judges a file (unknown fields, wrong types)."""
    import yaml

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v not in (None, "", [], ())}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    data = {k: v for k, v in item.items() if k != "id" and not (k == "zh_attested" and v is True)}
    order = [f.name for f in fields(Entry)]
    data = {k: data[k] for k in sorted(data, key=lambda k: order.index(k) if k in order else len(order))}
    return yaml.safe_dump(clean(data), allow_unicode=True, sort_keys=False, width=100)


def curated_dict(entry: Entry) -> dict:
    """An entry in the curated files' schema (what `import` and `glossary check` read back)."""
    data = entry.to_dict()
    if data.pop("ordinary_dominates"):
        data["ambiguous"] = {"ordinary": data["ambiguous"], "dominant": True}
    for rendering in data["renderings"]:
        rendering["from"], rendering["until"] = rendering.pop("from_year"), rendering.pop("until_year")
    return data


def export(store, fmt: str, base_url: str | None = None) -> str:
    entries = store.all_entries()
    sources = [s.to_dict() for s in store.sources()]
    if fmt == "json":
        return (
            json.dumps(
                {"entries": [curated_dict(e) for e in entries], "sources": sources}, ensure_ascii=False, indent=2
            )
            + "\n"
        )
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(
            {"entries": [curated_dict(e) for e in entries], "sources": sources},
            allow_unicode=True,
            sort_keys=False,
            width=100,
        )
    hant = {s["id"]: s["zh_hant"] for s in store.summaries()}  # curated or derived traditional form
    rows = [{**_term_row(e.to_dict()), "zh_hant": hant[e.id]} for e in entries]
    if fmt in ("csv", "tsv"):
        return terms_csv(rows, "\t" if fmt == "tsv" else ",")
    if fmt == "tbx":  # every surface form, status, note, region and pinyin (glossary/formats/tbx.py)
        from glossary.formats import DEFAULT_BASE_URL, terms
        from glossary.formats.tbx import document

        return document(terms(store), base_url or DEFAULT_BASE_URL)
    raise ValueError(f"unknown export format {fmt!r}")


def as_file(body: str, fmt: str) -> str:
    """An export as a file, the one rule for the CLI and the web downloads: CSV starts with the
    byte-order mark (BOM_FORMATS)."""
    return "\ufeff" + body if fmt in BOM_FORMATS else body


def _term_row(entry: dict) -> dict:
    return {**entry, "other_renderings": [r["en"] for r in entry.get("renderings", ())]}


def terms_csv(rows: list[dict], delimiter: str = ",") -> str:
    """One row per term; a document's term list carries counts.

    A cell that starts like a formula gets a leading apostrophe, so that a spreadsheet shows it
    as text rather than running it (`=HYPERLINK(...)`); rows end in CRLF (RFC 4180), which also
    makes the writer quote a cell holding a carriage return instead of letting it split the row.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(TERM_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    row.get("zh"),
                    row.get("zh_hant") or "",
                    row.get("pinyin"),
                    row.get("en"),
                    row.get("kind"),
                    row.get("id"),
                    row.get("count", ""),
                    "; ".join(row.get("other_renderings") or ()),
                )
            ]
        )
    return out.getvalue()


def _cell(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def import_entries(
    file: Path,
    entries_dir: Path,
    replace: bool = False,
    sources_file: Path | None = None,
    seeds: Path | None = None,
    data=None,
) -> list[Path]:
    """Write the entries of a JSON/YAML export as curated YAML files, all or nothing.

    The entries folder as it would be after the import is checked exactly as `glossary check`
    checks it (curation.load: parse_entry for every file, then forms, related ids, sources, and
    quotes verbatim in their articles: `seeds`, else found as `check` finds them) before anything
    is written.

    The guarantee: when this returns, every imported file is in place; when it raises, or the
    process is killed, the entries folder is as it was (once `recover` has run, which the next
    import does first). Files are staged and checked in a folder beside the entries folder (same
    file system), then moved in one by one with os.replace, which is atomic per file, so no file
    is ever half written; a journal of the moves lets a failure midway be undone, on the spot or
    by `recover` after a kill. Power loss is not covered: nothing is fsynced.
    """
    from glossary import curation

    file, entries_dir = Path(file), Path(entries_dir)
    folder = entries_dir.resolve()
    if not folder.parent.is_dir():
        raise ImportProblem(f"cannot import into {entries_dir}: {folder.parent} is not a folder")
    with _import_lock(entries_dir):
        _recover(folder)  # first, so that any import, even one refused, cleans up after a killed one
        if data is None:  # else already read (a termbase converted by glossary.formats.termbase), named by `file`
            data = read_import(file)
        items = data.get("entries") if isinstance(data, dict) else data
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ImportProblem(f"{file} holds no list of entries")
        targets: dict[str, Path] = {}
        for item in items:
            path = entry_path(entries_dir, item.get("id"))
            if item["id"] in targets:
                raise ImportProblem(f"{file} has a duplicate id {item['id']!r}: each entry once")
            targets[item["id"]] = path
        existing = [i for i, path in targets.items() if path.exists() or path.is_symlink()]
        if existing and not replace:
            raise ImportProblem(f"{len(existing)} entries exist already (e.g. {existing[0]}); use --replace")
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.import-", dir=folder.parent))
        staged = staging / "entries"
        try:
            staged.mkdir()
            for path in sorted(folder.glob("*.yaml")):
                shutil.copyfile(path, staged / path.name)
            try:
                for item in items:
                    entry_path(staged, item["id"]).write_text(entry_yaml(item), encoding="utf-8")
            except RecursionError:
                raise ImportProblem(f"{file} nests its data too deeply to be a glossary export") from None
            checked = curation.load(staged, sources_file or curation.SOURCES_FILE, seeds or curation.find_seeds())
            if checked.problems:
                problems = [_where(p, staged, entries_dir, file, targets) for p in checked.problems]
                raise ImportProblem(f"import refused, {len(problems)} problem(s): {problems[0]}", problems)
            _move_in(staging, folder, list(targets))
        except OSError as exc:
            if (staging / JOURNAL).exists():
                raise ImportProblem(
                    f"import into {entries_dir} failed midway and could not be undone "
                    f"({exc.strerror or exc}); any import, run again, undoes it first"
                ) from None
            raise ImportProblem(f"import failed, nothing written to {entries_dir}: {exc.strerror or exc}") from None
        finally:
            if not (staging / JOURNAL).exists():  # else an undo failed midway: `recover` finishes it
                shutil.rmtree(staging, ignore_errors=True)
    return list(targets.values())


JOURNAL = "journal.json"


def _move_in(staging: Path, folder: Path, ids: list[str]) -> None:
    """Move the staged files of `ids` into `folder`, all or none (see import_entries).

    Before the first move, the files about to be replaced are copied to staging/backup and a
    journal names every move; the journal is removed after the last one: that is the commit.
    """
    created = not folder.is_dir()
    folder.mkdir(exist_ok=True)
    (staging / "backup").mkdir()
    replaced = [i for i in ids if (folder / f"{i}.yaml").exists()]
    for entry_id in replaced:
        shutil.copy2(folder / f"{entry_id}.yaml", staging / "backup" / f"{entry_id}.yaml")
    journal = {"ids": ids, "replaced": replaced, "created_folder": created}
    (staging / JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
    try:
        for entry_id in ids:
            os.replace(staging / "entries" / f"{entry_id}.yaml", folder / f"{entry_id}.yaml")
    except BaseException:
        _undo(staging, folder)
        raise
    (staging / JOURNAL).unlink()


def _undo(staging: Path, folder: Path) -> None:
    """Put back what the journal in `staging` says was (or may have been) moved into `folder`."""
    journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    replaced = set(journal["replaced"])
    for entry_id in journal["ids"]:
        target = entry_path(folder, entry_id)  # the journal is a file like any other: ids checked again
        backup = staging / "backup" / target.name
        if entry_id not in replaced:
            target.unlink(missing_ok=True)
        elif backup.exists():
            os.replace(backup, target)
    if journal["created_folder"] and not any(folder.iterdir()):
        folder.rmdir()
    (staging / JOURNAL).unlink()


def recover(entries_dir: Path) -> None:
    """Undo an import into `entries_dir` that was killed while moving its files in, and remove
    the staging folders that killed imports left beside it. Every import does this first."""
    with _import_lock(entries_dir):
        _recover(Path(entries_dir).resolve())


def _recover(folder: Path) -> None:
    for staging in folder.parent.glob(f".{folder.name}.import-*"):
        if (staging / JOURNAL).is_file():
            _undo(staging, folder)
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _import_lock(entries_dir: Path):
    """One import at a time into a folder (threads and processes alike): an exclusive flock on the
    folder that holds it, released by the system when the holder dies, so a killed import never
    leaves a lock behind. Where flock does not exist (Windows), imports are not serialised."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(Path(entries_dir).resolve().parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportProblem(f"another import into {entries_dir} is under way; try again when it is done") from None
        yield
    finally:
        os.close(fd)


def _where(problem: Problem, staged: Path, entries_dir: Path, file: Path, imported) -> Problem:
    """A problem found in the staged folder, told as the user knows it: an imported entry by the
    import file and id (its staged file and lines are ours), any other by its path in the real folder."""
    message = problem.message.replace(str(staged), str(entries_dir))
    path = Path(problem.file)
    if path.parent == staged and path.stem in imported:
        return Problem(f"{file}, entry {path.stem!r}", None, message)
    return Problem(problem.file.replace(str(staged), str(entries_dir)), problem.line, message)


def read_import(file: Path):
    """The data of a JSON or YAML export, read with bounds: at most MAX_IMPORT_BYTES, and YAML
    without anchors or aliases (a few hundred bytes of nested aliases expand to gigabytes, and
    no export of ours writes them)."""
    try:
        with open(file, "rb") as f:
            raw = f.read(MAX_IMPORT_BYTES + 1)  # never more, whatever the file claims (or /dev/zero)
    except OSError as exc:
        raise ImportProblem(f"cannot read {file}: {exc.strerror or exc}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportProblem(f"{file} is larger than the limit of {MAX_IMPORT_BYTES // 2**20} MB; split it")
    return parse_import(raw, file)


def parse_import(raw: bytes, file: PurePath):
    """The data of an export's bytes; `file` names it in messages and its suffix picks JSON or YAML."""
    import yaml

    try:
        text = raw.decode("utf-8-sig")
        if file.suffix.lower() == ".json":
            return json.loads(text)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same rules, faster
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise ImportProblem(f"{file}:{line}: YAML anchors and aliases (& and *) are not accepted in an import")
        return yaml.load(text, Loader=loader)  # a safe loader, chosen above
    except (UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
        reason = str(exc).replace("\n", " ")
        raise ImportProblem(f"{file} is not a JSON or YAML export: {reason}") from None


def entry_path(folder: Path, entry_id) -> Path:
    """The file of an entry in `folder`, refusing any id that could name a file elsewhere.

    An id becomes a file name, so it must be a slug (model.ID_PATTERN, whole string: `$` alone
    would let a trailing newline through) of a sane length; and the path must still resolve
    inside the folder, which also refuses an existing symlink that points out of it.
    """
    if not isinstance(entry_id, str) or not valid_id(entry_id):
        shown = entry_id if not isinstance(entry_id, str) or len(entry_id) <= 60 else entry_id[:60] + "…"
        raise ImportProblem(
            f"entry id {shown!r} is not a valid id (lower-case ASCII words joined by '-', "
            f"at most {ID_MAX_LENGTH} characters)"
        )
    path = Path(folder) / f"{entry_id}.yaml"
    if path.resolve().parent != Path(folder).resolve():
        raise ImportProblem(f"entry id {entry_id!r} names a file outside {folder} (a symlink?)")
    return path
