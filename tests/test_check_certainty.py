"""A table read in part (a misread layout, a table cut short) is not evidence that the report is
wrong: where the checker finds nothing to compare, it says it could not verify, never an error."""

from __future__ import annotations

from schemas.report import Report
from service.check import check_report
from service.extract import extract_report


def _report(documents: dict, name: str) -> Report:
    return extract_report(documents[name])


def test_a_class_with_no_items_read_is_not_an_error(documents: dict) -> None:
    """部门收支总体情况表 类 201 against the 部门支出总体情况表 项 rows of 201: when none of them was
    read, the identity has no addends and is SKIP."""
    report = _report(documents, "zhumadian_2024_budget")
    assert report.tables.B03 is not None
    report.tables.B03.rows = [r for r in report.tables.B03.rows if not (r.code or "").startswith("201")]
    findings = [
        f for f in check_report(report).findings if f.rule_id == "INTRA-07" and "201 各项之和" in f.message
    ]
    assert findings and all(f.outcome == "SKIP" for f in findings), [f.message for f in findings]
    assert all("没有找到加数" in f.message for f in findings)


def test_a_total_with_all_its_items_read_is_still_checked(documents: dict) -> None:
    report = _report(documents, "zhumadian_2024_budget")
    findings = [
        f for f in check_report(report).findings if f.rule_id == "INTRA-07" and "201 各项之和" in f.message
    ]
    assert findings and all(f.outcome in ("PASS", "PASS_RESIDUE") for f in findings)


def test_cells_the_reader_could_not_place_are_a_warning_not_an_error(documents: dict) -> None:
    from schemas.report import ParseNote

    report = _report(documents, "jiaozuo_2021_final")
    report.parse_notes.append(
        ParseNote(kind="unplaced", table_id="T04", page=6, text="3 个数字不在任何一列下：12.00")
    )
    unit_11 = [f for f in check_report(report).findings if f.rule_id == "UNIT-11"]
    assert [(f.outcome, f.severity, f.certainty) for f in unit_11] == [("FAIL", "warning", "unverifiable")]
    assert "未读取" in unit_11[0].message and unit_11[0].pages == [6]

    report.parse_notes.append(ParseNote(kind="unparsed", table_id="T04", page=6, text="“12.3.4”不是数字"))
    severities = {f.severity for f in check_report(report).findings if f.rule_id == "UNIT-11"}
    assert severities == {"error", "warning"}  # a printed cell that is not a number stays an error


def test_a_blank_total_over_items_is_a_warning(documents: dict) -> None:
    """A 类 amount printed blank while its 项 are not: the reader more likely missed the cell than
    the report left out its own total; the finding says so and is not an error."""
    from decimal import Decimal

    report = _report(documents, "jiaozuo_2021_final")
    assert report.tables.T05 is not None
    parent = next(r for r in report.tables.T05.rows if r.code == "201" and r.total is not None)
    parent.total = parent.total.model_copy(
        update={"printed": "", "value": Decimal(0), "value_yuan": Decimal(0)}
    )
    found = [
        f
        for f in check_report(report).findings
        if f.rule_id == "INTRA-07" and f.outcome == "FAIL" and "201" in f.message and "total" in f.message
    ]
    assert found and all(f.severity == "warning" and f.certainty == "unverifiable" for f in found)
    assert all("空白" in f.message for f in found)


def test_one_cell_read_as_two_addends_is_not_checked(documents: dict) -> None:
    """Two rows read as one ("本年收入合计上年结转结余", the lines of a borderless table run
    together): both addends of 收入总计 come from its one cell, so the identity is not evidence."""
    report = _report(documents, "zhumadian_2024_budget")
    assert report.tables.B01 is not None
    rows = report.tables.B01.rows
    total = next(r for r in rows if r.side == "income" and r.label == "本年收入合计")
    total.label = "本年收入合计上年结转结余"
    report.tables.B01.rows = [r for r in rows if not (r.side == "income" and r.label.startswith("上年结转"))]
    findings = [
        f for f in check_report(report).findings if f.rule_id == "INTRA-20" and "上年结转结余" in f.message
    ]
    assert [(f.outcome, "同一单元格" in f.message) for f in findings] == [("SKIP", True)]
