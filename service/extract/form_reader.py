"""Reading a 绩效 form from where its words sit, whatever drew it (ruled or not, Word, Excel, WPS).

The form's printed lines are the only input. Header words (as data: FORM_HEADERS, BUDGET_HEADERS)
find the header rows and each column's position; columns are the runs of x covered by the header
and the cells below it (the white space between columns); a cell is the lines of one column that
follow each other at line spacing; a row is the cells of the value columns whose heights overlap
(cells of one row share a top, a middle or a bottom, whatever the vertical alignment); merged
一级/二级指标 labels apply to the rows they are centred on, or, when printed at the top of their
rows, down to the next label. Nothing here depends on rules being drawn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from service.chunking import FOOTER
from service.document import BBox, Document, Line, centre_inside
from service.extract.locate import Occurrence, match_title
from service.numbers import compact

# header words as data: a new template is a new word here, not a new branch
FORM_HEADERS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "指标名称"),
    "target": ("年度指标值", "指标值", "预期指标值", "目标值", "年度目标值"),
    "target_note": ("指标说明",),
    "actual": ("实际完成值", "实际完成情况", "完成值", "全年实际值"),
    "weight": ("分值", "权重", "指标分值"),
    "score": ("得分", "自评得分", "评分"),
    "deviation": ("偏差度",),
    "reason": ("偏差原因分析及改进措施", "偏差原因", "未完成原因", "偏差原因分析", "原因分析及改进措施"),
}
BUDGET_HEADERS: dict[str, tuple[str, ...]] = {
    "initial": ("年初预算数", "年初数", "年初预算"),
    "full_year": ("全年预算数", "全年数"),
    "executed": ("全年执行数", "全年实际执行数"),
    "weight": ("分值",),
    "rate": ("执行率", "预算执行率"),
    "score": ("得分",),
}
TOTAL_WORDS = ("总分", "总分：", "合计", "总计", "自评总分")
SUBJECT_LABELS = ("项目名称", "部门（单位）名称", "部门(单位)名称", "部门名称", "单位名称")
BLANKS = ("-", "—", "－", "/", "无")
NUMBER = re.compile(r"^\d{1,3}(\.\d+)?$")
MONEY = re.compile(r"^-?[\d,]*\d(\.\d+)?%?$")


@dataclass(frozen=True)
class Piece:
    """One printed line (or the part of it inside one column) on a page."""

    text: str
    box: BBox
    page: int
    char_x: tuple[float, ...] = ()  # each character's left edge and the last right edge

    @property
    def flat(self) -> str:
        return compact(self.text)

    @property
    def x0(self) -> float:
        return self.box[0]

    @property
    def x1(self) -> float:
        return self.box[2]

    @property
    def y0(self) -> float:
        return self.box[1]

    @property
    def y1(self) -> float:
        return self.box[3]

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def h(self) -> float:
        return self.box[3] - self.box[1]


def pieces_of(lines: Iterable[tuple[Line, int]]) -> list[Piece]:
    return [Piece(ln.text, ln.bbox, page, ln.char_x) for ln, page in lines if ln.text.strip()]


# ---------------------------------------------------------------- the form's region


def _title_positions(doc: Document, occurrences: list[Occurrence]) -> list[tuple[int, float]]:
    """(page, top) where each occurrence starts: its title line (the k-th line printing that title
    on the page for the k-th occurrence there), else its first grid."""
    out: list[tuple[int, float]] = []
    seen: dict[tuple[int, str], int] = {}
    for occ in occurrences:
        page = doc.pages[occ.page - 1]
        top: float | None = None
        if occ.title:
            k = seen.get((occ.page, occ.title), 0)
            seen[(occ.page, occ.title)] = k + 1
            hits = [ln for ln in page.lines if ln.text.strip() == occ.title.strip()]
            if k < len(hits):
                top = hits[k].bbox[1]
        if top is None:
            top = occ.grids[0][0].bbox[1] - 1 if occ.grids else 0.0
        out.append((occ.page, top))
    return out


def form_regions(
    doc: Document, occurrences: list[Occurrence], kinds: tuple[str, ...]
) -> dict[int, list[Piece]]:
    """id(occurrence) → the lines printed from its title to the next table's title, footers left
    out, for the occurrences of ``kinds``. Past the occurrence's last page found by the locator, a
    page is taken while it continues the form (its lines start where the form's columns start) and
    the form's 总分 has not been printed."""
    starts = _title_positions(doc, occurrences)
    out: dict[int, list[Piece]] = {}
    for n, occ in enumerate(occurrences):
        if occ.spec.kind not in kinds:
            continue
        first_page, top = starts[n]
        end_page, end_y = doc.page_count, float("inf")
        if n + 1 < len(occurrences):
            end_page, end_y = starts[n + 1]
        chosen: list[Piece] = []
        for number in range(first_page, end_page + 1):
            page = doc.pages[number - 1]
            mine = []
            for ln in page.lines:
                text = ln.text.strip()
                if not text or ln.bbox[1] > page.height * 0.9 and FOOTER.match(text):
                    continue
                if number == first_page and ln.bbox[1] <= top + 0.5:
                    continue
                if number == end_page and ln.bbox[1] >= end_y - 0.5:
                    continue
                mine += split_marks(Piece(ln.text, ln.bbox, number, ln.char_x))
            if number > max(occ.pages) and not _continues(chosen, mine):
                break
            chosen += mine
            if number >= max(occ.pages) and any(p.flat in TOTAL_WORDS for p in mine):
                break
        out[id(occ)] = chosen
    return out


def _continues(before: list[Piece], page: list[Piece]) -> bool:
    if not before or not page:
        return False
    starts = {round(p.x0) for p in before if p.page == before[-1].page}
    on_columns = sum(1 for p in page if any(abs(p.x0 - x) <= 1.5 for x in starts))
    return on_columns >= max(3, len(page) // 2)


TOKEN = re.compile(r"^(?:[-—－/]|-?[\d,]*\d(?:\.\d+)?%?)$")


def split_marks(p: Piece) -> list[Piece]:
    """A line holding several numbers or blank marks apart ("- 79.2%": a blank cell and the next
    cell read as one line) is one piece per token; no amount has a space inside it."""
    parts = list(re.finditer(r"\S+", p.text))
    if len(parts) < 2 or not all(TOKEN.match(m.group(0)) for m in parts) or len(p.char_x) != len(p.text) + 1:
        return [p]
    xs = p.char_x
    return [
        Piece(m.group(0), (xs[m.start()], p.y0, xs[m.end()], p.y1), p.page, xs[m.start() : m.end() + 1])
        for m in parts
    ]


# ---------------------------------------------------------------- header rows


@dataclass
class Header:
    """A header row found by its words: field → (printed word, x0, x1)."""

    page: int
    y0: float
    y1: float
    columns: dict[str, tuple[str, float, float]]
    pieces: list[Piece] = field(default_factory=list)


def _best(flat: str, vocab: dict[str, tuple[str, ...]]) -> str | None:
    best: tuple[str, int] | None = None
    for name, words in vocab.items():
        for word in words:
            if (flat == word or flat.startswith(word)) and (best is None or len(word) > best[1]):
                best = (name, len(word))
    return best[0] if best else None


def _is_prefix(flat: str, vocab: dict[str, tuple[str, ...]]) -> bool:
    return any(word.startswith(flat) for words in vocab.values() for word in words)


def find_headers(
    pieces: list[Piece], vocab: dict[str, tuple[str, ...]], complete: Callable[[set[str]], bool]
) -> list[Header]:
    """Header rows: pieces on one band whose words (stacked lines joined while they still spell a
    header word: "偏差原因分析及" + "改进措施") name columns, enough of them to be this header."""
    out: list[Header] = []
    used: set[int] = set()
    for seed in pieces:
        if id(seed) in used or len(seed.flat) < 2 or not _is_prefix(seed.flat, vocab):
            continue
        reach = max(seed.h, 4.0) * 1.5
        band = [
            p for p in pieces if p.page == seed.page and p.y1 > seed.y0 - reach and p.y0 < seed.y1 + reach
        ]
        cells: list[tuple[str, list[Piece]]] = []
        for group in _x_groups(band):
            stack: list[Piece] = []
            for p in sorted(group, key=lambda p: p.y0):
                joined = "".join(q.flat for q in stack) + p.flat
                if stack and _is_prefix(joined, vocab):
                    stack.append(p)
                    continue
                if stack and _best("".join(q.flat for q in stack), vocab):
                    cells.append(("".join(q.flat for q in stack), stack))
                stack = [p] if _is_prefix(p.flat, vocab) or _best(p.flat, vocab) else []
            if stack and _best("".join(q.flat for q in stack), vocab):
                cells.append(("".join(q.flat for q in stack), stack))
        columns: dict[str, tuple[str, float, float]] = {}
        members: list[Piece] = []
        for text, stack in sorted(cells, key=lambda c: c[1][0].x0):
            name = _best(text, vocab)
            if name and name not in columns:
                columns[name] = (text, min(p.x0 for p in stack), max(p.x1 for p in stack))
                members += stack
        if seed not in members or not complete(set(columns)):
            continue
        used |= {id(p) for p in members}
        out.append(
            Header(
                seed.page,
                min(p.y0 for p in members),
                max(p.y1 for p in members),
                columns,
                members,
            )
        )
    return out


def _x_groups(pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces whose x ranges overlap, transitively (the lines of one column)."""
    groups: list[list[Piece]] = []
    right = float("-inf")
    for p in sorted(pieces, key=lambda p: p.x0):
        if groups and p.x0 < right - 0.5:
            groups[-1].append(p)
            right = max(right, p.x1)
        else:
            groups.append([p])
            right = p.x1
    return groups


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    name: str  # field, or "" for a column no header names
    printed: str
    lo: float
    hi: float


def columns_of(header: Header, body: list[Piece], hint: str = "centre") -> list[Column]:
    """Each header column's x range. Headers printed flush with their cells' left (or right) edges
    bound the columns there; centred headers are widened to the run of x their cells cover (the x
    ranges of header and body pieces merged where they touch; a run holding two headers is split
    between them). ``hint``: how the form's other header row is aligned, for a block of numbers
    only (whose alignment says nothing of the headers')."""
    heads = sorted(header.columns.items(), key=lambda kv: kv[1][1])
    edge = _header_alignment(heads, body)
    if edge == "centre":
        edge = hint
    if edge != "centre":
        flush = _flush_columns(heads, edge)
        if not any(_crosses(p, flush) for p in body) and not _side_by_side(body, flush):
            return flush
    spans = sorted([(p.x0, p.x1) for p in body] + [(lo, hi) for _, lo, hi in header.columns.values()])
    runs: list[list[float]] = []
    for lo, hi in spans:
        if runs and lo < runs[-1][1] - 0.3:
            runs[-1][1] = max(runs[-1][1], hi)
        else:
            runs.append([lo, hi])
    out: list[Column] = []
    for lo, hi in runs:
        inside = [(n, w, a, b) for n, (w, a, b) in heads if lo - 0.5 <= (a + b) / 2 <= hi + 0.5]
        if not inside:
            out.append(Column("", "", lo, hi))
            continue
        for k, (name, word, a, b) in enumerate(inside):
            left = lo if k == 0 else (inside[k - 1][3] + a) / 2
            right = hi if k == len(inside) - 1 else (b + inside[k + 1][2]) / 2
            out.append(Column(name, word, left, right))
    return _attach_unnamed(out, body, {n: (a, b) for n, (_, a, b) in heads})


def _owner(
    columns: list[Column], k: int, mine: list[Piece], heads: dict[str, tuple[float, float]]
) -> int | None:
    """Which neighbour a run of numbers between two centred headers belongs to: the one whose
    column, centred on its header and reaching the numbers, does not run into another header."""
    lo, hi = min(p.x0 for p in mine), max(p.x1 for p in mine)
    named = [(i, heads[c.name]) for i, c in enumerate(columns) if c.name in heads]
    left = [(i, h) for i, h in named if i < k]
    right = [(i, h) for i, h in named if i > k]
    fits = []
    if left:
        i, (a, b) = left[-1]
        reach = 2 * (a + b) / 2 - hi  # the column's left edge, were it to end at the numbers
        before = left[-2][1][1] if len(left) > 1 else float("-inf")
        if (not right or hi <= right[0][1][0]) and reach >= before:
            fits.append(i)
    if right:
        i, (a, b) = right[0]
        reach = 2 * (a + b) / 2 - lo  # the column's right edge, were it to start at the numbers
        after = right[1][1][0] if len(right) > 1 else float("inf")
        if (not left or lo >= left[-1][1][1]) and reach <= after:
            fits.append(i)
    return fits[0] if len(fits) == 1 else None


def _flush_columns(heads: list[tuple[str, tuple[str, float, float]]], edge: str) -> list[Column]:
    out = []
    for k, (name, (word, a, b)) in enumerate(heads):
        # the first column starts at its header (a label column before it is no header's), the
        # last runs on to the right
        if edge == "left":
            lo = a - 1.0
            hi = heads[k + 1][1][1] - 1.0 if k + 1 < len(heads) else float("inf")
        else:
            lo = heads[k - 1][1][2] + 1.0 if k else a - (b - a) - 1.0
            hi = b + 1.0 if k + 1 < len(heads) else float("inf")
        out.append(Column(name, word, lo, hi))
    return out


def _side_by_side(body: list[Piece], columns: list[Column]) -> bool:
    """Whether two cells of one row fall in one column (then the boundaries are wrong)."""
    for col in columns:
        mine = sorted((p for p in body if col.lo <= p.cx <= col.hi), key=lambda p: (p.page, p.y0))
        for n, p in enumerate(mine):
            for q in mine[n + 1 :]:
                if q.page != p.page or q.y0 > p.y1:
                    break
                gap = max(q.x0 - p.x1, p.x0 - q.x1)
                if min(p.y1, q.y1) - max(p.y0, q.y0) > 0.5 * min(p.h, q.h) and gap > 1.5 * max(p.h, q.h):
                    return True
    return False


def _crosses(p: Piece, columns: list[Column]) -> bool:
    """Whether a piece runs over a column boundary (then the boundaries are not where cells are)."""
    return sum(1 for c in columns if min(p.x1, c.hi) - max(p.x0, c.lo) > 1.0) > 1


def _header_alignment(heads: list[tuple[str, tuple[str, float, float]]], body: list[Piece]) -> str:
    """ "left" when most headers start where cells below them start (Excel's default), "right"
    when they end where cells end, else "centre"."""
    votes = {"left": 0, "right": 0, "centre": 0}
    for _, (_, a, b) in heads:
        below = [p for p in body if p.x1 > a - 1 and p.x0 < b + 1]
        if any(abs(p.x0 - a) <= 1.0 and abs(p.x1 - b) > 1.0 for p in below):
            votes["left"] += 1
        if any(abs(p.x1 - b) <= 1.0 and abs(p.x0 - a) > 1.0 for p in below):
            votes["right"] += 1
        if any(abs(p.cx - (a + b) / 2) <= 1.0 for p in below):
            votes["centre"] += 1
    # a label as wide as its header counts for neither: both its edges match
    for edge in ("left", "right"):
        if votes[edge] >= 2 and votes[edge] >= votes["centre"]:
            return edge
    return "centre"


def _attach_unnamed(
    columns: list[Column], body: list[Piece], heads: dict[str, tuple[float, float]]
) -> list[Column]:
    """A run of x no header is over (numbers right-aligned beyond a short centred header) belongs
    to the neighbour column whose cells it never shares a row with: a column has one cell a row."""

    def inside(col: Column) -> list[Piece]:
        return [p for p in body if col.lo - 0.5 <= p.cx <= col.hi + 0.5]

    def shared(a: list[Piece], b: list[Piece]) -> int:
        return sum(
            1
            for p in a
            for q in b
            if p.page == q.page and min(p.y1, q.y1) - max(p.y0, q.y0) > 0.5 * min(p.h, q.h)
        )

    out = list(columns)
    k = 0
    while k < len(out):
        col = out[k]
        if col.name:
            k += 1
            continue
        mine = inside(col)
        if not mine or not all(MONEY.match(p.flat) for p in mine):
            k += 1
            continue  # only numbers stray beyond their header; a text run is a column of its own
        left = k - 1 if k > 0 and out[k - 1].name else None
        right = k + 1 if k + 1 < len(out) and out[k + 1].name else None
        x0s, x1s = [p.x0 for p in mine], [p.x1 for p in mine]
        flush_right = max(x1s) - min(x1s) <= 1.0 < max(x0s) - min(x0s)
        flush_left = max(x0s) - min(x0s) <= 1.0 < max(x1s) - min(x1s)
        j = _owner(out, k, mine, heads)
        # numbers set flush right end at their own column's right edge, left of the next header;
        # flush left, they start at their column's left edge, right of the previous header
        if j is None:
            j = left if flush_right else right if flush_left else None
        if j is None:
            free = [i for i in (left, right) if i is not None and not shared(mine, inside(out[i]))]
            j = free[0] if len(free) == 1 else None
        if j is None:
            k += 1
            continue
        other = out[j]
        out[j] = Column(other.name, other.printed, min(other.lo, col.lo), max(other.hi, col.hi))
        del out[k]
    return out


def column_at(columns: list[Column], piece: Piece) -> Column | None:
    for col in columns:
        if col.lo - 0.5 <= piece.cx <= col.hi + 0.5:
            return col
    return None


def split_at_columns(pieces: list[Piece], columns: list[Column]) -> list[Piece]:
    """A printed line running over two named columns (two cells read as one line) is cut between them,
    by its characters' positions."""
    out: list[Piece] = []
    for p in pieces:
        over = [c for c in columns if c.name and min(p.x1, c.hi) - max(p.x0, c.lo) > 2.0]
        xs, text = p.char_x, p.text
        if len(over) < 2 or len(xs) != len(text) + 1:
            out.append(p)
            continue
        for col in over:
            idx = [
                i for i in range(len(text)) if col.lo <= (xs[i] + xs[i + 1]) / 2 <= col.hi and text[i].strip()
            ]
            if idx:
                a, b = idx[0], idx[-1] + 1
                out.append(Piece(text[a:b], (xs[a], p.y0, xs[b], p.y1), p.page, xs[a : b + 1]))
    return out


# ---------------------------------------------------------------- cells and rows


@dataclass
class Block:
    """A cell: the lines of one column that follow each other at line spacing."""

    column: Column
    pieces: list[Piece]

    @property
    def page(self) -> int:
        return self.pieces[0].page

    @property
    def y0(self) -> float:
        return min(p.y0 for p in self.pieces)

    @property
    def y1(self) -> float:
        return max(p.y1 for p in self.pieces)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def text(self) -> str:
        """The lines top to bottom; pieces of one line (a quote mark set apart) left to right."""
        lines: list[list[Piece]] = []
        for p in sorted(self.pieces, key=lambda p: (p.page, p.cy)):
            if lines and lines[-1][-1].page == p.page and abs(lines[-1][-1].cy - p.cy) < 0.4 * max(p.h, 1.0):
                lines[-1].append(p)
            else:
                lines.append([p])
        return "".join(q.flat for line in lines for q in sorted(line, key=lambda q: q.x0))

    @property
    def box(self) -> BBox:
        return (
            min(p.x0 for p in self.pieces),
            self.y0,
            max(p.x1 for p in self.pieces),
            self.y1,
        )


def wrap_gap(
    by_column: dict[str, list[Piece]], labels: tuple[str, ...] = (), anchors: list[Piece] | None = None
) -> float:
    """The largest gap between two lines of one cell. Lines of a wrapped cell sit closer than rows
    (rows add the cells' padding), so it is the smallest gap between stacked lines of a column,
    plus a little -- when some cell does wrap: a line stacked at that gap with nothing beside it
    in the other columns. When no cell wraps, the smallest gap is a row's: nothing is joined."""
    gaps: list[tuple[float, Piece, str]] = []
    heights = []
    for name, pieces in by_column.items():
        ordered = sorted(pieces, key=lambda p: (p.page, p.y0))
        heights += [p.h for p in ordered]
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a.page == b.page:
                gaps.append((b.y0 - a.y1, b, name))
    h = sorted(heights)[len(heights) // 2] if heights else 10.0
    small = [g for g in gaps if g[0] > -0.3 * h]
    if not small:
        return 0.3 * h
    least = min(g for g, _, _ in small)
    limit = least + max(1.0, 0.12 * h)
    others = [(n, p) for n, ps in by_column.items() if n not in labels for p in ps]

    level = [("", q) for q in anchors] if anchors else others

    def lonely(b: Piece, name: str) -> bool:
        """Nothing level with this line in the other columns -- or, where rows have one-line
        numbers (分值, 得分), in theirs: a new row would have them."""
        return not any(n != name and q.page == b.page and abs(q.cy - b.cy) < 0.3 * h for n, q in level)

    if any(g <= limit and name not in labels and lonely(b, name) for g, b, name in small):
        return limit
    return least - max(0.5, 0.1 * h)


def blocks_of(
    pieces: list[Piece], column: Column, gap: float, keep_apart: list[tuple[int, float, float]]
) -> list[Block]:
    """The cells of one column. ``keep_apart``: (page, y0, y1) of single-line cells known to be
    in different rows (the numbers of the 分值/得分 columns): lines beside two of them are never one cell."""
    out: list[Block] = []
    for p in sorted(pieces, key=lambda p: (p.page, p.y0)):
        if out:
            last = out[-1].pieces[-1]
            if last.page == p.page and p.y0 - last.y1 <= gap and not _apart(last, p, keep_apart):
                out[-1].pieces.append(p)
                continue
        out.append(Block(column, [p]))
    return out


def _apart(a: Piece, b: Piece, anchors: list[tuple[int, float, float]]) -> bool:
    ra = next((k for k, (pg, y0, y1) in enumerate(anchors) if pg == a.page and y0 <= a.cy <= y1), None)
    rb = next((k for k, (pg, y0, y1) in enumerate(anchors) if pg == b.page and y0 <= b.cy <= y1), None)
    return ra is not None and rb is not None and ra != rb


def rows_of(blocks: list[Block]) -> list[list[Block]]:
    """Blocks whose heights overlap on a page are one row (transitively), in reading order."""
    ordered = sorted(blocks, key=lambda b: (b.page, b.y0))
    rows: list[list[Block]] = []
    bottom = float("-inf")
    for b in ordered:
        if rows and rows[-1][0].page == b.page and b.y0 < bottom - 0.5:
            rows[-1].append(b)
            bottom = max(bottom, b.y1)
        else:
            rows.append([b])
            bottom = b.y1
    return rows


def row_extent(row: list[Block]) -> tuple[int, float, float]:
    return row[0].page, min(b.y0 for b in row), max(b.y1 for b in row)


def label_rows(labels: list[Block], rows: list[list[Block]], h: float) -> dict[int, Block]:
    """Row index → the label block (一级/二级指标) that applies to it. A merged label is printed in
    the middle of the rows it spans: spans that tile the page's rows with each label at its span's
    middle are taken; else (labels at the top of their rows, or on every row) a label applies from
    the row beside it down to the next label."""
    out: dict[int, Block] = {}
    pages = sorted({r[0].page for r in rows})
    carried: Block | None = None
    for page in pages:
        idx = [i for i, r in enumerate(rows) if r[0].page == page]
        mine = sorted([b for b in labels if b.page == page], key=lambda b: b.y0)
        spans = _centred_spans(mine, [row_extent(rows[i]) for i in idx], h)
        if spans is None:
            spans = _top_spans(mine, [row_extent(rows[i]) for i in idx])
        for k in range(len(idx)):
            label = next((b for b, (s, e) in zip(mine, spans, strict=True) if s <= k < e), None)
            if label is None and (not spans or k < spans[0][0]):
                label = carried
            if label is not None:
                out[idx[k]] = label
        if mine:
            carried = mine[-1]
    return out


def _bounds(extents: list[tuple[int, float, float]]) -> list[float]:
    if not extents:
        return []
    mids = [(a[2] + b[1]) / 2 for a, b in zip(extents, extents[1:], strict=False)]
    first_gap = (extents[1][1] - extents[0][2]) / 2 if len(extents) > 1 else 1.0
    return [extents[0][1] - first_gap, *mids, extents[-1][2] + first_gap]


def _centred_spans(
    labels: list[Block], extents: list[tuple[int, float, float]], h: float
) -> list[tuple[int, int]] | None:
    bounds = _bounds(extents)
    if not labels or not extents:
        return None
    tol = max(2.0, 0.4 * h)
    # the first label may start below rows carried from the page before
    for start in range(len(extents)):
        spans: list[tuple[int, int]] = []
        s = start
        ok = True
        for label in labels:
            best = None
            for e in range(s + 1, len(extents) + 1):
                diff = abs((bounds[s] + bounds[e]) / 2 - label.cy)
                if diff <= tol and (best is None or diff < best[1]):
                    best = (e, diff)
            if best is None or label.y0 < bounds[s] - tol or label.y1 > bounds[best[0]] + tol:
                ok = False
                break
            spans.append((s, best[0]))
            s = best[0]
        if ok and s == len(extents):
            return spans
        if start == 0 and labels[0].y0 < bounds[0] + tol:
            continue
    return None


def _top_spans(labels: list[Block], extents: list[tuple[int, float, float]]) -> list[tuple[int, int]]:
    if not labels:
        return []
    starts = []
    for label in labels:
        k = next(
            (i for i, (_, y0, y1) in enumerate(extents) if y0 - 1 <= label.cy <= y1 + 1),
            next((i for i, (_, y0, _y1) in enumerate(extents) if y0 >= label.y0), len(extents)),
        )
        starts.append(k)
    ends = [*starts[1:], len(extents)]
    return [(s, max(s, e)) for s, e in zip(starts, ends, strict=True)]


def is_number(text: str) -> bool:
    return bool(NUMBER.match(compact(text)))


def is_blank(text: str) -> bool:
    return compact(text) in BLANKS


# ---------------------------------------------------------------- the whole form


@dataclass
class FormRow:
    """One row read from a block of the form: field → its cell."""

    cells: dict[str, Block]
    page: int
    level1: Block | None = None
    level2: Block | None = None

    def text(self, name: str) -> str | None:
        block = self.cells.get(name)
        return block.text if block is not None else None


@dataclass
class FormRead:
    printed: dict[str, str]  # field → header word as printed (指标值 / 年度指标值 …)
    indicators: list[FormRow]
    budget_printed: dict[str, str] = field(default_factory=dict)
    budget: list[tuple[str, FormRow]] = field(default_factory=list)  # (row label, cells)
    total: Block | None = None
    subject: str | None = None


def _is_indicator_header(names: set[str]) -> bool:
    return "level3" in names and bool({"target", "actual"} & names) and len(names) >= 4


def _is_budget_header(names: set[str]) -> bool:
    return len({"initial", "full_year", "executed"} & names) >= 2


def _after(p: Piece, page: int, y: float) -> bool:
    return p.page > page or p.page == page and p.y0 >= y - 0.5


def _before(p: Piece, page: int, y: float) -> bool:
    return p.page < page or p.page == page and p.y1 <= y + 0.5


def read_form(pieces: list[Piece]) -> FormRead | None:
    """The self-evaluation form from its printed lines: budget block, indicator rows, 总分."""
    headers = find_headers(pieces, FORM_HEADERS, _is_indicator_header)
    if not headers:
        return None
    headers.sort(key=lambda hd: (hd.page, hd.y0))
    first = headers[0]
    in_headers = {id(p) for hd in headers for p in hd.pieces}
    level_cols = ("level1", "level2")
    left_edge = min(
        (x0 for name, (_, x0, _x1) in first.columns.items() if name not in (*level_cols, "level3")),
        default=float("inf"),
    )
    total_piece = next(
        (
            p
            for p in pieces
            if _after(p, first.page, first.y1) and p.flat in TOTAL_WORDS and p.x1 <= left_edge + 1
        ),
        None,
    )
    body = [
        p
        for p in pieces
        if id(p) not in in_headers
        and _after(p, first.page, first.y1 + 0.1)
        and (total_piece is None or _before(p, total_piece.page, total_piece.y0))
        and not any(hd.page == p.page and hd.y0 - 0.5 <= p.cy <= hd.y1 + 0.5 for hd in headers)
    ]
    columns = columns_of(first, body)
    read = FormRead(printed={n: w for n, (w, _, _) in first.columns.items()}, indicators=[])
    read.indicators = _rows(columns, split_at_columns(body, columns), level_cols)
    if total_piece is not None:
        read.total = _total(pieces, total_piece, columns)
    budget_headers = [
        hd
        for hd in find_headers(pieces, BUDGET_HEADERS, _is_budget_header)
        if _before(Piece("", (0, hd.y1, 0, hd.y1), hd.page), first.page, first.y0)
    ]
    if budget_headers:
        bh = budget_headers[0]
        in_budget = {id(p) for p in bh.pieces}
        bbody = [
            p
            for p in pieces
            if id(p) not in in_budget and _after(p, bh.page, bh.y1 + 0.1) and _before(p, first.page, first.y0)
        ]
        read.budget_printed = {n: w for n, (w, _, _) in bh.columns.items()}
        heads = sorted(first.columns.items(), key=lambda kv: kv[1][1])
        read.budget = _budget_rows(bh, bbody, _header_alignment(heads, body))
    read.subject = _subject(pieces, first)
    return read


def _rows(columns: list[Column], body: list[Piece], label_fields: tuple[str, ...]) -> list[FormRow]:
    by_column: dict[str, list[Piece]] = {}
    for p in body:
        col = column_at(columns, p)
        if col is None or not col.name or is_blank(p.text):
            continue
        by_column.setdefault(col.name, []).append(p)
    anchors = [
        (p.page, p.y0, p.y1)
        for name in ("weight", "score")
        for p in by_column.get(name, [])
        if is_number(p.text)
    ]
    numbers = [p for name in ("weight", "score") for p in by_column.get(name, []) if is_number(p.text)]
    gap = wrap_gap(by_column, label_fields, numbers)
    named = {c.name: c for c in columns if c.name}
    values: list[Block] = []
    labels: dict[str, list[Block]] = {}
    for name, found in by_column.items():
        made = blocks_of(found, named[name], gap, anchors)
        if name in label_fields:
            labels[name] = made
        else:
            values += made
    grouped = rows_of(values)
    heights = sorted(p.h for p in body) or [10.0]
    h = heights[len(heights) // 2]
    per_label = {name: label_rows(blocks, grouped, h) for name, blocks in labels.items()}
    out: list[FormRow] = []
    for k, row in enumerate(grouped):
        cells = _cells_of(row)
        form_row = FormRow(
            cells, row[0].page, per_label.get("level1", {}).get(k), per_label.get("level2", {}).get(k)
        )
        broken = (
            out
            and row[0].page != out[-1].page
            and set(cells) <= {"level3", "target_note", "reason"}
            and not any(r[0].page == row[0].page for r in grouped[:k])
        )  # the first row of a page with only text: the rest of a row the page break cut
        if ("level3" not in cells or broken) and out:
            last = out[-1]  # the rest of the row above (a cell wrapped onto the next page)
            for name, b in cells.items():
                if name in last.cells:
                    last.cells[name].pieces.extend(b.pieces)
                else:
                    last.cells[name] = b
            continue
        out.append(form_row)
    return out


def _cells_of(row: list[Block]) -> dict[str, Block]:
    """Field → cell of a row. Two cells side by side under one header mean the columns were not
    told apart there: that field is left unread (a wrong value is worse than a missing one)."""
    cells: dict[str, Block] = {}
    torn: set[str] = set()
    for b in sorted(row, key=lambda b: b.y0):
        name = b.column.name
        if name in cells:
            have = cells[name]
            if min(have.y1, b.y1) - max(have.y0, b.y0) > 0:
                torn.add(name)  # level with each other: two cells, not one wrapped cell
            have.pieces.extend(b.pieces)
        else:
            cells[name] = Block(b.column, list(b.pieces))
    return {n: b for n, b in cells.items() if n not in torn}


def _total(pieces: list[Piece], label: Piece, columns: list[Column]) -> Block | None:
    beside = [
        p
        for p in pieces
        if p.page == label.page
        and p is not label
        and min(p.y1, label.y1) - max(p.y0, label.y0) > 0.3 * label.h
        and p.x0 > label.x1
        and is_number(p.text)
    ]
    score = next((c for c in columns if c.name == "score"), None)
    under = [p for p in beside if score is not None and score.lo - 0.5 <= p.cx <= score.hi + 0.5]
    chosen = under or beside[-1:]
    return Block(score or Column("score", "得分", 0, 0), chosen[:1]) if chosen else None


def _budget_rows(header: Header, body: list[Piece], hint: str = "centre") -> list[tuple[str, FormRow]]:
    """Rows of the 预算执行 block: amounts under the header words, the row label the text in the
    column just left of the first amount column (not the merged 预算执行情况 heading further left)."""
    columns = [c for c in columns_of(header, body, hint) if c.name]
    if not columns:
        return []
    start = min(x0 for _, x0, _x1 in header.columns.values())
    by_column: dict[str, list[Piece]] = {}
    texts = []
    for p in split_at_columns(body, columns):
        if is_blank(p.text):
            continue
        if MONEY.match(p.flat):
            col = column_at(columns, p)
            if col is not None:
                by_column.setdefault(col.name, []).append(p)
        elif p.x1 <= start + 1:
            texts.append(p)
    groups = _x_groups(texts)
    if groups:
        label = Column("label", "", min(p.x0 for p in groups[-1]), max(p.x1 for p in groups[-1]))
        by_column["label"] = groups[-1]
    named = {c.name: c for c in columns}
    if groups:
        named["label"] = label
    gap = wrap_gap(by_column)
    anchors = [(p.page, p.y0, p.y1) for name, ps in by_column.items() if name != "label" for p in ps]
    blocks = [b for name, ps in by_column.items() for b in blocks_of(ps, named[name], gap, anchors)]
    out: list[tuple[str, FormRow]] = []
    for row in rows_of(blocks):
        cells = _cells_of(row)
        label_block = cells.pop("label", None)
        if label_block is None or not cells:
            continue
        out.append((label_block.text, FormRow(cells, row[0].page)))
    return out


def _subject(pieces: list[Piece], first: Header) -> str | None:
    """The text printed right of 项目名称 / 部门（单位）名称, however many lines its cell holds."""
    label = next(
        (p for p in pieces if _before(p, first.page, first.y0) and p.flat.startswith(SUBJECT_LABELS)), None
    )
    if label is None:
        return None
    word = next(w for w in SUBJECT_LABELS if label.flat.startswith(w))
    rest = label.flat[len(word) :].lstrip(":：")
    if rest:
        return rest
    below = [
        p
        for p in pieces
        if p.page == label.page and p.y0 > label.y1 and min(p.x1, label.x1) - max(p.x0, label.x0) > 0
    ]
    bottom = min((p.y0 for p in below), default=label.y1 + 3 * label.h)
    top = label.cy - (bottom - label.cy)
    beside = [
        p
        for p in pieces
        if p.page == label.page
        and p.x0 > label.x1
        and top - 0.5 <= p.cy < bottom
        and not p.flat.startswith("单位")
    ]
    # the cell right of the label only: stop at the next label of the row (主管部门 …)
    beside.sort(key=lambda p: (p.y0, p.x0))
    text = "".join(p.flat for p in beside if not _is_label_word(p.flat))
    return text or None


def _is_label_word(flat: str) -> bool:
    return flat in ("主管部门", "实施单位", "单位：万元", "单位:万元")


# ---------------------------------------------------------------- 整体绩效目标表 and 第三方评价得分表


@dataclass
class TargetsRead:
    printed: dict[str, str]
    indicators: list[FormRow]
    budget: list[tuple[Block, Block]]  # (label, amount)


def _is_targets_header(names: set[str]) -> bool:
    return {"level3", "target"} <= names and not {"weight", "score", "actual"} & names


def read_targets(pieces: list[Piece]) -> TargetsRead | None:
    """部门（单位）整体绩效目标表: label/amount rows above the indicator header, then the indicators."""
    headers = find_headers(pieces, FORM_HEADERS, _is_targets_header)
    if not headers:
        return None
    headers.sort(key=lambda hd: (hd.page, hd.y0))
    first = headers[0]
    in_headers = {id(p) for hd in headers for p in hd.pieces}
    body = [
        p
        for p in pieces
        if id(p) not in in_headers
        and _after(p, first.page, first.y1 + 0.1)
        and not any(hd.page == p.page and hd.y0 - 0.5 <= p.cy <= hd.y1 + 0.5 for hd in headers)
    ]
    columns = columns_of(first, body)
    rows = _rows(columns, split_at_columns(body, columns), ("level1", "level2"))
    above = [p for p in pieces if _before(p, first.page, first.y0) and not p.flat.startswith("单位")]
    budget: list[tuple[Block, Block]] = []
    for p in above:
        if not MONEY.match(p.flat):
            continue
        beside = [
            q
            for q in above
            if q.page == p.page
            and q.x1 <= p.x0
            and not MONEY.match(q.flat)
            and min(q.y1, p.y1) - max(q.y0, p.y0) > 0
        ]
        if beside:
            near = max(beside, key=lambda q: q.x1)
            label = Block(Column("label", "", near.x0, near.x1), _wrapped_label(near, above))
            budget.append((label, Block(Column("initial", "金额", p.x0, p.x1), [p])))
    return TargetsRead({n: w for n, (w, _, _) in first.columns.items()}, rows, budget)


def _wrapped_label(near: Piece, pieces: list[Piece]) -> list[Piece]:
    """A label and the lines of its cell above and below it: stacked at line spacing, starting
    where it starts, with no amount beside them (those are labels of rows of their own)."""

    def alone(q: Piece) -> bool:
        """Nothing printed right of it on its line: a line with a value beside it is a row's label."""
        return not any(
            r.page == q.page and r.x0 > q.x1 and abs(r.cy - q.cy) < 0.5 * q.h for r in pieces if r is not q
        )

    column = sorted(
        (q for q in pieces if q.page == near.page and abs(q.x0 - near.x0) <= 1.0), key=lambda q: q.y0
    )
    k = column.index(near)
    lines = [near]
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(column):
            q = column[j]
            last = lines[0] if step < 0 else lines[-1]
            gap = last.y0 - q.y1 if step < 0 else q.y0 - last.y1
            if gap > 0.5 * q.h or not alone(q):
                break
            lines = [q, *lines] if step < 0 else [*lines, q]
            j += step
    return lines


THIRD_PARTY_ROWS = ("权重", "得分", "得分率")


def read_third_party(pieces: list[Piece]) -> tuple[list[Piece], dict[str, list[tuple[Piece, Piece]]]] | None:
    """第三方评价得分表: the 一级指标 row names the columns; 权重, 得分 and 得分率 rows below it."""
    corner = next((p for p in pieces if p.flat == "一级指标"), None)
    if corner is None:
        return None
    names = sorted(
        (
            p
            for p in pieces
            if p.page == corner.page and p.x0 > corner.x1 and abs(p.cy - corner.cy) < 0.5 * corner.h
        ),
        key=lambda p: p.x0,
    )
    if len(names) < 2:
        return None
    columns_at = {f"c{k}": (p.flat, p.x0, p.x1) for k, p in enumerate(names)}
    header = Header(
        corner.page, corner.y0, corner.y1, {"corner": (corner.flat, corner.x0, corner.x1), **columns_at}
    )
    labels: dict[str, Piece] = {}
    for label in pieces:
        if (
            label.flat in THIRD_PARTY_ROWS
            and label.flat not in labels
            and _after(label, corner.page, corner.y1)
        ):
            labels[label.flat] = label
    rows = {
        word: [
            p
            for p in pieces
            if p.page == label.page and p.x0 > label.x1 and abs(p.cy - label.cy) < 0.5 * label.h
        ]
        for word, label in labels.items()
    }
    # the row labels stand under 一级指标: they show how the header row is aligned
    body = [*labels.values(), *(p for values in rows.values() for p in values)]
    columns = columns_of(header, body)
    out: dict[str, list[tuple[Piece, Piece]]] = {}
    for word, values in rows.items():
        found = []
        for p in split_at_columns(values, columns):
            col = column_at(columns, p)
            if col is not None and col.name.startswith("c") and col.name != "corner" and MONEY.match(p.flat):
                found.append((names[int(col.name[1:])], p))
        out[word] = found
    return names, out


# ---------------------------------------------------------------- titles a borderless grid swallowed

FORM_KINDS = ("pe", "pp", "pt", "b12", "b13")
FORM_TITLE_ENDS = ("表",)  # every catalogue title ends so: a cheap test before the patterns


def with_swallowed_titles(doc: Document, occurrences: list[Occurrence]) -> list[Occurrence]:
    """The occurrences plus the 绩效 forms whose title line a borderless grid took in as one of its
    rows (the locator only sees titles outside grids): such a title starts a form of its own."""
    taken: dict[tuple[int, str], int] = {}
    for occ in occurrences:
        taken[(occ.page, occ.title.strip())] = taken.get((occ.page, occ.title.strip()), 0) + 1
    starts = _title_positions(doc, occurrences)
    found: list[tuple[int, float, Occurrence]] = [
        (p, y, o) for (p, y), o in zip(starts, occurrences, strict=True)
    ]
    for page in doc.pages:
        loose = [t for t in page.tables if not t.ruled]
        if not loose:
            continue
        for ln in page.lines:
            text = ln.text.strip()
            if not text.endswith(FORM_TITLE_ENDS):
                continue
            spec = match_title(text)
            if spec is None or spec.kind not in FORM_KINDS:
                continue
            if taken.get((page.number, text), 0) > 0:
                taken[(page.number, text)] -= 1
                continue
            if not any(centre_inside(ln.bbox, t.bbox, 1) for t in loose):
                continue
            found.append((page.number, ln.bbox[1], Occurrence(spec=spec, title=text, page=page.number)))
    found.sort(key=lambda f: (f[0], f[1]))
    return [o for _, _, o in found]


# ---------------------------------------------------------------- 项目绩效目标汇总表

PROJECT_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("单位编码（项目编码）", "单位编码(项目编码)", "单位编码", "项目编码"),
    "label": ("项目单位（项目名称）", "项目单位(项目名称)", "项目单位", "项目名称"),
    "total": ("资金总额",),
    "government": ("政府预算资金",),
    "special_account": ("财政专户管理资金",),
    "unit_funds": ("单位资金",),
}
TARGET_CATEGORIES = ("成本指标", "产出指标", "效益指标", "满意度指标")
CODE = re.compile(r"^\d{3,}$")


@dataclass
class ProjectRead:
    code: Block
    label: Block | None
    funds: dict[str, Block]
    indicators: list[tuple[str, Block, Block | None]]  # (category, 三级指标, 指标值)


def read_project_targets(pieces: list[Piece]) -> tuple[dict[str, str], list[ProjectRead]] | None:
    """The unit and project rows (code, name, funds: merged down a project's rows, printed in their
    middle) and each category's 三级指标/指标值 pairs on the rows a project spans."""
    headers = find_headers(pieces, PROJECT_HEADERS, lambda names: {"code", "total"} <= names)
    if not headers:
        return None
    head = min(headers, key=lambda hd: (hd.page, hd.y0))
    top, bottom = head.y0 - 4 * max(p.h for p in head.pieces), head.y1 + 4 * max(p.h for p in head.pieces)
    near = [p for p in pieces if p.page == head.page and top <= p.cy <= bottom]
    categories = sorted((p for p in near if p.flat in TARGET_CATEGORIES), key=lambda p: p.x0)
    leaf_words = {"name": ("三级指标",), "target": FORM_HEADERS["target"]}
    below = [p for p in near if categories and p.y0 >= min(c.y1 for c in categories) - 1.0]
    stacked = []  # a leaf wrapped in its cell ("指标" over "值") is one leaf
    for group in _x_groups(below):
        group.sort(key=lambda p: p.y0)
        text = "".join(p.flat for p in group)
        if _best(text, leaf_words) and (text == "三级指标" or text in FORM_HEADERS["target"]):
            stacked.append(
                Piece(
                    text,
                    (min(p.x0 for p in group), group[0].y0, max(p.x1 for p in group), group[-1].y1),
                    head.page,
                )
            )
    leaves = stacked
    columns = dict(head.columns)
    printed: dict[str, str] = {}
    # under each category a 三级指标 and an 指标值 leaf, in order left to right
    name_leaves = sorted((p for p in leaves if p.flat == "三级指标"), key=lambda p: p.x0)
    value_leaves = sorted((p for p in leaves if p.flat != "三级指标"), key=lambda p: p.x0)
    for heading, leaf, target in zip(categories, name_leaves, value_leaves, strict=False):
        if leaf.x1 < target.x0:
            columns[f"name:{heading.flat}"] = (leaf.flat, leaf.x0, leaf.x1)
            columns[f"value:{heading.flat}"] = (target.flat, target.x0, target.x1)
            printed[heading.flat] = target.flat
    end = max([head.y1, *(p.y1 for p in categories), *(p.y1 for p in leaves)])
    skip = {id(p) for p in [*head.pieces, *categories]} | {id(p) for p in below if p.y1 <= end + 0.5}
    body = [p for p in pieces if id(p) not in skip and _after(p, head.page, end + 0.1)]
    header = Header(head.page, head.y0, end, columns)
    cols = columns_of(header, body)
    named = {c.name: c for c in cols if c.name}
    by_column: dict[str, list[Piece]] = {}
    for p in split_at_columns(body, cols):
        col = column_at(cols, p)
        if col is None or not col.name or is_blank(p.text):
            continue
        if col.name in ("total", "government", "special_account", "unit_funds") and not MONEY.match(p.flat):
            continue
        by_column.setdefault(col.name, []).append(p)
    codes = [p for p in by_column.get("code", []) if CODE.match(p.flat)]
    by_column["code"] = codes
    gap = wrap_gap(by_column, ("code", "label"))
    anchors = [(p.page, p.y0, p.y1) for p in codes]
    blocks = {name: blocks_of(ps, named[name], gap, anchors) for name, ps in by_column.items()}
    cells = [b for name, bs in blocks.items() if name.startswith(("name:", "value:")) for b in bs]
    rows = rows_of(cells)
    owner = _owners([row_extent(r) for r in rows], blocks.get("code", []))
    projects: dict[int, ProjectRead] = {}
    for code in blocks.get("code", []):
        beside = {
            name: b
            for name, bs in blocks.items()
            if name in ("label", "total", "government", "special_account", "unit_funds")
            for b in bs
            if b.page == code.page and b.y0 - 0.5 <= code.cy <= b.y1 + 0.5
        }
        label = beside.pop("label", None)
        projects[id(code)] = ProjectRead(code, label, beside, [])
    for k, row in enumerate(rows):
        owning = owner.get(k)
        if owning is None or id(owning) not in projects:
            continue
        for cat in TARGET_CATEGORIES:
            title = next((b for b in row if b.column.name == f"name:{cat}"), None)
            value = next((b for b in row if b.column.name == f"value:{cat}"), None)
            if title is not None:
                projects[id(owning)].indicators.append((cat, title, value))
    ordered = sorted(projects.values(), key=lambda p: (p.code.page, p.code.y0))
    return printed, ordered


def _owners(rows: list[tuple[int, float, float]], codes: list[Block]) -> dict[int, Block]:
    """Row index → the project (code cell) it belongs to. A code merged down its project's rows is
    printed in their middle: as many of its rows above it as below, which fixes how the rows
    between two codes divide; if that does not work out, the code is at the top of its rows."""
    codes = sorted(codes, key=lambda b: (b.page, b.y0))
    if not codes:
        return {}

    def key(row: tuple[int, float, float]) -> tuple[int, float]:
        return row[0], (row[1] + row[2]) / 2

    def at(row: tuple[int, float, float], code: Block) -> bool:
        return row[0] == code.page and row[1] - 0.5 <= code.cy <= row[2] + 0.5

    order = sorted(range(len(rows)), key=lambda i: key(rows[i]))
    # rows level with a code, then the rows before the first code, between codes, after the last
    level = {i: c for i in order for c in codes if at(rows[i], c)}
    gaps: list[list[int]] = [[] for _ in range(len(codes) + 1)]
    for i in order:
        if i in level:
            continue
        k = sum(1 for c in codes if (c.page, c.cy) < key(rows[i]))
        gaps[k].append(i)
    out = dict(level)
    above = len(gaps[0])
    centred: dict[int, Block] = {i: codes[0] for i in gaps[0]}
    ok = True
    for k, code in enumerate(codes):
        between = gaps[k + 1]
        below = above  # as many rows below the code as above it
        if k + 1 == len(codes):
            ok = ok and below == len(between)
        if below > len(between):
            ok = False
            break
        centred.update({i: code for i in between[:below]})
        if k + 1 < len(codes):
            centred.update({i: codes[k + 1] for i in between[below:]})
        above = len(between) - below
    if ok:
        out.update(centred)
        return out
    for k, code in enumerate(codes):  # the code at the top of its rows
        out.update({i: code for i in gaps[k + 1]})
    return out
