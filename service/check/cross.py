"""Cross-table identities: XT-01 … XT-20 (checker-rules.md §2)."""

from __future__ import annotations

import re

from service.check.arith import Q, const, total
from service.check.base import Ctx, coded, find_row, flat, is_empty, registry, rows, total_row, val
from service.check.intra import _items, class_code
from service.check.stated import MONEY, before, claims, cq

RULES, rule = registry()


def _t01(ctx: Ctx, label: str, side: str = "income") -> Q | None:
    return val(find_row(ctx.report.tables.T01, label, side=side), "amount", f"T01 {label}")


@rule("XT-01", "error")
def xt_01(ctx: Ctx) -> None:
    """T01 income against T02. Formula: T01 本年收入合计 = T02 合计 col1; T01 rows 1+2+3 = T02 财政拨款; T01 上级补助
    /事业/经营/附属/其他 = the matching T02 columns. TOL_COPY."""
    t01, t02 = ctx.report.tables.T01, total_row(ctx.report.tables.T02)
    if t01 is None or t02 is None:
        return ctx.missing("缺少收入支出决算总表或收入决算表", "决算")
    ctx.copy(
        "本年收入合计：收入支出决算总表 = 收入决算表",
        _t01(ctx, "^本年收入合计"),
        val(t02, "total", "T02 合计"),
    )
    fiscal = [r for r in _items(t01, "income", "本年收入合计") if "财政拨款" in r.label]
    fiscal_sum = total(
        [x for r in fiscal if (x := val(r, "amount", r.label)) is not None], "T01 财政拨款收入（一至三）"
    )
    ctx.copy(
        "财政拨款收入：收入支出决算总表 = 收入决算表", fiscal_sum, val(t02, "fiscal", "T02 财政拨款收入")
    )
    for word, field in (
        ("上级补助", "superior_subsidy"),
        ("事业收入", "business"),
        ("经营收入", "operating"),
        ("附属", "affiliated"),
        ("其他收入", "other"),
    ):
        ctx.copy(f"{word}：收入支出决算总表 = 收入决算表", _t01(ctx, word), val(t02, field, f"T02 {word}"))


@rule("XT-02", "error")
def xt_02(ctx: Ctx) -> None:
    """T01 expenditure against T03. Formula: T01 本年支出合计 = T03 合计 col1; each T01 类 row = the T03 类 row.
    TOL_COPY."""
    t01, t03 = ctx.report.tables.T01, ctx.report.tables.T03
    if t01 is None or t03 is None:
        return ctx.missing("缺少收入支出决算总表或支出决算表", "决算")
    ctx.copy(
        "本年支出合计：收入支出决算总表 = 支出决算表",
        _t01(ctx, "^本年支出合计", "expenditure"),
        val(total_row(t03), "total", "T03 合计"),
    )
    for row in _items(t01, "expenditure", "本年支出合计"):
        code = class_code(row.label)
        mine = val(row, "amount", f"T01 {row.label}")
        match = next((r for r in coded(t03) if r.code == code), None)
        if mine is None or (mine.value == 0 and match is None):
            continue
        ctx.copy(
            f"{row.label}：收入支出决算总表 = 支出决算表",
            mine,
            val(match, "total", f"T03 {code}") if match else const(0, f"T03 无 {code}"),
        )


@rule("XT-03", "error")
def xt_03(ctx: Ctx) -> None:
    """Income/expenditure reconciliation. Formula: T03 合计 − T02 合计 = 年初结转和结余 + 使用非财政拨款结余 −
    年末结转和结余 − 结余分配 (T01). TOL_SUM."""
    t02, t03 = total_row(ctx.report.tables.T02), total_row(ctx.report.tables.T03)
    if t02 is None or t03 is None or ctx.report.tables.T01 is None:
        return ctx.missing("缺少收入决算表、支出决算表或收入支出决算总表", "决算")
    spent, income = val(t03, "total", "T03 合计"), val(t02, "total", "T02 合计")
    opening, use = _t01(ctx, "年初结转和结余"), _t01(ctx, "使用非财政拨款结余")
    closing, dist = _t01(ctx, "年末结转和结余", "expenditure"), _t01(ctx, "结余分配", "expenditure")
    if None in (spent, income):
        return ctx.skip("缺少合计")
    ctx.sum(
        "支出合计 − 收入合计 = 年初结转 + 使用非财政拨款结余 − 年末结转 − 结余分配",
        spent,
        [
            income,
            opening or const(0, "年初结转"),
            use or const(0, "使用结余"),
            closing or const(0, "年末结转"),
            dist or const(0, "结余分配"),
        ],
        [1, 1, 1, -1, -1],
    )


@rule("XT-04", "error")
def xt_04(ctx: Ctx) -> None:
    """T04 against T01 income. Formula: T04 rows 1–3 = T01 rows 1–3. TOL_COPY."""
    t01, t04 = ctx.report.tables.T01, ctx.report.tables.T04
    if t01 is None or t04 is None:
        return ctx.missing("缺少财政拨款收入支出决算总表", "决算")
    mine = [r for r in rows(t04) if r.side == "income" and re.match(r"^[一二三]、", flat(r.label))]
    theirs = _items(t01, "income", "本年收入合计")[:3]
    for a, b in zip(mine, theirs, strict=False):
        ctx.copy(
            f"{a.label}：财政拨款收支总表 = 收入支出决算总表",
            val(a, "amount", f"T04 {a.label}"),
            val(b, "amount", f"T01 {b.label}"),
        )


@rule("XT-05", "error")
def xt_05(ctx: Ctx) -> None:
    """Carry-over subsets. Formula: T04 年初财政拨款结转和结余 ≤ T01 年初结转和结余, and likewise for 年末. TOL_SUM."""
    t04 = ctx.report.tables.T04
    if t04 is None or ctx.report.tables.T01 is None:
        return ctx.missing("缺少财政拨款收入支出决算总表", "决算")
    for label, side, field in (("年初", "income", "amount"), ("年末", "expenditure", "total")):
        fiscal = val(
            find_row(t04, f"{label}财政拨款结转和结余", side=side), field, f"T04 {label}财政拨款结转和结余"
        )
        whole = _t01(ctx, f"{label}结转和结余", side)
        if fiscal is None or whole is None:
            continue
        if fiscal.value <= whole.value + fiscal.half + whole.half:
            ctx.ok(f"{label}财政拨款结转和结余 ≤ {label}结转和结余", [fiscal, whole])
        else:
            ctx.fail(f"{label}财政拨款结转和结余大于全部{label}结转和结余", [fiscal, whole])


@rule("XT-06", "error")
def xt_06(ctx: Ctx) -> None:
    """T04 against T05 (B04 against B05). Formula: each T04 一般公共预算 column 类 = the T05 类 小计, and T04 本年支出
    合计(一般公共预算) = T05 合计. TOL_COPY."""
    t = ctx.report.tables
    pairs = [
        ("T04", t.T04, "general", t.T05, "total", "^本年支出合计"),
        ("B04", t.B04, "general", t.B05, "total", "^一、本年支出"),
    ]
    for name, summary, field, detail, dfield, head in pairs:
        if summary is None or detail is None:
            continue
        ctx.copy(
            f"{name} 本年支出（一般公共预算）= 一般公共预算支出表合计",
            val(find_row(summary, head, side="expenditure"), field, f"{name} 本年支出"),
            val(total_row(detail), dfield, "一般公共预算支出表 合计"),
        )
        for row in rows(summary):
            code = class_code(row.label) if row.side == "expenditure" else None
            mine = val(row, field, f"{name} {row.label}")
            if code is None or mine is None or mine.value == 0:
                continue
            match = next((r for r in coded(detail) if r.code == code), None)
            items = [r for r in coded(detail) if r.code.startswith(code) and len(r.code) == 7]
            if match is not None:
                ctx.copy(
                    f"{row.label}：{name} = 一般公共预算支出表", mine, val(match, dfield, f"{code} 小计")
                )
            elif items:
                ctx.sum(
                    f"{row.label}：{name} = 一般公共预算支出表 {code} 各项之和",
                    mine,
                    [val(r, dfield, f"{r.code}{r.label}") for r in items],
                )


@rule("XT-07", "error")
def xt_07(ctx: Ctx) -> None:
    """T05 basic against T06. Formula: T05 基本支出合计 = T06 人员经费合计 + 公用经费合计 (the 其中基本支出 columns in
    the 明细表 variant). TOL_SUM."""
    t05, t06 = total_row(ctx.report.tables.T05), ctx.report.tables.T06
    if t05 is None or t06 is None:
        return ctx.missing("缺少一般公共预算财政拨款支出决算表或基本支出决算表", "决算")
    field = "basic" if t06.variant == "detail" else "amount"
    ctx.sum(
        "T05 基本支出 = T06 人员经费合计 + 公用经费合计",
        val(t05, "basic", "T05 基本支出"),
        [
            val(find_row(t06, "人员经费合计"), field, "人员经费合计"),
            val(find_row(t06, "公用经费合计"), field, "公用经费合计"),
        ],
    )


@rule("XT-08", "error")
def xt_08(ctx: Ctx) -> None:
    """T06 明细表 total against T05. Formula: T06 人员金额 + 公用金额 = T05 合计 小计 (the S2 variant). TOL_SUM."""
    t05, t06 = total_row(ctx.report.tables.T05), ctx.report.tables.T06
    if t05 is None or t06 is None or t06.variant != "detail":
        return None
    ctx.sum(
        "T05 合计 = T06 人员经费合计 + 公用经费合计（金额）",
        val(t05, "total", "T05 合计"),
        [
            val(find_row(t06, "人员经费合计"), "amount", "人员经费合计"),
            val(find_row(t06, "公用经费合计"), "amount", "公用经费合计"),
        ],
    )


@rule("XT-09", "error")
def xt_09(ctx: Ctx) -> None:
    """Fiscal subset. Formula: for each 项 and column T05 ≤ T03; at total level T03 − T05 = spending from non-fiscal
    income (= T02 non-财政拨款 income when there is no carry-over). TOL_SUM."""
    t03, t05, t02 = ctx.report.tables.T03, ctx.report.tables.T05, ctx.report.tables.T02
    if t03 is None or t05 is None:
        return ctx.missing("缺少支出决算表或一般公共预算财政拨款支出决算表", "决算")
    by_code = {r.code: r for r in coded(t03)}
    for row in coded(t05):
        other = by_code.get(row.code)
        for f in ("total", "basic", "project"):
            mine, theirs = val(row, f, f"T05 {row.code} {f}"), val(other, f, f"T03 {row.code} {f}")
            if mine is None or theirs is None or mine.value <= theirs.value + mine.half + theirs.half:
                continue
            ctx.fail(f"{row.code}{row.label}：财政拨款支出 {f} 大于全部支出", [mine, theirs])
    opening = _t01(ctx, "年初结转和结余") if ctx.report.tables.T01 else None
    non_fiscal = [
        val(total_row(t02), f, f"T02 {f}")
        for f in ("superior_subsidy", "business", "operating", "affiliated", "other")
    ]
    if opening is not None and opening.value == 0 and t02 is not None and all(non_fiscal):
        for f in ("total", "project"):
            ctx.sum(
                f"T03 − T05 = 非财政拨款收入（{f}）",
                val(total_row(t03), f, f"T03 合计 {f}"),
                [val(total_row(t05), f, f"T05 合计 {f}"), *[n for n in non_fiscal if n is not None]],
            )


@rule("XT-10", "error")
def xt_10(ctx: Ctx) -> None:
    """T08 against the T04 fund column. Formula: T08 合计 本年支出 = T04 政府性基金 column; T08 年初/年末 = the T04 fund
    rows. TOL_COPY."""
    t04, t08 = ctx.report.tables.T04, ctx.report.tables.T08
    if t04 is None or t08 is None:
        return ctx.missing("缺少政府性基金表或财政拨款收支总表", "决算")
    ctx.copy(
        "政府性基金：T08 本年支出 = T04 基金列",
        val(total_row(t08), "total", "T08 本年支出"),
        val(find_row(t04, "^本年支出合计", side="expenditure"), "fund", "T04 本年支出 基金"),
    )


@rule("XT-11", "error")
def xt_11(ctx: Ctx) -> None:
    """T09 against the T04 state-capital column. Formula: T09 合计 = T04 国资 column. TOL_COPY."""
    t04, t09 = ctx.report.tables.T04, ctx.report.tables.T09
    if t04 is None or t09 is None:
        return ctx.missing("缺少国有资本经营表或财政拨款收支总表", "决算")
    ctx.copy(
        "国有资本经营：T09 合计 = T04 国资列",
        val(total_row(t09), "total", "T09 合计"),
        val(find_row(t04, "^本年支出合计", side="expenditure"), "state_capital", "T04 本年支出 国资"),
    )


@rule("XT-12", "error")
def xt_12(ctx: Ctx) -> None:
    """Empty-fund coherence. Formula: T04 row 二 (基金) = 0 ⇔ T08 empty, likewise 国资/T09; an empty table carries a
    说明 (COMP-04). TOL_EXACT."""
    t04 = ctx.report.tables.T04
    for table, word in ((ctx.report.tables.T08, "政府性基金"), (ctx.report.tables.T09, "国有资本经营")):
        if t04 is None or table is None:
            continue
        row = next((r for r in rows(t04) if r.side == "income" and word in r.label), None)
        income = val(row, "amount", f"T04 {word}收入")
        zero = income is None or income.value == 0
        if zero == is_empty(table):
            ctx.ok(f"{word}：财政拨款收入为 0 与本表空表一致", [income] if income else [])
        else:
            ctx.fail(
                f"{word}：财政拨款收入 {'为 0 却有支出' if zero else '不为 0 却空表'}",
                [income] if income else [],
            )


@rule("XT-13", "warning")
def xt_13(ctx: Ctx) -> None:
    """三公 against T06 economic lines (inequalities: 三公 includes project spending). Formula: 接待决算 ≥ 30217,
    运行 ≥ 30231, 出国 ≥ 30212, 购置 ≥ 31013. TOL_SUM, warning."""
    t07, t06 = ctx.report.tables.T07, ctx.report.tables.T06
    if t07 is None or t06 is None:
        return ctx.missing("缺少“三公”经费表或基本支出表", "决算")
    final = next((r for r in rows(t07) if r.label == "决算数"), None)
    field = "basic" if t06.variant == "detail" else "amount"
    for code, name in (
        ("30217", "reception"),
        ("30231", "vehicle_operation"),
        ("30212", "abroad"),
        ("31013", "vehicle_purchase"),
    ):
        line = next((r for r in rows(t06) if r.code == code), None)
        small, big = val(line, field, f"T06 {code}"), val(final, name, f"T07 决算 {name}")
        if small is None or big is None:
            continue
        (ctx.ok if small.value <= big.value + small.half + big.half else ctx.fail)(
            f"“三公”{name} 决算 ≥ 基本支出 {code}", [big, small]
        )


@rule("XT-14", "warning")
def xt_14(ctx: Ctx) -> None:
    """机关运行经费 against 公用经费. Formula: 机关运行经费 ≤ T06 公用经费合计 (basic), equal when every unit is 行政
    or 参公. Narrative, T10, T06. TOL_COPY / TOL_SUM, warning."""
    t06, b06 = ctx.report.tables.T06, ctx.report.tables.B06
    if t06 is not None:
        public = val(
            find_row(t06, "公用经费合计"),
            "basic" if t06.variant == "detail" else "amount",
            "T06 公用经费合计",
        )
    else:
        public = val(total_row(b06), "public", "B06 公用经费") if b06 is not None else None
    for c in claims(ctx, "amount", "机关运行经费", MONEY):
        running = cq(c)
        if public is None:
            return ctx.skip("缺少公用经费合计")
        if running.value <= public.value + running.half + public.half:
            ctx.ok(
                f"第{c.value.provenance.page}页机关运行经费 {c.value.printed} ≤ 公用经费合计",
                [running, public],
            )
        else:
            ctx.fail(
                f"第{c.value.provenance.page}页机关运行经费 {c.value.printed} 大于公用经费合计",
                [running, public],
            )


PAIRS = (
    ("30108", ("2080505",)),
    ("30109", ("2080506",)),
    ("30113", ("2210201",)),
    ("30110", ("2101101", "2101102")),
    ("30111", ("2101103",)),
    ("30304", ("2080801",)),
)


@rule("XT-15", "warning")
def xt_15(ctx: Ctx) -> None:
    """Economic and functional correspondences (soft). Formula: 30108 ≈ 2080505, 30109 ≈ 2080506, 30113 ≈ 2210201,
    30110 ≈ 2101101 + 2101102, 30111 ≈ 2101103, 30304 ≈ 2080801, on basic columns. TOL_COPY, warning (advisory)."""
    t06, t05 = ctx.report.tables.T06, ctx.report.tables.T05
    if t06 is None or t05 is None:
        return ctx.missing("缺少基本支出表或一般公共预算财政拨款支出决算表", "决算")
    field = "basic" if t06.variant == "detail" else "amount"
    by_code = {r.code: r for r in coded(t05)}
    for econ, funcs in PAIRS:
        line = next((r for r in rows(t06) if r.code == econ), None)
        mine = val(line, field, f"T06 {econ}")
        items = [by_code[c] for c in funcs if c in by_code]
        if mine is None or not items or mine.value == 0 and not any(val(r, "basic", "") for r in items):
            continue
        theirs = [val(r, "basic", f"T05 {r.code}{r.label} 基本支出") for r in items]
        ctx.sum(
            f"经济分类 {econ} ≈ 功能分类 {'+'.join(funcs)}（基本支出）",
            mine,
            [t or const(0, "0") for t in theirs],
        )


@rule("XT-16", "error")
def xt_16(ctx: Ctx) -> None:
    """Duplicated cells across tables. Formula: T02 col1 = T03 col1 per 项 when there is no carry-over; T03 col1 =
    T05 小计 when everything is fiscally funded. TOL_EXACT."""
    t02, t03, t05 = ctx.report.tables.T02, ctx.report.tables.T03, ctx.report.tables.T05
    if t02 is None or t03 is None or t05 is None or ctx.report.tables.T01 is None:
        return ctx.missing("缺少 T02、T03 或 T05", "决算")
    opening = _t01(ctx, "年初结转和结余")
    other = [
        val(total_row(t02), f, f)
        for f in ("superior_subsidy", "business", "operating", "affiliated", "other")
    ]
    fiscal_only = all(o is not None and o.value == 0 for o in other)
    t03_by = {r.code: r for r in coded(t03)}
    t05_by = {r.code: r for r in coded(t05)}
    for row in coded(t02):
        if len(row.code) != 7:
            continue
        if opening is not None and opening.value == 0 and row.code in t03_by:
            ctx.copy(
                f"{row.code}{row.label}：收入决算表 = 支出决算表",
                val(row, "total", f"T02 {row.code}"),
                val(t03_by[row.code], "total", f"T03 {row.code}"),
            )
        if fiscal_only and row.code in t05_by and row.code in t03_by:
            ctx.copy(
                f"{row.code}{row.label}：支出决算表 = 一般公共预算财政拨款支出决算表",
                val(t03_by[row.code], "total", f"T03 {row.code}"),
                val(t05_by[row.code], "total", f"T05 {row.code}"),
            )


@rule("XT-17", "error")
def xt_17(ctx: Ctx) -> None:
    """B06 against B03. Formula: B06 合计 = B03 基本小计; B06 人员经费 = 工资福利 + 对个人和家庭; B06 公用经费 =
    商品和服务 + 资本性. TOL_SUM."""
    b06, b03 = total_row(ctx.report.tables.B06), total_row(ctx.report.tables.B03)
    if b06 is None or b03 is None:
        return (
            ctx.missing("缺少一般公共预算基本支出表或部门支出总体情况表", "预算")
            if ctx.report.meta.kind == "预算"
            else None
        )
    ctx.sum(
        "B06 合计 = B03 基本支出小计",
        val(b06, "total", "B06 合计"),
        [val(b03, "basic_total", "B03 基本支出小计")],
    )
    ctx.sum(
        "B06 人员经费 = 工资福利 + 对个人和家庭",
        val(b06, "personnel", "B06 人员经费"),
        [val(b03, "wages", "B03 工资福利"), val(b03, "family_subsidy", "B03 对个人和家庭")],
    )
    ctx.sum(
        "B06 公用经费 = 商品和服务 + 资本性",
        val(b06, "public", "B06 公用经费"),
        [
            val(b03, "goods_services", "B03 商品和服务"),
            val(b03, "capital", "B03 资本性") or const(0, "B03 资本性"),
        ],
    )


@rule("XT-18", "warning")
def xt_18(ctx: Ctx) -> None:
    """B08 against B06. Formula: 三公 接待 ≥ Σ 30217 lines; 运行 ≥ Σ 30231 lines. TOL_SUM, warning."""
    b08, b06 = ctx.report.tables.B08, ctx.report.tables.B06
    if b08 is None or b06 is None or not rows(b08):
        return None
    row = rows(b08)[0]
    for code, name in (("30217", "reception"), ("30231", "vehicle_operation")):
        lines = [val(r, "total", f"B06 {r.code}{r.label}") for r in rows(b06) if r.code == code]
        big = val(row, name, f"B08 {name}")
        if not lines or big is None:
            continue
        total = sum((x.value for x in lines if x), start=0)
        (ctx.ok if total <= big.value + big.half + sum((x.half for x in lines if x), start=0) else ctx.fail)(
            f"“三公”{name} 预算 ≥ 基本支出 {code} 各行之和", [big, *[x for x in lines if x]]
        )


@rule("XT-19", "error")
def xt_19(ctx: Ctx) -> None:
    """Project totals (budget). Formula: B11 合计 = B03 项目小计 = B13 资金总额. TOL_COPY."""
    b11 = next((r for r in rows(ctx.report.tables.B11) if r.level == "total"), None)
    b03 = total_row(ctx.report.tables.B03)
    b13 = ctx.report.performance.project_targets
    total13 = next((p for p in b13.projects if p.level == "total"), None) if b13 else None
    if b11 is None or b03 is None:
        return ctx.skip("缺少项目支出表或部门支出总体情况表") if ctx.report.meta.kind == "预算" else None
    ctx.copy(
        "项目支出表合计 = 部门支出总体情况表项目支出小计",
        val(b11, "total", "B11 合计"),
        val(b03, "project_total", "B03 项目小计"),
    )
    if total13 is not None and total13.total is not None:
        from service.check.arith import q

        ctx.copy(
            "项目绩效目标汇总表资金总额 = 项目支出表合计",
            q(total13.total, "B13 资金总额"),
            val(b11, "total", "B11 合计"),
        )


@rule("XT-20", "error")
def xt_20(ctx: Ctx) -> None:
    """Performance coverage against the financial tables. Formula: Σ PP/project 执行数 = T03 (or T05) 项目支出, for
    summaries that claim to cover all projects (a 部分 list is not checked). TOL_SUM."""
    project = val(total_row(ctx.report.tables.T05), "project", "T05 项目支出") or val(
        total_row(ctx.report.tables.T03), "project", "T03 项目支出"
    )
    for c in claims(ctx, "amount", "涉及资金", MONEY):
        if "全部项目" not in c.marks or "部分" in c.marks:
            continue
        covered = before(ctx, c, kind="count", limit=2)
        ctx.copy(
            f"第{c.value.provenance.page}页绩效自评覆盖 {covered.value.printed if covered else ''} 个项目的资金 = 项目支出",
            cq(c),
            project,
        )
