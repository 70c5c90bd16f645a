"""Find each disclosure table by its title (not its 公开NN表 number) and gather what belongs to
it: the grid parts on this and the following pages, or the plain lines of a table printed
without a grid, its unit, number and notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas.catalogue import BY_ID, TableEntry, match_title
from service.chunking import FOOTER, TOC_LINE, is_heading
from service.document import BBox, Cell, Document, Line, Table, centre_inside, union
from service.layout import ITEM_START, whole_row_label
from service.numbers import compact, unit_of

TableSpec = TableEntry  # what a located table is: its catalogue entry

NUMBER = re.compile(r"公开\s*(\d+)\s*表")
NOTE = re.compile(r"^(注|说明)\s*[:：]")


@dataclass
class Row:
    cells: list[Cell | None]
    page: int

    def texts(self) -> list[str]:
        return [c.text if c else "" for c in self.cells]


@dataclass
class Occurrence:
    spec: TableSpec
    title: str
    page: int
    number: str | None = None
    unit: str | None = None
    head: list[tuple[Line, int]] = field(default_factory=list)  # lines between title and grid
    grids: list[tuple[Table, int]] = field(default_factory=list)
    lines: list[tuple[Line, int]] = field(default_factory=list)  # body lines of a grid-less table
    notes: list[str] = field(default_factory=list)
    stray: list[tuple[Line, int]] = field(default_factory=list)  # short lines between grid parts
    before: str = ""  # the line printed just above the title (a 绩效 table's subject, "表1 …项目")

    @property
    def pages(self) -> list[int]:
        pages = {self.page} | {p for _, p in self.grids} | {p for _, p in self.lines}
        return sorted(pages)

    def rows(self) -> list[Row]:
        """All grid rows in order; a continuation part's repeated header rows are dropped."""
        out: list[Row] = []
        first_header: list[list[str]] = []
        for n, (table, page) in enumerate(self.grids):
            texts = table.texts()
            skip = 0
            if n == 0:
                first_header = texts[: table.header_row_count]
            else:
                while skip < len(first_header) and skip < len(texts) and texts[skip] == first_header[skip]:
                    skip += 1
            cells = [list(r) for r in table.rows[skip:]]
            if n > 0 and self.spec.report != "绩效":  # forms change their columns block by block
                placed = on_columns(self.grids[0][0], table, cells)
                if placed is None:
                    continue  # said in a parse note (unplaced_parts): never read into shifted columns
                cells = placed
            rows = [Row(cells=r, page=page) for r in cells]
            if n > 0 and out and rows and _continues(out[-1], rows[0], self.spec.kind == "sided"):
                out[-1] = _joined(out[-1], rows.pop(0))  # a row broken across the page
            out.extend(rows)
        return out

    @property
    def header_paths(self) -> list[str]:
        return self.grids[0][0].header_paths() if self.grids else []

    @property
    def header_count(self) -> int:
        return self.grids[0][0].header_row_count if self.grids else 0


def on_columns(first: Table, part: Table, rows: list[list[Cell | None]]) -> list[list[Cell | None]] | None:
    """A continuation part's rows in the columns of the table's first part. A borderless part
    found on its own with another number of columns (some blank on its page) is placed cell by
    cell, by where each cell's centre falls among the first part's columns; None when a cell falls
    outside them, two cells of a row fall in one, or a cell is not of the kind (text, code,
    amount) its column prints in the first part."""
    if part.ruled or first.columns is None or part.n_cols == len(first.columns):
        return rows
    bounds = first.columns
    kinds: list[set[str]] = [set() for _ in bounds]  # what each column prints in the first part
    for row in first.rows[first.header_row_count :]:
        for k, cell in enumerate(row[: len(bounds)]):
            if cell is not None and cell.text.strip():
                kinds[k].add(_kind(cell.text))
    out: list[list[Cell | None]] = []
    for row in rows:
        slots: list[Cell | None] = [None] * len(bounds)
        for cell in row:
            if cell is None or not cell.text.strip():
                continue
            centre = (cell.bbox[0] + cell.bbox[2]) / 2
            at = next((k for k, (a, b) in enumerate(bounds) if a <= centre < b), None)
            if at is None or slots[at] is not None or kinds[at] and _kind(cell.text) not in kinds[at]:
                return None  # outside the columns, two in one, or text where amounts are printed
            slots[at] = cell
        out.append(slots)
    return out


def _kind(text: str) -> str:
    flat = compact(text)
    if NUMBER_TEXT.match(flat) and "." in flat or flat in ("-", "—", "——", "－"):
        return "amount"
    return "code" if re.fullmatch(r"\d{2,7}", flat) else "text"


def unplaced_parts(occ: Occurrence) -> list[tuple[Table, int]]:
    """The continuation parts of ``occ`` left out because their columns do not fit the first's."""
    if not occ.grids:
        return []
    first = occ.grids[0][0]
    if occ.spec.report == "绩效":
        return []
    return [(t, p) for t, p in occ.grids[1:] if on_columns(first, t, [list(r) for r in t.rows]) is None]


def _continues(last: Row, first: Row, sided: bool = False) -> bool:
    """The first row of a continuation part holds only text, each piece under a text cell of the
    part's last row: the rest of that row's wrapped cells (the page broke inside the row). One
    wrapped name after a row of amounts, or one per side of a 收支 table; a line opening an item
    ("二、…", "其中：") is a row of its own, and so are 绩效 rows of text."""
    texts = first.texts()
    filled = [i for i, t in enumerate(texts) if t.strip()]
    if not filled or any(
        NUMBER_TEXT.match(texts[i].strip()) or ITEM_START.match(texts[i]) or whole_row_label(texts[i])
        for i in filled
    ):
        return False
    before = last.texts()
    if (
        len(filled) > (2 if sided else 1)
        or sum(bool(NUMBER_TEXT.match(t.strip())) for t in before if t.strip()) < 2
    ):
        return False
    return all(
        i < len(before) and before[i].strip() and not NUMBER_TEXT.match(before[i].strip()) for i in filled
    )


NUMBER_TEXT = re.compile(r"^[-−]?[\d,]*\d(\.\d+)?%?$")


def _joined(last: Row, rest: Row) -> Row:
    cells = list(last.cells)
    for i, cell in enumerate(rest.cells):
        if cell is not None and cell.text.strip() and i < len(cells) and cells[i] is not None:
            head = cells[i]
            assert head is not None
            cells[i] = Cell(head.text + cell.text.strip(), head.bbox)
    return Row(cells=cells, page=last.page)


def locate(doc: Document) -> list[Occurrence]:
    """Every table occurrence of the document, in reading order."""
    found: list[Occurrence] = []
    current: Occurrence | None = None
    noted = False
    previous = ""
    for page in doc.pages:
        page_lines = [
            ln for ln in page.lines if not (ln.bbox[1] > page.height * 0.9 and FOOTER.match(ln.text.strip()))
        ]
        if any(TOC_LINE.match(ln.text.strip()) for ln in page_lines[:5]):
            current = None
            continue
        tables = [part for t in page.tables for part in split_at_form_start(t)]
        items: list[tuple[float, Line | Table]] = [(t.bbox[1], t) for t in tables]
        items += [
            (ln.bbox[1], ln)
            for ln in page_lines
            if not any(centre_inside(ln.bbox, t.bbox, 1) for t in tables)
        ]
        for _, item in sorted(items, key=lambda pair: pair[0]):
            if isinstance(item, Table):
                # an untitled 整体 form starts its own occurrence, also right after a project form
                if _untitled_self_evaluation(item) and (current is None or current.spec is not PE_SPEC):
                    current = Occurrence(spec=PE_SPEC, title="", page=page.number)
                    found.append(current)
                if current is not None:
                    current.grids.append((item, page.number))
                continue
            text = item.text.strip()
            spec = match_title(text)
            if spec is not None:
                current = Occurrence(spec=spec, title=text, page=page.number, before=previous)
                found.append(current)
                noted = False
                continue
            previous = text
            if current is None:
                continue
            if NOTE.match(text):
                current.notes.append(text)
                noted = True
                continue
            if noted and current.notes and not is_heading(text) and not _starts_new_block(text):
                current.notes[-1] += text  # a note wrapped onto the next line
                continue
            if is_heading(text) == 1 or noted:
                current = None
                continue
            if current.grids:
                if len(compact(text)) <= 12 and not is_heading(text):
                    current.stray.append((item, page.number))
                else:
                    current = None
                continue
            if current.unit is None and unit_of(text):
                current.unit = unit_of(text)
            if current.number is None and NUMBER.search(text):
                current.number = NUMBER.search(text).group(0)  # type: ignore[union-attr]
            current.head.append((item, page.number))
            current.lines.append((item, page.number))
    return [o for o in found if o.spec.table_id != "--"]


PE_SPEC = BY_ID["PE"]


SELF_EVALUATION_START = ("部门基本信", "部门(单位)基本信", "部门（单位）基本信")


def _untitled_self_evaluation(table: Table) -> bool:
    """A 部门整体支出绩效自评表 printed without its title (the yangquan 附件 starts at 部门基本信息)."""
    head = compact("".join(c for row in table.texts()[:2] for c in row))
    return head.startswith(SELF_EVALUATION_START)


def split_at_form_start(table: Table) -> list[Table]:
    """A borderless grid that runs from the end of one form into an untitled 整体 form (nothing but
    a short 单位(盖章) line between them) is two tables: split where the new form starts."""
    if table.ruled:
        return [table]
    texts = table.texts()
    for i in range(1, len(texts)):
        if compact("".join(texts[i])).startswith(SELF_EVALUATION_START):
            parts = [table.rows[:i], table.rows[i:]]
            return [Table(bbox=_span(rows, table.bbox), rows=rows, ruled=False) for rows in parts]
    return [table]


def _span(rows: list[list[Cell | None]], fallback: BBox) -> BBox:
    boxes = [c.bbox for row in rows for c in row if c is not None]
    return union(boxes) if boxes else fallback


def _starts_new_block(text: str) -> bool:
    return bool(match_title(text) or NOTE.match(text))
