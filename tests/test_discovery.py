"""Discovery finds a formulation planted across several recent documents, and not ordinary words,
fragments of the formulation, or words the glossary already has."""

from __future__ import annotations

import random
import shutil

import pytest

from glossary import Glossary
from glossary.corpus import Corpus, collect
from glossary.discovery import discover, edges, ordinary, ordinary_vocabulary

BACKGROUND = [
    "今年经济运行总体平稳，就业形势保持稳定。",
    "各地加强安全生产检查，确保群众生命财产安全。",
    "农业生产形势良好，粮食产量再创新高。",
    "市场消费持续回暖，服务业增长较快。",
    "科技创新能力不断增强，企业研发投入增加。",
    "城市交通设施逐步完善，居民出行更加方便。",
    "教育事业稳步发展，学校办学条件明显改善。",
    "人工智能产业快速发展，算力基础设施加快建设。",
]
PLANTED = "澜湄数链共同体"
AROUND = [
    ("推进", "建设取得新进展。"),
    ("关于", "的合作文件正式签署。"),
    ("共建", "，各方积极响应。"),
    ("打造", "成为新的合作亮点。"),
    ("围绕", "开展交流活动。"),
    ("深化", "务实合作。"),
]


@pytest.fixture
def corpus(tmp_path, db_path):
    db = tmp_path / "terms.sqlite"
    shutil.copy(db_path, db)
    rng = random.Random(7)
    docs = tmp_path / "docs"
    docs.mkdir()
    for day in range(1, 9):  # the earlier period: ordinary news only
        text = "".join(rng.choice(BACKGROUND) for _ in range(30))
        (docs / f"202201{day:02d}.txt").write_text(text, encoding="utf-8")
    for day, (before, after) in enumerate(AROUND, 1):  # the recent period: the formulation appears
        text = "".join(rng.choice(BACKGROUND) for _ in range(30))
        text = text[:200] + before + PLANTED + after + text[200:] + "经济发展" + PLANTED + "。"
        (docs / f"202301{day:02d}.txt").write_text(text, encoding="utf-8")
    with Corpus(db) as corpus:
        corpus.add(collect([docs], source="test"))
        yield corpus


def test_discovery_finds_the_planted_formulation_and_not_ordinary_words(corpus, db_path):
    with Glossary.open(corpus.db_path, build=False) as glossary:
        found = discover(corpus, glossary, since="2023-01-01", min_docs=3, min_count=5)
    texts = [c.text for c in found.candidates]
    assert texts[0] == PLANTED
    top = found.candidates[0]
    assert (top.count, top.documents, top.earlier_count) == (12, 6, 0)
    assert top.first["date"] == "2023-01-01" and PLANTED in top.first["context"]
    assert len(top.examples) == 3 and all(PLANTED in e for e in top.examples)
    for word in ("经济", "发展", "经济发展", "人工智能", "算力", "数链共同体", "澜湄数链共同"):
        assert word not in texts  # ordinary words, glossary forms, and fragments of the formulation
    assert (found.since, found.until) == ("2023-01-01", "2023-01-06")


def test_nothing_rises_when_the_recent_period_says_what_the_earlier_said(corpus, db_path):
    with Glossary.open(corpus.db_path, build=False) as glossary:
        found = discover(corpus, glossary, since="2022-01-05", min_docs=3, min_count=5)
    assert PLANTED in [c.text for c in found.candidates]
    assert all(c.earlier_count == 0 or c.rise >= 1.5 for c in found.candidates)
    assert not any(c.text in BACKGROUND[0] for c in found.candidates)


def test_ordinary_vocabulary_and_framing():
    words, tags = ordinary_vocabulary()
    assert "经济" in words and tags["推动"] == "v"
    forms = {"高质量发展"}
    assert ordinary("经济", words, forms)  # a dictionary word
    assert ordinary("高质量发展", words, forms)  # already in the glossary
    assert ordinary("推动高质量发展", words, forms)  # a framing verb stuck to a glossary term
    assert ordinary("的新质生产", words, forms)  # starts with a particle
    assert ordinary("巴尔米拉", words, forms)  # a transcribed foreign name
    assert not ordinary("新质生产力", words, forms)


def test_edges_make_digits_and_column_brackets_fixed_neighbours():
    assert edges("2030年可持续发展议程，【数说】经济") == [
        ("年可持续发展议程", "0", ""),
        ("数说", "【", "】"),
        ("经济", "】", ""),
    ]
