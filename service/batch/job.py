"""The batch driver: inputs → ledger → engine → ledger → outputs.

The driver is the only writer. It brings the ledger in line with the inputs (new, changed and
interrupted files pending), serves what it can without reading a PDF (a result the ledger already
holds for the same content, or the report store's), sends one file per distinct content to the
engine, keeping no more files running than the engine has slots (so ``running`` in the ledger
means running), records each result as it arrives (one transaction), and at the end rebuilds every
output from the ledger.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from service import pipeline
from service.batch import outputs
from service.batch.ledger import Ledger, Stored, file_hash
from service.batch.task import FileResult, done
from service.config import Settings
from service.errors import BudgetQAError
from service.pipeline import LLMMode
from service.store import VERSION, ReportStore

EngineName = Literal["local", "ray"]


class Engine(Protocol):
    name: str
    workers: int  # files read at once
    slots: int  # files handed to the engine at once (marked running in the ledger)

    def submit(self, path: str) -> Any: ...

    def wait(self, handles: list[Any]) -> list[tuple[Any, FileResult]]: ...

    def close(self) -> None: ...


class Observer(Protocol):
    """What the progress display is told (service/batch/progress.py)."""

    def begin(self, total: int, finished: int, to_run: int, engine: str, workers: int) -> None: ...

    def finished(self, paths: list[str], result: FileResult, computed: bool) -> None: ...

    def rebuilding(self) -> None: ...


@dataclass
class JobResult:
    built: outputs.Built
    wall_seconds: float
    computed: int  # distinct contents read this run
    reused: int  # files served from the ledger or the report store
    engine: str
    missing: list[str]  # inputs that do not exist (not in the ledger)


def make_engine(
    name: EngineName, settings: Settings, llm: LLMMode, workers: int | None, ray_address: str | None
) -> Engine:
    if name == "ray":
        from service.batch.ray_engine import RayEngine  # the only module that imports ray

        return RayEngine(settings, llm, workers, ray_address or settings.ray_address)
    from service.batch.local import LocalEngine

    return LocalEngine(settings, llm, workers or os.cpu_count() or 1)


def result_key(digest: str, offline: bool, llm: LLMMode) -> str:
    """What a result depends on: the bytes, the code version and, beyond offline, the LLM mode."""
    return f"{digest}:{VERSION}:{'offline' if offline else llm}"


def run(
    inputs: Iterable[Path | str],
    outdir: Path,
    settings: Settings,
    llm: LLMMode = "auto",
    engine: EngineName = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    retry_failed: bool = False,
    observer: Observer | None = None,
) -> JobResult:
    started = time.monotonic()
    offline = not pipeline.uses_llm(settings, llm)  # ``always`` without a key stops here, before any work
    found = [os.path.abspath(p) for p in pipeline.expand(inputs)]
    missing = [p for p in found if not os.path.lexists(p)]  # a dangling link is kept: its reader says why
    paths = [p for p in found if os.path.lexists(p)]
    if not paths:
        raise BudgetQAError("没有找到 PDF 文件：请给出 PDF 文件、含 PDF 的文件夹或通配符")
    key_of = {p: result_key(_digest(p), offline, llm) for p in paths}
    outdir.mkdir(parents=True, exist_ok=True)
    with _only_job(outdir), Ledger(outdir / "jobs.sqlite") as ledger:
        outputs.clean_staging(outdir)
        ledger.sync(paths, key_of, retry_failed)
        groups: dict[str, list[str]] = {}
        for entry in ledger.pending():
            if entry.path in key_of:  # a file of an earlier run's inputs waits for a run that names it
                groups.setdefault(key_of[entry.path], []).append(entry.path)
        reused = _serve_known(ledger, groups, offline, ReportStore(settings.reports_dir), observer)
        total = len(ledger.entries())
        to_run = sum(len(v) for v in groups.values())
        computed = 0
        if groups:
            runner = make_engine(engine, settings, llm, workers, ray_address)
            if observer is not None:
                observer.begin(total, total - to_run, to_run, runner.name, runner.workers)
            try:
                computed = _drive(ledger, runner, groups, observer)
            finally:
                runner.close()
        elif observer is not None:
            observer.begin(total, total, 0, engine, 0)
        if observer is not None:
            observer.rebuilding()
        built = outputs.rebuild(ledger, outdir)
    return JobResult(built, time.monotonic() - started, computed, reused, engine, missing)


def _digest(path: str) -> str:
    try:
        return file_hash(Path(path))
    except OSError:  # unreadable (a dangling link, no permission): its own key; the reader says why
        return "unreadable-" + hashlib.sha256(os.fsencode(path)).hexdigest()[:16]


@contextlib.contextmanager
def _only_job(outdir: Path) -> Iterator[None]:
    """One job per OUTDIR at a time: a second one would read the same files again."""
    with open(outdir / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BudgetQAError(f"{outdir}: 另一个 batch 任务正在使用这个输出目录，请等它结束") from None
        yield  # the lock goes with the file when it closes (or when the process dies)


def _serve_known(
    ledger: Ledger,
    groups: dict[str, list[str]],
    offline: bool,
    store: ReportStore,
    observer: Observer | None,
) -> int:
    """Pending files whose content already has a result: the ledger's own (a copy finished in an
    earlier run), or, offline, the report store's (the file was ingested or extracted before)."""
    served = 0
    for key in list(groups):
        paths = groups[key]
        if ledger.has_result(key):
            ledger.attach(paths, key, 0.0)
        elif offline and (analysis := store.load(key[:16])) is not None:
            ledger.finish(paths, _stored(key, done(analysis, 0.0)))
        else:
            continue
        served += len(paths)
        del groups[key]
    return served


def _stored(key: str, result: FileResult) -> Stored:
    return Stored(
        key,
        result.doc_id,
        result.pages,
        result.input_tokens,
        result.output_tokens,
        result.seconds,
        result.analysis_zlib,
        result.summary,
        result.tables,
    )


def _drive(ledger: Ledger, engine: Engine, groups: dict[str, list[str]], observer: Observer | None) -> int:
    """One task per distinct content, at most ``engine.slots`` running; each result recorded for
    every file with that content as it arrives."""
    queue = list(groups.items())
    queue.reverse()  # pop() from the end keeps path order
    inflight: dict[Any, tuple[str, list[str]]] = {}
    computed = 0
    try:
        while queue or inflight:
            while queue and len(inflight) < engine.slots:
                key, paths = queue.pop()
                ledger.start(paths)
                inflight[engine.submit(paths[0])] = (key, paths)
            for handle, result in engine.wait(list(inflight)):
                key, paths = inflight.pop(handle)
                _record(ledger, key, paths, result)
                computed += 1
                if observer is not None:
                    observer.finished(paths, result, computed=True)
    except BaseException:
        ledger.release([p for _, paths in inflight.values() for p in paths])
        raise
    return computed


def _record(ledger: Ledger, key: str, paths: list[str], result: FileResult) -> None:
    if result.ok:
        ledger.finish(paths, _stored(key, result))
    else:
        ledger.fail([(p, result.line(p)) for p in paths], result.reason, result.seconds)
