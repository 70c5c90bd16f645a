"""绩效 tables: self-evaluations (部门整体绩效自评表 PE, 项目支出绩效自评表 PP), third-party score
tables (PT), and budget-stage targets (整体绩效目标表 B12, 项目绩效目标汇总表 B13)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.facts import Fact, Strict, zh


class Indicator(Strict):
    """One 三级指标 row."""

    level1: str | None = Field(default=None, description="一级指标 / first-level indicator, as printed")
    level2: str | None = Field(default=None, description="二级指标 / second-level indicator")
    code: str | None = Field(default=None, description="指标编号 / printed number such as 指标1 or 任务3")
    level3: str = Field(description="三级指标 / indicator name as printed")
    target: str | None = Field(default=None, description="指标值 / target as printed (≥95%, 相关 …)")
    target_note: str | None = Field(default=None, description="指标说明 / explanation of the target")
    actual: str | None = Field(default=None, description="实际完成值 / actual value as printed")
    weight: Fact | None = zh("分值", "points")
    score: Fact | None = zh("得分", "score")
    deviation: str | None = Field(default=None, description="偏差度 / printed deviation")
    reason: str | None = Field(default=None, description="偏差原因/未完成原因 / reason for a shortfall")
    page: int = Field(description="页码 / page of the row")
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="表头 / the column header printed over each text value (target → 年度指标值 …)",
    )


class Level1Score(Strict):
    """Points and score of a 一级指标 block ("产出指标(50分)" … 自评得分)."""

    level1: str = Field(description="一级指标 / block name as printed")
    points: Fact | None = zh("分值", "points stated in the heading, e.g. (30分)")
    score: Fact | None = zh("得分", "score of the block, when printed for the block")


class BudgetLine(Strict):
    """A row of the 预算执行 block (部门预算总额, 资金来源 …)."""

    label: str = Field(description="项目 / row label as printed")
    page: int = Field(description="页码 / page")
    initial: Fact | None = zh("年初预算数", "initial budget", aliases=["年初数", "项目预算金额", "年初预算"])
    full_year: Fact | None = zh(
        "全年预算数", "full-year (adjusted) budget", aliases=["全年数", "实际到位金额"]
    )
    executed: Fact | None = zh("全年执行数", "executed amount", aliases=["实际执行金额"])
    weight: Fact | None = zh("分值", "points")
    rate: Fact | None = zh("执行率", "execution rate", aliases=["预算执行率"])
    score: Fact | None = zh("得分", "score")


class SelfEvaluation(Strict):
    """部门整体绩效自评表 (PE) or 项目支出绩效自评表 (PP)."""

    table_id: Literal["PE", "PP"] = Field(description="表 / PE department-wide or PP project")
    title: str = Field(description="表名 / title as printed")
    subject: str = Field(description="部门或项目 / department or project the table belongs to")
    unit: str = Field(default="万元", description="金额单位 / money unit of the budget block")
    pages: list[int] = Field(description="页码 / pages")
    budget: list[BudgetLine] = Field(default_factory=list, description="预算执行 / budget execution block")
    indicators: list[Indicator] = Field(default_factory=list, description="绩效指标 / indicators")
    level1_scores: list[Level1Score] = Field(default_factory=list, description="一级指标分值 / block points")
    total_score: Fact | None = zh("总分", "total score")


class ThirdPartyScore(Strict):
    """第三方评价得分表 (PT): 一级指标 with 权重/得分/得分率."""

    table_id: Literal["PT"] = Field(default="PT", description="表 / logical table id")
    subject: str = Field(description="项目 / evaluated project")
    pages: list[int] = Field(description="页码 / pages")
    level1: list[str] = Field(description="一级指标 / indicator names in order (总分 last)")
    weights: list[Fact] = Field(description="权重 / weights, same order")
    scores: list[Fact] = Field(description="得分 / scores, same order")
    rates: list[Fact] = Field(description="得分率 / score rates, same order")


class TargetTable(Strict):
    """部门(单位)整体绩效目标表 (B12)."""

    table_id: Literal["B12"] = Field(default="B12", description="表 / logical table id")
    title: str = Field(description="表名 / title as printed")
    subject: str = Field(description="部门 / department")
    unit: str = Field(default="万元", description="金额单位 / unit of the budget block")
    pages: list[int] = Field(description="页码 / pages")
    budget: list[BudgetLine] = Field(
        default_factory=list, description="预算情况 / budget block (initial = amount)"
    )
    indicators: list[Indicator] = Field(default_factory=list, description="绩效指标 / indicators with 指标值")


class ProjectTarget(Strict):
    """One project (or unit subtotal) of the 项目绩效目标汇总表 (B13)."""

    code: str = Field(description="单位编码（项目编码）/ unit or project code")
    label: str = Field(description="项目单位（项目名称）/ unit or project name as printed")
    level: Literal["total", "unit", "project"] = Field(description="层级 / department total, unit or project")
    page: int = Field(description="页码 / page")
    total: Fact | None = zh("资金总额", "total funds")
    government: Fact | None = zh("政府预算资金", "government budget funds")
    special_account: Fact | None = zh("财政专户管理资金", "special fiscal account funds")
    unit_funds: Fact | None = zh("单位资金", "unit's own funds")
    indicators: list[Indicator] = Field(
        default_factory=list, description="绩效目标 / 成本/产出/效益/满意度 targets"
    )


class ProjectTargets(Strict):
    """部门预算项目绩效目标汇总表 (B13)."""

    table_id: Literal["B13"] = Field(default="B13", description="表 / logical table id")
    title: str = Field(description="表名 / title as printed")
    unit: str = Field(default="万元", description="金额单位 / money unit")
    pages: list[int] = Field(description="页码 / pages")
    projects: list[ProjectTarget] = Field(default_factory=list, description="项目 / rows")
