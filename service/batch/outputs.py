"""The batch outputs, rebuilt from the ledger alone (the only pyarrow and duckdb importer).

Each finished document's rows are encoded once, when it finishes (``encode``: Arrow IPC per table,
stored in the ledger beside its Analysis JSON), so a rebuild never re-parses a report: it streams
each table's rows file by file (adding the file's name and path) into Parquet, loads the Parquet
files into DuckDB, writes the CSVs from DuckDB and report.xlsx from DuckDB queries.

Everything is written into a staging folder inside OUTDIR and renamed into place file by file, so a
killed job never leaves a half-written file under a final name: each output is either the previous
complete one or the new complete one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from service.batch import tables
from service.batch.ledger import Ledger
from service.errors import display_name
from service.store import Analysis

ROW_GROUP = 50_000
XLSX_MAX_ROWS = 1_000_000  # an Excel sheet holds 1,048,576 rows; the full tables are in DuckDB/Parquet
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
CONTENT = [spec for spec in tables.ALL if spec.name != "status"]


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


def schema(columns: tuple[tuple[str, tables.Kind], ...]) -> pa.Schema:
    return pa.schema([(name, ARROW[kind]) for name, kind in columns])


# ---------------------------------------------------------------- one document, when it finishes


def encode(analysis: Analysis) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The document's rows of every output table (Arrow IPC, zlib) and its status summary."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for name, row in tables.rows(analysis):
        grouped.setdefault(name, []).append(row)
    encoded = {}
    for spec in CONTENT:
        rows = grouped.get(spec.name)
        if rows:
            table = pa.Table.from_pylist(rows, schema=schema(spec.content_columns))
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            # zlib over plain IPC: Arrow's own per-buffer codecs decode several times slower here
            encoded[spec.name] = zlib.compress(sink.getvalue().to_pybytes(), 1)
    return encoded, tables.summary(analysis, len(grouped.get("facts", [])))


def _decode(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(zlib.decompress(data))).read_all()


# ---------------------------------------------------------------- the whole dataset


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


def _folder(staging: Path, name: str) -> Path:
    return staging if name in TOP_LEVEL else staging / "tables"


def _write_all(ledger: Ledger, staging: Path) -> Built:
    (staging / "tables").mkdir()
    built = Built()
    _write_status(ledger, staging / "status.parquet", built)
    for spec in CONTENT:
        built.rows[spec.name] = _write_table(
            ledger, spec, _folder(staging, spec.name) / f"{spec.name}.parquet"
        )
    built.facts = built.rows["facts"]
    db = staging / "budgetqa.duckdb"
    _duckdb(staging, db)
    _xlsx(db, staging / "report.xlsx", built)
    return built


def _write_status(ledger: Ledger, target: Path, built: Built) -> None:
    summaries = ledger.summaries()
    rows = []
    for entry in ledger.entries():
        path = display_name(entry.path)  # a name that is not UTF-8 escaped, as every output shows it
        row: dict[str, Any] = {
            "file": entry.name,
            "path": path,
            "seconds": entry.seconds,
            "attempts": entry.attempts,
        }
        if entry.state == "done" and entry.result_key in summaries:
            text, tokens_in, tokens_out = summaries[entry.result_key]
            summary = json.loads(text)
            row.update(summary, status="done")
            built.files_done += 1
            built.pages += summary["pages"]
            built.findings.update(
                error=summary["errors"], warning=summary["warnings"], residue=summary["residues"]
            )
            built.input_tokens += tokens_in
            built.output_tokens += tokens_out
        elif entry.state == "failed":
            row.update(status="failed", reason=entry.reason, message=entry.message)
            built.files_failed += 1
            built.failed_by_reason[entry.reason or "failed"] += 1
        else:
            continue  # not finished yet: it appears once it is
        rows.append(row)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema(tables.STATUS.columns)), target)
    built.rows["status"] = len(rows)


def _write_table(ledger: Ledger, spec: tables.Spec, target: Path) -> int:
    """One table: each done file's rows with its name and path in front, in path order."""
    full = schema(spec.columns)
    count = 0
    pending: list[pa.Table] = []
    pending_rows = 0
    with pq.ParquetWriter(target, full) as writer:
        for path, name, data in ledger.table_rows(spec.name):
            part = _decode(data)
            n = part.num_rows
            part = part.add_column(0, "path", pa.array([display_name(path)] * n, pa.string()))
            part = part.add_column(0, "file", pa.array([name] * n, pa.string()))
            pending.append(part.select(full.names).cast(full))
            pending_rows += n
            if pending_rows >= ROW_GROUP:
                writer.write_table(pa.concat_tables(pending))
                count += pending_rows
                pending, pending_rows = [], 0
        if pending:
            writer.write_table(pa.concat_tables(pending))
            count += pending_rows
        if not count:
            writer.write_table(full.empty_table())
    return count


def _duckdb(staging: Path, target: Path) -> None:
    """Every table into DuckDB from its Parquet file (types kept: DECIMAL money), a ``sangong``
    view over both 三公 tables, then the CSVs written by DuckDB."""
    con = duckdb.connect(str(target))
    try:
        for spec in tables.ALL:
            source = _folder(staging, spec.name) / f"{spec.name}.parquet"
            con.execute(f"CREATE TABLE {spec.name} AS SELECT * FROM read_parquet(?)", [str(source)])
        union = " UNION ALL ".join(f"SELECT * FROM {tables.TIDY[tid].name}" for tid in tables.SANGONG)
        con.execute(f"CREATE VIEW sangong AS {union}")
        for spec in tables.ALL:
            csv_path = _folder(staging, spec.name) / f"{spec.name}.csv"
            con.execute(f"COPY {spec.name} TO '{_quoted(csv_path)}' (HEADER, DELIMITER ',')")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


SHEETS = {
    "status": "SELECT * FROM status ORDER BY path",
    "sangong": "SELECT * FROM sangong ORDER BY path, table_id",
    "findings": "SELECT * FROM findings WHERE outcome = 'FAIL' ORDER BY path, severity, rule_id",
    "inventory": "SELECT * FROM inventory WHERE status <> 'present' ORDER BY path, table_id",
}


def _xlsx(db: Path, target: Path, built: Built) -> None:
    """The sheets a reviewer opens first: summary, status, 三公, failed checks, missing tables."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("summary")
    for label, value in summary_lines(built):
        sheet.append([label, value])
    con = duckdb.connect(str(db), read_only=True)
    try:
        for title, query in SHEETS.items():
            result = con.execute(query)
            sheet = book.create_sheet(title)
            sheet.append([d[0] for d in result.description])
            rows = result.fetchmany(XLSX_MAX_ROWS)
            for row in rows:
                sheet.append([_cell(v) for v in row])
            if len(rows) == XLSX_MAX_ROWS:
                sheet.append(["… more rows in budgetqa.duckdb"])
    finally:
        con.close()
    book.save(target)


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list) else value


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
