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

from service import chunking, pdf, pipeline
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
    from service.index import Index  # chromadb and jieba load only for commands that index

    index = Index(settings)
    registry = Registry(settings.registry_path)
    store = ReportStore(settings.reports_dir)
    outcomes = []
    for path in pipeline.expand(paths):
        outcome = ingest_file(path, settings, index, registry, store, reader)
        outcomes.append(outcome)
        if on_file:
            on_file(outcome)
    return outcomes


def ingest_file(
    path: Path,
    settings: Settings,
    index: Index,
    registry: Registry,
    store: ReportStore,
    reader: pipeline.Reader | None = None,
) -> Outcome:
    """One file, guarded end to end: whatever goes wrong (read, chunk, embed, index, registry)
    becomes this file's failure with a clear line, never the run's."""
    start = time.perf_counter()
    try:
        return _ingest_file(path, settings, index, registry, store, reader, start)
    except InputError as exc:
        return Outcome(path, "failed", seconds=time.perf_counter() - start, error=exc)
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
    start: float,
) -> Outcome:
    resolved = display_name(str(path.resolve()))
    doc_id = pipeline.content_id(path, settings.max_file_mb)
    if doc_id is not None:
        registry.reload()
        if doc_id in registry.entries:
            return _unchanged(path, registry.entries[doc_id], start)
    doc = (reader or pdf.read_pdf)(path, max_mb=settings.max_file_mb, max_pages=settings.max_pages)
    chunks = chunking.chunk_document(doc)
    entry = DocumentEntry(
        doc_id=doc.doc_id,
        file_name=doc.file_name,
        path=resolved,
        pages=doc.page_count,
        chunks=len(chunks),
        tables=count_tables(chunks),
        ingested_at="",
    )
    note = ""
    try:
        pipeline.save_quietly(store, pipeline.analyse(doc, settings, llm="never"))
    except Exception as exc:  # an extractor bug on an odd report must not keep it out of search
        note = f"抽取失败（{type(exc).__name__}），已建立检索；extract/check 将重试"
    del doc  # the pages are not needed any more: indexing (and jieba) reuse their memory
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


def _unchanged(path: Path, known: DocumentEntry, start: float) -> Outcome:
    return Outcome(
        path, "unchanged", known.doc_id, known.pages, known.chunks, known.tables, time.perf_counter() - start
    )


def count_tables(chunks: list[chunking.Chunk]) -> int:
    """Tables in a document: runs of table chunks under one title (a continued table counts once)."""
    titles = [c.table_title for c in chunks if c.kind == "table"]
    return sum(1 for i, t in enumerate(titles) if i == 0 or t != titles[i - 1])
