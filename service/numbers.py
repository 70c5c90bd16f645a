"""Reading printed numbers as Decimal: thousands separators, blanks and dashes, units. Pure."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

AMOUNT = re.compile(r"[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-−]?\d+(?:\.\d+)?")
BLANKS = ("", "——", "—", "-", "－", "–")
UNIT_IN_TEXT = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|亿元|元)")
UNIT_IN_LABEL = re.compile(r"[（(](万元|亿元|元)[）)]")


def parse_amount(text: str) -> tuple[Decimal, int] | None:
    """(value, decimals printed) for a cell, or None when it is not a number.
    Blank, —— and - are exactly 0 (checker-rules §0.2)."""
    compact = text.strip().replace(" ", "")
    if compact in BLANKS:
        return Decimal(0), 0
    compact = compact.replace("−", "-").rstrip("%")
    if not re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+(\.\d+)?", compact):
        return None
    try:
        value = Decimal(compact.replace(",", ""))
    except InvalidOperation:
        return None
    decimals = len(compact.split(".", 1)[1]) if "." in compact else 0
    return value, decimals


def is_amount(text: str) -> bool:
    return text.strip() not in BLANKS and parse_amount(text) is not None


def unit_of(text: str) -> str | None:
    """The money unit announced in a line such as "金额单位：万元" or a label "(万元)"."""
    m = UNIT_IN_TEXT.search(text) or UNIT_IN_LABEL.search(text)
    return m.group(1) if m else None


def compact(text: str) -> str:
    """Text with all whitespace removed (labels are compared this way)."""
    return re.sub(r"\s+", "", text)
