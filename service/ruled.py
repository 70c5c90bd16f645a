"""Ruled tables from the page's vector rules and the characters already read: no second text pass.

The grid is found as pdfplumber and PyMuPDF's ``find_tables`` ("lines" strategy) find it: rules
are snapped and joined into edges, edges crossing make intersections, and four intersections
joined by edges on every side make a cell; cells sharing corners form a table. Cell text is then
read from the page's own lines, character by character, by the centre of each character's box.
Pure geometry: no PDF library here (service.pdf passes the rules in).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.document import BBox, Cell, Line, Table, rounded, union

SNAP = 3.0  # rules this close are one rule (points)
JOIN = 3.0  # collinear pieces with gaps this small are one edge (dashed lines, cell-by-cell strokes)
TOUCH = 3.0  # an edge ending this close to another still meets it
MIN_EDGE = 3.0
_SPACES = re.compile(r"\s{2,}")


@dataclass(frozen=True)
class Edge:
    at: float  # y of a horizontal edge, x of a vertical one
    start: float
    end: float


def split_rules(boxes: Iterable[BBox]) -> tuple[list[Edge], list[Edge]]:
    """Horizontal and vertical edges from rule boxes: a thin box is one rule, a wider one (a cell
    outline or a filled cell) gives its four sides."""
    horizontal: list[Edge] = []
    vertical: list[Edge] = []
    for x0, y0, x1, y1 in boxes:
        x0, x1 = min(x0, x1), max(x0, x1)
        y0, y1 = min(y0, y1), max(y0, y1)
        thin_h, thin_v = y1 - y0 <= 2 * SNAP / 3, x1 - x0 <= 2 * SNAP / 3
        if thin_h and thin_v:
            continue
        if thin_h:
            horizontal.append(Edge((y0 + y1) / 2, x0, x1))
        elif thin_v:
            vertical.append(Edge((x0 + x1) / 2, y0, y1))
        else:
            horizontal += [Edge(y0, x0, x1), Edge(y1, x0, x1)]
            vertical += [Edge(x0, y0, y1), Edge(x1, y0, y1)]
    return _merge(horizontal), _merge(vertical)


def _merge(edges: list[Edge]) -> list[Edge]:
    """Snap edges whose positions differ by at most SNAP to their mean, then join overlapping or
    nearly touching pieces at one position."""
    edges = sorted(edges, key=lambda e: e.at)
    groups: list[list[Edge]] = []
    for edge in edges:
        if groups and edge.at - groups[-1][-1].at <= SNAP:
            groups[-1].append(edge)
        else:
            groups.append([edge])
    out: list[Edge] = []
    for group in groups:
        at = sum(e.at for e in group) / len(group)
        current: list[float] | None = None
        for e in sorted(group, key=lambda e: e.start):
            if current is not None and e.start <= current[1] + JOIN:
                current[1] = max(current[1], e.end)
                continue
            if current is not None:
                out.append(Edge(at, current[0], current[1]))
            current = [e.start, e.end]
        if current is not None:
            out.append(Edge(at, current[0], current[1]))
    return [e for e in out if e.end - e.start >= MIN_EDGE]


def cells(horizontal: Sequence[Edge], vertical: Sequence[Edge]) -> list[BBox]:
    """Smallest rectangles whose four corners are intersections and whose sides lie on edges."""
    points: dict[tuple[float, float], tuple[set[int], set[int]]] = {}
    for vi, v in enumerate(vertical):
        for hi, h in enumerate(horizontal):
            if h.start - TOUCH <= v.at <= h.end + TOUCH and v.start - TOUCH <= h.at <= v.end + TOUCH:
                hs, vs = points.setdefault((v.at, h.at), (set(), set()))
                hs.add(hi)
                vs.add(vi)
    by_x: dict[float, list[float]] = defaultdict(list)
    by_y: dict[float, list[float]] = defaultdict(list)
    for x, y in sorted(points):
        by_x[x].append(y)
        by_y[y].append(x)

    def joined(a: tuple[float, float], b: tuple[float, float]) -> bool:
        side = 1 if a[0] == b[0] else 0  # same x: a vertical edge must join them
        return bool(points[a][side] & points[b][side])

    found: list[BBox] = []
    for x, y in sorted(points):
        below = [b for b in by_x[x] if b > y]
        right = [r for r in by_y[y] if r > x]
        cell = _first_cell((x, y), below, right, points, joined)
        if cell is not None:
            found.append(cell)
    return found


def _first_cell(
    corner: tuple[float, float],
    below: list[float],
    right: list[float],
    points: dict,
    joined: object,
) -> BBox | None:
    x, y = corner
    for by in below:
        if not joined(corner, (x, by)):  # type: ignore[operator]
            continue
        for rx in right:
            if not joined(corner, (rx, y)):  # type: ignore[operator]
                continue
            far = (rx, by)
            if far in points and joined(far, (rx, y)) and joined(far, (x, by)):  # type: ignore[operator]
                return (x, y, rx, by)
    return None


def group_tables(boxes: list[BBox]) -> list[list[BBox]]:
    """Cells sharing a corner belong to one table; a lone cell (a boxed title, a page frame) is none."""
    parent = list(range(len(boxes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[float, float], int] = {}
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        for corner in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
            if corner in owner:
                parent[find(i)] = find(owner[corner])
            else:
                owner[corner] = i
    groups: dict[int, list[BBox]] = defaultdict(list)
    for i, box in enumerate(boxes):
        groups[find(i)].append(box)
    tables = [g for g in groups.values() if len(g) > 1]
    return sorted(tables, key=lambda g: (min(b[1] for b in g), min(b[0] for b in g)))


MAX_CROSSINGS = 1_000_000  # beyond this a page is a drawing (a chart, a map), not a table grid


class TooManyRules(ValueError):
    pass


def tables_from_rules(rules: Iterable[BBox], lines: Sequence[Line]) -> list[Table]:
    """Ruled tables, rows top to bottom, a cell in the column where it starts (None where a merged
    cell covers the slot), as find_tables' ``rows`` gives them. Raises TooManyRules for pages whose
    edges would cross more than MAX_CROSSINGS times."""
    horizontal, vertical = split_rules(rules)
    if len(horizontal) < 2 or len(vertical) < 2:
        return []
    if len(horizontal) * len(vertical) > MAX_CROSSINGS:
        raise TooManyRules(f"{len(horizontal)} × {len(vertical)} rules")
    out = []
    for group in group_tables(cells(horizontal, vertical)):
        texts = _cell_texts(group, lines)
        tops = sorted({b[1] for b in group})
        lefts = sorted({b[0] for b in group})
        at = {(b[0], b[1]): b for b in group}
        rows: list[list[Cell | None]] = []
        for top in tops:
            row: list[Cell | None] = []
            for left in lefts:
                box = at.get((left, top))
                row.append(None if box is None else Cell(text=texts[box], bbox=rounded(box)))
            rows.append(row)
        right = max(b[2] for b in group)
        columns = [(a, b) for a, b in zip(lefts, lefts[1:] + [right], strict=True)]
        out.append(Table(bbox=rounded(union(group)), rows=rows, ruled=True, columns=columns))
    return out


def _cell_texts(boxes: list[BBox], lines: Sequence[Line]) -> dict[BBox, str]:
    """Each cell's text: the characters whose centre lies inside it, line by line, top to bottom."""
    parts: dict[BBox, list[tuple[float, float, str]]] = defaultdict(list)
    x0s, y0s, x1s, y1s = union(boxes)
    for line in lines:
        lx0, ly0, lx1, ly1 = line.bbox
        cy = (ly0 + ly1) / 2
        if not (y0s <= cy <= y1s) or lx1 < x0s or lx0 > x1s:
            continue
        row_boxes = [b for b in boxes if b[1] <= cy <= b[3]]
        if not row_boxes:
            continue
        xs = line.char_x
        if len(xs) == len(line.text) + 1:
            spans = [((xs[i] + xs[i + 1]) / 2, ch) for i, ch in enumerate(line.text)]
        else:  # no character positions (normalisation changed the length): the line goes whole
            spans = [((lx0 + lx1) / 2, line.text)]
        for cx, text in spans:
            box = next((b for b in row_boxes if b[0] <= cx <= b[2]), None)
            if box is not None:
                parts[box].append((ly0, cx, text))
    out = {}
    for box in boxes:
        by_line: dict[float, list[tuple[float, str]]] = defaultdict(list)
        for y, x, text in parts.get(box, []):
            by_line[y].append((x, text))
        # each printed line trimmed, runs of spaces as one: as find_tables' extract() gives them
        texts = ("".join(t for _, t in sorted(chars)).strip() for _, chars in sorted(by_line.items()))
        out[box] = _SPACES.sub(" ", "".join(texts))
    return out
