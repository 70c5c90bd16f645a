"""The HTTP service: one FastAPI application over the same store, index and answers as the CLI.

Routes read stored Reports (service/store.py) and never re-extract; uploads are ingested off the
request thread (service/api/documents.py) and polled by doc_id."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from schemas.answer import Answer
from schemas.api import (
    AskRequest,
    DocumentStatus,
    Health,
    JobRequest,
    JobStatus,
    Problem,
    SearchHit,
    SearchRequest,
    UploadResult,
)
from schemas.findings import CheckResult
from service import export, review
from service.api.documents import Documents
from service.api.guard import (
    PROBLEM_JSON,
    ApiError,
    BodyLimit,
    authorised,
    looks_like_pdf,
    problem_response,
    safe_file_name,
)
from service.api.jobs import InputRefused, Jobs, allowed_inputs
from service.config import Settings, get_settings
from service.errors import BudgetQAError, NotFoundError
from service.registry import Registry
from service.store import Analysis

_PROBLEM = {"model": Problem, "content": {PROBLEM_JSON: {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {**_PROBLEM, "description": text}
    for code, text in {
        400: "request cannot be served (e.g. an ambiguous document name)",
        401: "API key missing or wrong",
        404: "no such document, page, job or output",
        413: "request too large",
        409: "the ingested file moved or changed since",
        422: "invalid request",
    }.items()
}


def create_app(settings: Settings | None = None, *, with_ui: bool = False) -> FastAPI:
    """The API; ``with_ui`` mounts the chat app at /ui (``budgetqa serve`` does; tests of the API
    alone leave Gradio unloaded)."""
    settings = settings or get_settings()
    docs = Documents(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        docs.close()
        app.state.jobs.close()

    app = FastAPI(
        title="budgetqa",
        summary="部门预算/决算公开报告的抽取、核验与问答服务",
        version="0.1.0",
        lifespan=lifespan,
        responses={500: {**_PROBLEM, "description": "internal error (no detail leaves the server)"}},
    )
    app.state.settings = settings
    app.state.documents = docs
    _handlers(app)
    jobs = Jobs(settings)
    app.state.jobs = jobs
    app.include_router(_router(settings, docs, jobs))
    _health(app, settings)
    app.add_middleware(BodyLimit, limit=int(settings.max_upload_mb * 1024 * 1024))
    if with_ui:
        _mount_ui(app, settings)
    return app


def _mount_ui(app: FastAPI, settings: Settings) -> None:
    import gradio as gr

    import ui

    key = settings.api_key.get_secret_value() if settings.api_key else None
    gr.mount_gradio_app(
        app,
        ui.build(settings),
        path="/ui",
        css=ui.CSS,
        show_error=False,
        max_file_size=f"{settings.max_file_mb:g}mb",
        # with an API key set, the app asks for it too (user name budgetqa), so /ui is no way around it
        auth=("budgetqa", key) if key else None,
    )


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        headers = {"www-authenticate": "Bearer"} if exc.body.status == 401 else None
        return problem_response(exc.body, headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = {404: "未找到", 405: "方法不允许"}.get(exc.status_code, "请求错误")
        body = Problem(title=title, status=exc.status_code, detail=str(exc.detail))
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        if exc.status_code == 405:  # Starlette lists only the first matching route's methods
            headers["allow"] = ", ".join(sorted(_allowed(request)))
        return problem_response(body, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()]
        return problem_response(Problem(title="请求无效", status=422, detail="；".join(parts)[:2000]))

    @app.exception_handler(BudgetQAError)
    async def refused(request: Request, exc: BudgetQAError) -> Response:  # the CLI's own clear lines
        status = 404 if isinstance(exc, NotFoundError) else 400
        return problem_response(Problem(title="无法处理", status=status, detail=str(exc)))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:  # never a traceback
        detail = f"服务内部错误（{type(exc).__name__}），请稍后重试或查看服务日志"
        return problem_response(Problem(title="内部错误", status=500, detail=detail))


def _health(app: FastAPI, settings: Settings) -> None:
    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, tags=["health"], responses={503: {"model": Health}})
    def readyz() -> Any:
        """The data directory can be read and written: uploads will be accepted."""
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            probe = settings.data_dir / ".readyz"
            probe.write_text("ok")
            probe.unlink()
            count = len(Registry(settings.registry_path).entries)
        except (OSError, ValueError) as exc:
            body = Health(status="not_ready", detail=f"数据目录不可用：{exc}")
            return Response(body.model_dump_json(), status_code=503, media_type="application/json")
        return Health(status="ok", documents=count)


def _router(settings: Settings, docs: Documents, jobs: Jobs) -> APIRouter:
    key = settings.api_key.get_secret_value() if settings.api_key else None

    def require_key(request: Request) -> None:
        if not authorised(request, key):
            raise ApiError(401, "未授权", "需要 Authorization: Bearer <BUDGETQA_API_KEY>", "unauthorised")

    @functools.cache
    def index() -> Any:
        from service.index import Index  # chromadb and jieba load on the first search, not at start

        return Index(settings)

    router = APIRouter(prefix="/v1", dependencies=[Depends(require_key)], responses=ERRORS)

    def analysis(doc_id: str) -> Analysis:
        found = docs.status(doc_id)
        stored = docs.store.load(doc_id) if found is not None and found.state == "ready" else None
        if stored is None:
            if found is not None and found.state != "ready":
                raise ApiError(404, "尚未就绪", f"文档 {doc_id} 状态为 {found.state}", found.state)
            raise ApiError(
                404, "未找到", f"没有编号为 {doc_id} 的文档（GET /v1/documents 列出全部）", "not_found"
            )
        return stored

    @router.post("/documents", response_model=list[UploadResult], status_code=202, tags=["documents"])
    async def upload(
        files: Annotated[list[UploadFile], File(min_length=1, description="one or more PDF files")],
    ) -> list[UploadResult]:
        """Upload PDFs. Each is stored under its content hash and ingested in the background (read,
        index, extract, check); poll ``GET /v1/documents/{doc_id}``. A bad file gets its reason and
        never stops the others."""
        results = []
        limit = int(settings.max_file_mb * 1024 * 1024)
        for upload in files:
            name = safe_file_name(upload.filename)
            data = await upload.read(limit + 1)
            problem = _refusal(name, data, limit, settings.max_file_mb)
            if problem is not None:
                results.append(UploadResult(file_name=name, state="failed", error=problem))
                continue
            state = docs.accept(name, data)
            results.append(
                UploadResult(file_name=name, doc_id=state.doc_id, state=state.state, error=state.error)
            )
        return results

    @router.get("/documents", response_model=list[DocumentStatus], tags=["documents"])
    def list_documents() -> list[DocumentStatus]:
        return docs.listing()

    @router.get("/documents/{doc_id}", response_model=DocumentStatus, tags=["documents"])
    def get_document(doc_id: str) -> DocumentStatus:
        found = docs.status(doc_id)
        if found is None:
            raise ApiError(404, "未找到", f"没有编号为 {doc_id} 的文档", "not_found")
        return found

    @router.delete("/documents/{doc_id}", status_code=204, tags=["documents"])
    def delete_document(doc_id: str) -> Response:
        """Remove a document with its chunks, facts and findings."""
        if not docs.delete(doc_id):
            raise ApiError(404, "未找到", f"没有编号为 {doc_id} 的文档", "not_found")
        return Response(status_code=204)

    @router.get(
        "/documents/{doc_id}/facts",
        tags=["documents"],
        response_model=list[dict[str, Any]],
        responses={200: {"content": {"text/csv": {}}}},
    )
    def facts(
        doc_id: str,
        table: str | None = Query(default=None, max_length=16, description="table id, e.g. T07"),
        format: str = Query(default="json", pattern="^(json|csv)$"),
    ) -> Any:
        """Every value with its page, box, table, row, column and check status."""
        rows = export.fact_rows(analysis(doc_id).report)
        if table:
            rows = [r for r in rows if str(r.get("table_id") or "").upper() == table.upper()]
        if format == "csv":
            return PlainTextResponse(export.to_csv(rows), media_type="text/csv; charset=utf-8")
        # Decimal as its printed string: JSON floats would change the money
        return [{k: _text(row.get(k)) for k in export.FACT_KEYS} for row in rows]

    @router.get("/documents/{doc_id}/findings", response_model=CheckResult, tags=["documents"])
    def findings(doc_id: str) -> CheckResult:
        """The checker's findings and the completeness inventory."""
        return analysis(doc_id).check

    @router.get(
        "/documents/{doc_id}/report.html",
        response_class=HTMLResponse,
        tags=["documents"],
        responses={200: {"content": {"text/html": {}}}},
    )
    def report_html(doc_id: str) -> HTMLResponse:
        stored = analysis(doc_id)
        return HTMLResponse(review.to_html([(stored.check, stored.report)]))

    @router.get(
        "/documents/{doc_id}/pages/{page}.png",
        tags=["documents"],
        response_class=Response,
        responses={200: {"content": {"image/png": {}}, "description": "the page, boxes outlined in red"}},
    )
    def page_image(
        doc_id: str,
        page: int,
        highlight: Annotated[
            str | None, Query(max_length=2000, description="boxes to outline: x0,y0,x1,y1[;x0,y0,x1,y1…]")
        ] = None,
        zoom: Annotated[float, Query(gt=0, le=4)] = 1.5,
    ) -> Response:
        """A page rendered as PNG with the given boxes (PDF points, as facts and citations carry
        them) outlined, from the file that was ingested."""
        from service import pages

        found = docs.status(doc_id)
        if found is None or found.state != "ready":
            raise ApiError(404, "未找到", f"没有编号为 {doc_id} 的已导入文档", "not_found")
        if not 1 <= page <= (found.pages or 0):
            raise ApiError(
                404, "没有这一页", f"{found.file_name}: 没有第 {page} 页（共 {found.pages} 页）", "no_page"
            )
        try:
            boxes = pages.parse_highlight(highlight)
        except pages.PageError as exc:
            raise ApiError(422, "highlight 无效", str(exc), "bad_highlight") from None
        try:
            png = pages.document_page(settings, doc_id, page, boxes, zoom)
        except pages.PageError as exc:  # the file moved or changed since ingest
            raise ApiError(409, "无法显示页面", str(exc), "page_unavailable") from None
        return Response(png, media_type="image/png")

    @router.post("/search", response_model=list[SearchHit], tags=["answers"])
    def search(body: SearchRequest) -> list[SearchHit]:
        """Hybrid search (vectors + BM25) over the chunks of ready documents."""
        registry = Registry(settings.registry_path)
        doc_ids = registry.resolve(body.doc) if body.doc else None  # an unknown name is a 404
        allowed = set(registry.entries)
        if not allowed:
            return []
        hits = index().search(body.query, k=body.k, doc_ids=doc_ids, allowed=allowed)
        return [
            SearchHit(
                rank=n,
                score=round(h.score, 5),
                doc_id=h.metadata["doc_id"],
                file=h.metadata["file_name"],
                page_start=h.metadata["page_start"],
                page_end=h.metadata["page_end"],
                section=h.metadata["section"],
                table_title=h.metadata["table_title"],
                text=h.text,
            )
            for n, h in enumerate(hits, start=1)
        ]

    @router.post("/jobs", response_model=JobStatus, status_code=202, tags=["jobs"], responses={403: _PROBLEM})
    def create_job(body: JobRequest) -> JobStatus:
        """A batch over server folders (under BUDGETQA_BATCH_ROOTS) and/or uploaded documents;
        returns at once — poll ``GET /v1/jobs/{id}``."""
        registry = Registry(settings.registry_path)
        uploaded = {d: Path(e.path) for d, e in registry.entries.items()}
        try:
            inputs = allowed_inputs(body, settings, uploaded)
        except InputRefused as exc:
            raise ApiError(exc.status, "无法创建任务", str(exc), "bad_inputs") from None
        return jobs.submit(inputs, body.llm)

    @router.get("/jobs/{job_id}", response_model=JobStatus, tags=["jobs"])
    def get_job(job_id: str) -> JobStatus:
        found = jobs.get(job_id)
        if found is None:
            raise ApiError(404, "未找到", f"没有编号为 {job_id} 的任务", "not_found")
        return found

    @router.get(
        "/jobs/{job_id}/outputs/{name:path}",
        tags=["jobs"],
        response_class=FileResponse,
        responses={200: {"content": {"application/octet-stream": {}}, "description": "the output file"}},
    )
    def job_output(job_id: str, name: str) -> FileResponse:
        """One output by the name ``GET /v1/jobs/{id}`` lists (status.csv, facts.parquet, budgetqa.duckdb …)."""
        found = jobs.get(job_id)
        path = jobs.output(job_id, name) if found is not None and found.state == "done" else None
        if path is None:
            raise ApiError(404, "未找到", f"任务 {job_id} 没有名为 {name} 的输出", "not_found")
        return FileResponse(path, filename=path.name)

    answering = threading.Lock()  # the engine's caches are not shared between threads

    @functools.cache
    def engine() -> Any:
        from service.qa import Engine

        return Engine(settings)

    @router.post(
        "/ask",
        response_model=Answer,
        tags=["answers"],
        responses={200: {"content": {"text/event-stream": {}}, "description": "the answer (JSON or SSE)"}},
    )
    def ask(body: AskRequest) -> Any:
        """A cited answer: the same JSON as ``budgetqa ask --format json``. With ``stream`` the
        answer text arrives as server-sent ``delta`` events, then the whole answer as ``answer``."""
        with answering:
            answer = engine().ask(body.question, doc=body.doc)
        if not body.stream:
            return answer
        return StreamingResponse(_events(answer), media_type="text/event-stream")

    return router


def _events(answer: Answer) -> Iterator[str]:
    text = answer.answer
    for start in range(0, len(text), 24):
        yield f"event: delta\ndata: {json.dumps({'text': text[start : start + 24]}, ensure_ascii=False)}\n\n"
    yield f"event: answer\ndata: {answer.model_dump_json()}\n\n"


def _refusal(name: str, data: bytes, limit: int, max_mb: float) -> Problem | None:
    if not data:
        return Problem(
            title="空文件", status=422, detail=f"{name}: 文件为空（empty）", problem="empty", file=name
        )
    if len(data) > limit:
        detail = f"{name}: 文件超过 {max_mb:g} MB 上限（too_large）"
        return Problem(title="文件过大", status=413, detail=detail, problem="too_large", file=name)
    if not looks_like_pdf(data):
        detail = f"{name}: 不是 PDF 文件（开头没有 %PDF-），只接受 application/pdf（not_pdf）"
        return Problem(title="不是 PDF", status=415, detail=detail, problem="not_pdf", file=name)
    return None


def _allowed(request: Request) -> set[str]:
    """The methods the OpenAPI document lists for this path (included routers are nested, so the
    route table is not flat; the schema is what clients read anyway)."""
    path = request.url.path
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            methods |= {m.upper() for m in operations}
    return methods


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
