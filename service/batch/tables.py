"""The batch dataset's tables, as typed columns and rows (pure: no I/O).

Every table starts with the file and the document (file, path, doc_id, department, year, kind).
``facts`` is one row per value with its provenance and check status (service.export.fact_rows);
one tidy table per schema table (T01…T10, B01…B11) has a row per printed row and, for each money
column, its value in 元 and in 万元; ``t07_sangong`` / ``b08_sangong`` put the 三公 items in rows
with 预算数 and 决算数 side by side; then the 绩效 indicators, the findings and the completeness
inventory. Money is Decimal throughout; a value a column's scale cannot hold exactly is left out
(None), never rounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from schemas.catalogue import ENTRIES, SANGONG, TABLE_NAMES, row_model
from schemas.facts import Fact
from schemas.performance import Indicator
from schemas.report import Report
from schemas.tables import SanGongRow
from service import export, review
from service.store import Analysis

# column kinds; the writer maps them to Arrow / DuckDB types
Kind = Literal["str", "int", "float", "yuan", "wan", "num", "bbox"]
SCALE = {"yuan": 4, "wan": 6, "num": 6}  # decimal places of DECIMAL(38, s)
STATUS_ORDER = ("failed", "unverified", "residue", "verified", "unchecked")


@dataclass(frozen=True)
class Spec:
    name: str
    columns: tuple[tuple[str, Kind], ...]
    title: str

    @property
    def names(self) -> list[str]:
        return [c for c, _ in self.columns]

    @property
    def content_columns(self) -> tuple[tuple[str, Kind], ...]:
        """The columns that depend on the document's content only (not on its file name)."""
        return tuple(c for c in self.columns if c not in FILE)


FILE: tuple[tuple[str, Kind], ...] = (("file", "str"), ("path", "str"))  # added per file when built
DOC: tuple[tuple[str, Kind], ...] = (
    *FILE,
    ("doc_id", "str"),
    ("department", "str"),
    ("year", "int"),
    ("kind", "str"),
)

STATUS = Spec(
    "status",
    (
        ("file", "str"),
        ("status", "str"),
        ("reason", "str"),
        ("doc_id", "str"),
        ("department", "str"),
        ("year", "int"),
        ("kind", "str"),
        ("pages", "int"),
        ("facts", "int"),
        ("errors", "int"),
        ("warnings", "int"),
        ("seconds", "float"),
        ("path", "str"),
        ("message", "str"),
        ("attempts", "int"),
        ("residues", "int"),
        ("file_warnings", "str"),
    ),
    "每个文件的处理结果",
)

FACTS = Spec(
    "facts",
    (
        *DOC,
        ("table_id", "str"),
        ("table_title", "str"),
        ("side", "str"),
        ("subject", "str"),
        ("level2", "str"),
        ("row_code", "str"),
        ("row", "str"),
        ("field", "str"),
        ("column", "str"),
        ("value", "str"),
        ("number", "num"),
        ("unit", "str"),
        ("value_yuan", "yuan"),
        ("page", "int"),
        ("bbox", "bbox"),
        ("source", "str"),
        ("status", "str"),
    ),
    "每个数值：出处与核验状态",
)

SANGONG_COLUMNS: tuple[tuple[str, Kind], ...] = (
    *DOC,
    ("table_id", "str"),
    ("item", "str"),
    ("预算数_元", "yuan"),
    ("预算数_万元", "wan"),
    ("决算数_元", "yuan"),
    ("决算数_万元", "wan"),
    ("unit", "str"),
    ("page", "int"),
    ("status", "str"),
)

INDICATORS = Spec(
    "performance_indicators",
    (
        *DOC,
        ("table_id", "str"),
        ("subject", "str"),
        ("level1", "str"),
        ("level2", "str"),
        ("code", "str"),
        ("level3", "str"),
        ("target", "str"),
        ("target_note", "str"),
        ("actual", "str"),
        ("weight", "num"),
        ("score", "num"),
        ("deviation", "str"),
        ("reason", "str"),
        ("page", "int"),
        ("status", "str"),
    ),
    "绩效指标",
)

FINDINGS = Spec(
    "findings",
    (
        *DOC,
        ("rule_id", "str"),
        ("severity", "str"),
        ("outcome", "str"),
        ("diagnosis", "str"),
        ("message", "str"),
        ("expected", "str"),
        ("actual", "str"),
        ("delta", "str"),
        ("tolerance", "str"),
        ("pages", "str"),
        ("note", "str"),
    ),
    "核验结果（每条规则）",
)

INVENTORY = Spec(
    "inventory",
    (
        *DOC,
        ("table_id", "str"),
        ("name", "str"),
        ("status", "str"),
        ("title", "str"),
        ("pages", "str"),
        ("in_toc", "str"),
    ),
    "报表完整性",
)

SLUGS = {e.table_id: e.slug for e in sorted(ENTRIES, key=lambda e: e.table_id) if e.slug}
MIXED_UNITS = {"T10"}  # counts (个, 辆) beside amounts: the number and its unit kept as printed too


def _is_fact(annotation: Any) -> bool:
    return Fact in getattr(annotation, "__args__", (annotation,))


def _fact_columns(model: type[BaseModel]) -> list[tuple[str, str]]:
    """(field name, column stem) for each Fact of a row model; the stem is the printed header."""
    out = []
    for name, info in model.model_fields.items():
        if _is_fact(info.annotation):
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            out.append((name, str(extra.get("zh", name))))
    return out


def _plain_name(field: str) -> str:
    """A row field's column: B11's project ``kind`` is not the report's kind (预算/决算)."""
    return f"row_{field}" if field in {name for name, _ in DOC} else field


def _plain_columns(model: type[BaseModel]) -> list[str]:
    return [n for n, info in model.model_fields.items() if not _is_fact(info.annotation)]


def _tidy_spec(table_id: str) -> Spec:
    model = row_model(table_id)
    cols: list[tuple[str, Kind]] = [*DOC, ("table_unit", "str")]
    cols += [(_plain_name(n), "int" if n == "page" else "str") for n in _plain_columns(model)]
    for _, stem in _fact_columns(model):
        if table_id in MIXED_UNITS:
            cols += [(stem, "num"), (f"{stem}_单位", "str")]
        cols += [(f"{stem}_元", "yuan"), (f"{stem}_万元", "wan")]
    cols.append(("status", "str"))
    return Spec(f"{table_id.lower()}_{SLUGS[table_id]}", tuple(cols), TABLE_NAMES[table_id])


TIDY: dict[str, Spec] = {
    tid: (
        Spec(f"{tid.lower()}_{SLUGS[tid]}", SANGONG_COLUMNS, TABLE_NAMES[tid])
        if tid in SANGONG
        else _tidy_spec(tid)
    )
    for tid in SLUGS
}
ALL: list[Spec] = [STATUS, FACTS, *TIDY.values(), INDICATORS, FINDINGS, INVENTORY]


# ---------------------------------------------------------------- values


def fit(value: Decimal | None, kind: Kind) -> Decimal | None:
    """The value when the column's scale holds it exactly; None (missing, not wrong) otherwise."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or -exponent > SCALE[kind] or abs(value) >= Decimal(10) ** 30:
        return None
    return value


def money(fact: Fact | None) -> tuple[Decimal | None, Decimal | None]:
    """(元, 万元) of a money fact; the 万元 figure is the 元 figure shifted four places (exact)."""
    if fact is None or fact.value_yuan is None:
        return None, None
    return fit(fact.value_yuan, "yuan"), fit(fact.value_yuan.scaleb(-4), "wan")


def worst(facts: list[Fact | None]) -> str | None:
    found = {f.status for f in facts if f is not None}
    return next((s for s in STATUS_ORDER if s in found), None)


def doc_columns(report: Report) -> dict[str, Any]:
    m = report.meta
    return {
        "doc_id": m.doc_id,
        "department": m.department,
        "year": m.year,
        "kind": m.kind,
    }


# ---------------------------------------------------------------- rows


def rows(analysis: Analysis) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row this document contributes, as (table name, row), without the file columns (the
    same content under several names is one set of rows)."""
    report, check = analysis.report, analysis.check
    doc = doc_columns(report)
    for r in export.fact_rows(report):
        yield FACTS.name, _fact_row(doc, r)
    for table in report.tables.present():
        if table.table_id in SANGONG:
            yield from ((TIDY[table.table_id].name, r) for r in _sangong(doc, table))
        elif table.table_id in TIDY:
            yield from ((TIDY[table.table_id].name, r) for r in _tidy(doc, table))
    for table_id, subject, ind in _indicators(report):
        yield INDICATORS.name, _indicator_row(doc, table_id, subject, ind)
    for f in check.findings:
        yield (
            FINDINGS.name,
            {
                **doc,
                **f.model_dump(include={"rule_id", "severity", "outcome", "diagnosis", "message"}),
                **f.model_dump(include={"expected", "actual", "delta", "tolerance", "note"}),
                "pages": ",".join(map(str, f.pages)),
            },
        )
    for item in check.inventory:
        yield (
            INVENTORY.name,
            {
                **doc,
                "table_id": item.table_id,
                "name": item.name,
                "status": item.status,
                "title": item.title,
                "pages": ",".join(map(str, item.pages)),
                "in_toc": None if item.in_toc is None else str(item.in_toc).lower(),
            },
        )


def summary(analysis: Analysis, facts: int) -> dict[str, Any]:
    """The document's part of its status.csv row (the file columns are added per file)."""
    report = analysis.report
    counts = review.summary(analysis.check)
    residues = sum(f.outcome == "PASS_RESIDUE" for f in analysis.check.findings)
    return {
        **doc_columns(report),
        "pages": report.meta.page_count,
        "facts": facts,
        "errors": counts["errors"],
        "warnings": counts["warnings"],
        "residues": residues,
        "file_warnings": "；".join(report.meta.warnings) or None,
    }


def _fact_row(doc: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    row = {k: r.get(k) for k in FACTS.names if k not in doc and k not in ("file", "path")}
    row.update(doc)
    row["number"] = fit(r.get("number"), "num")
    row["value_yuan"] = fit(Decimal(r["value_yuan"]), "yuan") if r.get("value_yuan") is not None else None
    return row


def _sangong(doc: dict[str, Any], table: Any) -> Iterator[dict[str, Any]]:
    """One row per 三公 item, 预算数 and 决算数 side by side (the table prints them as two rows)."""
    halves = {("决算数" if "决算" in row.label else "预算数"): row for row in table.rows}
    for name, stem in _fact_columns(SanGongRow):
        row = {**doc, "table_id": table.table_id, "item": stem, "unit": table.unit}
        facts: list[Fact | None] = []
        for half in ("预算数", "决算数"):
            fact = getattr(halves[half], name) if half in halves else None
            facts.append(fact)
            row[f"{half}_元"], row[f"{half}_万元"] = money(fact)
        row["page"] = min((h.page for h in halves.values()), default=None)
        row["status"] = worst(facts)
        if any(f is not None for f in facts):
            yield row


def _tidy(doc: dict[str, Any], table: Any) -> Iterator[dict[str, Any]]:
    model = row_model(table.table_id)
    fact_cols = _fact_columns(model)
    for item in table.rows:
        row = {**doc, "table_unit": table.unit}
        for name in _plain_columns(model):
            row[_plain_name(name)] = getattr(item, name)
        facts = [getattr(item, name) for name, _ in fact_cols]
        for (_, stem), fact in zip(fact_cols, facts, strict=True):
            if table.table_id in MIXED_UNITS:
                row[stem] = fit(fact.value, "num") if fact is not None else None
                row[f"{stem}_单位"] = fact.unit if fact is not None else None
            row[f"{stem}_元"], row[f"{stem}_万元"] = money(fact)
        row["status"] = worst(facts)
        yield row


def _indicators(report: Report) -> Iterator[tuple[str, str | None, Indicator]]:
    perf = report.performance
    for ev in perf.self_evaluations:
        yield from ((ev.table_id, ev.subject, ind) for ind in ev.indicators)
    if perf.targets is not None:
        yield from (("B12", perf.targets.subject, ind) for ind in perf.targets.indicators)
    if perf.project_targets is not None:
        for project in perf.project_targets.projects:
            yield from (("B13", f"{project.code} {project.label}", ind) for ind in project.indicators)


def _indicator_row(doc: dict[str, Any], table_id: str, subject: str | None, ind: Indicator) -> dict[str, Any]:
    row = {**doc, "table_id": table_id, "subject": subject}
    row.update(
        ind.model_dump(
            include={
                "level1",
                "level2",
                "code",
                "level3",
                "target",
                "target_note",
                "actual",
                "deviation",
                "reason",
            }
        )
    )
    row["weight"] = fit(ind.weight.value, "num") if ind.weight else None
    row["score"] = fit(ind.score.value, "num") if ind.score else None
    row["page"] = ind.page
    row["status"] = worst([ind.weight, ind.score])
    return row
