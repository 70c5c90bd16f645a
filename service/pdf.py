"""The PDF reader: the only module that imports PyMuPDF.

A PDF becomes a :class:`~service.document.Document`: pages with NFC-normalised text lines
(with character positions, for exact provenance boxes), ruled tables from ``find_tables``, and
borderless tables rebuilt from text positions inside a clip around their region. Files that are
not readable reports raise :class:`~service.errors.InputError` naming the file and the fix.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
from pathlib import Path

os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")

import pymupdf  # noqa: E402

from service.document import BBox, Cell, Document, Line, Page, Table, union  # noqa: E402
from service.errors import InputError  # noqa: E402

pymupdf.TOOLS.mupdf_display_errors(False)

FOOTER_LABEL = re.compile(r"^[-—–－]\s*(\d+)\s*[-—–－]$|^第\s*(\d+)\s*页(\s*共\s*\d+\s*页)?$|^(\d+)$")
REPORT_WORDS = ("预算", "决算")


def file_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def read_pdf(
    path: Path | str, max_mb: float = 200.0, max_pages: int = 2000, timings: dict[str, float] | None = None
) -> Document:
    """Read one PDF into pages, lines and tables, or raise InputError saying what is wrong.
    ``timings``, when given, accumulates seconds spent on text and on table finding."""
    path = Path(path)
    data = _read_bytes(path, max_mb)
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
        encrypted = pdf.needs_pass or pdf.is_encrypted
        page_count = 0 if encrypted else pdf.page_count
    except Exception as exc:  # MuPDF raises several types for damaged files
        raise InputError(path, "corrupt", "文件损坏，无法解析", "请重新下载或导出原始 PDF") from exc
    with pdf:
        if encrypted:
            raise InputError(path, "encrypted", "文件已加密", "请先解除密码保护再导入")
        if page_count == 0:
            raise InputError(path, "corrupt", "文件损坏，没有可读的页面", "请重新下载或导出原始 PDF")
        if page_count > max_pages:
            raise InputError(
                path, "too_large", f"文件过大（{page_count} 页）", f"单个文件不超过 {max_pages} 页"
            )
        try:
            pages = [read_page(pdf[i], timings) for i in range(page_count)]
        except Exception as exc:
            raise InputError(
                path, "corrupt", "文件损坏，页面内容无法解析", "请重新下载或导出原始 PDF"
            ) from exc
    doc = Document(doc_id=file_id(data), path=str(path.resolve()), file_name=path.name, pages=pages)
    _check_is_report(path, doc)
    return doc


def _read_bytes(path: Path, max_mb: float) -> bytes:
    if not path.exists():
        raise InputError(path, "missing", "文件不存在", "请检查路径")
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "empty", "文件为空（0 字节）", "请重新下载或导出原始 PDF")
    if size > max_mb * 1024 * 1024:
        raise InputError(
            path, "too_large", f"文件过大（{size / 1048576:.0f} MB）", f"单个文件不超过 {max_mb:.0f} MB"
        )
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:
        raise InputError(path, "not_pdf", "不是 PDF 文件", "请确认文件格式，只支持 PDF")
    return data


def _check_is_report(path: Path, doc: Document) -> None:
    chars = sum(len(p.text.strip()) for p in doc.pages)
    if chars < 20 * max(1, doc.page_count // 10):
        if any(p.image_count for p in doc.pages):
            raise InputError(
                path, "scanned", "扫描件没有文字层", "需要先 OCR（如 ocrmypdf -l chi_sim）再导入"
            )
        raise InputError(path, "no_text", "文件没有可提取的文字", "请确认是否为空白或图片 PDF")
    if not any(word in doc.text for word in REPORT_WORDS):
        raise InputError(
            path, "not_report", "不是部门预算/决算公开报告（未见“预算”“决算”）", "请确认文件内容"
        )


def read_page(page: pymupdf.Page, timings: dict[str, float] | None = None) -> Page:
    start = time.perf_counter()
    lines = _lines(page)
    middle = time.perf_counter()
    ruled = _ruled_tables(page)
    borderless = borderless_tables([ln for ln in lines if not _inside_any(ln.bbox, [t.bbox for t in ruled])])
    if timings is not None:
        timings["text"] = timings.get("text", 0.0) + middle - start
        timings["tables"] = timings.get("tables", 0.0) + time.perf_counter() - middle
    return Page(
        number=page.number + 1,
        label=_label(page, lines),
        width=page.rect.width,
        height=page.rect.height,
        lines=lines,
        tables=ruled + borderless,
        image_count=len(page.get_images(full=False)),
    )


def _lines(page: pymupdf.Page) -> list[Line]:
    out: list[Line] = []
    raw = page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_TEXT)
    for block in raw["blocks"]:
        for line in block.get("lines", []):
            chars = [(ch, span["size"]) for span in line["spans"] for ch in span["chars"]]
            for run in _split_at_gaps(chars):
                text = "".join(ch["c"] for ch, _ in run)
                norm = unicodedata.normalize("NFC", text)
                if not norm.strip():
                    continue
                xs: tuple[float, ...] = ()
                if len(norm) == len(text):
                    xs = tuple(ch["bbox"][0] for ch, _ in run) + (run[-1][0]["bbox"][2],)
                box = union([ch["bbox"] for ch, _ in run if ch["c"].strip()] or [run[0][0]["bbox"]])
                out.append(Line(text=norm, bbox=_box(box), char_x=xs))
    return out


def _split_at_gaps(chars: list[tuple[dict, float]]) -> list[list[tuple[dict, float]]]:
    """MuPDF joins text on one baseline into one line even across table columns: split where a
    space covers a gap wider than 0.6 em (two cells), keeping ordinary spaces inside the text."""
    runs: list[list[tuple[dict, float]]] = [[]]
    last_ink = None
    for ch, size in chars:
        if ch["c"].strip():
            if last_ink is not None and ch["bbox"][0] - last_ink > 0.6 * size and runs[-1]:
                while runs[-1] and not runs[-1][-1][0]["c"].strip():
                    runs[-1].pop()
                runs.append([])
            last_ink = ch["bbox"][2]
            runs[-1].append((ch, size))
        elif runs[-1]:
            runs[-1].append((ch, size))
    return [r for r in runs if r]


def _box(b: tuple[float, float, float, float] | pymupdf.Rect) -> BBox:
    return (round(b[0], 2), round(b[1], 2), round(b[2], 2), round(b[3], 2))


def _label(page: pymupdf.Page, lines: list[Line]) -> str | None:
    """The printed page number: a footer line like "- 5 -" in the bottom 10% of the page."""
    bottom = page.rect.height * 0.9
    for line in reversed(lines):
        if line.bbox[1] >= bottom:
            m = FOOTER_LABEL.match(line.text.strip())
            if m:
                return next(g for g in m.groups() if g)
    label = page.get_label()
    return label or None


def _ruled_tables(page: pymupdf.Page) -> list[Table]:
    tables = []
    for found in page.find_tables().tables:
        texts = found.extract()
        rows: list[list[Cell | None]] = []
        for r, row in enumerate(found.rows):
            cells: list[Cell | None] = []
            for c, box in enumerate(row.cells):
                text = texts[r][c] if c < len(texts[r]) else None
                if box is None or text is None:
                    cells.append(None)
                else:
                    cells.append(Cell(text=_cell_text(text), bbox=_box(box)))
            rows.append(cells)
        tables.append(Table(bbox=_box(found.bbox), rows=rows, ruled=True))
    return tables


def _cell_text(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\n", "")).strip()


def _inside_any(box: BBox, regions: list[BBox]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in regions)


# ------------------------------------------------------------ borderless tables (pure geometry)


def borderless_tables(lines: list[Line]) -> list[Table]:
    """Tables drawn without rules: runs of rows whose text sits in several aligned columns.
    Lone short lines (wrapped cells, rows with one filled cell) inside such a run belong to it."""
    rows = _rows_by_y(lines)
    kinds = ["tab" if _is_tabular(r) else "short" if _is_short(r) else "text" for r in rows]
    tables: list[Table] = []
    i = 0
    while i < len(rows):
        if kinds[i] != "tab":
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and kinds[j + 1] != "text":
            j += 1
        while kinds[j] != "tab":  # trim trailing lone lines (a title or note under the table)
            j -= 1
        region = rows[i : j + 1]
        if sum(k == "tab" for k in kinds[i : j + 1]) >= 2 and len(region) >= 3:
            tables.append(grid_from_lines([ln for r in region for ln in r]))
        i = j + 1
    return tables


def _rows_by_y(lines: list[Line]) -> list[list[Line]]:
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        if rows and abs(line.bbox[1] - rows[-1][0].bbox[1]) < 2.0:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(r, key=lambda ln: ln.bbox[0]) for r in rows]


def _is_tabular(row: list[Line]) -> bool:
    return len(row) >= 2 and all(b.bbox[0] - a.bbox[2] >= 4.0 for a, b in zip(row, row[1:], strict=False))


def _is_short(row: list[Line]) -> bool:
    return (
        len(row) == 1
        and row[0].bbox[2] - row[0].bbox[0] < 200
        and not FOOTER_LABEL.match(row[0].text.strip())
    )


def grid_from_lines(lines: list[Line]) -> Table:
    """Rebuild a grid from positioned lines: wrapped lines join into cells, cells into rows, and
    column edges come from alignment: text starts at a column's left edge, numbers end at its right."""
    cells = _merge_wrapped(lines)
    rows = _group_rows(cells)
    columns = _columns(cells, rows)
    grid: list[list[Cell | None]] = []
    for row in rows:
        slots: list[Cell | None] = [None] * len(columns)
        for cell in row:
            k = _column_of(cell.bbox, columns)
            old = slots[k]
            slots[k] = cell if old is None else Cell(old.text + cell.text, union([old.bbox, cell.bbox]))
        grid.append(slots)
    return Table(bbox=union([ln.bbox for ln in lines]), rows=grid, ruled=False)


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-−]?[\d,]*\d(\.\d+)?%?|——|-", text.strip()))


def _columns(cells: list[Cell], rows: list[list[Cell]]) -> list[tuple[float, float]]:
    """Cut just left of every text start and just right of every number end; where two cells of
    one row still land in one column, cut between them. Spans between cuts holding a cell are columns."""
    cuts = [c.bbox[2] + 0.5 if _looks_numeric(c.text) else c.bbox[0] - 0.5 for c in cells]
    centers = [(c.bbox[0] + c.bbox[2]) / 2 for c in cells]
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


def _column_of(box: BBox, columns: list[tuple[float, float]]) -> int:
    center = (box[0] + box[2]) / 2
    for k, (x0, x1) in enumerate(columns):
        if x0 < center < x1:
            return k
    return min(
        range(len(columns)), key=lambda k: min(abs(center - columns[k][0]), abs(center - columns[k][1]))
    )


def _merge_wrapped(lines: list[Line]) -> list[Cell]:
    cells: list[Cell] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        height = line.bbox[3] - line.bbox[1]
        for k in range(len(cells) - 1, -1, -1):
            prev = cells[k]
            gap = line.bbox[1] - prev.bbox[3]
            if gap > height:
                continue
            same_column = abs(line.bbox[0] - prev.bbox[0]) < 1.5
            if same_column and -1.0 <= gap < 0.12 * height and not _looks_numeric(prev.text):
                cells[k] = Cell(prev.text + line.text, union([prev.bbox, line.bbox]))
                break
        else:
            cells.append(Cell(line.text, line.bbox))
    return cells


def _group_rows(cells: list[Cell]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for cell in sorted(cells, key=lambda c: (c.bbox[1], c.bbox[0])):
        if rows and abs(cell.bbox[1] - rows[-1][0].bbox[1]) < 2.0:
            rows[-1].append(cell)
        else:
            rows.append([cell])
    return [sorted(r, key=lambda c: c.bbox[0]) for r in rows]
