"""The pipeline: read → extract → assist → check, once per file.

``analyse`` takes a read Document through the deterministic extractor, the LLM path where asked,
and the checker. ``analyse_file`` adds the read and the report store: an unchanged file already
analysed by this code version (by ``ingest``, say) is not read again.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from schemas.report import LLMRun
from service import pdf
from service.check import check_report
from service.config import Settings
from service.document import Document
from service.errors import LLMError, display_name
from service.extract import extract_report
from service.store import Analysis, ReportStore

if TYPE_CHECKING:
    from service.extract.assisted import StructuredLLM
    from service.llm import TokenBudget
    from service.worker import Worker

LLMMode = Literal["auto", "never", "always"]


class Reader(Protocol):
    def __call__(self, path: Path, max_mb: float, max_pages: int) -> Document: ...


def uses_llm(settings: Settings, llm: LLMMode, client: object | None = None) -> bool:
    """Whether this run goes beyond the deterministic extractor. ``always`` without a key is an error."""
    if llm == "never":
        return False
    if settings.llm_enabled or client is not None:
        return True
    if llm == "always":
        from service.llm import MISSING_KEY

        raise LLMError(MISSING_KEY)
    return False


def read(path: Path, settings: Settings, reader: Reader | None = None) -> Document:
    """The one read of a file, within the configured size and page limits."""
    return (reader or pdf.read_pdf)(path, max_mb=settings.max_file_mb, max_pages=settings.max_pages)


def analyse(
    doc: Document,
    settings: Settings,
    llm: LLMMode = "never",
    client: StructuredLLM | None = None,
    budget: TokenBudget | None = None,
) -> Analysis:
    """Deterministic extraction, then (``auto`` with a key, or ``always``) the LLM path, then the checker.
    An unreachable endpoint in ``auto`` is noted and the deterministic result kept; in ``always`` it is
    an error that names the fix."""
    report = extract_report(doc)
    if uses_llm(settings, llm, client):
        from service.extract.assisted import AssistedExtractor
        from service.llm import LLMClient, TokenBudget

        try:
            client = client or LLMClient(settings)
            budget = budget or TokenBudget(settings.llm_token_budget)
            extractor = AssistedExtractor(
                client,
                settings.llm_cache_dir,
                budget,
                settings.llm_concurrency,
                verify=check_report,
            )
            report = extractor.improve(doc, report, llm)  # type: ignore[arg-type]
        except LLMError as exc:
            if llm == "always":
                raise
            report.meta.llm = LLMRun(mode="auto", model=settings.chat_model, notes=[f"LLM 未使用：{exc}"])
    return Analysis(report, check_report(report))


def analyse_file(
    path: Path,
    settings: Settings,
    llm: LLMMode = "auto",
    client: StructuredLLM | None = None,
    budget: TokenBudget | None = None,
    reader: Reader | None = None,
    store: ReportStore | None = None,
    runner: Worker | None = None,
) -> Analysis:
    """One file end to end. Offline results are stored by content hash and served from the store
    when the same bytes come again (under any name); an offline read runs in ``runner`` (under the
    per-file limits) when given. LLM-assisted runs always run, in-process (their answers are cached
    per page by the LLM path)."""
    offline = not uses_llm(settings, llm, client)
    store = store if store is not None else ReportStore(settings.reports_dir)
    if offline:
        doc_id = content_id(path, settings.max_file_mb)
        stored = store.load(doc_id) if doc_id else None
        if stored is not None:
            return renamed(stored, display_name(path.name))
        if runner is not None:
            analysis = runner.prepare(path, with_chunks=False).analysis
            assert analysis is not None  # prepare without chunks raises instead
            save_quietly(store, analysis)
            return analysis
    analysis = analyse(read(path, settings, reader), settings, llm, client, budget)
    if offline:
        save_quietly(store, analysis)
    return analysis


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, folders searched recursively for *.pdf (a folder named x.pdf is searched too,
    not read); order kept, the same file reached twice (a symlink) kept once."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found.extend(
            sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and not p.is_dir())
            if path.is_dir()
            else [path]
        )
    unique: dict[Path, Path] = {}
    for p in found:
        unique.setdefault(p.resolve(), p)
    return list(unique.values())


def content_id(path: Path, max_mb: float) -> str | None:
    """The document id of a readable file within the size limit (else None: the reader says why)."""
    try:
        if path.is_file() and 0 < path.stat().st_size <= max_mb * 1024 * 1024:
            return pdf.file_id(path.read_bytes())
    except OSError:
        return None
    return None


def renamed(analysis: Analysis, file_name: str) -> Analysis:
    """The same bytes under another name are the same document; only the name shown changes."""
    analysis.report.meta.file_name = file_name
    analysis.check.doc = file_name
    return analysis


def save_quietly(store: ReportStore, analysis: Analysis) -> bool:
    """Persist when the data directory allows; a read-only or full disk costs only the reuse."""
    try:
        store.save(analysis)
    except OSError:
        return False
    return True
