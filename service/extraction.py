"""Extraction of one file end to end: read the PDF, extract deterministically, let the LLM help
where asked, and check every number so each fact carries its status."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from schemas.report import Report
from service import pdf
from service.config import Settings
from service.errors import LLMError
from service.extract import extract_report

LLMMode = Literal["auto", "never", "always"]


def extract_file(path: Path, settings: Settings, llm: LLMMode = "auto") -> Report:
    doc = pdf.read_pdf(path, max_mb=settings.max_file_mb, max_pages=settings.max_pages)
    report = extract_report(doc)
    if llm == "always" and not settings.llm_enabled:
        raise LLMError("--llm always needs OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server); "
                       "use --llm never to stay offline")
    return report
