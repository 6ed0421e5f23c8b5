"""Two built glossary databases the same? Every table row by row (rowids included), for a speed change
of `glossary build` that must not change what it writes.

    python bench/compare_databases.py before.sqlite after.sqlite

Left out: what differs between any two builds (build time, version, the folders' paths and stamps,
the files' times and inodes). The search index is compared by the terms it holds (fts5vocab), not by
how its pages are laid out. Exit 1 when a table differs.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys

SKIP_META = {"built_at", "version", "folder_stamp", "newest_change", "entries_dir", "sources_file"}
SKIP_META.add("lexicon_base_key")  # (a digest of pypinyin's files' times: differs between installations)
LAYOUT = ("entries_fts_data", "entries_fts_idx")  # the search index's pages


def dump(path: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            if table in LAYOUT:
                continue
            try:
                rows = conn.execute(f"SELECT rowid, * FROM {table}").fetchall()
            except sqlite3.OperationalError:  # (a table without rowids)
                rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            if table == "_meta":
                rows = [r for r in rows if r[1] not in SKIP_META]
            if table == "_files":
                rows = [(r[1], r[2], r[5]) for r in rows]  # name, size, sha256
            out[table] = sorted(map(repr, rows))
        conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, entries_fts, instance)")
        out["search index terms"] = sorted(map(repr, conn.execute("SELECT * FROM temp.vocab")))
        out["schema"] = sorted(map(repr, conn.execute("SELECT type, name, sql FROM sqlite_master")))
    finally:
        conn.close()
    return out


def main() -> None:
    a, b = dump(sys.argv[1]), dump(sys.argv[2])
    differ = 0
    for table in sorted(set(a) | set(b)):
        rows_a, rows_b = a.get(table, []), b.get(table, [])
        digest_a, digest_b = (hashlib.sha256("\n".join(rows).encode()).digest() for rows in (rows_a, rows_b))
        same = digest_a == digest_b
        differ += not same
        print(f"{'same' if same else 'DIFFERENT'} {table}: {len(rows_a)} / {len(rows_b)} rows")
        if not same:
            only_a, only_b = set(rows_a) - set(rows_b), set(rows_b) - set(rows_a)
            for row in sorted(only_a)[:3]:
                print("   only in the first:", row[:300])
            for row in sorted(only_b)[:3]:
                print("   only in the second:", row[:300])
    print("the same" if not differ else f"{differ} tables differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
