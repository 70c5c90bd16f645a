"""Benchmark of `budgetqa batch`: reports per minute with 1 and 2 workers, side by side in one run,
and a per-report cost model (seconds, MB, tokens) that says how long a province of 10,000 reports
takes on N Ray workers.

The corpus is COPIES copies of the four fixtures, each with a distinct trailing PDF comment: the
same report to read, but distinct bytes, so every copy is really read (identical copies would be
served from the ledger and cost nothing). Each run has its own output and data directory; the
local engine runs supervised worker processes, as `budgetqa batch --engine local` does.

Run: ``python -m eval.bench_batch [--copies 40] [--workers 1,2]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

from service.batch import job
from service.batch.ledger import Ledger
from service.batch.task import FileResult
from service.config import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "eval" / "fixtures").glob("*.pdf"))
PROVINCE = 10_000
RAY_WORKERS = (1, 2, 8, 32, 128)


class Clock:
    """Timestamps from the job's observer: reading starts, each result, the rebuild starts."""

    def __init__(self) -> None:
        self.begin_at = self.rebuild_at = time.monotonic()
        self.pages = 0

    def begin(self, total: int, finished: int, to_run: int, engine: str, workers: int) -> None:
        self.begin_at = time.monotonic()

    def finished(self, paths: list[str], result: FileResult, computed: bool) -> None:
        self.pages += result.pages * len(paths)

    def rebuilding(self) -> None:
        self.rebuild_at = time.monotonic()


def make_corpus(folder: Path, copies: int) -> int:
    """``copies`` reports (the four fixtures in turn), distinct bytes each; returns their pages."""
    folder.mkdir(parents=True)
    for n in range(copies):
        src = FIXTURES[n % len(FIXTURES)]
        (folder / f"{src.stem}-{n:03d}.pdf").write_bytes(src.read_bytes() + f"\n% bench copy {n}\n".encode())
    return copies


def run_once(corpus: Path, work: Path, workers: int) -> dict[str, float]:
    settings = Settings(BUDGETQA_DATA_DIR=work / "data")
    clock = Clock()
    recorded = [0.0]
    original = job._record

    def timed(*args: Any) -> None:
        t = time.perf_counter()
        original(*args)
        recorded[0] += time.perf_counter() - t

    cpu_before = _cpu()
    start = time.monotonic()
    with mock.patch.object(job, "_record", timed):  # the driver's share of each result
        result = job.run([corpus], work / "out", settings, llm="never", workers=workers, observer=clock)
    end = time.monotonic()
    cpu = _cpu() - cpu_before  # the driver and its worker processes (reaped when the job closes them)
    with Ledger(work / "out" / "jobs.sqlite") as ledger:
        seconds = [e.seconds for e in ledger.entries() if e.state == "done" and e.seconds]
    reading = clock.rebuild_at - clock.begin_at
    return {
        "files": result.built.files_done,
        "pages": result.built.pages,
        "facts": result.built.facts,
        "wall": end - start,
        "reading": reading,
        "rebuild": end - clock.rebuild_at,
        "startup": clock.begin_at - start,
        "per_report": statistics.median(seconds),
        "per_report_mean": statistics.fmean(seconds),
        "tokens": result.built.input_tokens + result.built.output_tokens,
        "cpu": cpu,
        "record": recorded[0],
    }


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        corpus = Path(tmp) / "corpus"
        make_corpus(corpus, args.copies)
        runs = {w: run_once(corpus, Path(tmp) / f"w{w}", w) for w in counts}
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker process

    print(f"1. reports per minute, {args.copies} fixture copies (distinct bytes), local engine")
    print(
        f"{'workers':>8} {'reports':>8} {'pages':>7} {'reading s':>10} {'rebuild s':>10} {'wall s':>8}"
        f" {'reports/min':>12} {'pages/s':>8} {'× 1 worker':>11} {'CPU s/report':>13}"
    )
    base = runs[counts[0]]
    for w, r in runs.items():
        rpm = r["files"] / r["reading"] * 60
        print(
            f"{w:>8} {r['files']:>8.0f} {r['pages']:>7.0f} {r['reading']:>10.1f} {r['rebuild']:>10.2f} {r['wall']:>8.1f}"
            f" {rpm:>12.0f} {r['pages'] / r['reading']:>8.1f} {base['reading'] / r['reading']:>10.2f}×"
            f" {r['cpu'] / r['files']:>13.2f}"
        )
    one = runs[counts[0]]
    top = max(counts)
    efficiency = (
        min(1.0, (one["reading"] / runs[top]["reading"]) / (top / counts[0])) if top > counts[0] else 1.0
    )
    # CPU-seconds per report (worker and driver): what a Ray worker spends, whatever else runs here
    per_report = statistics.fmean(r["cpu"] / r["files"] for r in runs.values())
    rebuild_per_report = statistics.fmean(r["rebuild"] / r["files"] for r in runs.values())
    tokens = one["tokens"] / one["files"]
    record_per_report = statistics.fmean(r["record"] / r["files"] for r in runs.values())
    print()
    print("2. cost model per report")
    print(
        f"   seconds: {per_report:.2f} CPU-seconds per report, worker and driver together (median file"
        f" {one['per_report']:.2f} s wall, {one['pages'] / one['files']:.0f} pages)"
    )
    print(
        f"   driver: {record_per_report * 1000:.1f} ms to record a result in the ledger,"
        f" {rebuild_per_report * 1000:.0f} ms per report to rebuild the outputs at the end"
    )
    print(f"   memory: {peak_mb:.0f} MB peak RSS of a worker process")
    print(
        f"   tokens: {tokens:.0f} per report offline (--llm never); with an LLM the run's summary counts them"
        " and prices them from BUDGETQA_LLM_PRICES"
    )
    print(
        f"   wall-clock speed-up here, {counts[0]} → {top} workers: {efficiency * top / counts[0]:.2f}×"
        " (this machine's 2 cores are shared with other work; CPU-seconds are what the model uses)"
    )
    print()
    print(f"3. a province of {PROVINCE:,} reports on N Ray workers (one CPU and ~{peak_mb:.0f} MB each)")
    print(f"{'N':>6} {'reading':>10} {'rebuild':>9} {'total':>10}")
    rebuild = PROVINCE * rebuild_per_report
    floor = PROVINCE * record_per_report  # the driver records results one at a time
    for n in RAY_WORKERS:
        reading = max(PROVINCE * per_report / n, floor)
        print(f"{n:>6} {_hours(reading):>10} {_hours(rebuild):>9} {_hours(reading + rebuild):>10}")
    print("   reading = max(reports × CPU-seconds per report ÷ N, reports × driver record time); files are")
    print("   independent, so workers scale until the driver's recording is the limit; the rebuild runs once")
    return 0


def _hours(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.0f} s"


if __name__ == "__main__":
    sys.exit(main())
