"""Extraction across layouts.

``python -m eval.variety generated [--n 40] [--seed 7] [--dir DIR] [-v]``: the layout-variety
renderings (eval/fixtures/variety: random layouts, two producers), every printed value cell
scored against the rendering's sidecar (value, table, row, column, page), with accuracy per
layout parameter, wrong values and values landing in a wrong column counted apart.

``python -m eval.variety [-v]`` (the first measure): each seed report rendered ruled, horizontal-rules-only and
borderless by the fixture builder, scored against the hand-labelled gold (value, unit, table, row,
column; pages are not compared, as another style breaks pages elsewhere). Prints matched, missing
and wrong (a value under the right key that differs: worse than a missing one) per report and style.

A first measure toward layout independence (issue 7): one producer only, three rule styles.
Run: ``python -m eval.variety [-v]``.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from eval import score_extraction
from eval.fixtures import build
from service import pdf
from service.export import fact_rows
from service.extract import extract_report

STYLES = ("ruled", "horizontal", "borderless")
TABBED = ("jiaozuo_2021_final", "yangquan_2022_final", "zhumadian_2024_budget")


def score_styles(out: Path) -> list[score_extraction.Score]:
    scores = []
    for name in TABBED:
        seed = build.SEEDS / build.FIXTURES[name][0]
        gold = json.loads((score_extraction.GOLD / f"{name}.json").read_text(encoding="utf-8"))["fields"]
        for style in STYLES:
            path = build.render_pdf(seed.read_text(encoding="utf-8"), style, out / f"{name}-{style}.pdf")
            report = extract_report(pdf.read_pdf(path))
            scores.append(score_extraction.score_report(f"{name} {style}", gold, report, pages=False))
    return scores


def main() -> int:
    if sys.argv[1:2] == ["generated"]:
        return generated_main(sys.argv[2:])
    verbose = "-v" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        scores = score_styles(Path(tmp))
    print(f"{'rendering':<36}{'matched':>9}{'missing':>9}{'wrong':>7}{'accuracy':>10}")
    for s in scores:
        missing = s.total - s.matched - s.wrong
        print(f"{s.fixture:<36}{s.matched:>5}/{s.total:<4}{missing:>8}{s.wrong:>7}{100 * s.accuracy:>9.1f}%")
        for miss in s.misses if verbose else s.misses[:3]:
            print("    ", miss)
    for style in STYLES:
        chosen = [s for s in scores if s.fixture.endswith(style)]
        total, matched = sum(s.total for s in chosen), sum(s.matched for s in chosen)
        print(
            f"{style:<12} {matched}/{total} = {100 * matched / total:.1f}%, wrong {sum(s.wrong for s in chosen)}"
        )
    return 0


# ---------------------------------------------------------------- generated layouts (issue 7)

PERFORMANCE_FIELDS = ("target", "actual", "weight", "score")  # the 绩效 indicator cells


@dataclass
class Rendering:
    """One generated rendering scored cell by cell against its sidecar."""

    name: str
    params: dict[str, Any]
    total: int = 0
    matched: int = 0
    wrong_column: int = 0  # a fact read from a printed cell's box under another table/row/field
    wrong_value: int = 0  # the cell's key found with another value
    by_field: Counter = dc_field(default_factory=Counter)
    hit_field: Counter = dc_field(default_factory=Counter)
    misses: list[str] = dc_field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.matched / self.total if self.total else 1.0


def _same_key(cell: dict[str, Any], row: dict[str, Any]) -> bool:
    if row["table_id"] != cell["table_id"] or row["field"] != cell["field"]:
        return False
    if cell.get("side") and row.get("side") != cell["side"]:
        return False
    if "row_code" in cell and _flat(row.get("row_code")) != _flat(cell["row_code"]):
        return False
    if cell.get("subject") and cell["table_id"] in ("PP", "PT", "B13"):  # several forms, one title
        a, b = _flat(row.get("subject")), _flat(cell["subject"])
        if not a or not (a in b or b in a):
            return False
    return _flat(row.get("row")) == _flat(cell["row"])


def _flat(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def _overlaps(a: list[float], b: list[float]) -> bool:
    """Centre of ``a`` inside ``b`` (grown by 1 pt)."""
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1


def score_rendering(pdf_path: Path, sidecar: dict[str, Any]) -> Rendering:
    params = {**{f"layout.{k}": v for k, v in sidecar["layout"].items()}}
    params.update({f"choice.{k}": v for k, v in sidecar["choices"].items()})
    params.update(producer=sidecar["producer"], report=sidecar["report"])
    out = Rendering(sidecar["name"], params)
    try:
        report = extract_report(pdf.read_pdf(pdf_path))
    except Exception as exc:  # a crash reads nothing: every cell missed, the crash named
        out.misses.append(f"EXTRACTION FAILED: {type(exc).__name__}: {exc}")
        report = None
    rows = [r for r in fact_rows(report) if r["table_id"] != "NAR"] if report is not None else []
    by_page: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_page.setdefault(r["page"], []).append(r)
    for cell in sidecar["cells"]:
        out.total += 1
        out.by_field[cell["field"]] += 1
        found = [r for r in rows if _same_key(cell, r)]
        ok = [
            r
            for r in found
            if r["page"] == cell["page"] and score_extraction.same_value(str(cell["value"]), str(r["value"]))
        ]
        if ok:
            out.matched += 1
            out.hit_field[cell["field"]] += 1
            continue
        if found:
            out.wrong_value += 1
        got = [(r["value"], r["page"]) for r in found[:2]]
        key = "/".join(
            str(cell.get(k) or "") for k in ("table_id", "subject", "side", "row_code", "row", "field")
        )
        out.misses.append(
            f"{key} [{cell['column']}]: want {cell['value']!r} p{cell['page']}, got {got or 'nothing'}"
        )
    # a fact whose box is a printed cell's box must carry that cell's key (else: wrong column)
    for r in rows:
        if not r.get("bbox"):
            continue
        for cell in sidecar["cells"]:
            if (
                cell["page"] == r["page"]
                and _overlaps(cell["bbox"], r["bbox"])
                and _overlaps(r["bbox"], cell["bbox"])
            ):
                if not _same_key(cell, r):
                    out.wrong_column += 1
                    out.misses.append(
                        f"WRONG COLUMN {r['table_id']}/{r.get('row')}/{r['field']}={r['value']!r} p{r['page']}"
                        f" is the printed cell {cell['table_id']}/{cell.get('row')}/{cell['field']}"
                    )
                break
    return out


def score_generated(directory: Path) -> list[Rendering]:
    out = []
    for side in sorted(directory.glob("*.json")):
        pdf_path = side.with_suffix(".pdf")
        if pdf_path.exists():
            out.append(score_rendering(pdf_path, json.loads(side.read_text(encoding="utf-8"))))
    return out


def by_parameter(results: list[Rendering]) -> dict[str, dict[str, tuple[int, int]]]:
    """Parameter → value → (matched, total) over all cells of the renderings with that value."""
    table: dict[str, dict[str, list[int]]] = {}
    for res in results:
        for key, value in res.params.items():
            slot = table.setdefault(key, {}).setdefault(str(value), [0, 0])
            slot[0] += res.matched
            slot[1] += res.total
    return {k: {v: (m, t) for v, (m, t) in vals.items()} for k, vals in table.items()}


def summary(results: list[Rendering]) -> dict[str, Any]:
    total = sum(r.total for r in results)
    matched = sum(r.matched for r in results)
    perf_total = sum(r.by_field[f] for r in results for f in PERFORMANCE_FIELDS)
    perf_hit = sum(r.hit_field[f] for r in results for f in PERFORMANCE_FIELDS)
    return {
        "renderings": len(results),
        "cells": total,
        "matched": matched,
        "accuracy": matched / total if total else 1.0,
        "performance_cells": perf_total,
        "performance_accuracy": perf_hit / perf_total if perf_total else 1.0,
        "wrong_value": sum(r.wrong_value for r in results),
        "wrong_column": sum(r.wrong_column for r in results),
    }


def print_generated(results: list[Rendering], verbose: bool) -> None:
    print(f"{'rendering':<40}{'matched':>14}{'acc':>8}{'wrongval':>9}{'wrongcol':>9}")
    for r in results:
        print(
            f"{r.name:<40}{r.matched:>7}/{r.total:<6}{100 * r.accuracy:>7.1f}%{r.wrong_value:>9}{r.wrong_column:>9}"
        )
        for miss in r.misses if verbose else r.misses[:3]:
            print("    ", miss)
    print("\naccuracy per layout parameter (cells matched / printed):")
    for key, values in sorted(by_parameter(results).items()):
        if len(values) < 2 and not key.startswith("producer"):
            continue
        parts = [f"{v}: {100 * m / t:.1f}% ({m}/{t})" for v, (m, t) in sorted(values.items()) if t]
        print(f"  {key:<24}" + "  ".join(parts))
    fields: Counter = Counter()
    hits: Counter = Counter()
    for r in results:
        fields.update(r.by_field)
        hits.update(r.hit_field)
    print("\naccuracy per field:")
    print(
        "  " + "  ".join(f"{f}: {100 * hits[f] / n:.1f}% ({hits[f]}/{n})" for f, n in sorted(fields.items()))
    )
    s = summary(results)
    print(
        f"\nall: {s['matched']}/{s['cells']} = {100 * s['accuracy']:.2f}% of printed cells exact;"
        f" 绩效 indicator cells {100 * s['performance_accuracy']:.2f}% of {s['performance_cells']};"
        f" wrong values {s['wrong_value']}, values in a wrong column {s['wrong_column']}"
    )


def generated_main(args: list[str]) -> int:
    import argparse

    from eval.fixtures.variety import generate

    ap = argparse.ArgumentParser(prog="python -m eval.variety generated")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, help="score the renderings already in DIR (e.g. the committed set)")
    ap.add_argument("--producer", choices=generate.PRODUCERS)
    ap.add_argument("-v", action="store_true")
    opts = ap.parse_args(args)
    if opts.dir:
        results = score_generated(opts.dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            for item in generate.plan(opts.seed, opts.n):
                if opts.producer and item["producer"] != opts.producer:
                    continue
                generate.render_one(item, Path(tmp))
            results = score_generated(Path(tmp))
    print_generated(results, opts.v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
