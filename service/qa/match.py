"""Matching a question to a report: what the question asks (intents, qualifiers, the unit it wants),
the sentence windows that state it, and the facts it names. Pure functions over service.qa.facts."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from service.qa.facts import Document, FactRecord, Sentence
from service.qa.lexicon import Lexicon, normalize, years_in

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?%?")
NUMBER = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(万元|亿元|元|%|％|分|人次|批次|个|辆|张|人|名|家|次|台|套|项|份|平方米|倍|批|亿|万)?"
)
_LEVEL_MARK = re.compile(r"\((类|款|项)\)")
# one-character words that never sit inside a term of a question (的, 了 …): they split it
SPLITTERS = re.compile(r"[的了吗呢啊和与及各是为都还在哪些没]")
_YEARLIKE = re.compile(r"^(19|20)\d{2}$")
_RATE_TERM = re.compile(r"([\u4e00-\u9fff]{2}率)")  # 执行率, 核销率, 得分率: the metric itself
_CHANGE_WORDS = ("增加", "减少", "增长", "下降", "持平", "减", "增", "少", "多")
MONEY = ("元", "万元", "亿元")


def to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Number:
    value: Decimal
    printed: str
    unit: str
    start: int


def numbers_in(text: str) -> list[Number]:
    """Numbers printed in a text with the unit after them; years (2021年) and list ordinals are not."""
    out = []
    for m in NUMBER.finditer(text):
        printed, unit = m.group(1), (m.group(2) or "").replace("％", "%")
        after = text[m.end() : m.end() + 1]
        if unit == "" and after in ("年", "月", "日", "号", "、", ".", "．"):
            continue
        if _YEARLIKE.match(printed) and unit in ("", "年"):
            continue
        value = to_decimal(printed)
        if value is not None:
            out.append(Number(value, printed, unit, m.start()))
    return out


def terms(text: str) -> set[str]:
    """Character bigrams of the Chinese runs (single characters for one-character runs) and whole
    numbers: what sentences and questions are compared by."""
    out: set[str] = set()
    text = _LEVEL_MARK.sub(r"\1", text)  # 招商引资(项) reads as 招商引资项
    for run in _CJK_RUN.findall(text):
        if run[0].isdigit():
            if not _YEARLIKE.match(run):
                out.add(run)
        elif len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


@dataclass
class Query:
    question: str
    variants: list[str]  # the normalised question and its synonym-substituted forms
    fact_variants: list[str]  # the same without department names (a unit's row is not its total)
    term_sets: list[set[str]]
    intents: set[str]
    qualifiers: set[str]
    asked_unit: str | None
    years: list[int]
    rate_terms: list[str]
    wants_number: bool

    @property
    def text(self) -> str:
        return self.variants[0]


def analyse(
    question: str, lexicon: Lexicon, names_to_drop: list[str], known: Callable[[str], bool] | None = None
) -> Query:
    """What a question asks. ``known`` says whether a term occurs in the reports: a bigram made with
    a one-character question word (是, 有, 的 …) counts only when the reports use it (保有量 yes, 量是 no)."""
    q = normalize(question)
    variants = [q]
    for term, alts in lexicon.synonyms.items():
        for alt in sorted(alts, key=len, reverse=True):
            a = normalize(alt)
            if a in q and normalize(term) not in q:
                variants.append(q.replace(a, normalize(term)))
                break
    # a metric's own name (增长率) is not a request for a change
    intents = lexicon.intents_of(re.sub(r"[\u4e00-\u9fff]{0,6}(增长|下降)率", "", question))
    drop = sorted(names_to_drop, key=len, reverse=True)
    fact_variants = []
    for v in variants:
        for name in drop:
            if len(name) >= 3:
                v = v.replace(name, "|")
        fact_variants.append(v)
    content = []
    for v in variants:
        text = re.sub(r"20\d{2}年?", " ", v)
        for name in sorted(names_to_drop, key=len, reverse=True):
            text = text.replace(name, " ")
        # what kind of answer is wanted is scored apart (anchor_fits), not as a term to find
        cue_words = [w for kind, ws in lexicon.intents.items() if kind != "numeric" for w in ws]
        cue_words += lexicon.qualifiers["previous"]
        for w in sorted(cue_words, key=len, reverse=True):
            text = text.replace(normalize(w), " ")
        content.append(SPLITTERS.sub(" ", lexicon.strip_stopwords(text)))
    singles = {w for w in lexicon.stopwords if len(w) == 1}

    def useful(term: str) -> bool:
        if term in singles:
            return False
        if any(ch in singles for ch in term):
            return known is not None and known(term)
        return True

    if "rate" in intents:  # 完成预算的百分比 is a rate, not a share of something
        intents.discard("share")
    rate_terms = [
        t
        for t in _RATE_TERM.findall(SPLITTERS.sub(" ", q))
        if not t.startswith(("增长", "下降", "增加", "减少", "完成", "比"))
    ]
    wants_number = bool(intents & {"numeric", "count", "share", "rate", "change", "percent"}) and not (
        intents & {"why", "usage"}
    )
    return Query(
        question=question,
        variants=variants,
        fact_variants=fact_variants,
        term_sets=[{t for t in terms(c) if useful(t)} for c in content],
        intents=intents,
        qualifiers=lexicon.qualifiers_of(question),
        asked_unit=lexicon.asked_unit(question),
        years=years_in(question),
        rate_terms=rate_terms,
        wants_number=wants_number,
    )


def good_enough(query: Query, window: Window, threshold: float) -> bool:
    """A window answers when it covers enough of the question; a named metric (得分率, 核销率)
    printed in it with its percentage lowers the bar."""
    if query.rate_terms and all(t in normalize(window.text) for t in query.rate_terms):
        return window.coverage >= threshold * 0.7
    return window.coverage >= threshold


class Weights:
    """Inverse document frequency of terms over every sentence the engine knows."""

    def __init__(self, sentence_terms: list[set[str]]) -> None:
        df: Counter[str] = Counter()
        for ts in sentence_terms:
            df.update(ts)
        self.n = max(1, len(sentence_terms))
        self.df = df

    def known(self, term: str) -> bool:
        return term in self.df

    def __call__(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))


@dataclass
class Window:
    doc: Document
    sentences: list[Sentence]
    anchor: Sentence  # the sentence holding the answer
    score: float
    coverage: float

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentences)

    @property
    def pages(self) -> list[int]:
        return sorted({p for s in self.sentences for p in s.pages})


@dataclass
class SentenceIndex:
    """One document's sentences with their term sets."""

    sentences: list[Sentence]
    term_sets: list[set[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.term_sets = [terms(s.norm) for s in self.sentences]


def _coverage(qterms: set[str], sterms: set[str], weight: Weights) -> float:
    total = sum(weight(t) for t in qterms)
    if not total:
        return 0.0
    return sum(weight(t) for t in qterms & sterms) / total


def _unit_ok(nums: list[Number], unit: str, lexicon: Lexicon) -> bool:
    aliases = lexicon.unit_aliases.get(unit, [unit])
    return any(n.unit in aliases for n in nums)


def anchor_fits(query: Query, sentence: Sentence, window_text: str, lexicon: Lexicon) -> float | None:
    """How well a sentence can hold the answer: None when it cannot, else a small bonus or malus."""
    nums = numbers_in(sentence.text)
    bonus = 0.0
    if "why" in query.intents or "usage" in query.intents:
        cue = "原因" if "why" in query.intents else "用于"
        if cue not in window_text:
            return None
        return 0.1
    if query.wants_number and not nums:
        return None
    if query.asked_unit and not _unit_ok(nums, query.asked_unit, lexicon):
        return None
    wants_percent = bool(query.intents & {"share", "rate", "percent"} or query.rate_terms)
    if wants_percent and not query.intents & {"count"} and not any(n.unit == "%" for n in nums):
        return None
    if "share" in query.intents and not re.search(r"占|比重|比例", sentence.text):
        return None  # a share is stated as 占 …%, not as a completion rate
    for term in query.rate_terms:
        if term not in normalize(window_text):
            return None
    for kind in query.intents & {"share", "rate", "change", "count"}:
        if any(normalize(w) in normalize(window_text) for w in lexicon.intents[kind]):
            bonus += 0.04
    if "change" in query.intents and any(w in sentence.text for w in _CHANGE_WORDS):
        bonus += 0.05
    elif "change" not in query.intents and re.search(r"(与|较|比)(上年|20\d\d)", sentence.norm):
        bonus -= 0.05
    if "exists" in query.intents and re.search(r"没有|无|未", sentence.text):
        bonus += 0.1
    if "budget" in query.qualifiers and "预算" in sentence.text:
        bonus += 0.03
    if "final" in query.qualifiers and "决算" in sentence.text:
        bonus += 0.03
    if any(n.unit in MONEY for n in nums) and not (query.intents & {"count", "share", "rate"}):
        bonus += 0.02
    return bonus


def _context_ok(sentence: Sentence) -> bool:
    """A sentence that may stand before the answer as its subject: a short heading or lead-in,
    not another item's figures or reasons."""
    return len(sentence.norm) <= 90 and "原因" not in sentence.norm


def best_window(
    query: Query, doc: Document, index: SentenceIndex, weight: Weights, lexicon: Lexicon
) -> Window | None:
    """The best run of up to three sentences that ends in one able to hold the answer (for a why
    question: the sentence giving the reason)."""
    best: Window | None = None
    sents = index.sentences
    why = bool(query.intents & {"why", "usage"})
    cue = "原因" if "why" in query.intents else "用于"
    for hi, anchor in enumerate(sents):
        if why and cue not in anchor.norm:
            continue
        for lo in (hi, hi - 1, hi - 2):
            if lo < 0 or (lo < hi and not all(_context_ok(x) or why for x in sents[lo:hi])):
                break
            union = set().union(*index.term_sets[lo : hi + 1])
            coverage = max(_coverage(qt, union, weight) for qt in query.term_sets)
            window = sents[lo : hi + 1]
            text = "".join(x.text for x in window)
            fit = anchor_fits(query, anchor, text, lexicon)
            if fit is None:
                continue
            score = coverage + fit - (0.04 if why else 0.08) * (hi - lo)
            if best is None or score > best.score + 1e-9:
                best = Window(doc, window, anchor, score, coverage)
    return best


def focus(query: Query, window: Window, weight: Weights, limit: int = 110) -> str:
    """The quote: short windows whole; in a long one, the lead-in and the clauses (split at ；)
    that match the question, with enumerations after 主要包括 cut."""
    text = window.text
    if len(text) <= limit:
        return text
    lead = ""
    body = text
    if len(window.sentences) > 1:
        lead = "".join(x.text for x in window.sentences[:-1])
        body = window.sentences[-1].text
    head, sep, rest = body.partition("：")
    if not sep or len(head) > 60:
        head, rest = "", body
    parts = [x for x in re.split(r"(?<=[；;])", rest) if x.strip()]
    scored = []
    for part in parts:
        pt = terms(normalize(part))
        scored.append(max(_coverage(qt, pt, weight) for qt in query.term_sets))
    keep = [p for p, c in zip(parts, scored, strict=True) if c >= 0.25] or (
        [parts[scored.index(max(scored))]] if parts else []
    )
    if "usage" not in query.intents:
        keep = [re.sub(r"(主要包括|主要用于)[:：][^；;。]*", r"\1……", p) for p in keep]
    quoted = "".join(keep)
    return (lead + (head + "：" if head else "") + quoted).strip()


# ---------------------------------------------------------------- facts

_TABLE_ORDER = [
    *(f"T{n:02d}" for n in (1, 3, 2, 5, 4, 7, 6, 8, 9, 10)),
    *(f"B{n:02d}" for n in (1, 3, 2, 5, 4, 8, 6, 7, 9, 10, 11)),
    "PE",
    "PP",
    "PT",
    "B12",
    "B13",
]


SHORT_NAMES = {"总分"}  # two-character names specific enough to answer from
_NAME_FIELDS = {"total", "basic", "basic_total", "project", "project_total", "amount"}


@dataclass
class FactMatch:
    fact: FactRecord
    name: str
    span: tuple[int, int]  # where the name sits in the question
    score: float


def _lcs(a: str, b: str) -> int:
    """Length of the longest common substring (short strings: a simple DP)."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0] * (len(b) + 1)
        for j, ch2 in enumerate(b, 1):
            if ch == ch2:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def fact_kind(fact: FactRecord) -> str:
    """budget / final / other: which half or column of its table a fact is."""
    where = fact.column + "|" + fact.row
    if fact.field in ("initial",) or ("预算" in where and "决算" not in where):
        return "budget"
    if fact.field in ("full_year",):
        return "adjusted"
    if "决算" in where or fact.field == "executed":
        return "final"
    return "other"


def match_facts(query: Query, doc: Document, lexicon: Lexicon) -> list[FactMatch]:
    """Facts whose name the question uses, best first."""
    matches: list[FactMatch] = []
    field_bonus_words = {f: [normalize(w) for w in ws] for f, ws in lexicon.field_names.items()}
    default_kind = "budget" if doc.report.meta.kind == "预算" else "final"
    wanted = {k for k in query.qualifiers if k in ("budget", "final", "adjusted")} or {default_kind}
    for fact in doc.facts:
        for name in fact.names:
            for variant in query.fact_variants:
                at = variant.find(name)
                if at < 0:
                    continue
                score = float(len(name))
                if fact.subject:
                    subject = normalize(fact.subject)
                    overlap = _lcs(subject, variant)
                    if overlap < 4 and "项目" in variant and "项目" not in name:
                        continue  # the question names a project; this fact is another's
                    score += overlap / 2 if overlap >= 4 else -1
                if fact.field not in _NAME_FIELDS and any(
                    w and w in variant for w in field_bonus_words.get(fact.field, [])
                ):
                    score += 1.5
                kind = fact_kind(fact)
                if kind in wanted:
                    score += 1
                elif kind != "other":
                    score -= 1
                if fact.value == 0 and not fact.is_text:
                    score -= 0.2
                if fact.status == "verified":
                    score += 0.1
                order = _TABLE_ORDER.index(fact.table_id) if fact.table_id in _TABLE_ORDER else 99
                score -= order * 0.01
                matches.append(FactMatch(fact, name, (at, at + len(name)), score))
                break
    matches.sort(key=lambda m: m.score, reverse=True)
    return matches


def pick_facts(matches: list[FactMatch], limit: int = 4) -> list[FactMatch]:
    """The best fact per named thing: non-overlapping names, longest and best-scored first."""
    chosen: list[FactMatch] = []
    for m in sorted(matches, key=lambda m: (len(m.name), m.score), reverse=True):
        if len(m.name) < 3 and m.name not in SHORT_NAMES:
            continue
        if any(not (m.span[1] <= c.span[0] or m.span[0] >= c.span[1]) for c in chosen):
            # the same name again: keep only if it is the better-scored fact for that name
            continue
        best_for_name = max((x for x in matches if x.name == m.name), key=lambda x: x.score)
        chosen.append(best_for_name)
        if len(chosen) >= limit:
            break
    chosen.sort(key=lambda m: m.span[0])
    return chosen


def in_scope(query: Query, doc: Document, lexicon: Lexicon) -> bool:
    """False when the question is about a year or a kind of figure this report does not hold."""
    meta = doc.report.meta
    if meta.year and query.years:
        allowed = {meta.year, meta.year - 1}
        if any(y not in allowed for y in query.years):
            return False
        if all(y == meta.year - 1 for y in query.years) and not (query.intents & {"change"}):
            return False
    # a budget report states no 决算 / 实际 figures
    budget_only = meta.kind == "预算"
    return not (budget_only and any(normalize(w) in query.text for w in lexicon.decline_if_budget_report))
