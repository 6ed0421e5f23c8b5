"""The editorial tables of a team server, in the same SQLite file as the built glossary.

The built tables (entries, forms, …) are derived data; these are not: users, tokens, every revision
of every entry, its review status, proposals and comments. They are written only in transactions
that take the write lock first (`BEGIN IMMEDIATE`), in WAL mode with `synchronous=FULL`, so that an
edit the server has acknowledged is on disk, whatever happens to the process next.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS edit_users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS edit_tokens (
  hash TEXT PRIMARY KEY, user TEXT NOT NULL,
  label TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS edit_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS edit_revisions (
  id INTEGER PRIMARY KEY, entry_id TEXT NOT NULL, number INTEGER NOT NULL, user TEXT NOT NULL,
  at TEXT NOT NULL, action TEXT NOT NULL, comment TEXT, before TEXT, after TEXT,
  UNIQUE (entry_id, number));
CREATE TABLE IF NOT EXISTS edit_state (
  entry_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, status TEXT NOT NULL, status_by TEXT,
  edited_by TEXT, upstream TEXT, local INTEGER NOT NULL DEFAULT 0, conflict TEXT,
  refreshed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS edit_proposals (
  id INTEGER PRIMARY KEY, entry_id TEXT NOT NULL, base_revision INTEGER, user TEXT NOT NULL,
  at TEXT NOT NULL, data TEXT NOT NULL, comment TEXT, state TEXT NOT NULL DEFAULT 'open',
  reviewer TEXT, reason TEXT, decided_at TEXT);
CREATE TABLE IF NOT EXISTS edit_comments (
  id INTEGER PRIMARY KEY, entry_id TEXT NOT NULL, user TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS edit_revisions_at ON edit_revisions (at);
CREATE INDEX IF NOT EXISTS edit_proposals_state ON edit_proposals (state);
CREATE INDEX IF NOT EXISTS edit_comments_entry ON edit_comments (entry_id);
"""


@contextmanager
def connect(db_path: str | Path) -> Iterator[sqlite3.Connection]:
    """A read-write connection in autocommit mode (transactions are ours: see `write`), closed on exit."""
    conn = sqlite3.connect(str(db_path), timeout=30, isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        yield conn
    finally:
        conn.close()


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One transaction holding the write lock from its first statement: what it reads, no one
    changes before it commits (two stale edits cannot both pass the base-revision check)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def has_editing(db_path: str | Path) -> bool:
    """Whether this database holds editorial tables (then it is never rebuilt from YAML by replacing it)."""
    path = Path(db_path)
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        rows = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'edit_revisions'")
        return rows.fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        conn.close()
