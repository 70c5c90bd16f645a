"""Scoring answers against eval/qa/questions.jsonl. Pure metric functions: no engine, no I/O except
``load_questions``.

A question is **correct** when every expected item is in the answer (a number matches by value and
unit, with 元 ↔ 万元 converted exactly; a phrase matches as text; ``a|b`` means either) and at least
one citation is on a gold page of a gold report. An unanswerable question is correct only when the
answer is declined (answerable false, the CANNOT_ANSWER sentence, no number). **Grounded** means
every number in the answer text is one of its facts, printed on a cited page, or the result of its
shown calculation."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions.jsonl"

NUMBER = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(万元|亿元|元|%|％|分|人次|批次|个|辆|张|人|名|家|次|台|套|项|份|平方米|倍|批|亿|万)?"
)
PAGE_REF = re.compile(r"第\s*\d+\s*页|第\s*\d+\s*[-–]\s*\d+\s*页")
YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?=\s*年)")
SCALE = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
UNIT_ALIASES = {"批次": {"批次", "批"}, "批": {"批次", "批"}, "个": {"个", "项"}, "人": {"人", "名"}}


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def numbers(text: str) -> list[tuple[Decimal, str]]:
    """(value, unit) of every number in a text, without page references and years."""
    text = PAGE_REF.sub(" ", text)
    out = []
    for m in NUMBER.finditer(text):
        if YEAR.match(text, m.start()) and not m.group(2):
            continue
        value = _decimal(m.group(1))
        if value is not None:
            out.append((value, (m.group(2) or "").replace("％", "%")))
    return out


def _same(a: tuple[Decimal, str], b: tuple[Decimal, str]) -> bool:
    (va, ua), (vb, ub) = a, b
    if ua in SCALE and ub in SCALE:
        return va * SCALE[ua] == vb * SCALE[ub]
    return va == vb and (ua == ub or ub in UNIT_ALIASES.get(ua, set()))


def _compact(text: str) -> str:
    return re.sub(r"[\s“”\"',，]", "", text).replace("（", "(").replace("）", ")")


def item_found(item: str, answer_text: str) -> bool:
    """One expected item (alternatives split by |) in the answer."""
    found = numbers(answer_text)
    for alt in item.split("|"):
        wanted = NUMBER.fullmatch(alt.strip())
        if wanted and wanted.group(2):
            value = _decimal(wanted.group(1))
            if value is not None and any(_same((value, wanted.group(2)), got) for got in found):
                return True
        elif _compact(alt) in _compact(answer_text):
            return True
    return False


def gold_pages(question: dict[str, Any]) -> dict[str, set[int]]:
    pages = question["pages"]
    if isinstance(pages, dict):
        return {k: set(v) for k, v in pages.items()}
    return {question["fixture"]: set(pages)} if question["fixture"] else {}


def page_hit(question: dict[str, Any], answer: dict[str, Any], fixture_of: Callable[[str], str]) -> bool:
    gold = gold_pages(question)
    return any(c["page"] in gold.get(fixture_of(c["doc_id"]), set()) for c in answer["citations"])


def declined(answer: dict[str, Any], cannot: str) -> bool:
    return not answer["answerable"] and cannot in answer["answer"] and not numbers(answer["answer"])


def correct(
    question: dict[str, Any], answer: dict[str, Any], fixture_of: Callable[[str], str], cannot: str
) -> bool:
    if question.get("answerable", True) is False:
        return declined(answer, cannot)
    if not answer["answerable"]:
        return False
    return all(item_found(i, answer["answer"]) for i in question["expect"]) and page_hit(
        question, answer, fixture_of
    )


def ungrounded(answer: dict[str, Any], page_text: Callable[[str, int], str]) -> list[str]:
    """Numbers in the answer that are neither a fact of it, printed on a cited page, nor the
    result of its calculation (page_text(doc_id, page) gives a page's text)."""
    allowed = [(Decimal(str(f["value"])), f["unit"]) for f in answer["facts"]]
    for c in answer["citations"]:
        text = page_text(c["doc_id"], c["page"])
        allowed += numbers(text) + numbers(text.replace("\n", ""))  # numbers wrapped across lines
    if answer.get("calculation"):
        allowed += numbers(answer["calculation"])
    bad = []
    for value, unit in numbers(answer["answer"]):
        if not any(
            v == value and (u == unit or not u or not unit or _same((v, u), (value, unit)))
            for v, u in allowed
        ):
            bad.append(f"{value}{unit}")
    return bad


@dataclass
class Score:
    by_type: dict[str, list[bool]]
    failures: list[str]
    ungrounded: list[str]

    @property
    def total(self) -> tuple[int, int]:
        flat = [x for v in self.by_type.values() for x in v]
        return sum(flat), len(flat)

    def table(self) -> str:
        lines = [f"{'type':<14}{'correct':>9}{'of':>5}{'share':>9}"]
        for kind in sorted(self.by_type):
            ok = self.by_type[kind]
            lines.append(f"{kind:<14}{sum(ok):>9}{len(ok):>5}{sum(ok) / len(ok):>9.0%}")
        good, n = self.total
        lines.append(f"{'all':<14}{good:>9}{n:>5}{good / n:>9.1%}")
        return "\n".join(lines)


def score(
    pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]],
    fixture_of: Callable[[str], str],
    page_text: Callable[[str, int], str],
    cannot: str,
) -> Score:
    by_type: dict[str, list[bool]] = defaultdict(list)
    failures, loose = [], []
    for q, a in pairs:
        ok = correct(q, a, fixture_of, cannot)
        by_type[q["type"]].append(ok)
        if not ok:
            failures.append(
                f"{q['id']} {q['question']} → {a['answer'][:160]} {[c['page'] for c in a['citations']]}"
            )
        bad = ungrounded(a, page_text)
        if bad:
            loose.append(f"{q['id']}: {bad} in {a['answer'][:120]}")
    return Score(dict(by_type), failures, loose)
