"""Ingest: PDF files and folders → pages → chunks → index, one file at a time, never losing the
others when one file is bad. Re-ingesting an unchanged file does nothing; a changed file
replaces its old chunks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from service import chunking, pdf
from service.config import Settings
from service.errors import InputError, display_name
from service.index import Index
from service.registry import DocumentEntry, Registry


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


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, folders searched recursively for *.pdf; order kept, duplicates dropped."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found.extend(
            sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf") if path.is_dir() else [path]
        )
    unique: dict[Path, Path] = {}
    for p in found:
        unique.setdefault(p.resolve(), p)
    return list(unique.values())


def ingest(
    paths: Iterable[Path | str],
    settings: Settings,
    on_file: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    index = Index(settings)
    registry = Registry(settings.registry_path)
    outcomes = []
    changed = False
    for path in expand(paths):
        outcome = ingest_file(path, settings, index, registry)
        changed |= outcome.status in ("ingested", "replaced")
        outcomes.append(outcome)
        if on_file:
            on_file(outcome)
    if changed or index.lexical_stale():
        index.rebuild_lexical()
    return outcomes


def ingest_file(path: Path, settings: Settings, index: Index, registry: Registry) -> Outcome:
    """One file, guarded end to end: whatever goes wrong (read, chunk, embed, index, registry)
    becomes this file's failure with a clear line, never the run's."""
    start = time.perf_counter()
    try:
        return _ingest_file(path, settings, index, registry, start)
    except InputError as exc:
        return Outcome(path, "failed", seconds=time.perf_counter() - start, error=exc)
    except Exception as exc:  # one unreadable file must not lose the others
        error = InputError(path, "unreadable", f"无法处理（{type(exc).__name__}）", "请检查文件后重试")
        return Outcome(path, "failed", seconds=time.perf_counter() - start, error=error)


def _ingest_file(path: Path, settings: Settings, index: Index, registry: Registry, start: float) -> Outcome:
    resolved = display_name(str(path.resolve()))
    if path.is_file() and 0 < path.stat().st_size <= settings.max_file_mb * 1024 * 1024:
        doc_id = pdf.file_id(path.read_bytes())
        registry.reload()
        known = registry.entries.get(doc_id)
        if known is not None:
            return Outcome(
                path,
                "unchanged",
                doc_id,
                known.pages,
                known.chunks,
                known.tables,
                time.perf_counter() - start,
            )
    doc = pdf.read_pdf(path, max_mb=settings.max_file_mb, max_pages=settings.max_pages)
    chunks = chunking.chunk_document(doc)
    registry.reload()
    if doc.doc_id in registry.entries:  # another process ingested the same file meanwhile
        known = registry.entries[doc.doc_id]
        return Outcome(
            path,
            "unchanged",
            doc.doc_id,
            known.pages,
            known.chunks,
            known.tables,
            time.perf_counter() - start,
        )
    old = registry.by_path(resolved)
    if old is not None:
        index.delete_document(old.doc_id)
        registry.remove(old.doc_id)
    index.add(chunks)
    tables = count_tables(chunks)
    registry.put(
        DocumentEntry(
            doc_id=doc.doc_id,
            file_name=doc.file_name,
            path=resolved,
            pages=doc.page_count,
            chunks=len(chunks),
            tables=tables,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    )
    status = "replaced" if old is not None else "ingested"
    return Outcome(path, status, doc.doc_id, doc.page_count, len(chunks), tables, time.perf_counter() - start)


def count_tables(chunks: list[chunking.Chunk]) -> int:
    """Tables in a document: runs of table chunks under one title (a continued table counts once)."""
    titles = [c.table_title for c in chunks if c.kind == "table"]
    return sum(1 for i, t in enumerate(titles) if i == 0 or t != titles[i - 1])
