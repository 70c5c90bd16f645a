"""Score extraction against the hand-labelled gold (eval/gold/*.json): the share of gold fields
whose value, unit and page match the extracted fact with the same key, per fixture.

Run: ``python eval/score_extraction.py [-v]``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service import pdf
from service.export import fact_rows
from service.extract import extract_report
from service.numbers import parse_amount

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GOLD = HERE / "gold"


def _flat(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or ""))


@dataclass
class Score:
    fixture: str
    total: int = 0
    matched: int = 0
    wrong: int = 0  # the field's key was found with another value
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.matched / self.total if self.total else 0.0


def candidates(gold: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for r in rows:
        if r["table_id"] != gold["table_id"] or r["field"] != gold["column"]:
            continue
        if "side" in gold and r.get("side") != gold["side"]:
            continue
        if "subject" in gold:
            a, b = _flat(r.get("subject")), _flat(gold["subject"])
            if not a or not (a in b or b in a):
                continue
        if ("row_code" in gold and _flat(r.get("row_code")) != _flat(gold["row_code"])) or (
            "row_code" not in gold
            and r.get("row_code")
            and gold["table_id"][0] in "TB"
            and gold["table_id"] != "B13"
        ):
            continue
        if _flat(r.get("row")) != _flat(gold["row"]):
            continue
        found.append(r)
    if len(found) > 1 and gold.get("level2"):
        narrowed = [r for r in found if _flat(r.get("level2")) == _flat(gold["level2"])]
        found = narrowed or found
    return found


def same_value(gold: str, got: str) -> bool:
    if _flat(gold) == "" or _flat(got) == "":
        return _flat(gold) == _flat(got)
    a, b = parse_amount(gold), parse_amount(got)
    if a is not None and b is not None and gold.strip().endswith("%") != got.strip().endswith("%"):
        return False
    if a is not None and b is not None:
        return a[0] == b[0]
    return _flat(gold) == _flat(got)


def score_fixture(name: str) -> Score:
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))["fields"]
    return score_report(name, gold, extract_report(pdf.read_pdf(FIXTURES / f"{name}.pdf")))


def score_report(name: str, gold: list[dict[str, Any]], report: Any, pages: bool = True) -> Score:
    """Gold fields matched by the report's facts (value, unit, and with ``pages`` the page). A field
    whose key is found with another value counts in ``wrong`` too: worse than a missing one."""
    rows = fact_rows(report)
    score = Score(name, total=len(gold))
    for g in gold:
        found = candidates(g, rows)
        ok = [
            r
            for r in found
            if same_value(str(g["value"]), str(r["value"]))
            and (not pages or r["page"] == g["page"])
            and (g.get("unit") or None) == (r.get("unit") or None)
        ]
        if ok:
            score.matched += 1
            continue
        if found:
            score.wrong += 1
        key = "/".join(
            str(g.get(k, "")) for k in ("table_id", "side", "subject", "row_code", "row", "column")
        )
        got = [(r["value"], r["unit"], r["page"]) for r in found[:3]]
        score.misses.append(
            f"{key}: want {g['value']!r} {g.get('unit')} p{g['page']}, got {got or 'nothing'}"
        )
    return score


def main() -> int:
    verbose = "-v" in sys.argv
    for gold_file in sorted(GOLD.glob("*.json")):
        score = score_fixture(gold_file.stem)
        print(f"{score.fixture:<24} {score.matched:>4}/{score.total:<4} {100 * score.accuracy:6.2f}%")
        for miss in score.misses if verbose else score.misses[:5]:
            print("   ", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
