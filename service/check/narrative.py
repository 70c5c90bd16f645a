"""Narrative against table: NAR-01 … NAR-24 (checker-rules.md §3). The prose numbers are the
report's claims, read by the extractor (service.extract.claims): each with its sentence and box, its
subject's topics, scope and structure item, the sentence's marks, its 三公 cell, and the statements it
belongs to (年初预算/决算/完成率, 增幅/百分点差, vehicles). The rules select claims by those and compare
them with table cells looked up by role (service.check.stated); no rule reads the words itself."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from schemas.findings import Operand
from schemas.report import Claim
from service.check.arith import Q, check_ratio, const, q
from service.check.base import Ctx, find_row, flat, registry, rows, total_row, val
from service.check.stated import (
    MONEY,
    about,
    before,
    claims,
    component,
    cq,
    fiscal_total,
    headline_total,
    in_sentence,
    linked,
    own,
    position,
    sangong,
    sangong_claim,
    statements,
)

RULES, rule = registry()


def sangong_budgets_in_text(ctx: Ctx) -> dict[str, Q]:
    """三公 budgets the text itself states ("公务接待费预算数为 4.84 万元"), by field."""
    out: dict[str, Q] = {}
    for c in claims(ctx, "amount", "预算数", MONEY):
        if c.sangong_item is not None:
            out.setdefault(c.sangong_item, cq(c))
    return out


# ---------------------------------------------------------------- rules


@rule("NAR-01", "error")
def nar_01(ctx: Ctx) -> None:
    """Headline totals. Formula: the 收/支总计 stated in the text = T01 总计 (or B01 收入总计). TOL_COPY."""
    table = headline_total(ctx)
    for c in claims(ctx, "amount", "收支总计", MONEY):
        if c.scope == "project":
            ctx.skip(f"第{c.value.provenance.page}页“{c.clause or c.subject}”{_scope_reason(c)}", [cq(c)])
            continue
        ctx.copy(f"第{c.value.provenance.page}页文字 {c.subject} 与报表总计核对", cq(c), table)
    for c in claims(ctx, "amount", "财政拨款收支总计", MONEY):
        ctx.copy(
            f"第{c.value.provenance.page}页文字 {c.subject} 与财政拨款收支总表核对", cq(c), fiscal_total(ctx)
        )


@rule("NAR-02", "error")
def nar_02(ctx: Ctx) -> None:
    """Component amounts. Formula: text amounts (收入合计, 财政拨款, 其他收入, 基本, 项目, 人员, 公用 …) = their
    table cells. TOL_COPY; a FAIL of one unit in the last printed digit is a warning."""
    for c in claims(ctx, "amount", unit=MONEY):
        refs = component(ctx, c)
        if refs and c.scope in ("project", "combined", "external"):
            ctx.skip(f"第{c.value.provenance.page}页“{c.clause or c.subject}”{_scope_reason(c)}", [cq(c)])
            continue
        if refs:
            ref = min(refs, key=lambda r: abs(r.value - cq(c).value))
            ctx.copy(
                f"第{c.value.provenance.page}页文字“{c.subject} {c.value.printed}{c.value.unit}”与报表核对",
                cq(c),
                ref,
            )


def _scope_reason(c: Claim) -> str:
    return {
        "project": "说的是某一项目或活动，不与部门整体的报表数核对",
        "combined": f"把“{'、'.join(c.parts)}”合并陈述，不与其中一项核对",
        "external": "说的是报表以外的经济数据",
    }.get(c.scope or "", c.ambiguity or "主语不确定")


def _named_whole(ctx: Ctx, c: Claim) -> tuple[bool, Q | None]:
    """(the share names its whole, the table cell of that whole): "占本年支出合计的 p%" → T01 本年支出合计;
    a whole that is not a total of the tables (政府采购, 项目支出总额 of NAR-17, the economy) → (True, None)."""
    if c.whole is None:  # the extractor read no whole after 占
        return False, None
    t = ctx.report.tables
    if c.whole == "三公":
        return True, sangong(ctx, "决算数", "total")
    if c.whole == "本年支出合计":
        if t.T01 is not None:
            return True, val(find_row(t.T01, "^本年支出合计", side="expenditure"), "amount", "本年支出合计")
        return True, val(find_row(t.B01, "本年支出合计", side="expenditure"), "amount", "本年支出合计")
    if c.whole == "本年收入合计":
        if t.T01 is not None:
            return True, val(find_row(t.T01, "^本年收入合计", side="income"), "amount", "本年收入合计")
        return True, None
    return True, None


def _is_part(ctx: Ctx, c: Claim) -> bool:
    nxt = position(ctx, c) + 1
    return nxt < len(ctx.report.claims) and ctx.report.claims[nxt].kind == "share"


def _certain_amount(o: Claim) -> bool:
    return (
        o.kind == "amount"
        and o.value.unit in MONEY
        and o.scope in ("department", "item", None)
        and not o.parts
    )


def whole_candidates(ctx: Ctx, c: Claim, part: Claim) -> tuple[list[Q], str | None]:
    """Amounts an unnamed share ("占 p%") may be of, and the doubt when the whole is only inferred: the amounts
    of its sentence that are not themselves parts, then earlier ones (a structure's total often closes the
    sentence before — inferred, so at most a warning)."""
    out: list[Q] = []
    for o in in_sentence(ctx, c):
        if _certain_amount(o) and o is not part and not _is_part(ctx, o):
            out.append(cq(o))
    if out:
        return out, None
    start = position(ctx, c)
    for o in reversed(ctx.report.claims[max(0, start - 12) : start]):
        if _certain_amount(o) and o is not part and o.value.value > part.value.value and not _is_part(ctx, o):
            out.append(cq(o))
    return out, "占比没有说明基数，基数按前文推定"


def _listed_part(ctx: Ctx, c: Claim) -> Claim | None:
    """For "A和B分别为 x和y，分别占 p和q", the amount of the share's own item (the extractor gave both the
    listed item as subject)."""
    if "分别" not in c.marks:
        return None
    return next(
        (o for o in in_sentence(ctx, c) if o.kind == "amount" and o.subject == c.subject and o is not c), None
    )


def _share_parts(ctx: Ctx) -> Iterator[tuple[Claim, Claim, Q, str | None]]:
    """(share, part, whole, doubt) for each share the checker can read; a share it cannot read is a SKIP
    with the reason (recorded once, by NAR-03)."""
    cached = ctx.cache.get("share_parts")
    if cached is not None:
        yield from cached
        return
    out: list[tuple[Claim, Claim, Q, str | None]] = []
    skips: list[tuple[Claim, str]] = []
    for c in claims(ctx, "share"):
        part = _listed_part(ctx, c) or before(ctx, c, unit=MONEY, limit=2)
        if part is None or part.sentence != c.sentence:
            continue
        named, whole = _named_whole(ctx, c)
        doubt = None
        if named:
            if whole is None:
                if c.whole not in ("政府采购", "项目支出总额"):
                    skips.append((c, f"占比的基数“{c.base}”不是本报告报表中的合计数"))
                continue
            candidates = [whole]
        else:
            if part.scope not in ("department", "item"):
                skips.append((c, f"“{part.clause or part.subject}”{_scope_reason(part)}，占比没有说明基数"))
                continue
            candidates, doubt = whole_candidates(ctx, c, part)
            if not candidates:
                continue
        chosen = next(
            (
                w
                for w in candidates
                if (ev := check_ratio(cq(c), cq(part), w)) is not None and ev.outcome != "FAIL"
            ),
            candidates[0],
        )
        out.append((c, part, chosen, doubt))
    ctx.cache["share_parts"] = out
    ctx.cache["share_skips"] = skips
    yield from out


def _structures(ctx: Ctx) -> list[list[Claim]]:
    """Sentences listing several shares of one whole (a structure, NAR-04)."""
    groups: dict[tuple[int, int], list[Claim]] = {}
    for c, _, _, _ in _share_parts(ctx):
        groups.setdefault((c.value.provenance.page, c.sentence), []).append(c)
    return [g for g in groups.values() if len(g) >= 3]


def plug_items(ctx: Ctx) -> set[int]:
    """Shares forced so the structure totals exactly 100 (UNIT-07 PLUG_100): ids of the plugged claims."""
    plugged: set[int] = set()
    parts = {id(c): (part, whole) for c, part, whole, _ in _share_parts(ctx)}
    for group in _structures(ctx):
        if sum((c.value.value for c in group), Decimal(0)) != 100:
            continue
        for c in group:
            part, whole = parts[id(c)]
            ev = check_ratio(cq(c), cq(part), whole)
            if ev is not None and ev.outcome == "FAIL":
                plugged.add(id(c))
    return plugged


@rule("NAR-03", "error")
def nar_03(ctx: Ctx) -> None:
    """Share percentages. Formula: "X 占 p%" requires p ≈ X / whole × 100. TOL_RATIO; a FAIL of one unit
    in the last printed digit is a warning; a plug that makes the structure total 100 is labelled PLUG_100."""
    plugged = plug_items(ctx)
    for c, reason in ctx.cache.get("share_skips", []):
        ctx.skip(f"第{c.value.provenance.page}页“{c.clause}”：{reason}", [cq(c)])
    for c, part, whole, doubt in _share_parts(ctx):
        finding_before = len(ctx.findings)
        ctx.ratio(
            f"第{c.value.provenance.page}页“{part.clause or part.subject}，{c.clause}”",
            cq(c),
            cq(part),
            whole,
            doubt=doubt,
        )
        if id(c) in plugged and len(ctx.findings) > finding_before:
            ctx.findings[-1] = ctx.findings[-1].model_copy(update={"diagnosis": "PLUG_100"})


@rule("NAR-04", "warning")
def nar_04(ctx: Ctx) -> None:
    """Structure sums to 100. Formula: Σ pᵢ ∈ 100 ± n·½ulp; if Σ is exactly 100 while an item fails NAR-03
    by one unit, that item is a plug (PLUG_100). TOL_SUM, warning."""
    plugged = plug_items(ctx)
    for group in _structures(ctx):
        total = const(100, "100%")
        ev = ctx.sum(
            f"第{group[0].value.provenance.page}页结构占比之和为 100%", total, [cq(c) for c in group]
        )
        for c in group:
            if id(c) in plugged:
                ctx.fail(
                    f"第{c.value.provenance.page}页“占 {c.value.printed}%”为凑整：各项占比之和恰为 100%，"
                    f"但该项按金额计算不符",
                    [cq(c)],
                    diagnosis="PLUG_100",
                )
        del ev


def _yoy(ctx: Ctx) -> Iterator[tuple[Claim, Claim, Claim]]:
    """(current amount, change amount, change rate) triples: "…X 万元…增加/减少 Δ 万元，增长/下降 r%"."""
    for rate in claims(ctx, "change_rate", unit=("%",)):
        delta = before(ctx, rate, limit=1)
        if delta is None or delta.kind != "change" or delta.value.unit not in MONEY:
            continue
        current = before(ctx, delta, kind="amount", unit=MONEY, limit=6)
        if current is None or about(current, "年初预算"):
            continue
        yield current, delta, rate


def _other_subject(current: Claim, delta: Claim) -> str | None:
    """Why a change stated in its own sentence may not be the change of the amount before it: the change
    names a subject of its own that the earlier amount's clause does not ("较2021年决算增加" has none)."""
    own_subject = delta.change_subject  # read by the extractor
    if own_subject is None or own_subject in flat(current.clause or current.subject):
        return None
    return f"增减额的主语“{own_subject}”与前句的本年数“{current.clause or current.subject}”未必相同"


@rule("NAR-05", "error")
def nar_05(ctx: Ctx) -> None:
    """Year-over-year change. Formula: prior = current ∓ Δ (interval), r = Δ / prior, and the 增/减 wording
    matches the sign. TOL_RATIO; a one-unit FAIL is a warning."""
    for current, delta, rate in _yoy(ctx):
        cur, d = cq(current), cq(delta)
        sign = 1 if delta.direction == "增加" else -1
        prior = Q(
            cur.value - sign * d.value,
            cur.half + d.half,
            f"上年数（{current.value.printed} ∓ {delta.value.printed}）",
        )
        if rate.direction and delta.direction and rate.direction != delta.direction:
            ctx.fail(
                f"第{rate.value.provenance.page}页增减方向不一致：{delta.direction} 与 {rate.direction}",
                [d, cq(rate)],
            )
            continue
        # the current amount read from an earlier sentence may be another subject's
        doubt = None if current.sentence == delta.sentence else _other_subject(current, delta)
        ctx.ratio(
            f"第{rate.value.provenance.page}页“{delta.subject}{delta.value.printed}{delta.value.unit}，"
            f"{'增长' if sign > 0 else '下降'}{rate.value.printed}%”",
            cq(rate),
            d,
            prior,
            doubt=doubt,
        )


@rule("NAR-06", "warning")
def nar_06(ctx: Ctx) -> None:
    """Category priors add up. Formula: when the text gives prior-year values for every 类,
    Σ(currentᵢ ∓ Δᵢ) = total prior. TOL_SUM, warning."""
    # one prior per 类: the amount's clause names a function class (a heading that says 支出决算 does not)
    items = [(cur, d) for cur, d, _ in _yoy(ctx) if about(cur, "支出决算") and cur.class_code]
    totals = [(cur, d) for cur, d, _ in _yoy(ctx) if about(cur, "财政拨款支出总计")]
    if len(items) < 2 or not totals:
        return ctx.skip("文字没有逐类给出上年数")
    cur, d = totals[0]
    sign = 1 if d.direction == "增加" else -1
    total_prior = Q(cq(cur).value - sign * cq(d).value, cq(cur).half + cq(d).half, "上年支出总计")
    priors = []
    for c, dd in items:
        s = 1 if dd.direction == "增加" else -1
        priors.append(Q(cq(c).value - s * cq(dd).value, cq(c).half + cq(dd).half, f"{c.subject} 上年数"))
    ctx.sum("各类上年数之和 = 上年支出总计", total_prior, priors)


def budget_items(ctx: Ctx) -> Iterator[tuple[Claim, Claim, Claim | None]]:
    """(年初预算, 支出决算, 完成率) for each statement the extractor linked ("年初预算为 X，支出决算为 Y，
    完成年初预算的 p%" and its phrasings)."""
    for roles in statements(ctx, "年初预算").values():
        budget, final = roles.get("年初预算"), roles.get("支出决算")
        if budget is not None and final is not None:
            yield budget, final, roles.get("完成率")


@rule("NAR-07", "error")
def nar_07(ctx: Ctx) -> None:
    """完成年初预算 %. Formula: p = 决算 / 年初预算 × 100; 大于/超 require 决算 > 预算, 小于/未完成 require 决算 <
    预算. TOL_RATIO."""
    handled = set()
    for budget, final, rate in budget_items(ctx):
        if rate is None:
            continue
        handled.add(id(rate))
        if budget.value.value != 0:
            ctx.ratio(
                f"第{rate.value.provenance.page}页完成年初预算的 {rate.value.printed}%",
                cq(rate),
                cq(final),
                cq(budget),
            )
    stated = sangong_budgets_in_text(ctx)
    for c in claims(ctx, "rate", "完成预算"):
        if id(c) in handled or ctx.report.tables.T07 is None:
            continue
        spent = before(ctx, c, kind="amount", unit=MONEY, limit=2)
        if spent is None:
            continue
        field = spent.sangong_item
        if field is None:
            continue
        plan = stated.get(field) or sangong(ctx, "预算数", field)
        if plan is not None and plan.value != 0:
            ctx.ratio(
                f"第{c.value.provenance.page}页“{spent.subject} {spent.value.printed}，完成预算的 {c.value.printed}%”",
                cq(c),
                cq(spent),
                plan,
            )


def _stated_budget(ctx: Ctx) -> Claim | None:
    return next(claims(ctx, "amount", "年初预算总额", MONEY), None)


@rule("NAR-08", "warning")
def nar_08(ctx: Ctx) -> None:
    """Item budgets add up. Formula: Σ 项 (or 类) 年初预算 = the stated 一般公共预算财政拨款支出年初预算. TOL_SUM,
    warning (a 项 with a budget but no 决算 may be omitted)."""
    stated = _stated_budget(ctx)
    if stated is None:
        return ctx.skip("文字没有说明年初预算总额")
    items = [
        b
        for b, _, _ in budget_items(ctx)
        if b is not stated
        and "三公" not in b.marks
        and b.value.provenance.page >= stated.value.provenance.page
    ]
    if not items:
        return ctx.skip("文字没有逐项说明年初预算")
    ctx.sum(
        f"第{stated.value.provenance.page}页年初预算 {stated.value.printed}{stated.value.unit} = 各项年初预算之和",
        cq(stated),
        [cq(b) for b in items],
    )


@rule("NAR-09", "error")
def nar_09(ctx: Ctx) -> None:
    """Text self-consistency. Formula: "年初没有安排预算 / 年初预算为0" ⇔ 年初预算 = 0; "未执行" ⇔ 决算 = 0. TOL_EXACT."""
    for budget, final, _ in budget_items(ctx):
        if "年初未安排" in budget.marks and budget.value.value != 0:
            ctx.fail(
                f"第{budget.value.provenance.page}页说年初未安排预算，却列年初预算 {budget.value.printed}",
                [cq(budget)],
            )
        elif "未执行" in budget.marks and final.value.value != 0:
            ctx.fail(
                f"第{final.value.provenance.page}页说未执行，却列支出决算 {final.value.printed}", [cq(final)]
            )
        elif budget.value.value == 0 and "年中追加" in budget.marks:
            ctx.ok(f"第{budget.value.provenance.page}页年初预算为 0 与“年中增加”的说明一致", [cq(budget)])


@rule("NAR-10", "error")
def nar_10(ctx: Ctx) -> None:
    """Narrative 项 决算 against T05. Formula: the 类/款/项 named in the text maps to a T05 code; the text's 决算
    = T05 小计 (fiscal, not T03). TOL_COPY."""
    t05 = ctx.report.tables.T05
    if t05 is None:
        return None
    for _, final, _ in budget_items(ctx):
        if final.item_path:
            _, kuan, xiang = (flat(n) for n in final.item_path)
            row = next(
                (
                    r
                    for r in rows(t05)
                    if r.code
                    and len(r.code) == 7
                    and flat(r.label) == xiang
                    and any(p.code == r.code[:5] and flat(p.label) == kuan for p in rows(t05))
                ),
                None,
            )
        else:
            cls = final.item_code
            row = next((r for r in rows(t05) if r.code == cls), None) if cls else None
        if row is None:
            continue
        ctx.copy(
            f"第{final.value.provenance.page}页 {row.code}{row.label} 支出决算与一般公共预算财政拨款支出决算表核对",
            cq(final),
            val(row, "total", f"T05 {row.code}{row.label} 小计"),
        )


@rule("NAR-11", "error")
def nar_11(ctx: Ctx) -> None:
    """基本支出 narrative. Formula: 人员 + 公用 = 基本 (text values); every component the text names is non-zero
    in T06/B06 (a named zero component is a warning). TOL_SUM; names TOL_EXACT."""
    basic = next(own(c for c in claims(ctx, "amount", unit=MONEY) if c.component == "basic"), None)
    people = next(own(c for c in claims(ctx, "amount", unit=MONEY) if c.component == "personnel"), None)
    public = next(own(c for c in claims(ctx, "amount", unit=MONEY) if c.component == "public"), None)
    if basic is not None and people is not None and public is not None:
        ctx.sum(
            f"第{basic.value.provenance.page}页文字：基本支出 = 人员经费 + 公用经费",
            cq(basic),
            [cq(people), cq(public)],
        )
    table = ctx.report.tables.T06 or ctx.report.tables.B06
    if table is None or public is None:
        return None
    listed = public.listed  # read by the extractor after "主要包括"
    by_name = {flat(r.label): r for r in rows(table) if getattr(r, "code", None)}
    missing = []
    for name in listed:
        row = by_name.get(name)
        amount = getattr(row, "amount", None) or getattr(row, "total", None) if row is not None else None
        if row is None or (amount is not None and amount.value == 0):
            missing.append(name)
    if missing:
        ctx.fail(
            f"第{public.value.provenance.page}页列举的公用经费项目在基本支出表中为 0 或没有：{'、'.join(missing)}",
            [cq(public)],
            severity="warning",
        )
    elif listed:
        ctx.ok(f"第{public.value.provenance.page}页列举的公用经费项目在基本支出表中都有数", [cq(public)])


@rule("NAR-12", "error")
def nar_12(ctx: Ctx) -> None:
    """三公 narrative against T07/B08. Formula: the text's 预算 and 决算 (total and items) = the table; 完成预算 %
    = 决算 / 预算; 占 % = item / total. TOL_COPY / TOL_RATIO."""
    if ctx.report.tables.T07 is None and ctx.report.tables.B08 is None:
        return ctx.skip("缺少“三公”经费表")
    budget_mode = ctx.report.tables.T07 is None
    for c in claims(ctx, "amount", unit=MONEY):
        field = c.sangong  # the 三公 cell the extractor read the amount as restating
        if field is None:
            continue
        half = "预算数" if budget_mode else c.sangong_half
        if half is None:
            continue
        if c.parts:
            reference = sangong_claim(ctx, c, half)
            if reference is None:
                ctx.skip(
                    f"第{c.value.provenance.page}页“{c.clause or c.subject}”把“{'、'.join(c.parts)}”合并陈述，"
                    "表中没有对应的合计",
                    [cq(c)],
                )
                continue
        else:
            reference = sangong(ctx, half, field)
        ctx.copy(
            f"第{c.value.provenance.page}页“三公”经费文字“{c.subject} {c.value.printed}”与表核对",
            cq(c),
            reference,
        )


@rule("NAR-13", "warning")
def nar_13(ctx: Ctx) -> None:
    """三公 counts and details. Formula: 团组 and 人次 sums match; 出国 sub-expenses sum to the 出国 决算;
    公务用车保有量 = 国有资产 车辆 (soft). TOL_EXACT / TOL_SUM, warning."""
    fleet = next(claims(ctx, "count", "公务用车保有量"), None)
    owned = next(claims(ctx, "count", "共有车辆"), None)
    if fleet is None or owned is None:
        return ctx.skip("文字没有同时给出公务用车保有量和车辆总数")
    if fleet.value.value <= owned.value.value:
        ctx.ok(
            f"第{fleet.value.provenance.page}页公务用车保有量 {fleet.value.printed} 辆 ≤ 车辆总数 {owned.value.printed} 辆",
            [cq(fleet), cq(owned)],
        )
    else:
        ctx.fail(
            f"公务用车保有量 {fleet.value.printed} 辆多于车辆总数 {owned.value.printed} 辆",
            [cq(fleet), cq(owned)],
        )


@rule("NAR-14", "error")
def nar_14(ctx: Ctx) -> None:
    """机关运行经费 text. Formula: the value follows XT-14 (≤ 公用经费), its year-over-year change follows NAR-05.
    TOL_RATIO."""
    for c in claims(ctx, "amount", "机关运行经费", MONEY):
        nxt = [o for o in in_sentence(ctx, c) if o.kind in ("change", "change_rate")]
        if len(nxt) == 2:
            sign = 1 if nxt[0].direction == "增加" else -1
            prior = Q(cq(c).value - sign * cq(nxt[0]).value, cq(c).half + cq(nxt[0]).half, "上年机关运行经费")
            ctx.ratio(f"第{c.value.provenance.page}页机关运行经费增减率", cq(nxt[1]), cq(nxt[0]), prior)
        else:
            ctx.skip(f"第{c.value.provenance.page}页机关运行经费没有给出增减", [cq(c)])


@rule("NAR-15", "error")
def nar_15(ctx: Ctx) -> None:
    """政府采购. Formula: 总额 = 货物 + 工程 + 服务; 中小企业 ≤ 总额; 小微 ≤ 中小; 占比 = part / 总额.
    TOL_SUM / TOL_RATIO."""
    total = next(claims(ctx, "amount", "政府采购总额", MONEY), None)
    if total is None:
        return ctx.skip("文字没有给出政府采购总额")
    same = in_sentence(ctx, total)
    parts = [o for o in same if o.kind == "amount" and about(o, "政府采购分类")]
    if parts:
        ctx.sum(
            f"第{total.value.provenance.page}页政府采购总额 = 货物 + 工程 + 服务",
            cq(total),
            [cq(p) for p in parts],
        )
    sme = next((o for o in claims(ctx, "amount", "授予中小企业", MONEY)), None)
    if sme is None:
        return None
    rate = next((o for o in in_sentence(ctx, sme) if o.kind == "share" and not about(o, "中小企业")), None)
    if rate is not None and total.value.value:
        ctx.ratio(f"第{sme.value.provenance.page}页授予中小企业合同金额占比", cq(rate), cq(sme), cq(total))


@rule("NAR-16", "error")
def nar_16(ctx: Ctx) -> None:
    """国有资产 vehicles. Formula: 车辆合计 = Σ categories listed after 其中. TOL_EXACT."""
    owned = next(claims(ctx, "count", "共有车辆"), None)
    if owned is None:
        return ctx.skip("文字没有车辆总数")
    # the extractor linked "共有车辆 N 辆，其中：A n₁ 辆、B n₂ 辆…" (to the "；" that ends the list)
    group = next((g for g in linked(ctx, "车辆总数") if owned in g), None)
    if group is None:
        return ctx.skip("文字没有列出车辆构成")
    counts = [c for c in group if c.role == "车辆分项"]
    if not counts:
        return None
    ctx.sum(
        f"第{owned.value.provenance.page}页车辆总数 = 各类车辆之和",
        cq(owned),
        [q(c.value, "车辆分类数") for c in counts],
    )


@rule("NAR-17", "error")
def nar_17(ctx: Ctx) -> None:
    """Performance coverage. Formula: for "涉及资金 X，占项目支出总额 p%", X = T03/T05 项目支出 (TOL_COPY);
    p = X / 项目支出 and p ≤ 100. TOL_RATIO."""
    project = val(total_row(ctx.report.tables.T05), "project", "一般公共预算财政拨款 项目支出") or val(
        total_row(ctx.report.tables.T03), "project", "支出决算表 项目支出"
    )
    for c in claims(ctx, "share"):
        if c.whole != "项目支出总额":  # the whole the extractor read after 占
            continue
        amount = before(ctx, c, unit=MONEY, limit=2)
        if amount is None or not about(amount, "资金"):
            continue
        ctx.copy(f"第{c.value.provenance.page}页绩效自评涉及资金与项目支出核对", cq(amount), project)
        ctx.ratio(
            f"第{c.value.provenance.page}页绩效自评资金占项目支出总额的 {c.value.printed}%",
            cq(c),
            cq(amount),
            project,
        )


@rule("NAR-18", "error")
def nar_18(ctx: Ctx) -> None:
    """Itemised breakdowns. Formula: components listed after "其中" = the stated subtotal (进出口 = 出口 + 进口;
    核销金额 = its parts …). TOL_SUM."""
    for total in claims(ctx, "amount", "进出口完成", MONEY):
        parts = [o for o in in_sentence(ctx, total) if o.kind == "amount" and about(o, "出口或进口完成")]
        if len(parts) == 2:
            ctx.sum(
                f"第{total.value.provenance.page}页进出口 = 出口 + 进口", cq(total), [cq(p) for p in parts]
            )
    for total in claims(ctx, "amount", "核销金额", MONEY):
        later = [
            o
            for o in in_sentence(ctx, total)
            if o.kind == "amount" and o.subject == "核销金额" and o is not total
        ]
        if "其中" in total.marks and len(later) >= 2:
            ctx.sum(
                f"第{total.value.provenance.page}页核销金额 = 分项之和", cq(total), [cq(p) for p in later]
            )


@rule("NAR-19", "error")
def nar_19(ctx: Ctx) -> None:
    """The same fact stated twice. Formula: two mentions agree (at equal precision, equal values): the 年初预算 against
    the 绩效自评表 年初预算数; a 元 amount restated in 万元. TOL_COPY."""
    stated = _stated_budget(ctx)
    pe = next((e for e in ctx.report.performance.self_evaluations if e.table_id == "PE"), None)
    line = next((b for b in pe.budget if "总额" in b.label), None) if pe else None
    if stated is not None and line is not None and line.initial is not None:
        ctx.copy(
            f"第{stated.value.provenance.page}页年初预算与部门整体绩效自评表年初预算数核对",
            cq(stated),
            q(line.initial, "部门整体绩效自评表 年初预算数"),
        )
    yuan = [c for c in claims(ctx, "amount", unit=("元",)) if c.value.value >= 100_000]
    for c in claims(ctx, "amount", unit=("万元",)):
        if c.value.decimals < 2:
            continue
        twin = next((y for y in yuan if abs(y.value.value - c.value.value * 10_000) <= 50), None)
        if twin is not None:
            ctx.copy(
                f"第{c.value.provenance.page}页“{c.value.printed}万元”与第{twin.value.provenance.page}页"
                f"“{twin.value.printed}元”是同一数",
                cq(c),
                cq(twin),
            )


@rule("NAR-20", "warning")
def nar_20(ctx: Ctx) -> None:
    """Count-based ratios. Formula: with integer numerator and denominator, p = round_half_up(a / b × 100, d_p).
    TOL_RATIO with h = 0 on the operands, warning."""
    for c in claims(ctx, "rate", "核销率"):
        numerator = before(ctx, c, kind="count", limit=1)
        if numerator is None or numerator.value.unit != "张":
            continue
        earlier = ctx.report.claims[max(0, position(ctx, numerator) - 10) : position(ctx, numerator)]
        issued = [o for o in earlier if o.kind == "count" and o.value.unit == "张" and about(o, "发放")]
        denominator = next((o for o in issued if about(o, "合计词")), issued[0] if issued else None)
        if denominator is None:
            continue
        ctx.ratio(
            f"第{c.value.provenance.page}页核销率 = {numerator.subject} / {denominator.subject}",
            cq(c),
            cq(numerator),
            cq(denominator),
            downgrade_one_ulp=False,
        )


@rule("NAR-21", "warning")
def nar_21(ctx: Ctx) -> None:
    """Multiplier consistency (杠杆率/带动倍率). Formula: 杠杆率 = 带动消费 / 核销金额, the definition the document
    uses elsewhere. TOL_RATIO, warning."""
    for c in claims(ctx, "ratio"):
        driven = before(ctx, c, unit=MONEY, topic="带动消费", limit=8)
        spent = before(ctx, c, unit=MONEY, topic="核销优惠", limit=8)
        if driven is None or spent is None:
            ctx.skip(f"第{c.value.provenance.page}页{c.subject}缺少带动消费或核销金额", [cq(c)])
            continue
        ctx.ratio(
            f"第{c.value.provenance.page}页{c.subject} {c.value.printed} = {driven.subject} / {spent.subject}",
            cq(c),
            cq(driven),
            cq(spent),
            scale=Decimal(1),
            downgrade_one_ulp=False,
        )


@rule("NAR-22", "warning")
def nar_22(ctx: Ctx) -> None:
    """Percentage-point differences. Formula: "高于X N个百分点" requires N = a − X, a the growth stated before.
    TOL_SUM, warning."""
    for roles in statements(ctx, "百分点差").values():
        points, growth, reference = roles["百分点差"], roles.get("增幅"), roles.get("参照")
        if growth is None or reference is None:
            continue
        sign = -1 if growth.direction == "减少" else 1
        g = cq(growth)
        a_q = Q(
            g.value * sign,
            g.half,
            f"增幅 {'-' if sign < 0 else ''}{growth.value.printed}%",
            g.fact,
            g.decimals,
        )
        ctx.difference(
            f"第{points.value.provenance.page}页“高于…{points.value.printed}个百分点”= "
            f"{a_q.label.removeprefix('增幅 ')} − {reference.value.printed}%",
            cq(points),
            a_q,
            cq(reference),
        )


def _half(printed: str) -> Decimal:
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return Decimal(5) * Decimal(10) ** (-decimals - 1)


@rule("NAR-23", "warning")
def nar_23(ctx: Ctx) -> None:
    """Year and entity in headings. Formula: every year in part titles, section titles and scope sentences
    = the report year (explicit comparisons excepted). TOL_EXACT, warning."""
    year = ctx.report.meta.year
    if year is None:
        return ctx.skip("没有识别出报告年度")
    for heading in sorted(ctx.report.heading_years, key=lambda h: h.page):  # read by the extractor
        page, phrase, printed = heading.page, heading.phrase, heading.year
        if printed != year:
            ctx.fail(
                f"第{page}页“{phrase}”的年度 {printed} 与报告年度 {year} 不符",
                extra=[_text_operand(page, phrase)],
            )
        else:
            ctx.ok(f"第{page}页“{phrase[:20]}”年度正确", extra=[_text_operand(page, phrase)])


def _text_operand(page: int, phrase: str) -> Operand:
    return Operand(label="文字", value=phrase, page=page, table_id="NAR", text_span=phrase)


@rule("NAR-24", "warning")
def nar_24(ctx: Ctx) -> None:
    """Zero denominators. Formula: a ratio whose denominator is 0 must be omitted or printed "—"; printing 100%
    or 0% fails. TOL_EXACT, warning."""
    for c in claims(ctx, "rate", "完成预算率"):
        # the budget the rate is of: the last amount stated as a 预算 before it in its sentence
        stated = [
            o
            for o in in_sentence(ctx, c)
            if o.kind == "amount" and position(ctx, o) < position(ctx, c) and about(o, "预算数")
        ]
        if stated and stated[-1].value.value == 0:
            ctx.fail(
                f"第{c.value.provenance.page}页预算数为 0，却印出“完成预算的 {c.value.printed}%”", [cq(c)]
            )
    for c in claims(ctx, "share"):
        if "总额为零" in c.marks and "中小企业" in c.marks:
            ctx.fail(f"第{c.value.provenance.page}页总额为 0，却印出占比 {c.value.printed}%", [cq(c)])
            break
