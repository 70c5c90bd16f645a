"""`budgetqa eval label FILE.pdf`: a gold skeleton of every table cell the extractor reads, for a
person to confirm against the printed page — each field carries ``"confirmed": false`` and the
harness refuses a gold file that still has one (a skeleton is never committed unchecked)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

KEYS = ("table_id", "side", "subject", "row_code", "row", "column", "value", "unit", "page")


def skeleton(pdf_path: Path) -> dict[str, Any]:
    from service import pdf
    from service.export import fact_rows
    from service.extract import extract_report

    report = extract_report(pdf.read_pdf(pdf_path))
    fields = []
    for row in fact_rows(report):
        if not row.get("table_id") or row.get("page") is None:
            continue
        field = {"table_id": row["table_id"]}
        for key in ("side", "subject", "row_code"):
            if row.get(key):
                field[key] = row[key]
        field.update(
            row=row.get("row") or "",
            column=row.get("field") or "",
            value=str(row.get("value") if row.get("value") is not None else ""),
            unit=row.get("unit") or "",
            page=row["page"],
            printed_column=row.get("column") or "",
            confirmed=False,
        )
        fields.append(field)
    return {
        "fixture": pdf_path.stem,
        "note": "Skeleton from the extractor. Check every field against the printed page, fix what is wrong, "
        "add what is missing, delete 'printed_column' and set 'confirmed' to true (or drop the key).",
        "fields": fields,
    }


def unconfirmed(gold: dict[str, Any]) -> int:
    return sum(1 for f in gold.get("fields", []) if f.get("confirmed") is False)


def write(pdf_path: Path, out: Path | None) -> Path:
    from service import files

    target = out or pdf_path.with_suffix(".gold.json")
    files.write_text_atomic(target, json.dumps(skeleton(pdf_path), ensure_ascii=False, indent=1) + "\n")
    return target
