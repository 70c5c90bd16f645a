"""The LLM path: the same schemas filled by a model, page-scoped, grounded and checked.

- Input is the text of the pages that hold the table (its title and header included).
- Grounding: every number the model returns must be printed on its page, or the value is
  rejected (and recorded in the report's llm.rejected).
- The checker runs on the result; a second request carries the failed rules; what still fails is
  kept, and its facts end up ``unverified`` (see service.check.apply_statuses), never trusted.
- Answers are cached on disk by (page text hash, prompt version, model, schema); a run has a
  token budget; tables are sent with bounded concurrency.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, ValidationError, create_model

from schemas.catalogue import BY_ID, TABLE_NAMES
from schemas.facts import Fact
from schemas.findings import CheckResult
from schemas.performance import Indicator, SelfEvaluation
from schemas.report import LLMRun, Report
from service import prompting
from service.document import Document, Page
from service.extract import tables as table_parsers
from service.extract.common import Maker, zh_of
from service.extract.locate import Occurrence, locate
from service.llm import Answer, TokenBudget, Usage

KEEP = (
    "code",
    "label",
    "side",
    "line_no",
    "group",
    "level",
    "kind",
    "unit_name",
    "gov_code",
    "gov_label",
    "unit_code",
)
FEEDBACK = "上一次抄录未通过以下核验，请对照页面逐格复核后重新抄录（页面确有不符时照原样抄录）：\n"


# ---------------------------------------------------------------- schemas the model fills


def llm_schema(table_model: type[BaseModel]) -> type[BaseModel]:
    """The table's own row schema with each Fact replaced by the number as printed."""
    row_model = table_model.model_fields["rows"].annotation.__args__[0]  # type: ignore[union-attr]
    fields: dict[str, Any] = {"page": (int, Field(description="所在页码 / page"))}
    for name, info in row_model.model_fields.items():
        if info.annotation == Fact | None:
            fields[name] = (
                str | None,
                Field(default=None, description=f"{info.description}（原样抄录；空白为 null）"),
            )
        elif name in KEEP:
            fields[name] = (info.annotation, Field(default=info.default, description=info.description))
    row = create_model(f"Row{table_model.__name__}", **fields)
    return create_model(table_model.__name__, rows=(list[row], Field(description="表中各行 / rows")))  # type: ignore[valid-type]


class LLMIndicator(BaseModel):
    level1: str | None = Field(default=None, description="一级指标")
    level2: str | None = Field(default=None, description="二级指标")
    level3: str = Field(description="三级指标（原样）")
    target: str | None = Field(default=None, description="指标值")
    actual: str | None = Field(default=None, description="实际完成值")
    weight: str | None = Field(default=None, description="分值（原样）")
    score: str | None = Field(default=None, description="得分（原样）")
    page: int = Field(description="所在页码")


class LLMIndicators(BaseModel):
    indicators: list[LLMIndicator] = Field(description="三级指标 / indicators")


# ---------------------------------------------------------------- grounding


def ground(printed: str, page: Page) -> tuple[float, float, float, float] | None:
    """The box of ``printed`` on ``page`` when that number is printed there, else None."""
    text = printed.strip()
    if not text:
        return None
    variants = {text, text.replace(",", "")}
    for line in page.lines:
        for variant in variants:
            for m in re.finditer(re.escape(variant), line.text):
                before = line.text[m.start() - 1] if m.start() else ""
                after = line.text[m.end()] if m.end() < len(line.text) else ""
                if before and (before.isdigit() or before in ".,"):
                    continue
                if after and (
                    after in ".," and m.end() + 1 < len(line.text) and line.text[m.end() + 1].isdigit()
                ):
                    continue
                if after.isdigit() and "." not in variant:  # "10.17307": an amount fused with a code is fine
                    continue
                return line.span_bbox(m.start(), m.end())
    return None


# ---------------------------------------------------------------- the extractor


class StructuredLLM(Protocol):
    """A chat endpoint that fills a pydantic schema (service.llm.LLMClient, or a test double)."""

    model_name: str

    def structured(self, prompt: str, schema: type[BaseModel]) -> Answer: ...


Verify = Callable[[Report], CheckResult]


class AssistedExtractor:
    def __init__(
        self,
        client: StructuredLLM,
        cache_dir: Path,
        budget: TokenBudget,
        concurrency: int = 4,
        *,
        verify: Verify,
    ) -> None:
        """``verify`` is the checker (service.check.check_report), passed in so this module stays
        independent of it: a model's table is kept only if it fails fewer of the table's own sums."""
        self.client = client
        self.verify = verify
        self.cache_dir = cache_dir
        self.budget = budget
        self.concurrency = max(1, concurrency)
        self.table_prompt = prompting.load("extract_table")
        self.perf_prompt = prompting.load("extract_performance")

    def improve(self, doc: Document, report: Report, mode: Literal["auto", "always"]) -> Report:
        run = LLMRun(mode=mode, model=self.client.model_name)
        occurrences = [
            o for o in locate(doc) if o.spec.kind in table_parsers.PARSERS or o.spec.kind in ("pe", "pp")
        ]
        failing = _failing_tables(report, self.verify)
        wanted = [o for o in occurrences if mode == "always" or self._needed(o, report, failing)]
        with ThreadPoolExecutor(self.concurrency) as pool:
            results = list(pool.map(lambda o: self._one(doc, report, o, run), wanted))
        for occ, result in zip(wanted, results, strict=True):
            if result is None:
                continue
            if occ.spec.kind in ("pe", "pp") and isinstance(result, list):
                _merge_indicators(report, occ, result)
            elif isinstance(result, BaseModel):
                current = getattr(report.tables, occ.spec.table_id)
                if (
                    current is not None
                    and getattr(current, "rows", None)
                    and (
                        not getattr(result, "rows", None)
                        or len(_table_failures(report, result, self.verify))
                        > len(_table_failures(report, current, self.verify))
                    )
                ):
                    run.notes.append(f"{occ.spec.table_id} 保留确定性抽取结果（LLM 结果不优于它）")
                    continue
                setattr(report.tables, occ.spec.table_id, result)
            run.tables.append(occ.spec.table_id)
        report.meta.llm = run
        return report

    @staticmethod
    def _needed(occ: Occurrence, report: Report, failing: set[str]) -> bool:
        if occ.spec.kind in ("pe", "pp"):
            evs = [e for e in report.performance.self_evaluations if e.pages and occ.page in e.pages]
            return not evs or not any(e.indicators for e in evs)
        table = getattr(report.tables, occ.spec.table_id, None)
        return table is None or not getattr(table, "rows", None) or occ.spec.table_id in failing

    # ------------------------------------------------------------ one table

    def _one(
        self, doc: Document, report: Report, occ: Occurrence, run: LLMRun
    ) -> BaseModel | list[Indicator] | None:
        if occ.spec.kind in ("pe", "pp"):
            return self._indicators(doc, occ, run)
        table_model = (
            type(getattr(report.tables, occ.spec.table_id))
            if getattr(report.tables, occ.spec.table_id)
            else _table_model(occ.spec.table_id)
        )
        schema = llm_schema(table_model)
        unit = table_parsers.unit_for(occ, report.meta.unit or "万元")
        feedback = ""
        best: tuple[int, BaseModel] | None = None
        for attempt in (1, 2):
            answer = self._ask(doc, occ, schema, feedback, run, unit)
            if answer is None:
                break
            if answer.parsed is None:  # malformed JSON or no valid tool call: ask once more
                run.notes.append(
                    f"{occ.spec.table_id} 第 {attempt} 次回答无法解析：{(answer.error or '没有有效的结构化输出')[:120]}"
                )
                continue
            table, rejected = self._build(doc, occ, table_model, answer.parsed, unit)
            run.rejected.extend(rejected)
            fails = _table_failures(report, table, self.verify)
            if best is None or len(fails) < best[0]:
                best = (len(fails), table)
            if not fails and not rejected:
                break
            if attempt == 1:
                feedback = (
                    FEEDBACK
                    + "\n".join(
                        [
                            f"- {f.rule_id} {f.message}（应为 {f.expected}，实为 {f.actual}）"
                            for f in fails[:12]
                        ]
                        + [f"- 页面上没有这个数：{r}" for r in rejected[:12]]
                    )
                    + "\n"
                )
            elif fails:
                run.notes.append(
                    f"{occ.spec.table_id} 复核后仍有 {len(fails)} 项核验不符，LLM 抄录值标为 unverified"
                )
        return best[1] if best else None

    def _ask(
        self, doc: Document, occ: Occurrence, schema: type[BaseModel], feedback: str, run: LLMRun, unit: str
    ) -> Answer | None:
        page_text = "\n\n".join(f"--- 第 {n} 页 ---\n{doc.pages[n - 1].text}" for n in occ.pages)
        if occ.spec.kind in ("pe", "pp"):
            prompt = self.perf_prompt.render(
                title=occ.title, pages=",".join(map(str, occ.pages)), page_text=page_text, feedback=feedback
            )
            version = self.perf_prompt.key
        else:
            row_model = schema.model_fields["rows"].annotation.__args__[0]  # type: ignore[union-attr]
            fields = "；".join(f"{n} = {f.description}" for n, f in row_model.model_fields.items())
            prompt = self.table_prompt.render(
                table_name=TABLE_NAMES.get(occ.spec.table_id, occ.title),
                table_id=occ.spec.table_id,
                title=occ.title,
                unit=unit,
                pages=",".join(map(str, occ.pages)),
                page_text=page_text,
                fields=fields,
                feedback=feedback,
            )
            version = self.table_prompt.key
        key = hashlib.sha256(
            "\x1f".join(
                [
                    hashlib.sha256(page_text.encode()).hexdigest(),
                    version,
                    self.client.model_name,
                    schema.__name__,
                    json.dumps(schema.model_json_schema(), sort_keys=True),
                    feedback,
                ]
            ).encode()
        )
        path = self.cache_dir / f"{key.hexdigest()}.json"
        if path.exists():
            cached = json.loads(path.read_text(encoding="utf-8"))
            run.cached += 1
            try:
                return Answer(schema.model_validate(cached["parsed"]), Usage(cached=1), None)
            except ValidationError:
                path.unlink()
        if self.budget.exhausted:
            run.notes.append(
                f"{occ.spec.table_id} 未发送：本次运行的 token 预算（{self.budget.limit}）已用完"
            )
            return None
        answer = self.client.structured(prompt, schema)
        self.budget.spend(answer.usage.total_tokens)
        run.requests += answer.usage.requests
        run.input_tokens += answer.usage.input_tokens
        run.output_tokens += answer.usage.output_tokens
        if answer.parsed is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps({"parsed": answer.parsed.model_dump(mode="json")}, ensure_ascii=False),
                encoding="utf-8",
            )
        return answer

    def _build(
        self, doc: Document, occ: Occurrence, table_model: type[BaseModel], parsed: BaseModel, unit: str
    ) -> tuple[BaseModel, list[str]]:
        maker = Maker(doc.doc_id, occ.spec.table_id, unit)
        row_model = table_model.model_fields["rows"].annotation.__args__[0]  # type: ignore[union-attr]
        rows = []
        rejected: list[str] = []
        for raw in parsed.rows:  # type: ignore[attr-defined]
            page_no = raw.page if 1 <= raw.page <= doc.page_count and raw.page in occ.pages else occ.pages[0]
            page = doc.pages[page_no - 1]
            values: dict[str, Any] = {}
            for name, info in row_model.model_fields.items():
                if info.annotation != Fact | None:
                    continue
                printed = getattr(raw, name, None)
                bbox = ground(printed, page) if printed else None
                if printed and bbox is None:
                    rejected.append(
                        f"{occ.spec.table_id} 第{page_no}页 {raw.label} {zh_of(row_model, name)}：{printed}"
                    )
                    continue
                fact = maker.fact(
                    printed or "",
                    page_no,
                    bbox,
                    row_code=getattr(raw, "code", None),
                    row_label=raw.label,
                    column=zh_of(row_model, name),
                )
                if fact is not None:
                    fact.source = "llm"
                    values[name] = fact
            keep = {
                k: getattr(raw, k)
                for k in KEEP
                if k in row_model.model_fields and getattr(raw, k, None) is not None
            }
            rows.append(row_model(page=page_no, **keep, **values))
        base = {"title": occ.title, "number": occ.number, "unit": unit, "pages": occ.pages}
        return table_model(**base, rows=rows), rejected

    def _indicators(self, doc: Document, occ: Occurrence, run: LLMRun) -> list[Indicator] | None:
        answer = self._ask(doc, occ, LLMIndicators, "", run, "分")
        if answer is None or answer.parsed is None:
            return None
        maker = Maker(doc.doc_id, occ.spec.table_id, "分")
        out = []
        for raw in answer.parsed.indicators:  # type: ignore[attr-defined]
            page_no = raw.page if raw.page in occ.pages else occ.pages[0]
            page = doc.pages[page_no - 1]
            scores: dict[str, Any] = {}
            for name in ("weight", "score"):
                printed = getattr(raw, name)
                bbox = ground(printed, page) if printed else None
                if printed and bbox is None:
                    run.rejected.append(f"{occ.spec.table_id} 第{page_no}页 {raw.level3} {name}：{printed}")
                fact = maker.fact(printed, page_no, bbox, row_label=raw.level3, column=name) if bbox else None
                if fact is not None:
                    fact.source = "llm"
                scores[name] = fact
            out.append(
                Indicator(
                    level1=raw.level1,
                    level2=raw.level2,
                    level3=raw.level3,
                    target=raw.target,
                    actual=raw.actual,
                    page=page_no,
                    **scores,
                )
            )
        return out


def _table_model(table_id: str) -> type[BaseModel]:
    model = BY_ID[table_id].model
    assert model is not None, table_id
    return model


def _failing_tables(report: Report, verify: Verify) -> set[str]:
    """Tables whose own arithmetic (INTRA rules) fails: likely misread. Cross-table and narrative
    failures are the report's, not the extraction's, and are not sent to the model."""
    result = verify(report.model_copy(deep=True))
    return {
        op.table_id
        for f in result.findings
        if f.outcome == "FAIL" and f.severity == "error" and f.rule_id.startswith("INTRA")
        for op in f.operands
        if op.table_id
    }


def _table_failures(report: Report, table: BaseModel, verify: Verify) -> list[Any]:
    """INTRA failures that involve ``table`` once it replaces the deterministic one."""
    table_id = getattr(table, "table_id", "")
    trial = report.model_copy(deep=True)
    setattr(trial.tables, table_id, table.model_copy(deep=True))
    result = verify(trial)
    return [
        f
        for f in result.findings
        if f.outcome == "FAIL"
        and f.rule_id.startswith("INTRA")
        and any(op.table_id == table_id for op in f.operands)
    ]


def _merge_indicators(report: Report, occ: Occurrence, indicators: list[Indicator]) -> None:
    for ev in report.performance.self_evaluations:
        if ev.pages and occ.page in ev.pages:
            if len(indicators) > len(ev.indicators):
                ev.indicators = indicators
            return
    report.performance.self_evaluations.append(
        SelfEvaluation(
            table_id="PE" if occ.spec.kind == "pe" else "PP",
            title=occ.title,
            subject="",
            pages=occ.pages,
            indicators=indicators,
        )
    )
