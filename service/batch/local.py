"""The local engine: a pool of supervised worker processes (service.worker.Worker, one per slot),
each fed by a driver thread, so N files are read at once, each under the per-file limits."""

from __future__ import annotations

import contextlib
import queue
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from service.batch.task import FileResult, run_file
from service.config import Settings
from service.pipeline import LLMMode
from service.worker import Worker


class LocalEngine:
    name = "local"

    def __init__(self, settings: Settings, llm: LLMMode, workers: int) -> None:
        self.settings = settings
        self.llm = llm
        self.slots = max(1, workers)
        self._pool = ThreadPoolExecutor(self.slots, thread_name_prefix="budgetqa-batch")
        self._runners: queue.SimpleQueue[Worker | None] = queue.SimpleQueue()
        self._all: list[Worker] = []
        for _ in range(self.slots):
            runner = Worker(settings) if settings.isolate else None
            if runner is not None:
                self._all.append(runner)
            self._runners.put(runner)

    def _run(self, path: str) -> FileResult:
        runner = self._runners.get()  # a free worker process; its slot is ours until the file is done
        try:
            return run_file(path, self.settings, self.llm, runner)
        finally:
            self._runners.put(runner)

    def submit(self, path: str) -> Future[FileResult]:
        return self._pool.submit(self._run, path)

    def wait(self, handles: list[Future[FileResult]]) -> list[tuple[Future[FileResult], FileResult]]:
        finished, _ = wait(handles, return_when=FIRST_COMPLETED)
        return [(f, f.result()) for f in finished]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for runner in self._all:
            with contextlib.suppress(Exception):
                runner.close()
