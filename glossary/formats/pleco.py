"""Pleco flashcards: `简体[繁體]<TAB>pinyin<TAB>definition`, one card per entry (Pleco's import format,
numbered pinyin, which Pleco converts to its own display)."""

from __future__ import annotations

from glossary.formats import one_line


def write(terms, base_url: str = "", revision: str = "1") -> bytes:
    lines = []
    for term in terms:
        entry = term.entry
        head = entry.zh if term.zh_hant == entry.zh else f"{entry.zh}[{term.zh_hant}]"
        others = [r.en for r in entry.all_renderings()[1:] if r.status in ("admitted", "preferred")]
        definition = entry.en + (f"; also: {', '.join(others)}" if others else "")
        if entry.ambiguous:
            definition += f"; also an ordinary word: {entry.ambiguous}"
        lines.append("\t".join(one_line(x) for x in (head, term.pinyin_numbered, definition)))
    return ("\n".join(lines) + "\n").encode("utf-8")
