"""The Ray engine (the only module that imports ray): the same per-file task as Ray tasks.

``ray.init(address=...)`` joins an existing cluster (the flag, or BUDGETQA_RAY_ADDRESS); with
none it starts a private local Ray on this machine (loopback only, no dashboard, no usage stats).
Tasks return plain data; the driver alone writes the ledger and the outputs, so the outputs are
the same as the local engine's. On a cluster every node needs budgetqa installed and the input
paths readable under the same names (a shared file system).
"""

from __future__ import annotations

import os
from typing import Any

from service.batch.task import FileResult, run_file
from service.config import Settings
from service.errors import BudgetQAError
from service.pipeline import LLMMode

_RUNNER: Any = None  # one supervised worker per Ray worker process, reused task after task


def _task(path: str, settings: Settings, llm: LLMMode) -> FileResult:
    """Runs inside a Ray worker: the per-file limits still apply (service.worker.Worker)."""
    global _RUNNER
    if settings.isolate and _RUNNER is None:
        from service.worker import Worker

        _RUNNER = Worker(settings)
    return run_file(path, settings, llm, _RUNNER if settings.isolate else None)


class RayEngine:
    name = "ray"

    def __init__(self, settings: Settings, llm: LLMMode, workers: int | None, address: str | None) -> None:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report leaves the machine
        try:
            import ray
        except ImportError:
            raise BudgetQAError("--engine ray 需要 Ray：pip install 'budgetqa[ray]'") from None

        self.ray = ray
        self.settings = settings
        self.llm = llm
        common: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
        }
        if address:
            ray.init(address=address, **common)
        else:
            ray.init(
                address="local",  # a private local Ray: never a cluster some other job started
                num_cpus=workers or os.cpu_count() or 1,
                _node_ip_address="127.0.0.1",
                **common,
            )
        # files in flight: --workers when given, else one per CPU of the cluster
        self.slots = self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_task)
        self._settings_ref = ray.put(settings)

    def submit(self, path: str) -> Any:
        return self._remote.remote(path, self._settings_ref, self.llm)

    def wait(self, handles: list[Any]) -> list[tuple[Any, FileResult]]:
        ready, _ = self.ray.wait(handles, num_returns=1)
        out = []
        for ref in ready:
            try:
                out.append((ref, self.ray.get(ref)))
            except Exception as exc:  # noqa: BLE001 - a Ray worker that died is this file's failure
                out.append(
                    (
                        ref,
                        FileResult(
                            False,
                            0.0,
                            reason="crashed",
                            message=f"Ray 任务失败（{type(exc).__name__}），已跳过",
                            hint="其余文件继续",
                        ),
                    )
                )
        return out

    def close(self) -> None:
        self.ray.shutdown()
