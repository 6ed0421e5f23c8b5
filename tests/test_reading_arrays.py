"""Pinyin for every word cuts a whole text at once in arrays (glossary/wordtable.py): the same words
as the run-by-run segmentation (Lexicon.segment) always gave, and numpy only loaded where it pays."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from glossary.reading import Token, reading

CORPUS = Path(__file__).resolve().parent.parent / "bench" / "corpus"

# A paragraph of the 2026 Guangdong government work report (bench/corpus), and the tokens the
# run-by-run segmentation gave it before the array path existed (recorded with that code on this
# fixture glossary; [一带一路] is the fixture's term). It has a six-character word (亚太经合组织), an
# idiom, Latin letters in brackets and quotation marks around the term.
PARAGRAPH = (
    "优化对外开放格局。深度融入共建“一带一路”，积极对接西部陆海新通道，加快中欧班列广州集结中心、深圳节点城市"
    "建设，拓展国际海运航线网络，加快汕头、湛江临港经济区建设。健全海外综合服务体系，推动境外经贸合作区拓展功能，"
    "引导产业链供应链合理有序跨境布局，培育更多源自广东、总部在广东的跨国公司。促进各市高标准建设国际一流的出入境、"
    "住宿、饮食、交通、游览、消费、医疗等全场景全链条服务体系，完善多语种标识、便捷化支付等服务，营造宾至如归的"
    "国际化环境。服务好保障好亚太经合组织（APEC）第三十三次领导人非正式会议，吸引集聚更多国际高端要素，积极促进"
    "全省有更多开放成果和合作成果。"
)
RECORDED = (
    "优化 对外开放 格局 。 深度 融入 共建 “ [一带一路] ”， 积极 对接 西部 陆海 新 通道 ， 加快 中欧 班列 "
    "广州 集结 中心 、 深圳 节点 城市 建设 ， 拓展 国际 海运 航线 网络 ， 加快 汕头 、 湛江 临港 经济区 "
    "建设 。 健全 海外 综合 服务体系 ， 推动 境外 经贸合作 区 拓展 功能 ， 引导 产业链 供应链 合理 有序 "
    "跨境 布局 ， 培育 更 多 源自 广东 、 总部 在 广东 的 跨国公司 。 促进 各市 高标准 建设 国际 一流 的 "
    "出入境 、 住宿 、 饮食 、 交通 、 游览 、 消费 、 医疗 等 全 场景 全 链条 服务体系 ， 完善 多语种 "
    "标识 、 便捷 化 支付 等 服务 ， 营造 宾至如归 的 国际化 环境 。 服务 好 保障 好 亚太经合组织 "
    "（APEC） 第三十三 次 领导人 非正式 会议 ， 吸引 集聚 更 多 国际 高端 要素 ， 积极 促进 全省 有 更 多 "
    "开放 成果 和 合作 成果 。"
)


def shown(tokens: list[tuple]) -> str:
    return " ".join(f"[{t.text}]" if t.span else t.text for t in map(Token._make, tokens))


@pytest.fixture
def lexicon(glossary):
    return glossary.annotator().lexicon


def test_a_real_paragraph_reads_as_before_in_arrays(glossary, lexicon, monkeypatch):
    monkeypatch.setattr(lexicon, "ARRAYS_AFTER", 0)
    tokens = reading(glossary.annotate(PARAGRAPH), lexicon)
    assert lexicon._table is not None  # the array path ran
    assert shown(tokens) == RECORDED
    assert "".join(t.text for t in map(Token._make, tokens)) == PARAGRAPH
    readings = {t.text: t.pinyin for t in map(Token._make, tokens)}
    assert readings["亚太经合组织"] == "yàtàijīnghézǔzhī" and readings["宾至如归"] == "bīnzhìrúguī"
    assert readings["一带一路"] == "Yīdài Yīlù"  # the curated reading wins
    assert readings["（APEC）"] is None


@pytest.mark.parametrize(
    "text",
    [
        PARAGRAPH,
        "",
        "APEC 2026",
        "人工智能",  # one term, nothing else
        "发展人工智能大模型",  # terms side by side
        "坚持中华人民共和国宪法，𠀀𪚥字不在词典里。",  # an eight-character word; characters no word has
        "關於推動產業發展，發展通用人工智慧。",  # traditional script
        "第一行\n第二行 行长说：“银行的行长”\n",
        "哈哈哈哈哈，嘻嘻嘻嘻",  # two ways through with the same score (哈|哈哈 and 哈哈|哈): the exact programme
        "发展" * 700,  # one run longer than LONG_RUN
    ],
)
def test_array_cuts_are_the_run_by_run_cuts(glossary, lexicon, text):
    spans = [(s.start, s.end) for s in glossary.annotate(text).spans]
    assert lexicon.pieces(text, spans, arrays=True) == lexicon.pieces(text, spans, arrays=False)


def test_array_cuts_are_the_run_by_run_cuts_over_a_whole_report(glossary, lexicon):
    text = (CORPUS / "2026_guangdong_gov_work_report.txt").read_text(encoding="utf-8")
    spans = [(s.start, s.end) for s in glossary.annotate(text).spans]
    bounds, kinds = lexicon.pieces(text, spans, arrays=True)
    assert (bounds, kinds) == lexicon.pieces(text, spans, arrays=False)
    assert len(bounds) > len(text) // 3  # words, not runs


def test_a_short_text_does_not_load_numpy(db_path):
    """A one-off `glossary annotate --pinyin all` of a sentence must not pay numpy's import; a
    process that has read ARRAYS_AFTER characters (a server) goes on in arrays."""
    script = f"""
import sys
from glossary import Glossary
from glossary.reading import reading
with Glossary.open({str(db_path)!r}, build=False) as glossary:
    lexicon = glossary.annotator().lexicon
    first = reading(glossary.annotate("我们发展人工智能大模型"), lexicon)
    print("numpy" in sys.modules)
    lexicon.pieces("发展" * (lexicon.ARRAYS_AFTER // 2), [])
    again = reading(glossary.annotate("我们发展人工智能大模型"), lexicon)
    print("numpy" in sys.modules, again == first)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True"]


def test_glossary_forms_the_base_lacks_cut_alike(db_path, lexicon):
    """The word table holds the base lexicon only (built once per database); the glossary's forms
    come from the small forms trie rebuilt at each edit: forms jieba lacks, of one to eight
    characters, some of characters no jieba word has, must cut in arrays as run by run."""
    import marisa_trie

    from glossary.segment import GLOSSARY_FREQ, Lexicon
    from glossary.store import Store

    forms = ["算力券", "找算力", "𠀀𪚥", "𪚥", "新质生产力促进", "数据要素市场化配置", "咕咕咕咕咕"]
    forms = [f for f in forms if f not in lexicon.trie]
    with Store(db_path) as store:
        base_total = int(store.meta["lexicon_base_total"])
    table_file = lexicon._table_file
    assert table_file is not None
    edited = Lexicon(lexicon.trie, base_total + GLOSSARY_FREQ * len(forms), marisa_trie.Trie(forms), table_file)
    text = (
        "发放算力券，企业找算力不难。𠀀𪚥字、𪚥字在此。发展新质生产力促进会，推进数据要素市场化配置改革，"
        "咕咕咕咕咕咕咕叫。" + PARAGRAPH
    )
    arrays = edited.pieces(text, [], arrays=True)
    assert arrays == edited.pieces(text, [], arrays=False)
    words = {text[a:b] for a, b in zip(arrays[0], arrays[0][1:], strict=False)}
    assert {"算力券", "找算力", "𠀀𪚥", "新质生产力促进"} <= words  # the forms are words here
    # and without them (the base alone), these cut otherwise: the forms were looked up
    plain = Lexicon(lexicon.trie, base_total, None, table_file).pieces(text, [], arrays=True)
    assert plain != arrays


def test_close_choices_are_settled_by_the_exact_programme(glossary, lexicon, monkeypatch):
    """Pieces are scored from their own ends (glossary.wordtable._best_cuts): where two ways
    through a run score within rounding of each other, the run is cut by the whole-run programme,
    as Lexicon.segment cuts it; elsewhere that programme is not run at all."""
    from glossary import wordtable

    runs: list[int] = []
    exact = wordtable._exact_cuts
    monkeypatch.setattr(wordtable, "_exact_cuts", lambda *args: runs.append(len(args[1])) or exact(*args))
    assert lexicon.pieces(PARAGRAPH, [], arrays=True) == lexicon.pieces(PARAGRAPH, [], arrays=False)
    assert runs == []
    text = "他笑道：哈哈哈哈哈。"
    assert lexicon.pieces(text, [], arrays=True) == lexicon.pieces(text, [], arrays=False)
    assert runs == [1]
