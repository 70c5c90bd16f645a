"""The evaluation harness around its metrics: thresholds, the printed table with regressions marked,
report files, and the label skeleton. (The metric functions: tests/test_metrics.py; the full offline
run is `budgetqa eval`, which `make test` runs after the tests.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from eval import harness, label
from service import cli

REPORT = {
    "extraction": {"accuracy": 1.0, "value": 1.0, "unit": 1.0, "page": 1.0, "wrong": 0, "fixtures": {}},
    "checker": {"recall": 1.0, "false_errors": 0},
    "qa": {
        "accuracy": 0.95,
        "citation_precision": 0.9,
        "by_type": {"lookup": 1.0},
        "latency_ms": {"p95": 80.0},
    },
    "speed": {"pages_per_s": 50.0, "qa_latency_ms": {"p95": 80.0}},
}


def test_thresholds_and_regressions(tmp_path: Path) -> None:
    limits = harness.thresholds()
    assert harness.below(REPORT, limits) == []
    worse = json.loads(json.dumps(REPORT))
    worse["checker"]["false_errors"] = 2
    worse["qa"]["accuracy"] = 0.90
    worse["speed"]["qa_latency_ms"]["p95"] = 90.0  # +12.5%: within the noise allowed for times
    assert harness.below(worse, limits) == [
        "checker.false_errors = 2 (above the threshold 0.0)",
        "qa.accuracy = 0.9 (below the threshold 0.92)",
    ]
    open_issue = {"extraction": {"variety": {"accuracy": 0.991}}}
    assert harness.below(open_issue, limits) == []  # above the floor CI holds
    assert harness.below(open_issue, limits, "target") == [
        "extraction.variety.accuracy = 0.991 (below the target 0.995)"
    ]
    rows = {
        label.strip(): (value, old, mark) for label, value, old, mark in harness.table_rows(worse, REPORT)
    }
    assert rows["qa: correct with a gold page cited"] == ("90.00%", "95.00%", "REGRESSION")
    assert rows["checker: false errors (fixtures + paraphrase corpus)"] == ("2", "0", "REGRESSION")
    assert rows["speed: QA latency p95 ms"] == ("90", "80", "")
    assert rows["lookup"] == ("100.00%", "100.00%", "")

    assert harness.write(REPORT, tmp_path) is None
    assert harness.write(worse, tmp_path) == REPORT  # the previous report is what is compared
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| qa: correct with a gold page cited | 90.00% | 95.00% | REGRESSION |" in markdown
    assert "Below threshold" in markdown
    keys = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert keys["qa"]["accuracy"] == 0.90


def test_unknown_section_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown section"):
        harness.evaluate(["nonsense"])
    assert cli.main(["eval", "--only", "nonsense"]) == 1


def test_label_skeleton_is_never_taken_as_gold(tmp_path: Path) -> None:
    target = tmp_path / "gold.json"
    assert cli.main(["eval", "label", str(FIXTURES / "jiaozuo_2021_final.pdf"), "-o", str(target)]) == 0
    skeleton = json.loads(target.read_text(encoding="utf-8"))
    gold = json.loads((FIXTURES.parent / "gold" / "jiaozuo_2021_final.json").read_text(encoding="utf-8"))
    assert len(skeleton["fields"]) >= len(gold["fields"])
    assert label.unconfirmed(skeleton) == len(skeleton["fields"])
    first = skeleton["fields"][0]
    assert {"table_id", "row", "column", "value", "unit", "page", "confirmed"} <= set(first)
    assert label.unconfirmed(gold) == 0
