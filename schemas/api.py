"""Shapes of the HTTP API (service/api) that are not already a report, a check result or an answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DocumentState = Literal["queued", "processing", "ready", "failed"]


class Problem(BaseModel):
    """An error as application/problem+json (RFC 9457): the same clear line the CLI prints."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    problem: str | None = Field(default=None, description="机器可读的原因 / short code, e.g. encrypted")
    file: str | None = Field(default=None, description="文件 / the file the problem is about")


class DocumentStatus(BaseModel):
    doc_id: str
    file_name: str
    state: DocumentState
    pages: int | None = None
    chunks: int | None = None
    tables: int | None = None
    department: str | None = None
    year: int | None = None
    kind: str | None = None
    ingested_at: str | None = None
    warnings: list[str] = Field(default_factory=list)
    error: Problem | None = None


class UploadResult(BaseModel):
    file_name: str
    doc_id: str | None = Field(default=None, description="content hash; poll GET /v1/documents/{doc_id}")
    state: DocumentState
    error: Problem | None = None


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=5, ge=1, le=50)
    doc: str | None = Field(default=None, description="doc_id or file name; none = every report")


class SearchHit(BaseModel):
    rank: int
    score: float
    doc_id: str
    file: str
    page_start: int
    page_end: int
    section: str
    table_title: str
    text: str


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    doc: str | None = Field(default=None, description="doc_id or file name; none = every report")
    stream: bool = Field(default=False, description="server-sent events: answer text, then the answer JSON")


class Health(BaseModel):
    status: Literal["ok", "not_ready"]
    documents: int | None = None
    detail: str | None = None
