"""What the checker returns: findings that point at the page and cell, and the completeness inventory."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.facts import Strict

Outcome = Literal["PASS", "PASS_RESIDUE", "FAIL", "SKIP"]
Severity = Literal["error", "warning", "info"]
Diagnosis = Literal["TRUNCATED", "DOUBLE_ROUNDED", "PLUG_100", "UNIT_SCALE", "SIGN"]
Group = Literal["INTRA", "PERF", "XT", "NAR", "COMP", "UNIT"]
Certainty = Literal["definite", "unverifiable"]


class Operand(Strict):
    """One number a rule used, with where it is printed."""

    label: str = Field(description="名称 / what the number is (table, row, column or text subject)")
    value: str = Field(description="数值 / as printed ('' for a blank cell)")
    unit: str | None = Field(default=None, description="单位 / unit")
    page: int | None = Field(default=None, description="页码 / page")
    bbox: tuple[float, float, float, float] | None = Field(default=None, description="位置 / box on the page")
    table_id: str | None = Field(default=None, description="表 / table id, NAR for prose")
    text_span: str | None = Field(default=None, description="原文 / sentence, for numbers stated in prose")


class Finding(Strict):
    """One evaluation of one rule."""

    id: str = Field(default="", description="编号 / finding id within the check run, e.g. F0012")
    rule_id: str = Field(description="规则 / rule id, e.g. INTRA-07")
    severity: Severity = Field(description="级别 / error or warning for a FAIL; info for residues and skips")
    outcome: Outcome = Field(description="结果 / PASS, PASS_RESIDUE, FAIL or SKIP")
    diagnosis: Diagnosis | None = Field(
        default=None, description="诊断 / TRUNCATED, DOUBLE_ROUNDED, PLUG_100 …"
    )
    message: str = Field(description="说明 / one line a reviewer understands")
    expected: str | None = Field(default=None, description="应为 / the recomputed value")
    actual: str | None = Field(default=None, description="实为 / the printed value")
    delta: str | None = Field(default=None, description="差额 / actual − expected")
    tolerance: str | None = Field(default=None, description="容差 / the interval tolerance used")
    pages: list[int] = Field(default_factory=list, description="页码 / pages of the operands")
    operands: list[Operand] = Field(default_factory=list, description="数据 / every operand with its place")
    note: str | None = Field(default=None, description="附注 / e.g. the report's 尾数误差 note")
    certainty: Certainty = Field(
        default="definite",
        description="确定性 / definite: the operands' identities are certain (every error is); "
        "unverifiable: the extraction or the claim's subject is ambiguous (a warning at most, or a SKIP)",
    )
    root: str | None = Field(
        default=None,
        description="根因 / id of the finding this one is a consequence of (the same wrong cell), or null",
    )
    consequences: list[str] = Field(
        default_factory=list, description="连带 / ids of the findings caused by the same wrong cell"
    )


class InventoryItem(Strict):
    """A mandated table: present, present but empty (with or without a 说明), or missing."""

    table_id: str = Field(description="表 / logical table id")
    name: str = Field(description="表名 / the catalogue name")
    status: Literal["present", "empty_with_note", "empty_without_note", "missing"] = Field(description="状态")
    title: str | None = Field(default=None, description="标题 / title as printed in the body")
    pages: list[int] = Field(default_factory=list, description="页码 / pages in the body")
    in_toc: bool | None = Field(
        default=None, description="目录 / listed in the 目录 (None when there is no 目录)"
    )


class CheckResult(Strict):
    doc: str = Field(description="文件 / file name")
    doc_id: str = Field(description="文档编号 / document id")
    findings: list[Finding] = Field(default_factory=list)
    inventory: list[InventoryItem] = Field(default_factory=list)
