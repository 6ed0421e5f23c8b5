"""Plain entry files are read without the YAML loader's node tree (a build reads 100,000 of them):
whatever the text, that reading gives exactly what the loader gives, values, types and lines, or
leaves the file to the loader."""

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.model import _line_index, _simple_yaml, read_yaml


def loader_reading(text: str):
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), (
            _line_index(node) if node is not None else {}
        )
    except yaml.YAMLError:
        return "error"
    finally:
        loader.dispose()


def same(text: str) -> None:
    fast = _simple_yaml(text)
    if fast is not None:
        slow = loader_reading(text)
        assert slow == fast, text
        assert [type(v) for v in slow[0].values()] == [type(v) for v in fast[0].values()], text


# pieces a line is made of: what YAML gives a meaning to, next to plain words in both scripts
PIECES = [
    "zh",
    "en",
    "tags",
    "a",
    "人工智能",
    "réngōng",
    "2017",
    "2017-05-01",
    "1.5",
    "0x1F",
    "yes",
    "No",
    "null",
    "~",
    "true",
    "on",
    "<<",
    "=",
    ":",
    ": ",
    " #",
    "#",
    "-",
    "- ",
    "  - ",
    "'",
    '"',
    "|",
    ">",
    "&a",
    "*a",
    "!!str ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "?",
    "%",
    "@",
    "`",
    " ",
    "  ",
    "\t",
    "\u3000",
    "\u2028",
    "\r",
    "...",
]
LINE = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=8))
def test_the_plain_reading_is_the_loaders_or_none(lines):
    same("\n".join(lines))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["zh", "pinyin", "en", "tags", "related", "first_attested", "Yes", "null", "zh"]),
            st.sampled_from(["", "人工智能", "a: b", "x #y", "2017", "true", "1e3", "'q'", "- x", "end:"]),
            st.lists(st.sampled_from(["cedict", "2019", "a b", "- c", "k: v", ""]), max_size=3),
            st.sampled_from(["", "  "]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_entry_shaped_files_are_read_as_the_loader_reads_them(fields):
    text = ""
    for key, value, items, indent in fields:
        text += f"{key}: {value}\n" if value or not items else f"{key}:\n"
        if not value:
            text += "".join(f"{indent}- {item}\n" for item in items)
    same(text)


def test_a_plain_entry_file_takes_the_fast_reading_with_its_lines(tmp_path):
    text = "zh: 算力\npinyin: suànlì\nkind: term\nen: computing power\nfirst_attested: 2017\n\ntags:\n- ai\n- data\n"
    assert _simple_yaml(text) == (
        {
            "zh": "算力",
            "pinyin": "suànlì",
            "kind": "term",
            "en": "computing power",
            "first_attested": 2017,
            "tags": ["ai", "data"],
        },
        {
            (): 1,
            ("zh",): 1,
            ("pinyin",): 2,
            ("kind",): 3,
            ("en",): 4,
            ("first_attested",): 5,
            ("tags",): 7,
            ("tags", 0): 8,
            ("tags", 1): 9,
        },
    )
    path = tmp_path / "suanli.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_yaml(path, []) == loader_reading(text)
