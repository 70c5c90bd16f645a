"""Intra-table arithmetic: INTRA-01 … INTRA-25 (checker-rules.md §1A)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from schemas.vocabulary import function_class
from service.check.arith import const, q
from service.check.base import (
    Ctx,
    children,
    coded,
    fact_fields,
    find_row,
    flat,
    label_of,
    registry,
    rows,
    total_row,
    val,
)

RULES, rule = registry()

NUMERAL = r"^[一二三四五六七八九十]+、"


def class_code(label: str) -> str | None:
    """The 3-digit 类 code of a summary-table row printed by name ("八、社会保障和就业支出" → 208)."""
    return function_class(label)


def _items(model: BaseModel | None, side: str, stop: str) -> list[Any]:
    """Numbered rows of one side of a summary table, before the row whose label matches ``stop``."""
    out = []
    for row in rows(model):
        if getattr(row, "side", None) != side:
            continue
        if re.search(stop, flat(row.label)):
            break
        if re.match(NUMERAL, flat(row.label)):
            out.append(row)
    return out


# ---------------------------------------------------------------- T01


@rule("INTRA-01", "error")
def intra_01(ctx: Ctx) -> None:
    """T01 income side. Formula: 总计(收) = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余. TOL_SUM."""
    t = ctx.report.tables.T01
    if t is None:
        return ctx.missing("缺少收入支出决算总表", "决算")
    ctx.sum(
        "收入支出决算总表：总计(收) = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余",
        val(find_row(t, "^总计$", side="income"), "amount", "总计(收)"),
        [
            val(find_row(t, "^本年收入合计", side="income"), "amount", "本年收入合计"),
            val(find_row(t, "使用非财政拨款结余", side="income"), "amount", "使用非财政拨款结余"),
            val(find_row(t, "年初结转和结余", side="income"), "amount", "年初结转和结余"),
        ],
    )


@rule("INTRA-02", "error")
def intra_02(ctx: Ctx) -> None:
    """T01 expenditure side. Formula: 总计(支) = 本年支出合计 + 结余分配 + 年末结转和结余. TOL_SUM."""
    t = ctx.report.tables.T01
    if t is None:
        return ctx.missing("缺少收入支出决算总表", "决算")
    ctx.sum(
        "收入支出决算总表：总计(支) = 本年支出合计 + 结余分配 + 年末结转和结余",
        val(find_row(t, "^总计$", side="expenditure"), "amount", "总计(支)"),
        [
            val(find_row(t, "^本年支出合计", side="expenditure"), "amount", "本年支出合计"),
            val(find_row(t, "结余分配", side="expenditure"), "amount", "结余分配"),
            val(find_row(t, "年末结转和结余", side="expenditure"), "amount", "年末结转和结余"),
        ],
    )


@rule("INTRA-03", "error")
def intra_03(ctx: Ctx) -> None:
    """T01 balance. Formula: 总计(收) = 总计(支). TOL_EXACT."""
    t = ctx.report.tables.T01
    if t is None:
        return ctx.missing("缺少收入支出决算总表", "决算")
    ctx.sum(
        "收入支出决算总表：总计(收) = 总计(支)",
        val(find_row(t, "^总计$", side="income"), "amount", "总计(收)"),
        [val(find_row(t, "^总计$", side="expenditure"), "amount", "总计(支)")],
    )


@rule("INTRA-04", "error")
def intra_04(ctx: Ctx) -> None:
    """T01 income rows. Formula: 本年收入合计 = Σ rows 一…八. TOL_SUM."""
    t = ctx.report.tables.T01
    if t is None:
        return ctx.missing("缺少收入支出决算总表", "决算")
    items = _items(t, "income", "本年收入合计")
    ctx.sum(
        "收入支出决算总表：本年收入合计 = 各项收入之和",
        val(find_row(t, "^本年收入合计", side="income"), "amount", "本年收入合计"),
        [val(r, "amount", r.label) for r in items],
    )


@rule("INTRA-05", "error")
def intra_05(ctx: Ctx) -> None:
    """T01 expenditure 类 rows. Formula: 本年支出合计 = Σ 功能分类类 rows. TOL_SUM."""
    t = ctx.report.tables.T01
    if t is None:
        return ctx.missing("缺少收入支出决算总表", "决算")
    items = _items(t, "expenditure", "本年支出合计")
    ctx.sum(
        "收入支出决算总表：本年支出合计 = 各类支出之和",
        val(find_row(t, "^本年支出合计", side="expenditure"), "amount", "本年支出合计"),
        [val(r, "amount", r.label) for r in items],
    )


# ---------------------------------------------------------------- row identities


def _row_identity(ctx: Ctx, table_id: str, total: str, parts: list[str], what: str) -> None:
    table = getattr(ctx.report.tables, table_id)
    if table is None:
        return ctx.missing(f"缺少 {table_id}", "决算" if table_id.startswith("T") else "预算")
    for row in rows(table):
        items = [val(row, p, label_of(table_id, row, p)) for p in parts if getattr(row, p, None) is not None]
        t = val(row, total, label_of(table_id, row, total))
        if t is None or not items:
            continue
        ctx.sum(f"{what}：{row.code or ''}{row.label} {total} = {' + '.join(parts)}", t, items)


@rule("INTRA-06", "error")
def intra_06(ctx: Ctx) -> None:
    """T02 row identity. Formula: 本年收入合计 = 财政拨款 + 上级补助 + 事业 + 经营 + 附属上缴 + 其他. TOL_SUM."""
    _row_identity(
        ctx,
        "T02",
        "total",
        ["fiscal", "superior_subsidy", "business", "operating", "affiliated", "other"],
        "收入决算表",
    )


@rule("INTRA-07", "error")
def intra_07(ctx: Ctx) -> None:
    """Functional classification hierarchy, every numeric column. Formula: 类 = Σ 款 (same prefix),
    款 = Σ 项, 合计 = Σ 类 (codes split as "201 13 01" are joined first). Where a budget table prints only
    项 rows, 合计 = Σ 项 and each 部门收支总体情况表 类 = Σ its 项. T02, T03, T05, T08, T09, B03, B05, B09. TOL_SUM."""
    for table_id in ("T02", "T03", "T05", "T08", "T09", "B02", "B03", "B05", "B09", "B10"):
        table = getattr(ctx.report.tables, table_id)
        if table is None:
            continue
        total = total_row(table)
        classes = [r for r in coded(table) if len(r.code) == 3]
        for name, _ in fact_fields(total) if total is not None else []:
            if classes:
                ctx.sum(
                    f"{table_id} 合计 {name} = 各类之和",
                    val(total, name, label_of(table_id, total, name)),
                    [val(r, name, label_of(table_id, r, name)) for r in classes],
                )
            elif coded(table):
                leaves = [r for r in coded(table) if len(r.code) == 7]
                ctx.sum(
                    f"{table_id} 合计 {name} = 各项之和",
                    val(total, name, label_of(table_id, total, name)),
                    [val(r, name, label_of(table_id, r, name)) for r in leaves],
                )
        for parent in coded(table):
            kids = children(table, parent.code)
            if not kids:
                continue
            for name, _ in fact_fields(parent):
                ctx.sum(
                    f"{table_id} {parent.code}{parent.label} {name} = 下级科目之和",
                    val(parent, name, label_of(table_id, parent, name)),
                    [val(k, name, label_of(table_id, k, name)) for k in kids],
                )
    _budget_classes_against_items(ctx)


def _budget_classes_against_items(ctx: Ctx) -> None:
    """部门收支总体情况表 类 rows against the 项 rows of the 部门支出总体情况表 (budgets print no 类 rows)."""
    b01, b03 = ctx.report.tables.B01, ctx.report.tables.B03
    if b01 is None or b03 is None or any(len(r.code) == 3 for r in coded(b03)):
        return
    for row in _items(b01, "expenditure", "本年支出合计"):
        code = class_code(row.label)
        item = val(row, "amount", f"B01 {row.label}")
        if code is None or item is None or item.value == 0:
            continue
        leaves = [r for r in coded(b03) if r.code.startswith(code)]
        ctx.sum(
            f"部门收支总体情况表 {row.label} = 部门支出总体情况表 {code} 各项之和",
            item,
            [val(r, "total", label_of("B03", r, "合计")) for r in leaves],
        )


@rule("INTRA-08", "error")
def intra_08(ctx: Ctx) -> None:
    """T03 row identity. Formula: 本年支出合计 = 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助. TOL_SUM."""
    _row_identity(
        ctx, "T03", "total", ["basic", "project", "to_superior", "operating", "to_affiliated"], "支出决算表"
    )


@rule("INTRA-09", "error")
def intra_09(ctx: Ctx) -> None:
    """T05 row identity. Formula: 小计 = 基本支出 + 项目支出. TOL_SUM."""
    _row_identity(ctx, "T05", "total", ["basic", "project"], "一般公共预算财政拨款支出决算表")


# ---------------------------------------------------------------- T04


@rule("INTRA-10", "error")
def intra_10(ctx: Ctx) -> None:
    """T04 income side. Formula: 本年收入合计 = 一般公共预算 + 基金 + 国资 财政拨款; 年初财政拨款结转和结余
    = Σ its three sub-rows; 总计 = 本年收入合计 + 年初结转和结余. TOL_SUM."""
    t = ctx.report.tables.T04
    if t is None:
        return ctx.missing("缺少财政拨款收入支出决算总表", "决算")
    income = [r for r in rows(t) if r.side == "income"]
    this_year = find_row(t, "^本年收入合计", side="income")
    opening = find_row(t, "年初财政拨款结转和结余", side="income")
    ctx.sum(
        "财政拨款收入支出决算总表：本年收入合计 = 三项财政拨款之和",
        val(this_year, "amount", "本年收入合计"),
        [val(r, "amount", r.label) for r in income if re.match(NUMERAL, flat(r.label))][:3],
    )
    if opening is not None:
        after = income[income.index(opening) + 1 : income.index(opening) + 4]
        subs = [r for r in after if not re.search("总计", flat(r.label))]
        if subs:
            ctx.sum(
                "财政拨款收入支出决算总表：年初财政拨款结转和结余 = 三项之和",
                val(opening, "amount", "年初财政拨款结转和结余"),
                [val(r, "amount", r.label) for r in subs],
            )
    ctx.sum(
        "财政拨款收入支出决算总表：收入总计 = 本年收入合计 + 年初财政拨款结转和结余",
        val(find_row(t, "总计$", side="income"), "amount", "收入总计"),
        [val(this_year, "amount", "本年收入合计"), val(opening, "amount", "年初财政拨款结转和结余")],
    )


@rule("INTRA-11", "error")
def intra_11(ctx: Ctx) -> None:
    """T04 expenditure side. Formula: per row 合计 = 一般公共预算 + 基金 + 国资; 总计 = 本年支出合计 +
    年末财政拨款结转和结余; 收入总计 = 支出总计. TOL_SUM."""
    t = ctx.report.tables.T04
    if t is None:
        return ctx.missing("缺少财政拨款收入支出决算总表", "决算")
    for row in rows(t):
        if row.side != "expenditure" or row.total is None:
            continue
        parts = [val(row, f, label_of("T04", row, f)) for f in ("general", "fund", "state_capital")]
        if any(p is not None and p.value for p in parts) or row.total.value:
            ctx.sum(
                f"财政拨款收入支出决算总表：{row.label} 合计 = 三项财政拨款之和",
                val(row, "total", label_of("T04", row, "合计")),
                [p for p in parts if p is not None],
            )
    this_year = find_row(t, "^本年支出合计", side="expenditure")
    closing = find_row(t, "年末财政拨款结转和结余", side="expenditure")
    total = find_row(t, "总计$", side="expenditure")
    ctx.sum(
        "财政拨款收入支出决算总表：支出总计 = 本年支出合计 + 年末财政拨款结转和结余",
        val(total, "total", "支出总计"),
        [val(this_year, "total", "本年支出合计"), val(closing, "total", "年末结转")],
    )
    ctx.sum(
        "财政拨款收入支出决算总表：收入总计 = 支出总计",
        val(find_row(t, "总计$", side="income"), "amount", "收入总计"),
        [val(total, "total", "支出总计")],
    )


@rule("INTRA-12", "error")
def intra_12(ctx: Ctx) -> None:
    """T04 类 rows. Formula: for each column, 本年支出合计 = Σ 类 rows. TOL_SUM."""
    t = ctx.report.tables.T04
    if t is None:
        return ctx.missing("缺少财政拨款收入支出决算总表", "决算")
    items = _items(t, "expenditure", "本年支出合计")
    this_year = find_row(t, "^本年支出合计", side="expenditure")
    for name in ("total", "general", "fund", "state_capital"):
        total = val(this_year, name, f"本年支出合计 {name}")
        if total is None:
            continue
        ctx.sum(
            f"财政拨款收入支出决算总表：本年支出合计 {name} = 各类之和",
            total,
            [val(r, name, f"{r.label} {name}") or const(0, r.label) for r in items],
        )


# ---------------------------------------------------------------- T06 / B06


PUBLIC = ("302", "307", "309", "310", "311", "312", "313", "399")


def _t06_columns(ctx: Ctx) -> list[str]:
    t = ctx.report.tables.T06
    return ["amount", "basic"] if t is not None and t.variant == "detail" else ["amount"]


@rule("INTRA-13", "error")
def intra_13(ctx: Ctx) -> None:
    """T06/B06 economic 类 to 款. Formula: 301 = Σ301xx, 302 = Σ302xx, 303 = Σ303xx, likewise 307, 309, 310,
    312, 399; in the 明细表 variant for both the 金额 and the 其中基本支出 columns. TOL_SUM."""
    t = ctx.report.tables.T06
    if t is None:
        return ctx.missing("缺少一般公共预算财政拨款基本支出决算表", "决算")
    for parent in [r for r in rows(t) if r.code and len(r.code) == 3]:
        kids = [r for r in rows(t) if r.code and len(r.code) == 5 and r.code.startswith(parent.code)]
        if not kids:
            continue
        for name in _t06_columns(ctx):
            total = val(parent, name, label_of("T06", parent, name))
            if total is None:
                continue
            ctx.sum(
                f"基本支出决算表：{parent.code}{parent.label} = 所属款级科目之和",
                total,
                [val(k, name, label_of("T06", k, name)) or const(0, k.label) for k in kids],
            )


@rule("INTRA-14", "error")
def intra_14(ctx: Ctx) -> None:
    """T06 subtotals. Formula: 人员经费合计 = 301 + 303; 公用经费合计 = 302 + 307 + 309 + 310 + 311 + 312 +
    313 + 399. TOL_SUM."""
    t = ctx.report.tables.T06
    if t is None:
        return ctx.missing("缺少一般公共预算财政拨款基本支出决算表", "决算")
    for name in _t06_columns(ctx):
        for label, codes in (("人员经费合计", ("301", "303")), ("公用经费合计", PUBLIC)):
            total = find_row(t, label)
            parts = [r for r in rows(t) if r.code in codes]
            ctx.sum(
                f"基本支出决算表：{label} = {' + '.join(r.code for r in parts)}",
                val(total, name, f"{label} {name}"),
                [val(r, name, label_of("T06", r, name)) or const(0, r.label) for r in parts],
            )


@rule("INTRA-15", "error")
def intra_15(ctx: Ctx) -> None:
    """B06 budget basic expenditure. Formula: per row and for 合计, 合计 = 人员经费 + 公用经费; Σ rows =
    合计 in each column. TOL_SUM."""
    t = ctx.report.tables.B06
    if t is None:
        return ctx.missing("缺少一般公共预算基本支出表", "预算")
    for row in rows(t):
        if row.total is not None:
            ctx.sum(
                f"一般公共预算基本支出表：{row.code or ''}{row.label} 合计 = 人员经费 + 公用经费",
                val(row, "total", label_of("B06", row, "合计")),
                [
                    val(row, "personnel", label_of("B06", row, "人员经费")),
                    val(row, "public", label_of("B06", row, "公用经费")),
                ],
            )
    total = total_row(t)
    items = coded(t)
    for name in ("total", "personnel", "public"):
        ctx.sum(
            f"一般公共预算基本支出表：合计 {name} = 各行之和",
            val(total, name, f"合计 {name}"),
            [val(r, name, label_of("B06", r, name)) or const(0, r.label) for r in items],
        )


@rule("INTRA-16", "error")
def intra_16(ctx: Ctx) -> None:
    """“三公” composition, 预算 and 决算 halves. Formula: 合计 = 因公出国(境) + 公务用车购置及运行(小计) +
    公务接待; 小计 = 购置 + 运行(维护). T07 and B08. TOL_SUM."""
    for table_id in ("T07", "B08"):
        t = getattr(ctx.report.tables, table_id)
        for row in rows(t):
            ctx.sum(
                f"“三公”经费表 {row.label}：合计 = 因公出国(境)费 + 公务用车购置及运行费 + 公务接待费",
                val(row, "total", f"{row.label} 合计"),
                [
                    val(row, "abroad", f"{row.label} 因公出国"),
                    val(row, "vehicle_subtotal", f"{row.label} 公务用车小计"),
                    val(row, "reception", f"{row.label} 公务接待"),
                ],
            )
            ctx.sum(
                f"“三公”经费表 {row.label}：公务用车小计 = 购置费 + 运行费",
                val(row, "vehicle_subtotal", f"{row.label} 公务用车小计"),
                [
                    val(row, "vehicle_purchase", f"{row.label} 购置费"),
                    val(row, "vehicle_operation", f"{row.label} 运行费"),
                ],
            )


@rule("INTRA-17", "error")
def intra_17(ctx: Ctx) -> None:
    """T08 fund roll-forward. Formula: 年末结转和结余 = 年初 + 本年收入 − 本年支出; 本年支出小计 = 基本 + 项目;
    and the INTRA-07 hierarchy. TOL_SUM. An empty table is SKIP (COMP-04 applies)."""
    t = ctx.report.tables.T08
    if t is None:
        return ctx.missing("缺少政府性基金预算财政拨款收入支出决算表", "决算")
    data = [r for r in rows(t) if any(f.value for _, f in fact_fields(r))]
    if not data:
        return ctx.skip("政府性基金预算财政拨款收入支出决算表为空表（见 COMP-04）")
    for row in data:
        ctx.sum(
            f"政府性基金表 {row.code or ''}{row.label}：年末 = 年初 + 本年收入 − 本年支出",
            val(row, "closing", "年末结转和结余"),
            [val(row, "opening", "年初"), val(row, "income", "本年收入"), val(row, "total", "本年支出")],
            [1, 1, -1],
        )
        ctx.sum(
            f"政府性基金表 {row.code or ''}{row.label}：本年支出 = 基本 + 项目",
            val(row, "total", "本年支出小计"),
            [val(row, "basic", "基本支出"), val(row, "project", "项目支出")],
        )


@rule("INTRA-18", "error")
def intra_18(ctx: Ctx) -> None:
    """T09 state capital. Formula: 合计 = 基本 + 项目, plus the hierarchy. TOL_SUM. Empty → SKIP."""
    t = ctx.report.tables.T09
    if t is None:
        return ctx.missing("缺少国有资本经营预算财政拨款支出决算表", "决算")
    data = [r for r in rows(t) if any(f.value for _, f in fact_fields(r))]
    if not data:
        return ctx.skip("国有资本经营预算财政拨款支出决算表为空表（见 COMP-04）")
    for row in data:
        ctx.sum(
            f"国有资本经营表 {row.code or ''}{row.label}：合计 = 基本 + 项目",
            val(row, "total", "合计"),
            [val(row, "basic", "基本支出"), val(row, "project", "项目支出")],
        )


@rule("INTRA-19", "error")
def intra_19(ctx: Ctx) -> None:
    """T10 statistics (Shanxi). Formula: 政府采购合计 = 货物 + 工程 + 服务; 车辆数合计 = Σ 车型 rows.
    TOL_SUM / TOL_EXACT."""
    t = ctx.report.tables.T10
    if t is None:
        return ctx.skip("本报告没有部门决算公开相关信息统计表（仅部分地区公开）")
    ctx.sum(
        "部门决算公开相关信息统计表：政府采购合计 = 货物 + 工程 + 服务",
        val(find_row(t, "^合计$"), "amount", "采购合计"),
        [val(find_row(t, f"^{k}$"), "amount", k) for k in ("货物", "工程", "服务")],
    )
    vehicles = [r for r in rows(t) if re.match(r"^\d+\.", flat(r.label)) and "资产" in r.section]
    ctx.sum(
        "部门决算公开相关信息统计表：车辆数合计 = 各类车辆之和",
        val(find_row(t, "车辆数合计"), "amount", "车辆数合计"),
        [val(r, "amount", r.label) or const(0, r.label) for r in vehicles],
    )


# ---------------------------------------------------------------- budgets


@rule("INTRA-20", "error")
def intra_20(ctx: Ctx) -> None:
    """B01 budget totals. Formula: 收入总计 = 本年收入合计 + 上年结转结余; 支出总计 = 本年支出合计 + 年终结转结余;
    收入总计 = 支出总计; 本年支出合计 = Σ 类. TOL_SUM."""
    t = ctx.report.tables.B01
    if t is None:
        return ctx.skip("缺少部门收支总体情况表") if ctx.report.meta.kind == "预算" else None
    income, spend = find_row(t, "收入总计", side="income"), find_row(t, "支出总计", side="expenditure")
    ctx.sum(
        "部门收支总体情况表：收入总计 = 本年收入合计 + 上年结转结余",
        val(income, "amount", "收入总计"),
        [
            val(find_row(t, "本年收入合计", side="income"), "amount", "本年收入合计"),
            val(find_row(t, "上年结转", side="income"), "amount", "上年结转结余"),
        ],
    )
    ctx.sum(
        "部门收支总体情况表：支出总计 = 本年支出合计 + 年终结转结余",
        val(spend, "amount", "支出总计"),
        [
            val(find_row(t, "本年支出合计", side="expenditure"), "amount", "本年支出合计"),
            val(find_row(t, "年终结转", side="expenditure"), "amount", "年终结转结余"),
        ],
    )
    ctx.sum(
        "部门收支总体情况表：收入总计 = 支出总计",
        val(income, "amount", "收入总计"),
        [val(spend, "amount", "支出总计")],
    )
    ctx.sum(
        "部门收支总体情况表：本年支出合计 = 各类支出之和",
        val(find_row(t, "本年支出合计", side="expenditure"), "amount", "本年支出合计"),
        [val(r, "amount", r.label) or const(0, r.label) for r in _items(t, "expenditure", "本年支出合计")],
    )


@rule("INTRA-21", "error")
def intra_21(ctx: Ctx) -> None:
    """B03/B05 row identity. Formula: 合计 = 基本小计 + 项目小计; 基本小计 = 工资福利 + 对个人和家庭 + 商品和服务
    + 资本性; 项目小计 = 其他运转类 + 特定目标类. TOL_SUM."""
    for table_id in ("B03", "B05"):
        t = getattr(ctx.report.tables, table_id)
        for row in rows(t):
            name = f"{table_id} {row.code or ''}{row.label}"
            ctx.sum(
                f"{name}：合计 = 基本支出小计 + 项目支出小计",
                val(row, "total", f"{name} 合计"),
                [val(row, "basic_total", "基本支出小计"), val(row, "project_total", "项目支出小计")],
            )
            ctx.sum(
                f"{name}：基本支出小计 = 工资福利 + 对个人和家庭 + 商品和服务 + 资本性",
                val(row, "basic_total", "基本支出小计"),
                [val(row, f, f) for f in ("wages", "family_subsidy", "goods_services", "capital")],
            )
            ctx.sum(
                f"{name}：项目支出小计 = 其他运转类 + 特定目标类",
                val(row, "project_total", "项目支出小计"),
                [val(row, "other_operation", "其他运转类"), val(row, "specific_target", "特定目标类")],
            )


@rule("INTRA-22", "error")
def intra_22(ctx: Ctx) -> None:
    """B04 财政拨款 subset. Formula: 一般公共预算小计 ≥ 其中：财政拨款 for each row; each column = Σ 类. TOL_SUM."""
    t = ctx.report.tables.B04
    if t is None:
        return ctx.skip("缺少财政拨款收支总体情况表") if ctx.report.meta.kind == "预算" else None
    for row in rows(t):
        general, fiscal = (
            val(row, "general", "一般公共预算小计"),
            val(row, "general_fiscal", "其中：财政拨款"),
        )
        if general is not None and fiscal is not None and (general.value or fiscal.value):
            if fiscal.value > general.value + general.half + fiscal.half:
                ctx.fail(
                    f"财政拨款收支总体情况表 {row.label}：其中财政拨款大于一般公共预算小计", [general, fiscal]
                )
            else:
                ctx.ok(
                    f"财政拨款收支总体情况表 {row.label}：一般公共预算小计 ≥ 其中财政拨款", [general, fiscal]
                )
    this_year = find_row(t, "^一、本年支出", side="expenditure")
    items = [
        r
        for r in rows(t)
        if r.side == "expenditure" and re.match(r"^[（(][一二三四五六七八九十]+[）)]", flat(r.label))
    ]
    for name in ("total", "general", "general_fiscal"):
        ctx.sum(
            f"财政拨款收支总体情况表：本年支出 {name} = 各类之和",
            val(this_year, name, f"本年支出 {name}"),
            [val(r, name, r.label) or const(0, r.label) for r in items],
        )


@rule("INTRA-23", "error")
def intra_23(ctx: Ctx) -> None:
    """B11 project table. Formula: 合计 = Σ projects; for each project, 合计 = Σ funding columns. TOL_SUM."""
    t = ctx.report.tables.B11
    if t is None:
        return None
    projects = [r for r in rows(t) if r.level == "project"]
    total = next((r for r in rows(t) if r.level == "total"), None)
    ctx.sum(
        "项目支出表：合计 = 各项目之和",
        val(total, "total", "合计"),
        [val(r, "total", r.label) for r in projects],
    )
    funding = (
        "general",
        "fund",
        "state_capital",
        "carry_general",
        "carry_fund",
        "carry_state_capital",
        "special_account",
        "unit_funds",
    )
    for row in projects:
        ctx.sum(
            f"项目支出表 {row.label}：合计 = 各资金来源之和",
            val(row, "total", f"{row.label} 合计"),
            [val(row, f, f"{row.label} {f}") or const(0, f) for f in funding],
        )


@rule("INTRA-24", "error")
def intra_24(ctx: Ctx) -> None:
    """Sign and code sanity. Formula: all amounts ≥ 0; functional codes have 3, 5 or 7 digits and a child
    code starts with its parent's; economic codes have 3 or 5 digits. TOL_EXACT."""
    for table in ctx.report.tables.present():
        for row in rows(table):
            for name, fact in fact_fields(row):
                if fact.value < 0:
                    ctx.fail(f"{table.table_id} {row.label} {name} 为负数", [q(fact, f"{row.label} {name}")])
            code = getattr(row, "code", None)
            if not code or table.table_id in ("B11",):
                continue
            economic = table.table_id in ("T06", "B06", "B07")
            allowed = (3, 5) if economic else (3, 5, 7)
            if len(code) not in allowed or not code.isdigit():
                ctx.fail(
                    f"{table.table_id} 科目编码 {code} 位数不合规（应为 {'/'.join(map(str, allowed))} 位）",
                    severity="error",
                )
    for table_id in ("T02", "T03", "T05", "B03", "B05"):
        table = getattr(ctx.report.tables, table_id)
        codes = [r.code for r in coded(table)]
        orphans = [
            c
            for c in codes
            if len(c) > 3 and not any(p == c[: len(p)] for p in codes if len(p) == len(c) - 2)
        ]
        has_parents = any(len(c) < 7 for c in codes)
        if codes and has_parents:
            if orphans:
                ctx.fail(f"{table_id} 科目编码层级不连贯：{'、'.join(orphans)} 没有上级科目")
            else:
                ctx.ok(f"{table_id} 科目编码层级连贯（{len(codes)} 个科目）")


@rule("INTRA-25", "warning")
def intra_25(ctx: Ctx) -> None:
    """Classification sanity (soft). Formula: a 项 named 行政运行 (xxxxx01) or 事业运行 (xxxxx50) carries 基本支出
    only; 项目支出 > 0 on such a row fails. T03, T05, B03, B05. TOL_EXACT, warning."""
    for table_id, field in (
        ("T03", "project"),
        ("T05", "project"),
        ("B03", "project_total"),
        ("B05", "project_total"),
    ):
        for row in coded(getattr(ctx.report.tables, table_id)):
            if len(row.code) == 7 and (
                row.code.endswith("01") and "行政运行" in row.label or row.code.endswith("50")
            ):
                project = val(row, field, f"{table_id} {row.code}{row.label} 项目支出")
                if project is None:
                    continue
                if project.value > 0:
                    ctx.fail(
                        f"{table_id} {row.code}{row.label} 列有项目支出（运行类科目应只列基本支出）",
                        [project],
                    )
                else:
                    ctx.ok(f"{table_id} {row.code}{row.label} 只列基本支出", [project])
