"""Ingest: PDF files and folders → one read per file → chunks into the index, and the extracted,
checked Report into the store. One file at a time, never losing the others when one is bad.
Re-ingesting an unchanged file does nothing; a changed file replaces its old chunks and report.

A document becomes visible (in the registry, which search, docs, the app and the API read) only
after its report, vectors and BM25 rows are all written: a run killed half-way leaves nothing shown,
and the next ingest of that file clears the leftovers first."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from service import chunking, files, pipeline, worker
from service.config import Settings
from service.errors import InputError, display_name
from service.registry import DocumentEntry, Registry
from service.store import ReportStore

if TYPE_CHECKING:
    from service.index import Index


@dataclass
class Outcome:
    path: Path
    status: str  # ingested | replaced | unchanged | failed
    doc_id: str = ""
    pages: int = 0
    chunks: int = 0
    tables: int = 0
    seconds: float = 0.0
    error: InputError | None = None
    note: str = ""  # indexed, but something short of failure went wrong (e.g. extraction)


def ingest(
    paths: Iterable[Path | str],
    settings: Settings,
    on_file: Callable[[Outcome], None] | None = None,
    reader: pipeline.Reader | None = None,
) -> list[Outcome]:
    """Ingest files and folders. Each file is read in a worker under the per-file limits (see
    service.worker) unless isolation is off or a reader is given (tests count reads in-process)."""
    from service.index import Index  # chromadb and jieba load only for commands that index

    runner = worker.Worker(settings) if settings.isolate and reader is None else None
    index = Index(settings)
    index.require_writable()
    registry = Registry(settings.registry_path)
    store = ReportStore(settings.reports_dir)
    outcomes = []
    try:
        with files.locked(commit_lock(settings)):
            registry.reload()
            for lost in index.repair({e.doc_id: e.chunks for e in registry.entries.values()}):
                registry.remove(lost)  # its chunks are gone: the next ingest of the file adds it again
        for path in pipeline.expand(paths):
            outcome = ingest_file(path, settings, index, registry, store, reader, runner)
            outcomes.append(outcome)
            if on_file:
                on_file(outcome)
    finally:
        if runner is not None:
            runner.close()
    return outcomes


def ingest_file(
    path: Path,
    settings: Settings,
    index: Index,
    registry: Registry,
    store: ReportStore,
    reader: pipeline.Reader | None = None,
    runner: worker.Worker | None = None,
) -> Outcome:
    """One file, guarded end to end: whatever goes wrong (read, chunk, embed, index, registry)
    becomes this file's failure with a clear line, never the run's."""
    start = time.perf_counter()
    try:
        return _ingest_file(path, settings, index, registry, store, reader, runner, start)
    except InputError as exc:
        return Outcome(path, "failed", seconds=time.perf_counter() - start, error=exc)
    except OSError as exc:  # a full disk or a read-only data dir while writing this file's results
        error = InputError(
            path, "write_failed", f"无法写入数据目录（{exc.strerror or exc}）", "请检查磁盘空间与目录权限"
        )
        return Outcome(path, "failed", seconds=time.perf_counter() - start, error=error)
    except Exception as exc:  # one unreadable file must not lose the others
        error = InputError(path, "unreadable", f"无法处理（{type(exc).__name__}）", "请检查文件后重试")
        return Outcome(path, "failed", seconds=time.perf_counter() - start, error=error)


def _ingest_file(
    path: Path,
    settings: Settings,
    index: Index,
    registry: Registry,
    store: ReportStore,
    reader: pipeline.Reader | None,
    runner: worker.Worker | None,
    start: float,
) -> Outcome:
    resolved = display_name(str(path.resolve()))
    doc_id = pipeline.content_id(path, settings.max_file_mb)
    if doc_id is not None:
        registry.reload()
        if doc_id in registry.entries:
            known = registry.entries[doc_id]
            if not store.has(doc_id):  # indexed by an older budgetqa: its report is recomputed
                read = (
                    runner.prepare(path, with_chunks=False)
                    if runner
                    else worker.prepare(path, settings, False, reader)
                )
                if read.analysis is not None:
                    store.save(read.analysis)
                outcome = _unchanged(path, known, start)
                outcome.note = "报告已按当前版本重新抽取与核验" if read.analysis is not None else read.note
                return outcome
            return _unchanged(path, known, start)
    read = runner.prepare(path, with_chunks=True) if runner else worker.prepare(path, settings, True, reader)
    chunks = read.chunks
    entry = DocumentEntry(
        doc_id=read.doc_id,
        file_name=read.file_name,
        path=resolved,
        pages=read.page_count,
        chunks=len(chunks),
        tables=count_tables(chunks),
        ingested_at="",
        warnings=read.warnings,
    )
    note = "；".join([*read.warnings, read.note] if read.note else read.warnings)
    if read.analysis is not None:
        store.save(read.analysis)  # a full disk here fails this file, before anything is visible
    with files.locked(commit_lock(settings)):  # no repair sees a document half-written
        registry.reload()
        if entry.doc_id in registry.entries:  # another process ingested the same file meanwhile
            return _unchanged(path, registry.entries[entry.doc_id], start)
        if index.has_chunks(entry.doc_id):  # leftovers of a run killed before its registry write
            index.delete_document(entry.doc_id)
        index.add(chunks)
        old = registry.by_path(resolved)
        entry.ingested_at = datetime.now(UTC).isoformat(timespec="seconds")
        registry.put(entry)  # the commit point: from here on the document is visible
    if old is not None and old.doc_id != entry.doc_id:  # the file changed: retire its previous version
        registry.remove(old.doc_id)
        index.delete_document(old.doc_id)
        store.remove(old.doc_id)
    status = "replaced" if old is not None else "ingested"
    seconds = time.perf_counter() - start
    return Outcome(path, status, entry.doc_id, entry.pages, entry.chunks, entry.tables, seconds, note=note)


def commit_lock(settings: Settings) -> Path:
    """Held while a document's chunks go in and its registry entry is written, and while the
    stores are checked against the registry."""
    return settings.data_dir / "commit.lock"


def _unchanged(path: Path, known: DocumentEntry, start: float) -> Outcome:
    return Outcome(
        path, "unchanged", known.doc_id, known.pages, known.chunks, known.tables, time.perf_counter() - start
    )


def count_tables(chunks: list[chunking.Chunk]) -> int:
    """Tables in a document: runs of table chunks under one title (a continued table counts once)."""
    titles = [c.table_title for c in chunks if c.kind == "table"]
    return sum(1 for i, t in enumerate(titles) if i == 0 or t != titles[i - 1])


def remove(doc_id: str, settings: Settings) -> bool:
    """Take a document out: its registry entry first (it stops being shown), then its chunks and its
    stored report. False when it was not there."""
    from service.index import Index

    registry = Registry(settings.registry_path)
    if doc_id not in registry.entries:
        return False
    index = Index(settings)
    index.require_writable()
    with files.locked(commit_lock(settings)):
        registry.remove(doc_id)
        index.delete_document(doc_id)
        ReportStore(settings.reports_dir).remove(doc_id)
    return True
