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
