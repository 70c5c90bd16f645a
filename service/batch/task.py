"""The per-file task both engines run: read, extract and check one file, and return the result as
plain data (the Analysis as JSON, or a failure's reason). It writes nothing: the driver alone
writes the ledger, the report store and the outputs, so every engine gives the same outputs.

An offline file runs in ``runner`` (service.worker.Worker: the per-file time and memory limits,
too_slow / too_big); an LLM-assisted file runs in-process, as ``budgetqa extract`` does.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from service import pipeline
from service.config import Settings
from service.errors import InputError, LLMError, display_name
from service.pipeline import LLMMode
from service.store import Analysis
from service.worker import Worker


@dataclass
class FileResult:
    """What one task returns: a finished analysis, or why the file failed."""

    ok: bool
    seconds: float
    analysis_zlib: bytes = b""  # the Analysis as JSON, zlib-compressed (the ledger stores it as is)
    doc_id: str = ""
    pages: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    reason: str = ""  # a problem code: encrypted, scanned, too_slow, too_big, crashed …
    message: str = ""  # what went wrong and what to do, without the file name
    hint: str = ""
    summary: str = "{}"  # JSON: the document's part of its status row
    tables: dict[str, bytes] = field(default_factory=dict)  # its rows of each output table (Arrow IPC)

    def line(self, path: str) -> str:
        """The one line that names the file, as every budgetqa command prints it."""
        tail = f"，{self.hint}" if self.hint else ""
        return f"{display_name(Path(path).name)}: {self.message}{tail}（{self.reason}）"


def as_json(analysis: Analysis) -> str:
    """The models' own JSON spliced into one object (the report store's shape)."""
    return f'{{"report": {analysis.report.model_dump_json()}, "check": {analysis.check.model_dump_json()}}}'


def done(analysis: Analysis, seconds: float) -> FileResult:
    """A finished file: its Analysis, and its output rows encoded here, where it was analysed (a Ray
    worker, say), so the driver only stores them."""
    from service.batch import outputs

    encoded, summary = outputs.encode(analysis)
    run = analysis.report.meta.llm
    return FileResult(
        ok=True,
        seconds=seconds,
        analysis_zlib=zlib.compress(as_json(analysis).encode("utf-8"), 1),
        doc_id=analysis.report.meta.doc_id,
        pages=analysis.report.meta.page_count,
        input_tokens=run.input_tokens if run else 0,
        output_tokens=run.output_tokens if run else 0,
        summary=json.dumps(summary, ensure_ascii=False),
        tables=encoded,
    )


def run_file(path: str, settings: Settings, llm: LLMMode, runner: Worker | None) -> FileResult:
    """One file, never raising: a bad PDF, a limit, an LLM error or a crash is this file's failure."""
    start = time.monotonic()
    analysed = analyse_one(path, settings, llm, runner)
    if isinstance(analysed, FileResult):
        return analysed
    return finish(analysed, start)


def analyse_one(path: str, settings: Settings, llm: LLMMode, runner: Worker | None) -> Analysis | FileResult:
    """The read, extraction and check (in ``runner`` when given and offline), or why it failed."""
    start = time.monotonic()
    try:
        if runner is not None and not pipeline.uses_llm(settings, llm):
            prepared = runner.prepare(Path(path), with_chunks=False)
            assert prepared.analysis is not None  # prepare without chunks raises instead
            return prepared.analysis
        return pipeline.analyse(pipeline.read(Path(path), settings), settings, llm)
    except InputError as exc:
        return FileResult(
            False, time.monotonic() - start, reason=exc.problem, message=exc.message, hint=exc.hint
        )
    except LLMError as exc:
        return FileResult(False, time.monotonic() - start, reason="llm", message=str(exc))
    except MemoryError:
        return FileResult(False, time.monotonic() - start, reason="too_big", message="内存不足，已跳过")
    except Exception as exc:  # noqa: BLE001 - an extractor bug on one odd file must not stop the job
        return FileResult(
            False,
            time.monotonic() - start,
            reason="crashed",
            message=f"处理失败（{type(exc).__name__}），已跳过",
            hint="其余文件继续",
        )


def finish(analysis: Analysis, start: float) -> FileResult:
    """The finished file's result; ``seconds`` counts the file's whole task (read to rows)."""
    result = done(analysis, 0.0)
    result.seconds = time.monotonic() - start
    return result
