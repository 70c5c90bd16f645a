"""The answer model: what `budgetqa ask --format json`, the chat app and `POST /v1/ask` return.

Every number in ``answer`` is one of ``facts`` (or a calculation over them) or is printed on a cited
page; a question the report does not answer gets CANNOT_ANSWER, in both modes (the prompt file
quotes the same constant)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from schemas.facts import Status

CANNOT_ANSWER = "报告中没有说明这一问题。"

Mode = Literal["offline", "llm"]


class Citation(BaseModel):
    doc: str = Field(description="文件 / file name of the report")
    doc_id: str = Field(description="文档编号 / document id")
    page: int = Field(description="页码 / 1-based page")
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="位置 / the cited cell or sentence on the page, PDF points"
    )
    quote: str = Field(default="", description="原文 / the cited text as printed")


class AnswerFact(BaseModel):
    doc_id: str = Field(description="文档编号 / document id")
    table_id: str | None = Field(default=None, description="表 / table id")
    row: str | None = Field(default=None, description="行 / row label (or code) as printed")
    column: str | None = Field(default=None, description="列 / column header as printed")
    value: Decimal = Field(description="数值 / as printed")
    unit: str = Field(description="单位")
    page: int = Field(description="页码")
    bbox: tuple[float, float, float, float] | None = Field(default=None, description="位置")
    status: Status = Field(description="核验状态 / check status of the value")


class Answer(BaseModel):
    question: str
    answer: str = Field(description="回答 / the answer as shown to the user")
    citations: list[Citation] = Field(default_factory=list)
    facts: list[AnswerFact] = Field(default_factory=list)
    calculation: str | None = Field(default=None, description="计算 / e.g. '779.26 − 245.93 = 533.33 万元'")
    answerable: bool = True
    mode: Mode = "offline"
    model: str | None = None
    unverified: list[str] = Field(
        default_factory=list,
        description="未核实 / numbers of an LLM answer that are neither a cited fact nor printed in a cited chunk",
    )
