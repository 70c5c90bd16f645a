"""A Report as rows: one per extracted value (the `facts` format), and writers for JSON Lines,
CSV and Excel. Text values of 绩效 indicators (指标值, 实际完成值) are rows too, without a number."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas.facts import Fact
from schemas.report import Report

FACT_KEYS = [
    "doc",
    "doc_id",
    "table_id",
    "table_title",
    "side",
    "subject",
    "level2",
    "row_code",
    "row",
    "field",
    "column",
    "value",
    "unit",
    "value_yuan",
    "page",
    "bbox",
    "source",
    "status",
]


def _fact_fields(model: BaseModel) -> Iterator[tuple[str, Fact]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Fact):
            yield name, value


def _row(report: Report, fact: Fact, field: str, **context: Any) -> dict[str, Any]:
    p = fact.provenance
    return {
        "doc": report.meta.file_name,
        "doc_id": report.meta.doc_id,
        "table_id": context.get("table_id", p.table_id),
        "table_title": context.get("table_title", ""),
        "side": context.get("side"),
        "subject": context.get("subject"),
        "level2": context.get("level2"),
        "row_code": context.get("row_code", p.row_code),
        "row": context.get("row", p.row_label),
        "field": field,
        "column": p.column,
        "value": fact.printed,
        "number": fact.value,  # the Decimal itself, for typed outputs (batch); not in FACT_KEYS
        "unit": fact.unit,
        "value_yuan": str(fact.value_yuan) if fact.value_yuan is not None else None,
        "page": p.page,
        "bbox": list(p.bbox) if p.bbox else None,
        "source": fact.source,
        "status": fact.status,
    }


def _text_row(report: Report, value: str | None, field: str, page: int, **context: Any) -> dict[str, Any]:
    row: dict[str, Any] = {key: None for key in FACT_KEYS}
    row.update(
        doc=report.meta.file_name,
        doc_id=report.meta.doc_id,
        field=field,
        column=field,
        value=value or "",
        page=page,
        source="deterministic",
        status="unverified",
        **context,
    )
    return row


def fact_rows(report: Report) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    ctx: dict[str, Any]
    for table in report.tables.present():
        ctx = {"table_id": table.table_id, "table_title": table.title}
        for item in getattr(table, "rows", []):
            row_ctx = {
                **ctx,
                "side": getattr(item, "side", None),
                "row_code": getattr(item, "code", None),
                "row": item.label,
            }
            rows += [_row(report, f, name, **row_ctx) for name, f in _fact_fields(item)]
    perf = report.performance
    for ev in perf.self_evaluations:
        ctx = {"table_id": ev.table_id, "table_title": ev.title, "subject": ev.subject}
        for line in ev.budget:
            rows += [
                _row(report, f, name, **ctx, row=line.label, row_code=None) for name, f in _fact_fields(line)
            ]
        for ind in ev.indicators:
            rows += _indicator_rows(report, ind, ctx)
        for block in ev.level1_scores:
            rows += [
                _row(report, f, name, **ctx, row=block.level1, row_code=None)
                for name, f in _fact_fields(block)
            ]
        if ev.total_score is not None:
            rows.append(_row(report, ev.total_score, "total_score", **ctx, row="总分", row_code=None))
    for pt in perf.third_party:
        ctx = {
            "table_id": "PT",
            "table_title": "第三方评价得分表",
            "subject": pt.subject,
            "row_code": None,
        }
        for key, facts in (("weight", pt.weights), ("score", pt.scores), ("rate", pt.rates)):
            rows += [_row(report, f, key, **ctx, row=name) for name, f in zip(pt.level1, facts, strict=False)]
    if perf.targets is not None:
        t = perf.targets
        ctx = {"table_id": "B12", "table_title": t.title, "subject": t.subject}
        for line in t.budget:
            rows += [
                _row(report, f, name, **ctx, row=line.label, row_code=None) for name, f in _fact_fields(line)
            ]
        for ind in t.indicators:
            rows += _indicator_rows(report, ind, ctx)
    if perf.project_targets is not None:
        pt13 = perf.project_targets
        for project in pt13.projects:
            ctx = {
                "table_id": "B13",
                "table_title": pt13.title,
                "row_code": project.code,
                "row": project.label,
            }
            rows += [_row(report, f, name, **ctx) for name, f in _fact_fields(project)]
            for ind in project.indicators:
                rows += _indicator_rows(
                    report, ind, {"table_id": "B13", "table_title": pt13.title, "subject": project.code}
                )
    for claim in report.claims:
        rows.append(
            _row(
                report,
                claim.value,
                claim.kind,
                table_id="NAR",
                table_title=claim.section or "",
                row=claim.subject,
                row_code=None,
            )
        )
    return rows


# 绩效 text cells: (Indicator attribute, facts field, header when the form's is unknown)
TEXT_FIELDS = (
    ("target", "target", "指标值"),
    ("actual", "actual", "实际完成值"),
    ("reason", "deviation_reason", "偏差原因"),
)


def _indicator_rows(report: Report, ind: Any, ctx: dict[str, Any]) -> list[dict[str, Any]]:
    """An indicator's cells: 分值 and 得分 as numbers, 指标值, 实际完成值 and 偏差原因 as text; the
    row is the 三级指标 as printed, the column the header printed over the cell."""
    row_ctx = {**ctx, "row": ind.level3, "row_code": ind.code, "level2": ind.level2}
    rows = [_row(report, f, name, **row_ctx) for name, f in _fact_fields(ind)]
    headers = getattr(ind, "headers", None) or {}
    for attr, name, default in TEXT_FIELDS:
        if getattr(ind, attr) is not None:
            row = _text_row(report, getattr(ind, attr), name, ind.page, **row_ctx)
            row["column"] = headers.get(attr, default)
            rows.append(row)
    return rows


# ---------------------------------------------------------------- writers


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(
        json.dumps({k: _plain(r.get(k)) for k in FACT_KEYS}, ensure_ascii=False) + "\n" for r in rows
    )


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FACT_KEYS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: json.dumps(r[k]) if isinstance(r.get(k), list) else r.get(k) for k in FACT_KEYS})
    return out.getvalue()


def write_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "facts"
    sheet.append(FACT_KEYS)
    for r in rows:
        sheet.append([json.dumps(r[k]) if isinstance(r.get(k), list) else r.get(k) for k in FACT_KEYS])
    book.save(path)
