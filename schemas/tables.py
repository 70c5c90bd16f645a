"""The disclosure tables: 决算 T01–T10 and 预算 B01–B11 (their names and titles: schemas.catalogue).

Rows are keyed by function-classification code (类/款/项), economic code, or label. Every money
column is a :class:`~schemas.facts.Fact`; its ``zh`` term is the printed header it maps from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.facts import Fact, Strict, zh

Side = Literal["income", "expenditure"]
Level = Literal["total", "unit", "类", "款", "项"]


class TableBase(Strict):
    table_id: str = Field(description="表 / logical table id")
    title: str = Field(description="表名 / title as printed")
    number: str | None = Field(default=None, description="表号 / printed table number, e.g. 公开01表")
    unit: str = Field(description="金额单位 / money unit of the table (元, 万元)")
    pages: list[int] = Field(description="页码 / pages the table spans")
    empty_note: str | None = Field(
        default=None, description="说明 / 'this table has no data' note, if printed"
    )


class CodedRow(Strict):
    """A row keyed by a classification code (blank for 合计 rows)."""

    code: str | None = Field(
        default=None, description="科目编码 / classification code as printed, digits only"
    )
    label: str = Field(description="科目名称 / row name as printed")
    level: Level = Field(default="项", description="层级 / total, unit, 类 (3 digits), 款 (5), 项 (7)")
    page: int = Field(description="页码 / page of the row")


class SideRow(Strict):
    """A row of a two-sided (收入 | 支出) summary table, keyed by label."""

    side: Side = Field(description="收/支 / income or expenditure side")
    label: str = Field(description="项目 / row label as printed")
    line_no: str | None = Field(default=None, description="行次 / printed line number")
    page: int = Field(description="页码 / page of the row")


# ---------------------------------------------------------------- 决算 (final accounts)


class T01Row(SideRow):
    amount: Fact | None = zh("金额", "amount (决算数)", aliases=["决算数"])


class T01(TableBase):
    """收入支出决算总表 — income/expenditure summary."""

    table_id: Literal["T01"] = Field(default="T01", description="表 / logical table id")
    rows: list[T01Row] = Field(default_factory=list, description="行 / rows of both sides")


class T02Row(CodedRow):
    total: Fact | None = zh("本年收入合计", "total income of the year")
    fiscal: Fact | None = zh("财政拨款收入", "fiscal appropriation income")
    superior_subsidy: Fact | None = zh("上级补助收入", "subsidy from superior")
    business: Fact | None = zh("事业收入", "business income")
    operating: Fact | None = zh("经营收入", "operating income")
    affiliated: Fact | None = zh("附属单位上缴收入", "income turned over by affiliated units")
    other: Fact | None = zh("其他收入", "other income")


class T02(TableBase):
    """收入决算表 — income by function classification."""

    table_id: Literal["T02"] = Field(default="T02", description="表 / logical table id")
    rows: list[T02Row] = Field(default_factory=list, description="行 / rows")


class T03Row(CodedRow):
    total: Fact | None = zh("本年支出合计", "total expenditure of the year")
    basic: Fact | None = zh("基本支出", "basic expenditure")
    project: Fact | None = zh("项目支出", "project expenditure")
    to_superior: Fact | None = zh("上缴上级支出", "paid to superior")
    operating: Fact | None = zh("经营支出", "operating expenditure")
    to_affiliated: Fact | None = zh("对附属单位补助支出", "subsidy to affiliated units")


class T03(TableBase):
    """支出决算表 — expenditure by function classification."""

    table_id: Literal["T03"] = Field(default="T03", description="表 / logical table id")
    rows: list[T03Row] = Field(default_factory=list, description="行 / rows")


class T04Row(SideRow):
    amount: Fact | None = zh("金额", "amount (income side)")
    total: Fact | None = zh("合计", "total (expenditure side)")
    general: Fact | None = zh("一般公共预算财政拨款", "general public budget appropriation")
    fund: Fact | None = zh("政府性基金预算财政拨款", "government fund appropriation")
    state_capital: Fact | None = zh("国有资本经营预算财政拨款", "state capital operation appropriation")


class T04(TableBase):
    """财政拨款收入支出决算总表 — fiscal appropriation summary."""

    table_id: Literal["T04"] = Field(default="T04", description="表 / logical table id")
    rows: list[T04Row] = Field(default_factory=list, description="行 / rows of both sides")


class T05Row(CodedRow):
    total: Fact | None = zh("小计", "subtotal")
    basic: Fact | None = zh("基本支出", "basic expenditure")
    project: Fact | None = zh("项目支出", "project expenditure")


class T05(TableBase):
    """一般公共预算财政拨款支出决算表 — general public budget expenditure."""

    table_id: Literal["T05"] = Field(default="T05", description="表 / logical table id")
    rows: list[T05Row] = Field(default_factory=list, description="行 / rows")


class EconomicRow(Strict):
    """A row keyed by an economic-classification code (30101 …) or a 合计 label."""

    code: str | None = Field(default=None, description="经济分类科目编码 / economic code")
    label: str = Field(description="科目名称 / row name as printed")
    group: Literal["personnel", "public", "total"] = Field(description="人员经费/公用经费 / which block")
    page: int = Field(description="页码 / page of the row")


class T06Row(EconomicRow):
    amount: Fact | None = zh("决算数", "final amount (金额 in the 明细表 variant)")
    basic: Fact | None = zh("其中：基本支出", "of which basic expenditure (明细表 variant only)")


class T06(TableBase):
    """一般公共预算财政拨款基本支出决算表 (or …支出决算明细表) — basic expenditure by economic code."""

    table_id: Literal["T06"] = Field(default="T06", description="表 / logical table id")
    variant: Literal["basic", "detail"] = Field(
        default="basic", description="版式 / 基本支出表 or 明细表 variant"
    )
    rows: list[T06Row] = Field(
        default_factory=list, description="行 / rows, incl. 人员经费合计 and 公用经费合计"
    )


class SanGongRow(Strict):
    """One half (预算数 or 决算数) of a “三公” table."""

    label: str = Field(description="预算数/决算数 / budget or final half")
    page: int = Field(description="页码 / page")
    total: Fact | None = zh("合计", "三公 total")
    abroad: Fact | None = zh("因公出国（境）费", "official travel abroad")
    vehicle_subtotal: Fact | None = zh("公务用车购置及运行费小计", "official vehicles, subtotal")
    vehicle_purchase: Fact | None = zh("公务用车购置费", "vehicle purchase")
    vehicle_operation: Fact | None = zh("公务用车运行费", "vehicle operation and maintenance")
    reception: Fact | None = zh("公务接待费", "official reception")


class T07(TableBase):
    """“三公”经费支出决算表."""

    table_id: Literal["T07"] = Field(default="T07", description="表 / logical table id")
    rows: list[SanGongRow] = Field(default_factory=list, description="行 / 预算数 and 决算数")


class T08Row(CodedRow):
    opening: Fact | None = zh("年初结转和结余", "opening balance")
    income: Fact | None = zh("本年收入", "income of the year")
    total: Fact | None = zh("本年支出小计", "expenditure subtotal")
    basic: Fact | None = zh("基本支出", "basic expenditure")
    project: Fact | None = zh("项目支出", "project expenditure")
    closing: Fact | None = zh("年末结转和结余", "closing balance")


class T08(TableBase):
    """政府性基金预算财政拨款收入支出决算表."""

    table_id: Literal["T08"] = Field(default="T08", description="表 / logical table id")
    rows: list[T08Row] = Field(default_factory=list, description="行 / rows")


class T09Row(CodedRow):
    total: Fact | None = zh("合计", "total")
    basic: Fact | None = zh("基本支出", "basic expenditure")
    project: Fact | None = zh("项目支出", "project expenditure")


class T09(TableBase):
    """国有资本经营预算财政拨款(收入)支出决算表."""

    table_id: Literal["T09"] = Field(default="T09", description="表 / logical table id")
    rows: list[T09Row] = Field(default_factory=list, description="行 / rows")


class T10Row(Strict):
    section: str = Field(description="部分 / 政府采购, 机关运行经费 or 国有资产占用")
    label: str = Field(description="项目 / row label as printed")
    line_no: str | None = Field(default=None, description="行次 / printed line number")
    page: int = Field(description="页码 / page")
    amount: Fact | None = zh("金额", "amount or count (采购金额/统计数)")


class T10(TableBase):
    """部门决算公开相关信息统计表 (Shanxi)."""

    table_id: Literal["T10"] = Field(default="T10", description="表 / logical table id")
    rows: list[T10Row] = Field(default_factory=list, description="行 / rows")


# ---------------------------------------------------------------- 预算 (budgets)


class B01Row(SideRow):
    amount: Fact | None = zh("金额", "amount")


class B01(TableBase):
    """部门收支总体情况表."""

    table_id: Literal["B01"] = Field(default="B01", description="表 / logical table id")
    rows: list[B01Row] = Field(default_factory=list, description="行 / rows of both sides")


class B02Row(CodedRow):
    total: Fact | None = zh("合计", "total")
    general: Fact | None = zh("一般公共预算", "general public budget")
    fund: Fact | None = zh("政府性基金预算", "government fund budget")
    state_capital: Fact | None = zh("国有资本经营预算", "state capital operation budget")
    special_account: Fact | None = zh("财政专户管理资金", "special fiscal account funds")
    business: Fact | None = zh("事业收入", "business income")
    other: Fact | None = zh("其他收入", "other income")
    carried_over: Fact | None = zh("上年结转", "carried over from last year")


class B02(TableBase):
    """部门收入总体情况表."""

    table_id: Literal["B02"] = Field(default="B02", description="表 / logical table id")
    rows: list[B02Row] = Field(default_factory=list, description="行 / rows")


class BudgetExpenditureRow(CodedRow):
    unit_code: str | None = Field(default=None, description="单位代码 / budget unit code")
    total: Fact | None = zh("合计", "total")
    basic_total: Fact | None = zh("基本支出小计", "basic expenditure subtotal")
    wages: Fact | None = zh("工资福利支出", "wages and welfare")
    family_subsidy: Fact | None = zh("对个人和家庭的补助", "subsidies to individuals and families")
    goods_services: Fact | None = zh("商品和服务支出", "goods and services")
    capital: Fact | None = zh("资本性支出", "capital expenditure")
    project_total: Fact | None = zh("项目支出小计", "project expenditure subtotal")
    other_operation: Fact | None = zh("其他运转类", "other operating projects")
    specific_target: Fact | None = zh("特定目标类", "specific-target projects")


class B03(TableBase):
    """部门支出总体情况表."""

    table_id: Literal["B03"] = Field(default="B03", description="表 / logical table id")
    rows: list[BudgetExpenditureRow] = Field(default_factory=list, description="行 / rows")


class B04Row(SideRow):
    amount: Fact | None = zh("金额", "amount (income side)")
    total: Fact | None = zh("合计", "total (expenditure side)")
    general: Fact | None = zh("一般公共预算小计", "general public budget subtotal")
    general_fiscal: Fact | None = zh("其中：财政拨款", "of which fiscal appropriation")
    fund: Fact | None = zh("政府性基金", "government fund")
    state_capital: Fact | None = zh("国有资本经营预算", "state capital operation")


class B04(TableBase):
    """财政拨款收支总体情况表."""

    table_id: Literal["B04"] = Field(default="B04", description="表 / logical table id")
    rows: list[B04Row] = Field(default_factory=list, description="行 / rows of both sides")


class B05(TableBase):
    """一般公共预算支出情况表."""

    table_id: Literal["B05"] = Field(default="B05", description="表 / logical table id")
    rows: list[BudgetExpenditureRow] = Field(default_factory=list, description="行 / rows")


class B06Row(EconomicRow):
    gov_code: str | None = Field(
        default=None, description="政府预算支出经济分类科目编码 / government economic code"
    )
    gov_label: str | None = Field(default=None, description="政府预算支出经济分类科目名称 / its name")
    total: Fact | None = zh("合计", "total")
    personnel: Fact | None = zh("人员经费", "personnel expenses")
    public: Fact | None = zh("公用经费", "public (operating) expenses")


class B06(TableBase):
    """一般公共预算基本支出表."""

    table_id: Literal["B06"] = Field(default="B06", description="表 / logical table id")
    rows: list[B06Row] = Field(default_factory=list, description="行 / rows")


class B07Row(EconomicRow):
    total: Fact | None = zh("合计", "total")
    basic: Fact | None = zh("基本支出", "basic expenditure")
    project: Fact | None = zh("项目支出", "project expenditure")


class B07(TableBase):
    """支出经济分类汇总表."""

    table_id: Literal["B07"] = Field(default="B07", description="表 / logical table id")
    rows: list[B07Row] = Field(default_factory=list, description="行 / rows")


class B08(TableBase):
    """一般公共预算“三公”经费支出情况表."""

    table_id: Literal["B08"] = Field(default="B08", description="表 / logical table id")
    rows: list[SanGongRow] = Field(default_factory=list, description="行 / the budget row")


class B09Row(CodedRow):
    total: Fact | None = zh("合计", "total")
    basic: Fact | None = zh("基本支出", "basic expenditure")
    project: Fact | None = zh("项目支出", "project expenditure")


class B09(TableBase):
    """政府性基金预算支出情况表."""

    table_id: Literal["B09"] = Field(default="B09", description="表 / logical table id")
    rows: list[B09Row] = Field(default_factory=list, description="行 / rows")


class B10(TableBase):
    """国有资本经营预算支出情况表."""

    table_id: Literal["B10"] = Field(default="B10", description="表 / logical table id")
    rows: list[B09Row] = Field(default_factory=list, description="行 / rows")


class B11Row(Strict):
    kind: str | None = Field(default=None, description="类型 / project type (其他运转类, 特定目标类)")
    code: str | None = Field(default=None, description="编码 / unit code on subtotal rows")
    label: str = Field(description="项目名称 / project (or unit) name as printed")
    unit_name: str | None = Field(default=None, description="项目单位 / implementing unit")
    level: Literal["total", "unit", "project"] = Field(description="层级 / total, unit subtotal or project")
    page: int = Field(description="页码 / page")
    total: Fact | None = zh("合计", "total")
    general: Fact | None = zh("本年拨款一般公共预算", "appropriation: general public budget")
    fund: Fact | None = zh("本年拨款政府性基金预算", "appropriation: government fund")
    state_capital: Fact | None = zh("本年拨款国有资本经营预算", "appropriation: state capital")
    carry_general: Fact | None = zh("财政拨款结转结余一般公共预算", "carry-over: general public budget")
    carry_fund: Fact | None = zh("财政拨款结转结余政府性基金预算", "carry-over: government fund")
    carry_state_capital: Fact | None = zh("财政拨款结转结余国有资本经营预算", "carry-over: state capital")
    special_account: Fact | None = zh("财政专户管理资金", "special fiscal account funds")
    unit_funds: Fact | None = zh("单位资金", "unit's own funds")


class B11(TableBase):
    """项目支出表."""

    table_id: Literal["B11"] = Field(default="B11", description="表 / logical table id")
    rows: list[B11Row] = Field(default_factory=list, description="行 / rows")
