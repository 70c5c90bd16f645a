"""Extraction across table styles (eval/variety.py), as a floor that issue 7 raises: the ruled
renderings stay exact, and the horizontal-only and borderless ones never lose ground."""

from __future__ import annotations

from pathlib import Path

from eval import variety


def test_rule_styles_hold_their_measured_accuracy(tmp_path: Path) -> None:
    scores = {s.fixture: s for s in variety.score_styles(tmp_path)}
    for name in variety.TABBED:
        assert scores[f"{name} ruled"].accuracy == 1.0
    for style in ("horizontal", "borderless"):
        # measured 2026-12-03: jiaozuo and zhumadian exact; yangquan loses its 绩效 forms (226/470),
        # where the borderless reader joins the end of a project form and the 整体 form into one table
        assert scores[f"jiaozuo_2021_final {style}"].accuracy == 1.0
        assert scores[f"zhumadian_2024_budget {style}"].accuracy == 1.0
        yangquan = scores[f"yangquan_2022_final {style}"]
        assert yangquan.matched >= 226 and yangquan.wrong <= 1
