"""Pydantic models of a 部门预算/决算公开 report. Pure: no I/O beyond writing JSON Schema files."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas import performance, report, tables
from schemas.facts import Fact

JSON_DIR = Path(__file__).resolve().parent / "json"


def top_level_models() -> dict[str, type[BaseModel]]:
    """Models whose JSON Schema is published in schemas/json/."""
    models: dict[str, type[BaseModel]] = {"Report": report.Report, "Fact": Fact, "Claim": report.Claim}
    for name in report.Tables.model_fields:
        models[name] = getattr(tables, name)
    models.update(
        PE_PP=performance.SelfEvaluation,
        PT=performance.ThirdPartyScore,
        B12=performance.TargetTable,
        B13=performance.ProjectTargets,
    )
    return models


def json_schemas() -> dict[str, str]:
    return {
        f"{name}.schema.json": json.dumps(
            model.model_json_schema(), ensure_ascii=False, indent=1, sort_keys=True
        )
        + "\n"
        for name, model in top_level_models().items()
    }


def write_json_schemas(directory: Path = JSON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in json_schemas().items():
        path = directory / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
