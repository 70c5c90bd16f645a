"""The narrative's claims as the rules read them, and the table cells a claim may restate. The extractor
(service.extract.claims) has already read each sentence: a claim carries its subject, scope, sentence,
marks, structure item and 三公 cell, so the rules here and in narrative/cross/units/perf only select claims
and compare them with facts. Pure."""

from __future__ import annotations

from collections.abc import Iterator

from schemas.report import Claim
from schemas.vocabulary import SANGONG_NAMES, SUBJECT_TOPICS
from service.check.arith import Q, q
from service.check.base import Ctx, find_row, rows, total_row, val

MONEY = ("元", "万元", "亿元")


def about(c: Claim, topic: str) -> bool:
    """The claim's subject is about ``topic`` (one of schemas.vocabulary.SUBJECT_TOPICS, read by the extractor)."""
    if topic not in SUBJECT_TOPICS:
        raise KeyError(f"unknown subject topic {topic!r}")
    return topic in c.topics


def claims(
    ctx: Ctx, kind: str | None = None, topic: str | None = None, unit: tuple[str, ...] | None = None
) -> Iterator[Claim]:
    """The claims of a kind, about ``topic``, in one of the units."""
    for c in ctx.report.claims:
        if kind and c.kind != kind:
            continue
        if topic and not about(c, topic):
            continue
        if unit and c.value.unit not in unit:
            continue
        yield c


def own(found: Iterator[Claim]) -> Iterator[Claim]:
    """The claims about the department itself: not one project's, not a combined or outside subject."""
    return (c for c in found if c.scope not in ("project", "combined", "external"))


def cq(c: Claim) -> Q:
    return q(c.value, f"文字：{c.subject} {c.value.printed}{c.value.unit if c.value.unit != '倍' else ''}")


def in_sentence(ctx: Ctx, c: Claim) -> list[Claim]:
    """The claims of c's sentence, in order."""
    groups = ctx.cache.get("sentences")
    if groups is None:
        groups = ctx.cache["sentences"] = {}
        for o in ctx.report.claims:
            groups.setdefault(o.sentence, []).append(o)
    return list(groups.get(c.sentence, []))


def position(ctx: Ctx, c: Claim) -> int:
    index = ctx.cache.get("claim_index")
    if index is None:
        index = ctx.cache["claim_index"] = {id(o): n for n, o in enumerate(ctx.report.claims)}
    return index[id(c)]


def before(
    ctx: Ctx,
    c: Claim,
    kind: str | None = None,
    unit: tuple[str, ...] | None = None,
    topic: str | None = None,
    limit: int = 8,
) -> Claim | None:
    """The nearest earlier claim (in reading order) matching the filters."""
    idx = position(ctx, c)
    for o in reversed(ctx.report.claims[max(0, idx - limit) : idx]):
        if kind and o.kind != kind:
            continue
        if unit and o.value.unit not in unit:
            continue
        if topic and not about(o, topic):
            continue
        return o
    return None


def statements(ctx: Ctx, role: str) -> dict[int, dict[str, Claim]]:
    """The statements the extractor linked that have a claim in ``role``: id → {role: claim}."""
    out: dict[int, dict[str, Claim]] = {}
    for c in ctx.report.claims:
        for statement in c.statements if c.role is not None else []:
            out.setdefault(statement, {})[c.role] = c  # type: ignore[index]
    return {k: v for k, v in out.items() if role in v}


def linked(ctx: Ctx, role: str) -> list[list[Claim]]:
    """The claims of each statement with a claim in ``role``, in reading order (a role may repeat: the
    grade counts of PERF-11, the kinds of vehicles of NAR-16)."""
    out: dict[int, list[Claim]] = {}
    for c in ctx.report.claims:
        for statement in c.statements:
            out.setdefault(statement, []).append(c)
    return [group for group in out.values() if any(c.role == role for c in group)]


# ---------------------------------------------------------------- table roles


def headline_total(ctx: Ctx) -> Q | None:
    t = ctx.report.tables
    if t.T01 is not None:
        return val(find_row(t.T01, "^总计$", side="income"), "amount", "收入支出决算总表 总计")
    if t.B01 is not None:
        return val(find_row(t.B01, "收入总计", side="income"), "amount", "部门收支总体情况表 收入总计")
    return None


def fiscal_total(ctx: Ctx) -> Q | None:
    t = ctx.report.tables
    if t.T04 is not None:
        return val(find_row(t.T04, "总计$", side="income"), "amount", "财政拨款收入支出决算总表 总计")
    if t.B04 is not None:
        return val(find_row(t.B04, "^收入合计|^收入总计"), "amount", "财政拨款收支总体情况表 收入合计")
    return None


def component(ctx: Ctx, c: Claim) -> list[Q]:
    """The table cells a narrative amount about a structure item may restate (NAR-02): the text does not
    always say whether it means all funds (T03) or fiscal appropriations (T05), so both are candidates."""
    t = ctx.report.tables
    detail = t.T06 is not None and t.T06.variant == "detail"
    pick = "basic" if detail else "amount"
    found: list[Q | None] = []
    if c.component == "personnel":
        found += [
            val(find_row(t.T06, "人员经费合计"), pick, "基本支出表 人员经费合计") if t.T06 else None,
            val(total_row(t.B06), "personnel", "一般公共预算基本支出表 人员经费"),
        ]
    elif c.component == "public":
        found += [
            val(find_row(t.T06, "公用经费合计"), pick, "基本支出表 公用经费合计") if t.T06 else None,
            val(total_row(t.B06), "public", "一般公共预算基本支出表 公用经费"),
        ]
    elif c.component == "basic":
        found += [
            val(total_row(t.T03), "basic", "支出决算表 基本支出"),
            val(total_row(t.T05), "basic", "T05 基本支出"),
            val(total_row(t.B03), "basic_total", "部门支出总体情况表 基本支出"),
        ]
    elif c.component == "project":
        found += [
            val(total_row(t.T03), "project", "支出决算表 项目支出"),
            val(total_row(t.T05), "project", "T05 项目支出"),
            val(total_row(t.B03), "project_total", "部门支出总体情况表 项目支出"),
        ]
    elif c.component == "fiscal_income":
        found.append(val(total_row(t.T02), "fiscal", "收入决算表 财政拨款收入"))
    elif c.component == "other_income":
        found.append(val(total_row(t.T02), "other", "收入决算表 其他收入"))
    return [f for f in found if f is not None]


def sangong(ctx: Ctx, half: str, field: str) -> Q | None:
    """A cell of the 三公 table: T07's 预算数 or 决算数 row, or B08's one row."""
    table = ctx.report.tables.T07 or ctx.report.tables.B08
    row = (
        next((r for r in rows(table) if r.label == half), None)
        if ctx.report.tables.T07
        else (rows(table)[0] if rows(table) else None)
    )
    return val(row, field, f"“三公”经费表 {half} {SANGONG_NAMES.get(field, field)}")


def sangong_claim(ctx: Ctx, c: Claim, half: str) -> Q | None:
    """The 三公 table value a claim restates: one item, or the sum of the items a combined subject
    names ("公务用车购置费及运行维护费合计" → 购置 + 运行, which the table prints as the 小计)."""
    if c.parts:
        return sangong(ctx, half, c.sangong_sum) if c.sangong_sum else None
    return sangong(ctx, half, c.sangong) if c.sangong else None
