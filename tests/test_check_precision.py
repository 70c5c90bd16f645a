"""Checker precision: the false-alarm classes of issue 8, each built into a fixture, raise no error.

- a project's self-evaluation form beside the department form (its 年度资金总额 is a part, not the whole);
- a form whose rows were read together with another project's (分值 sums over foreign rows);
- a share stated in a sentence about one project, and a share of a base that no table prints;
- an amount of one named project (its 项目支出, its 人员经费) in prose;
- a 三公 sentence stating 公务用车购置费 and 运行维护费 as one sum.

The narrative situations are written into the jiaozuo seed and rendered to a PDF, read end to end; the
form situations are built from the extracted Report (the table reader is not under test here).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pytest

from conftest import ROOT
from eval.fixtures import build
from schemas.facts import Fact
from schemas.findings import CheckResult, Finding
from schemas.performance import BudgetLine, Indicator, Level1Score, SelfEvaluation
from schemas.report import Report
from service import pdf
from service.check import check_report
from service.extract import extract_report

S0 = "jiaozuo_2021_final"

# each inserted after the seed line that starts with the key
INSERTED = {
    "公务用车运行支出 6.34 万元": "公务用车购置费及运行维护费合计支出决算 6.34 万元，完成预算的 87.69%。",
    "六、一般公共预算财政拨款基本支出决算情况说明": (
        "为应对疫情影响，我局实施“汽车消费补贴”项目，安排资金 120 万元，占 40%。"
        "商务发展专项资金中，项目支出 200.00 万元，其中人员经费 20.00 万元。"
        "全年促消费资金 300 万元，占全市促消费资金的 25%。"
    ),
}


def seeded_text() -> str:
    lines = (build.SEEDS / f"{S0}.txt").read_text(encoding="utf-8").split("\n")
    out = []
    for line in lines:
        out.append(line)
        for key, extra in INSERTED.items():
            if line.startswith(key):
                out += ["", extra]
    return "\n".join(out)


@pytest.fixture(scope="module")
def narrative_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, CheckResult]:
    path = build.render_pdf(seeded_text(), "ruled", tmp_path_factory.mktemp("precision") / "case.pdf")
    report = extract_report(pdf.read_pdf(path))
    return report, check_report(report)


def errors(result: CheckResult) -> list[Finding]:
    return [f for f in result.findings if f.outcome == "FAIL" and f.severity == "error"]


def about(result: CheckResult, words: str) -> list[Finding]:
    return [
        f
        for f in result.findings
        if words in f.message or any(words in (o.text_span or "") for o in f.operands)
    ]


def test_the_inserted_sentences_are_read_as_claims_with_their_scope(narrative_case) -> None:
    report, _ = narrative_case
    sums = [c for c in report.claims if c.parts and "运行维护费" in "".join(c.parts)]
    assert sums and sums[0].scope == "combined" and sums[0].value.printed == "6.34"
    project = [c for c in report.claims if c.value.printed in ("200.00", "20.00", "120")]
    assert {c.scope for c in project} == {"project"}
    base = next(c for c in report.claims if c.kind == "share" and c.value.printed == "25")
    assert base.base == "全市促消费资金" and "占全市促消费资金的 25%" in (base.clause or "")


def test_a_combined_sangong_subject_is_compared_with_the_sum_of_its_items(narrative_case) -> None:
    _, result = narrative_case
    found = [f for f in about(result, "购置费及运行维护费") if f.rule_id == "NAR-12"]
    assert found and all(f.outcome in ("PASS", "PASS_RESIDUE") for f in found)
    assert not [f for f in errors(result) if "购置费及运行维护费" in f.message]


def test_a_share_inside_one_projects_sentence_is_not_an_error(narrative_case) -> None:
    _, result = narrative_case
    share = [f for f in about(result, "占 40%") if f.rule_id in ("NAR-03", "NAR-04")]
    assert share and all(f.outcome == "SKIP" and f.certainty == "unverifiable" for f in share)


def test_a_share_of_a_base_no_table_prints_is_skipped_with_the_reason(narrative_case) -> None:
    _, result = narrative_case
    share = [f for f in about(result, "占全市促消费资金的 25%") if f.rule_id == "NAR-03"]
    assert share and all(f.outcome == "SKIP" and "全市促消费资金" in f.message for f in share)


def test_an_amount_of_one_named_project_is_not_compared_with_the_department_total(narrative_case) -> None:
    _, result = narrative_case
    skipped = [f for f in result.findings if f.rule_id == "NAR-02" and f.outcome == "SKIP"]
    assert any("200.00" in f.message or "项目支出 200.00" in (f.operands[0].text_span or "") for f in skipped)
    assert any("人员经费 20.00" in f.message for f in skipped)


def test_no_error_beyond_the_real_inconsistencies(narrative_case) -> None:
    """Only §7A items (PERF-13 on page 23) remain errors in the seeded report."""
    _, result = narrative_case
    # the explanation after "——" names pages, which the inserted sentences move
    assert [(f.rule_id, f.message.split("——")[0]) for f in errors(result)] == [
        (f.rule_id, f.message.split("——")[0]) for f in errors(check_report(_s0()))
    ]


@cache
def _s0() -> Report:
    return extract_report(pdf.read_pdf(ROOT / "eval" / "fixtures" / f"{S0}.pdf"))


# ---------------------------------------------------------------- forms built from the Report


def _fact(printed: str, unit: str, page: int, table_id: str = "PP") -> Fact:
    report = _s0()
    pe = next(e for e in report.performance.self_evaluations if e.table_id == "PE")
    template = pe.budget[0].executed
    assert template is not None
    value = Decimal(printed)
    return template.model_copy(
        update={
            "printed": printed,
            "value": value,
            "unit": unit,
            "decimals": len(printed.split(".")[1]) if "." in printed else 0,
            "value_yuan": value * 10_000 if unit == "万元" else None,
            "provenance": template.provenance.model_copy(update={"page": page, "table_id": table_id}),
        }
    )


def _project_form(page: int, name: str, rows: list[tuple[str, str, str, str]]) -> SelfEvaluation:
    """A 项目支出绩效自评表: 年度资金总额 50.00 万元 executed in full (分值 10, 得分 10), and indicators
    (一级指标, 三级指标, 分值, 得分)."""
    budget = BudgetLine(
        label="年度资金总额",
        page=page,
        initial=_fact("50.00", "万元", page),
        full_year=_fact("50.00", "万元", page),
        executed=_fact("50.00", "万元", page),
        weight=_fact("10", "分", page),
        rate=_fact("100", "%", page),
        score=_fact("10", "分", page),
    )
    indicators = [
        Indicator(level1=l1, level3=l3, weight=_fact(w, "分", page), score=_fact(s, "分", page), page=page)
        for l1, l3, w, s in rows
    ]
    groups = sorted({r[0] for r in rows})
    points = {g: sum(Decimal(r[2]) for r in rows if r[0] == g) for g in groups}
    return SelfEvaluation(
        table_id="PP",
        title="项目支出绩效自评表",
        subject=name,
        pages=[page],
        budget=[budget],
        indicators=indicators,
        level1_scores=[Level1Score(level1=g, points=_fact(str(points[g]), "分", page)) for g in groups],
        total_score=_fact(str(10 + sum(Decimal(r[3]) for r in rows)), "分", page),
    )


PROJECT_ROWS = [
    ("产出指标", "补贴发放数量", "30", "30"),
    ("产出指标", "补贴发放及时率", "20", "20"),
    ("效益指标", "带动消费金额", "30", "28"),
    ("满意度指标", "受益企业满意度", "10", "10"),
]


def _with_forms(*forms: SelfEvaluation) -> Report:
    report = _s0().model_copy(deep=True)
    report.performance.self_evaluations.extend(forms)
    return report


def test_a_project_form_beside_the_department_form_is_checked_on_its_own_block() -> None:
    result = check_report(_with_forms(_project_form(27, "促消费专项", PROJECT_ROWS)))
    project = [
        f for f in result.findings if "促消费专项" in f.message or any("PP" in o.label for o in f.operands)
    ]
    assert not [
        f for f in result.findings if f.rule_id == "PERF-12" and any("PP" in o.label for o in f.operands)
    ]
    assert any(f.rule_id == "PERF-03" and f.outcome == "PASS" for f in project)
    assert [(f.rule_id, f.pages) for f in errors(result)] == [
        (f.rule_id, f.pages) for f in errors(check_report(_s0()))
    ]


def test_sums_over_rows_of_another_project_are_not_errors() -> None:
    """A form read together with the next project's rows (the same indicators twice, 分值 200): the sums
    are unverifiable, at most a warning."""
    form = _project_form(27, "促消费专项", PROJECT_ROWS + PROJECT_ROWS)
    form.level1_scores = [
        lv.model_copy(update={"points": _fact("50", "分", 27)}) if lv.level1 == "产出指标" else lv
        for lv in form.level1_scores
    ]
    result = check_report(_with_forms(form))
    sums = [f for f in result.findings if f.rule_id in ("PERF-02", "PERF-03") and "促消费专项" in f.message]
    assert sums and all(f.severity != "error" for f in sums)
    assert any(f.outcome == "FAIL" and f.certainty == "unverifiable" for f in sums)


def test_a_unit_word_changed_in_a_sentence_is_a_unit_error_with_both_places() -> None:
    from eval import mutations as M

    m = next(x for x in M.generate(S0) if x.kind == "unit_basic")
    result = check_report(M.apply_to_report(_s0(), m))
    slips = [
        f
        for f in result.findings
        if f.rule_id == "UNIT-09" and f.diagnosis == "UNIT_SCALE" and m.old in f.message
    ]
    assert slips and slips[0].severity == "error" and slips[0].certainty == "definite"
    text, table = slips[0].operands
    assert text.table_id == "NAR" and text.page == m.page and table.table_id != "NAR" and table.page != m.page


def test_one_wrong_cell_is_one_error_with_its_consequences_listed() -> None:
    """A 类 amount of T05 changed: its 类 = Σ款 sum is the root error naming the cell; 合计 = Σ类, the row
    identity, the copy in T04 and the subset inequality are its consequences (info, root set)."""
    from eval import mutations as M

    name = "jiefangqu_2023_final"
    report = extract_report(pdf.read_pdf(M.FIXTURES / f"{name}.pdf"))
    m = next(x for x in M.generate(name) if x.kind == "class_row")
    before, after = check_report(report), check_report(M.apply_to_report(report, m))
    found = M.caught(before, after, m.page)
    roots = [f for f in found if f.root is None and f.severity == "error"]
    assert len(roots) == 1 and len(roots[0].consequences) >= 3
    assert any(o.value == m.new for o in roots[0].operands) and m.new in roots[0].message
    listed = [f for f in found if f.root == roots[0].id]
    assert {f.id for f in listed} == set(roots[0].consequences) and all(f.severity == "info" for f in listed)


def _perf_02_failures(form: SelfEvaluation, points: str) -> list:
    """PERF-02 failures on 效益指标 once its printed weight is ``points``."""
    form.level1_scores = [
        lv.model_copy(update={"points": _fact(points, "分", 27)}) if lv.level1 == "效益指标" else lv
        for lv in form.level1_scores
    ]
    return [
        f
        for f in check_report(_with_forms(form)).findings
        if f.rule_id == "PERF-02" and "效益指标" in f.message and f.outcome == "FAIL"
    ]


def test_a_block_with_an_indicator_whose_points_are_blank_is_not_an_error() -> None:
    """效益指标 printed as 40 分 over 带动消费金额 (30) and an indicator whose 分值 is blank: the
    shortfall is more likely a cell not read than the form's error, so a warning, not an error; the
    same block with every 分值 read and a wrong weight stays an error."""
    rows = PROJECT_ROWS + [("效益指标", "带动就业人数", "10", "10")]
    form = _project_form(27, "促消费专项", rows)
    form.indicators[-1] = form.indicators[-1].model_copy(update={"weight": None})
    blank = _perf_02_failures(form, "40")
    assert blank and all(f.severity == "warning" and f.certainty == "unverifiable" for f in blank)
    assert "带动就业人数" in blank[0].message

    wrong = _perf_02_failures(_project_form(27, "促消费专项", rows), "45")
    assert wrong and wrong[0].severity == "error"
