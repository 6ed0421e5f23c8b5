"""Term look-up for a CAT tool's terminology plug-in: exact surface forms and forms that start with
the query, from a sorted in-memory list of every surface form built once per database version
(a binary search per query: microseconds), answered as small records."""

from __future__ import annotations

import bisect
from threading import Lock

_indexes: dict[str, tuple[list[str], list[dict]]] = {}
_lock = Lock()


def _index(store) -> tuple[list[str], list[dict]]:
    key = store.version
    found = _indexes.get(key)
    if found is None:
        with _lock:
            found = _indexes.get(key)
            if found is None:
                summaries = {s["id"]: s for s in store.summaries()}
                avoid: dict[str, list[str]] = {}
                for entry in store.all_entries():
                    bad = [r.en for r in entry.all_renderings() if r.status in ("deprecated", "forbidden")]
                    if bad:
                        avoid[entry.id] = bad
                rows = []
                for row in store.query("SELECT form, entry_id, pinyin, en, region FROM forms"):
                    entry = summaries.get(row["entry_id"])
                    if entry is None:
                        continue
                    record = {
                        "form": row["form"],
                        "id": entry["id"],
                        "zh": entry["zh"],
                        "en": row["en"] or entry["en"],
                        "pinyin": row["pinyin"] or entry["pinyin"],
                    }
                    if row["region"]:
                        record["region"] = row["region"]
                    if entry["id"] in avoid:
                        record["avoid"] = avoid[entry["id"]]
                    rows.append((row["form"].casefold(), record))
                rows.sort(key=lambda r: (r[0], r[1]["id"]))
                found = ([k for k, _ in rows], [r for _, r in rows])
                _indexes.clear()  # one database version at a time
                _indexes[key] = found
    return found


def lookup(store, q: str, prefix: bool = True, limit: int = 20) -> list[dict]:
    """Exact matches of `q` first, then (with `prefix`) forms that start with it, shortest first."""
    keys, records = _index(store)
    key = q.casefold()
    lo = bisect.bisect_left(keys, key)
    exact, longer = [], []
    i = lo
    while i < len(keys) and keys[i].startswith(key):
        if keys[i] == key:
            exact.append({**records[i], "match": "exact"})
        elif prefix:
            longer.append({**records[i], "match": "prefix"})
        i += 1
        if not prefix and keys[i - 1] != key:
            break
    longer.sort(key=lambda r: (len(r["form"]), r["form"]))
    return (exact + longer)[:limit]
