"""Extraction on the committed layout-variety renderings (eval/fixtures/variety/pdf: 12 PDFs, all
four reports, every rule style, both producers; no LibreOffice needed): every printed value cell
scored against its sidecar. Per-style accuracy is held as a floor (raise it as the readers
improve; issue 7 asks for 99.5% overall), and no new value may land in a wrong column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import variety
from eval.fixtures.variety import generate

COMMITTED = generate.COMMITTED

# measured on the committed set (python -m eval.variety generated --dir eval/fixtures/variety/pdf)
FLOORS = {"grid": 0.99, "header": 0.98, "horizontal": 0.99, "none": 0.985}


@pytest.fixture(scope="module")
def results() -> list[variety.Rendering]:
    return variety.score_generated(COMMITTED)


def test_the_committed_set_covers_every_report_style_and_producer() -> None:
    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(COMMITTED.glob("*.json"))]
    assert len(sidecars) == 12
    assert {s["report"] for s in sidecars} == set(generate.C.REPORTS)
    assert {s["rules"] for s in sidecars} == {"grid", "horizontal", "header", "none"}
    assert {s["producer"] for s in sidecars} == {"pymupdf", "office"}
    for s in sidecars:
        assert s["cells"], s["name"]
        assert Path(COMMITTED / f"{s['name']}.pdf").exists()


def test_generation_is_reproducible(tmp_path: Path) -> None:
    """Rendering k of a seeded run draws the same cells, pages and boxes every time."""
    item = next(i for i in generate.plan(generate.COMMITTED_SEED, 16) if i["index"] == 0)
    generate.render_one(item, tmp_path)
    name = generate.name_of(item)
    fresh = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
    committed = json.loads((COMMITTED / f"{name}.json").read_text(encoding="utf-8"))
    assert fresh["cells"] == committed["cells"]


@pytest.mark.parametrize("style", sorted(FLOORS))
def test_per_style_accuracy_floor(results: list[variety.Rendering], style: str) -> None:
    chosen = [r for r in results if r.params["layout.rules"] == style]
    matched, total = sum(r.matched for r in chosen), sum(r.total for r in chosen)
    assert total > 0
    assert matched / total >= FLOORS[style], [m for r in chosen for m in r.misses[:3]]


@pytest.mark.parametrize("style", sorted(FLOORS))
def test_no_value_in_a_wrong_column(results: list[variety.Rendering], style: str) -> None:
    """No value is read from a printed cell's box under another table, row or field: a wrong
    value is worse than a missing one."""
    chosen = [r for r in results if r.params["layout.rules"] == style]
    wrong = [m for r in chosen for m in r.misses if m.startswith("WRONG")]
    assert sum(r.wrong_column for r in chosen) == 0, wrong[:5]


def test_every_performance_cell_of_the_committed_set_is_read(results: list[variety.Rendering]) -> None:
    """绩效 forms (PE, PP, B12, B13, PT) are read from where their words sit, whatever the drawing:
    every 指标值, 实际完成值, 分值 and 得分 cell of the committed renderings, exactly."""
    s = variety.summary(results)
    assert s["performance_cells"] > 1500
    assert s["performance_accuracy"] == 1.0, [
        m for r in results for m in r.misses if m.startswith(("PE", "PP"))
    ][:5]


def test_ruled_pymupdf_renderings_put_no_value_in_a_wrong_column(results: list[variety.Rendering]) -> None:
    for r in results:
        if r.params["layout.rules"] == "grid" and r.params["producer"] == "pymupdf":
            assert r.wrong_column == 0, [m for m in r.misses if "WRONG" in m][:5]
