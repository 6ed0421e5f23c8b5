"""OmegaT glossary: three tab-separated columns (source term, target term, comment), UTF-8, one row per
surface form the annotator matches, so OmegaT finds a term in either script."""

from __future__ import annotations

from glossary.formats import one_line


def write(terms, base_url: str = "", revision: str = "1") -> bytes:
    lines = ["# Policy glossary (OmegaT glossary: source<TAB>target<TAB>comment)"]
    for term in terms:
        entry = term.entry
        for form in term.forms:
            comment = [form.pinyin]
            if form.region:
                comment.append(f"region {form.region}")
            if entry.ambiguous:
                comment.append(f"also an ordinary word: {entry.ambiguous}")
            bad = [r.en for r in entry.all_renderings() if r.status in ("deprecated", "forbidden")]
            if bad:
                comment.append("avoid: " + ", ".join(bad))
            lines.append("\t".join(one_line(x) for x in (form.form, form.en or entry.en, "; ".join(comment))))
    return ("\n".join(lines) + "\n").encode("utf-8")
