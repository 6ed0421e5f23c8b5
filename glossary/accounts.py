"""Users, roles and API tokens of a team server.

Roles, each allowed what the one before may: contributor (proposes entries and changes, comments),
editor (edits and creates entries, reviews), admin (users and settings). Anyone else is a viewer and
reads, as on a server with no users at all. Passwords are hashed with Argon2id (argon2-cffi);
tokens are 32 random bytes, shown once and stored as their SHA-256 (a random token needs no slow hash).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from datetime import UTC, datetime

from glossary.editdb import ensure_schema, write

ROLES = ("contributor", "editor", "admin")
LEVELS = {"viewer": 0, "contributor": 1, "editor": 2, "admin": 3}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MIN_PASSWORD = 8
TOKEN_PREFIX = "glt_"


class AccountError(Exception):
    """A refused account operation, with a message for the user."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def may(role: str | None, needed: str) -> bool:
    return LEVELS.get(role or "viewer", 0) >= LEVELS[needed]


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")


def add_user(conn: sqlite3.Connection, name: str, role: str, password: str) -> None:
    if not NAME.fullmatch(name):
        raise AccountError(f"user name {name!r}: letters, digits, '.', '_' or '-', at most 64")
    _check_role(role)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    hashed = _hasher().hash(password)
    ensure_schema(conn)
    with write(conn):
        if conn.execute("SELECT 1 FROM edit_users WHERE name = ?", (name,)).fetchone():
            raise AccountError(f"user {name!r} exists already")
        conn.execute("INSERT INTO edit_users VALUES (?, ?, ?, ?)", (name, role, hashed, now()))


def users(conn: sqlite3.Connection) -> list[dict]:
    ensure_schema(conn)
    return [dict(r) for r in conn.execute("SELECT name, role, created_at FROM edit_users ORDER BY name")]


def count_users(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("SELECT count(*) FROM edit_users").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # no editorial tables: a read-only server


def user(conn: sqlite3.Connection, name: str) -> dict | None:
    try:
        row = conn.execute("SELECT name, role FROM edit_users WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return dict(row) if row else None


def set_role(conn: sqlite3.Connection, name: str, role: str) -> None:
    _check_role(role)
    ensure_schema(conn)
    with write(conn):
        _existing(conn, name)
        if role != "admin":
            _keep_an_admin(conn, name)
        conn.execute("UPDATE edit_users SET role = ? WHERE name = ?", (role, name))


def remove_user(conn: sqlite3.Connection, name: str) -> None:
    """The user can no longer log in and their tokens stop working; what they wrote stays, under their name."""
    ensure_schema(conn)
    with write(conn):
        _existing(conn, name)
        _keep_an_admin(conn, name)
        conn.execute("DELETE FROM edit_tokens WHERE user = ?", (name,))
        conn.execute("DELETE FROM edit_users WHERE name = ?", (name,))


def _existing(conn: sqlite3.Connection, name: str) -> None:
    if not conn.execute("SELECT 1 FROM edit_users WHERE name = ?", (name,)).fetchone():
        raise AccountError(f"no user {name!r}")


def _keep_an_admin(conn: sqlite3.Connection, name: str) -> None:
    admins = [r[0] for r in conn.execute("SELECT name FROM edit_users WHERE role = 'admin'")]
    if admins == [name]:
        raise AccountError(f"{name!r} is the only admin; make another user admin first")


def check_password(conn: sqlite3.Connection, name: str, password: str) -> dict | None:
    """The user, if the password is theirs. An unknown name costs as much time as a wrong password,
    so timing does not tell which names exist."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    try:
        row = conn.execute("SELECT name, role, password FROM edit_users WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:
        row = None
    stored = row["password"] if row else _dummy_hash()
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return {"name": row["name"], "role": row["role"]} if row else None


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_hasher().hash(secrets.token_hex(16)))
    return _DUMMY[0]


def create_token(conn: sqlite3.Connection, name: str, label: str | None = None) -> str:
    """A new API token for `name`: returned once, only its hash is kept."""
    ensure_schema(conn)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write(conn):
        _existing(conn, name)
        conn.execute("INSERT INTO edit_tokens VALUES (?, ?, ?, ?)", (_token_hash(token), name, label, now()))
    return token


def token_user(conn: sqlite3.Connection, token: str) -> dict | None:
    try:
        row = conn.execute(
            "SELECT u.name, u.role FROM edit_tokens t JOIN edit_users u ON u.name = t.user WHERE t.hash = ?",
            (_token_hash(token),),
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    return dict(row) if row else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def secret_key(conn: sqlite3.Connection) -> str:
    """The key that signs session cookies: made once per database, so sessions survive a restart."""
    ensure_schema(conn)
    with write(conn):
        row = conn.execute("SELECT value FROM edit_settings WHERE key = 'secret_key'").fetchone()
        if row:
            return row[0]
        key = secrets.token_hex(32)
        conn.execute("INSERT INTO edit_settings VALUES ('secret_key', ?)", (key,))
        return key
