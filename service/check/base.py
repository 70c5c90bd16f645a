"""The checker's building blocks: the rule registry, the context that turns evaluations into
findings (and remembers which facts each outcome touched), and lookups into a Report. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from schemas.facts import MONEY_SCALE, Fact
from schemas.findings import Certainty, Diagnosis, Finding, Group, Operand, Outcome, Severity
from schemas.report import Report
from service.check.arith import Evaluation, Q, check_copy, check_difference, check_ratio, check_sum, fmt, q
from service.numbers import compact

RuleFn = Callable[["Ctx"], None]


@dataclass(frozen=True)
class Rule:
    rule_id: str
    group: Group
    severity: Severity
    fn: RuleFn

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()


def registry() -> tuple[list[Rule], Callable[[str, Severity], Callable[[RuleFn], RuleFn]]]:
    """A module's rule list and the decorator that fills it: ``@rule("INTRA-01", "error")``."""
    rules: list[Rule] = []

    def rule(rule_id: str, severity: Severity) -> Callable[[RuleFn], RuleFn]:
        def register(fn: RuleFn) -> RuleFn:
            rules.append(Rule(rule_id, rule_id.split("-")[0], severity, fn))  # type: ignore[arg-type]
            return fn

        return register

    return rules, rule


@dataclass
class Ctx:
    """Runs one rule at a time; every evaluation becomes a Finding with its operands."""

    report: Report
    findings: list[Finding] = field(default_factory=list)
    touched: list[tuple[Outcome, list[Fact | None], str]] = field(default_factory=list)
    current: Rule | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # lookups shared by the rules of one run
    deltas: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # finding id → (Δ, tolerance)

    @property
    def note(self) -> str | None:
        return self.report.meta.rounding_note

    # -------------------------------------------------------------- recording

    def emit(
        self,
        outcome: Outcome,
        message: str,
        operands: Sequence[Q] = (),
        *,
        expected: str | None = None,
        actual: str | None = None,
        delta: str | None = None,
        tolerance: str | None = None,
        diagnosis: Diagnosis | None = None,
        severity: Severity | None = None,
        extra: Sequence[Operand] = (),
        certainty: Certainty | None = None,
        doubt: str | None = None,
    ) -> Finding:
        assert self.current is not None
        if severity is None:
            severity = self.current.severity if outcome == "FAIL" else "info"
        doubt = doubt or self.doubt(operands)
        if certainty is None:
            certainty = "unverifiable" if outcome == "SKIP" or doubt else "definite"
        if outcome == "FAIL" and certainty == "unverifiable":
            # an error is a claim that the report is wrong: not made on an ambiguous operand
            severity = "warning" if severity != "info" else severity
            message = f"{message}（无法确定：{doubt or '数据归属不确定'}）"
        ops = [o.operand() for o in operands] + list(extra)
        finding = Finding(
            id=f"F{len(self.findings) + 1:04d}",
            rule_id=self.current.rule_id,
            severity=severity,
            outcome=outcome,
            diagnosis=diagnosis,
            message=message,
            expected=expected,
            actual=actual,
            delta=delta,
            tolerance=tolerance,
            pages=sorted({o.page for o in ops if o.page is not None}),
            operands=ops,
            note=self.note if outcome == "PASS_RESIDUE" else None,
            certainty=certainty,
        )
        self.findings.append(finding)
        self.touched.append((outcome, [o.fact for o in operands], self.current.rule_id))
        return finding

    def doubt(self, operands: Sequence[Q]) -> str | None:
        """Why a narrative operand's subject is not certain (its claim's ambiguity), or None."""
        by_fact = self.cache.get("claim_of")
        if by_fact is None:
            by_fact = self.cache["claim_of"] = {id(c.value): c for c in self.report.claims}
        for o in operands:
            claim = by_fact.get(id(o.fact)) if o.fact is not None else None
            if claim is not None and claim.ambiguity:
                return f"“{claim.clause or claim.subject}”{claim.ambiguity}"
        return None

    def unread(self, total: Q) -> str | None:
        """A sum over a table with cells the reader left out (parse notes of kind unplaced): its
        items may not all have been read, so its failure is not certain."""
        table = total.fact.provenance.table_id if total.fact is not None else None
        pages = sorted(
            {n.page for n in self.report.parse_notes if n.kind == "unplaced" and n.table_id == table}
        )
        return f"第{'、'.join(map(str, pages))}页有未读取的单元格，明细可能没有读全" if pages else None

    def evaluated(
        self,
        ev: Evaluation,
        message: str,
        operands: Sequence[Q],
        decimals: int = 2,
        severity: Severity | None = None,
        doubt: str | None = None,
        why: str | None = None,
    ) -> Finding:
        scale = _display_scale(operands)
        explained = ""
        if ev.outcome == "FAIL" and why:
            # one sentence: what was compared with what, on which pages, and the difference
            explained = (
                f"——{why}{fmt(ev.expected / scale, decimals)}，相差 {fmt(ev.delta / scale, decimals)}"
                f"（容差 ±{fmt(ev.tolerance / scale, max(decimals, 3))}）"
            )
        finding = self.emit(
            ev.outcome,
            message + _verdict(ev.outcome) + explained,
            operands,
            expected=fmt(ev.expected / scale, decimals),
            actual=fmt(ev.actual / scale, decimals),
            delta=fmt(ev.delta / scale, decimals),
            tolerance=fmt(ev.tolerance / scale, max(decimals, 3)),
            diagnosis=ev.diagnosis,
            severity=severity,
            doubt=doubt,
        )
        self.deltas[finding.id] = (ev.delta, ev.tolerance)
        return finding

    def skip(self, message: str, operands: Sequence[Q] = ()) -> None:
        self.emit("SKIP", f"无法核验：{message}", operands, certainty="unverifiable")

    def missing(self, message: str, kind: str) -> None:
        """A SKIP for a missing table, only where the table belongs (决算 tables in a 决算 report …)."""
        if self.report.meta.kind in (kind, None):
            self.skip(message)

    def fail(
        self,
        message: str,
        operands: Sequence[Q] = (),
        severity: Severity | None = None,
        diagnosis: Diagnosis | None = None,
        **values: Any,
    ) -> None:
        self.emit("FAIL", message, operands, severity=severity, diagnosis=diagnosis, **values)

    def ok(self, message: str, operands: Sequence[Q] = (), extra: Sequence[Operand] = ()) -> None:
        self.emit("PASS", message, operands, extra=extra)

    # -------------------------------------------------------------- the three tolerance families

    def sum(
        self,
        message: str,
        total: Q | None,
        items: Sequence[Q | None],
        weights: Sequence[int] | None = None,
        severity: Severity | None = None,
        doubt: str | None = None,
    ) -> Evaluation | None:
        if total is None or any(i is None for i in items):
            terms = _terms(message)
            names = (["等号左边的合计"] if total is None else []) + [
                terms[n] if n < len(terms) else f"第 {n + 1} 个加数"
                for n, item in enumerate(items)
                if item is None
            ]
            self.skip(f"{message}（缺少：{'、'.join(names)}）", [o for o in [total, *items] if o is not None])
            return None
        present = [i for i in items if i is not None]
        if not present:  # nothing found to add up: no evidence about the total either way
            self.skip(f"{message}（没有找到加数）", [total])
            return None
        if _one_cell_twice([total, *present]):  # a row read as two (its lines joined): no identity to test
            self.skip(f"{message}（同一单元格被读作两个数项，未核对）", [total, *present])
            return None
        ev = check_sum(total, present, weights)
        if ev.outcome == "FAIL" and doubt is None:
            doubt = _page_break(total, present) or _blank(total) or self.unread(total)
        why = _said(total) + f"，而 {len(present)} 项{'相加减' if weights else '之和'}为 "
        self.evaluated(ev, message, [total, *present], _decimals(total), severity, doubt, why)
        return ev

    def copy(
        self,
        message: str,
        reported: Q | None,
        reference: Q | None,
        severity: Severity | None = None,
        doubt: str | None = None,
    ) -> Evaluation | None:
        if reported is None or reference is None:
            self.skip(f"{message}（缺少数据）", [o for o in (reported, reference) if o is not None])
            return None
        ev = check_copy(reported, reference)
        if ev.outcome == "FAIL" and severity is None and abs(ev.delta) <= 2 * reported.half + reference.half:
            severity = "warning"  # wrong only in the last printed digit
        why = f"{_said(reported)}，{_said(reference)}，即应为 "
        self.evaluated(ev, message, [reported, reference], _decimals(reported), severity, doubt, why)
        return ev

    def ratio(
        self,
        message: str,
        reported: Q | None,
        numerator: Q | None,
        denominator: Q | None,
        scale: Decimal = Decimal(100),
        severity: Severity | None = None,
        downgrade_one_ulp: bool = True,
        extra: Sequence[Operand] = (),
        doubt: str | None = None,
    ) -> Evaluation | None:
        if reported is None or numerator is None or denominator is None:
            self.skip(
                f"{message}（缺少数据）", [o for o in (reported, numerator, denominator) if o is not None]
            )
            return None
        ev = check_ratio(reported, numerator, denominator, scale)
        if ev is None:
            self.skip(f"{message}（分母为 0）", [reported, numerator, denominator])
            return None
        if ev.outcome == "FAIL" and severity is None and downgrade_one_ulp and _one_ulp(ev, reported):
            severity = "warning"
        explained = (
            f"——{_said(reported)}，按 {_said(numerator)} ÷ {_said(denominator)} 算得 "
            f"{fmt(ev.expected, reported.decimals + 2)}{'%' if scale == 100 else ''}，"
            f"相差 {fmt(ev.delta, reported.decimals + 2)}{' 个百分点' if scale == 100 else ''}"
            if ev.outcome == "FAIL"
            else ""
        )
        self.emit(
            ev.outcome,
            message + _verdict(ev.outcome) + explained,
            [reported, numerator, denominator],
            expected=fmt(ev.expected, reported.decimals + 2),
            actual=fmt(ev.actual, reported.decimals),
            delta=fmt(ev.delta, reported.decimals + 2),
            tolerance=fmt(ev.tolerance, reported.decimals + 1),
            diagnosis=ev.diagnosis,
            severity=severity,
            extra=extra,
            doubt=doubt,
        )
        return ev

    def difference(
        self, message: str, reported: Q | None, a: Q | None, b: Q | None, severity: Severity | None = None
    ) -> Evaluation | None:
        if reported is None or a is None or b is None:
            self.skip(f"{message}（缺少数据）", [o for o in (reported, a, b) if o is not None])
            return None
        ev = check_difference(reported, a, b)
        why = f"{_said(reported)}，{_said(a)} 减 {_said(b)} 为 "
        self.evaluated(ev, message, [reported, a, b], _decimals(reported), severity, None, why)
        return ev


def _one_cell_twice(operands: Sequence[Q]) -> bool:
    """Two operands of one identity that are one fact (one printed cell): two rows taken for one."""
    facts = [id(q.fact) for q in operands if q.fact is not None]
    return len(facts) != len(set(facts))


def _page_break(total: Q, items: Sequence[Q]) -> str | None:
    """A table sum whose items run over a page break: rows at the break may not all have been read (a
    continued table), so its failure is not certain. Sums within one page, or of prose numbers, are."""
    facts = [x.fact for x in [total, *items] if x.fact is not None and x.fact.provenance.table_id != "NAR"]
    item_pages = sorted({f.provenance.page for f in facts[1:]} if facts else set())
    if len(item_pages) < 2 or not facts or facts[0].provenance.table_id in (None, "PE", "PP", "PT"):
        return None
    return f"明细跨第{'、'.join(map(str, item_pages))}页，跨页处的行可能没有读全"


def _blank(total: Q) -> str | None:
    """A total printed blank over items that are not: more likely a cell the reader missed than a
    report that left its own total out, so the difference is not claimed as the report's error."""
    blank = total.fact is not None and not (total.fact.printed or "").strip()
    return "合计一格为空白，可能是未读到的数" if blank else None


def _said(x: Q) -> str:
    """An operand as the reviewer finds it printed: '第12页一般公共预算基本支出表 人员经费 1,707.78万元',
    '第4页文字“人员经费 1707.7万元”'; a computed quantity by its label."""
    f = x.fact
    if f is None:
        return x.label
    unit = "" if f.unit == "倍" else f.unit
    if f.provenance.table_id == "NAR":
        return f"第{f.provenance.page}页文字“{f.provenance.row_label or ''} {f.printed}{unit}”"
    label = re.sub(r"\s*" + re.escape(f.printed) + r"\S*$", "", x.label) if f.printed else x.label
    return f"第{f.provenance.page}页{label} {f.printed or '空白'}{unit}"


def _terms(message: str) -> list[str]:
    """The addends named in a rule message "…：总计 = A + B + C" (to say which one is missing)."""
    right = message.split("=", 1)[1] if "=" in message else ""
    return [t.strip() for t in re.split(r"[+−-]", right)] if right else []


def _decimals(x: Q) -> int:
    return x.decimals if x.fact is not None else 2


def _display_scale(operands: Sequence[Q]) -> Decimal:
    first = next((o.fact for o in operands if o.fact is not None), None)
    return MONEY_SCALE.get(first.unit, Decimal(1)) if first is not None else Decimal(1)


def _one_ulp(ev: Evaluation, reported: Q) -> bool:
    ulp = Decimal(10) ** (-reported.decimals)
    return abs(ev.actual - ev.expected) <= ulp * Decimal("1.5")


def _verdict(outcome: Outcome) -> str:
    return {"PASS": "：相符", "PASS_RESIDUE": "：差额在四舍五入容差内", "FAIL": "：不符", "SKIP": ""}[outcome]


# ------------------------------------------------------------------ lookups


def flat(text: str | None) -> str:
    return compact(text or "")


def rows(model: BaseModel | None) -> list[Any]:
    return list(getattr(model, "rows", []) or []) if model is not None else []


def find_row(model: BaseModel | None, *patterns: str, side: str | None = None) -> Any | None:
    """The first row whose label matches one of the regex patterns (on the compact label)."""
    for row in rows(model):
        if side is not None and getattr(row, "side", None) != side:
            continue
        label = flat(getattr(row, "label", ""))
        if any(re.search(p, label) for p in patterns):
            return row
    return None


def val(row: Any | None, field_name: str, label: str) -> Q | None:
    if row is None:
        return None
    fact = getattr(row, field_name, None)
    return q(fact, label) if isinstance(fact, Fact) else None


def total_row(model: BaseModel | None) -> Any | None:
    return next(
        (r for r in rows(model) if getattr(r, "code", None) is None and "合计" in flat(r.label)), None
    )


def coded(model: BaseModel | None) -> list[Any]:
    return [r for r in rows(model) if getattr(r, "code", None)]


def children(model: BaseModel | None, code: str) -> list[Any]:
    want = len(code) + 2
    return [r for r in coded(model) if r.code.startswith(code) and len(r.code) == want]


def fact_fields(row: Any) -> Iterator[tuple[str, Fact]]:
    for name in type(row).model_fields:
        value = getattr(row, name)
        if isinstance(value, Fact):
            yield name, value


def is_empty(table: BaseModel) -> bool:
    """A table whose every printed amount is blank or zero."""
    return all(not f.value for r in rows(table) for _, f in fact_fields(r))


def label_of(table_id: str, row: Any, column: str) -> str:
    code = getattr(row, "code", None)
    return f"{table_id} {code + ' ' if code else ''}{row.label} {column}"
