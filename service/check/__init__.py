"""The deterministic checker: a Report in, Findings out. No I/O, no LLM, no floats, no clock.

Every rule of checker-rules.md is a small function registered below, grouped as in the
catalogue; each returns its evaluations through a Ctx, which records the operands (with page and
box) and which facts each outcome touched, so every fact gets a status.
"""

from __future__ import annotations

from schemas.facts import Status
from schemas.findings import CheckResult
from schemas.report import Report, iter_facts
from service.check import completeness, cross, intra, narrative, perf, roots, units
from service.check.base import Ctx, Rule

# Evaluation order as in checker-rules.md §6: tables alone, across tables, narrative, completeness;
# the unit rules last, as some of them summarise what the others found.
RULES: list[Rule] = [
    *intra.RULES,
    *perf.RULES,
    *cross.RULES,
    *narrative.RULES,
    *completeness.RULES,
    *units.RULES,
]


def check_report(report: Report) -> CheckResult:
    ctx = Ctx(report)
    for rule in RULES:
        ctx.current = rule
        rule.fn(ctx)
    roots.group(ctx.findings, ctx.deltas)
    apply_statuses(report, ctx)
    return CheckResult(
        doc=report.meta.file_name,
        doc_id=report.meta.doc_id,
        findings=ctx.findings,
        inventory=completeness.inventory(report),
    )


def apply_statuses(report: Report, ctx: Ctx) -> None:
    """failed if a failing rule blames the fact; else verified if an identity holds exactly through it;
    else residue if one holds within tolerance; else unverified (no rule touches it). An LLM-read value
    that still fails after its second attempt is unverified."""
    outcomes: dict[int, set[str]] = {}
    for outcome, facts, rule_id in ctx.touched:
        for n, fact in enumerate(facts):
            # a failed copy or ratio blames the value it checks (the first operand), not its references;
            # a failed sum inside one table leaves every operand suspect
            if fact is None or outcome == "FAIL" and n > 0 and not rule_id.startswith("INTRA"):
                continue
            outcomes.setdefault(id(fact), set()).add(outcome)
    for _, _, fact in iter_facts(report):
        seen = outcomes.get(id(fact), set())
        status: Status = (
            "failed"
            if "FAIL" in seen
            else "verified"
            if "PASS" in seen
            else "residue"
            if "PASS_RESIDUE" in seen
            else "unverified"
        )
        if status == "failed" and fact.source == "llm":
            status = "unverified"  # a model's value that breaks an identity is not trusted, nor blamed on the report
        fact.status = status
