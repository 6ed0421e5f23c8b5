"""Bilingual readers (glossary/formats/): every format gives the same segments, and so the same findings;
unreadable or unsafe input is refused with one line naming the file."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from xml.sax.saxutils import escape

import pytest

from glossary import formats, qa
from glossary.formats import BilingualError

SEGMENTS = [
    ("u1", "坚持新型举国体制，发展通用人工智能。", "Uphold the new-type whole nation system and develop AGI."),
    (
        "u2",
        "推进改革开放，发展社会主义市场经济。",
        "Advance reform and opening-up and develop a socialist market economy.",
    ),
    ("u3", "贯彻新发展理念。", "Apply the new development concept."),
    (
        "u4",
        "国务院推动构建人类命运共同体，国务院“一带一路”。",
        "The State Council promotes a community of shared destiny, along the One Belt, One Road.",
    ),
    ("u5", "人工智能, 算力 & <标签>", "AI, compute & <tags>"),  # characters XML must escape
]


def xliff12(segments) -> str:
    units = "".join(
        f'<trans-unit id="{i}"><source>{escape(s)}</source><target state="translated">{escape(t)}</target></trans-unit>'
        for i, s, t in segments
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        f'<file source-language="zh-CN" target-language="en-US" datatype="plaintext" original="x"><body>{units}'
        "</body></file></xliff>"
    )


def xliff20(segments) -> str:
    units = "".join(
        f'<unit id="{i}"><segment><source>{escape(s)}</source><target>{escape(t)}</target></segment></unit>'
        for i, s, t in segments
    )
    return (
        '<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh-CN" '
        f'trgLang="en"><file id="f1">{units}</file></xliff>'
    )


def tmx(segments) -> str:
    tus = "".join(
        f'<tu tuid="{i}"><tuv xml:lang="zh-CN"><seg>{escape(s)}</seg></tuv>'
        f'<tuv xml:lang="en-GB"><seg>{escape(t)}</seg></tuv></tu>'
        for i, s, t in segments
    )
    return (
        '<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="zh-CN" datatype="plaintext" segtype="sentence" '
        f'adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/><body>{tus}</body></tmx>'
    )


def table(segments, delimiter: str, header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(["id", "zh", "en"])
        writer.writerows(segments)
    else:
        writer.writerows([(s, t) for _, s, t in segments])
    return out.getvalue()


def docx(rows, tracked: bool = False) -> bytes:
    """A minimal Word package holding one table, as a CAT tool's bilingual review export does."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def cell(text):
        return f'<w:tc><w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>'

    body = "".join("<w:tr>" + "".join(cell(c) for c in row) + "</w:tr>" for row in rows)
    change = (
        '<w:p><w:ins w:id="1" w:author="r" w:date="2026-01-01T00:00:00Z"><w:r><w:t>new</w:t></w:r></w:ins></w:p>'
        if tracked
        else ""
    )
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{w}"><w:body><w:tbl>{body}</w:tbl>{change}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def write_all(tmp_path, segments) -> dict[str, list]:
    """The same segments in every format; returns what each reader gives."""
    files = {
        "job.xlf": xliff12(segments),
        "job2.xlf": xliff20(segments),
        "memory.tmx": tmx(segments),
        "pairs.tsv": table(segments, "\t", True),
        "pairs.csv": table(segments, ",", False),
        "pairs.jsonl": "".join(
            json.dumps({"id": i, "zh": s, "en": t}, ensure_ascii=False) + "\n" for i, s, t in segments
        ),
    }
    read = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        read[name] = formats.read_file(tmp_path / name)
    (tmp_path / "zh.txt").write_text("\n".join(s for _, s, _ in segments) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(t for _, _, t in segments) + "\n", encoding="utf-8")
    read["zh.txt+en.txt"] = formats.read_pair(tmp_path / "zh.txt", tmp_path / "en.txt")
    (tmp_path / "review.docx").write_bytes(docx([("ID", "Source", "Target")] + list(segments)))
    read["review.docx"] = formats.read_file(tmp_path / "review.docx")
    return read


def test_every_format_reads_the_same_segments(tmp_path):
    read = write_all(tmp_path, SEGMENTS)
    expected = [(s, t) for _, s, t in SEGMENTS]
    for name, segments in read.items():
        assert [(seg.source, seg.target) for seg in segments] == expected, name
        assert [seg.index for seg in segments] == [1, 2, 3, 4, 5], name
    for name in ("job.xlf", "job2.xlf", "memory.tmx", "pairs.tsv", "pairs.jsonl", "review.docx"):
        assert [seg.id for seg in read[name]] == ["u1", "u2", "u3", "u4", "u5"], name


def test_every_format_gives_the_same_findings(tmp_path, qa_glossary):
    read = write_all(tmp_path, SEGMENTS)
    reports = {name: qa.check(qa_glossary, segments).to_dict() for name, segments in read.items()}

    def findings(report):
        return [(s["index"], t["entry"], t["status"], t["matched"]) for s in report["segments"] for t in s["terms"]]

    first = findings(reports["job.xlf"])
    assert first == [
        (1, "xinxing-juguo-tizhi", "ok", "new-type whole nation system"),
        (1, "tongyong-rengong-zhineng", "ok", "AGI"),
        (2, "gaige-kaifang", "ok", "reform and opening-up"),
        (2, "shehuizhuyi-shichang-jingji", "ok", "socialist market economy"),
        (3, "xin-fazhan-linian", "deprecated", "new development concept"),
        (4, "guowuyuan", "ok", "State Council"),
        (4, "renlei-mingyun-gongtongti", "forbidden", "community of shared destiny"),
        (4, "yidai-yilu", "deprecated", "One Belt, One Road"),
        (5, "rengong-zhineng", "ok", "AI"),
        (5, "suanli", "missing", None),
    ]
    for name, report in reports.items():
        assert findings(report) == first, name
        assert report["summary"] == reports["job.xlf"]["summary"], name


def test_xliff_inline_codes_left_out_and_trados_segments_paired(tmp_path):
    path = tmp_path / "trados.sdlxliff"
    path.write_text(
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="zh-CN" '
        'target-language="en-US"><body><group><trans-unit id="7">'
        '<source>坚持<g id="1">新型举国体制</g><x id="2"/>。发展算力。</source>'
        '<seg-source><mrk mtype="seg" mid="1">坚持<g id="1">新型<bpt id="3">&lt;b&gt;</bpt>举国体制</g>。</mrk>'
        '<mrk mtype="seg" mid="2">发展算力。</mrk></seg-source>'
        '<target><mrk mtype="seg" mid="1">Uphold the <g id="1">new system</g> for mobilizing resources nationwide.'
        "</mrk>"
        '<mrk mtype="seg" mid="2">Develop computing power.</mrk></target>'
        "<note>glossary-qa: ok suanli</note></trans-unit>"
        '<trans-unit id="8" translate="no"><source>算力</source></trans-unit></group></body></file></xliff>',
        encoding="utf-8",
    )
    segments = formats.read_file(path)
    assert [(s.id, s.source, s.target) for s in segments] == [
        ("7/1", "坚持新型举国体制。", "Uphold the new system for mobilizing resources nationwide."),
        ("7/2", "发展算力。", "Develop computing power."),
    ]
    assert segments[0].notes == ("glossary-qa: ok suanli",)


def test_xliff2_notes_code_points_and_segments(tmp_path):
    path = tmp_path / "job.xlf"
    path.write_text(
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh" trgLang="en"><file id="f">'
        '<unit id="a"><notes><note>glossary-qa: ok</note></notes>'
        '<segment id="s1"><source>发展<pc id="1">算力</pc><ph id="2"/><cp hex="20000"/></source>'
        '<target>Develop <pc id="1">compute</pc></target></segment>'
        '<segment id="s2"><source>人工智能</source></segment></unit></file></xliff>',
        encoding="utf-8",
    )
    segments = formats.read_file(path)
    assert [(s.id, s.source, s.target, s.notes) for s in segments] == [
        ("a/s1", "发展算力\U00020000", "Develop compute", ("glossary-qa: ok",)),
        ("a/s2", "人工智能", "", ("glossary-qa: ok",)),
    ]


def test_headerless_table_finds_the_chinese_column(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("1\t算力\tcompute\n2\t人工智能\tAI\n", encoding="utf-8")
    assert [(s.source, s.target) for s in formats.read_file(path)] == [("算力", "compute"), ("人工智能", "AI")]


BAD = [
    ("broken.xlf", b'<xliff version="1.2"><file><body><trans-unit id="1"><source>x</source>', "not well-formed XML"),
    (
        "bomb.xlf",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<xliff version="1.2"><file><body/></file></xliff>',
        "refused: the XML declares entities",
    ),
    (
        "xxe.tmx",
        b'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<tmx version="1.4"><body><tu><tuv xml:lang="zh"><seg>&x;</seg></tuv></tu></body></tmx>',
        "refused: the XML declares entities",
    ),
    (
        "utf16.xlf",
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><xliff version="1.2"/>'.encode("utf-16"),
        "refused: the XML declares entities",
    ),
    ("other.xlf", b"<html/>", "not XLIFF"),
    ("old.xlf", b'<xliff version="1.1"/>', "XLIFF version 1.1"),
    (
        "reverse.xlf",
        b'<xliff version="1.2"><file source-language="en" target-language="zh-CN"><body/></file></xliff>',
        "English→Chinese",
    ),
    (
        "empty.xlf",
        b'<xliff version="1.2"><file source-language="zh" target-language="en"><body/></file></xliff>',
        "no translation units",
    ),
    (
        "fr.tmx",
        b'<tmx version="1.4"><body><tu><tuv xml:lang="fr"><seg>x</seg></tuv></tu></body></tmx>',
        "no translation unit with a Chinese",
    ),
    ("one.csv", "算力\n人工智能\n".encode(), "one column only"),
    ("latin1.tsv", "算力\tcompute\n".encode("gbk"), "not UTF-8 text"),
    ("bad.jsonl", b'{"zh": "x", "en": "y"}\n{"zh": 1}\n', "line 2 needs"),
    ("worse.jsonl", b'{"zh": "x"\n', "line 1 is not JSON"),
    ("fake.docx", b"PK\x03\x04 not really", "not a Word document"),
    ("notes.bin", b"\x00\x01binary", "not a bilingual format"),
]


@pytest.mark.parametrize("name, data, message", BAD, ids=[b[0] for b in BAD])
def test_unreadable_input_is_refused_in_one_line(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BilingualError) as info:
        formats.read_file(path)
    text = str(info.value)
    assert message in text and name in text and "\n" not in text


def test_docx_with_tracked_changes_is_refused(tmp_path):
    path = tmp_path / "review.docx"
    path.write_bytes(docx([("Source", "Target"), ("算力", "compute")], tracked=True))
    with pytest.raises(BilingualError, match="tracked change"):
        formats.read_file(path)


def test_text_pair_must_align(tmp_path):
    (tmp_path / "zh.txt").write_text("算力\n人工智能\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("compute\n", encoding="utf-8")
    with pytest.raises(BilingualError, match="has 2 lines but .* has 1"):
        formats.read_pair(tmp_path / "zh.txt", tmp_path / "en.txt")
