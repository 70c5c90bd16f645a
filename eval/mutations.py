"""Mutation testing of the checker: change one printed number (or a unit word) of a report and see
the checker flag the broken identity on the right page.

Mutations are generated from each fixture's extracted Report — a 总计, a 类 row, a 项 amount, a 小计, an
economic 款, a “三公” amount, a narrative share, a narrative amount, a score, a unit word — and applied
two ways: to the extracted Report (``apply_to_report``) and to the seed text, re-rendered into a PDF
(``apply_to_seed`` + ``build.render_pdf``), which ``budgetqa check`` then reads end to end.

Run: ``python -m eval.mutations`` (prints each mutation and whether the checker caught it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from eval.fixtures import build
from schemas.facts import Fact, to_yuan
from schemas.findings import CheckResult, Finding
from schemas.report import Report, iter_facts
from schemas.vocabulary import function_class
from service import pdf
from service.check import check_report
from service.document import Document
from service.extract import extract_report

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"


@dataclass(frozen=True)
class Mutation:
    fixture: str
    kind: str
    label: str
    page: int
    old: str
    new: str
    fact_index: int  # position of the fact in iter_facts(report)
    occurrence: int  # which printing of ``old`` in the document, in reading order
    unit_word: bool = False  # change the unit after the number (万元 ↔ 元) instead of the number

    @property
    def name(self) -> str:
        return f"{self.fixture.split('_')[0]}-{self.kind}-p{self.page}"


def number_pattern(printed: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\d.,])" + re.escape(printed) + r"(?![\d]|\.\d)")


def bumped(printed: str) -> str:
    """The printed value plus ten, in the same format (thousands separators and decimals kept)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    value = Decimal(printed.replace(",", "")) + 10
    text = f"{value:,.{decimals}f}" if "," in printed else f"{value:.{decimals}f}"
    return text


# ---------------------------------------------------------------- choosing facts


def _choices(report: Report) -> list[tuple[str, str, Fact]]:
    """(kind, label, fact) to mutate: decimal, non-zero values with a box, one per kind."""
    t = report.tables
    out: list[tuple[str, str, Fact | None]] = []

    def first(rows: list[Any], field: str, cond: Callable[[Any], Any]) -> Fact | None:
        for row in rows:
            fact = getattr(row, field, None)
            if (
                isinstance(fact, Fact)
                and cond(row)
                and fact.value
                and "." in fact.printed
                and fact.provenance.bbox
            ):
                return fact
        return None

    if t.T01 is not None:
        out.append(
            (
                "total",
                "T01 总计",
                first(t.T01.rows, "amount", lambda r: r.side == "income" and r.label == "总计"),
            )
        )
    if t.B01 is not None:
        out.append(("total", "B01 收入总计", first(t.B01.rows, "amount", lambda r: "收入总计" in r.label)))
        out.append(("class_row", "B01 类", first(t.B01.rows, "amount", lambda r: r.side == "expenditure")))
    for table, field, basic in ((t.T05, "total", "basic"), (t.B05, "total", "basic_total")):
        if table is not None:
            if t.T05 is not None:
                out.append(
                    ("class_row", "T05 类", first(table.rows, field, lambda r: r.code and len(r.code) == 3))
                )
            out.append(
                (
                    "item",
                    f"{table.table_id} 项",
                    first(table.rows, field, lambda r: r.code and len(r.code) == 7),
                )
            )
            out.append(
                (
                    "subtotal",
                    f"{table.table_id} 合计 基本支出",
                    first(table.rows, basic, lambda r: r.code is None),
                )
            )
    if t.T03 is not None:
        out.append(
            ("item", "T03 项 基本支出", first(t.T03.rows, "basic", lambda r: r.code and len(r.code) == 7))
        )
    if t.T06 is not None:
        out.append(("economic", "T06 款", first(t.T06.rows, "amount", lambda r: r.code and len(r.code) == 5)))
    if t.B06 is not None:
        out.append(("economic", "B06 款", first(t.B06.rows, "total", lambda r: r.code)))
    sangong = t.T07 or t.B08
    if sangong is not None:
        out.append(
            (
                "sangong",
                "三公 公务接待费",
                first(sangong.rows, "reception", lambda r: r.label in ("决算数", "预算数")),
            )
        )
    shares = [
        c.value for c in report.claims if c.kind == "share" and c.value.value and "." in c.value.printed
    ]
    out.append(("share", "文字 占比", shares[0] if shares else None))
    basics = [
        c.value
        for c in report.claims
        if c.kind == "amount" and re.search("基本支出$", c.subject) and "." in c.value.printed
    ]
    out.append(("narrative", "文字 基本支出", basics[0] if basics else None))
    evaluations = report.performance.self_evaluations
    totals = [
        ev.total_score
        for ev in evaluations
        if ev.total_score
        and "." in ev.total_score.printed
        and any(b.weight is not None and "总额" in b.label for b in ev.budget)
    ]
    executed = [
        b.executed
        for ev in evaluations
        for b in ev.budget
        if b.executed is not None and re.search("总额|支出合计", b.label) and "." in b.executed.printed
    ]
    third = [f for pt in report.performance.third_party for f in pt.scores if "." in f.printed]
    if t.B11 is not None:
        out.append(("project", "B11 项目", first(t.B11.rows, "total", lambda r: r.level == "project")))
    out.append(("score", "绩效 总分", totals[0] if totals else None))
    out.append(("budget", "绩效 执行数", executed[0] if executed else None))
    out.append(("third_party", "第三方评价 得分", third[0] if third else None))
    people = [
        c.value
        for c in report.claims
        if c.kind == "amount" and re.search("人员经费$", c.subject) and "." in c.value.printed
    ]
    out.append(("unit", "文字 人员经费 单位", people[0] if people else None))
    # unit words outside the 三公 paragraph: the 基本支出 sentence and a 类 amount of the 支出结构
    out.append(("unit_basic", "文字 基本支出 单位", basics[0] if basics else None))
    classes = [
        c.value
        for c in report.claims
        if c.kind == "amount"
        and c.scope == "item"
        and function_class(c.clause or "")
        and "." in c.value.printed
        and c.value.value >= 1
    ]
    out.append(("unit_class", "文字 类支出 单位", classes[0] if classes else None))
    return [(k, label, f) for k, label, f in out if f is not None]


def _occurrence(doc: Document, fact: Fact) -> int | None:
    """Which printing of the fact's number (in reading order) the fact is."""
    pattern = number_pattern(fact.printed)
    bbox = fact.provenance.bbox
    count = 0
    for page in doc.pages:
        for line in page.lines:
            for m in pattern.finditer(line.text):
                if page.number == fact.provenance.page and bbox is not None:
                    box = line.span_bbox(m.start(), m.end())
                    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                    if bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1:
                        return count
                count += 1
    return None


def generate(fixture: str) -> list[Mutation]:
    doc = pdf.read_pdf(FIXTURES / f"{fixture}.pdf")
    report = extract_report(doc)
    index = {id(f): n for n, (_, _, f) in enumerate(iter_facts(report))}
    mutations = []
    for kind, label, fact in _choices(report):
        k = _occurrence(doc, fact)
        if k is None:
            continue
        unit_word = kind.startswith("unit")
        new = fact.printed if unit_word else bumped(fact.printed)
        mutations.append(
            Mutation(
                fixture, kind, label, fact.provenance.page, fact.printed, new, index[id(fact)], k, unit_word
            )
        )
    return mutations


# ---------------------------------------------------------------- applying


def _other_unit(unit: str) -> str:
    return "元" if unit == "万元" else "万元"


def apply_to_report(report: Report, m: Mutation) -> Report:
    mutated = report.model_copy(deep=True)
    fact = list(iter_facts(mutated))[m.fact_index][2]
    assert fact.printed == m.old, (fact.printed, m.old)
    if m.unit_word:
        fact.unit = _other_unit(fact.unit)
    else:
        fact.printed = m.new
        fact.value = Decimal(m.new.replace(",", ""))
    fact.value_yuan = to_yuan(fact.value, fact.unit)
    return mutated


def apply_to_seed(text: str, m: Mutation) -> str:
    matches = list(number_pattern(m.old).finditer(text))
    hit = matches[m.occurrence]
    if not m.unit_word:
        return text[: hit.start()] + m.new + text[hit.end() :]
    unit = re.match(r"\s*(万元|元)", text[hit.end() :])
    assert unit is not None, "no unit word after the number"
    start, end = hit.end() + unit.start(1), hit.end() + unit.end(1)
    return text[:start] + _other_unit(unit.group(1)) + text[end:]


def render(fixture: str, m: Mutation, out_dir: Path) -> Path:
    seed_file, style = build.FIXTURES[fixture]
    text = apply_to_seed((build.SEEDS / seed_file).read_text(encoding="utf-8"), m)
    return build.render_pdf(text, style, out_dir / f"{m.name}.pdf")


def caught(before: CheckResult, after: CheckResult, page: int) -> list[Finding]:
    """New failures (not present before the mutation) that point at the mutated page."""
    old = {(f.rule_id, f.message) for f in before.findings if f.outcome == "FAIL"}
    return [
        f
        for f in after.findings
        if f.outcome == "FAIL" and (f.rule_id, f.message) not in old and page in f.pages
    ]


def cli_failures(path: Path, data_dir: Path) -> list[dict[str, object]]:
    """FAIL findings of ``budgetqa check PATH --format json``, run as its own process (end to end)."""
    env = {**os.environ, "BUDGETQA_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "check", str(path), "--format", "json", "--llm", "never"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=HERE.parent,
    )
    return [f for f in json.loads(done.stdout)["findings"] if f["outcome"] == "FAIL"]


def caught_by_cli(
    before: list[dict[str, object]], after: list[dict[str, object]], page: int
) -> list[dict[str, object]]:
    old = {(f["rule_id"], f["message"]) for f in before}
    return [f for f in after if (f["rule_id"], f["message"]) not in old and page in f["pages"]]  # type: ignore[operator]


def main() -> int:
    total = hits = 0
    for fixture in build.FIXTURES:
        report = extract_report(pdf.read_pdf(FIXTURES / f"{fixture}.pdf"))
        before = check_report(report)
        for m in generate(fixture):
            found = caught(before, check_report(apply_to_report(report, m)), m.page)
            total += 1
            hits += bool(found)
            rules = ", ".join(sorted({f.rule_id for f in found})) or "NOT CAUGHT"
            print(
                f"{m.name:<34} {m.label:<16} {m.old:>14} → {m.new if not m.unit_word else '(unit)':<14} {rules}"
            )
    print(f"caught {hits}/{total}")
    return 0 if hits == total else 1


if __name__ == "__main__":
    sys.exit(main())
