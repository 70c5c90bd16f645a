"""Deterministic extraction: gold accuracy per fixture, facts output, schemas, the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import schemas
from conftest import BAD, NAMES
from eval import score_extraction
from service import cli
from service.config import get_settings


@pytest.mark.parametrize("name", NAMES)
def test_at_least_99_percent_of_gold_fields_exact(name: str) -> None:
    score = score_extraction.score_fixture(name)
    print(f"{name}: {score.matched}/{score.total} = {score.accuracy:.2%}")
    assert score.total >= 200
    assert score.accuracy >= 0.99, score.misses[:10]


def test_json_schemas_in_the_repo_are_current() -> None:
    committed = {p.name: p.read_text(encoding="utf-8") for p in schemas.JSON_DIR.glob("*.schema.json")}
    assert committed == schemas.json_schemas(), "run `python -m schemas` and commit schemas/json/"
    report = json.loads(committed["Report.schema.json"])
    assert report["additionalProperties"] is False
    fact = json.loads(committed["Fact.schema.json"])
    assert {"printed", "value", "unit", "decimals", "value_yuan", "provenance"} <= set(fact["properties"])


def test_every_schema_field_has_a_bilingual_description() -> None:
    for name, model in schemas.top_level_models().items():
        for sub in [model, *_nested(model)]:
            for field_name, info in sub.model_fields.items():
                assert info.description, f"{name}.{sub.__name__}.{field_name} has no description"


def _nested(model: type) -> list[type]:
    from pydantic import BaseModel

    out, todo = [], [model]
    while todo:
        current = todo.pop()
        for info in current.model_fields.values():
            for arg in getattr(info.annotation, "__args__", ()) + (info.annotation,):
                inner = getattr(arg, "__args__", (arg,))
                for t in inner:
                    if isinstance(t, type) and issubclass(t, BaseModel) and t not in out and t is not model:
                        out.append(t)
                        todo.append(t)
    return out


@pytest.fixture()
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUDGETQA_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_extract_facts_rows_carry_provenance_and_status(cli_env: Path, fixture_pdfs, capsys) -> None:
    assert (
        cli.main(["extract", str(fixture_pdfs["jiaozuo_2021_final"]), "--llm", "never", "--format", "facts"])
        == 0
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    keys = {
        "doc",
        "doc_id",
        "table_id",
        "table_title",
        "row_code",
        "row",
        "column",
        "value",
        "unit",
        "value_yuan",
        "page",
        "bbox",
        "source",
        "status",
    }
    assert all(keys <= set(r) for r in rows)
    sangong = {r["field"]: r for r in rows if r["table_id"] == "T07" and r["row"] == "决算数"}
    assert sangong["total"]["value"] == "22.32" and sangong["total"]["value_yuan"] == "223200.00"
    assert sangong["total"]["page"] == 13 and len(sangong["total"]["bbox"]) == 4
    assert sangong["total"]["column"] == "决算数/合计" and sangong["total"]["source"] == "deterministic"
    assert sangong["total"]["status"] == "verified"
    statuses = {r["status"] for r in rows}
    assert {"verified", "residue"} <= statuses and "unchecked" not in statuses
    family = next(r for r in rows if r["table_id"] == "T06" and r["row_code"] == "303")
    assert family["status"] == "residue"  # 153.48 against Σ303xx 153.49: within the rounding tolerance


def test_extract_formats_and_bad_files(cli_env: Path, fixture_pdfs, capsys) -> None:
    out = cli_env / "out"
    code = cli.main(
        [
            "extract",
            str(fixture_pdfs["zhumadian_2024_budget"]),
            str(BAD / "scanned.pdf"),
            "--llm",
            "never",
            "--format",
            "csv",
            "-o",
            str(out / "all.csv"),
        ]
    )
    assert code == 1 and "scanned.pdf: 扫描件没有文字层" in capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO((out / "all.csv").read_text(encoding="utf-8"))))
    assert {r["doc"] for r in rows} == {"zhumadian_2024_budget.pdf"} and len(rows) > 300
    assert (
        cli.main(
            [
                "extract",
                str(fixture_pdfs["zhumadian_2024_budget"]),
                "--format",
                "xlsx",
                "-o",
                str(out / "z.xlsx"),
            ]
        )
        == 0
    )
    from openpyxl import load_workbook

    sheet = load_workbook(out / "z.xlsx").active
    assert sheet.max_row == len(rows) + 1
    assert (
        cli.main(
            [
                "extract",
                str(fixture_pdfs["zhumadian_2024_budget"]),
                "--format",
                "json",
                "-o",
                str(out / "z.json"),
            ]
        )
        == 0
    )
    report = json.loads((out / "z.json").read_text(encoding="utf-8"))
    assert report["meta"]["kind"] == "预算" and report["meta"]["year"] == 2024
    assert report["tables"]["B08"]["rows"][0]["total"]["printed"] == "5.10"
    assert report["performance"]["project_targets"]["projects"][2]["code"] == "41170024000000028401"
