"""Extraction of one file end to end: read the PDF, extract deterministically, let the LLM help
where asked, and check every number so each fact carries its status."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from schemas.findings import CheckResult
from schemas.report import LLMRun, Report
from service import pdf
from service.check import check_report
from service.config import Settings
from service.errors import LLMError
from service.extract import extract_report

LLMMode = Literal["auto", "never", "always"]


@dataclass
class Extraction:
    report: Report
    check: CheckResult


def extract_file(
    path: Path,
    settings: Settings,
    llm: LLMMode = "auto",
    client: object | None = None,
    budget: object | None = None,
) -> Extraction:
    """Deterministic extraction, then (``auto`` with a key, or ``always``) the LLM path, then the checker.
    ``auto`` without OPENAI_API_KEY stays offline; an unreachable endpoint in ``auto`` is noted and the
    deterministic result kept, in ``always`` it is an error that names the fix."""
    doc = pdf.read_pdf(path, max_mb=settings.max_file_mb, max_pages=settings.max_pages)
    report = extract_report(doc)
    if llm != "never" and (settings.llm_enabled or client is not None):
        from service.extract.assisted import AssistedExtractor
        from service.llm import LLMClient, TokenBudget

        try:
            client = client or LLMClient(settings)
            budget = budget or TokenBudget(settings.llm_token_budget)
            extractor = AssistedExtractor(client, settings.llm_cache_dir, budget, settings.llm_concurrency)  # type: ignore[arg-type]
            report = extractor.improve(doc, report, llm)
        except LLMError as exc:
            if llm == "always":
                raise
            report.meta.llm = LLMRun(mode="auto", model=settings.chat_model, notes=[f"LLM 未使用：{exc}"])
    elif llm == "always":
        from service.llm import MISSING_KEY

        raise LLMError(MISSING_KEY)
    return Extraction(report, check_report(report))
