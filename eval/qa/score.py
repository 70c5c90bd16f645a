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
from decimal import Decimal
from pathlib import Path
from typing import Any

from eval.metrics import Amount, quantities, quantity, with_unit

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions.jsonl"


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _compact(text: str) -> str:
    return re.sub(r"[\s“”\"',，]", "", text).replace("（", "(").replace("）", ")")


def item_found(item: str, answer_text: str) -> bool:
    """One expected item (alternatives split by |) in the answer."""
    found = quantities(answer_text)
    for alt in item.split("|"):
        wanted = quantity(alt)
        if wanted is not None:
            if any(wanted.same(got) for got in found):
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
    return not answer["answerable"] and cannot in answer["answer"] and not quantities(answer["answer"])


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
    allowed = [with_unit(Decimal(str(f["value"])), f["unit"]) for f in answer["facts"]]
    for c in answer["citations"]:
        text = page_text(c["doc_id"], c["page"])
        allowed += quantities(text) + quantities(text.replace("\n", ""))  # numbers wrapped across lines
    if answer.get("calculation"):
        allowed += quantities(answer["calculation"])
    bad = []
    for stated in quantities(answer["answer"]):
        if not any(_grounds(source, stated) for source in allowed):
            bad.append(f"{stated.printed}{'' if stated.kind == 'number' else stated.kind}")
    return bad


def _grounds(source: Amount, stated: Amount) -> bool:
    """A number printed without its unit (a table cell) grounds the same number stated with one."""
    loose = "number" in (source.kind, stated.kind)
    return source.same(stated) or (loose and source.printed == stated.printed)


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
