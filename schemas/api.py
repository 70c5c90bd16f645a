"""Shapes of the HTTP API (service/api) that are not already a report, a check result or an answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

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


class Request(BaseModel):
    """A request body: exactly the documented fields (types as JSON Schema reads them)."""

    model_config = ConfigDict(extra="forbid")


def _no_bool(value: object) -> object:
    if isinstance(value, bool):  # JSON true is not the integer 1
        raise ValueError("expected an integer, not a boolean")
    return value


class SearchRequest(Request):
    query: str = Field(min_length=1, max_length=2000)
    k: Annotated[int, BeforeValidator(_no_bool)] = Field(default=5, ge=1, le=50)
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


class AskRequest(Request):
    question: str = Field(min_length=1, max_length=2000)
    doc: str | None = Field(default=None, description="doc_id or file name; none = every report")
    stream: StrictBool = Field(
        default=False, description="server-sent events: answer text, then the answer JSON"
    )


class Health(BaseModel):
    status: Literal["ok", "not_ready"]
    documents: int | None = None
    detail: str | None = None


JobState = Literal["queued", "running", "done", "failed"]


class JobRequest(Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["paths"], "properties": {"paths": {"minItems": 1}}},
                {"required": ["doc_ids"], "properties": {"doc_ids": {"minItems": 1}}},
            ]
        },
    )

    paths: list[str] = Field(
        default_factory=list,
        max_length=10_000,
        description="server files or folders under BUDGETQA_BATCH_ROOTS",
    )
    doc_ids: list[str] = Field(
        default_factory=list, max_length=10_000, description="documents uploaded with POST /v1/documents"
    )
    llm: Literal["auto", "never", "always"] = Field(default="never", description="extraction mode")

    @model_validator(mode="after")
    def some_input(self) -> JobRequest:
        if not self.paths and not self.doc_ids:
            raise ValueError("没有输入：给出 paths（服务器上的文件或文件夹）或 doc_ids（已上传的文档）")
        return self


class JobStatus(BaseModel):
    job_id: str
    state: JobState
    total: int = Field(default=0, description="files in the job")
    finished: int = Field(default=0, description="files with a result (done or failed)")
    done: int = 0
    failed: int = 0
    pages: int = 0
    created_at: str
    finished_at: str | None = None
    outputs: list[str] = Field(default_factory=list, description="names for GET /v1/jobs/{id}/outputs/{name}")
    summary: dict[str, int] = Field(default_factory=dict, description="facts, findings by severity, failures")
    error: Problem | None = None
