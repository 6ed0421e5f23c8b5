"""The `glossary` command as a user runs it: formats, inputs, and one-line errors with exit codes."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from glossary.cli import cli


@pytest.fixture
def run(db_path):
    def invoke(*args, input=None):
        return CliRunner().invoke(cli, [*args, "--db", str(db_path)], input=input, catch_exceptions=False)

    return invoke


def real(*args, input: bytes | None = None, cwd=None):
    """Run the installed command in a real process, as a user would."""
    return subprocess.run([sys.executable, "-m", "glossary", *args], input=input, capture_output=True, cwd=cwd)


def test_text_format_glosses_first_occurrence_and_lists_terms(run):
    result = run("annotate", "坚持新型举国体制。新型举国体制")
    assert result.exit_code == 0
    body, terms = result.output.split("── Terms (1) ──")
    assert body.strip() == "坚持新型举国体制〔xīnxíng jǔguó tǐzhì · new national system〕。新型举国体制"
    assert "新型举国体制  xīnxíng jǔguó tǐzhì  new national system  ×2  (xinxing-juguo-tizhi)" in terms


def test_stdin_file_and_argument_give_the_same_spans(run, tmp_path):
    text = "發展通用人工智慧"
    path = tmp_path / "in.txt"
    path.write_text(text, encoding="utf-8")
    outputs = [
        run("annotate", "--format", "json", text).output,
        run("annotate", "--format", "json", input=text).output,
        run("annotate", "--format", "json", "--file", str(path)).output,
        run("annotate", "--format", "json", str(path)).output,
    ]
    assert len({o for o in outputs}) == 1
    span = json.loads(outputs[0])["spans"][0]
    assert (span["start"], span["end"], span["text"], span["id"]) == (2, 8, "通用人工智慧", "tongyong-rengong-zhineng")


def test_line_broken_input_from_a_pdf(run):
    data = json.loads(run("annotate", "--format", "json", input="坚持新型举\n国体制\n").output)
    assert [(s["text"], s["start"], s["end"]) for s in data["spans"]] == [("新型举\n国体制", 2, 9)]


def test_markdown_and_html_formats(run):
    md = run("annotate", "--format", "markdown", "浪潮和大模型").output
    assert md.startswith(
        "**浪潮** (*Làngcháo*, Inspur; ambiguous, also: wave, tide)和**大模型** (*dàmóxíng*, large model)"
    )
    assert "| 大模型 | dàmóxíng | large model | 1 | `damoxing` |" in md
    html = run("annotate", "--format", "html", "大模型<script>alert(1)</script>").output
    assert '<a class="term" data-id="damoxing" href="http://127.0.0.1:8000/terms/damoxing"' in html  # absolute
    assert "<ruby>大模型<rt>dàmóxíng</rt></ruby>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_no_ambiguous_leaves_ambiguous_entries_out(run):
    assert "langchao" in run("annotate", "--format", "json", "浪潮来了").output
    assert json.loads(run("annotate", "--format", "json", "--no-ambiguous", "浪潮来了").output)["spans"] == []


def test_whole_text_pinyin_interlinear_and_tone_numbers(run):
    out = run("annotate", "--pinyin", "all", "我们发展大模型").output
    assert out.splitlines()[:2] == ["wǒmen fāzhǎn dàmóxíng", "我们发展大模型"]
    data = json.loads(run("annotate", "--pinyin", "all", "--tones", "numbers", "--format", "json", "发展大模型").output)
    assert [(t["text"], t["pinyin"], t["id"]) for t in data["reading"]] == [
        ("发展", "fa1zhan3", None),
        ("大模型", "da4mo2xing2", "damoxing"),
    ]
    traditional = run("annotate", "--pinyin", "all", "關於推動產業發展").output
    assert traditional.splitlines()[0] == "guānyú tuīdòng chǎnyè fāzhǎn"  # words grouped in either script
    html = run("annotate", "--pinyin", "all", "--format", "html", "发展大模型").output
    assert "<ruby>发展<rt>fāzhǎn</rt></ruby>" in html and "<ruby>大模型<rt>dàmóxíng</rt></ruby>" in html
    numbered = run("annotate", "--pinyin", "all", "--tones", "numbers", "--format", "html", "发展大模型").output
    assert "<ruby>发展<rt>fa1zhan3</rt></ruby>" in numbered  # the term's ruby in the same style as its line
    assert "<ruby>大模型<rt>da4mo2xing2</rt></ruby>" in numbered


def test_dictionary_glosses_are_kept_apart_from_curated_entries(run):
    data = json.loads(run("annotate", "--dictionary", "--format", "json", "政府发展大模型").stdout)
    assert [s["id"] for s in data["spans"]] == ["damoxing"]
    words = {d["text"]: d for d in data["dictionary"]}
    assert set(words) == {"政府", "发展"}
    assert words["政府"]["source"] == "CC-CEDICT" and words["政府"]["pinyin"] == "zhèngfǔ"
    assert "government" in "; ".join(words["政府"]["definitions"])
    text = run("annotate", "--dictionary", "政府发展大模型").output
    assert "General dictionary, CC-CEDICT, not curated" in text


def test_show_by_id_and_by_traditional_form(run):
    by_id = run("show", "xinxing-juguo-tizhi").output
    assert "new national system" in by_id and "Xinhua, March 5, 2023" in by_id
    assert "A sample article" in by_id
    assert run("show", "新型舉國體制").output == by_id
    data = json.loads(run("show", "--format", "json", "xinxing-juguo-tizhi").output)
    assert data["quotes"][0]["cites"] == "Xinhua, March 5, 2023"
    assert data["sources"]["sample-article"]["publication"] == "Test Review"


def test_search_and_export(run):
    assert run("search", "tongyong", "rengong").output.startswith("通用人工智能\ttōngyòng réngōng zhìnéng")
    exported = json.loads(run("export", "--format", "json").output)
    entry = next(e for e in exported["entries"] if e["id"] == "xinxing-juguo-tizhi")
    assert entry["quotes"][0]["text"].startswith("Beijing calls it")
    assert {s["id"] for s in exported["sources"]} == {"sample-article", "other-article"}
    import yaml

    assert yaml.safe_load(run("export", "--format", "yaml").output) == exported


@pytest.mark.parametrize(
    "args,input,message",
    [
        (["annotate"], b"", "no text to annotate"),
        (["annotate"], b"   \n", "no text to annotate: the input is empty"),
        (["annotate"], b"\xff\x00bad", "standard input is not UTF-8 text (byte 0xff at offset 0)"),
        (["show", "nothing-like-this"], None, "no entry for 'nothing-like-this'"),
        (["search", "zzzzqqq"], None, "no entry matches 'zzzzqqq'"),
    ],
)
def test_user_errors_are_one_line_with_exit_1(db_path, args, input, message):
    result = real(*args, "--db", str(db_path), input=input)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_unreadable_database_and_non_utf8_file(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite")
    result = real("annotate", "--db", str(junk), "人工智能")
    assert result.returncode == 1 and "cannot read" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
    assert junk.read_bytes() == b"this is not sqlite"
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("café".encode("latin-1"))
    result = real("annotate", "--file", str(latin), "--db", str(junk))
    assert result.returncode == 1 and "is not UTF-8 text" in result.stderr.decode()


def test_usage_errors_exit_2(db_path):
    assert real("annotate", "--format", "pdf", "x", "--db", str(db_path)).returncode == 2


def test_check_reports_problems_with_file_and_line(tmp_path, fixture_paths):
    import shutil

    entries = tmp_path / "entries"
    shutil.copytree(fixture_paths["entries"], entries)
    (entries / "bad.yaml").write_text("zh: 坏\npinyin: huài\nkind: nonsense\nen: bad\n", encoding="utf-8")
    args = [
        "check",
        "--entries",
        str(entries),
        "--sources",
        str(fixture_paths["sources"]),
        "--seeds",
        str(fixture_paths["seeds"]),
    ]
    result = real(*args)
    assert result.returncode == 1
    assert f"{entries / 'bad.yaml'}:3: kind 'nonsense' is not one of" in result.stdout.decode()
    (entries / "bad.yaml").unlink()
    assert real(*args).returncode == 0


def test_build_command_and_help_examples(tmp_path, fixture_paths):
    db = tmp_path / "built.sqlite"
    result = real(
        "build", "--db", str(db), "--entries", str(fixture_paths["entries"]), "--sources", str(fixture_paths["sources"])
    )
    assert result.returncode == 0 and "entries" in result.stdout.decode() and db.is_file()
    for command in ("annotate", "show", "search", "build", "check", "serve", "export", "import"):
        assert "Example" in real(command, "--help").stdout.decode()


GBK = "国家人工智能".encode("gbk")


@pytest.mark.parametrize("args", [["annotate", GBK], ["annotate", b"ok", GBK], ["search", GBK], ["show", GBK]])
def test_non_utf8_arguments_are_a_one_line_error(db_path, args):
    """A GBK argument (`glossary annotate "$(cat gbk.txt)"`) reaches Python as surrogate escapes."""
    result = real(*args, "--db", str(db_path))
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "Traceback" not in err and err.count("\n") == 1
    assert f"is not UTF-8 text (byte 0x{GBK[0]:02x} at offset" in err


def test_a_byte_order_mark_is_dropped_from_an_argument_as_from_a_file(run, tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff人工智能".encode())
    from_file = json.loads(run("annotate", "--format", "json", "--file", str(path)).output)
    from_argument = json.loads(run("annotate", "--format", "json", "\ufeff人工智能").output)
    assert from_argument == from_file
    assert [(s["start"], s["end"]) for s in from_file["spans"]] == [(0, 4)]
    assert "rengong-zhineng" in run("show", "\ufeff人工智能").output


@pytest.mark.parametrize(
    "data",
    [
        "坚持新型举国体制\r\n发展通用人工智能".encode(),
        b"\xef\xbb\xbf" + "坚持新型举国体制".encode(),  # UTF-8 with its mark
        "  <!DOCTYPE html><p>新型举国体制</p>".encode(),  # HTML in a .txt file
        "坚持新型举国体制".encode("gb18030"),
        "\ufeff坚持新型举国体制".encode("utf-16-le"),
        "\ufeff坚持新型举国体制".encode("utf-32-le"),
        b"%PDF-1.4 not really",
    ],
)
def test_a_plain_text_file_is_read_as_the_document_readers_read_it(data, tmp_path, run):
    """A UTF-8 .txt file skips the document readers' import; anything else still goes through them,
    and the text annotated is the same either way."""
    from glossary.cli import plain_utf8
    from glossary.formats.documents import DocumentError, read

    plain = plain_utf8(data, "notice.txt")
    try:
        expected = read(data, "notice.txt").text
    except DocumentError:
        expected = None
    assert plain is None or plain == expected
    assert (plain is not None) == (data.startswith((b"\xef\xbb\xbf", "坚".encode())))
    if plain is not None:  # the same output as through the readers (which --encoding asks for)
        path = tmp_path / "notice.txt"
        path.write_bytes(data)
        fast = run("annotate", "--format", "json", "--file", str(path))
        assert fast.exit_code == 0 and '"spans"' in fast.output
        assert fast.output == run("annotate", "--format", "json", "--encoding", "utf-8", "--file", str(path)).output
