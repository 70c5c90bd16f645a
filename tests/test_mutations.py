"""Mutation tests: one number (or unit word) changed in a report, and the checker flags the broken
identity on the right page — in the extracted Report, and end to end in a re-rendered PDF through
`budgetqa check`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

from conftest import NAMES
from eval import mutations as M
from service import pdf
from service.check import check_report
from service.extract import extract_report


@cache
def generated() -> list[M.Mutation]:
    return [m for name in NAMES for m in M.generate(name)]


def test_at_least_30_mutations_over_the_four_fixtures_and_every_kind() -> None:
    ms = generated()
    assert len(ms) >= 30 and {m.fixture for m in ms} == set(NAMES)
    assert {"total", "item", "subtotal", "share", "narrative", "unit", "score"} <= {m.kind for m in ms}
    # unit words changed outside the 三公 paragraph too (the 基本支出 sentence, a 类 amount)
    assert {"unit_basic", "unit_class"} <= {m.kind for m in ms}


@cache
def baseline(name: str):  # type: ignore[no-untyped-def]
    report = extract_report(pdf.read_pdf(M.FIXTURES / f"{name}.pdf"))
    return report, check_report(report)


@pytest.mark.parametrize("mutation", generated(), ids=lambda m: m.name)
def test_a_mutated_report_is_flagged_on_the_right_page(mutation: M.Mutation) -> None:
    report, before = baseline(mutation.fixture)
    after = check_report(M.apply_to_report(report, mutation))
    found = M.caught(before, after, mutation.page)
    assert found, f"{mutation.label} {mutation.old}→{mutation.new} on page {mutation.page} not caught"
    # grouped or not, a finding the reviewer sees (a root or an ungrouped one) names the mutated cell
    shown = [f for f in found if f.root is None]
    assert any(o.page == mutation.page and o.value == mutation.new for f in shown for o in f.operands), (
        f"no root finding names {mutation.new} on page {mutation.page}"
    )
    assert all(f.severity == "info" and f.root for f in found if f.root)


def test_the_same_mutations_in_the_pdf_are_caught_through_budgetqa_check(tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = {name: M.cli_failures(M.FIXTURES / f"{name}.pdf", data) for name in NAMES}

    def run(m: M.Mutation) -> tuple[M.Mutation, list]:  # type: ignore[type-arg]
        path = M.render(m.fixture, m, tmp_path)
        return m, M.caught_by_cli(before[m.fixture], M.cli_failures(path, data), m.page)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, generated()))
    missed = [f"{m.name} {m.old}→{m.new}" for m, found in results if not found]
    assert len(results) >= 30 and missed == []


def test_seed_edits_touch_exactly_one_number() -> None:
    m = next(x for x in generated() if x.kind == "total" and x.fixture == NAMES[0])
    seed_file, _ = M.build.FIXTURES[m.fixture]
    text = (M.build.SEEDS / seed_file).read_text(encoding="utf-8")
    edited = M.apply_to_seed(text, m)
    assert len(edited) == len(text) and sum(a != b for a, b in zip(text, edited, strict=True)) <= len(m.old)
