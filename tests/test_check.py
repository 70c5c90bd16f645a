"""The checker on the four sample reports: every definite failure of checker-rules.md §7A is found
(by rule id and page), §7B residues are not errors, §7D items are not flagged, nothing else is an error."""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path

import pytest

from conftest import ROOT
from eval import known_errors
from schemas.findings import CheckResult, Finding
from schemas.report import Report
from service import cli, pdf
from service.check import RULES, check_report
from service.config import get_settings
from service.extract import extract_report


@cache
def checked(name: str) -> tuple[Report, CheckResult]:
    report = extract_report(pdf.read_pdf(ROOT / "eval" / "fixtures" / f"{name}.pdf"))
    return report, check_report(report)


def fails(name: str) -> list[Finding]:
    return [f for f in checked(name)[1].findings if f.outcome == "FAIL"]


S0, S1, S2, S3 = "jiaozuo_2021_final", "jiefangqu_2023_final", "yangquan_2022_final", "zhumadian_2024_budget"

# checker-rules.md §7A, kept as data for the tests and `budgetqa eval` (eval/known_errors.json):
# (item, fixture, acceptable rule ids, page, words in the message or an operand)
DEFINITE = [(k["item"], k["fixture"], set(k["rules"]), k["page"], k["words"]) for k in known_errors.known()]

DIAGNOSES = [
    (S1, "NAR-20", "TRUNCATED"),
    (S3, "NAR-05", "DOUBLE_ROUNDED"),
    (S3, "NAR-02", "TRUNCATED"),
    (S0, "NAR-03", "PLUG_100"),
    (S3, "NAR-03", "PLUG_100"),
    (S0, "UNIT-09", "UNIT_SCALE"),
]


_mentions = known_errors.mentions


@pytest.mark.parametrize(
    ("item", "name", "rules", "page", "words"),
    DEFINITE,
    ids=[f"7A-{d[0]}-{d[2] and sorted(d[2])[0]}-p{d[3]}" for d in DEFINITE],
)
def test_each_definite_failure_is_found(item: int, name: str, rules: set[str], page: int, words: str) -> None:
    found = [f for f in fails(name) if f.rule_id in rules and page in f.pages and _mentions(f, words)]
    assert found, f"§7A #{item}: no FAIL of {rules} on page {page} mentioning {words}"
    assert all(f.operands for f in found)


@pytest.mark.parametrize(("name", "rule_id", "diagnosis"), DIAGNOSES)
def test_failures_carry_their_diagnosis(name: str, rule_id: str, diagnosis: str) -> None:
    assert any(f.rule_id == rule_id and f.diagnosis == diagnosis for f in fails(name))


@pytest.mark.parametrize("name", [S0, S1, S2, S3])
def test_no_error_beyond_the_definite_list(name: str) -> None:
    allowed = [(rules, page) for _, n, rules, page, _ in DEFINITE if n == name]
    errors = [f for f in fails(name) if f.severity == "error"]
    extra = [
        (f.rule_id, f.pages, f.message)
        for f in errors
        if not any(f.rule_id in rules and page in f.pages for rules, page in allowed)
    ]
    assert extra == []


# §7B: rounding residues — reported as PASS_RESIDUE (info), never as errors
RESIDUES = [
    (S0, "INTRA-05", "1598.72", "1598.71"),
    (S0, "INTRA-07", "245.94", "245.93"),
    (S0, "INTRA-07", "200.30", "200.29"),
    (S0, "INTRA-07", "816.37", "816.36"),
    (S0, "INTRA-13", "153.49", "153.48"),
    (S0, "INTRA-13", "11.58", "11.57"),
    (S0, "INTRA-14", "770.77", "770.78"),
    (S1, "INTRA-07", "456.12", "456.11"),
    (S1, "INTRA-09", "772.14", "772.15"),
    (S1, "INTRA-13", "163.35", "163.34"),
    (S1, "XT-07", "179.20", "179.19"),
    (S1, "INTRA-07", "326.27", "326.26"),
    (S1, "INTRA-14", "169.02", "169.03"),
    (S3, "INTRA-07", "693.33", "693.34"),
    (S3, "INTRA-07", "170.80", "170.79"),
    (S3, "INTRA-21", "520.01", "520.02"),
    (S3, "INTRA-21", "351.02", "351.01"),
    (S1, "XT-09", "593.57", "593.58"),
]


@pytest.mark.parametrize(("name", "rule_id", "expected", "actual"), RESIDUES)
def test_rounding_residues_pass_within_tolerance(name: str, rule_id: str, expected: str, actual: str) -> None:
    findings = [
        f
        for f in checked(name)[1].findings
        if f.rule_id == rule_id and f.actual == actual and f.expected == expected
    ]
    assert findings and all(f.outcome == "PASS_RESIDUE" and f.severity == "info" for f in findings)
    assert all(f.note for f in findings) == bool(checked(name)[0].meta.rounding_note)


def test_items_deliberately_not_flagged() -> None:
    """§7D: S1 三公 3.30% = 0.16/4.84 holds; S2 100.31 万元 = 1,003,050 元 holds only under 四舍五入."""
    rate = [f for f in checked(S1)[1].findings if f.rule_id == "NAR-07" and "3.30" in f.message]
    assert rate and all(f.outcome != "FAIL" for f in rate)
    half_up = [f for f in checked(S2)[1].findings if f.rule_id == "UNIT-06" and "100.31" in f.message]
    assert half_up and all(f.outcome == "PASS" for f in half_up)
    assert not [
        f for f in fails(S1) if f.rule_id == "XT-20"
    ]  # the 部分 自评汇总表 is not checked for coverage


def test_every_catalogue_rule_is_a_registered_pure_function() -> None:
    ids = [r.rule_id for r in RULES]
    groups = {g: sum(r.group == g for r in RULES) for g in ("INTRA", "PERF", "XT", "NAR", "COMP", "UNIT")}
    assert len(ids) == len(set(ids)) == 110
    assert groups == {"INTRA": 25, "PERF": 16, "XT": 20, "NAR": 24, "COMP": 12, "UNIT": 13}
    assert all("Formula" in r.doc for r in RULES)
    forbidden = {
        "pymupdf",
        "chromadb",
        "langchain",
        "langchain_openai",
        "openai",
        "gradio",
        "jieba",
        "bm25s",
        "io",
        "pathlib",
        "time",
        "datetime",
        "random",
        "float",
    }
    for path in (ROOT / "service" / "check").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        imported |= {
            n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
        }
        assert not imported & forbidden, (path.name, imported & forbidden)
        assert "float(" not in path.read_text(encoding="utf-8"), path.name


def test_findings_point_at_the_page_and_cell() -> None:
    finding = next(f for f in fails(S3) if f.rule_id == "NAR-02")
    text, table = finding.operands
    assert text.page == 4 and text.bbox is not None and text.text_span and "1707.7" in text.text_span
    assert (
        table.page == 12 and table.table_id == "B06" and table.bbox is not None and table.value == "1,707.78"
    )
    assert finding.expected == "1707.8" and finding.actual == "1707.7" and finding.tolerance


def test_inventory_lists_present_empty_and_missing_tables() -> None:
    inv = {i.table_id: i for i in checked(S3)[1].inventory}
    assert inv["B02"].status == "missing" and inv["B02"].in_toc is True
    assert inv["B01"].status == "present" and inv["B01"].pages == [7]
    inv0 = {i.table_id: i for i in checked(S0)[1].inventory}
    assert inv0["T08"].status == "empty_with_note" and inv0["T01"].status == "present"
    assert len([i for i in inv0.values() if i.table_id.startswith("T")]) == 9


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUDGETQA_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_check_cli_json_html_and_xlsx(env: Path, fixture_pdfs, capsys) -> None:
    assert cli.main(["check", str(fixture_pdfs[S3]), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"doc", "doc_id", "findings", "inventory"} <= set(data)
    finding = next(f for f in data["findings"] if f["rule_id"] == "NAR-02" and f["outcome"] == "FAIL")
    assert {
        "rule_id",
        "severity",
        "outcome",
        "diagnosis",
        "message",
        "expected",
        "actual",
        "tolerance",
        "pages",
        "operands",
        "certainty",
        "root",
    } <= set(finding)
    assert all(f["certainty"] == "definite" for f in data["findings"] if f["severity"] == "error")
    assert all(f["root"] is None or f["severity"] == "info" for f in data["findings"])
    assert {"label", "value", "unit", "page", "bbox"} <= set(finding["operands"][0])
    assert data["summary"]["errors"] == 2 and data["tables"]["B06"]["verified"] > 0

    assert cli.main(["check", str(fixture_pdfs[S0]), "--format", "html", "-o", str(env / "r.html")]) == 0
    page = (env / "r.html").read_text(encoding="utf-8")
    assert "PERF-13" in page and "“三公经费”控制率" in page and "报表完整性" in page and "第23页" in page
    assert cli.main(["check", str(fixture_pdfs[S0]), "--format", "xlsx", "-o", str(env / "r.xlsx")]) == 0
    from openpyxl import load_workbook

    book = load_workbook(env / "r.xlsx")
    assert book.sheetnames == ["findings", "inventory", "tables"] and book["findings"].max_row > 500

    assert cli.main(["check", str(fixture_pdfs[S1])]) == 0
    out = capsys.readouterr().out
    assert "错误" in out and "NAR-12" in out and "PERF-13" in out
