"""Batch jobs over HTTP: ``service.batch.job.run`` in a background thread, one job at a time, its
progress kept in memory and in OUTDIR/job.json (so a finished job is still listed after a restart).
Outputs are served by name from the job's own folder, never by a path the client chose."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from schemas.api import JobRequest, JobStatus, Problem
from service import files
from service.config import Settings
from service.errors import BudgetQAError

_ID = "0123456789abcdef"


class Jobs:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_dir / "jobs"
        self._lock = threading.Lock()
        self._queue = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch")

    def close(self) -> None:
        self._queue.shutdown(wait=False, cancel_futures=True)

    def submit(self, inputs: list[Path], llm: str) -> JobStatus:
        job_id = uuid.uuid4().hex[:12]
        # total is known once the inputs are expanded (begin)
        status = JobStatus(job_id=job_id, state="queued", created_at=_now())
        self._save(status)
        self._queue.submit(self._run, status, inputs, llm)
        return status

    def _run(self, status: JobStatus, inputs: list[Path], llm: str) -> None:
        from service.batch import job  # duckdb and pyarrow load with the first job

        observer = _Progress(self, status)
        try:
            result = job.run(inputs, self.folder(status.job_id), self.settings, llm=llm, observer=observer)  # type: ignore[arg-type]
        except BudgetQAError as exc:
            self._update(
                status, state="failed", error=Problem(title="批处理失败", status=422, detail=str(exc))
            )
            return
        except Exception as exc:  # the job's reason, never a traceback
            detail = f"批处理中断（{type(exc).__name__}）：{exc}"
            self._update(status, state="failed", error=Problem(title="批处理失败", status=500, detail=detail))
            return
        built = result.built
        summary = {
            "files_done": built.files_done,
            "files_failed": built.files_failed,
            "pages": built.pages,
            "facts": built.facts,
            **{f"findings_{k}": v for k, v in built.findings.items()},
            **{f"failed_{k}": v for k, v in built.failed_by_reason.items()},
        }
        self._update(
            status,
            state="done",
            done=built.files_done,
            failed=built.files_failed,
            finished=built.files_done + built.files_failed,
            pages=built.pages,
            summary=summary,
            finished_at=_now(),
            outputs=self.outputs(status.job_id),
        )

    def folder(self, job_id: str) -> Path:
        return self.root / job_id

    def get(self, job_id: str) -> JobStatus | None:
        if len(job_id) != 12 or any(c not in _ID for c in job_id):
            return None
        path = self.folder(job_id) / "job.json"
        with self._lock:
            try:
                return JobStatus.model_validate_json(path.read_text(encoding="utf-8"))
            except (FileNotFoundError, ValueError):
                return None

    def outputs(self, job_id: str) -> list[str]:
        """The job's output files, relative to its folder (the ledger and job.json are not outputs)."""
        folder = self.folder(job_id)
        names = [
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.name not in ("job.json", "jobs.sqlite")
        ]
        return sorted(n for n in names if "-journal" not in n and "-wal" not in n)

    def output(self, job_id: str, name: str) -> Path | None:
        """An output file by its listed name only: the name is looked up, never joined as a path."""
        return self.folder(job_id) / name if name in self.outputs(job_id) else None

    def _update(self, status: JobStatus, **changes: object) -> None:
        for key, value in changes.items():
            setattr(status, key, value)
        self._save(status)

    def _save(self, status: JobStatus) -> None:
        with self._lock:
            files.write_text_atomic(self.folder(status.job_id) / "job.json", status.model_dump_json())


class _Progress:
    """The batch Observer: counts into the job's status as files finish."""

    def __init__(self, jobs: Jobs, status: JobStatus) -> None:
        self.jobs = jobs
        self.status = status

    def begin(self, total: int, finished: int, to_run: int, engine: str, slots: int) -> None:
        self.jobs._update(self.status, state="running", total=total, finished=finished)

    def finished(self, paths: list[str], result: object, computed: bool) -> None:
        ok = bool(getattr(result, "ok", False))
        n = len(paths)
        self.jobs._update(
            self.status,
            finished=self.status.finished + n,
            done=self.status.done + (n if ok else 0),
            failed=self.status.failed + (0 if ok else n),
            pages=self.status.pages + (int(getattr(result, "pages", 0)) * n if ok else 0),
        )

    def rebuilding(self) -> None:
        pass


class InputRefused(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def allowed_inputs(request: JobRequest, settings: Settings, uploaded: dict[str, Path]) -> list[Path]:
    """The job's files: server paths inside a configured root (after resolving links), and
    uploaded documents by id. Raises InputRefused naming the first input refused."""
    roots = [r.resolve() for r in settings.batch_roots]
    inputs: list[Path] = []
    for raw in request.paths:
        try:
            path = Path(raw).resolve()
        except (ValueError, OSError):  # a NUL byte, a loop of links
            raise InputRefused(404, f"{raw!r}: 不是有效的路径，没有这个文件") from None
        if not any(path == root or path.is_relative_to(root) for root in roots):
            where = "、".join(str(r) for r in roots) or "（未配置 BUDGETQA_BATCH_ROOTS）"
            raise InputRefused(403, f"{raw}: 不在允许的目录内（{where}）")
        try:
            present = path.exists()
        except OSError:  # a name too long for the file system
            present = False
        if not present:
            raise InputRefused(404, f"{raw}: 文件或文件夹不存在")
        inputs.append(path)
    for doc_id in request.doc_ids:
        if doc_id not in uploaded:
            raise InputRefused(404, f"{doc_id}: 没有这个已上传的文档（先 POST /v1/documents）")
        inputs.append(uploaded[doc_id])
    return inputs


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
