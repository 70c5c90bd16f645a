"""The LLM path against a scripted OpenAI-compatible server on 127.0.0.1: grounding, re-ask with
the checker's feedback, cache, token accounting, retries, malformed answers, clear errors."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from fake_openai import FakeOpenAI, tool_name
from schemas.report import Report
from service import pipeline
from service.check import check_report
from service.config import Settings
from service.errors import LLMError
from service.extract import extract_report
from service.extract.assisted import AssistedExtractor, ground
from service.llm import LLMClient, TokenBudget

BUDGET = {
    "label": "预算数",
    "page": 13,
    "total": "23.23",
    "abroad": "0.00",
    "vehicle_subtotal": "7.23",
    "vehicle_purchase": "0.00",
    "vehicle_operation": "7.23",
    "reception": "16.00",
}
FINAL = {
    "label": "决算数",
    "page": 13,
    "total": "22.32",
    "abroad": "0.00",
    "vehicle_subtotal": "6.34",
    "vehicle_purchase": "0.00",
    "vehicle_operation": "6.34",
    "reception": "15.98",
}


def t07(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"arguments": json.dumps({"rows": list(rows)}, ensure_ascii=False)}


def settings_for(tmp_path: Path, fake: FakeOpenAI | None = None, **extra: Any) -> Settings:
    return Settings(
        BUDGETQA_DATA_DIR=tmp_path,
        OPENAI_API_KEY="sk-fake",
        OPENAI_BASE_URL=fake.base_url if fake else "http://127.0.0.1:9/v1",
        BUDGETQA_LLM_MAX_RETRIES=extra.pop("retries", 0),
        BUDGETQA_LLM_TIMEOUT=extra.pop("timeout", 10),
        **extra,
    )


def without_t07(documents: dict) -> tuple[Any, Report]:
    doc = documents["jiaozuo_2021_final"]
    report = extract_report(doc)
    report.tables.T07 = None  # the deterministic path "could not parse" it: --llm auto asks the model
    return doc, report


def run(settings: Settings, doc: Any, report: Report, budget: int = 10_000) -> Report:
    extractor = AssistedExtractor(
        LLMClient(settings), settings.llm_cache_dir, TokenBudget(budget), 2, verify=check_report
    )
    return extractor.improve(doc, report, "auto")


def test_grounded_values_are_kept_with_their_box_and_others_rejected(tmp_path: Path, documents) -> None:
    doc, report = without_t07(documents)
    wrong = {**BUDGET, "reception": "16.50"}  # not printed anywhere on page 13
    with FakeOpenAI(lambda body: t07(wrong, FINAL)) as fake:
        out = run(settings_for(tmp_path, fake), doc, report)
    assert [tool_name(r) for r in fake.requests] == [
        "T07",
        "T07",
    ]  # the rejection leaves 合计 failing: re-asked
    budget_row = out.tables.T07.rows[0]
    assert budget_row.reception is None and budget_row.total.source == "llm"
    assert budget_row.total.provenance.page == 13 and budget_row.total.provenance.bbox is not None
    assert any("16.50" in r for r in out.meta.llm.rejected)
    assert ground("16.50", doc.pages[12]) is None and ground("16.00", doc.pages[12]) is not None


def test_a_failed_rule_is_sent_back_and_the_second_answer_used(tmp_path: Path, documents) -> None:
    doc, report = without_t07(documents)
    answers = iter(
        [t07({**BUDGET, "total": "22.32"}, FINAL), t07(BUDGET, FINAL)]
    )  # 22.32 is printed, but wrong
    with FakeOpenAI(lambda body: next(answers)) as fake:
        out = run(settings_for(tmp_path, fake), doc, report)
    first, second = fake.prompts()
    assert "INTRA-16" not in first and "INTRA-16" in second and "上一次抄录未通过以下核验" in second
    assert out.tables.T07.rows[0].total.printed == "23.23"
    assert out.meta.llm.requests == 2 and out.meta.llm.tables == ["T07"]


def test_what_still_fails_is_kept_and_marked_unverified(tmp_path: Path, documents) -> None:
    doc, report = without_t07(documents)
    bad = t07({**BUDGET, "total": "22.32"}, FINAL)
    with FakeOpenAI(lambda body: bad) as fake:
        out = run(settings_for(tmp_path, fake), doc, report)
    assert len(fake.requests) == 2
    assert out.tables.T07.rows[0].total.printed == "22.32"
    assert any("仍有" in n and "unverified" in n for n in out.meta.llm.notes)
    from service.check import check_report

    result = check_report(out)
    assert any(f.rule_id == "INTRA-16" and f.outcome == "FAIL" for f in result.findings)
    assert out.tables.T07.rows[0].total.status == "unverified"


def test_cache_hit_sends_no_second_request_and_tokens_come_from_the_responses(
    tmp_path: Path, documents
) -> None:
    doc, report = without_t07(documents)
    with FakeOpenAI(
        lambda body: {**t07(BUDGET, FINAL), "usage": {"prompt_tokens": 1234, "completion_tokens": 56}}
    ) as fake:
        settings = settings_for(tmp_path, fake)
        first = run(settings, doc, report.model_copy(deep=True))
        second = run(settings, doc, report.model_copy(deep=True))
    assert len(fake.requests) == 1
    assert (first.meta.llm.requests, first.meta.llm.input_tokens, first.meta.llm.output_tokens) == (
        1,
        1234,
        56,
    )
    assert (second.meta.llm.requests, second.meta.llm.cached, second.meta.llm.input_tokens) == (0, 1, 0)
    assert second.tables.T07.rows[1].total.printed == "22.32"


def test_429_then_success_is_retried_with_backoff(tmp_path: Path, documents) -> None:
    doc, report = without_t07(documents)
    answers = iter([{"status": 429}, t07(BUDGET, FINAL)])
    with FakeOpenAI(lambda body: next(answers)) as fake:
        out = run(settings_for(tmp_path, fake, retries=2), doc, report)
    assert len(fake.requests) == 2 and out.tables.T07.rows[0].total.printed == "23.23"


def test_a_timeout_is_retried(tmp_path: Path, documents) -> None:
    doc, report = without_t07(documents)
    answers = iter([{"delay": 1.5, **t07(BUDGET, FINAL)}, t07(BUDGET, FINAL)])
    with FakeOpenAI(lambda body: next(answers)) as fake:
        out = run(settings_for(tmp_path, fake, retries=2, timeout=0.5), doc, report)
    assert len(fake.requests) == 2 and out.tables.T07.rows[1].reception.printed == "15.98"


def test_malformed_json_is_asked_again(tmp_path: Path, documents) -> None:
    doc, report = without_t07(documents)
    answers = iter([{"arguments": '{"rows": [{"label": "预算数", "page": 13, "total": '}, t07(BUDGET, FINAL)])
    with FakeOpenAI(lambda body: next(answers)) as fake:
        out = run(settings_for(tmp_path, fake), doc, report)
    assert len(fake.requests) == 2 and out.tables.T07.rows[0].total.printed == "23.23"
    assert any("无法解析" in n for n in out.meta.llm.notes)


def test_token_budget_stops_sending(tmp_path: Path, documents) -> None:
    doc, report = without_t07(documents)
    with FakeOpenAI(lambda body: t07(BUDGET, FINAL)) as fake:
        out = run(settings_for(tmp_path, fake), doc, report, budget=0)
    assert fake.requests == [] and any("token 预算" in n for n in out.meta.llm.notes)
    assert out.tables.T07 is None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_endpoint_names_the_fix(
    tmp_path: Path, fixture_pdfs, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        BUDGETQA_DATA_DIR=tmp_path,
        OPENAI_API_KEY="sk-fake",
        OPENAI_BASE_URL=f"http://127.0.0.1:{_closed_port()}/v1",
        BUDGETQA_LLM_MAX_RETRIES=0,
    )
    path = fixture_pdfs["jiaozuo_2021_final"]
    with pytest.raises(LLMError, match="无法连接 LLM 服务.*OPENAI_BASE_URL.*--llm never"):
        pipeline.analyse_file(path, settings, llm="always")

    def sabotaged(doc):  # auto mode would ask the model for T07 …
        report = extract_report(doc)
        report.tables.T07 = None
        return report

    monkeypatch.setattr(pipeline, "extract_report", sabotaged)
    result = pipeline.analyse_file(
        path, settings, llm="auto"
    )  # … and keeps the offline result when it cannot
    assert result.report.tables.T01 is not None and "无法连接" in result.report.meta.llm.notes[0]


def test_missing_key_names_the_variable(tmp_path: Path, fixture_pdfs) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path)
    with pytest.raises(LLMError, match="OPENAI_API_KEY.*--llm never"):
        pipeline.analyse_file(fixture_pdfs["zhumadian_2024_budget"], settings, llm="always")
    offline = pipeline.analyse_file(fixture_pdfs["zhumadian_2024_budget"], settings, llm="auto")
    assert offline.report.meta.llm is None and offline.report.tables.B01 is not None


def test_prompts_are_versioned_files_and_a_missing_variable_is_an_error() -> None:
    from service import prompting

    prompt = prompting.load("extract_table")
    assert prompt.key == "extract_table.v1" and "page_text" in prompt.variables
    with pytest.raises(prompting.PromptError, match="missing variable"):
        prompt.render(table_name="收入支出决算总表")


def test_openai_compatible_embeddings_back_the_index_when_configured(tmp_path: Path, documents) -> None:
    from service import chunking
    from service.index import Index

    with FakeOpenAI(lambda body: {}) as fake:
        settings = Settings(
            BUDGETQA_DATA_DIR=tmp_path,
            OPENAI_API_KEY="sk-fake",
            OPENAI_BASE_URL=fake.base_url,
            BUDGETQA_EMBEDDER="openai",
            BUDGETQA_LLM_MAX_RETRIES=0,
        )
        index = Index(settings)
        chunks = chunking.chunk_document(documents["zhumadian_2024_budget"])
        index.add(chunks)
        hits = index.search("项目支出表", k=3)
    assert index.collection.name == "chunks_openai" and index.count() == len(chunks)
    assert hits and any(h.metadata["page_start"] == 15 for h in hits)
    assert any(
        isinstance(r.get("input"), list) for r in fake.requests
    )  # the documents went to /v1/embeddings
