"""A whole report: meta, the tables present, 绩效, and the numbers its narrative states."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, Field

from schemas import tables as t
from schemas.facts import Fact, Strict
from schemas.performance import ProjectTargets, SelfEvaluation, TargetTable, ThirdPartyScore

ClaimKind = Literal["amount", "share", "change", "change_rate", "rate", "count", "ratio", "points"]
ClaimScope = Literal["department", "item", "project", "combined", "external"]
# words of a claim's sentence that qualify its numbers (see service.extract.claims.MARKS)
Mark = Literal[
    "三公",
    "年初未安排",
    "未执行",
    "年中追加",
    "其中",
    "分别",
    "全部项目",
    "部分",
    "亿元",
    "总额为零",
    "中小企业",
]
# the structure items a narrative amount may restate (schemas.vocabulary.STRUCTURE_ITEMS)
Component = Literal["personnel", "public", "basic", "project", "fiscal_income", "other_income"]
# the whole a share names after 占 ("占本年支出合计的" → 本年支出合计); 政府采购 covers its 中小企业/小微企业 shares
Whole = Literal["三公", "本年支出合计", "本年收入合计", "项目支出总额", "政府采购", "其他"]
SangongField = Literal[
    "total", "abroad", "vehicle_subtotal", "vehicle_purchase", "vehicle_operation", "reception"
]
Role = Literal[
    "年初预算",
    "支出决算",
    "完成率",
    "增幅",
    "参照",
    "百分点差",
    "得分",
    "自评总数",
    "等级个数",
    "预算资金",
    "支出",
    "结余",
    "车辆总数",
    "车辆分项",
]


class LLMRun(Strict):
    """What the LLM path did for one document."""

    mode: Literal["auto", "always"] = Field(description="模式 / --llm mode")
    model: str = Field(description="模型 / chat model name")
    requests: int = Field(default=0, description="请求数 / requests sent")
    cached: int = Field(default=0, description="缓存命中 / answers read from the cache")
    input_tokens: int = Field(default=0, description="输入 token / prompt tokens, from the API responses")
    output_tokens: int = Field(default=0, description="输出 token / completion tokens")
    tables: list[str] = Field(default_factory=list, description="表 / tables the LLM extracted")
    rejected: list[str] = Field(default_factory=list, description="未落地 / values not found on their page")
    notes: list[str] = Field(default_factory=list, description="说明 / retries, budget, unverified tables")


class Meta(Strict):
    doc_id: str = Field(description="文档编号 / document id (content hash)")
    file_name: str = Field(description="文件名 / file name")
    department: str | None = Field(default=None, description="部门 / department as printed")
    year: int | None = Field(default=None, description="年度 / report year")
    kind: Literal["预算", "决算"] | None = Field(default=None, description="类型 / budget or final account")
    unit: str | None = Field(default=None, description="金额单位 / main money unit of the tables")
    page_count: int = Field(description="页数 / number of pages")
    rounding_note: str | None = Field(
        default=None, description="尾数误差说明 / the report's rounding note, if any"
    )
    llm: LLMRun | None = Field(default=None, description="LLM / what the LLM path did (absent offline)")
    warnings: list[str] = Field(
        default_factory=list,
        description="读取警告 / damage found while reading the file (results may be incomplete)",
    )


class Tables(Strict):
    """The disclosure tables found, by logical id; absent tables are null."""

    T01: t.T01 | None = Field(default=None, description="收入支出决算总表 / table T01")
    T02: t.T02 | None = Field(default=None, description="收入决算表 / table T02")
    T03: t.T03 | None = Field(default=None, description="支出决算表 / table T03")
    T04: t.T04 | None = Field(default=None, description="财政拨款收入支出决算总表 / table T04")
    T05: t.T05 | None = Field(default=None, description="一般公共预算财政拨款支出决算表 / table T05")
    T06: t.T06 | None = Field(
        default=None, description="一般公共预算财政拨款基本支出决算(明细)表 / table T06"
    )
    T07: t.T07 | None = Field(default=None, description="“三公”经费支出决算表 / table T07")
    T08: t.T08 | None = Field(default=None, description="政府性基金预算财政拨款收入支出决算表 / table T08")
    T09: t.T09 | None = Field(default=None, description="国有资本经营预算财政拨款支出决算表 / table T09")
    T10: t.T10 | None = Field(default=None, description="部门决算公开相关信息统计表 / table T10")
    B01: t.B01 | None = Field(default=None, description="部门收支总体情况表 / table B01")
    B02: t.B02 | None = Field(default=None, description="部门收入总体情况表 / table B02")
    B03: t.B03 | None = Field(default=None, description="部门支出总体情况表 / table B03")
    B04: t.B04 | None = Field(default=None, description="财政拨款收支总体情况表 / table B04")
    B05: t.B05 | None = Field(default=None, description="一般公共预算支出情况表 / table B05")
    B06: t.B06 | None = Field(default=None, description="一般公共预算基本支出表 / table B06")
    B07: t.B07 | None = Field(default=None, description="支出经济分类汇总表 / table B07")
    B08: t.B08 | None = Field(default=None, description="一般公共预算“三公”经费支出情况表 / table B08")
    B09: t.B09 | None = Field(default=None, description="政府性基金预算支出情况表 / table B09")
    B10: t.B10 | None = Field(default=None, description="国有资本经营预算支出情况表 / table B10")
    B11: t.B11 | None = Field(default=None, description="项目支出表 / table B11")

    def present(self) -> Iterator[t.TableBase]:
        for name in type(self).model_fields:
            table = getattr(self, name)
            if table is not None:
                yield table


class Performance(Strict):
    self_evaluations: list[SelfEvaluation] = Field(default_factory=list, description="绩效自评表 / PE and PP")
    third_party: list[ThirdPartyScore] = Field(default_factory=list, description="第三方评价得分表 / PT")
    targets: TargetTable | None = Field(default=None, description="整体绩效目标表 / B12")
    project_targets: ProjectTargets | None = Field(default=None, description="项目绩效目标汇总表 / B13")


class Claim(Strict):
    """A number stated in the 情况说明 prose, with its subject."""

    kind: ClaimKind = Field(
        description="类型 / amount, share (占%), change (增减额), change_rate (增减%), rate …"
    )
    subject: str = Field(
        description="主语 / what the number is about, as printed (e.g. 一般公共服务(类)支出)"
    )
    value: Fact = Field(description="数值 / the number with its unit and text span")
    direction: Literal["增加", "减少", "持平"] | None = Field(default=None, description="方向 / for changes")
    section: str | None = Field(default=None, description="章节 / section path of the sentence")
    qualifier: str | None = Field(default=None, description="限定 / 约/近/超/以上 … (a bound, not a value)")
    clause: str | None = Field(default=None, description="分句 / the clause the number was read from")
    scope: ClaimScope | None = Field(
        default=None,
        description="范围 / department (a whole of the report), item (a 类/款/项, 三公 item, component), "
        "project (one named project or activity), combined (A及B合计), external (the economy, a policy)",
    )
    parts: list[str] = Field(
        default_factory=list, description="合并项 / the items a combined subject names (A及B合计 → [A, B])"
    )
    base: str | None = Field(
        default=None, description="基数 / for a share, the whole as stated (占X的 → X); null when unstated"
    )
    whole: Whole | None = Field(
        default=None, description="基数类别 / what the base names (本年支出合计, 三公, 政府采购, 其他 …)"
    )
    change_subject: str | None = Field(
        default=None,
        description='增减主语 / for a change, the subject it names of its own ("支出增加" → 支出; none for 较上年增加)',
    )
    ambiguity: str | None = Field(
        default=None,
        description="歧义 / why the subject is not certain (two subjects, a project name, a quoted title …)",
    )
    listed: list[str] = Field(
        default_factory=list, description="列举 / the items named after the number (…，主要包括：A、B、C)"
    )
    statements: list[int] = Field(
        default_factory=list,
        description="陈述 / ids of the statements the claim belongs to (年初预算 X，支出决算 Y，完成 Z%; "
        "增长 a%，高于X（r%）N个百分点 — one growth may serve several)",
    )
    role: Role | None = Field(default=None, description="角色 / what the number is within its statement")
    grade: Literal["优", "良", "中", "差"] | None = Field(
        default=None, description="等级 / for a 得分 or 等级个数, the grade the sentence gives it"
    )
    item: str | None = Field(
        default=None, description="科目 / the 类/款/项 (or item) the statement is about, as printed"
    )
    item_path: list[str] = Field(
        default_factory=list, description="科目层级 / 类, 款, 项 names read from the (类)(款)(项) markers"
    )
    item_code: str | None = Field(
        default=None, description="科目编码 / the 类 code the statement's item names (卫生健康支出 → 210)"
    )
    topics: list[str] = Field(
        default_factory=list,
        description="话题 / the subject topics the claim is about (schemas.vocabulary.SUBJECT_TOPICS: 收支总计 …)",
    )
    sentence: int = Field(
        default=0, description="句 / ordinal of the sentence in the document (same = same sentence)"
    )
    marks: list[Mark] = Field(
        default_factory=list,
        description="句中标记 / words of the sentence that qualify its numbers (三公, 未执行, 其中, 分别 …)",
    )
    component: Component | None = Field(
        default=None, description="结构项 / the structure item the subject names (基本支出 → basic …)"
    )
    class_code: str | None = Field(
        default=None, description="类编码 / the 类 code the clause names (一般公共服务支出 → 201)"
    )
    sangong_item: SangongField | None = Field(
        default=None,
        description="三公项 / the “三公” item a number of a 三公 sentence is about (total when none is named)",
    )
    sangong: SangongField | None = Field(
        default=None,
        description="三公单元格 / the “三公” table cell the amount restates; null when it restates none",
    )
    sangong_sum: SangongField | None = Field(
        default=None, description="三公合计 / for a combined 三公 subject, the cell its items add up to"
    )
    sangong_half: Literal["预算数", "决算数"] | None = Field(
        default=None, description="三公半表 / the 预算数 or 决算数 half the words of the claim name"
    )


class HeadingYear(Strict):
    """A year printed in a part title or a scope sentence ("第二部分 2023年度部门决算表")."""

    page: int = Field(description="页码 / page")
    phrase: str = Field(description="原文 / the title or sentence as printed")
    year: int = Field(description="年度 / the year it prints")


class Disclosed(Strict):
    """A disclosure element the text contains (schemas.vocabulary.DISCLOSURE_KEYS), and where."""

    key: str = Field(description="要素 / e.g. section:三公, 三公:保有量, 名词解释:基本支出")
    page: int | None = Field(default=None, description="页码 / the page, where one page holds it")


class ParseNote(Strict):
    """A cell the extractor had to repair (UNIT-12) or could not read as a number (UNIT-11)."""

    kind: Literal["repair", "unparsed", "unplaced"] = Field(
        description="类型 / repaired, unparsed (a cell that is not a number), or unplaced (cells left out "
        "where the reader could not tell the columns apart)"
    )
    table_id: str = Field(description="表 / logical table id")
    page: int = Field(description="页码 / page")
    text: str = Field(description="原文 / the text as printed, and what was done")


class TocEntry(Strict):
    title: str = Field(description="目录标题 / entry as printed in the 目录")
    page: int = Field(description="页码 / page where the 目录 lists it")


class Report(Strict):
    """Everything extracted from one report."""

    meta: Meta = Field(description="报告信息 / department, year, kind, unit, document id")
    tables: Tables = Field(default_factory=Tables, description="报表 / the disclosure tables found")
    performance: Performance = Field(default_factory=Performance, description="绩效 / performance tables")
    claims: list[Claim] = Field(default_factory=list, description="情况说明中的数字 / narrative claims")
    toc: list[TocEntry] = Field(default_factory=list, description="目录 / table of contents entries")
    disclosed: list[Disclosed] = Field(
        default_factory=list, description="披露要素 / the disclosure elements the text contains (COMP rules)"
    )
    heading_years: list[HeadingYear] = Field(
        default_factory=list, description="标题年度 / years printed in part titles and scope sentences"
    )
    parse_notes: list[ParseNote] = Field(
        default_factory=list, description="解析说明 / repaired or unreadable cells"
    )
    text_pages: dict[int, str] = Field(
        default_factory=dict, description="页面文字 / page text, for completeness and narrative checks"
    )


def iter_facts(model: BaseModel) -> Iterator[tuple[BaseModel, str, Fact]]:
    """Every Fact inside a model, with the model that holds it and the field name."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Fact):
            yield model, name, value
        elif isinstance(value, BaseModel):
            yield from iter_facts(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Fact):
                    yield model, name, item
                elif isinstance(item, BaseModel):
                    yield from iter_facts(item)
