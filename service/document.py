"""What a PDF becomes once read: pages of text lines and tables, with boxes. Pure data, no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]

NUMBER_CELL = re.compile(r"^[-−]?[\d,]*\d\.\d+%?$")
CODE_CELL = re.compile(r"^\d{3}(\s?\d{2}){0,2}$")


def union(boxes: list[BBox]) -> BBox:
    x0, y0, x1, y1 = zip(*boxes, strict=True)
    return (min(x0), min(y0), max(x1), max(y1))


def rounded(box: Sequence[float]) -> BBox:
    """A box to two decimals, as every stored provenance box is."""
    return (round(box[0], 2), round(box[1], 2), round(box[2], 2), round(box[3], 2))


def centre_inside(box: BBox, region: BBox, margin: float = 0.0) -> bool:
    """Whether the centre of ``box`` lies in ``region`` (grown by ``margin`` points)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    x0, y0, x1, y1 = region
    return x0 - margin <= cx <= x1 + margin and y0 - margin <= cy <= y1 + margin


@dataclass(frozen=True)
class Line:
    """One printed line; ``char_x`` holds each character's left edge plus the last right edge."""

    text: str
    bbox: BBox
    char_x: tuple[float, ...] = ()
    # the rules above and below when the line is (part of) a cell of a row drawn between two
    # horizontal rules (service.layout.in_bands): lines of one band are one row, whatever their y
    band: tuple[float, float] | None = None

    def span_bbox(self, start: int, end: int) -> BBox:
        """Box of text[start:end] (the whole line when character positions are unknown)."""
        if len(self.char_x) != len(self.text) + 1 or not 0 <= start < end <= len(self.text):
            return self.bbox
        return (self.char_x[start], self.bbox[1], self.char_x[end], self.bbox[3])


@dataclass(frozen=True)
class Cell:
    text: str
    bbox: BBox
    band: tuple[float, float] | None = None  # as Line.band


@dataclass
class Table:
    """A grid of cells as found on one page. ``ruled`` tables have drawn borders."""

    bbox: BBox
    rows: list[list[Cell | None]]
    ruled: bool
    # set when the header was read from geometry (service.layout): the header rows, each
    # column's header path, and each column's x range, which a continuation page is read with
    head_rows: int | None = None
    paths: list[str] | None = None
    columns: list[tuple[float, float]] | None = None
    notes: list[str] = field(default_factory=list)  # what could not be read (columns not told apart)
    lines: list[Line] = field(default_factory=list, repr=False)  # a borderless table's printed lines

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def texts(self) -> list[list[str]]:
        return [[c.text if c else "" for c in row] for row in self.rows]

    @property
    def header_row_count(self) -> int:
        """Rows before the first data row (an amount, a classification code, or the 合计 row of an
        empty table) within the first six."""
        if self.head_rows is not None:
            return self.head_rows
        for i, row in enumerate(self.texts()[:6]):
            if any(NUMBER_CELL.match(c.strip()) or CODE_CELL.match(c.strip()) for c in row):
                return i
            filled = [c.strip() for c in row if c.strip()]
            if i > 0 and filled in (
                ["合计"],
                ["总计"],
            ):  # an empty table: its bare 合计 row is the first data row
                return i
        return 0

    def header_paths(self) -> list[str]:
        """Per column, the printed header levels joined by "/" (merged header cells fill to the right)."""
        if self.paths is not None:
            return list(self.paths)
        head = [r for r in self.texts()[: self.header_row_count] if not _is_column_number_row(r)]
        n = self.n_cols
        filled: list[list[str]] = []
        for depth, row in enumerate(head):
            row = [_clean(c) for c in row] + [""] * (n - len(row))
            out = list(row)
            for c in range(1, n):
                parent_same = depth == 0 or filled[depth - 1][c] == filled[depth - 1][c - 1]
                if not out[c] and out[c - 1] and parent_same and depth < len(head) - 1:
                    out[c] = out[c - 1]
            filled.append(out)
        paths = []
        for c in range(n):
            parts: list[str] = []
            for row in filled:
                if row[c] and (not parts or parts[-1] != row[c]):
                    parts.append(row[c])
            paths.append("/".join(parts))
        return paths


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_column_number_row(row: list[str]) -> bool:
    cells = [_clean(c) for c in row if _clean(c)]
    return bool(cells) and all(re.fullmatch(r"栏次|\d+(\.00)?", c) for c in cells)


@dataclass
class Page:
    number: int  # 1-based
    label: str | None  # printed page number ("- 5 -" → "5"), when there is one
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    image_count: int = 0
    # the horizontal rules, as (x0, y, x1, y): rows drawn between them (service.layout.in_bands)
    hrules: list[BBox] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Document:
    doc_id: str  # sha256 of the file's bytes (first 16 hex digits)
    path: str
    file_name: str
    pages: list[Page]
    warnings: list[str] = field(default_factory=list)  # damage found while reading (see pdf.DAMAGED)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)
