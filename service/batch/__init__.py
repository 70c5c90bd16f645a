"""Bulk extraction jobs: a folder of reports becomes a dataset — resumable, parallel, on one machine
or a Ray cluster.

``budgetqa batch DIR_OR_GLOB... -o OUTDIR`` reads, extracts and checks every PDF under the inputs.
``ledger`` (OUTDIR/jobs.sqlite) records each file and each finished result, ``job`` drives an
engine (``local``: supervised worker processes; ``ray_engine``: Ray tasks) with the per-file task
of ``task``, and ``outputs`` rebuilds the dataset (CSV, Parquet, DuckDB, Excel; tables in
``tables``) from the ledger alone.
"""

from __future__ import annotations

import argparse
import glob
from pathlib import Path

from rich.console import Console


def cli(args: argparse.Namespace, console: Console, err_console: Console) -> int:
    """`budgetqa batch`: run the job, print the summary; exit 1 when some file failed."""
    from service.batch import job, progress
    from service.config import get_settings
    from service.errors import display_name

    settings = get_settings()
    inputs = expand_globs(args.inputs)
    result = job.run(
        inputs,
        args.output,
        settings,
        llm=args.llm,
        engine=args.engine,
        workers=args.workers,
        ray_address=args.ray_address,
        retry_failed=args.retry_failed,
        observer=progress.BarObserver(err_console),
    )
    for path in result.missing:
        err_console.print(f"[red]✗[/red] {display_name(path)}: 文件不存在，已跳过（missing）")
    console.print(progress.summary(result, settings))
    console.print(f"输出：{args.output}（status.csv、facts.parquet、budgetqa.duckdb、report.xlsx、tables/）")
    return 1 if result.built.files_failed or result.missing else 0


def expand_globs(inputs: list[str]) -> list[Path]:
    """Folders and files as given; a pattern the shell did not expand (quoted) expanded here."""
    out: list[Path] = []
    for raw in inputs:
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        out.extend(Path(m) for m in matches)
    return out
