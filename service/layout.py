"""Page geometry without PyMuPDF: rebuilding borderless tables from positioned text lines.

A borderless table is a run of rows whose text sits in several aligned columns. Its columns
come from alignment (text starts at a column's left edge, numbers end at its right edge), and a
table that runs onto the next page continues there with the same columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.document import BBox, Cell, Line, Page, Table, centre_inside, union
from service.ruled import split_rules

FOOTER_LABEL = re.compile(r"^[-—–－]\s*(\d+)\s*[-—–－]$|^第\s*(\d+)\s*页(\s*共\s*\d+\s*页)?$|^(\d+)$")


# an amount or a blank mark and a label run together on one line ("1880.86 一、一般公共服务",
# "— 三、国防"), or a label and its amount: in a table these are two cells printed close
_AMOUNT = r"[-−]?[\d,]*\d\.\d+"
_RUN_TOGETHER = re.compile(
    rf"^(?P<a>{_AMOUNT}|[-—–－]{{1,2}})(?P<gap>\s+)(?P<b>[^\d\s,.%].*|{_AMOUNT}(\s+\S.*)?)$"
    r"|^(?P<code>\d{3}(?:\d{2}){0,2})(?P<gap3>\s+)(?P<label>[^\d\s,.%][^\d]*)$"
    rf"|^(?P<c>.*[^\d\s,.%(（:：-])(?P<gap2>\s+)(?P<d>{_AMOUNT})$"
)


def split_run_together(lines: list[Line]) -> list[Line]:
    """Lines of a table region with two cells in one (MuPDF joins text closer than a wide gap)
    split into one line per cell, by character positions."""
    out: list[Line] = []
    queue = list(reversed(lines))
    while queue:
        line = queue.pop()
        m = _RUN_TOGETHER.match(line.text)
        if m is None or len(line.char_x) != len(line.text) + 1:
            out.append(line)
            continue
        gap = "gap" if m.group("a") else "gap3" if m.group("code") else "gap2"
        cut, resume = m.start(gap), m.end(gap)
        xs = line.char_x
        first = Line(line.text[:cut], (xs[0], line.bbox[1], xs[cut], line.bbox[3]), xs[: cut + 1])
        second = Line(line.text[resume:], (xs[resume], line.bbox[1], line.bbox[2], line.bbox[3]), xs[resume:])
        out.append(first)
        queue.append(second)  # the rest may hold more cells ("1.00 2.00 3.00")
    return out


# a whole amount or blank mark: a stacked pair of these in one band means it holds several rows
# (codes are not: a long project code wraps in its narrow cell, "41170" / "02400" / "28401")
_WHOLE = re.compile(r"^[-−]?[\d,]*\d\.\d+%?$|^[-—–－]{1,2}$")


_NUMBER_START = re.compile(r"^[-−]?[\d,]*\d\.?$")  # an amount broken before its last digits ("1,598.")


def horizontal_rules(boxes: list[BBox]) -> list[BBox]:
    """The horizontal edges among a page's rule boxes, as (x0, y, x1, y)."""
    horizontal, _ = split_rules(boxes)
    return [(e.start, e.at, e.end, e.at) for e in horizontal]


def in_bands(lines: list[Line], rules: list[BBox]) -> list[Line]:
    """Rows drawn between horizontal rules (a 三线表 with a rule under every row, a sheet with
    row borders only): the lines of a cell wrapped inside its band join into one line ("一般公" /
    "共服务" / "支出", an amount broken as "1,598." / "71"), and every line of the band is tagged
    with it, so the band is read as one row whether its text sits at the top, middle or bottom.
    A band holding two whole values one above the other is several rows (a header rule over a
    borderless body) and is left to the reading by position."""
    if len(rules) < 3:
        return lines
    keyed: dict[tuple[float, float], list[Line]] = {}
    loose: list[Line] = []
    for line in lines:
        band = _band_of(line.bbox, rules)
        (keyed.setdefault(band, []) if band is not None else loose).append(line)
    stacks = {band: _stack(members) for band, members in keyed.items()}
    # a band of text only is a row when it lies within the height of one with values (an
    # indicator's sub-rows beside its project's amounts); otherwise it is a header or a title
    valued = {band for band, members in keyed.items() if stacks[band] is not None and _has_value(members)}
    rows = valued | {
        b for b in keyed if stacks[b] is not None and any(v[0] <= b[0] and b[1] <= v[1] for v in valued)
    }
    out = loose
    for band, members in keyed.items():
        cells = stacks[band]
        if cells is None or band not in rows:
            out.extend(members)
        else:
            out.extend(Line(text, box, chars, band=band) for text, box, chars in cells)
    return sorted(out, key=lambda ln: (ln.bbox[1], ln.bbox[0]))


def _has_value(lines: list[Line]) -> bool:
    return any(_WHOLE.match(ln.text.strip()) or _looks_numeric(ln.text) for ln in lines)


def _band_of(box: BBox, rules: list[BBox]) -> tuple[float, float] | None:
    centre = (box[0] + box[2]) / 2
    covering = [r[1] for r in rules if r[0] - 1.0 <= centre <= r[2] + 1.0]
    above = max((y for y in covering if y <= box[1] + 1.0), default=None)
    below = min((y for y in covering if y >= box[3] - 1.0), default=None)
    if above is None or below is None or below - above > 40 * (box[3] - box[1]):
        return None
    return (round(above, 1), round(below, 1))


def _stack(lines: list[Line]) -> list[tuple[str, BBox, tuple[float, ...]]] | None:
    """The cells of one band: lines over one another in one column are one cell. None when two
    whole values are stacked in one column (several rows between two rules), or the lines are
    not one cell's (apart by more than a line's leading, a title in larger type under a row)."""
    cells: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        height = line.bbox[3] - line.bbox[1]
        home = next((c for c in cells if _overlap(_xs_of(c[-1]), _xs_of(line)) > 0), None)
        if home is None:
            cells.append([line])
            continue
        above = home[-1]
        tall = above.bbox[3] - above.bbox[1]
        if (
            _looks_numeric(above.text) != _looks_numeric(line.text)
            and not _NUMBER_START.match(above.text)
            or line.bbox[2] - line.bbox[0]
            > above.bbox[2] - above.bbox[0] + min(height, tall)  # wider: not a wrap
            or _WHOLE.match(above.text.strip())
            and _WHOLE.match(line.text.strip())
            or not -1.0 <= line.bbox[1] - above.bbox[3] < 0.6 * min(height, tall)  # not one cell's leading
            or max(height, tall) > 1.2 * min(height, tall)  # a title in larger type
        ):
            return None
        home.append(line)
    # one row: some level crosses every cell (a title or note under the row does not)
    if max(c[0].bbox[1] for c in cells) > min(c[-1].bbox[3] for c in cells) - 0.5:
        return None
    return [
        ("".join(ln.text for ln in c), union([ln.bbox for ln in c]), c[0].char_x if len(c) == 1 else ())
        for c in cells
    ]


def _xs_of(line: Line) -> Span:
    return (line.bbox[0], line.bbox[2])


def borderless_tables(lines: list[Line]) -> list[Table]:
    """Tables drawn without rules: runs of rows whose text sits in several aligned columns.
    Lone short lines (wrapped cells, rows with one filled cell) inside such a run belong to it."""
    rows = _rows_by_y(lines)
    kinds = [
        "tab" if _is_tabular(r) else "short" if _is_short(r) or _close_cells(rows, i) else "text"
        for i, r in enumerate(rows)
    ]
    heights = sorted(
        ln.bbox[3] - ln.bbox[1] for r, k in zip(rows, kinds, strict=True) if k == "tab" for ln in r
    )
    if heights:  # a lone line in larger type (the next table's title) ends a table, short or not
        body = heights[len(heights) // 2]
        kinds = [
            "text" if k == "short" and r[0].band is None and r[0].bbox[3] - r[0].bbox[1] > 1.25 * body else k
            for r, k in zip(rows, kinds, strict=True)
        ]
    tables: list[Table] = []
    i = 0
    while i < len(rows):
        if kinds[i] != "tab":
            i += 1
            continue
        while i > 0 and kinds[i - 1] == "short" and _heads(rows[i - 1], rows[i]):
            i -= 1  # a header row of one cell (a "项目" over the code and name columns) above the first
        j = i
        while j + 1 < len(rows) and kinds[j + 1] != "text":
            j += 1
        while kinds[j] != "tab":  # trim trailing lone lines (a title or note under the table)
            j -= 1
        starts = {round(ln.bbox[0], 1) for r in rows[i : j + 1] for ln in r}
        pause = _row_pause(rows[i : j + 1])
        while (
            j + 1 < len(rows)
            and kinds[j + 1] == "short"
            and (
                _wraps_into(rows[j], rows[j + 1])
                or _on_a_column(rows[j + 1][0], starts)
                and _top(rows[j + 1]) - _bottom(rows[j]) <= pause
            )
        ):
            j += 1  # …but keep a wrapped cell end, or rows that sit on one of the table's columns
            # without a longer pause than between its rows (a caption under it starts the next)
        region = rows[i : j + 1]
        if sum(k == "tab" for k in kinds[i : j + 1]) >= 2 and len(region) >= 3:
            found = grid_from_lines([ln for r in region for ln in r])
            found.lines = [ln for r in region for ln in r]
            tables.append(found)
        i = j + 1
    return tables


def _top(row: list[Line]) -> float:
    return min(ln.bbox[1] for ln in row)


def _bottom(row: list[Line]) -> float:
    return max(ln.bbox[3] for ln in row)


def _row_pause(rows: list[list[Line]]) -> float:
    """A pause longer than any between a table's rows (1.5 times the widest, at least half a
    line): a line under the table after such a pause is not one of its rows."""
    gaps = [_top(b) - _bottom(a) for a, b in zip(rows, rows[1:], strict=False)]
    height = min(ln.bbox[3] - ln.bbox[1] for r in rows for ln in r)
    return max(1.5 * max(gaps), 0.5 * height) if gaps else height


def _heads(above: list[Line], row: list[Line]) -> bool:
    """A lone line just above a table's first row, inside its width: the header's top row."""
    line = above[0]
    height = line.bbox[3] - line.bbox[1]
    return (
        not HEAD_NOISE.match(line.text.strip())
        and row[0].bbox[1] - line.bbox[3] < 0.8 * height
        and row[0].bbox[0] - 1 <= line.bbox[0]
        and line.bbox[2] <= row[-1].bbox[2] + 1
    )


def _wraps_into(row: list[Line], below: list[Line]) -> bool:
    line = below[0]
    if NOTE_LINE.match(line.text):  # the table's 注 line, printed close under it
        return False
    height = line.bbox[3] - line.bbox[1]
    return any(abs(c.bbox[0] - line.bbox[0]) < 1.5 and line.bbox[1] - c.bbox[3] < 0.5 * height for c in row)


def _on_a_column(line: Line, starts: set[float]) -> bool:
    return not re.match(r"^(注|说明)", line.text.strip()) and any(abs(line.bbox[0] - x) < 1.0 for x in starts)


def _rows_by_y(lines: list[Line]) -> list[list[Line]]:
    return _by_row(lines)


def _by_row(items: list[Any]) -> list[list[Any]]:
    """Lines or cells in rows: one band between two rules is one row (in_bands); other items
    share a row when their tops are level."""
    rows: list[list[Any]] = []
    of_band: dict[float, list[Any]] = {}  # by the rule above: sub-rows of a cell split beside it
    for item in sorted(items, key=lambda it: (it.bbox[1], it.bbox[0])):
        if item.band is not None:
            if item.band[0] in of_band:
                of_band[item.band[0]].append(item)
            else:
                rows.append(of_band.setdefault(item.band[0], [item]))
        elif rows and rows[-1][0].band is None and abs(item.bbox[1] - rows[-1][0].bbox[1]) < 2.0:
            rows[-1].append(item)
        else:
            rows.append([item])
    return [sorted(r, key=lambda it: it.bbox[0]) for r in rows]


def _is_tabular(row: list[Line]) -> bool:
    """Several pieces apart on one baseline; an amount may sit close to the text beside it."""

    def apart(a: Line, b: Line) -> bool:
        gap = b.bbox[0] - a.bbox[2]
        close = len(row) >= 3  # lines on one baseline are already cut apart at gaps wider than 0.3 em
        return gap >= 4.0 or gap >= 1.0 and close

    return (
        len(row) >= 2 and not _is_prose(row) and all(apart(a, b) for a, b in zip(row, row[1:], strict=False))
    )


SENTENCE_MARK = re.compile(r"[，。；]")
STATED_AMOUNT = re.compile(r"\d\s*(万元|亿元|元)\s*[，。、；]")  # "108,017,375.38 元、支出总计"


def _is_prose(row: list[Line]) -> bool:
    """A justified line of a paragraph cut into pieces at its wider spaces: an amount stated with
    its unit inside a sentence (a table prints the unit once, above it), or sentence marks in three
    pieces or more (a 绩效 row may explain its target, its result and its deviation)."""
    marked = sum(1 for ln in row if SENTENCE_MARK.search(ln.text))
    return marked >= 3 or any(STATED_AMOUNT.search(ln.text) for ln in row)


def _is_short(row: list[Line]) -> bool:
    return (
        len(row) == 1
        and row[0].bbox[2] - row[0].bbox[0] < 200
        and not FOOTER_LABEL.match(row[0].text.strip())
    )


def _close_cells(rows: list[list[Line]], i: int) -> bool:
    """Pieces printed a few points apart on one baseline among header rows, each starting where a
    line of a row near it starts: wrapped header cells side by side ("政府性基金" "国有资本经" over "预算财政拨"
    "营预算财政"), not one line of text cut at a wide space ("100" "分:预算")."""
    row = rows[i]
    if len(row) < 2 or row[-1].bbox[2] - row[0].bbox[0] >= 200 or _is_prose(row):
        return False
    near = [r for r in rows[max(0, i - 1) : i + 4] if r is not row]
    if any(_is_body_cell(ln.text) for r in near for ln in r):
        return False  # among rows of amounts: a form's text, not a header
    return all(any(_same_start(ln.bbox, other.bbox) for r in near for other in r) for ln in row)


def grid_from_lines(lines: list[Line]) -> Table:
    """Rebuild a grid from positioned lines: wrapped lines join into cells, cells into rows, and
    columns come from the body: the runs of x its cells cover, whatever their alignment. Each
    header cell above the first body row goes to the nearest body column (the first it
    overlaps: a header centred over several columns is a merged cell there); where two header
    cells of one row claim one column, the farther heads a column left blank in every body row."""
    anchored = header_grid(lines)
    if anchored is not None:
        return anchored
    cells = _merge_wrapped(lines)
    rows = _group_rows(cells)
    first_body = next((i for i, row in enumerate(rows) if any(_is_body_cell(c.text) for c in row)), 0)
    rows = rows[:first_body] + _join_wrapped_rows(rows[first_body:])
    cells = [c for row in rows for c in row]
    body = rows[first_body:]
    columns = _columns([c for row in body for c in row], body, body, rows[:first_body])
    aligned = _aligned_columns(cells, rows)
    with_marks = _columns([c for row in body for c in row], body, body, rows[:first_body], marks=True)
    if _occupied(body, aligned) <= _occupied(body, with_marks):
        # not splintered (text left, amounts right): alignment cuts also find the columns blank
        # in every body row
        return _place(lines, rows, aligned, lambda box, n: _column_of(box, aligned))
    extents = _extents(body, columns)
    for row in rows[:first_body]:
        for _ in range(len(row)):
            claims = [(_distance(c.bbox, extents, columns), c) for c in row]
            taken: dict[int, tuple[float, Cell]] = {}
            loser = None
            for (k, d), cell in claims:
                if k in taken and d > 0 or k in taken and taken[k][0] > 0:
                    loser = cell if d >= taken[k][0] else taken[k][1]
                    break
                taken.setdefault(k, (d, cell))
            if loser is None:
                break
            columns, extents = _insert_column(loser.bbox, columns, extents)

    def column(box: BBox, n: int) -> int:
        return _distance(box, extents, columns)[0] if n < first_body else _column_of(box, columns)

    return _place(lines, rows, columns, column)


def _place(
    lines: list[Line],
    rows: list[list[Cell]],
    columns: list[tuple[float, float]],
    column: Callable[[BBox, int], int],
) -> Table:
    grid: list[list[Cell | None]] = []
    notes: list[str] = []
    for n, row in enumerate(rows):
        grid.append(_slotted([(column(cell.bbox, n), cell) for cell in row], len(columns), notes))
    return Table(bbox=union([ln.bbox for ln in lines]), rows=grid, ruled=False, notes=notes)


def _slotted(placed: list[tuple[int, Cell]], width: int, notes: list[str]) -> list[Cell | None]:
    """One row's cells in their columns. An amount beside another cell in one column means the
    columns were not told apart there: the column is left blank in that row and said in a note,
    never read as one joined number ("189417.73189417.73")."""
    slots: list[Cell | None] = [None] * width
    clashed: set[int] = set()
    for k, cell in placed:
        old = slots[k]
        if old is not None and k not in clashed and _clash(old, cell):
            clashed.add(k)
            notes.append(f"无框线表格的列无法区分：“{old.text}”与“{cell.text}”落在同一列，未读取")
        slots[k] = _joined(old, cell)
    for k in clashed:
        slots[k] = None
    return slots


def _clash(a: Cell, b: Cell) -> bool:
    """Two cells side by side in one column where the right one is an amount: two columns run
    together ("行政运行" then "542.29", "542.29" then "542.29"); a unit after a number ("7.7"
    then "亿元") or a name split at a space is one cell."""
    left, right = (a, b) if a.bbox[0] <= b.bbox[0] else (b, a)
    side_by_side = right.bbox[0] >= left.bbox[2] - 1.0
    filled = all(c.text.strip() and not _blank_mark(c.text) for c in (a, b))
    return side_by_side and filled and bool(re.fullmatch(r"[-−]?[\d,]*\d\.\d+%?", right.text.strip()))


BODY_CELL = re.compile(r"^[-−]?[\d,]*\d\.\d+%?$|^\d{3}(\d{2}){0,2}$")


def _is_body_cell(text: str) -> bool:
    return bool(BODY_CELL.match(text.strip()))


Extent = tuple[float, float] | None


def _extents(body: list[list[Cell]], columns: list[tuple[float, float]]) -> list[Extent]:
    """Per column, the x range its body cells print over (None for a column without any)."""
    found: list[list[float]] = [[] for _ in columns]
    for row in body:
        for cell in row:
            k = _column_of(cell.bbox, columns)
            found[k] += [cell.bbox[0], cell.bbox[2]]
    return [(min(xs), max(xs)) if xs else None for xs in found]


def _distance(box: BBox, extents: list[Extent], columns: list[tuple[float, float]]) -> tuple[int, float]:
    """The column a header cell heads and how far its text is from that column's body text:
    the first column it overlaps (distance 0), else the nearest by gap; a column without body
    text (added for a blank column) is reached through its bounds."""
    best: tuple[int, float] | None = None
    for k, extent in enumerate(extents):
        a, b = extent if extent is not None else columns[k]
        gap = max(a - box[2], box[0] - b, 0.0)
        if extent is None and columns[k][0] < (box[0] + box[2]) / 2 < columns[k][1]:
            gap = 0.0
        if gap == 0.0:
            return k, 0.0
        if best is None or gap < best[1]:
            best = (k, gap)
    return best if best is not None else (0, 0.0)


def _insert_column(
    box: BBox, columns: list[tuple[float, float]], extents: list[Extent]
) -> tuple[list[tuple[float, float]], list[Extent]]:
    """A new, body-less column for a header cell beside the column it was nearest to."""
    k, _ = _distance(box, extents, columns)
    a, b = columns[k]
    extent = extents[k] or columns[k]
    centre = (box[0] + box[2]) / 2
    if centre < extent[0]:
        cut = (box[2] + extent[0]) / 2 if box[2] < extent[0] else extent[0] - 0.1
        new_cols, new_ext = [(a, cut), (cut, b)], [None, extents[k]]
    else:
        cut = (extent[1] + box[0]) / 2 if box[0] > extent[1] else extent[1] + 0.1
        new_cols, new_ext = [(a, cut), (cut, b)], [extents[k], None]
    return columns[:k] + new_cols + columns[k + 1 :], extents[:k] + new_ext + extents[k + 1 :]


def join_stacked(tables: list[Table]) -> list[Table]:
    """A table drawn in parts on one page: a ruled (or shaded) header part directly above a
    borderless body, as a sheet printed with only its header rows boxed. The body's columns map
    onto the header's by overlap; parts that do not map one to one stay apart."""
    ordered = sorted(tables, key=lambda t: t.bbox[1])
    out: list[Table] = []
    for table in ordered:
        above = out[-1] if out else None
        if above is not None and _stacked(above, table) and above.ruled and above.columns and table.lines:
            regridded = regrid(table.lines, above.columns)
            if regridded is not None:
                body, notes = regridded
                width = len(above.columns)
                rows = [list(r) + [None] * (width - len(r)) for r in above.rows] + body
                out[-1] = Table(
                    bbox=union([above.bbox, table.bbox]),
                    rows=rows,
                    ruled=False,
                    head_rows=_header_only(above),
                    columns=above.columns,
                    notes=notes,
                )
                continue
        if above is not None and _stacked(above, table):
            mapping = _column_map(above, table)
            if mapping is not None:
                width = above.n_cols
                rows = [list(r) + [None] * (width - len(r)) for r in above.rows]
                for row in table.rows:
                    slots: list[Cell | None] = [None] * width
                    for k, cell in enumerate(row):
                        if cell is not None:
                            slots[mapping[k]] = cell
                    rows.append(slots)
                out[-1] = Table(bbox=union([above.bbox, table.bbox]), rows=rows, ruled=False)
                continue
        out.append(table)
    return out


def _stacked(above: Table, below: Table) -> bool:
    gap = below.bbox[1] - above.bbox[3]
    overlap = min(above.bbox[2], below.bbox[2]) - max(above.bbox[0], below.bbox[0])
    return above.ruled != below.ruled and -2 <= gap < 14 and overlap > 0.6 * (below.bbox[2] - below.bbox[0])


def _column_map(header: Table, body: Table) -> dict[int, int] | None:
    """Body column → header column whose extent holds the body column's cells; None when two
    body columns fall in one header column or one falls outside every header column."""
    head_cols = _narrowest_columns(header)
    mapping: dict[int, int] = {}
    for k, (x0, x1) in enumerate(_table_columns(body)):
        if x1 <= x0:
            continue
        centre = (x0 + x1) / 2
        inside = [j for j, (a, b) in enumerate(head_cols) if a <= centre <= b and b > a]
        if len(inside) != 1:
            return None
        mapping[k] = inside[0]
    return mapping if len(set(mapping.values())) == len(mapping) else None


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-−]?[\d,]*\d(\.\d+)?%?|——|-|—", text.strip()))


def _columns(
    cells: list[Cell],
    rows: list[list[Cell]],
    body: list[list[Cell]],
    head: list[list[Cell]] | None = None,
    marks: bool = False,
) -> list[tuple[float, float]]:
    """Columns are the runs of x that the cells of the body's tabular rows cover; the gaps no
    such cell crosses separate them, whatever the alignment (amounts right, centred or left).
    Where two cells of one row (header rows too: a column left blank in every body row) still
    land in one column, cut between them."""
    # blank marks ("-", "—") sit anywhere in their cell: they only make a column of their own
    # where they share a row with the cell they would otherwise join
    tabular = [c for row in body if len(row) >= 2 for c in row if marks or not _blank_mark(c.text)] or cells
    cuts: list[float] = []
    spans = sorted((c.bbox[0], c.bbox[2]) for c in tabular)
    reach = spans[0][1] if spans else 0.0
    for x0, x1 in spans[1:]:
        if x0 > reach + 1.0:
            cuts.append((reach + x0) / 2)
        reach = max(reach, x1)
    centers = [(c.bbox[0] + c.bbox[2]) / 2 for c in cells]
    columns: list[tuple[float, float]] = []
    for _ in range(6):
        edges = [float("-inf")] + sorted(cuts) + [float("inf")]
        columns = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if any(a < x < b for x in centers)]
        moved = False
        for row in rows:
            for a, b in zip(row, row[1:], strict=False):
                if _column_of(a.bbox, columns) != _column_of(b.bbox, columns):
                    continue
                cut = (a.bbox[2] + b.bbox[0]) / 2
                mark = a if _blank_mark(a.text) else b if _blank_mark(b.text) else None
                if mark is not None and _same_header(mark, b if mark is a else a, head, cells):
                    # a dash at the edge of its cell, under the header of the column on its other
                    # side: move that column's edge past it instead of opening a column for it
                    centre = (mark.bbox[0] + mark.bbox[2]) / 2
                    side = [c for c in cuts if (c < centre if mark is a else c > centre)]
                    if side:
                        cuts.remove(max(side) if mark is a else min(side))
                cuts.append(cut)
                moved = True
        if not moved:
            break
    return columns


def _same_header(mark: Cell, other: Cell, head: list[list[Cell]] | None, cells: list[Cell]) -> bool:
    """Whether the dash sits under no header of its own: no header cell over it, or one that
    also covers body text on the dash's far side from ``other`` (the column it then belongs to)."""
    over = [
        h
        for row in head or []
        for h in row
        if h.bbox[0] - 1 <= (mark.bbox[0] + mark.bbox[2]) / 2 <= h.bbox[2] + 1
    ]
    if not over:
        return not head
    far = [
        c
        for c in cells
        if not _blank_mark(c.text)
        and (c.bbox[2] <= mark.bbox[0] if other.bbox[0] > mark.bbox[0] else c.bbox[0] >= mark.bbox[2])
    ]
    return any(h.bbox[0] - 1 <= (c.bbox[0] + c.bbox[2]) / 2 <= h.bbox[2] + 1 for h in over for c in far)


def _joined(old: Cell | None, cell: Cell) -> Cell:
    """Two cells landing in one slot: a wrapped piece joins its cell; a blank mark next to an
    amount is dropped, never read as its sign ("-" then "1.00" is not -1.00)."""
    if old is None:
        return cell
    if _blank_mark(cell.text) and not _blank_mark(old.text):
        return old
    if _blank_mark(old.text) and not _blank_mark(cell.text):
        return cell
    return Cell(old.text + cell.text, union([old.bbox, cell.bbox]), old.band)


def _blank_mark(text: str) -> bool:
    return text.strip() in ("-", "—", "——", "–", "－")


def _aligned_columns(cells: list[Cell], rows: list[list[Cell]]) -> list[tuple[float, float]]:
    """Cut just left of every text start and just right of every number end; where two cells of
    one row still land in one column, cut between them. Spans between cuts holding a cell are
    columns. Exact for text left-aligned and amounts right-aligned (headers included)."""
    cuts = [c.bbox[2] + 0.5 if _looks_numeric(c.text) else c.bbox[0] - 0.5 for c in cells]
    centers = [(c.bbox[0] + c.bbox[2]) / 2 for c in cells]
    columns: list[tuple[float, float]] = []
    for _ in range(5):
        merged: list[float] = []
        for x in sorted(cuts):
            if not merged or x - merged[-1] > 1.5:
                merged.append(x)
        edges = [float("-inf")] + merged + [float("inf")]
        columns = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if any(a < x < b for x in centers)]
        splits = [
            (a.bbox[2] + b.bbox[0]) / 2
            for row in rows
            for a, b in zip(row, row[1:], strict=False)
            if _column_of(a.bbox, columns) == _column_of(b.bbox, columns)
        ]
        if not splits:
            break
        cuts += splits
    return columns


def _occupied(rows: list[list[Cell]], columns: list[tuple[float, float]]) -> int:
    return len({_column_of(c.bbox, columns) for row in rows for c in row})


def _column_of(box: BBox, columns: list[tuple[float, float]]) -> int:
    center = (box[0] + box[2]) / 2
    for k, (x0, x1) in enumerate(columns):
        if x0 < center < x1:
            return k
    return min(
        range(len(columns)), key=lambda k: min(abs(center - columns[k][0]), abs(center - columns[k][1]))
    )


def _wrapped_number(prev: Cell, line: Line, gap: float, height: float) -> bool:
    """An amount too wide for its cell, wrapped: "95602573.6" over "7" (checker-rules UNIT-12)."""
    return (
        bool(re.fullmatch(r"[-−]?[\d,]*\d\.\d?", prev.text.strip()))
        and bool(re.fullmatch(r"\d{1,2}", line.text.strip()))
        and -1.0 <= gap < 0.8 * height
        and prev.bbox[0] - 1.0 <= line.bbox[0]
        and line.bbox[2] <= prev.bbox[2] + 1.0
    )


def _same_start(first: BBox, other: BBox) -> bool:
    """Two lines of one left-aligned cell start together; a line wrapped at a space ("…养老保险
    缴费支出") starts up to that space's width (under half a character) to the right."""
    shift = other[0] - first[0]
    return -1.5 < shift < max(1.5, 0.4 * (first[3] - first[1]))


def _merge_wrapped(lines: list[Line]) -> list[Cell]:
    cells: list[Cell] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        height = line.bbox[3] - line.bbox[1]
        for k in range(len(cells) - 1, -1, -1):
            prev = cells[k]
            gap = line.bbox[1] - prev.bbox[3]
            if gap > height or prev.band != line.band:  # a rule between them: two rows
                continue
            same_column = _same_start(prev.bbox, line.bbox)
            # centred text wrapped in its cell: the lines share a centre, not a left edge
            centred = abs(line.bbox[0] + line.bbox[2] - prev.bbox[0] - prev.bbox[2]) < 2.0 and (
                line.bbox[2] - line.bbox[0] < prev.bbox[2] - prev.bbox[0] + 1
            )
            if _wrapped_number(prev, line, gap, height):
                cells[k] = Cell(prev.text + line.text, union([prev.bbox, line.bbox]), prev.band)
                break
            close = -1.0 <= gap < (0.35 if centred and not same_column else 0.12) * height
            plain = same_column or centred and not _looks_numeric(line.text)
            if plain and close and not _looks_numeric(prev.text):
                cells[k] = Cell(prev.text + line.text, union([prev.bbox, line.bbox]), prev.band)
                break
        else:
            cells.append(Cell(line.text, line.bbox, line.band))
    return cells


def _join_wrapped_rows(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Body lines holding only text, closer to a row with amounts than rows are to each other
    (cell padding separates rows, not wrapped lines), are that row's wrapped cells: a long
    subject name on two lines, whether the amounts sit at its top, middle or bottom line."""

    # the pause before a row of amounts (a wrapped line is closer to its row than that); where
    # many names wrap, the pauses before text-only lines would make rows look wrapped. A part
    # with few amounts (a continuation page's last rows) also counts numbered items' pauses.
    rows = _join_straddled(rows)

    def pauses(starts: Callable[[list[Cell]], bool]) -> list[float]:
        pairs = zip(rows, rows[1:], strict=False)
        return sorted(b[0].bbox[1] - max(c.bbox[3] for c in a) for a, b in pairs if starts(b))

    gaps = pauses(_has_values)
    if len(gaps) < 4:
        gaps = pauses(lambda row: _has_values(row) or any(_opens_item(c.text) for c in row))
    if len(gaps) < 4:
        return rows
    row_gap = gaps[len(gaps) // 2]
    out: list[list[Cell]] = []
    pending: list[list[Cell]] = []  # text-only lines waiting for the row below

    def gap(a: list[Cell], b: list[Cell]) -> float:
        return min(c.bbox[1] for c in b) - max(c.bbox[3] for c in a)

    # a cell's lines follow each other at the font's leading, the same all through the table:
    # the closest text line under a text line shows it, and a line further down starts a row
    leading = min(
        (
            g
            for a, b in zip(rows, rows[1:], strict=False)
            if not _has_values(b)
            for low in b
            for high in a
            if _same_start(high.bbox, low.bbox)
            and not _looks_numeric(high.text)
            and (g := low.bbox[1] - high.bbox[3]) >= -1.0
        ),
        default=row_gap,
    )

    def close(a: list[Cell], b: list[Cell]) -> bool:
        return gap(a, b) < row_gap - 1.5 and gap(a, b) <= leading + 2.0 and not _apart(a, b)

    def absorb(row: list[Cell], extra: list[Cell], below: bool) -> list[Cell]:
        merged = list(row)
        for cell in extra:
            k = next(
                (
                    i
                    for i, c in enumerate(merged)
                    if _same_start(c.bbox, cell.bbox) and not _looks_numeric(c.text)
                ),
                None,
            )
            if k is None:
                merged.append(cell)
                continue
            first, second = (merged[k], cell) if below else (cell, merged[k])
            merged[k] = Cell(first.text + second.text, union([first.bbox, second.bbox]))
        return sorted(merged, key=lambda c: c.bbox[0])

    for row in rows:
        if row[0].band is not None:  # a row between two rules is whole
            out.extend(pending)
            pending = []
            out.append(row)
            continue
        text_only = not any(_looks_numeric(c.text) or _is_body_cell(c.text) for c in row)
        opens = any(_opens_item(c.text) for c in row)  # "二、…", "(三)…", "其中：…": a row of its own
        if (  # the next line of a wrapped row without values
            text_only and not opens and pending and close(pending[-1], row) and _wraps_under(pending[-1], row)
        ):
            pending[-1] = absorb(pending[-1], row, below=True)
            continue
        if (
            text_only
            and not opens
            and out
            and out[-1][0].band is None
            and close(out[-1], row)
            and _aligned_text(out[-1], row)
        ):
            out[-1] = absorb(out[-1], row, below=True)
            continue
        if (
            pending
            and not text_only
            and close(pending[-1], row)
            and _aligned_text(row, pending[-1])
            and not any(
                _opens_item(c.text) for c in row if any(_same_start(c.bbox, p.bbox) for p in pending[-1])
            )
        ):
            for line in reversed(pending):
                row = absorb(row, line, below=False)
            pending = []
        out.extend(pending)
        pending = []
        (pending if text_only else out).append(row)
    return out + pending


ITEM_START = re.compile(
    r"^\s*([一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．]\D|其中[:：])"
)


# the totals and balances of a 收支 table: each a row of its own, never a wrapped cell's line
# (the bare 合计/总计 are left out: a name may wrap before them, "本年收入" / "合计")
WHOLE_ROW_LABEL = re.compile(
    r"^(本年(收入|支出)合计|(收入|支出)总计|(上年|年初|年末|年终)结转(和|与)?结余|结余分配"
    r"|用事业基金弥补收支差额|年末(结转和)?结余)$"
)


def whole_row_label(text: str) -> bool:
    """A total or balance label standing alone: its row is whole, above and below."""
    return bool(WHOLE_ROW_LABEL.match(re.sub(r"\s+", "", text)))


def _apart(upper: list[Cell], lower: list[Cell]) -> bool:
    """Lines that are two rows, however close: either one is a whole total or balance label."""
    return any(
        whole_row_label(low.text) or whole_row_label(high.text)
        for low in lower
        for high in upper
        if _same_start(high.bbox, low.bbox)
    )


def _opens_item(text: str) -> bool:
    """A line opening a numbered item or a 其中 line: a row's first line, never a wrapped one's."""
    return bool(ITEM_START.match(text))


def _has_values(row: list[Cell]) -> bool:
    return any(_looks_numeric(c.text) or _is_body_cell(c.text) for c in row)


def _join_straddled(rows: list[list[Cell]]) -> list[list[Cell]]:
    """A name wrapped onto two lines beside amounts centred in their cells: the amounts' line sits
    between the name's lines ("一、一般公共预算财" / 772.15 / "政拨款收入"). The lines above and
    below join that row when they are one cell's lines (one edge, one line's leading apart) and
    the row is centred on them."""
    out: list[list[Cell]] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        above = out[-1] if out else None
        below = rows[i + 1] if i + 1 < len(rows) else None
        if (
            above is not None
            and below is not None
            and row[0].band is None
            and _has_values(row)
            and not _has_values(above)
            and not _has_values(below)
            and (joined := _straddle(above, row, below)) is not None
        ):
            out[-1] = joined
            i += 2
            continue
        out.append(row)
        i += 1
    return out


def _straddle(above: list[Cell], row: list[Cell], below: list[Cell]) -> list[Cell] | None:
    if len(above) != len(below):
        return None
    merged = []
    for a, b in zip(above, below, strict=True):
        height = a.bbox[3] - a.bbox[1]
        aligned = abs(a.bbox[0] - b.bbox[0]) < 1.5 or abs(a.bbox[0] + a.bbox[2] - b.bbox[0] - b.bbox[2]) < 2.0
        centre = (a.bbox[1] + b.bbox[3]) / 2
        if not (
            aligned
            and -1.0 <= b.bbox[1] - a.bbox[3] < 0.6 * height
            and all(abs((c.bbox[1] + c.bbox[3]) / 2 - centre) < 0.4 * height for c in row)
            and not any(_overlap(_xs(c), (a.bbox[0], max(a.bbox[2], b.bbox[2]))) > 0 for c in row)
        ):
            return None
        merged.append(Cell(a.text + b.text, union([a.bbox, b.bbox]), a.band))
    return sorted(row + merged, key=lambda c: c.bbox[0])


def _wraps_under(row: list[Cell], lines: list[Cell]) -> bool:
    """Every cell of ``lines`` continues a text cell of ``row``: it starts there and is no wider
    (a wrapped line is filled first; the first row under a header is often wider than it)."""
    return all(
        any(
            _same_start(c.bbox, cell.bbox)
            and not _looks_numeric(c.text)
            and cell.bbox[2] - cell.bbox[0] <= c.bbox[2] - c.bbox[0] + 1.0
            for c in row
        )
        for cell in lines
    )


def _aligned_text(row: list[Cell], lines: list[Cell]) -> bool:
    """Every cell of ``lines`` starts where a text cell of ``row`` starts."""
    return all(
        any(_same_start(c.bbox, cell.bbox) and not _looks_numeric(c.text) for c in row) for cell in lines
    )


def _group_rows(cells: list[Cell]) -> list[list[Cell]]:
    return _by_row(cells)


def _header_only(table: Table) -> int | None:
    """All rows of a table printing no amount or code are header rows (a boxed header part)."""
    texts = [t for row in table.texts() for t in row]
    return None if any(_is_body_cell(t) for t in texts) else len(table.rows)


NOTE_LINE = re.compile(r"^\s*(注|说明)\s*\d*\s*[:：]")


def _crosses_columns(box: BBox, bounds: list[Span]) -> bool:
    """Text running from one column well into the next (no cell of the column holds it)."""
    k = next((k for k, (a, b) in enumerate(bounds) if a <= box[0] < b), None)
    return k is not None and box[2] > bounds[k][1] + 3.0


def take_body(lines: list[Line], bounds: list[Span], top: float, bottom: float) -> list[Line]:
    """The lines from ``top`` down that continue a table with known columns: rows inside its x
    range, in body type, without a long pause; a note, a page number, a line in larger type (the
    next title) or a line running far past the columns ends them."""
    left, right = bounds[0][0] - 6.0, bounds[-1][1] + 6.0
    rows = _rows_by_y([ln for ln in lines if top - 1.0 <= ln.bbox[1] and ln.bbox[3] <= bottom + 1.0])
    heights = sorted(ln.bbox[3] - ln.bbox[1] for r in rows for ln in r if len(r) >= 2)
    if not heights:
        return []  # no row of several cells: not a table's body
    body = heights[len(heights) // 2]
    taken: list[Line] = []
    kept: list[list[Line]] = []
    last_bottom = top
    for row in rows:
        height = max(ln.bbox[3] - ln.bbox[1] for ln in row)
        if (
            len(row) == 1
            and len(kept) >= 3
            and _crosses_columns(row[0].bbox, bounds)
            and row[0].bbox[1] - last_bottom > _row_pause(kept)
        ):
            break  # a lone line over several columns after a longer pause: a caption, not a row
        if (
            any(NOTE_LINE.match(ln.text) for ln in row)
            or len(row) == 1
            and FOOTER_LABEL.match(row[0].text.strip())
        ):
            break
        if len(row) == 1 and row[0].band is None and height > 1.25 * body:  # (a band's cell is lines)
            break
        if any(ln.bbox[0] < left or ln.bbox[2] > right for ln in row):
            break
        if taken and row[0].bbox[1] - last_bottom > 3.0 * height:
            break
        taken.extend(row)
        kept.append(row)
        last_bottom = max(ln.bbox[3] for ln in row)
    if len(kept) == 1 and len(kept[0]) == 1 and _crosses_columns(kept[0][0].bbox, bounds):
        return []  # one line over several columns and nothing under it: a caption, not a body
    return taken


def body_under_header(tables: list[Table], lines: list[Line]) -> tuple[list[Table], list[Line]]:
    """A boxed header part printing no amounts (a shaded or ruled header over a borderless body)
    takes the lines below it that sit on its columns as its body. Returns the tables and the lines
    left to find borderless tables in."""
    free = list(lines)
    out: list[Table] = []
    ordered = sorted(tables, key=lambda t: t.bbox[1])
    for n, table in enumerate(ordered):
        head = _header_only(table)
        if not table.columns or head is None:
            out.append(table)
            continue
        bottom = ordered[n + 1].bbox[1] if n + 1 < len(ordered) else float("inf")
        taken = take_body(free, table.columns, table.bbox[3] - 1.0, bottom)
        regridded = regrid(taken, table.columns) if taken else None
        if regridded is None:
            out.append(table)
            continue
        body, notes = regridded
        width = len(table.columns)
        rows = [list(r) + [None] * (width - len(r)) for r in table.rows] + body
        out.append(
            Table(
                bbox=union([table.bbox] + [ln.bbox for ln in taken]),
                rows=rows,
                ruled=False,
                head_rows=head,
                columns=table.columns,
                notes=notes,
                lines=taken,
            )
        )
        free = [ln for ln in free if not any(ln is t for t in taken)]
    return out, free


def continue_header(previous: Page, page: Page) -> bool:
    """A header broken by the page end (its rows start at the foot of ``previous``; the rest of
    its cells and its last rows open ``page``): the header is rebuilt whole above the body, the
    first lines of ``page`` under the cells they continue, and the table read from there. True
    when the page's tables were rebuilt so."""
    last = max(previous.tables, key=lambda t: t.bbox[3], default=None)
    # a header of a few rows (a 绩效 form prints no amounts either, but runs on for many)
    if (
        last is None
        or _header_only(last) is None
        or len(last.rows) > 4
        or last.bbox[3] < previous.height * 0.8
    ):
        return False
    if any(
        ln.bbox[1] > last.bbox[3] + 2.0 and not FOOTER_LABEL.match(ln.text.strip()) for ln in previous.lines
    ):
        return False  # something follows the header on its page: not broken by the page end
    head = [ln for ln in previous.lines if centre_inside(ln.bbox, last.bbox, 1.0)]
    rows = _rows_by_y(sorted(page.lines, key=lambda ln: (ln.bbox[1], ln.bbox[0])))
    n = next((k for k, row in enumerate(rows) if any(_is_body_cell(ln.text) for ln in row)), 0)
    if not head or not 1 <= n <= 4 or _top(rows[0]) > page.height * 0.2:
        return False
    height = min(ln.bbox[3] - ln.bbox[1] for ln in head)
    leading, pause = 0.3 * height, 0.8 * height
    built = list(head)
    for line in rows[0]:  # the first lines continue the cells they sit under (not a repeated header)
        column = [h for h in head if _same_start(h.bbox, line.bbox) or _same_centre(h.bbox, line.bbox)]
        if not column or any(_compact(h.text) == _compact(line.text) for h in column):
            return False
        low = max(column, key=lambda h: h.bbox[3])
        built.append(_moved(line, low.bbox[3] + leading - line.bbox[1]))
    later = [ln for row in rows[1:n] for ln in row]  # the header's last rows
    if later:
        dy = max(ln.bbox[3] for ln in built) + pause - min(ln.bbox[1] for ln in later)
        built += [_moved(ln, dy) for ln in later]
    body_top = _top(rows[n])
    dy = body_top - pause - max(ln.bbox[3] for ln in built)
    built = [_moved(ln, dy) for ln in built]
    body = [
        ln
        for row in rows[n:]
        for ln in row
        if not any(t.ruled and centre_inside(ln.bbox, t.bbox) for t in page.tables)
    ]
    bands = [r for r in page.hrules if r[1] > body_top - 3.0]
    found = borderless_tables(built + in_bands(split_run_together(body), bands))
    table = found[0] if found else None
    if table is None or not table.head_rows or not table.paths or table.bbox[1] > body_top:
        return False
    words = "".join(table.paths)
    if not all(_compact(h.text) in words for h in head) or len(table.paths) < len(last.columns or []):
        return False
    table.lines = [ln for ln in table.lines if ln.bbox[1] >= body_top - 0.5]  # the lines printed here
    previous.tables.remove(last)
    page.tables[:] = [table, *(t for t in page.tables if t.bbox[1] >= table.bbox[3] - 1.0)]
    return True


def _moved(line: Line, dy: float) -> Line:
    x0, y0, x1, y1 = line.bbox
    return Line(text=line.text, bbox=(x0, y0 + dy, x1, y1 + dy), char_x=line.char_x)


def _same_centre(first: BBox, other: BBox) -> bool:
    return abs((first[0] + first[2]) / 2 - (other[0] + other[2]) / 2) <= 2.0


def continue_borderless(previous: Page, page: Page) -> None:
    """A table that reaches the bottom of ``previous`` continues at the top of ``page`` when the
    lines there sit on its columns: rebuild those rows with the same columns (a header repeated
    above them is read as the table's own)."""
    if continue_header(previous, page):
        return
    last = max(previous.tables, key=lambda t: t.bbox[3], default=None)
    # (a table of one column has no columns for the next page's lines to sit on)
    if last is not None and last.columns and len(last.columns) > 1 and last.bbox[3] >= previous.height * 0.7:
        first = min(page.tables, key=lambda t: t.bbox[1], default=None)
        if first is not None and first.bbox[1] < page.height * 0.2 and (first.ruled or first.head_rows):
            _same_columns(last, first)
            return  # the table goes on with its header repeated (or in a grid of its own)
        lines = in_bands(
            split_run_together(
                [
                    ln
                    for ln in page.lines
                    if not any(t.ruled and centre_inside(ln.bbox, t.bbox) for t in page.tables)
                ]
            ),
            page.hrules,
        )
        bottom = min((t.bbox[1] for t in page.tables if t.ruled), default=page.height)
        taken = take_body(lines, last.columns, 0.0, bottom)
        if taken and taken[0].bbox[1] < page.height * 0.2:
            regridded = regrid(taken, last.columns)
            if regridded is not None:
                rows, notes = regridded
                if last.head_rows is None and _header_only(last) is not None:
                    last.head_rows = len(last.rows)
                region = union([ln.bbox for ln in taken])
                kept = [t for t in page.tables if t.ruled or not centre_inside(_top_of(t), region, 1.0)]
                if any(t not in kept and t.bbox[3] > region[3] + 2.0 for t in page.tables):
                    _continue_lines(previous, page)
                    return  # the table found there runs on past these rows: it is read as it is
                page.tables[:] = [
                    Table(
                        bbox=region, rows=rows, ruled=False, columns=last.columns, notes=notes, lines=taken
                    ),
                    *kept,
                ]
                return
    _continue_lines(previous, page)


def _same_columns(last: Table, first: Table) -> None:
    """A header repeated on the next page over the same columns: its body is placed in the
    columns the first part established (a page of few rows says little about its columns)."""
    if first.ruled or not last.columns or not first.paths:
        return
    if [p.split("/")[-1] for p in first.paths] != [p.split("/")[-1] for p in last.header_paths()]:
        return
    head = first.rows[: first.head_rows or 0]
    bottom = max((c.bbox[3] for row in head for c in row if c is not None), default=first.bbox[1])
    body = [ln for ln in first.lines if ln.bbox[1] >= bottom - 0.5]
    regridded = regrid(body, last.columns) if body else None
    if regridded is not None and len(last.columns) == len(first.paths):
        rows, notes = regridded
        first.rows = [list(r) for r in head] + rows
        first.columns = last.columns
        first.paths = last.header_paths()
        first.notes = notes


def _top_of(table: Table) -> BBox:
    x0, y0, x1, _ = table.bbox
    return (x0, y0, x1, y0 + 1.0)


def _continue_lines(previous: Page, page: Page) -> None:
    last = next((t for t in reversed(previous.tables) if not t.ruled), None)
    if last is None or last.bbox[3] < previous.height * 0.75:
        return
    if any(t.bbox[1] < page.height * 0.2 for t in page.tables):
        return
    columns = _table_columns(last)
    edges = {round(x) for c in columns for x in c}
    heights = sorted(
        c.bbox[3] - c.bbox[1] for row in last.rows for c in row if c is not None and "\n" not in c.text
    )
    body = heights[len(heights) // 2] if heights else None
    taken: list[Line] = []
    for row in _rows_by_y([ln for ln in page.lines if not FOOTER_LABEL.match(ln.text.strip())]):
        if body is not None and any(ln.bbox[3] - ln.bbox[1] > 1.25 * body for ln in row):
            break  # a line in larger type (the next table's title) is not one of its rows
        aligned = all(
            any(abs(ln.bbox[0] - 2.5 - e) <= 4 or abs(ln.bbox[2] + 2.5 - e) <= 4 for e in edges)
            or _looks_numeric(ln.text)
            for ln in row
        )
        if not aligned or any(ln.bbox[2] - ln.bbox[0] > 0.6 * page.width for ln in row):
            break
        taken.extend(row)
    if not taken:
        return
    cells = _merge_wrapped(taken)
    notes: list[str] = []
    grid = [
        _slotted([(_column_of(cell.bbox, columns), cell) for cell in row_cells], len(columns), notes)
        for row_cells in _group_rows(cells)
    ]
    page.tables.insert(0, Table(bbox=union([ln.bbox for ln in taken]), rows=grid, ruled=False, notes=notes))


def _narrowest_columns(table: Table) -> list[tuple[float, float]]:
    """Per column, the extent of its narrowest cell (a merged cell spans more than its column)."""
    columns = []
    for k in range(table.n_cols):
        boxes = [cell.bbox for row in table.rows if k < len(row) and (cell := row[k]) is not None]
        narrow = min(boxes, key=lambda b: b[2] - b[0]) if boxes else None
        columns.append((narrow[0], narrow[2]) if narrow else (0.0, 0.0))
    return columns


def _table_columns(table: Table) -> list[tuple[float, float]]:
    columns = []
    for k in range(table.n_cols):
        boxes = [cell.bbox for row in table.rows if k < len(row) and (cell := row[k]) is not None]
        columns.append(
            (min(b[0] for b in boxes) - 2.5, max(b[2] for b in boxes) + 2.5) if boxes else (0.0, 0.0)
        )
    return columns


# ---------------------------------------------------------------- columns anchored on the header
#
# One mechanism for every borderless table: the header cells with nothing below them (the leaf
# headers) name the columns; the body's cells, clustered by the x they cover (a column's cells
# overlap each other whatever their alignment), are matched to the leaf headers in order, by
# distance; a parent header cell spans the run of columns its text is centred over. A cluster
# that could belong to two columns is left out with a note, never placed in a guessed column.

# labels that open a form's rows (name/value pairs over blocks with headers of their own)
FORM_WORDS = (
    "项目名称",
    "主管部门",
    "实施单位",
    "部门名称",
    "单位名称",
    "一级指标",
    "部门（单位）",
    "部门(单位)",
)
HEAD_NOISE = re.compile(r"^(编制|填报|金额)?单位[:：]|^[（(]?单位[:：]")
CODE_PIECE = re.compile(r"\d{2,7}")
COLUMN_NUMBER = re.compile(r"^(栏次|\d{1,2})$")
Span = tuple[float, float]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _overlap(a: Span, b: Span) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _gap(a: Span, b: Span) -> float:
    return max(a[0] - b[1], b[0] - a[1], 0.0)


def _xs(cell: Cell) -> Span:
    return (cell.bbox[0], cell.bbox[2])


def _clusters(cells: list[Cell]) -> list[list[Cell]]:
    """Cells grouped by the runs of x they cover: cells of one column overlap, columns do not."""
    out: list[list[Cell]] = []
    reach = float("-inf")
    for cell in sorted(cells, key=lambda c: c.bbox[0]):
        if out and cell.bbox[0] <= reach + 1.0:
            out[-1].append(cell)
        else:
            out.append([cell])
        reach = max(reach, cell.bbox[2]) if len(out[-1]) > 1 else cell.bbox[2]
    return out


def _span_of(cells: list[Cell]) -> Span:
    return (min(c.bbox[0] for c in cells), max(c.bbox[2] for c in cells))


SHARE = (
    10.0  # points: a second cluster under one header (the 类/款/项 of one 科目编码) must be that much nearer
)


# header words naming a column of labels (data, not code: a template with other words adds them)
LABEL_HEADS = ("项目", "科目名称", "名称", "科目", "单位名称", "项目名称")
MISMATCH = 8.0  # points: labels under a header of amounts, or amounts under a header of labels


def _match(clusters: list[Span], anchors: list[Span], mismatch: list[list[bool]] | None = None) -> list[int]:
    """Each cluster's anchor (in x order, several clusters may share one): the order-keeping
    assignment with the least total distance (plus MISMATCH where the kinds disagree)."""
    n, m = len(clusters), len(anchors)
    inf = float("inf")

    def cost(i: int, k: int) -> float:
        a, b = clusters[i], anchors[k]
        off = MISMATCH if mismatch is not None and mismatch[i][k] else 0.0
        return _gap(a, b) + off + 0.001 * abs((a[0] + a[1]) / 2 - (b[0] + b[1]) / 2)

    best = [[inf] * m for _ in range(n)]
    back = [[0] * m for _ in range(n)]
    for k in range(m):
        best[0][k] = cost(0, k)
    for i in range(1, n):
        run, arg = inf, 0  # the best over anchors left of k
        for k in range(m):
            shared = best[i - 1][k] + SHARE
            best[i][k], back[i][k] = (run, arg) if run <= shared else (shared, k)
            best[i][k] += cost(i, k)
            if best[i - 1][k] < run:
                run, arg = best[i - 1][k], k
    k = min(range(m), key=lambda j: best[n - 1][j])
    out = [k]
    for i in range(n - 1, 0, -1):
        k = back[i][k]
        out.append(k)
    return out[::-1]


def _bounds(contents: list[Span]) -> list[Span]:
    """Column ranges from what each column prints: the boundary halfway between neighbours."""
    cuts = []
    for a, b in zip(contents, contents[1:], strict=False):
        cuts.append((a[1] + b[0]) / 2 if a[1] < b[0] else (a[0] + a[1] + b[0] + b[1]) / 4)
    lefts = [contents[0][0] - 3.0] + cuts
    rights = cuts + [contents[-1][1] + 3.0]
    return list(zip(lefts, rights, strict=True))


def _below(low: Cell, high: Cell) -> bool:
    return low.bbox[1] >= high.bbox[3] - 1.0 and _overlap(_xs(low), _xs(high)) > 0.5


def header_grid(lines: list[Line]) -> Table | None:
    """A borderless table read from its header: None when it has no header of two or more
    columns above its first row of amounts or codes."""
    cells = _merge_wrapped(lines)
    rows = _join_straddled(_group_rows(cells))
    # the first row of amounts, codes or blank marks ("—" in every column of a page's first rows)
    first_body = next(
        (i for i, row in enumerate(rows) if any(_is_body_cell(c.text) or _blank_mark(c.text) for c in row)), 0
    )
    if first_body == 0:
        return None
    head = [c for row in rows[:first_body] for c in row if not HEAD_NOISE.match(c.text.strip())]
    if any(_compact(c.text).startswith(FORM_WORDS) for c in head):
        return None  # a form (a 绩效 table: label/value pairs, then blocks of their own), not a grid
    if any(len(_compact(c.text)) > 18 or re.search(r"[≥≤<>=]", c.text) for c in head):
        return None  # sentences and targets above the first amounts: rows of a form, not a header
    numbers = [c for c in head if COLUMN_NUMBER.match(_compact(c.text))]
    head = _centred_wraps([c for c in head if c not in numbers])
    body = _join_wrapped_rows(rows[first_body:])
    leaves = _leaves(head, [c for row in body for c in row if not _blank_mark(c.text)])
    if len(leaves) < 2:
        return None
    return _anchored(lines, head, leaves, numbers, body)


def _centred_wraps(head: list[Cell]) -> list[Cell]:
    """Header text centred in its cell and wrapped with a word processor's leading (wider than
    a sheet's): lines on one centre, each no wider than the one above and one leading below it,
    are one header ("国有资本" / "经营预算" / "财政拨款")."""
    out: list[Cell] = []

    def parent(upper: Cell, cell: Cell) -> bool:
        """Siblings of ``cell`` under ``upper`` too, or on both sides of it near: a parent."""
        level = [o for o in head if o is not cell and abs(o.bbox[1] - cell.bbox[1]) < 2.0]
        if any(_overlap(_xs(o), _xs(upper)) > 0 for o in level):
            return True
        # a parent is centred over a wide span: nothing beside it on its own line within half its
        # width, and its children's line has cells on both sides of the middle one
        reach = (upper.bbox[2] - upper.bbox[0]) / 2

        def near(o: Cell) -> bool:
            return upper.bbox[0] - reach < o.bbox[2] and o.bbox[0] < upper.bbox[2] + reach

        own = [o for o in head if o is not upper and abs(o.bbox[1] - upper.bbox[1]) < 2.0]
        if any(near(o) for o in own):
            return False
        below = [o for o in level if near(o)]
        return any(o.bbox[2] <= cell.bbox[0] for o in below) and any(o.bbox[0] >= cell.bbox[2] for o in below)

    for cell in sorted(head, key=lambda c: (c.bbox[1], c.bbox[0])):
        height = cell.bbox[3] - cell.bbox[1]
        k = next(
            (
                k
                for k in range(len(out) - 1, -1, -1)
                if abs(out[k].bbox[0] + out[k].bbox[2] - cell.bbox[0] - cell.bbox[2]) < 2.0
                and cell.bbox[2] - cell.bbox[0] <= out[k].bbox[2] - out[k].bbox[0] + 1.0
                and -1.0 <= cell.bbox[1] - out[k].bbox[3] < 0.6 * height
                and not parent(out[k], cell)
            ),
            None,
        )
        if k is None:
            out.append(cell)
        else:
            out[k] = Cell(out[k].text + cell.text, union([out[k].bbox, cell.bbox]), out[k].band)
    return out


@dataclass
class _Fit:
    """Body cells matched to column anchors: clusters, the anchor of each, the clusters left out."""

    groups: list[list[Cell]]
    spans: list[Span]
    owner: list[int]
    dropped: set[int]
    spanning: list[Cell]
    notes: list[str]
    anchors: list[Span]

    def cluster_of(self, cell: Cell) -> int:
        return next(n for n, g in enumerate(self.groups) if any(c is cell for c in g))


def _fit(body: list[list[Cell]], anchors: list[Span], heads: list[str] | None = None) -> _Fit | None:
    solid = [c for row in body for c in row if not _blank_mark(c.text)]
    # a cell over two anchors (a 合计 centred across the code and name columns) would join their
    # clusters: it is placed by its centre once the columns are known
    spanning = [c for c in solid if sum(_overlap(_xs(c), a) > 0.5 for a in anchors) >= 2]
    groups = _clusters([c for c in solid if c not in spanning])
    if not groups:
        return None
    spans = [_span_of(g) for g in groups]
    mismatch = None
    if heads is not None:
        labels = [_compact(h).endswith(LABEL_HEADS) for h in heads]
        kinds = [
            "text"
            if not any(_looks_numeric(c.text) or CODE_PIECE.fullmatch(_compact(c.text)) for c in g)
            else "value"
            if all(_looks_numeric(c.text) for c in g)
            else "mixed"
            for g in groups
        ]
        mismatch = [
            [kind == "text" and not lab or kind == "value" and lab for lab in labels] for kind in kinds
        ]
    owner = _match(spans, anchors, mismatch)
    dropped: set[int] = set()
    taken = set(owner)
    for i, (span, k) in enumerate(zip(spans, owner, strict=True)):
        if sum(_overlap(span, a) > 0.5 for a in anchors) >= 2:
            dropped.add(i)  # cells of two columns run together: which is which cannot be told
        own = _gap(span, anchors[k])
        if own == 0.0:
            continue
        for j in (k - 1, k + 1):
            if 0 <= j < len(anchors) and j not in taken and _gap(span, anchors[j]) < own + 3.0:
                dropped.add(i)  # as near a blank column's header as its own
    notes = [
        f"无框线表格的列无法区分：{'、'.join(c.text for c in groups[i][:3])} 等 {len(groups[i])} 个单元格未读取"
        for i in sorted(dropped)
    ]
    return _Fit(groups, spans, owner, dropped, spanning, notes, anchors)


def _strain(fit: _Fit) -> float:
    gaps = sum(_gap(s, fit.anchors[k]) for s, k in zip(fit.spans, fit.owner, strict=True))
    shared = len(fit.owner) - len(set(fit.owner))
    return gaps + SHARE * shared + 5.0 * len(fit.spanning) + 20.0 * len(fit.dropped)


def _fill(
    body: list[list[Cell]], fit: _Fit, column_of_cluster: dict[int, int], bounds: list[Span]
) -> list[list[Cell | None]]:
    out = []
    for row in body:
        placed: list[tuple[int, Cell]] = []
        for cell in row:
            if cell in fit.spanning or _blank_mark(cell.text):
                placed.append((_column_of(cell.bbox, bounds), cell))
            else:
                i = fit.cluster_of(cell)
                if i not in fit.dropped:
                    placed.append((column_of_cluster[i], cell))
        out.append(_slotted(placed, len(bounds), fit.notes))
    return out


def body_rows(lines: list[Line]) -> list[list[Cell]]:
    return _join_wrapped_rows(_group_rows(_merge_wrapped(lines)))


def regrid(lines: list[Line], bounds: list[Span]) -> tuple[list[list[Cell | None]], list[str]] | None:
    """Body lines placed in known columns (a header part above, or the part of the table on the
    previous page): None when some cells lie outside every column."""
    body = body_rows(lines)
    fit = _fit(body, bounds)
    if fit is None or any(_gap(s, bounds[k]) > 0 for s, k in zip(fit.spans, fit.owner, strict=True)):
        return None
    return _fill(body, fit, {i: k for i, k in enumerate(fit.owner)}, bounds), fit.notes


def _leaves(head: list[Cell], body: list[Cell]) -> list[Cell]:
    """The header cells naming a column: nothing of the header below them. A cell over the
    same body text as a lower one is a parent whose children sit beside it, not under it (a
    "项目" centred over the code and name columns)."""
    # a cell with nothing under it, not even body text, whose nearest neighbours on both sides
    # sit in one lower header row heads the group between them ("支出" centred over columns
    # whose headers are below)
    parents = {
        id(h)
        for h in head
        if _between_lower(h, head) and not any(_overlap(_xs(c), _xs(h)) > 0.5 for c in body)
    }
    while True:
        leaves = [h for h in head if id(h) not in parents and not any(_below(g, h) for g in head)]
        votes: dict[int, int] = {}
        for cell in body:
            over = [h for h in leaves if _overlap(_xs(cell), _xs(h)) > 0.5]
            for h in over:
                if any(g.bbox[1] >= h.bbox[3] - 1.0 for g in over if g is not h):
                    votes[id(h)] = votes.get(id(h), 0) + 1
        demoted = {k for k, n in votes.items() if n >= 2}
        if not demoted:
            return sorted(leaves, key=lambda c: c.bbox[0])
        parents |= demoted


def _between_lower(cell: Cell, head: list[Cell]) -> bool:
    left = [g for g in head if g.bbox[2] <= cell.bbox[0] + 0.5]
    right = [g for g in head if g.bbox[0] >= cell.bbox[2] - 0.5]
    if not left or not right:
        return False
    a = max(left, key=lambda g: g.bbox[2])
    b = min(right, key=lambda g: g.bbox[0])
    # one row: the same middle (a header wrapped onto more lines, centred, starts higher)
    return a.bbox[1] >= cell.bbox[3] - 1.0 and abs(_mid_y(a) - _mid_y(b)) < 2.0


def _anchored(
    lines: list[Line], head: list[Cell], leaves: list[Cell], numbers: list[Cell], body: list[list[Cell]]
) -> Table | None:
    # header text centred over its column (anchored on the text), or printed from the column's
    # left edge (a column then runs to where the next header starts): whichever places the body
    # with less strain
    right = max(c.bbox[2] for row in body for c in row) + 5.0
    starts = [c.bbox[0] - 1.5 for c in leaves]
    fits = [
        f
        for anchors in ([_xs(c) for c in leaves], list(zip(starts, starts[1:] + [right], strict=True)))
        if (f := _fit(body, anchors, [c.text for c in leaves])) is not None
    ]
    if not fits:
        return None
    fit = min(fits, key=_strain)
    spans, owner = fit.spans, fit.owner
    # columns: one per leaf, or one per cluster where a leaf heads several (类/款/项 under 科目编码)
    columns: list[tuple[int, Span]] = []  # (leaf, what the column prints)
    cluster_column: dict[int, int] = {}
    for k, leaf in enumerate(leaves):
        mine = [i for i, o in enumerate(owner) if o == k]
        codes = all(all(re.fullmatch(r"\d{2,7}", _compact(c.text)) for c in fit.groups[i]) for i in mine)
        if len(mine) > 1 and not codes:  # one column printing text and amounts apart: still one
            content = _xs(leaf)
            for i in mine:
                cluster_column[i] = len(columns)
                content = (min(content[0], spans[i][0]), max(content[1], spans[i][1]))
            columns.append((k, content))
            continue
        if len(mine) <= 1:
            content = _xs(leaf)
            if mine:
                cluster_column[mine[0]] = len(columns)
                content = (min(content[0], spans[mine[0]][0]), max(content[1], spans[mine[0]][1]))
            columns.append((k, content))
            continue
        for i in mine:
            cluster_column[i] = len(columns)
            columns.append((k, spans[i]))
    bounds = _bounds([c for _, c in columns])
    leaf_bounds = [
        (
            min(b[0] for (k2, _), b in zip(columns, bounds, strict=True) if k2 == k),
            max(b[1] for (k2, _), b in zip(columns, bounds, strict=True) if k2 == k),
        )
        for k in range(len(leaves))
    ]
    parents = [h for h in head if h not in leaves]
    # parents printed from their span's left edge start where one of their columns starts
    flush = [p for p in parents if any(abs(p.bbox[0] - leaf.bbox[0]) < 1.0 for leaf in leaves)]
    from_left = bool(parents) and 2 * len(flush) > len(parents)
    ranges = (
        _left_ranges(parents, head, leaves) if from_left else _parent_ranges(parents, leaves, leaf_bounds)
    )
    ranges.update({id(leaf): (k, k) for k, leaf in enumerate(leaves)})
    placed = [h for h in head if id(h) in ranges]
    first_col = {k: next(j for j, (k2, _) in enumerate(columns) if k2 == k) for k in range(len(leaves))}

    def ancestors(cell: Cell) -> list[Cell]:
        a, b = ranges[id(cell)]
        return sorted(
            (
                p
                for p in placed
                if p is not cell
                and ranges[id(p)][0] <= a
                and b <= ranges[id(p)][1]
                and p.bbox[3] <= cell.bbox[1] + 1.0
            ),
            key=lambda p: p.bbox[1],
        )

    depth = {id(h): len(ancestors(h)) for h in placed}
    levels = max(depth.values()) + 1
    head_rows: list[list[Cell | None]] = [[None] * len(columns) for _ in range(levels)]
    for h in placed:
        head_rows[depth[id(h)]][first_col[ranges[id(h)][0]]] = h
    paths = [_path([*ancestors(leaves[k]), leaves[k]], ranges) for k, _ in columns]
    if numbers:
        head_rows.append(_slots(numbers, bounds))
    return Table(
        bbox=union([ln.bbox for ln in lines]),
        rows=head_rows + _fill(body, fit, cluster_column, bounds),
        ruled=False,
        head_rows=len(head_rows),
        paths=paths,
        columns=bounds,
        notes=fit.notes,
        lines=list(lines),
    )


def _path(chain: list[Cell], ranges: dict[int, tuple[int, int]]) -> str:
    """A column's header path; a cell over exactly the columns of the one below it is the same
    header wrapped onto lines ("科目名" over "称", "附属单" over "位上缴" over "收入"), not a parent."""
    pieces: list[str] = []
    for n, cell in enumerate(chain):
        if n and ranges[id(chain[n - 1])] == ranges[id(cell)]:
            pieces[-1] += _compact(cell.text)
        else:
            pieces.append(_compact(cell.text))
    return "/".join(pieces)


def _slots(cells: list[Cell], bounds: list[Span]) -> list[Cell | None]:
    slots: list[Cell | None] = [None] * len(bounds)
    for cell in cells:
        j = _column_of(cell.bbox, bounds)
        old = slots[j]
        slots[j] = _joined(old, cell)
    return slots


def _left_ranges(parents: list[Cell], head: list[Cell], leaves: list[Cell]) -> dict[int, tuple[int, int]]:
    """Header text printed from its cell's left edge: a parent spans the columns from the one
    starting under it to the one before the next cell of its row starts."""
    out: dict[int, tuple[int, int]] = {}
    for p in parents:
        first = max((k for k, leaf in enumerate(leaves) if leaf.bbox[0] <= p.bbox[0] + 1.5), default=None)
        if first is None:
            continue
        nxt = min(
            (g.bbox[0] for g in head if abs(g.bbox[1] - p.bbox[1]) < 2.0 and g.bbox[0] > p.bbox[2] - 0.5),
            default=float("inf"),
        )
        last = first
        while (
            last + 1 < len(leaves)
            and leaves[last + 1].bbox[0] < nxt - 1.0
            and leaves[last + 1].bbox[1] >= p.bbox[3] - 1.0
        ):
            last += 1
        out[id(p)] = (first, last)
    return out


def _parent_ranges(parents: list[Cell], leaves: list[Cell], bounds: list[Span]) -> dict[int, tuple[int, int]]:
    """The run of leaf columns each parent header cell spans: every column its text overlaps,
    widened to the run whose middle is nearest its centre (for its width); lower parents first,
    and a higher parent takes a lower one's run whole or not at all."""
    done: list[tuple[Cell, tuple[int, int]]] = []
    out: dict[int, tuple[int, int]] = {}
    n = len(leaves)
    owns = {id(p): {k for k in range(n) if _overlap(_xs(p), bounds[k]) > 1.0} for p in parents}
    for p in sorted(parents, key=lambda c: -c.bbox[1]):
        under = [leaf.bbox[1] >= p.bbox[3] - 1.0 for leaf in leaves]
        must = sorted(owns[id(p)])
        if not must:
            continue
        # the columns under a sibling's text (a cell of the same header row) are the sibling's
        theirs = {
            k for q in parents if q is not p and abs(q.bbox[1] - p.bbox[1]) < 2.0 for k in owns[id(q)]
        } - owns[id(p)]
        under = [u and k not in theirs for k, u in enumerate(under)]
        centre = (p.bbox[0] + p.bbox[2]) / 2
        best: tuple[float, tuple[int, int]] | None = None
        for i in range(min(must) + 1):
            for j in range(max(must), n):
                if not all(under[i : j + 1]):
                    continue
                ok = True
                for q, (a, b) in done:
                    same_level = abs(q.bbox[1] - p.bbox[1]) < 2.0
                    inside = i <= a and b <= j
                    apart = b < i or a > j
                    if not (apart or inside and not same_level):
                        ok = False
                        break
                if not ok:
                    continue
                # how far off centre, for the run's width (column bounds are estimates); a
                # parent heads two columns or more unless nothing else fits
                miss = abs((bounds[i][0] + bounds[j][1]) / 2 - centre) / (bounds[j][1] - bounds[i][0])
                miss += 1.0 if i == j else 0.0
                if best is None or miss < best[0]:
                    best = (miss, (i, j))
        if best is not None:
            done.append((p, best[1]))
            out[id(p)] = best[1]
    return _orphans_joined(parents, leaves, out)


def _mid(cell: Cell) -> float:
    return (cell.bbox[0] + cell.bbox[2]) / 2


def _mid_y(cell: Cell) -> float:
    return (cell.bbox[1] + cell.bbox[3]) / 2


def _orphans_joined(
    parents: list[Cell], leaves: list[Cell], ranges: dict[int, tuple[int, int]]
) -> dict[int, tuple[int, int]]:
    """A leaf header on the line of a parent row's children, under no parent, has one (its row-one
    cell is a parent centred over more columns than its text tells: "支出" over 项目 行次 合计 …
    of a 收支 table). It joins the run of the parent row beside it (the nearer, between two);
    a header spanning the rows itself sits higher or lower than the children and stays alone."""
    owned = {k for a, b in ranges.values() for k in range(a, b + 1)}
    for level in {round(p.bbox[1]) for p in parents if id(p) in ranges}:
        row = sorted(
            (p for p in parents if id(p) in ranges and abs(p.bbox[1] - level) < 2.0),
            key=lambda p: ranges[id(p)][0],
        )
        children = [leaves[k] for p in row for k in range(ranges[id(p)][0], ranges[id(p)][1] + 1)]
        if not children:
            continue
        line = sorted((c.bbox[1] + c.bbox[3]) / 2 for c in children)[len(children) // 2]
        for k, leaf in enumerate(leaves):
            if k in owned or abs((leaf.bbox[1] + leaf.bbox[3]) / 2 - line) > 1.5:
                continue
            if leaf.bbox[1] < max(p.bbox[3] for p in row) - 1.0:
                continue
            left = next((p for p in reversed(row) if ranges[id(p)][1] < k), None)
            right = next((p for p in row if ranges[id(p)][0] > k), None)
            # the run beside it may only grow over orphans of this line
            if left is not None and any(j in owned for j in range(ranges[id(left)][1] + 1, k)):
                left = None
            if right is not None and any(j in owned for j in range(k + 1, ranges[id(right)][0])):
                right = None
            # the nearest header of the parents' line heads it: no parent reaches past a header of
            # that line nearer to it ("收入" read as a column of its own beside "支出")
            centre = _mid(leaf)
            line_cells = [c for c in leaves if abs(c.bbox[1] - level) < 2.0] + row
            nearest = min(line_cells, key=lambda c: abs(_mid(c) - centre))
            near = nearest if nearest is left or nearest is right else None
            if near is not None:
                a, b = ranges[id(near)]
                ranges[id(near)] = (min(a, k), max(b, k))
    return ranges
