"""A whole report: meta, the tables present, 绩效, and the numbers its narrative states."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, Field

from schemas import tables as t
from schemas.facts import Fact, Strict
from schemas.performance import ProjectTargets, SelfEvaluation, TargetTable, ThirdPartyScore

ClaimKind = Literal["amount", "share", "change", "change_rate", "rate", "count", "ratio", "points"]


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


class Tables(Strict):
    """The disclosure tables found, by logical id; absent tables are null."""

    T01: t.T01 | None = None
    T02: t.T02 | None = None
    T03: t.T03 | None = None
    T04: t.T04 | None = None
    T05: t.T05 | None = None
    T06: t.T06 | None = None
    T07: t.T07 | None = None
    T08: t.T08 | None = None
    T09: t.T09 | None = None
    T10: t.T10 | None = None
    B01: t.B01 | None = None
    B02: t.B02 | None = None
    B03: t.B03 | None = None
    B04: t.B04 | None = None
    B05: t.B05 | None = None
    B06: t.B06 | None = None
    B07: t.B07 | None = None
    B08: t.B08 | None = None
    B09: t.B09 | None = None
    B10: t.B10 | None = None
    B11: t.B11 | None = None

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


class TocEntry(Strict):
    title: str = Field(description="目录标题 / entry as printed in the 目录")
    page: int = Field(description="页码 / page where the 目录 lists it")


class Report(Strict):
    """Everything extracted from one report."""

    meta: Meta
    tables: Tables = Field(default_factory=Tables)
    performance: Performance = Field(default_factory=Performance)
    claims: list[Claim] = Field(default_factory=list, description="情况说明中的数字 / narrative claims")
    toc: list[TocEntry] = Field(default_factory=list, description="目录 / table of contents entries")
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
