"""Per-file limits: a file's read → chunk → extract → check runs in a worker process under a
wall-clock and a memory budget (settings.file_timeout_s, settings.file_memory_mb), so that no file
can hang a run or take the machine's memory; a file over budget is that file's clear failure and
the next file gets a fresh worker.

``prepare`` is the work itself (the same in-process, with isolation off); ``Worker`` runs it in a
spawned process with ``RLIMIT_AS`` set, started on first use and restarted after a kill.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from service import chunking, pipeline
from service.config import Settings
from service.errors import InputError
from service.store import Analysis

HEADROOM = 64 * 1024 * 1024  # the least a file's work may get beyond what the worker maps at start
TOO_SLOW = "处理超时，已跳过"
TOO_BIG = "内存超限，已跳过"


@dataclass
class Prepared:
    """What one read of a file gives: the document's facts, its chunks (for ingest) and its analysis."""

    doc_id: str
    file_name: str
    page_count: int
    warnings: list[str]
    chunks: list[chunking.Chunk] = field(default_factory=list)
    analysis: Analysis | None = None
    note: str = ""  # the extractor failed: the file is still indexed, extract/check will retry


def prepare(
    path: Path, settings: Settings, with_chunks: bool, reader: pipeline.Reader | None = None
) -> Prepared:
    doc = pipeline.read(path, settings, reader)
    prepared = Prepared(doc.doc_id, doc.file_name, doc.page_count, list(doc.warnings))
    if with_chunks:
        prepared.chunks = chunking.chunk_document(doc)
    try:
        prepared.analysis = pipeline.analyse(doc, settings, llm="never")
    except Exception as exc:  # an extractor bug on an odd report must not keep it out of search
        if not with_chunks:
            raise
        prepared.note = f"抽取失败（{type(exc).__name__}），已建立检索；extract/check 将重试"
    return prepared


class Worker:
    """One supervised worker process, used file after file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._context = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited threads
        self._process: Any = None
        self._conn: Connection | None = None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def prepare(self, path: Path, with_chunks: bool) -> Prepared:
        if self._process is None or not self._process.is_alive():
            self._start(path)
        assert self._conn is not None
        self._conn.send((str(path), with_chunks))
        limit = self.settings.file_timeout_s
        if not self._conn.poll(limit):
            self._kill()
            raise InputError(
                path, "too_slow", f"{TOO_SLOW}（超过 {limit:g} 秒）", "可调大 BUDGETQA_FILE_TIMEOUT"
            )
        try:
            status, payload = self._conn.recv()
        except (EOFError, OSError):  # the worker died: the kernel's OOM killer, or a crash in MuPDF
            code = self._process.exitcode if self._process is not None else None
            self._kill()
            if code is not None and code < 0 and code != -9:
                raise InputError(
                    path, "unreadable", f"读取时进程崩溃（信号 {-code}）", "请检查文件后重试"
                ) from None
            raise InputError(path, "too_big", TOO_BIG, "可调大 BUDGETQA_FILE_MEMORY_MB") from None
        if status == "ok":
            return payload
        if status == "too_big":
            self._kill()  # its heap is fragmented at the limit: the next file gets a fresh one
            mb = self.settings.file_memory_mb
            raise InputError(
                path, "too_big", f"{TOO_BIG}（超过 {mb:g} MB）", "可调大 BUDGETQA_FILE_MEMORY_MB"
            )
        if isinstance(payload, InputError):
            raise payload
        raise InputError(path, "unreadable", f"无法处理（{payload}）", "请检查文件后重试")

    def _start(self, path: Path) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=_serve, args=(child, self.settings), name="budgetqa-worker", daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent
        # the time budget counts the file's own work, not the interpreter starting
        try:
            ready = parent.poll(120) and parent.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._kill()
            mb = self.settings.file_memory_mb
            raise InputError(
                path,
                "too_big",
                f"{TOO_BIG}（{mb:g} MB 不足以启动读取进程）",
                "可调大 BUDGETQA_FILE_MEMORY_MB",
            )

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def close(self) -> None:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            try:
                self._conn.send(None)
                self._process.join(5)
            except (BrokenPipeError, OSError):
                pass
        self._kill()


def _address_space() -> int:
    """Bytes of address space this process already maps (the interpreter, PyMuPDF, pydantic)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


def _serve(conn: Connection, settings: Settings) -> None:
    """The worker's loop: one file per message, until None or the pipe closes. Its stderr goes to
    /dev/null: whatever fails here is reported through the pipe as the file's one line."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    budget = int(settings.file_memory_mb * 1024 * 1024)
    if _address_space() + HEADROOM > budget:  # a budget the worker itself does not fit in
        conn.send("too_small")
        return
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        path, with_chunks = task
        try:
            conn.send(("ok", prepare(Path(path), settings, with_chunks)))
        except MemoryError:
            conn.send(("too_big", None))
        except InputError as exc:
            conn.send(("error", exc))
        except Exception as exc:  # noqa: BLE001 - reported as this file's failure by the parent
            text = str(exc)
            memory = "memory" in text.lower() or "malloc" in text.lower()
            conn.send(("too_big", None) if memory else ("failed", type(exc).__name__))
