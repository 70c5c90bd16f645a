"""The report store: each document's extracted and checked Report, persisted once per content
hash, so extract, check, answers, batch, the app and the API read facts without re-reading the PDF.

A stored result is keyed by (document content hash, VERSION). VERSION is a hash of the code that
produced it — every module of service/ and schemas/, not a hand-kept list of them, which goes stale
the day a new module starts shaping results — so a changed reader, extractor or checker never serves
a stale result: the old file is simply not found, and the next run recomputes and replaces it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from schemas.findings import CheckResult
from schemas.report import Report
from service import files

_PACKAGE = Path(__file__).resolve().parent


READERS_ONLY = ("qa", "api")  # they only read stored results, so editing them keeps those valid


def _code_version() -> str:
    """A short hash of the source of service/ and schemas/."""
    digest = hashlib.sha256()
    for root in (_PACKAGE, _PACKAGE.parent / "schemas"):
        for path in sorted(root.rglob("*.py")):
            if any(path.is_relative_to(_PACKAGE / part) for part in READERS_ONLY):
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


VERSION = _code_version()


@dataclass
class Analysis:
    """One document, extracted and checked: every fact in ``report`` carries its check status."""

    report: Report
    check: CheckResult


class ReportStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, doc_id: str) -> Path:
        return self.root / f"{doc_id}.{VERSION}.json"

    def load(self, doc_id: str) -> Analysis | None:
        """The stored result for this content and this code version, or None."""
        path = self._path(doc_id)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return Analysis(Report.model_validate(raw["report"]), CheckResult.model_validate(raw["check"]))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError):  # a damaged file is recomputed, never served
            return None

    def save(self, analysis: Analysis) -> None:
        doc_id = analysis.report.meta.doc_id
        text = (  # the models' own JSON spliced in: no round trip through dicts
            f'{{"version": {json.dumps(VERSION)}, "report": {analysis.report.model_dump_json()}, '
            f'"check": {analysis.check.model_dump_json()}}}'
        )
        files.write_text_atomic(self._path(doc_id), text)
        for old in self.root.glob(f"{doc_id}.*.json"):  # results of older code versions
            if old.name != self._path(doc_id).name:
                old.unlink(missing_ok=True)

    def has(self, doc_id: str) -> bool:
        return self._path(doc_id).exists()

    def remove(self, doc_id: str) -> None:
        for old in self.root.glob(f"{doc_id}.*.json"):
            old.unlink(missing_ok=True)
