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
    return _table_files("phrases_dict.py", "pinyin_dict.py")


def _table_files(*names: str, only_present: bool = False) -> str:
    """The sizes and times of these files of the installed pypinyin ("" without it)."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        return ""
    paths = [Path(spec.origin).parent / name for name in names]
    stats = [path.stat() for path in paths if not only_present or path.exists()]
    return " ".join(f"{s.st_size}:{s.st_mtime_ns}" for s in stats)


# ------------------------------------------------------------------- what the pinyin check asks


class CheckTables:
    """What the pinyin check and the form readings ask of pypinyin (glossary.pinyin), answered from
    a copy of its tables (build_check) memory-mapped beside the database: an edit's check then does
    not import pypinyin (0.3-0.5 s). Exactly pypinyin's answers: its segmentation of a phrase is
    replayed on the same phrase table, and each character's readings are its own table's; anything
    the copy does not know (a character without a reading) gives None, and pypinyin is asked."""

    def __init__(self, path: Path):
        import marisa_trie

        self.trie = marisa_trie.BytesTrie()
        self.trie.mmap(str(path))

    def char_readings(self, char: str) -> list[str] | None:
        """pypinyin.pinyin(char, style=TONE, heteronym=True)[0]: every reading of a character."""
        found = self.trie.get("#" + char)
        return found[0].decode().split(",") if found else None

    def first_readings(self, text: str) -> list[str] | None:
        """[r[0] for r in pypinyin.pinyin(text, style=TONE)] for Han text whose every character has
        a reading, cut as pypinyin's mmseg cuts it: the longest phrase the rest begins with; if none,
        its first character, or every character alone when the whole rest begins a phrase (the
        segmenter's walk ran off the end). A phrase reads its first readings, a character its first."""
        trie, out = self.trie, []
        for char in set(text):
            if ("#" + char) not in trie:
                return None
        rest = text
        while rest:
            phrases = trie.prefixes(rest)  # the phrases rest begins with: pypinyin's walk reaches each
            if phrases:
                longest = max(phrases, key=len)
                out += trie[longest][0].decode().split(" ")
                rest = rest[len(longest) :]
            elif next(trie.iterkeys(rest), None) is not None:  # rest begins a phrase, holds none
                out += [self._first(char) for char in rest]
                break
            else:
                out.append(self._first(rest[0]))
                rest = rest[1:]
        return out

    def _first(self, char: str) -> str:
        return self.trie["#" + char][0].decode().split(",", 1)[0]


class LoadedTables:
    """CheckTables' answers from pypinyin's tables in memory, for a process that has imported pypinyin
    anyway (a full build's workers, which ask for every form): dictionary look-ups replayed as
    pypinyin's own segmenter walks them, without the per-call set-up, regular expressions and deep
    copies of pypinyin.pinyin (a sixth of a worker's time)."""

    def __init__(self):
        from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS
        from pypinyin.seg.mmseg import seg

        self.phrases, self.chars, self.hans = PHRASES_DICT, PINYIN_DICT, RE_HANS
        self.begins = seg._prefix_set._set  # every prefix of every phrase, as the segmenter asks

    def char_readings(self, char: str) -> list[str] | None:
        found = self.chars.get(ord(char)) if self.hans.match(char) else None
        return found.split(",") if found else None

    def first_readings(self, text: str) -> list[str] | None:
        chars, phrases, begins = self.chars, self.phrases, self.begins
        for char in set(text):
            if not chars.get(ord(char)) or not self.hans.match(char):
                return None
        out: list[str] = []
        rest = text
        while rest:
            longest = ""
            for end in range(1, len(rest) + 1):
                word = rest[:end]
                if word not in begins:
                    break
                if word in phrases:
                    longest = word
            else:
                if not longest:  # the whole rest begins a phrase but holds none: one by one
                    out += [chars[ord(char)].split(",", 1)[0] for char in rest]
                    break
            if longest:
                out += [syllable[0] for syllable in phrases[longest]]
                rest = rest[len(longest) :]
            else:
                out.append(chars[ord(rest[0])].split(",", 1)[0])
                rest = rest[1:]
        return out


def build_check() -> bytes:
    """The copy CheckTables reads: each phrase of pypinyin's phrase table (any length) → its
    syllables' first readings, space-separated; "#" + each character with a reading → its readings
    as pypinyin's character table holds them (comma-separated). From pypinyin's tables as this
    process has them (pypinyin.constants), which are what pypinyin.pinyin reads."""
    import marisa_trie
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS

    items = [(w, " ".join(s[0] for s in r).encode()) for w, r in PHRASES_DICT.items() if r]
    items += [("#" + chr(code), r.encode()) for code, r in PINYIN_DICT.items() if r and RE_HANS.match(chr(code))]
    return marisa_trie.BytesTrie(items).tobytes()


def check_version() -> str:
    """Which pypinyin a copy of the check tables was made from: version() and its table files'."""
    tables = _table_files("phrases_dict.json", "pinyin_dict.json", only_present=True)
    return " ".join([version(), tables]) if tables else version()
