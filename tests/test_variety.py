"""Extraction across table styles (eval/variety.py): every gold field of the tabbed seeds, rendered
ruled, horizontal-rules-only and borderless, is extracted exactly, and none with a wrong value."""

from __future__ import annotations

import pytest

from eval import variety


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return {s.fixture: s for s in variety.score_styles(tmp_path_factory.mktemp("styles"))}


@pytest.mark.parametrize("style", variety.STYLES)
def test_every_gold_field_in_every_rule_style(scores: dict, style: str) -> None:
    for name in variety.TABBED:
        score = scores[f"{name} {style}"]
        assert score.wrong == 0, score.misses[:5]
        assert score.accuracy == 1.0, score.misses[:5]
