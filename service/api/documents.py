"""Uploaded documents: stored under their content hash, ingested one at a time off the request
thread, their state kept until the registry shows them (ready) or their reason is known (failed)."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from schemas.api import DocumentStatus, Problem
from service import files, ingest, pdf
from service.config import Settings
from service.registry import DocumentEntry, Registry
from service.store import ReportStore


class Documents:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = Registry(settings.registry_path)
        self.store = ReportStore(settings.reports_dir)
        self._pending: dict[str, DocumentStatus] = {}
        self._lock = threading.Lock()
        # one ingest at a time: each file already runs in its own worker process (service.worker),
        # and a second thread would only wait on the same data-dir locks
        self._queue = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")

    def close(self) -> None:
        self._queue.shutdown(wait=False, cancel_futures=True)

    def accept(self, file_name: str, data: bytes) -> DocumentStatus:
        """Store one uploaded PDF and queue it; returns at once."""
        doc_id = pdf.file_id(data)
        self.registry.reload()
        if doc_id in self.registry.entries:
            return self.status(doc_id) or DocumentStatus(doc_id=doc_id, file_name=file_name, state="ready")
        folder = self.settings.uploads_dir / doc_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (file_name if file_name.lower().endswith(".pdf") else f"{file_name}.pdf")
        files.write_bytes_atomic(path, data)
        state = DocumentStatus(doc_id=doc_id, file_name=file_name, state="queued")
        with self._lock:
            self._pending[doc_id] = state
        self._queue.submit(self._ingest, doc_id, path)
        return state

    def _ingest(self, doc_id: str, path: Path) -> None:
        self._set(doc_id, "processing")
        try:
            outcome = ingest.ingest([path], self.settings)[0]
        except Exception as exc:  # the data dir itself failed (read-only, full): the file's reason
            self._fail(
                doc_id, Problem(title="导入失败", status=500, detail=f"{path.name}: {exc}", file=path.name)
            )
            return
        if outcome.error is not None:
            err = outcome.error
            detail = str(err)
            self._fail(
                doc_id,
                Problem(title=err.message, status=422, detail=detail, problem=err.problem, file=path.name),
            )
            shutil.rmtree(path.parent, ignore_errors=True)  # a failed upload keeps no file
            return
        with self._lock:
            self._pending.pop(doc_id, None)

    def _set(self, doc_id: str, state: str) -> None:
        with self._lock:
            if doc_id in self._pending:
                self._pending[doc_id] = self._pending[doc_id].model_copy(update={"state": state})

    def _fail(self, doc_id: str, error: Problem) -> None:
        with self._lock:
            current = self._pending.get(doc_id)
            if current is not None:
                self._pending[doc_id] = current.model_copy(update={"state": "failed", "error": error})

    def status(self, doc_id: str) -> DocumentStatus | None:
        self.registry.reload()
        entry = self.registry.entries.get(doc_id)
        if entry is not None:
            return self._ready(entry)
        with self._lock:
            return self._pending.get(doc_id)

    def listing(self) -> list[DocumentStatus]:
        self.registry.reload()
        ready = [self._ready(e) for e in self.registry.entries.values()]
        with self._lock:
            waiting = [s for d, s in self._pending.items() if d not in self.registry.entries]
        return sorted(ready, key=lambda s: s.file_name) + waiting

    def _ready(self, entry: DocumentEntry) -> DocumentStatus:
        stored = self.store.load(entry.doc_id)
        meta = stored.report.meta if stored else None
        return DocumentStatus(
            doc_id=entry.doc_id,
            file_name=entry.file_name,
            state="ready",
            pages=entry.pages,
            chunks=entry.chunks,
            tables=entry.tables,
            department=meta.department if meta else None,
            year=meta.year if meta else None,
            kind=meta.kind if meta else None,
            ingested_at=entry.ingested_at,
            warnings=entry.warnings,
        )

    def pdf_path(self, doc_id: str) -> Path | None:
        self.registry.reload()
        entry = self.registry.entries.get(doc_id)
        return Path(entry.path) if entry is not None else None

    def delete(self, doc_id: str) -> bool:
        with self._lock:
            dropped = self._pending.pop(doc_id, None) is not None
        removed = ingest.remove(doc_id, self.settings)
        shutil.rmtree(self.settings.uploads_dir / doc_id, ignore_errors=True)
        return removed or dropped
