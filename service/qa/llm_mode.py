"""LLM mode: the model answers from the retrieved chunks and the matched facts, citing their ids
through structured output; the engine keeps only citations it gave, checks every number of the
answer against the cited facts and chunks, and never lets the model change a number the facts give.

Report text that addresses a model is removed before the model sees it (service/qa/guard.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from schemas.answer import CANNOT_ANSWER, Answer, Citation
from service.qa import guard, match
from service.qa.facts import Document, FactRecord

if TYPE_CHECKING:
    from service.qa.engine import Engine

CHUNKS = 6
CHUNK_CHARS = 700


class ModelAnswer(BaseModel):
    """What the model returns (structured output)."""

    answer: str = Field(description="回答（简体中文）；材料没有说明时只写：" + CANNOT_ANSWER)
    citations: list[str] = Field(default_factory=list, description="所用材料的编号，如 C1、F2")
    answerable: bool = Field(default=True, description="材料是否说明了这一问题")


@dataclass
class Source:
    sid: str
    citation: Citation
    text: str  # what the model was shown (instructions removed)
    fact: FactRecord | None = None


class LLMAnswerer:
    """One structured request per question through service.llm (the only langchain importer)."""

    def __init__(self, client: Any) -> None:
        from service import prompting

        self.client = client
        self.model_name = getattr(client, "model_name", None)
        self.prompt = prompting.load("answer")

    @classmethod
    def from_settings(cls, settings: Any) -> LLMAnswerer:
        from service.llm import LLMClient

        return cls(LLMClient(settings))

    def ask(self, question: str, report: str, sources: list[Source]) -> ModelAnswer | None:
        context = "\n".join(f"[{s.sid}] {s.citation.doc} 第{s.citation.page}页：{s.text}" for s in sources)
        prompt = self.prompt.render(question=question, report=report, context=context)
        reply = self.client.structured(prompt, ModelAnswer)
        parsed = reply.parsed
        return parsed if isinstance(parsed, ModelAnswer) else None


def _sources(engine: Engine, question: str, query: match.Query, scope: dict[str, Document]) -> list[Source]:
    sources: list[Source] = []
    for doc in scope.values():
        for m in match.pick_facts(match.match_facts(query, doc, engine.lexicon)):
            f = m.fact
            text = f"《{f.table_title}》{f.row}·{f.column}：{f.shown()}（核验：{f.status}）"
            cite = Citation(doc=f.doc, doc_id=f.doc_id, page=f.page, bbox=f.bbox, quote=text)
            sources.append(Source(f"F{len(sources) + 1}", cite, text, f))
    retriever = engine.retriever()
    if retriever is not None:
        hits = retriever.search(question, k=CHUNKS, doc_ids=list(scope))
        by_id = {d.doc_id: d for d in scope.values()}
        for n, hit in enumerate(hits, 1):
            meta = hit.metadata
            text = guard.without_instructions(hit.text)[:CHUNK_CHARS]
            known = by_id.get(meta["doc_id"])
            name = known.file_name if known else meta.get("file_name", "")
            cite = Citation(doc=name, doc_id=meta["doc_id"], page=int(meta["page_start"]), quote=text)
            sources.append(Source(f"C{n}", cite, text))
    return sources


def answer_with_llm(engine: Engine, question: str, query: match.Query, scope: dict[str, Document]) -> Answer:
    offline = engine.answer_offline(question, query, scope)
    sources = _sources(engine, question, query, scope)
    report = "、".join(d.label for d in scope.values())
    reply = engine.llm.ask(question, report, sources)
    model = engine.model
    if reply is None:  # the model's reply did not parse: the offline answer stands
        return offline.model_copy(update={"mode": "llm", "model": model})
    if not reply.answerable or CANNOT_ANSWER in reply.answer:
        return Answer(question=question, answer=CANNOT_ANSWER, answerable=False, mode="llm", model=model)
    by_id = {s.sid: s for s in sources}
    cited = [by_id[c] for c in dict.fromkeys(x.strip() for x in reply.citations) if c.strip() in by_id]
    facts = [s.fact for s in cited if s.fact is not None and not s.fact.is_text]
    allowed = [(f.value, f.unit) for f in facts if f.value is not None]
    for s in cited:
        allowed += [(n.value, n.unit) for n in match.numbers_in(s.text)]
    said = [n for n in match.numbers_in(_without_page_refs(reply.answer))]
    unverified = [f"{n.printed}{n.unit}" for n in said if not _allowed(n, allowed)]
    # the facts decide the numbers: a model (or text in the PDF) may not change one
    expected: list[tuple[Decimal, str]] = []
    if offline.answerable:
        expected = [(f.value, f.unit) for f in offline.facts]
        expected += [(n.value, n.unit) for n in match.numbers_in(_without_page_refs(offline.answer))]
    contradicts = bool(expected) and bool(said) and not any(_allowed(n, expected) for n in said)
    if contradicts:
        note = "（模型回答中的数字与报表数据不符，以下为报表数据）"
        return offline.model_copy(
            update={"answer": note + offline.answer, "mode": "llm", "model": model, "unverified": unverified}
        )
    text = reply.answer
    if unverified:
        text += f"〔未核实：{'、'.join(unverified)} 不是所引数据或所引页上的数字〕"
    citations = [s.citation for s in cited]
    from service.qa.engine import _answer_fact

    return Answer(
        question=question,
        answer=text,
        citations=citations,
        facts=[_answer_fact(f) for f in facts],
        answerable=True,
        mode="llm",
        model=model,
        unverified=unverified,
    )


def _without_page_refs(text: str) -> str:
    import re

    return re.sub(r"第\s*\d+\s*(?:[-–、至]\s*\d+\s*)?页", " ", text)


def _allowed(n: match.Number, allowed: list[tuple[Decimal, str]]) -> bool:
    return any(v == n.value and (u == n.unit or not u or not n.unit) for v, u in allowed)
