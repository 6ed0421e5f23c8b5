"""A DeepL glossary (TSV: source<TAB>target, no header, one target per source, no parenthetical glosses
in the target: DeepL puts the target into the translation as it stands)."""

from __future__ import annotations

from glossary.formats import one_line, plain_en


def write(terms, base_url: str = "", revision: str = "1") -> bytes:
    seen, lines = set(), []
    for term in terms:
        for form in term.forms:
            if form.form in seen:  # DeepL refuses a glossary with a source twice
                continue
            seen.add(form.form)
            target = one_line(plain_en(form.en or term.entry.en)[0])
            if target:
                lines.append(f"{one_line(form.form)}\t{target}")
    return ("\n".join(lines) + "\n").encode("utf-8")
