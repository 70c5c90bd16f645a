"""Where the engine's documents come from: the stored, checked Reports of the registered documents
(written by ingest). Loaded once and kept; reloaded only when the registry file changes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from service.qa.facts import Document, document
from service.qa.lexicon import Lexicon


class FactStore(Protocol):
    """The documents an engine answers from."""

    def documents(self) -> dict[str, Document]: ...

    def resolve(self, key: str) -> list[str]: ...


class Retriever(Protocol):
    """Index.search's shape: the chunks nearest a question (used by the LLM mode)."""

    def search(self, query: str, k: int = 5, doc_ids: Sequence[str] | None = None) -> list[Any]: ...


class MemoryStore:
    """Documents already in memory (tests, or a caller that holds Reports)."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self._docs = {d.doc_id: d for d in docs}

    def documents(self) -> dict[str, Document]:
        return self._docs

    def resolve(self, key: str) -> list[str]:
        from service.errors import NotFoundError

        hits = [
            d.doc_id
            for d in self._docs.values()
            if key in (d.doc_id, d.file_name, Path(d.file_name).stem)
            or (len(key) >= 6 and d.doc_id.startswith(key))
        ]
        if not hits:
            raise NotFoundError(f"no ingested document matches “{key}”; run `budgetqa docs` to list them")
        return hits


class ReportFactStore:
    """The registered documents' stored Reports under settings.reports_dir."""

    def __init__(self, settings: Any, lexicon: Lexicon) -> None:
        from service.registry import Registry
        from service.store import ReportStore

        self.settings = settings
        self.lexicon = lexicon
        self.registry = Registry(settings.registry_path)
        self.reports = ReportStore(settings.reports_dir)
        self._docs: dict[str, Document] = {}
        self._stamp: float | None = None
        self.missing: list[str] = []  # registered documents without a stored report (stale code version)

    def _registry_stamp(self) -> float:
        path = self.settings.registry_path
        return path.stat().st_mtime if path.exists() else 0.0

    def documents(self) -> dict[str, Document]:
        stamp = self._registry_stamp()
        if stamp != self._stamp:
            self.registry.reload()
            docs: dict[str, Document] = {}
            self.missing = []
            for doc_id, entry in self.registry.entries.items():
                if doc_id in self._docs:
                    docs[doc_id] = self._docs[doc_id]
                    continue
                analysis = self.reports.load(doc_id)
                if analysis is None:
                    self.missing.append(entry.file_name)
                    continue
                docs[doc_id] = document(analysis.report, analysis.check, self.lexicon)
            self._docs, self._stamp = docs, stamp
        return self._docs

    def resolve(self, key: str) -> list[str]:
        self.registry.reload()
        return self.registry.resolve(key)
