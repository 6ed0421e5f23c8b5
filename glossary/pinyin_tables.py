"""pypinyin's tables as whole-text pinyin reads them, and a copy of them built with the database.

Importing pypinyin's phrase and character tables costs 0.2 s at every start of a process: most of a
one-off `glossary annotate --pinyin all`. The build stores what glossary.reading reads of them (the
phrases of two to eight characters with their first readings, each character's first reading) as
a marisa trie, which a process memory-maps instead. Same data, same readings (tests compare).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


class PypinyinTables:
    """pypinyin's own tables, imported."""

    def __init__(self):
        from pypinyin.phrases_dict import phrases_dict
        from pypinyin.pinyin_dict import pinyin_dict

        self.phrases, self.chars = phrases_dict, pinyin_dict

    def phrase(self, text: str) -> list[str] | None:
        """The first reading of each syllable of a phrase pypinyin knows, else None."""
        found = self.phrases.get(text)
        return [s[0] for s in found] if found else None

    def char(self, char: str) -> str:
        """A character's first reading (the character itself when it has none)."""
        reading = self.chars.get(ord(char))
        return reading.split(",", 1)[0] if reading else char


class StoredTables:
    """The copy `build` made, memory-mapped: nothing to import or unpack."""

    def __init__(self, path: Path):
        import marisa_trie

        self.trie = marisa_trie.BytesTrie()
        self.trie.mmap(str(path))

    def phrase(self, text: str) -> list[str] | None:
        found = self.trie.get(text)
        return found[0].decode().split(" ") if found else None

    def char(self, char: str) -> str:
        found = self.trie.get(char)
        return found[0].decode() if found else char


def build() -> bytes:
    """The copy: phrases of two to eight characters (the longest whole-text pinyin looks up) →
    their syllables' first readings, space-separated; each character → its first reading."""
    import marisa_trie
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    items = [(w, " ".join(s[0] for s in r).encode()) for w, r in phrases_dict.items() if 2 <= len(w) <= 8 and r]
    items += [(chr(code), r.split(",", 1)[0].encode()) for code, r in pinyin_dict.items() if r]
    return marisa_trie.BytesTrie(items).tobytes()


def version() -> str:
    """Which pypinyin tables a copy was made from (their files' sizes and times), found without
    importing pypinyin, so that a build makes the copy again when pypinyin changes."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        return ""
    folder = Path(spec.origin).parent
    stats = [(folder / name).stat() for name in ("phrases_dict.py", "pinyin_dict.py")]
    return " ".join(f"{s.st_size}:{s.st_mtime_ns}" for s in stats)
