"""Metric functions of the evaluation harness: pure (no I/O), each unit-tested with known inputs.

Unit normalisation and numeric matching live here once, for every metric: a money amount matches
when it is the same number of 元 (so 7,792,600 元 matches 779.26 万元), a percentage only another
percentage, a count only the same count."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MONEY = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000), "亿": Decimal(100_000_000)}
_AMOUNT = re.compile(r"(-?\d[\d,，]*(?:\.\d+)?)\s*(亿元|万元|亿|元|%|％)?")
# answers also state counts: a count matches the same count in the same (or an equivalent) unit
COUNTS = (
    "分",
    "人次",
    "批次",
    "个",
    "辆",
    "张",
    "人",
    "名",
    "家",
    "次",
    "台",
    "套",
    "项",
    "份",
    "平方米",
    "倍",
    "批",
    "万",
)
SAME_COUNT = {"批": "批次", "项": "个", "名": "人"}
_QUANTITY = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    rf"(万元|亿元|元|%|％|{'|'.join(sorted(COUNTS, key=len, reverse=True))})?"
)
_PAGE_REF = re.compile(r"第\s*\d+\s*页|第\s*\d+\s*[-–]\s*\d+\s*页")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?=\s*年)")


@dataclass(frozen=True)
class Amount:
    value: Decimal  # in 元 for money, in percent for shares, as printed otherwise
    kind: str  # "money" | "percent" | "number" | "count:<unit>"
    printed: Decimal | None = field(default=None, compare=False)  # as printed, before unit scaling

    def same(self, other: Amount) -> bool:
        return self.kind == other.kind and self.value == other.value


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None


def amount(text: str, default_unit: str | None = None) -> Amount | None:
    """The first number in ``text`` with its unit; ``default_unit`` applies when none is printed."""
    m = _AMOUNT.search(text.replace("−", "-"))
    value = _decimal(m.group(1)) if m else None
    if m is None or value is None:
        return None
    return with_unit(value, m.group(2) or default_unit)


def amounts(text: str) -> list[Amount]:
    """Every number in ``text`` with its unit (a number with no unit is a plain number)."""
    found = []
    for m in _AMOUNT.finditer(text.replace("−", "-")):
        value = _decimal(m.group(1))
        if value is not None:
            found.append(with_unit(value, m.group(2)))
    return found


def quantities(text: str) -> list[Amount]:
    """Every quantity an answer states (money, shares, counts), leaving out page references
    ("第17页") and years ("2023年")."""
    text = _PAGE_REF.sub(" ", text)
    found = []
    for m in _QUANTITY.finditer(text):
        if _YEAR.match(text, m.start()) and not m.group(2):
            continue
        value = _decimal(m.group(1))
        if value is not None:
            found.append(with_unit(value, m.group(2)))
    return found


def quantity(text: str) -> Amount | None:
    """The quantity ``text`` is, when it is exactly one number with a unit ("3个", "779.26万元")."""
    m = _QUANTITY.fullmatch(text.strip())
    value = _decimal(m.group(1)) if m and m.group(2) else None
    return with_unit(value, m.group(2)) if m and value is not None else None


def with_unit(value: Decimal, unit: str | None) -> Amount:
    if unit in MONEY:
        return Amount(value * MONEY[unit], "money", value)
    if unit in ("%", "％"):
        return Amount(value, "percent", value)
    if unit:
        return Amount(value, f"count:{SAME_COUNT.get(unit, unit)}", value)
    return Amount(value, "number", value)


def same_amount(gold: str, got: str, default_unit: str | None = None) -> bool:
    """The same quantity: equal after normalising units, and of the same kind."""
    a, b = amount(gold, default_unit), amount(got, default_unit)
    return a is not None and b is not None and a.kind == b.kind and a.value == b.value


def mentions(answer: str, gold: str) -> bool:
    """The answer states the gold quantity (in any money unit)."""
    want = amount(gold)
    return want is not None and any(a.kind == want.kind and a.value == want.value for a in amounts(answer))


@dataclass(frozen=True)
class FieldScore:
    total: int
    value: int
    unit: int
    page: int
    wrong: int  # a value found under the gold key but different: worse than a missing one

    @property
    def accuracy(self) -> float:
        """Fields right in value, unit and page at once (the headline figure)."""
        return ratio(min(self.value, self.unit, self.page), self.total)


def score_fields(
    pairs: Iterable[tuple[dict[str, str | int | None], dict[str, str | int | None] | None]],
) -> FieldScore:
    """Gold fields against the extracted field under the same key (None: not extracted). Value,
    unit and page are scored separately; a value counts as right when it is the same quantity."""
    total = value = unit = page = wrong = 0
    for gold, got in pairs:
        total += 1
        if got is None:
            continue
        g_unit, x_unit = gold.get("unit") or None, got.get("unit") or None
        ok_value = str(gold["value"]).strip() == str(got["value"]).strip() or same_amount(
            f"{gold['value']}{g_unit or ''}", f"{got['value']}{x_unit or ''}"
        )
        value += ok_value
        wrong += not ok_value
        unit += g_unit == x_unit
        page += gold.get("page") == got.get("page")
    return FieldScore(total, value, unit, page, wrong)


def ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def citation_precision(cited_pages: Sequence[int], answer_pages: Iterable[int]) -> float:
    """Cited pages that hold the answer / cited pages (1.0 when nothing is cited and nothing needed)."""
    if not cited_pages:
        return 0.0
    holding = set(answer_pages)
    return ratio(sum(p in holding for p in cited_pages), len(cited_pages))


def abstention_accuracy(outcomes: Iterable[tuple[bool, bool]]) -> float:
    """(answerable, answered) pairs: right when the unanswerable is declined and the answerable answered."""
    pairs = list(outcomes)
    return ratio(sum(answerable == answered for answerable, answered in pairs), len(pairs))


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile by the nearest-rank method (p in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


LOWER_IS_BETTER = ("false_errors", "latency", "_ms", "seconds", "cost", "tokens", "wrong", "missed")
TIMED = ("latency", "_ms", "per_s", "seconds")  # measured times: noisy from run to run


def regressions(previous: dict[str, float], current: dict[str, float], slack: float = 0.0) -> list[str]:
    """Metric names (flattened keys) that got worse. Scores must not drop at all; for timed figures
    ``slack`` is the relative change tolerated as noise."""
    worse = []
    for key, now in current.items():
        before = previous.get(key)
        if before is None or not isinstance(now, int | float) or not isinstance(before, int | float):
            continue
        lower = any(word in key for word in LOWER_IS_BETTER)
        tolerance = abs(before) * slack if any(word in key for word in TIMED) else 0.0
        if (now > before + tolerance) if lower else (now < before - tolerance):
            worse.append(key)
    return worse


def flatten(tree: dict, prefix: str = "") -> dict[str, float]:
    """{"a": {"b": 1}} → {"a.b": 1}: numbers only."""
    flat: dict[str, float] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[name] = value
    return flat
