"""Extraction across table styles: each seed report rendered ruled, horizontal-rules-only and
borderless by the fixture builder, scored against the hand-labelled gold (value, unit, table, row,
column; pages are not compared, as another style breaks pages elsewhere). Prints matched, missing
and wrong (a value under the right key that differs: worse than a missing one) per report and style.

A first measure toward layout independence (issue 7): one producer only, three rule styles.
Run: ``python -m eval.variety [-v]``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from eval import score_extraction
from eval.fixtures import build
from service import pdf
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


if __name__ == "__main__":
    sys.exit(main())
