"""Performance tables: PERF-01 … PERF-16 (checker-rules.md §1B)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from schemas.findings import Operand
from schemas.performance import Indicator, SelfEvaluation
from service.check.arith import Q, const, q
from service.check.base import Ctx, find_row, flat, registry, rows, total_row, val
from service.check.stated import linked, sangong
from service.numbers import parse_amount

RULES, rule = registry()

COMPARATOR = re.compile(
    r"^(?P<op>≥|>=|>|≤|<=|<|=)?\s*(?P<num>-?\d+(?:\.\d+)?)\s*(?P<unit>%|亿|万元|元|家|个|次|人|份)?"
)


def evaluations(ctx: Ctx) -> list[SelfEvaluation]:
    return ctx.report.performance.self_evaluations


def scored(ctx: Ctx) -> Iterator[tuple[SelfEvaluation, Indicator]]:
    for ev in evaluations(ctx):
        for ind in ev.indicators:
            yield ev, ind


def number(cell: str | None) -> tuple[str | None, Decimal] | None:
    """A target or actual cell read as (comparator, number): "≥95%" → ("≥", 95); "100" → (None, 100)."""
    if not cell:
        return None
    m = COMPARATOR.match(cell.strip())
    if m is None or m.end() < len(cell.strip()) - 1:
        return None
    return m.group("op"), Decimal(m.group("num"))


def met(target: str | None, actual: str | None) -> bool | None:
    """Whether the actual value meets the target (None when either is not a number)."""
    t, a = number(target), number(actual)
    if t is None or a is None or a[0] is not None:
        return None
    op, bound = t
    value = a[1]
    return {
        "≥": value >= bound,
        ">=": value >= bound,
        ">": value > bound,
        "≤": value <= bound,
        "<=": value <= bound,
        "<": value < bound,
        "=": value == bound,
        None: value == bound,
    }[op]


def form_doubt(ev: SelfEvaluation, members: list[Indicator] | None = None) -> str | None:
    """Why the rows read for one form may not all belong to it (then its sums are not certain): rows from
    pages outside the form, the same indicator twice (two forms run together), a 一级指标 the form does
    not head."""
    rows_ = ev.indicators if members is None else members
    outside = [i for i in rows_ if ev.pages and i.page not in ev.pages]
    if outside:
        return f"有 {len(outside)} 行指标不在本表的页码内"
    seen: set[tuple[str | None, str]] = set()
    for i in rows_:
        key = (i.level1, i.level3)
        if key in seen and i.level3:
            return f"指标“{i.level3}”出现两次，可能混入另一张表的行"
        seen.add(key)
    printed = {b.level1 for b in ev.level1_scores}
    if printed and any(i.level1 and i.level1 not in printed for i in rows_ if i.weight is not None):
        return "有指标行的一级指标不在本表印出的一级指标中"
    return None


@rule("PERF-01", "error")
def perf_01(ctx: Ctx) -> None:
    """Score cap. Formula: for each indicator, 0 ≤ 得分 ≤ 分值. PE, PP and PT. TOL_EXACT."""
    for ev, ind in scored(ctx):
        if ind.weight is None or ind.score is None or not ind.weight.printed or not ind.score.printed:
            continue
        w, s = q(ind.weight, f"{ind.level3} 分值"), q(ind.score, f"{ind.level3} 得分")
        if 0 <= s.value <= w.value:
            ctx.ok(
                f"{ev.table_id} {ind.level3}：0 ≤ 得分 {ind.score.printed} ≤ 分值 {ind.weight.printed}",
                [s, w],
            )
        else:
            ctx.fail(
                f"{ev.table_id} {ind.level3}：得分 {ind.score.printed} 超出分值 {ind.weight.printed}", [s, w]
            )


@rule("PERF-02", "error")
def perf_02(ctx: Ctx) -> None:
    """Points per 一级指标. Formula: Σ 分值 in the block = the "(N分)" of its heading. PE and PP. TOL_EXACT."""
    for ev in evaluations(ctx):
        for block in ev.level1_scores:
            members = [i for i in ev.indicators if i.level1 == block.level1 and i.weight is not None]
            if block.points is None or not members:
                continue
            # an indicator row of the block whose 分值 is blank: more likely a cell not read than
            # a form that left it out, so a shortfall is not claimed as the report's error
            blank = next(
                (
                    i
                    for i in ev.indicators
                    if i.level1 == block.level1 and (i.weight is None or not i.weight.printed)
                ),
                None,
            )
            ctx.sum(
                f"{ev.table_id} {ev.subject} {block.level1}：各三级指标分值之和 = {block.points.printed} 分",
                q(block.points, f"{block.level1} 分值"),
                [q(i.weight, f"{i.level3} 分值") for i in members if i.weight],
                doubt=form_doubt(ev, members)
                or (f"“{blank.level3}”的分值为空白，可能是未读到的数" if blank is not None else None),
            )


@rule("PERF-03", "error")
def perf_03(ctx: Ctx) -> None:
    """Totals. Formula: Σ 分值 (including the 预算执行 block) = 100 and Σ 得分 = 总分. PE and PP. TOL_SUM at
    the score's decimals; SKIP when the 预算执行 block's cells are blank (COMP-12)."""
    for ev in evaluations(ctx):
        weights = [i.weight for i in ev.indicators if i.weight is not None]
        scores = [i.score for i in ev.indicators if i.score is not None]
        if not weights or ev.total_score is None or not ev.total_score.printed:
            continue
        budget = next((b for b in ev.budget if "总额" in b.label), None)
        extra_w = budget.weight if budget is not None else None
        extra_s = budget.score if budget is not None else None
        total_w = sum((w.value for w in weights), Decimal(0))
        if extra_w is None and total_w != 100:
            ctx.skip(
                f"{ev.table_id} 预算执行分值、得分空白，可见分值之和 {total_w}、得分之和 "
                f"{sum((s.value for s in scores), Decimal(0))} 与总分 {ev.total_score.printed} 无法核对（见 COMP-12）"
            )
            continue
        items_w = [q(w, "分值") for w in weights] + ([q(extra_w, "预算执行 分值")] if extra_w else [])
        items_s = [q(s, "得分") for s in scores] + ([q(extra_s, "预算执行 得分")] if extra_s else [])
        doubt = form_doubt(ev)
        if doubt is None and total_w > 100 and total_w % 100 == 0:
            doubt = f"分值之和为 {total_w}，可能混入另一张表的行"
        ctx.sum(f"{ev.table_id} {ev.subject}：分值合计 = 100", const(100, "100 分"), items_w, doubt=doubt)
        ctx.sum(
            f"{ev.table_id} {ev.subject}：得分合计 = 总分 {ev.total_score.printed}",
            q(ev.total_score, "总分"),
            items_s,
            doubt=doubt,
        )


@rule("PERF-04", "error")
def perf_04(ctx: Ctx) -> None:
    """Third-party score table. Formula: Σ 权重 = 100, Σ 得分 = 总分, 得分率 = 得分 / 权重. TOL_SUM / TOL_RATIO."""
    for pt in ctx.report.performance.third_party:
        if len(pt.weights) < 2 or len(pt.scores) != len(pt.weights):
            continue
        *w, w_total = [q(f, f"{n} 权重") for f, n in zip(pt.weights, pt.level1, strict=False)]
        *s, s_total = [q(f, f"{n} 得分") for f, n in zip(pt.scores, pt.level1, strict=False)]
        ctx.sum(f"第三方评价 {pt.subject}：权重之和 = 总分权重", w_total, w)
        ctx.sum(f"第三方评价 {pt.subject}：得分之和 = 总分", s_total, s)
        for rate, score, weight in zip(pt.rates, [*s, s_total], [*w, w_total], strict=False):
            ctx.ratio(f"第三方评价 {pt.subject}：{score.label} 得分率", q(rate, "得分率"), score, weight)


@rule("PERF-05", "error")
def perf_05(ctx: Ctx) -> None:
    """Execution rate. Formula: 执行率 = 全年执行数 / 全年预算数. PE and PP header block. TOL_RATIO."""
    for ev in evaluations(ctx):
        for line in ev.budget:
            if line.rate is None or line.executed is None or line.full_year is None:
                continue
            ctx.ratio(
                f"{ev.table_id} {line.label}：执行率 {line.rate.printed}",
                q(line.rate, "执行率"),
                q(line.executed, "全年执行数"),
                q(line.full_year, "全年预算数"),
            )


@rule("PERF-06", "warning")
def perf_06(ctx: Ctx) -> None:
    """Execution score. Formula: 执行得分 = 分值 × 执行率 (proportional scoring), where 分值, 执行率 and 得分 are
    all printed. TOL_SUM at 2 dp, warning."""
    for ev in evaluations(ctx):
        for line in ev.budget:
            if line.weight is None or line.rate is None or line.score is None:
                continue
            weight, rate = q(line.weight, "分值"), q(line.rate, "执行率")
            expected = Q(weight.value * rate.value / 100, weight.value * rate.half / 100, "分值 × 执行率")
            ctx.sum(
                f"{ev.table_id} {line.label}：预算执行得分 = 分值 {line.weight.printed} × 执行率 {line.rate.printed}%",
                q(line.score, "得分"),
                [expected],
            )


@rule("PERF-07", "warning")
def perf_07(ctx: Ctx) -> None:
    """Cost-indicator scoring. Formula: the 资金投入率 score = 分值 × rate, the same method in every PP table of a
    document. PP 成本指标, warning."""
    found = [
        (ev, i)
        for ev, i in scored(ctx)
        if "资金投入率" in i.level3 and i.weight and i.score and number(i.actual)
    ]
    if not found:
        return ctx.skip("没有可复算的资金投入率指标")
    for ev, ind in found:
        rate = number(ind.actual)
        assert rate is not None and ind.weight is not None and ind.score is not None
        ctx.sum(
            f"{ev.table_id} {ind.level3}：得分 = 分值 × 投入率",
            q(ind.score, "得分"),
            [Q(ind.weight.value * rate[1] / 100, Decimal("0.005"), "分值 × 投入率")],
        )


@rule("PERF-08", "warning")
def perf_08(ctx: Ctx) -> None:
    """Attainment against score. Formula: if the target is met, 得分 = 分值; if not, 得分 < 分值 or a 未完成原因
    is given. PE and PP, warning."""
    for ev, ind in scored(ctx):
        ok = met(ind.target, ind.actual)
        if ok is None or ind.weight is None or ind.score is None:
            continue
        w, s = q(ind.weight, f"{ind.level3} 分值"), q(ind.score, f"{ind.level3} 得分")
        if ok and s.value < w.value:
            ctx.fail(
                f"{ev.table_id} {ind.level3}：指标值 {ind.target} 已完成（{ind.actual}），却未得满分", [s, w]
            )
        elif not ok and s.value >= w.value and not ind.reason:
            ctx.fail(
                f"{ev.table_id} {ind.level3}：实际 {ind.actual} 未达到指标值 {ind.target}，却得满分 {ind.score.printed}",
                [s, w],
            )
        else:
            ctx.ok(f"{ev.table_id} {ind.level3}：完成情况与得分一致", [s, w])


@rule("PERF-09", "warning")
def perf_09(ctx: Ctx) -> None:
    """Deviation. Formula: 偏差度 = (实际 − 目标) / 目标 when the target is missed (0 when met). TOL_RATIO, warning."""
    for ev, ind in scored(ctx):
        if ind.deviation is None:
            continue
        ok = met(ind.target, ind.actual)
        t, a = number(ind.target), number(ind.actual)
        dev = parse_amount(ind.deviation)
        if ok is None or t is None or a is None or dev is None:
            continue
        reported = Q(dev[0], Decimal(5) * Decimal(10) ** (-dev[1] - 1), f"{ind.level3} 偏差度")
        if ok:
            (ctx.ok if dev[0] == 0 else ctx.fail)(
                f"{ev.table_id} {ind.level3}：已完成指标偏差度为 0", [reported]
            )
            continue
        diff = Q(a[1] - t[1], Decimal("0.005"), "实际 − 目标")
        ctx.ratio(
            f"{ev.table_id} {ind.level3}：偏差度 = (实际 − 目标)/目标",
            reported,
            diff,
            Q(t[1], Decimal(0), "目标"),
        )


def band(score: Decimal) -> str:
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


@rule("PERF-10", "warning")
def perf_10(ctx: Ctx) -> None:
    """Grade band. Formula: 优 ≥ 90, 良 ∈ [80, 90), 中 ∈ [60, 80), 差 < 60 (a document may print its own bands).
    TOL_EXACT, warning."""
    for (c,) in linked(ctx, "得分"):  # "…得分为 95.74 分，等级为优", read by the extractor
        page, printed, grade = c.value.provenance.page, c.value.printed, c.grade
        operand = [q(c.value, f"第{page}页 得分 {printed} 等级 {grade}")]
        if band(c.value.value) == grade:
            ctx.ok(f"第{page}页得分 {printed} 分对应等级“{grade}”", operand)
        else:
            ctx.fail(f"第{page}页得分 {printed} 分应为“{band(c.value.value)}”，却写“{grade}”", operand)


@rule("PERF-11", "error")
def perf_11(ctx: Ctx) -> None:
    """Grade counts. Formula: Σ(优, 良, 中, 差) = number of projects evaluated. Text. TOL_EXACT."""
    for group in linked(ctx, "自评总数"):  # "16个项目绩效自评中：15个项目自评等级为“优”，1个…"
        total = next(c for c in group if c.role == "自评总数")
        page, n = total.value.provenance.page, total.value.printed
        parts = [q(c.value, f"{c.grade} {c.value.printed} 个") for c in group if c.role == "等级个数"]
        ctx.sum(f"第{page}页自评等级个数之和 = {n} 个项目", q(total.value, f"{n} 个项目"), parts)


@rule("PERF-12", "error")
def perf_12(ctx: Ctx) -> None:
    """Funding block against the financial tables. Formula: the PE/B12 年度执行数 (or 预算总额) = T01 本年支出合计
    (or B01; the fiscal T05 合计 is accepted for a 政府预算资金 execution), and its 基本/项目 split = T03/T05 (B03).
    TOL_COPY."""
    t = ctx.report.tables
    if t.T01 is not None:
        spent = val(
            find_row(t.T01, "^本年支出合计", side="expenditure"), "amount", "收入支出决算总表 本年支出合计"
        )
        fiscal = val(total_row(t.T05), "total", "一般公共预算财政拨款支出决算表 合计")
        for ev in evaluations(ctx):
            if ev.table_id != "PE":
                continue  # a project form's 资金总额 is a part of the department's spending, not its whole
            for line in ev.budget:
                value = line.executed if ("总额" in line.label or line.label == "支出合计") else None
                if value is None:
                    continue
                reported = q(value, f"{ev.table_id} {line.label} 执行数")
                target = (
                    fiscal
                    if fiscal is not None
                    and spent is not None
                    and abs(reported.value - fiscal.value) < abs(reported.value - spent.value)
                    else spent
                )
                ctx.copy(f"{ev.table_id} {line.label}执行数与决算报表核对", reported, target)
    if t.B01 is not None and ctx.report.performance.targets is not None:
        b12 = ctx.report.performance.targets
        refs = {
            "总额": val(
                find_row(t.B01, "本年支出合计", side="expenditure"),
                "amount",
                "部门收支总体情况表 本年支出合计",
            ),
            "基本支出": val(total_row(t.B03), "basic_total", "部门支出总体情况表 基本支出"),
            "项目支出": val(total_row(t.B03), "project_total", "部门支出总体情况表 项目支出"),
        }
        for line in b12.budget:
            key = next((k for k in refs if k in line.label), None)
            if key is not None and line.initial is not None:
                ctx.copy(
                    f"整体绩效目标表 {line.label} 与预算报表核对", q(line.initial, line.label), refs[key]
                )


def _pe_indicator(ctx: Ctx, pattern: str) -> Iterator[tuple[SelfEvaluation, Indicator, Decimal]]:
    for ev, ind in scored(ctx):
        if re.search(pattern, ind.level3):
            a = number(ind.actual)
            if a is not None and a[0] is None:
                yield ev, ind, a[1]


@rule("PERF-13", "error")
def perf_13(ctx: Ctx) -> None:
    """Recomputable financial indicators. Formula: 三公经费控制率 = 三公决算 / 三公预算; 结转结余率 = 年末结转结余
    / 预算数; 预算调整率 = (全年预算 − 年初预算) / 年初预算; 预算执行率 = 执行数 / 预算数. PE, T01, T07. TOL_RATIO."""
    t = ctx.report.tables
    for ev, ind, actual in _pe_indicator(ctx, r"三公经费”?控制率"):
        if ev.table_id != "PE":
            continue  # the department's 三公 table is no measure of one project
        reported = _percent(ind, actual)
        ctx.ratio(
            f"{ev.table_id} “三公经费”控制率 {ind.actual}",
            reported,
            sangong(ctx, "决算数", "total"),
            sangong(ctx, "预算数", "total"),
            downgrade_one_ulp=False,
            extra=_where(ind),
        )
    for ev, ind, actual in _pe_indicator(ctx, r"结转结余率"):
        if ev.table_id != "PE":
            continue
        full_year, _, _ = _own_budget(ev)
        closing = (
            val(find_row(t.T01, "年末结转和结余", side="expenditure"), "amount", "年末结转和结余")
            if t.T01
            else None
        )
        ctx.ratio(
            f"{ev.table_id} 结转结余率 {ind.actual}",
            _percent(ind, actual),
            closing,
            full_year,
            downgrade_one_ulp=False,
            extra=_where(ind),
        )
    for ev, ind, actual in _pe_indicator(ctx, r"预算调整率"):
        full_year, initial, _ = _own_budget(ev)
        if full_year is None or initial is None:
            continue
        change = Q(full_year.value - initial.value, full_year.half + initial.half, "全年预算 − 年初预算")
        ctx.ratio(
            f"{ev.table_id} {ev.subject} 预算调整率 {ind.actual}",
            _percent(ind, actual),
            change,
            initial,
            downgrade_one_ulp=False,
            extra=_where(ind),
        )
    for ev, ind, actual in _pe_indicator(ctx, r"^预算执行率$"):
        full_year, _, executed = _own_budget(ev)
        ctx.ratio(
            f"{ev.table_id} {ev.subject} 预算执行率 {ind.actual}",
            _percent(ind, actual),
            executed,
            full_year,
            downgrade_one_ulp=False,
            extra=_where(ind),
        )


def _own_budget(ev: SelfEvaluation) -> tuple[Q | None, Q | None, Q | None]:
    """(全年预算, 年初预算, 全年执行) of the form's own 预算执行 block: a project form's rates are of its project."""
    line = next((b for b in ev.budget if "总额" in b.label), None)
    if line is None:
        return None, None, None
    return (
        q(line.full_year, f"{ev.table_id} 全年预算数") if line.full_year else None,
        q(line.initial, f"{ev.table_id} 年初预算数") if line.initial else None,
        q(line.executed, f"{ev.table_id} 全年执行数") if line.executed else None,
    )


def _where(ind: Indicator) -> list[Operand]:
    return [
        Operand(
            label=f"绩效自评表 {ind.level3}", value=ind.actual or "", unit="%", page=ind.page, table_id="PE"
        )
    ]


def _percent(ind: Indicator, actual: Decimal) -> Q:
    text = (ind.actual or "").rstrip("%")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return Q(actual, Decimal(5) * Decimal(10) ** (-decimals - 1), f"{ind.level3} 实际完成值 {ind.actual}")


@rule("PERF-14", "error")
def perf_14(ctx: Ctx) -> None:
    """Budget-stage 绩效目标 amounts. Formula: Σ project 资金总额 = B11 合计; each unit's subtotal = Σ its projects;
    each 成本指标 cap (≤ X) ≥ the project amount. B12, B13, B11. TOL_SUM."""
    b13 = ctx.report.performance.project_targets
    if b13 is None:
        return ctx.skip("没有项目绩效目标汇总表") if ctx.report.meta.kind == "预算" else None
    projects = [p for p in b13.projects if p.level == "project"]
    total = next((p for p in b13.projects if p.level == "total"), None)
    if total is not None:
        ctx.sum(
            "项目绩效目标汇总表：部门合计 = 各项目之和",
            q(total.total, "合计") if total.total else None,
            [q(p.total, p.label) if p.total else None for p in projects],
        )
    units = [p for p in b13.projects if p.level == "unit"]
    for unit in units:
        idx = b13.projects.index(unit)
        mine = []
        for p in b13.projects[idx + 1 :]:
            if p.level != "project":
                break
            mine.append(p)
        if mine and unit.total is not None:
            ctx.sum(
                f"项目绩效目标汇总表：{unit.label} = 所属项目之和",
                q(unit.total, unit.label),
                [q(p.total, p.label) if p.total else None for p in mine],
            )
    for p in projects:
        cap = next((i for i in p.indicators if i.level1 and "成本" in i.level1), None)
        bound = number(cap.target.replace("万元", "")) if cap and cap.target else None
        if cap is None or bound is None or p.total is None:
            continue
        op, limit = bound
        amount = q(p.total, p.label)
        holds = amount.value <= limit * 10_000 if op in ("≤", "<=", None) else amount.value < limit * 10_000
        (ctx.ok if holds else ctx.fail)(
            f"{p.label}：成本指标“{cap.target}”覆盖项目金额 {p.total.printed}", [amount]
        )


def _name(label: str) -> str:
    return re.sub(r"[（(].*$", "", flat(label))


@rule("PERF-15", "warning")
def perf_15(ctx: Ctx) -> None:
    """Project identity across tables. Formula: each project (code, name, amount) of B13 matches one of B11 (name
    after normalisation, amount exactly); likewise PP against the narrative list. Warning."""
    b13, b11 = ctx.report.performance.project_targets, ctx.report.tables.B11
    if b13 is None or b11 is None:
        return None
    listed = [r for r in rows(b11) if r.level == "project"]
    for p in (p for p in b13.projects if p.level == "project"):
        same = [
            r
            for r in listed
            if r.total is not None
            and p.total is not None
            and r.total.value == p.total.value
            and (_name(r.label).startswith(_name(p.label)) or _name(p.label).startswith(_name(r.label)))
        ]
        operands = [q(p.total, f"B13 {p.code} {p.label}")] if p.total else []
        if same:
            ctx.ok(f"项目 {p.code} 与项目支出表一致", operands)
        else:
            twin = next(
                (
                    r
                    for r in listed
                    if r.total is not None and p.total is not None and r.total.value == p.total.value
                ),
                None,
            )
            detail = (
                f"；项目支出表中 {p.total.printed if p.total else ''} 万元的项目名为“{twin.label}”"
                if twin
                else ""
            )
            ctx.fail(
                f"项目绩效目标汇总表 {p.code}“{p.label}”在项目支出表中找不到同名同额的项目{detail}",
                operands + ([q(twin.total, f"B11 {twin.label}")] if twin and twin.total else []),
            )


@rule("PERF-16", "error")
def perf_16(ctx: Ctx) -> None:
    """Project balance arithmetic. Formula: 结余 = 全年预算 − 全年执行. PP and text. TOL_SUM."""
    for group in linked(ctx, "结余"):  # "预算资金共计 X 万元…核销 Y 万元…结余资金 Z 万元"
        roles = {c.role: c for c in group}
        budget, spent, left = roles["预算资金"], roles["支出"], roles["结余"]
        page = left.value.provenance.page
        parts = [q(c.value, f"第{page}页 {c.value.printed}{c.value.unit}") for c in (budget, spent, left)]
        ctx.sum(f"第{page}页结余资金 = 预算 − 支出", parts[2], [parts[0], parts[1]], [1, -1])
