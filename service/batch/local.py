"""The local engine: a pool of N supervised worker processes (service.worker.Worker), fed by 2N
driver threads, so N files are read at once, each under the per-file limits, while the threads
turn finished analyses into output rows (that part runs in this process, not in a worker, and
must not keep a worker idle)."""

from __future__ import annotations

import contextlib
import queue
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from service.batch.task import FileResult, analyse_one, finish
from service.config import Settings
from service.pipeline import LLMMode
from service.worker import Worker


class LocalEngine:
    name = "local"

    def __init__(self, settings: Settings, llm: LLMMode, workers: int) -> None:
        self.settings = settings
        self.llm = llm
        self.workers = max(1, workers)
        self.slots = 2 * self.workers  # one file being read and one being turned into rows, per worker
        self._pool = ThreadPoolExecutor(self.slots, thread_name_prefix="budgetqa-batch")
        self._runners: queue.SimpleQueue[Worker | None] = queue.SimpleQueue()
        self._all: list[Worker] = []
        for _ in range(self.workers):
            runner = Worker(settings) if settings.isolate else None
            if runner is not None:
                self._all.append(runner)
            self._runners.put(runner)

    def _run(self, path: str) -> FileResult:
        runner = self._runners.get()  # a free worker process, ours until the file is read
        start = time.monotonic()
        try:
            analysed = analyse_one(path, self.settings, self.llm, runner)
        finally:
            self._runners.put(runner)
        return analysed if isinstance(analysed, FileResult) else finish(analysed, start)

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
