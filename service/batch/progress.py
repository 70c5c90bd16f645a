"""What a batch run shows: a progress bar (files, done / failed, pages/s, ETA) and the final summary."""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from service.batch.job import JobResult
from service.batch.task import FileResult
from service.config import Settings

MAX_LINES = 20  # failures printed one per line; the rest are in status.csv


class BarObserver:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("[bold]批处理"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("✓ {task.fields[done]} ✗ {task.fields[failed]}"),
            TextColumn("{task.fields[rate]} 页/秒"),
            TextColumn("剩余"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task: Any = None
        self.done = self.failed = self.pages = self.lines = 0
        self.start = time.monotonic()

    def begin(self, total: int, finished: int, to_run: int, engine: str, workers: int) -> None:
        if finished:
            self.console.print(f"共 {total} 个文件：{finished} 个已有结果（不重做），{to_run} 个待处理")
        if to_run:
            self.console.print(f"引擎 {engine}，{workers} 路并行")
            self.start = time.monotonic()
            self.progress.start()
            self.task = self.progress.add_task("", total=to_run, done=0, failed=0, rate="–")

    def finished(self, paths: list[str], result: FileResult, computed: bool) -> None:
        if result.ok:
            self.done += len(paths)
            self.pages += result.pages * len(paths)
        else:
            self.failed += len(paths)
            for path in paths:
                if self.lines < MAX_LINES:
                    self.progress.console.print(f"[red]✗[/red] {result.line(path)}")
                self.lines += 1
        elapsed = max(time.monotonic() - self.start, 1e-6)
        self.progress.update(
            self.task,
            advance=len(paths),
            done=self.done,
            failed=self.failed,
            rate=f"{self.pages / elapsed:.1f}",
        )

    def rebuilding(self) -> None:
        if self.task is not None:
            self.progress.stop()
        if self.lines > MAX_LINES:
            self.console.print(f"… 另有 {self.lines - MAX_LINES} 个文件失败，见 status.csv")
        self.console.print("生成输出（status.csv、facts.parquet、budgetqa.duckdb、report.xlsx …）")


def cost_usd(settings: Settings, input_tokens: int, output_tokens: int) -> Decimal | None:
    """Estimated LLM cost from the price table in settings (USD per million tokens); None if the
    chat model is not in it."""
    prices = settings.llm_prices.get(settings.chat_model)
    if prices is None:
        return None
    cost = (
        Decimal(input_tokens) * Decimal(str(prices[0])) + Decimal(output_tokens) * Decimal(str(prices[1]))
    ) / Decimal(1_000_000)
    return cost.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def summary(result: JobResult, settings: Settings) -> Table:
    b = result.built
    table = Table(title="批处理结果", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_row("文件：完成", str(b.files_done))
    table.add_row("文件：失败", str(b.files_failed))
    for reason, n in sorted(b.failed_by_reason.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(f"  失败原因 {reason}", str(n))
    table.add_row("本次读取（不同内容）", str(result.computed))
    table.add_row("复用已有结果（文件）", str(result.reused))
    table.add_row("页数", str(b.pages))
    table.add_row("数值（facts）", str(b.facts))
    table.add_row("问题：错误", str(b.findings["error"]))
    table.add_row("问题：警告", str(b.findings["warning"]))
    table.add_row("尾差（容差内）", str(b.findings["residue"]))
    table.add_row("用时", f"{result.wall_seconds:.1f} 秒")
    table.add_row("LLM token（输入+输出）", f"{b.input_tokens}+{b.output_tokens}")
    cost = cost_usd(settings, b.input_tokens, b.output_tokens)
    table.add_row(
        "估计费用",
        f"${cost}（{settings.chat_model}）" if cost is not None else f"{settings.chat_model} 不在价格表中",
    )
    return table
