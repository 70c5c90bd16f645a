"""The value model: every extracted number is a Fact — Decimal as printed, unit, decimals,
canonical value in 元 for money, and where it came from (document, page, box, row, column)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MONEY_SCALE: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}

Source = Literal["deterministic", "llm"]
Status = Literal["unchecked", "verified", "residue", "failed", "unverified"]


def zh(term: str, english: str, **extra: Any) -> Any:
    """A field with a bilingual description; ``term`` is also the printed header it maps from."""
    return Field(default=None, description=f"{term} / {english}", json_schema_extra={"zh": term, **extra})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provenance(Strict):
    """Where a value is printed."""

    doc_id: str = Field(description="文档编号 / document id (content hash)")
    page: int = Field(description="页码 / 1-based page number")
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="位置 / box on the page in PDF points (x0, y0, x1, y1)"
    )
    table_id: str | None = Field(default=None, description="表 / logical table id (T01…, B01…, PE, PP…)")
    row_code: str | None = Field(default=None, description="科目编码 / row code as printed (concatenated)")
    row_label: str | None = Field(default=None, description="行 / row label as printed")
    column: str | None = Field(
        default=None, description="列 / column header path as printed, levels joined by /"
    )
    text_span: str | None = Field(
        default=None, description="原文 / the sentence holding a number stated in prose"
    )


class Fact(Strict):
    """One number as printed in the report."""

    printed: str = Field(description="原文数值 / the number exactly as printed ('' for a blank cell)")
    value: Decimal = Field(description="数值 / the printed value as a Decimal (blank, —— and - are 0)")
    unit: str = Field(description="单位 / 元, 万元, 亿元, %, 分, 个, 人次 …")
    decimals: int = Field(description="小数位 / number of decimals printed (or inferred for the column)")
    value_yuan: Decimal | None = Field(default=None, description="折合元 / the value in 元 (money only)")
    provenance: Provenance = Field(description="出处 / document, page, box, table, row and column")
    source: Source = Field(default="deterministic", description="来源 / deterministic extractor or LLM")
    status: Status = Field(default="unchecked", description="核验状态 / set by the checker")

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_SCALE

    @property
    def half_ulp(self) -> Decimal:
        """Half a unit in the last printed place, in the fact's own unit. Blanks, zeros and counts
        are exact (checker-rules §0.2): amounts are ≥ 0, so a printed 0.00 is exactly 0."""
        if self.value == 0 or self.unit in ("个", "人次", "张", "辆", "台", "套", "家", "次"):
            return Decimal(0)
        if self.unit == "分" and self.decimals == 0:  # whole points are awarded exactly
            return Decimal(0)
        return Decimal(5) * Decimal(10) ** (-self.decimals - 1)


def to_yuan(value: Decimal, unit: str) -> Decimal | None:
    scale = MONEY_SCALE.get(unit)
    return None if scale is None else value * scale
