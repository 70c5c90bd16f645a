"""The document registry: which documents are in the index (a JSON file in the data directory).

Several processes may share one data directory (two CLI runs, the app, the API): every change
takes an exclusive lock, re-reads the file and applies only its own change, so no writer loses
another's documents."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from service import files
from service.errors import BudgetQAError, NotFoundError


@dataclass
class DocumentEntry:
    doc_id: str
    file_name: str
    path: str
    pages: int
    chunks: int
    tables: int
    ingested_at: str
    warnings: list[str] = field(
        default_factory=list
    )  # damage found while reading (results may be incomplete)


class Registry:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, DocumentEntry] = {}
        self.reload()

    def reload(self) -> None:
        if self.path.exists():
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries = {doc_id: DocumentEntry(**entry) for doc_id, entry in raw.items()}

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive access to the registry file across processes; entries are fresh inside."""
        with files.locked(self.path.with_suffix(".lock")):
            self.reload()
            yield

    def put(self, entry: DocumentEntry) -> None:
        with self.locked():
            self.entries[entry.doc_id] = entry
            self._write()

    def remove(self, doc_id: str) -> None:
        with self.locked():
            self.entries.pop(doc_id, None)
            self._write()

    def _write(self) -> None:
        data = json.dumps({k: asdict(v) for k, v in self.entries.items()}, ensure_ascii=False, indent=1)
        files.write_text_atomic(self.path, data)

    def by_path(self, path: str) -> DocumentEntry | None:
        return next((e for e in self.entries.values() if e.path == path), None)

    def resolve(self, key: str) -> list[str]:
        """Document ids for an id (or unique id prefix), a file name, or a path."""
        if key in self.entries:
            return [key]
        by_prefix = [d for d in self.entries if d.startswith(key)] if len(key) >= 6 else []
        if len(by_prefix) == 1:
            return by_prefix
        by_name = [
            e.doc_id for e in self.entries.values() if key in (e.file_name, e.path, Path(e.file_name).stem)
        ]
        if len(by_name) > 1:
            listing = ", ".join(
                f"{e.doc_id} ({e.path})" for e in self.entries.values() if e.doc_id in by_name
            )
            raise BudgetQAError(f"“{key}” matches several documents; use a document id: {listing}")
        if by_name:
            return by_name
        raise NotFoundError(f"no ingested document matches “{key}”; run `budgetqa docs` to list them")
