"""An Anki deck (.apkg, written by genanki). Deck and note type have fixed ids and every note's GUID
is derived from its entry id, so importing a newer export updates the cards instead of adding copies."""

from __future__ import annotations

import os
import tempfile

from glossary.formats import entry_url

DECK_ID = 1_733_917_101  # fixed forever: Anki matches decks and note types by id
MODEL_ID = 1_733_917_102
FIELDS = ["Chinese", "Traditional", "Pinyin", "English", "Other renderings", "Notes", "Link"]
CSS = ".card { font-family: sans-serif; font-size: 22px; text-align: center; } .zh { font-size: 40px; }"


def guid(entry_id: str) -> str:
    import genanki

    return genanki.guid_for("policy-glossary", entry_id)


def write(terms, base_url: str = "", revision: str = "1") -> bytes:
    import genanki
    from markupsafe import escape

    model = genanki.Model(
        MODEL_ID,
        "Policy glossary term",
        fields=[{"name": f} for f in FIELDS],
        templates=[
            {
                "name": "Chinese → English",
                "qfmt": '<div class="zh">{{Chinese}}</div><div>{{Traditional}}</div>',
                "afmt": '{{FrontSide}}<hr id="answer"><div>{{Pinyin}}</div><div><b>{{English}}</b></div>'
                "<div>{{Other renderings}}</div><div>{{Notes}}</div><div>{{Link}}</div>",
            }
        ],
        css=CSS,
    )
    deck = genanki.Deck(DECK_ID, "Policy glossary (提法)")
    for term in terms:
        entry = term.entry
        others = "; ".join(f"{r.en} ({r.status})" for r in entry.all_renderings()[1:])
        note = f"Also an ordinary word: {entry.ambiguous}" if entry.ambiguous else ""
        url = entry_url(base_url, entry.id)
        fields = [entry.zh, term.zh_hant if term.zh_hant != entry.zh else "", entry.pinyin, entry.en, others, note]
        deck.add_note(
            genanki.Note(
                model=model,
                guid=guid(entry.id),
                tags=[entry.kind],
                fields=[str(escape(f)) for f in fields] + [f'<a href="{escape(url)}">{escape(url)}</a>'],
            )
        )
    handle, path = tempfile.mkstemp(suffix=".apkg")
    os.close(handle)
    try:
        genanki.Package(deck).write_to_file(path)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)
