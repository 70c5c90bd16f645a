"""The table catalogue: every disclosure table once (checker-rules.md §0.1).

Each entry names a table (its id and catalogue name), the printed titles it is found by, the
parser family that reads it, the schema model it fills, the report it belongs to (决算 / 预算 /
绩效) and whether the completeness inventory requires it. Locating, extraction, completeness, the
LLM path, the batch outputs and the answers all read this list; a new template is a new entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from schemas import performance as P
from schemas import tables as T

Inventory = Literal["mandated", "optional"]


@dataclass(frozen=True)
class TableEntry:
    table_id: str
    name: str  # the catalogue name; printed titles vary around it
    title: re.Pattern[str]  # matched against the title with all whitespace removed
    kind: str  # the parser family: coded, sided, economic, sangong, t10, b06, … pe, pp, pt
    report: Literal["决算", "预算", "绩效"]
    model: type[BaseModel] | None = None  # the schema model a parse fills (None: not extracted)
    inventory: Inventory | None = None  # listed by the completeness inventory when set
    slug: str | None = None  # the batch job's tidy table name: t07_sangong


def _entry(
    table_id: str,
    name: str,
    title: str,
    kind: str,
    report: Literal["决算", "预算", "绩效"],
    model: type[BaseModel] | None,
    inventory: Inventory | None = None,
    slug: str | None = None,
) -> TableEntry:
    return TableEntry(table_id, name, re.compile(title), kind, report, model, inventory, slug)


# Order matters: the first title pattern that matches wins (T04 before T01, T06 before T05;
# the plain 收入/支出决算表 last, and not after 拨款 / 项目 / 基本, the names of other tables).
# fmt: off
ENTRIES: tuple[TableEntry, ...] = (
    _entry("T04", "财政拨款收入支出决算总表", r"财政拨款收入支出决算总表$", "sided", "决算", T.T04, "mandated", "fiscal_summary"),
    _entry("T01", "收入支出决算总表", r"收入支出决算总表$", "sided", "决算", T.T01, "mandated", "income_expenditure"),
    _entry("T08", "政府性基金预算财政拨款收入支出决算表", r"政府性基金预算财政拨款收入支出决算表$", "coded", "决算", T.T08, "mandated", "fund"),
    _entry("T09", "国有资本经营预算财政拨款支出决算表", r"国有资本经营预算财政拨款(收入)?支出决算表$", "coded", "决算", T.T09, "mandated", "state_capital"),
    _entry("T06", "一般公共预算财政拨款基本支出决算表", r"一般公共预算财政拨款(基本支出决算(明细)?|支出决算明细)表$", "economic", "决算", T.T06, "mandated", "basic_expenditure"),
    _entry("T05", "一般公共预算财政拨款支出决算表", r"一般公共预算财政拨款支出决算表$", "coded", "决算", T.T05, "mandated", "general_expenditure"),
    _entry("T07", "“三公”经费支出决算表", r"三公”?经费支出决算表$", "sangong", "决算", T.T07, "mandated", "sangong"),
    _entry("T02", "收入决算表", r"(?<!款)(?<!目)收入决算表$", "coded", "决算", T.T02, "mandated", "income"),
    _entry("T03", "支出决算表", r"(?<!款)(?<!目)(?<!基本)支出决算表$", "coded", "决算", T.T03, "mandated", "expenditure"),
    _entry("T10", "部门决算公开相关信息统计表", r"部门决算公开相关信息统计表$", "t10", "决算", T.T10, "optional", "info"),
    _entry("B01", "部门收支总体情况表", r"部门收支总体情况表$", "sided", "预算", T.B01, "mandated", "summary"),
    _entry("B02", "部门收入总体情况表", r"部门收入总体情况表$", "coded", "预算", T.B02, "mandated", "income"),
    _entry("B03", "部门支出总体情况表", r"部门支出总体情况表$", "coded", "预算", T.B03, "mandated", "expenditure"),
    _entry("B04", "财政拨款收支总体情况表", r"财政拨款收支总体情况表$", "sided", "预算", T.B04, "mandated", "fiscal_summary"),
    _entry("B05", "一般公共预算支出情况表", r"一般公共预算支出情况表$", "coded", "预算", T.B05, "mandated", "general_expenditure"),
    _entry("B06", "一般公共预算基本支出表", r"一般公共预算基本支出表$", "b06", "预算", T.B06, "mandated", "basic_expenditure"),
    _entry("B07", "支出经济分类汇总表", r"支出经济分类汇总表$", "b07", "预算", T.B07, "optional", "economic"),
    _entry("B08", "一般公共预算“三公”经费支出情况表", r"三公”?经费支出情况表$", "sangong", "预算", T.B08, "mandated", "sangong"),
    _entry("B09", "政府性基金预算支出情况表", r"政府性基金预算支出情况表$", "coded", "预算", T.B09, "mandated", "fund"),
    _entry("B10", "国有资本经营预算支出情况表", r"国有资本经营预算支出情况表$", "coded", "预算", T.B10, "optional", "state_capital"),
    _entry("B11", "项目支出表", r"项目支出表$", "b11", "预算", T.B11, "optional", "projects"),
    _entry("B12", "整体绩效目标表", r"整体绩效目标表$", "b12", "绩效", P.TargetTable),
    _entry("B13", "项目绩效目标汇总表", r"项目绩效目标汇总表$", "b13", "绩效", P.ProjectTargets),
    _entry("PE", "部门整体绩效自评表", r"(整体(支出)?绩效自评表|部门整体自评表)$", "pe", "绩效", P.SelfEvaluation),
    _entry("PP", "项目支出绩效自评表", r"项目支出绩效自评表$", "pp", "绩效", P.SelfEvaluation),
    _entry("PT", "第三方评价得分表", r"第三方评价得分表$", "pt", "绩效", P.ThirdPartyScore),
    # known forms that are not extracted: recognised so that their pages end the table before
    _entry("--", "其他绩效材料", r"(项目单位自评汇总表|绩效评价报告|自评汇总表)$", "other", "绩效", None),
)
# fmt: on

BY_ID: dict[str, TableEntry] = {e.table_id: e for e in ENTRIES}
TABLE_NAMES: dict[str, str] = {e.table_id: e.name for e in ENTRIES if e.table_id != "--"}
SANGONG = tuple(e.table_id for e in ENTRIES if e.kind == "sangong")  # the “三公” tables (T07, B08)


def match_title(text: str) -> TableEntry | None:
    """The catalogue entry a printed title names (None: not a table title)."""
    flat = re.sub(r"\s+", "", text)
    if not 4 <= len(flat) <= 45 or flat.startswith(("注", "说明")):
        return None
    return next((entry for entry in ENTRIES if entry.title.search(flat)), None)


def inventory(report: Literal["决算", "预算"], which: Inventory) -> dict[str, str]:
    """Table id → name of the tables a report of this kind must (or may) print, in catalogue order."""
    chosen = [e for e in ENTRIES if e.report == report and e.inventory == which]
    return {e.table_id: e.name for e in sorted(chosen, key=lambda e: e.table_id)}


def row_model(table_id: str) -> type[BaseModel]:
    """The row model of a schema table (``rows: list[T07Row]`` → SanGongRow)."""
    model = BY_ID[table_id].model
    assert model is not None and "rows" in model.model_fields, table_id
    annotation = model.model_fields["rows"].annotation
    row: type[BaseModel] = annotation.__args__[0]  # type: ignore[union-attr]
    return row
