"""Completeness: COMP-01 … COMP-12 (checker-rules.md §4), and the inventory of mandated tables."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from schemas import catalogue, vocabulary
from schemas.findings import InventoryItem, Operand
from schemas.report import Disclosed, Report
from service.check.arith import q
from service.check.base import Ctx, flat, is_empty, registry, rows

RULES, rule = registry()

FINAL_CORE = catalogue.inventory("决算", "mandated")
BUDGET_CORE = catalogue.inventory("预算", "mandated")
OPTIONAL = {**catalogue.inventory("决算", "optional"), **catalogue.inventory("预算", "optional")}


def disclosed(ctx: Ctx, key: str) -> Disclosed | None:  # the first, for a key the text holds once
    """The disclosure element the extractor found in the text under ``key`` (DISCLOSURE_KEYS), or None."""
    if key not in vocabulary.DISCLOSURE_KEYS:
        raise KeyError(f"unknown disclosure element {key!r}")
    return next((d for d in ctx.report.disclosed if d.key == key), None)


def _missing(ctx: Ctx, prefix: str, keys: dict[str, str]) -> list[str]:
    return [k for k in keys if disclosed(ctx, f"{prefix}:{k}") is None]


def _present(report: Report, table_id: str) -> BaseModel | None:
    if table_id == "B12":
        return report.performance.targets
    if table_id == "B13":
        return report.performance.project_targets
    return getattr(report.tables, table_id, None)


def _toc_ids(report: Report) -> dict[str, str]:
    """Table ids listed in the 目录, by the catalogue's title patterns."""
    found: dict[str, str] = {}
    for entry in report.toc:
        spec = catalogue.match_title(re.sub(r"^[一二三四五六七八九十]+、", "", entry.title))
        if spec is not None and spec.table_id != "--":
            found.setdefault(spec.table_id, entry.title)
    return found


def inventory(report: Report) -> list[InventoryItem]:
    mandated = FINAL_CORE if report.meta.kind == "决算" else BUDGET_CORE
    toc = _toc_ids(report) if report.toc else None
    items = []
    for table_id, name in {**mandated, **OPTIONAL}.items():
        table = _present(report, table_id)
        listed = toc is not None and table_id in toc
        if table is None and table_id in OPTIONAL and not listed:
            continue
        status: Literal["present", "empty_with_note", "empty_without_note", "missing"]
        if table is None:
            status = "missing"
        elif is_empty(table):
            status = "empty_with_note" if getattr(table, "empty_note", None) else "empty_without_note"
        else:
            status = "present"
        items.append(
            InventoryItem(
                table_id=table_id,
                name=name,
                status=status,
                title=getattr(table, "title", None) if table is not None else None,
                pages=list(getattr(table, "pages", [])) if table is not None else [],
                in_toc=None if toc is None else listed,
            )
        )
    return items


def _table_operand(report: Report, table_id: str, name: str, page: int | None = None) -> Operand:
    table = _present(report, table_id)
    pages = list(getattr(table, "pages", [])) if table is not None else []
    return Operand(
        label=f"{table_id} {name}",
        value=getattr(table, "title", "") or "",
        table_id=table_id,
        page=page or (pages[0] if pages else None),
    )


def _core(ctx: Ctx, mandated: dict[str, str], kind: str) -> None:
    if ctx.report.meta.kind != kind:
        return None
    missing = [f"{tid} {name}" for tid, name in mandated.items() if _present(ctx.report, tid) is None]
    if missing:
        toc_page = ctx.report.toc[0].page if ctx.report.toc else None
        ctx.fail(
            f"缺少必须公开的表：{'、'.join(missing)}",
            extra=[Operand(label="目录", value="；".join(missing), page=toc_page)],
        )
    else:
        ctx.ok(
            f"必须公开的 {len(mandated)} 张表都在",
            extra=[_table_operand(ctx.report, t, n) for t, n in mandated.items()],
        )


@rule("COMP-01", "error")
def comp_01(ctx: Ctx) -> None:
    """决算 core tables. Formula: T01–T09 are all present, matched by title, whatever their numbering. Presence."""
    _core(ctx, FINAL_CORE, "决算")


@rule("COMP-02", "error")
def comp_02(ctx: Ctx) -> None:
    """预算 core tables. Formula: B01–B06, B08 and B09 are present (B10 where mandated, B11–B13 where local rules
    require them). Presence."""
    _core(ctx, BUDGET_CORE, "预算")


@rule("COMP-03", "warning")
def comp_03(ctx: Ctx) -> None:
    """目录 against body. Formula: every table in the 目录 appears in the body and the reverse; titles match up to
    normalisation. Presence, warning."""
    if not ctx.report.toc:
        return ctx.skip("报告没有目录")
    toc = _toc_ids(ctx.report)
    page = ctx.report.toc[0].page
    absent = [f"{title}" for tid, title in toc.items() if _present(ctx.report, tid) is None]
    if absent:
        ctx.fail(
            f"目录列出但正文没有：{'、'.join(absent)}",
            extra=[Operand(label="目录", value="；".join(absent), page=page)],
        )
    for tid, title in toc.items():
        table = _present(ctx.report, tid)
        if table is None:
            continue
        body = re.sub(r"^\d{4}年", "", flat(getattr(table, "title", "")))
        listed = re.sub(r"^[一二三四五六七八九十]+、", "", flat(title))
        if body != listed and not body.endswith(listed) and not listed.endswith(body):
            ctx.fail(
                f"目录标题“{listed}”与正文标题“{body}”不一致",
                extra=[Operand(label="目录", value=listed, page=page), _table_operand(ctx.report, tid, body)],
            )
    unlisted = [
        f"{t.table_id} {t.title}"
        for t in ctx.report.tables.present()
        if t.table_id not in toc and t.table_id in {**FINAL_CORE, **BUDGET_CORE}
    ]
    if unlisted:
        ctx.fail(
            f"正文有但目录未列：{'、'.join(unlisted)}", extra=[Operand(label="目录", value="", page=page)]
        )
    elif not absent:
        ctx.ok("目录与正文的表一一对应", extra=[Operand(label="目录", value=str(len(toc)), page=page)])


@rule("COMP-04", "error")
def comp_04(ctx: Ctx) -> None:
    """Empty tables carry a 说明. Formula: a table with an empty or zero 合计 is printed *and* carries "本表无数据/没有…";
    a mandated fund/state-capital table that is not printed while the text says there is none fails. Presence."""
    for table in ctx.report.tables.present():
        if table.table_id not in ("T08", "T09", "B09", "B10") or not is_empty(table):
            continue
        note = table.empty_note
        if note is None:
            ctx.fail(
                f"{table.title} 为空表，但没有“本表无数据”之类的说明",
                extra=[_table_operand(ctx.report, table.table_id, table.title)],
            )
        elif any(d.key == "说明缺漏" and d.page in table.pages for d in ctx.report.disclosed):
            ctx.fail(
                f"{table.title} 的说明文字有缺漏：“{note}”",
                severity="warning",
                extra=[_table_operand(ctx.report, table.table_id, note)],
            )
        else:
            ctx.ok(f"{table.title} 为空表并附说明", extra=[_table_operand(ctx.report, table.table_id, note)])
    if ctx.report.meta.kind == "预算" and _present(ctx.report, "B09") is None:
        element = disclosed(ctx, "无政府性基金支出")
        said = element.page if element else None
        ctx.fail(
            "政府性基金预算支出情况表未公开" + ("（文字说明无基金支出，空表也应公开并注明）" if said else ""),
            extra=[Operand(label="文字", value="无政府性基金支出", page=said)] if said else [],
        )


@rule("COMP-05", "warning")
def comp_05(ctx: Ctx) -> None:
    """Table headers. Formula: each table shows 部门名称, 年度, 金额单位 and (决算) its 表号. Presence, warning."""
    for table in ctx.report.tables.present():
        lacks = []
        if not table.unit:
            lacks.append("金额单位")
        if ctx.report.meta.kind == "决算" and not table.number and table.table_id != "T10":
            lacks.append("表号")
        if lacks:
            ctx.fail(
                f"{table.title} 缺少表头项：{'、'.join(lacks)}",
                extra=[_table_operand(ctx.report, table.table_id, table.title)],
            )
        else:
            ctx.ok(f"{table.title} 表头齐全", extra=[_table_operand(ctx.report, table.table_id, table.title)])


@rule("COMP-06", "warning")
def comp_06(ctx: Ctx) -> None:
    """Required narrative sections (决算). Formula: the text has sections on 收支总体, 收入, 支出, 财政拨款收支总体,
    一般公共预算财政拨款支出, 基本支出, 三公, 基金, 国资, 机关运行经费, 政府采购, 国有资产占用, 预算绩效 and 名词解释.
    Presence, warning."""
    if ctx.report.meta.kind != "决算":
        return None
    missing = _missing(ctx, "section", vocabulary.TEXT_SECTIONS)
    if missing:
        ctx.fail(f"情况说明缺少：{'、'.join(missing)}")
    else:
        ctx.ok(f"情况说明的 {len(vocabulary.TEXT_SECTIONS)} 个必备部分都在")


@rule("COMP-07", "warning")
def comp_07(ctx: Ctx) -> None:
    """三公 detail (决算). Formula: the disclosure splits 购置费 and 运行费, gives 出国 团组 and 人次, 购置数 and 保有量,
    接待 批次/团组 and 人次, and the reasons for the 预决算 difference. Presence, warning."""
    if ctx.report.meta.kind != "决算":
        return None
    missing = _missing(ctx, "三公", vocabulary.SANGONG_DETAILS)
    if missing:
        ctx.fail(f"“三公”经费说明缺少：{'、'.join(missing)}")
    else:
        ctx.ok("“三公”经费说明要素齐全")


@rule("COMP-08", "warning")
def comp_08(ctx: Ctx) -> None:
    """Disclosure depth. Formula: T05/B05 go down to 项 (7-digit codes), T06/B06 to 经济分类款 (5-digit). Presence."""
    for tid, depth in (("T05", 7), ("B05", 7), ("T06", 5), ("B06", 5)):
        table = _present(ctx.report, tid)
        if table is None:
            continue
        deepest = max((len(r.code) for r in rows(table) if getattr(r, "code", None)), default=0)
        (ctx.ok if deepest >= depth else ctx.fail)(
            f"{tid} 公开到 {deepest} 位科目（应到 {depth} 位）",
            extra=[_table_operand(ctx.report, tid, str(deepest))],
        )


@rule("COMP-09", "warning")
def comp_09(ctx: Ctx) -> None:
    """政府采购 detail (决算). Formula: the text gives 总额, 货物/工程/服务, the amount and share granted to 中小企业, and
    小微. Presence, warning."""
    if ctx.report.meta.kind != "决算":
        return None
    missing = _missing(ctx, "采购", vocabulary.PROCUREMENT_DETAILS)
    element = disclosed(ctx, "政府采购")
    page = element.page if element else None
    if missing:
        ctx.fail(
            f"政府采购说明缺少：{'、'.join(missing)}", extra=[Operand(label="政府采购", value="", page=page)]
        )
    else:
        ctx.ok("政府采购说明要素齐全", extra=[Operand(label="政府采购", value="", page=page)])


@rule("COMP-10", "warning")
def comp_10(ctx: Ctx) -> None:
    """Entity naming. Formula: the tables' 部门 matches the cover entity after alias normalisation (解放区商务局 ≈
    焦作市解放区商务局). Warning."""
    department = ctx.report.meta.department
    if not department:
        return ctx.skip("没有识别出部门名称")
    if disclosed(ctx, "部门见封面"):
        ctx.ok(f"表头部门“{department}”与封面一致")
    else:
        ctx.fail(f"表头部门“{department}”在封面或概况中找不到")


@rule("COMP-11", "warning")
def comp_11(ctx: Ctx) -> None:
    """名词解释. Formula: the section exists and defines at least 三公, 机关运行经费, 基本支出 and 项目支出. Warning."""
    head = disclosed(ctx, "名词解释")
    if head is None:
        return ctx.fail("没有名词解释部分")
    missing = _missing(ctx, "名词解释", vocabulary.GLOSSARY_TERMS)
    operand = [Operand(label="名词解释", value="", page=head.page)]
    if missing:
        ctx.fail(f"名词解释没有：{'、'.join(missing)}", extra=operand)
    else:
        ctx.ok("名词解释覆盖三公、机关运行经费、基本支出、项目支出", extra=operand)


@rule("COMP-12", "warning")
def comp_12(ctx: Ctx) -> None:
    """Required cells filled. Formula: numeric cells are non-blank where their siblings are filled: the 分值/得分 of the
    预算执行 block, a PP 总分. Presence, warning."""
    for ev in ctx.report.performance.self_evaluations:
        line = next((b for b in ev.budget if "总额" in b.label), None)
        has_weights = any(i.weight is not None for i in ev.indicators)
        if line is not None and has_weights and (line.weight is None or line.score is None):
            ctx.fail(
                f"{ev.table_id} {ev.subject} 预算执行的分值、得分空白",
                extra=[Operand(label="预算执行", value="", page=line.page)],
            )
        if ev.total_score is not None and not ev.total_score.printed:
            ctx.fail(f"{ev.table_id} {ev.subject} 总分空白", [q(ev.total_score, "总分")])
