"""The answering engine: a question in Chinese → an Answer whose every number is a checked fact, a
calculation over facts, or printed on a cited page; CANNOT_ANSWER when the report does not say.

Offline it matches the question against the stored facts (tables, 绩效) and the report's sentences;
with an LLM configured the model writes the answer from the retrieved chunks and matched facts and
the engine validates its citations and numbers (service/qa/llm_mode.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from schemas.answer import CANNOT_ANSWER, Answer, AnswerFact, Citation
from service.qa import match
from service.qa.facts import Document, FactRecord
from service.qa.lexicon import Lexicon, load, normalize
from service.qa.store import FactStore, MemoryStore, ReportFactStore, Retriever

STATUS_ZH = {
    "verified": "已核验",
    "residue": "核验通过（尾差在容差内）",
    "failed": "核验未通过",
    "unverified": "未核验",
    "unchecked": "未核验",
}
GOOD_WINDOW = 0.5  # a sentence window must cover this share of the question's weighted terms
CROSS_PREFIX = re.compile(
    r"^(哪个部门|哪些部门|哪个单位|各部门|各个部门|各单位|每个部门|四个报告|所有报告|各报告)"
)


Primary = tuple[Decimal, str, int, FactRecord | None]  # value, unit, page, the fact (None: prose)


@dataclass
class Candidate:
    """One document's answer with how sure the engine is (to choose among documents)."""

    answer: Answer
    score: float
    primary: Primary | None = None  # the one number that answers it (for tables across reports)


def _answer_fact(f: FactRecord) -> AnswerFact:
    assert f.value is not None
    return AnswerFact(
        doc_id=f.doc_id,
        table_id=f.table_id or None,
        row=f.row or None,
        column=f.column or None,
        value=f.value,
        unit=f.unit,
        page=f.page,
        bbox=f.bbox,
        status=f.status,  # type: ignore[arg-type]
    )


def _fact_citation(f: FactRecord) -> Citation:
    quote = " ".join(x for x in (f.table_title, f.row, f.column.split("/")[-1], f.printed) if x)
    return Citation(doc=f.doc, doc_id=f.doc_id, page=f.page, bbox=f.bbox, quote=quote)


def _window_citations(w: match.Window) -> list[Citation]:
    return [Citation(doc=w.doc.file_name, doc_id=w.doc.doc_id, page=p, quote=w.text) for p in w.pages]


def _pages(pages: list[int]) -> str:
    return "、".join(f"第{p}页" for p in sorted(set(pages)))


def _round_like(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _decimals(printed: str) -> int:
    return len(printed.split(".", 1)[1]) if "." in printed else 0


class Engine:
    """``Engine(settings).ask(question, doc=None) -> Answer``. Loads the stored reports once."""

    def __init__(
        self,
        settings: Any = None,
        *,
        facts: FactStore | None = None,
        retriever: Retriever | None = None,
        llm: Any = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.lexicon = lexicon or load()
        self.settings = settings
        if facts is None:
            if settings is None:
                raise ValueError("Engine needs settings or a fact store")
            facts = ReportFactStore(settings, self.lexicon)
        self.facts = facts
        self._retriever = retriever
        self.llm = llm
        if llm is None and settings is not None and getattr(settings, "llm_enabled", False):
            from service.qa.llm_mode import LLMAnswerer

            self.llm = LLMAnswerer.from_settings(settings)
        self._indexes: dict[str, match.SentenceIndex] = {}
        self._weights: match.Weights | None = None
        self._loaded_ids: tuple[str, ...] = ()

    # ------------------------------------------------------------ loading

    @property
    def mode(self) -> str:
        return "llm" if self.llm is not None else "offline"

    @property
    def model(self) -> str | None:
        return getattr(self.llm, "model_name", None) if self.llm is not None else None

    def documents(self) -> dict[str, Document]:
        docs = self.facts.documents()
        ids = tuple(sorted(docs))
        if ids != self._loaded_ids:
            self._indexes = {d: self._indexes.get(d) or match.SentenceIndex(docs[d].sentences) for d in ids}
            self._weights = match.Weights([ts for ix in self._indexes.values() for ts in ix.term_sets])
            self._loaded_ids = ids
        return docs

    def retriever(self) -> Retriever | None:
        if self._retriever is None and self.settings is not None:
            from service.index import Index

            self._retriever = Index(self.settings)
        return self._retriever

    def _names_to_drop(self, docs: dict[str, Document]) -> list[str]:
        names = ["部门", "单位", "我局", "本局", "商务局", "本部门"]
        for d in docs.values():
            dept = normalize(d.report.meta.department or "")
            if dept:
                names += [dept, _core(dept)]
        return [n for n in names if n]

    # ------------------------------------------------------------ asking

    def analyse(self, question: str, docs: dict[str, Document]) -> match.Query:
        known = self._weights.known if self._weights is not None else None
        return match.analyse(question, self.lexicon, self._names_to_drop(docs), known)

    def ask(self, question: str, doc: str | None = None) -> Answer:
        question = question.strip()
        docs = self.documents()
        if doc is not None:
            wanted = self.facts.resolve(doc)
            scope = {d: docs[d] for d in wanted if d in docs}
            if not scope:
                from service.errors import NotFoundError

                raise NotFoundError(f"“{doc}” 没有已核验的存储结果：请先运行 budgetqa ingest")
        else:
            scope = _named_documents(question, docs) or docs
        if not scope or not question:
            return self._declined(question)
        query = self.analyse(question, docs)
        if self.llm is not None:
            from service.qa.llm_mode import answer_with_llm

            return answer_with_llm(self, question, query, scope)
        return self.answer_offline(question, query, scope)

    def answer_offline(self, question: str, query: match.Query, scope: dict[str, Document]) -> Answer:
        across = len(scope) > 1 and bool(query.intents & {"across", "max", "min"})
        if across:
            return self._across(question, query, scope)
        candidates = [c for c in (self._one(question, query, d) for d in scope.values()) if c is not None]
        if not candidates:
            return self._declined(question)
        best = max(candidates, key=lambda c: c.score).answer
        if len(scope) == 1:
            return best
        # no report chosen or named: a figure several reports print is answered for each of them,
        # never with one report's number as if it were the answer
        if sum(1 for c in candidates if c.answer.facts) > 1:
            table = self._across(question, query, scope)
            if table.answerable:
                return table
        return _naming_the_report(best, scope)

    def _declined(self, question: str) -> Answer:
        return Answer(question=question, answer=CANNOT_ANSWER, answerable=False, mode="offline")

    # ------------------------------------------------------------ one document

    def _one(self, question: str, query: match.Query, doc: Document) -> Candidate | None:
        if not match.in_scope(query, doc, self.lexicon):
            return None
        assert self._weights is not None
        window = match.best_window(query, doc, self._indexes[doc.doc_id], self._weights, self.lexicon)
        good = window is not None and match.good_enough(query, window, GOOD_WINDOW)
        picked = match.pick_facts(match.match_facts(query, doc, self.lexicon))
        numeric_facts = [m.fact for m in picked if not m.fact.is_text]
        indicator = [m for m in picked if m.fact.table_id in ("PE", "PP", "B12", "B13") and m.fact.row]

        computed = self._computed(question, query, doc, picked, window if good else None)
        if computed is not None:
            return computed
        prose_first = bool(query.intents & {"why", "usage", "share", "rate", "change", "count", "exists"})
        tabular = window is not None and len(match.numbers_in(window.text)) > 8
        if numeric_facts and tabular and not prose_first:
            return self._from_facts(question, doc, numeric_facts)
        if window is not None and good and window_states(window, numeric_facts):
            return self._from_window(question, query, window, numeric_facts)
        if indicator and not prose_first:
            from_indicator = self._from_indicator(question, doc, indicator[0].fact)
            if from_indicator is not None:
                return from_indicator
        if numeric_facts and not prose_first:
            return self._from_facts(question, doc, numeric_facts)
        if window is not None and good:
            stated = [f for f in numeric_facts if window_states(window, [f])]
            return self._from_window(question, query, window, stated)
        if "exists" in query.intents:
            return self._empty_table(question, query, doc)
        return None

    def _from_window(
        self, question: str, query: match.Query, window: match.Window, facts: list[FactRecord]
    ) -> Candidate:
        assert self._weights is not None
        quote = _trim(match.focus(query, window, self._weights))
        text = f"{quote}（{_pages(window.pages)}）"
        answer = Answer(
            question=question,
            answer=text,
            citations=_window_citations(window) + [_fact_citation(f) for f in facts],
            facts=[_answer_fact(f) for f in facts],
        )
        primary: Primary | None = None
        if facts and facts[0].value is not None:
            f = facts[0]
            primary = (facts[0].value, f.unit, f.page, f)
        else:
            nums = [n for n in match.numbers_in(window.anchor.text) if n.unit in match.MONEY]
            if nums:
                primary = (nums[0].value, nums[0].unit, window.anchor.page, None)
        return Candidate(answer, window.score + 0.2 * bool(facts), primary)

    def _from_facts(self, question: str, doc: Document, facts: list[FactRecord]) -> Candidate:
        parts = []
        for f in facts:
            row = f.row if f.row and f.row != f.table_title else "合计"
            column = f.column.replace("/", "·")
            cell = f"“{row}”行“{column}”" if column else f"“{row}”"
            parts.append(
                f"《{f.table_title}》{cell}为 {f.shown()}（第{f.page}页，{STATUS_ZH.get(f.status, f.status)}）"
            )
        answer = Answer(
            question=question,
            answer="；".join(parts) + "。",
            citations=[_fact_citation(f) for f in facts],
            facts=[_answer_fact(f) for f in facts],
        )
        f = facts[0]
        return Candidate(answer, 0.55 + 0.01 * len(facts), (f.value, f.unit, f.page, f))  # type: ignore[arg-type]

    def _from_indicator(self, question: str, doc: Document, fact: FactRecord) -> Candidate | None:
        row = [
            f
            for f in doc.facts
            if f.table_id == fact.table_id
            and f.row == fact.row
            and f.subject == fact.subject
            and f.page == fact.page
        ]
        labels = {"target": "指标值", "actual": "实际完成值", "weight": "分值", "score": "得分"}
        shown = [
            f"{labels.get(f.field, f.column)} {f.shown()}" for f in row if f.field in labels and f.printed
        ]
        title = {
            "PE": "部门整体绩效自评表",
            "PP": "项目支出绩效自评表",
            "B12": "整体绩效目标表",
            "B13": "项目绩效目标汇总表",
        }
        text = f"{title.get(fact.table_id, fact.table_title)}中“{fact.row}”：{'，'.join(shown)}（第{fact.page}页）。"
        if not shown:
            return None
        numeric = [f for f in row if not f.is_text and f.field in labels]
        answer = Answer(
            question=question,
            answer=text,
            citations=[_fact_citation(f) for f in row if f.field in labels],
            facts=[_answer_fact(f) for f in numeric],
        )
        return Candidate(answer, 0.6)

    def _empty_table(self, question: str, query: match.Query, doc: Document) -> Candidate | None:
        for table in doc.report.tables.present():
            if table.empty_note and any(normalize(table.title)[:6] in v for v in query.variants):
                page = table.pages[0]
                answer = Answer(
                    question=question,
                    answer=f"没有：{table.title}为空表，{table.empty_note}（第{page}页）",
                    citations=[
                        Citation(doc=doc.file_name, doc_id=doc.doc_id, page=page, quote=table.empty_note)
                    ],
                )
                return Candidate(answer, 0.5)
        return None

    # ------------------------------------------------------------ computed answers

    def _computed(
        self,
        question: str,
        query: match.Query,
        doc: Document,
        picked: list[match.FactMatch],
        window: match.Window | None,
    ) -> Candidate | None:
        """差额 / 完成预算的百分比 from a budget and a final fact of the same item, in Decimal,
        rounded HALF_UP as the report rounds; the report's own figure shown beside it."""
        wants_gap = "change" in query.intents and {"budget", "final"} <= query.qualifiers
        wants_rate = "rate" in query.intents
        if not (wants_gap or wants_rate) or not picked:
            return None
        name = picked[0].name
        same = [
            m.fact
            for m in match.match_facts(query, doc, self.lexicon)
            if m.name == name and not m.fact.is_text
        ]
        budget = next((f for f in same if match.fact_kind(f) == "budget"), None)
        final = next(
            (
                f
                for f in same
                if match.fact_kind(f) == "final" and f.table_id == (budget.table_id if budget else "")
            ),
            None,
        )
        if budget is None or final is None or budget.value is None or final.value is None:
            return None
        decimals = max(_decimals(budget.printed), _decimals(final.printed))
        if wants_gap:
            result = _round_like(budget.value - final.value, decimals)
            calc = f"{budget.printed} − {final.printed} = {result} {final.unit}"
            verb = "少" if result >= 0 else "多"
            head = f"{name}决算数比预算数{verb} {abs(result)} {final.unit}"
            stated_unit = final.unit
        else:
            if budget.value == 0:
                return None
            result = _round_like(final.value / budget.value * 100, 2)
            calc = f"{final.printed} ÷ {budget.printed} × 100% = {result}%"
            head = f"{name}决算数完成预算的 {result}%"
            stated_unit = "%"
        text = f"{head}（按表计算：{calc}；第{final.page}页）"
        citations = [_fact_citation(budget), _fact_citation(final)]
        stated = _stated(window, stated_unit) if window is not None else None
        if stated is not None:
            value, printed, page = stated
            compare = _round_like(result, _decimals(printed))
            if compare == value:
                text += f"。报告文字所列 {printed}{'%' if stated_unit == '%' else ' ' + stated_unit}与计算一致（第{page}页）"
            else:
                text += (
                    f"。注意：报告文字所列为 {printed}{'%' if stated_unit == '%' else ' ' + stated_unit}（第{page}页），"
                    f"与按表计算的 {compare}{'%' if stated_unit == '%' else ' ' + stated_unit}不一致"
                )
                finding = _finding_for(doc, printed, page, {budget.page, final.page})
                if finding:
                    text += f"；核验发现 {finding}"
            assert window is not None
            citations += _window_citations(window)
        answer = Answer(
            question=question,
            answer=text + "。",
            citations=citations,
            facts=[_answer_fact(budget), _answer_fact(final)],
            calculation=calc,
        )
        return Candidate(answer, 0.9, (result, stated_unit, final.page, None))

    # ------------------------------------------------------------ across reports

    def _across(self, question: str, query: match.Query, scope: dict[str, Document]) -> Answer:
        sub = CROSS_PREFIX.sub("", normalize(question))
        for word in (
            self.lexicon.intents["across"] + self.lexicon.intents["max"] + self.lexicon.intents["min"]
        ):
            sub = sub.replace(normalize(word), "")
        sub_query = self.analyse(sub or question, scope)
        sub_query.intents -= {"across", "max", "min"}
        rows: list[tuple[Document, Candidate]] = []
        for doc in scope.values():
            cand = self._one(sub, sub_query, doc)
            if cand is not None and cand.primary is not None:
                rows.append((doc, cand))
        if not rows:
            return self._declined(question)
        lines = ["| 报告 | 数值 | 出处 |", "|---|---|---|"]
        citations: list[Citation] = []
        facts: list[AnswerFact] = []
        for doc, cand in rows:
            value, unit, page, fact = cand.primary  # type: ignore[misc]
            printed = fact.printed if fact is not None else _plain(value)
            lines.append(f"| {doc.label} | {printed} {unit} | 第{page}页 |")
            if fact is not None:
                citations.append(_fact_citation(fact))
                facts.append(_answer_fact(fact))
            else:
                quote = next((c.quote for c in cand.answer.citations if c.page == page), "")
                citations.append(Citation(doc=doc.file_name, doc_id=doc.doc_id, page=page, quote=quote))
        text = "\n".join(lines)
        if query.intents & {"max", "min"}:
            in_yuan: list[tuple[Decimal, Document, Candidate]] = []
            for d, c in rows:
                yuan = _yuan(c.primary[0], c.primary[1]) if c.primary else None
                if yuan is not None:
                    in_yuan.append((yuan, d, c))
            if in_yuan:
                pick = max if "max" in query.intents else min
                _, doc, cand = pick(in_yuan, key=lambda x: x[0])
                value, unit, page, fact = cand.primary  # type: ignore[misc]
                printed = fact.printed if fact is not None else _plain(value)
                word = "最多" if "max" in query.intents else "最少"
                kinds = {d.report.meta.kind for d, _ in rows}
                note = (
                    "（各报告年度、预算/决算口径不同，按各自报表数比较，金额折算为元）"
                    if len(kinds) > 1
                    else "（金额折算为元比较）"
                )
                text = f"{word}的是{doc.label}：{printed} {unit}（第{page}页）{note}\n" + text
        return Answer(question=question, answer=text, citations=citations, facts=facts)


# ---------------------------------------------------------------- helpers


def _core(department: str) -> str:
    core = re.sub(r"\(本级\)|商务局|局$", "", department)
    return re.sub(r"[市区县]$", "", core)


def _named_documents(question: str, docs: dict[str, Document]) -> dict[str, Document]:
    q = normalize(question)
    named = {}
    for doc_id, d in docs.items():
        core = _core(normalize(d.report.meta.department or ""))
        if len(core) >= 2 and core[-3:] in q:
            named[doc_id] = d
    return named


def window_states(window: match.Window, facts: list[FactRecord]) -> bool:
    """Whether every fact's value is printed in the window (in the fact's unit)."""
    if not facts:
        return True
    printed = [(n.value, n.unit) for n in match.numbers_in(window.text)]
    return all(any(v == f.value and (u == f.unit or not u) for v, u in printed) for f in facts)


def _stated(window: match.Window, unit: str) -> tuple[Decimal, str, int] | None:
    for sentence in window.sentences:
        for n in match.numbers_in(sentence.text):
            if n.unit == unit:
                return n.value, n.printed, sentence.page
    return None


def _finding_for(doc: Document, printed: str, page: int, fact_pages: set[int]) -> str | None:
    """The checker's failed finding about this stated figure, or else one that ties the sentence's
    page to the facts' table."""
    if doc.check is None:
        return None
    failed = [f for f in doc.check.findings if f.outcome == "FAIL"]
    for finding in failed:
        if any(op.page == page and op.value.rstrip("%") == printed for op in finding.operands):
            return f"{finding.rule_id}：{finding.message}"
    for finding in failed:
        pages = {op.page for op in finding.operands}
        if page in pages and pages & fact_pages:
            return f"{finding.rule_id}：{finding.message}"
    return None


def _yuan(value: Decimal, unit: str) -> Decimal | None:
    scale = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}.get(unit)
    return None if scale is None else value * scale


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _trim(text: str, limit: int = 160) -> str:
    """A long quote cut to the clauses around its numbers (never inside a number)."""
    text = re.sub(r"\s+(?=[\u4e00-\u9fff，。；：、（）])|(?<=[\u4e00-\u9fff，。；：、（）])\s+", "", text)
    return text if len(text) <= limit * 2 else text[: limit * 2].rsplit("，", 1)[0] + "……"


__all__ = ["Engine", "MemoryStore", "ReportFactStore"]


def _naming_the_report(answer: Answer, scope: dict[str, Document]) -> Answer:
    """The answer of one report among several, said to be that report's."""
    cited = {c.doc_id for c in answer.citations} | {f.doc_id for f in answer.facts}
    if len(cited) != 1 or not answer.answerable:
        return answer
    doc = scope.get(next(iter(cited)))
    if doc is None or answer.answer.startswith(doc.label):
        return answer
    return answer.model_copy(update={"answer": f"{doc.label}：{answer.answer}"})
