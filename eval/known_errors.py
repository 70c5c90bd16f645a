"""The real inconsistencies of the four sample reports (checker-rules.md §7A), as data: what the
checker must find, and the only errors it may raise on them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

KNOWN = Path(__file__).resolve().parent / "known_errors.json"


@cache
def known() -> list[dict[str, Any]]:
    return list(json.loads(KNOWN.read_text(encoding="utf-8"))["errors"])


def mentions(finding: Any, words: str) -> bool:
    return words in finding.message or any(words in o.value or words in o.label for o in finding.operands)


def allowed_error(fixture: str, finding: Any) -> bool:
    """An error finding that is one of the known inconsistencies (by rule id and page)."""
    return any(
        k["fixture"] == fixture and finding.rule_id in k["rules"] and k["page"] in finding.pages
        for k in known()
    )


def judge(fixture: str, findings: list[Any], by_page: bool = True) -> tuple[list[str], list[str]]:
    """(errors that are none of the known inconsistencies, known inconsistencies not found) for one
    checked rendering of ``fixture``. A paraphrased or re-rendered report moves text between pages,
    so ``by_page=False`` matches a known item by rule id and words only."""
    fails = [f for f in findings if f.outcome == "FAIL"]
    mine = [k for k in known() if k["fixture"] == fixture]

    def matches(f: Any, k: dict[str, Any]) -> bool:
        where = k["page"] in f.pages if by_page else mentions(f, k["words"])
        return f.rule_id in k["rules"] and where

    extra = [
        f"{f.rule_id} p{f.pages}: {f.message}"
        for f in fails
        if f.severity == "error" and not any(matches(f, k) for k in mine)
    ]
    missing = [
        f"§7A #{k['item']} {k['rules']} {k['words']}"
        for k in mine
        if not any(f.rule_id in k["rules"] and mentions(f, k["words"]) for f in fails)
    ]
    return extra, missing
