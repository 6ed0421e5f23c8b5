"""Edits on a team server: revisions, review status, proposals, comments, and the merge of
concurrent edits, all through one validating door.

The database is the source of truth once editing is on: the curated YAML is the upstream, imported
as revision 1 of each entry; every change is a new revision holding the whole entry before and after,
who, when and why. An edit names the revision it was based on: if someone else changed the entry
since, the fields only one side changed merge, and a field both changed differently is refused
(`Conflict`, shown as 409 and a merge view). A new upstream release never overwrites a local edit:
both are kept and the entry waits in the review queue as a conflict.

Derived data (the entries table the pages read, forms, automaton, cards) follows the revisions
through build.apply_entries, inside the edit's own transaction: an edit and what the annotator reads
of it are committed together, or not at all.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from glossary.accounts import now
from glossary.editdb import connect, ensure_schema, write
from glossary.model import Entry, Problem, parse_entry, valid_id

STATUSES = ("draft", "checked", "approved")
UPSTREAM_USER = "upstream"  # the author of revisions that come from the curated YAML
MAX_COMMENT = 2000


class EditError(Exception):
    """A refused edit; `status` is the HTTP status that says why."""

    status = 400


class NotFound(EditError):
    status = 404


class Invalid(EditError):
    """The entry would not pass `glossary check`: every message, not just the first."""

    status = 422

    def __init__(self, messages: list[str]):
        super().__init__(messages[0] if messages else "invalid entry")
        self.messages = messages


class Conflict(EditError):
    """A stale edit changed fields that someone else changed differently since its base revision."""

    status = 409

    def __init__(self, entry_id: str, fields: list[str], current: dict | None, revision: int, mine: dict):
        super().__init__(f"{entry_id} changed since your base revision: {', '.join(fields)} edited by someone else")
        self.entry_id, self.fields, self.current, self.revision, self.mine = entry_id, fields, current, revision, mine


@dataclass(frozen=True)
class Saved:
    entry_id: str
    revision: int
    merged: bool  # True when fields changed by someone else since the base were kept alongside


def _json(data: dict | None) -> str | None:
    return None if data is None else json.dumps(data, ensure_ascii=False, sort_keys=True)


def _load(text: str | None) -> dict | None:
    return None if text is None else json.loads(text)


def normal(entry: Entry) -> dict:
    """An entry as the curated files' schema with every field present: what revisions store, what
    the merge compares field by field, and what `export --format yaml` writes."""
    from glossary.exchange import curated_dict

    return json.loads(json.dumps(curated_dict(entry), ensure_ascii=False))  # tuples become lists, as stored


class Editor:
    """The editorial side of one database. Each call opens its own connection and closes it."""

    def __init__(self, db_path: str | Path, seeds: Path | None = None):
        from glossary.paths import find_seeds

        self.db_path = Path(db_path)
        self.seeds = seeds if seeds is not None else find_seeds()
        self._texts: dict[str, str] | None = None

    # ------------------------------------------------------------ set-up and reading

    def enable(self) -> int:
        """Turn editing on: every entry of the built glossary becomes revision 1 (the upstream).
        Returns how many were imported (0 when editing was on already)."""
        from glossary.store import Store

        with Store(self.db_path) as store:
            entries = store.all_entries()
        with connect(self.db_path) as conn:
            ensure_schema(conn)
            with write(conn):
                if conn.execute("SELECT 1 FROM edit_state LIMIT 1").fetchone():
                    return 0
                at = now()
                for entry in entries:
                    data = _json(normal(entry))
                    conn.execute(
                        "INSERT INTO edit_revisions (entry_id, number, user, at, action, comment, before, after) "
                        "VALUES (?, 1, ?, ?, 'import', 'imported from the curated YAML', NULL, ?)",
                        (entry.id, UPSTREAM_USER, at, data),
                    )
                    conn.execute(
                        "INSERT INTO edit_state (entry_id, revision, status, status_by, edited_by, upstream, local, "
                        "refreshed) VALUES (?, 1, 'approved', ?, ?, ?, 0, 1)",
                        (entry.id, UPSTREAM_USER, UPSTREAM_USER, data),
                    )
        return len(entries)

    def current(self, entry_id: str) -> tuple[dict | None, int, dict]:
        """(the entry as it is now or None if deleted, its revision, its editorial state)."""
        with connect(self.db_path) as conn:
            return self._current(conn, entry_id)

    @staticmethod
    def _current(conn: sqlite3.Connection, entry_id: str) -> tuple[dict | None, int, dict]:
        state = conn.execute("SELECT * FROM edit_state WHERE entry_id = ?", (entry_id,)).fetchone()
        if state is None:
            raise NotFound(f"no entry with id {entry_id!r}")
        row = conn.execute(
            "SELECT after FROM edit_revisions WHERE entry_id = ? AND number = ?", (entry_id, state["revision"])
        ).fetchone()
        return _load(row["after"]), state["revision"], dict(state)

    def state(self, entry_id: str) -> dict | None:
        with connect(self.db_path) as conn:
            ensure_schema(conn)
            row = conn.execute("SELECT * FROM edit_state WHERE entry_id = ?", (entry_id,)).fetchone()
            return dict(row) if row else None

    def history(self, entry_id: str) -> list[dict]:
        """Every revision of an entry, newest first, without the entry data."""
        with connect(self.db_path) as conn:
            rows = conn.execute(
                "SELECT number, user, at, action, comment FROM edit_revisions WHERE entry_id = ? ORDER BY number DESC",
                (entry_id,),
            ).fetchall()
        if not rows:
            raise NotFound(f"no entry with id {entry_id!r}")
        return [dict(r) for r in rows]

    def revision(self, entry_id: str, number: int) -> dict:
        with connect(self.db_path) as conn:
            row = conn.execute(
                "SELECT * FROM edit_revisions WHERE entry_id = ? AND number = ?", (entry_id, number)
            ).fetchone()
        if row is None:
            raise NotFound(f"{entry_id} has no revision {number}")
        return {**dict(row), "before": _load(row["before"]), "after": _load(row["after"])}

    def recent(self, limit: int = 50) -> list[dict]:
        """The latest changes across the glossary (imports of the upstream left out)."""
        with connect(self.db_path) as conn:
            ensure_schema(conn)
            rows = conn.execute(
                "SELECT entry_id, number, user, at, action, comment, after FROM edit_revisions "
                "WHERE action != 'import' ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        out = []
        for r in rows:
            after = _load(r["after"]) or {}
            out.append({**{k: r[k] for k in r.keys() if k != "after"}, "zh": after.get("zh"), "en": after.get("en")})
        return out

    def statuses(self) -> dict[str, str]:
        """Each entry's review status (draft | checked | approved), for filters on exports and the annotator."""
        with connect(self.db_path) as conn:
            ensure_schema(conn)
            return {r[0]: r[1] for r in conn.execute("SELECT entry_id, status FROM edit_state")}

    def current_entries(self, approved_only: bool = False) -> list[dict]:
        """Every entry as it is now (deleted ones left out), by id."""
        sql = (
            "SELECT r.after FROM edit_state s "
            "JOIN edit_revisions r ON r.entry_id = s.entry_id AND r.number = s.revision WHERE r.after IS NOT NULL"
            + (" AND s.status = 'approved'" if approved_only else "")
            + " ORDER BY s.entry_id"
        )
        with connect(self.db_path) as conn:
            return [json.loads(r[0]) for r in conn.execute(sql)]

    # ------------------------------------------------------------ the validating door

    def validate(self, data: dict) -> dict:
        """The entry `data` (curated schema) as `glossary check` would judge it, with every problem
        in `Invalid`; returns it normalised. Its forms must not be another entry's."""
        from glossary import curation
        from glossary.store import Store

        entry_id = data.get("id")
        if not isinstance(entry_id, str) or not valid_id(entry_id):
            raise Invalid([f"id {entry_id!r} is not a valid id (lower-case ASCII words joined by '-')"])
        entry = _parse(data)
        forms = sorted({form for form, _, _ in curation.surface_forms(entry)})
        owner: dict[str, list[tuple[str, str | None]]] = {}
        with Store(self.db_path) as store:  # read-only: this may run while an edit holds the write lock
            sources = store.sources()
            known = {r[0] for r in store.query("SELECT id FROM entries")}
            if store.query("SELECT 1 FROM sqlite_master WHERE name = 'edit_state'"):
                known |= {r[0] for r in store.query("SELECT entry_id FROM edit_state")}
            marks = ",".join("?" * len(forms))
            sql = f"SELECT form, entry_id, region FROM forms WHERE form IN ({marks}) AND entry_id != ?"
            for row in store.query(sql, (*forms, entry.id)):
                owner.setdefault(row["form"], []).append((row["entry_id"], row["region"]))
            ordinary = json.loads(store.meta.get("ordinary_words") or "null")
        if ordinary is None:
            ordinary = curation.ordinary_words(_sources_file(self.db_path))
        context = curation.Context(
            owner, known, {s.id for s in sources}, set(ordinary), self._article_texts(sources), {}
        )
        problems: list[Problem] = []
        curation.check_entry(entry, entry.id, {}, context, problems, [])
        if problems:
            raise Invalid([p.message for p in problems])
        return normal(entry)

    def _article_texts(self, sources) -> dict[str, str]:
        from glossary import curation

        if self._texts is None:
            self._texts = curation.article_texts(sources, self.seeds) if self.seeds else {}
        return self._texts

    # ------------------------------------------------------------ writing

    def save(self, entry_id: str, data: dict, base: int, user: str, comment: str | None = None) -> Saved:
        """An edit of an existing entry from revision `base`: merged with what changed since, or
        refused with `Conflict` when a field both changed differently."""
        if data.get("id", entry_id) != entry_id:
            raise Invalid(["the id of an entry cannot change (it is its address); create a new entry instead"])
        mine = self.validate({**data, "id": entry_id})
        with connect(self.db_path) as conn, write(conn):
            current, revision, state = self._current(conn, entry_id)
            merged, fields = mine, list[str]()
            if base != revision:
                base_data = self._after(conn, entry_id, base)
                merged, fields = merge(base_data, mine, current)
                if fields:
                    raise Conflict(entry_id, fields, current, revision, mine)
                if merged != mine:
                    merged = self.validate(merged)  # two valid halves can make an invalid whole
            if merged == current:
                return Saved(entry_id, revision, False)
            number = self._add_revision(conn, entry_id, revision, user, "edit", comment, current, merged)
            self._after_edit(conn, entry_id, number, user, state)
            self._derive(conn, [entry_id])
        return Saved(entry_id, number, base != revision)

    def create(self, data: dict, user: str, comment: str | None = None, status: str = "draft") -> Saved:
        entry = self.validate(data)
        entry_id = entry["id"]
        with connect(self.db_path) as conn, write(conn):
            state = conn.execute("SELECT * FROM edit_state WHERE entry_id = ?", (entry_id,)).fetchone()
            if state is not None:
                current, revision, _ = self._current(conn, entry_id)
                if current is not None:
                    raise EditError(f"an entry with id {entry_id!r} exists already")
                number = self._add_revision(conn, entry_id, revision, user, "create", comment, None, entry)
                conn.execute(
                    "UPDATE edit_state SET revision = ?, status = ?, status_by = ?, edited_by = ?, local = 1 "
                    "WHERE entry_id = ?",
                    (number, status, user, user, entry_id),
                )
            else:
                number = self._add_revision(conn, entry_id, 0, user, "create", comment, None, entry)
                conn.execute(
                    "INSERT INTO edit_state (entry_id, revision, status, status_by, edited_by, upstream, local, "
                    "refreshed) VALUES (?, ?, ?, ?, ?, NULL, 1, 0)",
                    (entry_id, number, status, user, user),
                )
            self._derive(conn, [entry_id])
        return Saved(entry_id, number, False)

    def restore(self, entry_id: str, number: int, user: str, comment: str | None = None) -> Saved:
        """A new revision whose entry is that of revision `number` (history is never rewritten)."""
        old = self.revision(entry_id, number)["after"]
        if old is not None:
            self.validate(old)
        with connect(self.db_path) as conn, write(conn):
            current, revision, state = self._current(conn, entry_id)
            if old == current:
                return Saved(entry_id, revision, False)
            new = self._add_revision(
                conn, entry_id, revision, user, "restore", comment or f"restored revision {number}", current, old
            )
            self._after_edit(conn, entry_id, new, user, state)
            self._derive(conn, [entry_id])
        return Saved(entry_id, new, False)

    def set_status(self, entry_id: str, status: str, user: str) -> None:
        if status not in STATUSES:
            raise EditError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        with connect(self.db_path) as conn, write(conn):
            self._current(conn, entry_id)
            conn.execute("UPDATE edit_state SET status = ?, status_by = ? WHERE entry_id = ?", (status, user, entry_id))

    @staticmethod
    def _after(conn: sqlite3.Connection, entry_id: str, number: int) -> dict | None:
        row = conn.execute(
            "SELECT after FROM edit_revisions WHERE entry_id = ? AND number = ?", (entry_id, number)
        ).fetchone()
        if row is None:
            raise EditError(f"{entry_id} has no revision {number} to base an edit on")
        return _load(row["after"])

    @staticmethod
    def _add_revision(conn, entry_id, previous, user, action, comment, before, after) -> int:
        number = previous + 1
        conn.execute(
            "INSERT INTO edit_revisions (entry_id, number, user, at, action, comment, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entry_id, number, user, now(), action, (comment or "")[:MAX_COMMENT] or None, _json(before), _json(after)),
        )
        return number

    @staticmethod
    def _after_edit(conn, entry_id: str, number: int, user: str, state: dict) -> None:
        """An edit by someone other than the one who checked or approved the entry puts it back to draft."""
        status = state["status"] if state["status_by"] == user else "draft"
        conn.execute(
            "UPDATE edit_state SET revision = ?, edited_by = ?, local = 1, status = ?, status_by = ? "
            "WHERE entry_id = ?",
            (number, user, status, user, entry_id),
        )

    def import_entries(self, items, user: str, replace: bool = False) -> list[Saved]:
        """Entries of an export written as revisions by `user`, all or nothing: every entry passes the
        door first (every problem reported, each with its id), then one transaction writes them."""
        checked, messages = self._check_import(items)
        if messages:
            raise Invalid(messages)
        saved = []
        with connect(self.db_path) as conn, write(conn):
            for data in checked:
                state = conn.execute("SELECT * FROM edit_state WHERE entry_id = ?", (data["id"],)).fetchone()
                current, revision = (self._current(conn, data["id"])[:2]) if state else (None, 0)
                if current is not None and not replace:
                    raise EditError(f"{data['id']} exists already; import with --replace to make a new revision of it")
                if current == data:
                    continue
                number = self._add_revision(conn, data["id"], revision, user, "import", "imported", current, data)
                if state:
                    self._after_edit(conn, data["id"], number, user, dict(state))
                else:
                    conn.execute(
                        "INSERT INTO edit_state (entry_id, revision, status, status_by, edited_by, local) "
                        "VALUES (?, ?, 'draft', ?, ?, 1)",
                        (data["id"], number, user, user),
                    )
                saved.append(Saved(data["id"], number, False))
            self._derive(conn, [s.entry_id for s in saved])
        return saved

    def _check_import(self, items) -> tuple[list[dict], list[str]]:
        """The entries of an import that pass the door, and every problem of those that do not."""
        from glossary.curation import surface_forms

        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise EditError("the file holds no list of entries")
        checked: list[dict] = []
        messages: list[str] = []
        owners: dict[str, str] = {}
        for item in items:
            try:
                data = self.validate(item)
            except Invalid as invalid:
                messages += [f"{item.get('id')}: {m}" for m in invalid.messages]
                continue
            for form, _, _ in surface_forms(_parse(data)):
                if owners.setdefault(form, data["id"]) != data["id"]:
                    messages.append(f"{data['id']}: surface form {form!r} is also a form of {owners[form]}")
            checked.append(data)
        if len({d["id"] for d in checked}) != len(checked):
            messages.append("an id is imported twice")
        return checked, messages

    def preview_import(self, items, replace: bool = False) -> dict:
        """What import_entries would do, writing nothing: ids to add, to change (with the fields that
        change), unchanged, in conflict (exist already, differ, and `replace` is off), and every problem."""
        checked, messages = self._check_import(items)
        result: dict = {"added": [], "changed": [], "unchanged": [], "conflicts": [], "messages": messages}
        with connect(self.db_path) as conn:
            for data in checked:
                state = conn.execute("SELECT 1 FROM edit_state WHERE entry_id = ?", (data["id"],)).fetchone()
                current = self._current(conn, data["id"])[0] if state else None
                if current is None:
                    result["added"].append(data["id"])
                elif current == data:
                    result["unchanged"].append(data["id"])
                else:
                    fields = [change["field"] for change in diff(current, data)]
                    result["changed" if replace else "conflicts"].append((data["id"], fields))
        return result

    # ------------------------------------------------------------ proposals and comments

    def propose(self, data: dict, user: str, base: int | None, comment: str | None = None) -> int:
        """A contributor's new entry (base None) or change (base: the revision it was made from)."""
        entry = self.validate(data)
        with connect(self.db_path) as conn, write(conn):
            exists = conn.execute("SELECT revision FROM edit_state WHERE entry_id = ?", (entry["id"],)).fetchone()
            if base is None and exists is not None and self._current(conn, entry["id"])[0] is not None:
                raise EditError(f"an entry with id {entry['id']!r} exists already: propose a change to it")
            if base is not None and exists is None:
                raise NotFound(f"no entry with id {entry['id']!r}")
            cursor = conn.execute(
                "INSERT INTO edit_proposals (entry_id, base_revision, user, at, data, comment) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (entry["id"], base, user, now(), _json(entry), (comment or "")[:MAX_COMMENT] or None),
            )
            return int(cursor.lastrowid or 0)

    def proposals(self, state: str = "open") -> list[dict]:
        with connect(self.db_path) as conn:
            ensure_schema(conn)
            rows = conn.execute("SELECT * FROM edit_proposals WHERE state = ? ORDER BY id", (state,)).fetchall()
        return [{**dict(r), "data": _load(r["data"])} for r in rows]

    def proposal(self, number: int) -> dict:
        with connect(self.db_path) as conn:
            row = conn.execute("SELECT * FROM edit_proposals WHERE id = ?", (number,)).fetchone()
        if row is None:
            raise NotFound(f"no proposal {number}")
        return {**dict(row), "data": _load(row["data"])}

    def approve(self, number: int, reviewer: str) -> Saved:
        """Apply a proposal as its author's revision (merged like any stale edit), approved by `reviewer`."""
        proposal = self._open_proposal(number)
        comment = f"proposal #{number}" + (f": {proposal['comment']}" if proposal["comment"] else "")
        if proposal["base_revision"] is None:
            saved = self.create(proposal["data"], proposal["user"], comment, status="approved")
        else:
            base, author = proposal["base_revision"], proposal["user"]
            saved = self.save(proposal["entry_id"], proposal["data"], base, author, comment)
        with connect(self.db_path) as conn, write(conn):
            conn.execute(
                "UPDATE edit_proposals SET state = 'approved', reviewer = ?, decided_at = ? WHERE id = ?",
                (reviewer, now(), number),
            )
            conn.execute(
                "UPDATE edit_state SET status = 'approved', status_by = ? WHERE entry_id = ?",
                (reviewer, proposal["entry_id"]),
            )
        return saved

    def reject(self, number: int, reviewer: str, reason: str) -> None:
        if not reason.strip():
            raise EditError("say why the proposal is rejected")
        self._open_proposal(number)
        with connect(self.db_path) as conn, write(conn):
            conn.execute(
                "UPDATE edit_proposals SET state = 'rejected', reviewer = ?, reason = ?, decided_at = ? WHERE id = ?",
                (reviewer, reason.strip()[:MAX_COMMENT], now(), number),
            )

    def _open_proposal(self, number: int) -> dict:
        proposal = self.proposal(number)
        if proposal["state"] != "open":
            raise EditError(f"proposal {number} was {proposal['state']} already")
        return proposal

    def comment(self, entry_id: str, user: str, body: str) -> None:
        body = body.strip()
        if not body:
            raise EditError("the comment is empty")
        with connect(self.db_path) as conn, write(conn):
            self._current(conn, entry_id)
            conn.execute(
                "INSERT INTO edit_comments (entry_id, user, at, body) VALUES (?, ?, ?, ?)",
                (entry_id, user, now(), body[:MAX_COMMENT]),
            )

    def comments(self, entry_id: str) -> list[dict]:
        with connect(self.db_path) as conn:
            ensure_schema(conn)
            rows = conn.execute("SELECT user, at, body FROM edit_comments WHERE entry_id = ? ORDER BY id", (entry_id,))
            return [dict(r) for r in rows]

    def queue(self) -> dict[str, list[dict]]:
        """What waits for a reviewer: open proposals, upstream conflicts, entries not yet approved."""
        with connect(self.db_path) as conn:
            ensure_schema(conn)
            conflicts = [dict(r) for r in conn.execute("SELECT * FROM edit_state WHERE conflict IS NOT NULL")]
            unreviewed = [
                dict(r)
                for r in conn.execute(
                    "SELECT s.entry_id, s.status, s.revision, s.edited_by, r.at, r.after FROM edit_state s "
                    "JOIN edit_revisions r ON r.entry_id = s.entry_id AND r.number = s.revision "
                    "WHERE s.status != 'approved' ORDER BY r.at DESC"
                )
            ]
        for row in unreviewed:
            after = _load(row.pop("after")) or {}
            row["zh"], row["en"] = after.get("zh"), after.get("en")
        return {"proposals": self.proposals(), "conflicts": conflicts, "unreviewed": unreviewed}

    # ------------------------------------------------------------ upstream

    def sync_upstream(self, entries_dir: Path, sources_file: Path) -> dict[str, int]:
        """Bring a new release of the curated YAML in without losing a local edit: an entry nobody
        edited here takes the new upstream as a revision; an edited one keeps its edit and is queued
        as a conflict holding the upstream version."""
        from glossary import curation
        from glossary.model import CurationError

        curated = curation.load(entries_dir, sources_file, None)
        if curated.problems:
            raise CurationError(curated.problems)
        upstream = {e.id: normal(e) for e in curated.entries}
        counts = {"updated": 0, "added": 0, "removed": 0, "conflicts": 0}
        with connect(self.db_path) as conn, write(conn):
            _upstream_lists(conn, curated.sources, curation.ordinary_words(sources_file))
            states = {r["entry_id"]: dict(r) for r in conn.execute("SELECT * FROM edit_state")}
            for entry_id, data in upstream.items():
                state = states.get(entry_id)
                if state is None:
                    comment = "new upstream entry"
                    number = self._add_revision(conn, entry_id, 0, UPSTREAM_USER, "upstream", comment, None, data)
                    conn.execute(
                        "INSERT INTO edit_state (entry_id, revision, status, status_by, edited_by, upstream, local) "
                        "VALUES (?, ?, 'approved', ?, ?, ?, 0)",
                        (entry_id, number, UPSTREAM_USER, UPSTREAM_USER, _json(data)),
                    )
                    counts["added"] += 1
                elif _load(state["upstream"]) != data:
                    counts[self._upstream_change(conn, state, data)] += 1
            for entry_id, state in states.items():
                if entry_id not in upstream and state["upstream"] is not None:
                    counts[self._upstream_change(conn, state, None)] += 1
            self._derive(conn, self._pending(conn))
        return counts

    def _upstream_change(self, conn, state: dict, data: dict | None) -> str:
        entry_id = state["entry_id"]
        current, revision, _ = self._current(conn, entry_id)
        if not state["local"] or current == data:
            comment = "new upstream release"
            self._add_revision(conn, entry_id, revision, UPSTREAM_USER, "upstream", comment, current, data)
            conn.execute(
                "UPDATE edit_state SET revision = ?, upstream = ?, conflict = NULL WHERE entry_id = ?",
                (revision + 1, _json(data), entry_id),
            )
            return "updated" if data is not None else "removed"
        conn.execute(
            "UPDATE edit_state SET upstream = ?, conflict = ? WHERE entry_id = ?",
            (_json(data), json.dumps({"upstream": data, "at": now()}, ensure_ascii=False), entry_id),
        )
        return "conflicts"

    def resolve(self, entry_id: str, take: str, user: str) -> Saved | None:
        """Settle an upstream conflict: keep the local entry, or take the upstream one as a new revision."""
        state = self.state(entry_id)
        if state is None or state["conflict"] is None:
            raise EditError(f"{entry_id} has no upstream conflict")
        saved = None
        if take == "upstream":
            upstream = json.loads(state["conflict"])["upstream"]
            if upstream is None:
                raise EditError("upstream removed this entry; delete it locally or keep it")
            saved = self.save(entry_id, upstream, state["revision"], user, "took the upstream release")
        elif take != "local":
            raise EditError("take 'local' or 'upstream'")
        with connect(self.db_path) as conn, write(conn):
            conn.execute("UPDATE edit_state SET conflict = NULL WHERE entry_id = ?", (entry_id,))
        return saved

    # ------------------------------------------------------------ derived data

    def refresh(self) -> int:
        """Bring the derived data up to the latest revision of every entry (after a crash between an
        edit and its derived rows: at most the revision of a process killed mid-transaction, which
        SQLite rolled back whole, so in practice only databases written by older versions)."""
        with connect(self.db_path) as conn:
            ensure_schema(conn)
            if not self._pending(conn):
                return 0
            with write(conn):
                pending = self._pending(conn)
                self._derive(conn, pending)
        return len(pending)

    @staticmethod
    def _pending(conn) -> list[str]:
        from glossary.build import SCHEMA_VERSION

        row = conn.execute("SELECT value FROM _meta WHERE key = 'schema_version'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:  # derived tables of an older build: all of them again
            return [r[0] for r in conn.execute("SELECT entry_id FROM edit_state")]
        return [r[0] for r in conn.execute("SELECT entry_id FROM edit_state WHERE refreshed < revision")]

    def _derive(self, conn, ids: list[str]) -> None:
        """The seam to build.py: the derived rows (entries, forms, automaton, cards) of these entries
        made those of their current revision, inside the caller's transaction, so an edit and what
        the annotator reads of it are committed together."""
        from glossary.build import SCHEMA_VERSION, _create_schema, apply_entries

        if not ids:
            return
        row = conn.execute("SELECT value FROM _meta WHERE key = 'schema_version'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            sources = conn.execute("SELECT * FROM sources").fetchall() if row is not None else []
            _create_schema(conn)
            conn.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [tuple(r) for r in sources])
        entries, removed = [], []
        for entry_id in ids:
            data = self._current(conn, entry_id)[0]
            if data is None:
                removed.append(entry_id)
            else:
                entries.append(entry_of(data))
        factory, conn.row_factory = conn.row_factory, None  # build.py reads plain tuples
        try:
            apply_entries(conn, entries, removed, check=False)  # checked already, by the door
        finally:
            conn.row_factory = factory
        conn.executemany("UPDATE edit_state SET refreshed = revision WHERE entry_id = ?", [(i,) for i in ids])


def entry_of(data: dict) -> Entry:
    """An Entry from the curated schema a revision stores (the inverse of `normal`)."""
    fields = dict(data)
    ambiguous = fields.get("ambiguous")
    if isinstance(ambiguous, dict):
        fields["ambiguous"], fields["ordinary_dominates"] = ambiguous.get("ordinary"), bool(ambiguous.get("dominant"))
    fields["renderings"] = [
        {
            **{k: v for k, v in r.items() if k not in ("from", "until")},
            "from_year": r.get("from"),
            "until_year": r.get("until"),
        }
        for r in fields.get("renderings") or []
    ]
    return Entry.from_dict(fields)


def _upstream_lists(conn, sources, ordinary: list[str]) -> None:
    """The upstream's sources and ordinary words, as `build` writes them (they are not edited here)."""
    conn.execute("DELETE FROM sources")
    conn.executemany(
        "INSERT INTO sources VALUES (:id, :title, :publication, :author, :date, :file, :lines, :url)",
        [{**s.to_dict(), "lines": json.dumps(s.lines)} for s in sources],
    )
    conn.execute(
        "INSERT OR REPLACE INTO _meta (key, value) VALUES ('ordinary_words', ?)",
        (json.dumps(ordinary, ensure_ascii=False),),
    )


def _sources_file(db_path: Path) -> Path:
    from glossary import curation
    from glossary.store import Store

    with Store(db_path) as store:
        named = store.meta.get("sources_file")
    return Path(named) if named and Path(named).is_file() else curation.SOURCES_FILE


def _parse(data: dict) -> Entry:
    """Judge the entry exactly as a curated file: written as one, read back by model.parse_entry."""
    from glossary.exchange import entry_yaml

    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="glossary-edit-") as folder:
        path = Path(folder) / f"{data['id']}.yaml"
        try:
            path.write_text(entry_yaml(data), encoding="utf-8")
        except (TypeError, ValueError) as exc:
            raise Invalid([f"the entry cannot be written as YAML: {exc}"]) from None
        where: dict[tuple, int] = {}
        entry = parse_entry(path, problems, where)
    if entry is None or problems:
        raise Invalid([_located(p, where) for p in problems] or ["invalid entry"])
    return entry


def _located(problem: Problem, where: dict[tuple, int]) -> str:
    """A problem told by the field it is in (`renderings 2: …`), since the user never saw the file's lines."""
    paths = [k for k, line in where.items() if line == problem.line and k]
    if not paths:
        return problem.message
    path = max(paths, key=len)
    named = " ".join(str(p + 1) if isinstance(p, int) else p for p in path[:2])
    return problem.message if problem.message.startswith(path[0]) else f"{named}: {problem.message}"


def merge(base: dict | None, mine: dict, theirs: dict | None) -> tuple[dict, list[str]]:
    """Three-way merge by field: a field only one side changed takes that change; a field both changed
    to different values is a conflict. Returns the merged entry and the conflicting fields."""
    base, theirs = base or {}, theirs or {}
    merged, conflicts = {}, []
    for key in sorted(set(mine) | set(theirs)):
        b, m, t = base.get(key), mine.get(key), theirs.get(key)
        if m == t or m == b:
            merged[key] = t if m == b else m
        elif t == b:
            merged[key] = m
        else:
            conflicts.append(key)
            merged[key] = m
    return {k: v for k, v in merged.items() if k in mine or v is not None}, conflicts


# ---------------------------------------------------------------- diffs


def field_text(value) -> str:
    """A field's value as a reviewer reads it: plain text, or YAML for lists and mappings."""
    import yaml

    if value is None or value == [] or value == "":
        return ""
    if isinstance(value, str | int | float | bool):
        return str(value)
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).rstrip()


def diff(before: dict | None, after: dict | None) -> list[dict]:
    """The fields that differ, each with `before`/`after` text and `parts`: [(op, text)] where op is
    '=' (same), '-' (only before) or '+' (only after), by word for one line and by line otherwise."""
    import re

    before, after = before or {}, after or {}
    out = []
    for key in sorted(set(before) | set(after), key=_field_order):
        a, b = field_text(before.get(key)), field_text(after.get(key))
        if a == b:
            continue
        multi = "\n" in a or "\n" in b
        split = (lambda s: s.splitlines(keepends=True)) if multi else (lambda s: re.findall(r"\S+|\s+", s))
        left, right = split(a), split(b)
        parts: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=left, b=right, autojunk=False).get_opcodes():
            if op == "equal":
                parts.append(("=", "".join(left[i1:i2])))
                continue
            if i2 > i1:
                parts.append(("-", "".join(left[i1:i2])))
            if j2 > j1:
                parts.append(("+", "".join(right[j1:j2])))
        out.append({"field": key, "before": a, "after": b, "parts": parts, "multiline": multi})
    return out


def _field_order(key: str) -> tuple[int, str]:
    from dataclasses import fields

    order = [f.name for f in fields(Entry)]
    return (order.index(key) if key in order else len(order), key)


def export_folder(db_path: Path, folder: Path, approved_only: bool = False) -> int:
    """Write the current glossary as curated entry files (one `<id>.yaml` each) that `glossary check`
    accepts: a team's work, ready to send upstream. Each file is written whole (temp file + rename)."""
    import os

    from glossary.editdb import has_editing
    from glossary.exchange import entry_path, entry_yaml
    from glossary.store import Store

    if has_editing(db_path):
        entries = Editor(db_path, seeds=Path()).current_entries(approved_only)
    else:
        with Store(db_path) as store:
            entries = [normal(e) for e in store.all_entries()]
    folder.mkdir(parents=True, exist_ok=True)
    for data in entries:
        target = entry_path(folder, data["id"])
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(entry_yaml(data), encoding="utf-8")
        os.replace(tmp, target)
    return len(entries)


class ApprovedOnly:
    """A store whose `all_entries` holds only approved entries, for any export format. On a database
    without editing every entry counts as approved (the curated YAML is reviewed upstream)."""

    def __init__(self, store, statuses: dict[str, str]):
        self._store, self._statuses = store, statuses

    def __getattr__(self, name):
        return getattr(self._store, name)

    def all_entries(self) -> list:
        return [e for e in self._store.all_entries() if self._statuses.get(e.id, "approved") == "approved"]


def statuses(db_path: str | Path) -> dict[str, str]:
    """Each entry's review status where editing is on; empty (all approved) where it is not."""
    from glossary.editdb import has_editing

    return Editor(db_path, seeds=Path()).statuses() if has_editing(db_path) else {}
