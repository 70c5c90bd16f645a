"""Ruled tables read from the rules and the characters already read (service.ruled): the same as
PyMuPDF's find_tables on every page of the fixtures, and exactly what was drawn on grids made at
random in styles the code was not written against (whole lines, one rectangle per cell, a stroke
per cell side, thin filled bars, overshooting rules, merged header cells, dashed rules)."""

from __future__ import annotations

import random
from pathlib import Path

import pymupdf
import pytest

from service import pdf, ruled

ROOT = Path(__file__).resolve().parents[1]
STYLES = ("lines", "cells", "sides", "bars", "dashed")


def reference(page: pymupdf.Page) -> list[list[list[str | None]]]:
    out = []
    for table in page.find_tables().tables:
        texts = table.extract()
        out.append(
            [
                [
                    pdf._cell_text(texts[r][c]) if box is not None and texts[r][c] is not None else None
                    for c, box in enumerate(row.cells)
                ]
                for r, row in enumerate(table.rows)
            ]
        )
    return out


def ours(page: pymupdf.Page) -> list[list[list[str | None]]]:
    tables = ruled.tables_from_rules(pdf._rules(page), pdf._lines(page))
    return [[[c.text if c else None for c in row] for row in t.rows] for t in tables]


@pytest.mark.parametrize("name", ["jiaozuo_2021_final", "yangquan_2022_final", "zhumadian_2024_budget"])
def test_every_fixture_page_matches_find_tables(name: str) -> None:
    with pymupdf.open(ROOT / "eval" / "fixtures" / f"{name}.pdf") as doc:
        for page in doc:
            assert ours(page) == reference(page), f"{name} page {page.number + 1}"


def width_of(text: str, font: str, size: float) -> float:
    return pymupdf.get_text_length(text, font, size) if font == "helv" else size * len(text)


Grid = list[list[str | None]]


def draw_grid(page: pymupdf.Page, rng: random.Random, top: float) -> tuple[float, Grid]:
    """One random table starting at ``top``: its bottom, and the cell texts it holds (None where
    the merged header cell covers the slot)."""
    style = rng.choice(STYLES)
    cols = rng.randint(2, 7)
    rows = rng.randint(2, 12)
    left = rng.uniform(30, 60)
    widths = [rng.uniform(45, 90) for _ in range(cols)]
    heights = [rng.uniform(16, 28) for _ in range(rows)]
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)
    merge = cols > 2 and rng.random() < 0.5  # first two header cells merged
    width = rng.choice((0.5, 0.75, 1.0))
    over = rng.uniform(0, 1.5)
    shape = page.new_shape()

    def rule(x0: float, y0: float, x1: float, y1: float) -> None:
        if style == "bars":
            if y0 == y1:
                shape.draw_rect(pymupdf.Rect(x0, y0 - width / 2, x1, y0 + width / 2))
            else:
                shape.draw_rect(pymupdf.Rect(x0 - width / 2, y0, x0 + width / 2, y1))
        elif style == "dashed":
            n = max(1, int(max(x1 - x0, y1 - y0) / 3))  # dashes about 2 pt, gaps under 2 pt
            for i in range(n):
                a, b = i / n, (i + 0.7) / n
                shape.draw_line(
                    (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)
                )
        else:
            shape.draw_line((x0, y0), (x1, y1))

    if style == "cells":
        for r in range(rows):
            for c in range(cols):
                if merge and r == 0 and c == 1:
                    continue
                x1 = xs[c + 2] if merge and r == 0 and c == 0 else xs[c + 1]
                shape.draw_rect(pymupdf.Rect(xs[c], ys[r], x1, ys[r + 1]))
    elif style in ("sides", "dashed"):
        for r in range(rows):
            for c in range(cols):
                rule(xs[c], ys[r], xs[c + 1], ys[r])
                rule(xs[c], ys[r + 1], xs[c + 1], ys[r + 1])
                if not (merge and r == 0 and c == 1):
                    rule(xs[c], ys[r], xs[c], ys[r + 1])
                if not (merge and r == 0 and c == 0):
                    rule(xs[c + 1], ys[r], xs[c + 1], ys[r + 1])
    else:
        for y in ys:
            rule(xs[0] - over, y, xs[-1] + over, y)
        for c, x in enumerate(xs):
            if merge and c == 1:
                rule(x, ys[1], x, ys[-1] + over)
            else:
                rule(x, ys[0] - over, x, ys[-1] + over)
    fill = (0, 0, 0) if style == "bars" else None
    shape.finish(color=None if style == "bars" else (0, 0, 0), fill=fill, width=width)
    shape.commit()
    truth: Grid = [[] for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            if merge and r == 0 and c == 1:
                truth[r].append(None)
                continue
            text = (
                rng.choice(("合计", "一般公共服务支出", "项目", ""))
                if c == 0 or r == 0
                else f"{rng.uniform(0, 99999):,.2f}"
            )
            font = "helv" if text[:1].isdigit() else "china-s"
            size = rng.choice((7.0, 8.0, 9.0))
            while text and width_of(text, font, size) > xs[c + 1] - xs[c] - 4:  # printed inside its cell
                size -= 0.5
            if text:
                page.insert_text((xs[c] + 2, ys[r + 1] - 5), text, fontname=font, fontsize=size)
            truth[r].append(text)
    return ys[-1], truth


@pytest.mark.parametrize("seed", range(30))
def test_random_grids_read_back_exactly(seed: int) -> None:
    rng = random.Random(seed)
    doc = pymupdf.open()
    drawn: list[list[Grid]] = []
    for _ in range(4):
        page = doc.new_page(width=595, height=842)
        top, grids = 40.0, []
        while top < 560:
            bottom, truth = draw_grid(page, rng, top)
            grids.append(truth)
            top = bottom + rng.uniform(20, 60)
            if rng.random() < 0.3:
                page.insert_text((40, top - 8), "说明：本表金额单位为万元。", fontname="china-s", fontsize=9)
        drawn.append(grids)
    doc = pymupdf.open("pdf", doc.tobytes())  # read back what a file would hold
    for page, grids in zip(doc, drawn, strict=True):
        assert ours(page) == grids, f"seed {seed} page {page.number + 1}"
