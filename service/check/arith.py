"""Interval arithmetic on printed numbers (checker-rules §0.3, XBRL Calculations 1.1).

A printed number v with d decimals stands for the interval [v − h, v + h], h = ½·10^−d (0 for
blanks, zeros and counts). Money is compared in 元. Rounding is 四舍五入 (ROUND_HALF_UP).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from schemas.facts import MONEY_SCALE, Fact
from schemas.findings import Diagnosis, Operand, Outcome

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Q:
    """A quantity: a value in canonical units (元 for money), its half-unit, and where it came from."""

    value: Decimal
    half: Decimal
    label: str
    fact: Fact | None = None
    decimals: int = 2

    @property
    def lo(self) -> Decimal:
        return self.value - self.half

    @property
    def hi(self) -> Decimal:
        return self.value + self.half

    def operand(self) -> Operand:
        f = self.fact
        if f is None:
            return Operand(label=self.label, value=_plain(self.value))
        p = f.provenance
        return Operand(
            label=self.label,
            value=f.printed,
            unit=f.unit,
            page=p.page,
            bbox=p.bbox,
            table_id=p.table_id,
            text_span=p.text_span,
        )


def q(fact: Fact, label: str) -> Q:
    scale = MONEY_SCALE.get(fact.unit, Decimal(1))
    return Q(fact.value * scale, fact.half_ulp * scale, label, fact, fact.decimals)


def const(value: Decimal | int, label: str) -> Q:
    return Q(Decimal(value), ZERO, label)


def total(items: list[Q], label: str) -> Q:
    """The sum of several quantities as one (its half-unit is the sum of theirs)."""
    return Q(sum((i.value for i in items), ZERO), sum((i.half for i in items), ZERO), label)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text


@dataclass(frozen=True)
class Evaluation:
    outcome: Outcome
    expected: Decimal
    actual: Decimal
    tolerance: Decimal
    diagnosis: Diagnosis | None = None

    @property
    def delta(self) -> Decimal:
        return self.actual - self.expected


def _outcome(delta: Decimal, tolerance: Decimal) -> Outcome:
    if delta == 0:
        return "PASS"
    return "PASS_RESIDUE" if abs(delta) <= tolerance else "FAIL"


def check_sum(total: Q, items: Sequence[Q], weights: Sequence[int] | None = None) -> Evaluation:
    """total = Σ wᵢ·itemᵢ within h_T + Σ|wᵢ|·hᵢ over the non-zero operands (UNIT-04)."""
    weights = weights or [1] * len(items)
    expected = sum((w * i.value for w, i in zip(weights, items, strict=True)), ZERO)
    tolerance = total.half + sum(
        (abs(w) * i.half for w, i in zip(weights, items, strict=True) if i.value), ZERO
    )
    delta = total.value - expected
    outcome = _outcome(delta, tolerance)
    diagnosis: Diagnosis | None = None
    if outcome == "FAIL":
        diagnosis = _scale_or_sign(total.value, expected, tolerance)
    return Evaluation(outcome, expected, total.value, tolerance, diagnosis)


def check_copy(reported: Q, reference: Q) -> Evaluation:
    """Two prints of one fact agree when their intervals intersect (TOL_COPY, UNIT-08)."""
    tolerance = reported.half + reference.half
    delta = reported.value - reference.value
    same_precision = (
        reported.fact is not None
        and reference.fact is not None
        and reported.fact.unit == reference.fact.unit
        and reported.decimals == reference.decimals
    )
    if same_precision:  # Calc 1.1: duplicates at the same decimals must be equal
        tolerance = Decimal(0)
    outcome = _outcome(delta, tolerance)
    diagnosis: Diagnosis | None = None
    if outcome == "FAIL":
        if _truncated(reported, reference.lo, reference.hi):
            diagnosis = "TRUNCATED"
        else:
            diagnosis = _scale_or_sign(reported.value, reference.value, tolerance)
    return Evaluation(outcome, reference.value, reported.value, tolerance, diagnosis)


def check_ratio(reported: Q, numerator: Q, denominator: Q, scale: Decimal = HUNDRED) -> Evaluation | None:
    """reported ≈ numerator / denominator × scale: the quotient interval [a_lo/b_hi, a_hi/b_lo]
    must meet [p − h, p + h] (TOL_RATIO, UNIT-05). None when the denominator may be 0."""
    if denominator.lo <= 0:
        return None
    lo = max(numerator.lo, ZERO) / denominator.hi * scale
    hi = numerator.hi / denominator.lo * scale
    point = numerator.value / denominator.value * scale
    meets = lo <= reported.hi and reported.lo <= hi
    if meets:
        outcome: Outcome = "PASS" if lo <= reported.value <= hi else "PASS_RESIDUE"
        return Evaluation(outcome, point, reported.value, reported.half)
    diagnosis: Diagnosis | None = None
    d = reported.decimals
    if _truncated(reported, lo, hi):
        diagnosis = "TRUNCATED"
    elif round_half_up(round_half_up(point, d + 1), d) == reported.value:
        diagnosis = "DOUBLE_ROUNDED"
    else:
        diagnosis = _scale_or_sign(reported.value, point, reported.half)
    return Evaluation("FAIL", point, reported.value, reported.half, diagnosis)


def check_difference(reported: Q, a: Q, b: Q) -> Evaluation:
    """reported ≈ a − b, interval [a_lo − b_hi, a_hi − b_lo] (percentage points, changes)."""
    lo, hi = a.lo - b.hi, a.hi - b.lo
    point = a.value - b.value
    meets = lo <= reported.hi and reported.lo <= hi
    if meets:
        return Evaluation(
            "PASS" if point == reported.value else "PASS_RESIDUE", point, reported.value, reported.half
        )
    return Evaluation(
        "FAIL", point, reported.value, reported.half, _scale_or_sign(reported.value, point, reported.half)
    )


def _truncated(reported: Q, lo: Decimal, hi: Decimal) -> bool:
    """Passes when the printed value is read as truncated: [p, p + 10^−d) (Calc 1.1 truncation)."""
    step = 2 * reported.half
    return bool(step) and reported.value <= hi and lo < reported.value + step


def _scale_or_sign(actual: Decimal, expected: Decimal, tolerance: Decimal) -> Diagnosis | None:
    for factor in (Decimal(10) ** 4, Decimal(10) ** 8, Decimal(10) ** -4, Decimal(10) ** -8):
        if expected and abs(actual * factor - expected) <= max(tolerance * factor, tolerance):
            return "UNIT_SCALE"
    if actual and abs(-actual - expected) <= tolerance:
        return "SIGN"
    return None


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(10) ** -decimals, rounding=ROUND_HALF_UP)


def fmt(value: Decimal, decimals: int = 2) -> str:
    return format(round_half_up(value, decimals), "f")
