"""The matcher: surface forms → Aho-Corasick → overlaps → word boundaries → spans.

The text is scanned as given (after removing PDF line breaks between Han characters, with a map
back), so every span points into the user's own text whatever its script. Longest match wins from
the left; shorter terms inside it become its children; a match that cuts across the words of its
sentence is dropped (see segment.py).
"""

from __future__ import annotations

from typing import NamedTuple

from glossary.chinese import matching_view


# Span and Annotation are immutable records like the model's, but NamedTuples: creating a dataclass
# costs milliseconds at import, and this module is on the CLI's cold path.
class Span(NamedTuple):
    start: int  # code points into the original text
    end: int
    text: str  # the original text of the span, as given
    id: str
    children: tuple[Span, ...] = ()
    # Matched by a form that is also an ordinary word (浪潮 "wave"); a curated variant such as
    # 浪潮集团 is specific, so it is not ambiguous even when its entry is.
    ambiguous: bool = False

    def to_dict(self, entries: dict[str, dict]) -> dict:
        entry = entries[self.id]
        return {
            "start": self.start, "end": self.end, "text": self.text, "id": self.id,
            "zh": entry["zh"], "en": entry["en"], "pinyin": entry["pinyin"],
            "ambiguous": self.ambiguous, "ordinary": entry["ordinary"] if self.ambiguous else None,
            "children": [c.to_dict(entries) for c in self.children],
        }

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Annotation(NamedTuple):
    text: str
    spans: tuple[Span, ...]
    entries: dict[str, dict]

    def to_dict(self) -> dict:
        return {"entries": self.entries, "spans": [s.to_dict(self.entries) for s in self.spans]}

    def terms(self) -> list[dict]:
        """The document's term list in order of first appearance, with counts (nested ones too)."""
        counts: dict[str, dict] = {}
        for top in self.spans:
            for span in top.walk():
                row = counts.setdefault(span.id, {**self.entries[span.id], "count": 0, "nested": 0,
                                                   "first": span.start, "ambiguous": False})
                row["count"] += 1
                row["nested"] += span is not top
                row["ambiguous"] = row["ambiguous"] or span.ambiguous  # as met in this text
        return list(counts.values())


def entry_card(summary: dict, quote: dict | None = None) -> dict:
    """What an annotation says of one entry: enough for a tooltip and a term list."""
    return {
        "id": summary["id"], "zh": summary["zh"], "zh_hant": summary["zh_hant"],
        "pinyin": summary["pinyin"], "pinyin_numbered": summary["pinyin_numbered"],
        "en": summary["en"], "kind": summary["kind"],
        "ambiguous": bool(summary["ambiguous"]), "ordinary": summary["ambiguous"],
        "zh_attested": summary["zh_attested"], "quote": quote,
    }


class Annotator:
    """Built once per database version: the automaton over every surface form."""

    def __init__(self, forms: list[tuple[str, str, bool]], entries: dict[str, dict], lexicon=None):
        """`forms`: (surface form, entry id, whether that form is also an ordinary word)."""
        import ahocorasick

        self.entries = entries
        self.lexicon = lexicon
        self.automaton = ahocorasick.Automaton()
        for form, entry_id, ambiguous in forms:
            self.automaton.add_word(form, (len(form), entry_id, ambiguous))
        if forms:
            self.automaton.make_automaton()

    def matches(self, view_text: str, ambiguous: bool = True) -> list[tuple[int, int, str, bool]]:
        """Every raw match as (start, end, id, ambiguous), sorted leftmost-longest first."""
        if not self.entries:
            return []
        found = [(end + 1 - length, end + 1, eid, amb) for end, (length, eid, amb) in self.automaton.iter(view_text)]
        if not ambiguous:
            found = [m for m in found if not m[3]]
        found.sort(key=lambda m: (m[0], -m[1]))
        return found

    def annotate(self, text: str, *, ambiguous: bool = True, boundaries: bool = True) -> Annotation:
        view = matching_view(text)
        vt = view.text
        lexicon = self.lexicon if boundaries else None

        def keep(s: int, e: int) -> bool:
            return lexicon is None or not lexicon.splits_word(vt, s, e)

        def nest(found: list[tuple[int, int, str, bool]], parent: str | None) -> tuple[Span, ...]:
            """Leftmost-longest spans with their children. A child lies whole inside a glossary
            term, which is the longer word that contains it, so only top-level spans are judged."""
            spans, i = [], 0
            while i < len(found):
                s, e, eid, amb = found[i]
                i += 1
                if eid == parent or (parent is None and not keep(s, e)):
                    continue
                inner = []
                while i < len(found) and found[i][0] < e:
                    if found[i][1] <= e:
                        inner.append(found[i])
                    i += 1
                if view.cuts:
                    s, e = view.to_original(s), view.to_original(e, end=True)
                spans.append(Span(s, e, text[s:e], eid, nest(inner, eid) if inner else (), amb))
            return tuple(spans)

        spans = nest(self.matches(vt, ambiguous), None)
        used = {span.id for top in spans for span in top.walk()}
        return Annotation(text, spans, {eid: self.entries[eid] for eid in sorted(used)})
