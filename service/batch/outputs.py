"""The batch outputs, rebuilt from the ledger alone (the only pyarrow and duckdb importer).

Everything is written into a staging folder inside OUTDIR and then renamed into place file by file,
so a killed job never leaves a half-written file under a final name: each output is either the
previous complete one or the new complete one. Rows are streamed per document into Parquet and
CSV writers (a province of reports never sits in memory at once), DuckDB then loads the Parquet
files, and report.xlsx gets the sheets a reviewer opens first.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import tempfile
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.findings import CheckResult
from schemas.report import Report
from service.batch import tables
from service.batch.ledger import Ledger
from service.store import Analysis

FLUSH_ROWS = 20_000
XLSX_MAX_ROWS = 1_000_000  # Excel's sheet holds 1,048,576 rows; the full tables are in DuckDB/Parquet
ARROW = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "yuan": pa.decimal128(38, tables.SCALE["yuan"]),
    "wan": pa.decimal128(38, tables.SCALE["wan"]),
    "num": pa.decimal128(38, tables.SCALE["num"]),
    "bbox": pa.list_(pa.float64()),
}
TOP_LEVEL = {"status", "facts"}  # the rest go under tables/


@dataclass
class Built:
    """What the outputs hold: counts for the summary and the tests."""

    files_done: int = 0
    files_failed: int = 0
    failed_by_reason: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    facts: int = 0
    findings: Counter[str] = field(default_factory=Counter)  # error, warning, residue
    rows: Counter[str] = field(default_factory=Counter)  # per table
    input_tokens: int = 0
    output_tokens: int = 0


def schema(spec: tables.Spec) -> pa.Schema:
    return pa.schema([(name, ARROW[kind]) for name, kind in spec.columns])


class _TableWriter:
    """One table: a Parquet file and a CSV file, written in batches."""

    def __init__(self, spec: tables.Spec, folder: Path) -> None:
        self.spec = spec
        self.schema = schema(spec)
        self.parquet_path = folder / f"{spec.name}.parquet"
        self.csv_path = folder / f"{spec.name}.csv"
        self._parquet = pq.ParquetWriter(self.parquet_path, self.schema)
        self._csv_file: IO[str] = open(self.csv_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._csv_file)
        self._csv.writerow(spec.names)
        self._buffer: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        self._parquet.write_table(pa.Table.from_pylist(self._buffer, schema=self.schema))
        names = self.spec.names
        self._csv.writerows([tables.cell(r.get(n)) for n in names] for r in self._buffer)
        self.count += len(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        self.flush()
        self._parquet.close()
        self._csv_file.flush()
        os.fsync(self._csv_file.fileno())
        self._csv_file.close()


class _Results:
    """Parsed results by key, a few at a time: identical copies share one parse."""

    def __init__(self, ledger: Ledger, size: int = 16) -> None:
        self.ledger = ledger
        self.size = size
        self._cache: OrderedDict[str, tuple[Analysis, int, int]] = OrderedDict()

    def get(self, key: str) -> tuple[Analysis, int, int] | None:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        stored = self.ledger.result(key)
        if stored is None:
            return None
        raw = json.loads(stored.json)
        analysis = Analysis(Report.model_validate(raw["report"]), CheckResult.model_validate(raw["check"]))
        self._cache[key] = (analysis, stored.input_tokens, stored.output_tokens)
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return self._cache[key]


def rebuild(ledger: Ledger, outdir: Path) -> Built:
    """All outputs from the ledger's finished and failed files, renamed into place when complete."""
    outdir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=outdir, prefix=".build-"))
    try:
        built = _write_all(ledger, staging)
        _publish(staging, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return built


def clean_staging(outdir: Path) -> None:
    """Staging folders a killed job left behind."""
    for old in outdir.glob(".build-*"):
        shutil.rmtree(old, ignore_errors=True)


def _write_all(ledger: Ledger, staging: Path) -> Built:
    (staging / "tables").mkdir()
    writers = {
        spec.name: _TableWriter(spec, staging if spec.name in TOP_LEVEL else staging / "tables")
        for spec in tables.ALL
    }
    built = Built()
    results = _Results(ledger)
    sheets: dict[str, list[dict[str, Any]]] = {"sangong": [], "findings": [], "inventory": []}
    sangong = {tables.TIDY[tid].name for tid in tables.SANGONG}
    for entry in ledger.entries():
        found = results.get(entry.result_key) if entry.state == "done" and entry.result_key else None
        if found is None:
            if entry.state in ("pending", "running"):
                continue  # not finished yet: it appears once it is
            built.files_failed += 1
            built.failed_by_reason[entry.reason or "failed"] += 1
            writers["status"].add(
                tables.failed_row(
                    entry.name, entry.path, entry.reason, entry.message, entry.seconds, entry.attempts
                )
            )
            continue
        analysis, tokens_in, tokens_out = found
        facts = 0
        for name, row in tables.rows(analysis, entry.name, entry.path):
            writers[name].add(row)
            facts += name == "facts"
            if name in sangong:
                sheets["sangong"].append(row)
            elif name == "findings" and row["outcome"] == "FAIL":
                sheets["findings"].append(row)
            elif name == "inventory" and row["status"] != "present":
                sheets["inventory"].append(row)
        for f in analysis.check.findings:
            if f.outcome == "FAIL":
                built.findings[f.severity] += 1
            elif f.outcome == "PASS_RESIDUE":
                built.findings["residue"] += 1
        writers["status"].add(
            tables.status_row(analysis, entry.name, entry.path, facts, entry.seconds, entry.attempts)
        )
        built.files_done += 1
        built.pages += analysis.report.meta.page_count
        built.facts += facts
        built.input_tokens += tokens_in
        built.output_tokens += tokens_out
    for name, writer in writers.items():
        writer.close()
        built.rows[name] = writer.count
    _duckdb(writers, staging / "budgetqa.duckdb")
    _xlsx(staging / "report.xlsx", writers["status"], sheets, built)
    return built


def _duckdb(writers: dict[str, _TableWriter], target: Path) -> None:
    con = duckdb.connect(str(target))
    try:
        for name, writer in writers.items():
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(writer.parquet_path)])
        union = " UNION ALL ".join(f"SELECT * FROM {tables.TIDY[tid].name}" for tid in tables.SANGONG)
        con.execute(f"CREATE VIEW sangong AS {union}")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _xlsx(target: Path, status: _TableWriter, sheets: dict[str, list[dict[str, Any]]], built: Built) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet("summary")
    for label, value in summary_lines(built):
        summary.append([label, value])
    status_rows = pq.read_table(status.parquet_path).to_pylist()
    _sheet(book, "status", tables.STATUS.names, status_rows)
    _sheet(book, "sangong", [c for c, _ in tables.SANGONG_COLUMNS], sheets["sangong"])
    _sheet(book, "findings", tables.FINDINGS.names, sheets["findings"])
    _sheet(book, "inventory", tables.INVENTORY.names, sheets["inventory"])
    book.save(target)


def _sheet(book: Any, title: str, names: list[str], rows: list[dict[str, Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(names)
    for row in rows[:XLSX_MAX_ROWS]:
        sheet.append([tables.cell(row.get(n)) for n in names])
    if len(rows) > XLSX_MAX_ROWS:
        sheet.append([f"… {len(rows) - XLSX_MAX_ROWS} more rows in budgetqa.duckdb"])


def summary_lines(built: Built) -> list[tuple[str, Any]]:
    return [
        ("files done", built.files_done),
        ("files failed", built.files_failed),
        *((f"failed: {reason}", n) for reason, n in sorted(built.failed_by_reason.items())),
        ("pages", built.pages),
        ("facts", built.facts),
        ("findings: error", built.findings["error"]),
        ("findings: warning", built.findings["warning"]),
        ("findings: residue", built.findings["residue"]),
        ("LLM input tokens", built.input_tokens),
        ("LLM output tokens", built.output_tokens),
    ]


def _publish(staging: Path, outdir: Path) -> None:
    """Each file renamed into place (same file system: atomic); tables/ one file at a time."""
    (outdir / "tables").mkdir(exist_ok=True)
    for path in sorted((staging / "tables").iterdir()):
        _fsync(path)
        os.replace(path, outdir / "tables" / path.name)
    order = ["facts.parquet", "facts.csv", "budgetqa.duckdb", "report.xlsx", "status.parquet", "status.csv"]
    for name in order:  # status.csv last: once it is new, everything it lists is new too
        _fsync(staging / name)
        os.replace(staging / name, outdir / name)


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError), open(path, "rb") as fh:
        os.fsync(fh.fileno())
