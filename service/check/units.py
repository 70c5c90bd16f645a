"""Units and rounding: UNIT-01 … UNIT-13 (checker-rules.md §5). Several of these are conventions the
whole checker follows; their functions verify that the extracted values obey them."""

from __future__ import annotations

from decimal import Decimal

from schemas.facts import MONEY_SCALE
from schemas.findings import Operand
from schemas.report import Claim, iter_facts
from service.check.arith import Q, check_copy, q, round_half_up
from service.check.base import Ctx, fact_fields, registry, rows
from service.check.stated import MONEY, about, claims, component, cq, headline_total, own

RULES, rule = registry()


@rule("UNIT-01", "error")
def unit_01(ctx: Ctx) -> None:
    """Unit detection. Formula: tables take their unit from "金额单位：X" or "单位：X"; narrative numbers take the
    adjacent token (元/万元/亿元/%/个/人次 …). Error if no unit can be assigned."""
    for table in ctx.report.tables.present():
        op = Operand(
            label=table.title,
            value=table.unit or "",
            table_id=table.table_id,
            page=table.pages[0] if table.pages else None,
        )
        if table.unit in MONEY_SCALE:
            ctx.ok(f"{table.title} 金额单位：{table.unit}", extra=[op])
        else:
            ctx.fail(f"{table.title} 没有可识别的金额单位", extra=[op])


@rule("UNIT-02", "error")
def unit_02(ctx: Ctx) -> None:
    """Canonicalisation. Formula: every value is a Decimal and value_yuan = value × 10⁴ (万元) or × 10⁸ (亿元);
    floats are never used. Verified on every extracted fact."""
    bad = [
        f
        for _, _, f in iter_facts(ctx.report)
        if not isinstance(f.value, Decimal)
        or (f.unit in MONEY_SCALE and f.value_yuan != f.value * MONEY_SCALE[f.unit])
    ]
    if bad:
        ctx.fail(
            f"{len(bad)} 个数值的元值换算不一致",
            [Q(f.value, Decimal(0), f.provenance.row_label or "", f) for f in bad[:5]],
        )
    else:
        ctx.ok("所有金额以 Decimal 保存，元值换算一致")


@rule("UNIT-03", "info")
def unit_03(ctx: Ctx) -> None:
    """Precision inference. Formula: a table cell's decimals d = the most fractional digits printed in its table
    (extraction drops trailing zeros); a narrative literal keeps its own; blanks and —— are exactly 0."""
    for table in ctx.report.tables.present():
        facts = [f for r in rows(table) for _, f in fact_fields(r)]
        printed = {f.decimals for f in facts if f.printed and f.value}
        blanks = [f for f in facts if not f.printed]
        if blanks and printed and any(b.decimals != max(printed) for b in blanks):
            ctx.fail(f"{table.title} 空白单元格的小数位未按本表推定")
        elif facts:
            ctx.ok(f"{table.title} 小数位：{sorted(printed) or [0]}")


@rule("UNIT-04", "info")
def unit_04(ctx: Ctx) -> None:
    """Sum tolerance (XBRL Calculations 1.1, round-to-nearest). Formula: consistent ⇔ |T − Σwᵢxᵢ| ≤ h_T + Σ|wᵢ|hᵢ
    over non-zero operands; with uniform d this is (n+1) × ½·10^−d. Applied by every TOL_SUM rule (service.check.arith)."""
    residues = [f for f in ctx.findings if f.outcome == "PASS_RESIDUE"]
    ctx.ok(f"求和容差按 XBRL Calculations 1.1 区间法；本报告 {len(residues)} 处尾差在容差内")


@rule("UNIT-05", "info")
def unit_05(ctx: Ctx) -> None:
    """Ratio and difference tolerance. Formula: quotient [a_lo/b_hi, a_hi/b_lo], difference [a_lo − b_hi, a_hi − b_lo],
    each must intersect the reported value's interval. Applied by every TOL_RATIO rule."""
    ctx.ok("比率与差额按区间法核验")


@rule("UNIT-06", "error")
def unit_06(ctx: Ctx) -> None:
    """Rounding convention. Formula: any point recomputation uses 四舍五入 (ROUND_HALF_UP), never round-half-even:
    a 万元 restatement of a 元 amount equals round_half_up(元 / 10⁴, d)."""
    yuan = [c for c in claims(ctx, "amount", unit=("元",)) if c.value.value >= 10_000]
    for c in claims(ctx, "amount", unit=("万元",)):
        if c.value.decimals < 1:
            continue
        twin = next(
            (
                y
                for y in yuan
                if abs(y.value.value / 10_000 - c.value.value)
                <= Decimal(5) * Decimal(10) ** (-c.value.decimals - 1)
            ),
            None,
        )
        if twin is None:
            continue
        expected = round_half_up(twin.value.value / 10_000, c.value.decimals)
        if expected == c.value.value:
            ctx.ok(
                f"第{c.value.provenance.page}页 {c.value.printed}万元 = {twin.value.printed}元 四舍五入",
                [cq(c), cq(twin)],
            )
        else:
            ctx.fail(
                f"第{c.value.provenance.page}页 {c.value.printed}万元 不是 {twin.value.printed}元 的四舍五入（应为 {expected}）",
                [cq(c), cq(twin)],
            )


@rule("UNIT-07", "info")
def unit_07(ctx: Ctx) -> None:
    """Diagnosis labels. Formula: on a FAIL try, in turn, PLUG_100 (assigned first, where NAR-04 finds a plug),
    TRUNCATED ([p, p + 10^−d)), DOUBLE_ROUNDED (via d+1), UNIT_SCALE (×10^±4, ×10^±8), SIGN. Labels inform the message."""
    labelled = [f for f in ctx.findings if f.outcome == "FAIL" and f.diagnosis]
    ctx.ok(f"{len(labelled)} 处不符附有诊断标签：" + "、".join(sorted({f.diagnosis or "" for f in labelled})))


@rule("UNIT-08", "error")
def unit_08(ctx: Ctx) -> None:
    """Duplicate facts across precisions. Formula: two values for one fact are consistent iff their intervals
    intersect; at the same d they must be equal (error; warning if Δ = 1 ulp). Headline totals in text and table."""
    table = headline_total(ctx)
    for c in claims(ctx, "amount", "收支总计或合计", MONEY):
        if table is not None and c.value.decimals != (table.fact.decimals if table.fact else 2):
            ctx.copy(
                f"第{c.value.provenance.page}页 {c.value.printed}（{c.value.decimals} 位小数）与报表总计（不同精度）核对",
                cq(c),
                table,
            )


def table_refs(ctx: Ctx, c: Claim) -> list[Q]:
    """The table cells a certain narrative amount restates: a component (基本支出, 人员经费 …) or a 类 row."""
    refs = component(ctx, c)
    code = c.class_code  # the 类 the extractor read in the claim's clause
    if code and c.scope == "item":
        t = ctx.report.tables
        for table, field_name in ((t.T05, "total"), (t.B05, "total"), (t.T03, "total")):
            row = next((r for r in rows(table) if getattr(r, "code", None) == code), None)
            if row is not None and getattr(row, field_name, None) is not None:
                refs.append(q(getattr(row, field_name), f"{table.table_id} {code} {row.label}"))  # type: ignore[union-attr]
    return refs


def unit_slips(ctx: Ctx) -> list[tuple[Claim, Q, Decimal]]:
    """(claim, table cell, scale) where a narrative amount about a certain subject matches no table cell as
    printed, but matches one after ×10⁴ or ÷10⁴ (元 written for 万元, or the reverse): a unit error, with both
    places. Claims of a project, a combined subject or the economy are not compared."""
    cached = ctx.cache.get("unit_slips")
    if cached is not None:
        return list(cached)
    found: list[tuple[Claim, Q, Decimal]] = []
    for c in own(claims(ctx, "amount", unit=MONEY)):
        if c.ambiguity or not c.value.value:
            continue
        refs = table_refs(ctx, c)
        stated = cq(c)
        if not refs or any(check_copy(stated, r).outcome != "FAIL" for r in refs):
            continue
        for scale in (Decimal(10_000), Decimal(1) / Decimal(10_000)):
            scaled = Q(stated.value * scale, stated.half * scale, stated.label, stated.fact, stated.decimals)
            ref = next((r for r in refs if check_copy(scaled, r).outcome != "FAIL"), None)
            if ref is not None:
                found.append((c, ref, scale))
                break
    ctx.cache["unit_slips"] = found
    return found


@rule("UNIT-09", "warning")
def unit_09(ctx: Ctx) -> None:
    """Unit plausibility and typos. Formula: a macro-indicator keyword (进出口, 社零, 省外资金, 引资, 投资, 签约) with
    unit 元 and a value < 10⁶, or with peers in 亿元 in the same sentence, fails; re-tested ×10⁸ and ×10⁴. Warning."""
    for c, ref, scale in unit_slips(ctx):
        stated = cq(c)
        word = "万元" if scale > 1 else "元"
        ctx.fail(
            f"第{c.value.provenance.page}页“{c.clause or c.subject}”写作 {c.value.printed}{c.value.unit}，"
            f"第{ref.fact.provenance.page if ref.fact else '?'}页{ref.label}为 {ref.fact.printed if ref.fact else ''}"
            f"{ref.fact.unit if ref.fact else ''}：单位写错（应为{word}）",
            [stated, ref],
            severity="error",
            diagnosis="UNIT_SCALE",
        )
    for c in claims(ctx, "amount", unit=("元",)):
        if not about(c, "宏观指标") or c.value.value >= 1_000_000:
            continue
        peers = "亿元" in c.marks
        ctx.fail(
            f"第{c.value.provenance.page}页“{c.subject} {c.value.printed} 元”单位可疑"
            f"{'（同句其他数为亿元）' if peers else ''}，应为 {c.value.printed} 亿元？",
            [cq(c)],
            diagnosis="UNIT_SCALE",
        )


@rule("UNIT-10", "info")
def unit_10(ctx: Ctx) -> None:
    """尾数误差 notes. Formula: if the table set carries "尾数误差/尾差", residue messages cite it; the note never
    widens the tolerance beyond UNIT-04."""
    note = ctx.report.meta.rounding_note
    residues = [f for f in ctx.findings if f.outcome == "PASS_RESIDUE"]
    if note:
        ctx.ok(f"报告注明尾差（“{note[:30]}”），{len(residues)} 处尾差引用该说明")
    elif residues:
        ctx.skip(f"报告没有尾数误差说明，{len(residues)} 处尾差未能引用说明")


@rule("UNIT-11", "error")
def unit_11(ctx: Ctx) -> None:
    """Numeric token parsing. Formula: thousands separators, 行次 printed as "1.00", 亿/万 magnitudes, ranges,
    comparators and percents are read correctly; a table cell that cannot be read as a number is an error."""
    bad = [n for n in ctx.report.parse_notes if n.kind == "unparsed"]
    for note in bad:
        ctx.fail(
            f"{note.table_id} 第{note.page}页 {note.text}",
            extra=[Operand(label=note.table_id, value=note.text, page=note.page)],
        )
    unplaced = [n for n in ctx.report.parse_notes if n.kind == "unplaced"]
    if unplaced:  # the reader's doubt, not the report's fault: the cells are left out, not guessed
        pages = sorted({n.page for n in unplaced})
        ctx.fail(
            f"{len(unplaced)} 处单元格未读取（第{'、'.join(map(str, pages))}页），相关核验无法进行，"
            f"例如：{unplaced[0].table_id} {unplaced[0].text}",
            extra=[Operand(label=n.table_id, value=n.text, page=n.page) for n in unplaced[:10]],
            severity="warning",
            doubt="分不清这些数字所在的列，未作猜测",
        )
    if not bad and not unplaced:
        ctx.ok("报表数值单元格全部可解析")


@rule("UNIT-12", "warning")
def unit_12(ctx: Ctx) -> None:
    """Repairing wrapped and fused cells. Formula: a number split across lines is rejoined; an amount fused with the
    next economic code ("10.17307") is split with the code list and d = 2; INTRA-13/14 re-run as the acceptance test.
    Warning when a repair was needed (error if the repair fails the re-check)."""
    repairs = [n for n in ctx.report.parse_notes if n.kind == "repair"]
    if not repairs:
        return ctx.ok("没有需要修复的单元格")
    pages = sorted({n.page for n in repairs})
    ctx.fail(
        f"{len(repairs)} 个单元格经修复后读取（跨行数字、金额与编码粘连），例如：{repairs[0].text}",
        extra=[Operand(label=n.table_id, value=n.text, page=n.page) for n in repairs[:10]],
        severity="warning",
    )
    failing = [
        f
        for f in ctx.findings
        if f.rule_id in ("INTRA-13", "INTRA-14") and f.outcome == "FAIL" and set(f.pages) & set(pages)
    ]
    if failing:
        ctx.fail("修复后的单元格未通过 INTRA-13/14 复核", severity="error")


@rule("UNIT-13", "info")
def unit_13(ctx: Ctx) -> None:
    """Approximate and bounded text values. Formula: a number qualified by 约/近/超/余/以上/左右/百余 is a bound; only
    the ordering is checked, never equality."""
    bounded = [c for c in ctx.report.claims if c.qualifier]
    for c in bounded[:20]:
        ctx.skip(
            f"第{c.value.provenance.page}页“{c.qualifier}{c.value.printed}{c.value.unit}”是约数，不作等值核验",
            [cq(c)],
        )
