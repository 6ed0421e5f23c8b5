"""Two line-aligned plain-text files: line N of the Chinese is segment N, line N of the English its target."""

from __future__ import annotations

from glossary.formats.bilingual import BilingualError, Segment, decode


def read_pair(zh: bytes, zh_name: str, en: bytes, en_name: str) -> list[Segment]:
    source_lines = decode(zh, zh_name).splitlines()
    target_lines = decode(en, en_name).splitlines()
    while source_lines and not source_lines[-1].strip():
        source_lines.pop()
    while target_lines and not target_lines[-1].strip():
        target_lines.pop()
    if len(source_lines) != len(target_lines):
        raise BilingualError(
            f"{zh_name} has {len(source_lines)} lines but {en_name} has {len(target_lines)}: "
            "the files must be line-aligned"
        )
    return [
        Segment(i, s.strip(), t.strip())
        for i, (s, t) in enumerate(zip(source_lines, target_lines, strict=True), 1)
        if s.strip() or t.strip()
    ]
