"""The PDF reader: the only module that imports PyMuPDF.

A PDF becomes a :class:`~service.document.Document`: pages with NFC-normalised text lines
(with character positions, for exact provenance boxes), ruled tables from the vector rules (service.ruled), and
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

from service import ruled  # noqa: E402
from service.document import BBox, Cell, Document, Line, Page, Table, centre_inside, rounded, union  # noqa: E402
from service.errors import InputError, display_name  # noqa: E402
from service.layout import (
    FOOTER_LABEL,
    body_under_header,
    borderless_tables,
    continue_borderless,
    horizontal_rules,
    in_bands,
    join_stacked,
    split_run_together,
)  # noqa: E402

pymupdf.TOOLS.mupdf_display_errors(False)

REPORT_WORDS = ("预算", "决算")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as every later stage may trust it: a damaged font's lone surrogates become U+FFFD and
    control characters spaces (one for one, so character positions still line up), then NFC."""
    if text.isprintable() and unicodedata.is_normalized("NFC", text):  # nearly every line: nothing to do
        return text
    return unicodedata.normalize("NFC", _CONTROL.sub(" ", _LONE_SURROGATE.sub("\ufffd", text)))


def file_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


DAMAGED = "文件有损坏，已修复读取，结果可能不完整（repaired）"
# MuPDF messages that mean the file itself is damaged (not merely unusual)
_DAMAGE = re.compile(r"repair|error|cannot|premature|incorrect|invalid|missing|broken", re.IGNORECASE)
_NO_MEMORY = re.compile(r"out of memory|malloc[^\n]*fail|cannot allocate", re.IGNORECASE)
MAX_CONTENT_MB = 16.0  # a page's decompressed content streams; real report pages need well under 1 MB
MAX_RULES = 50_000  # vector paths on one page; a dense table page has a few thousand


def read_pdf(
    path: Path | str, max_mb: float = 200.0, max_pages: int = 2000, timings: dict[str, float] | None = None
) -> Document:
    """Read one PDF into pages, lines and tables, or raise InputError saying what is wrong.
    A damaged file that MuPDF can repair is read, with a warning naming the pages lost.
    ``timings``, when given, accumulates seconds spent on text and on table finding."""
    path = Path(path)
    data = _read_bytes(path, max_mb)
    pymupdf.TOOLS.reset_mupdf_warnings()
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
        encrypted = pdf.needs_pass or pdf.is_encrypted
        page_count = 0 if encrypted else pdf.page_count
    except MemoryError:
        raise
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
        pages: list[Page] = []
        lost: list[int] = []
        for i in range(page_count):
            source = pdf[i]
            _refuse_absurd(path, pdf, source)
            try:
                pages.append(read_page(source, timings))
            except MemoryError:
                raise
            except Exception:  # one unreadable page costs that page, not the file
                lost.append(i + 1)
                pages.append(Page(number=i + 1, label=None, width=0.0, height=0.0))
        if len(lost) == page_count:
            raise InputError(path, "corrupt", "文件损坏，页面内容无法解析", "请重新下载或导出原始 PDF")
        for previous, page in zip(pages, pages[1:], strict=False):
            continue_borderless(previous, page)
        messages = pymupdf.TOOLS.mupdf_warnings()
        no_memory = _NO_MEMORY.search(messages)
        if no_memory:  # MuPDF ran out of memory: not damage, the caller's limit
            raise MemoryError(f"MuPDF: {no_memory.group(0)}")
        repaired = bool(pdf.is_repaired) or bool(_DAMAGE.search(messages))
    warnings = []
    if repaired or lost:
        detail = (
            f"：第 {'、'.join(map(str, lost[:10]))}{' 等' if len(lost) > 10 else ''} 页无法读取"
            if lost
            else ""
        )
        warnings.append(DAMAGED + detail)
    doc = Document(
        doc_id=file_id(data),
        path=display_name(str(path.resolve())),
        file_name=display_name(path.name),
        pages=pages,
        warnings=warnings,
    )
    _check_is_report(path, doc)
    return doc


def _refuse_absurd(path: Path, pdf: pymupdf.Document, page: pymupdf.Page) -> None:
    """Refuse a page whose content alone would take minutes and gigabytes (a content-stream bomb),
    before any text or drawing is extracted from it."""
    try:
        size = sum(len(pdf.xref_stream(xref) or b"") for xref in page.get_contents())
    except MemoryError:
        raise
    except Exception:  # damaged content: reading the page will say so
        return
    if size > MAX_CONTENT_MB * 1024 * 1024:
        raise InputError(
            path,
            "too_big",
            f"第 {page.number + 1} 页内容异常庞大（{size / 1048576:.0f} MB 绘制指令）",
            "请确认文件来源；正常报告每页远小于 1 MB",
        )


def _read_bytes(path: Path, max_mb: float) -> bytes:
    if not path.exists():
        raise InputError(path, "missing", "文件不存在", "请检查路径")
    if not path.is_file():
        raise InputError(path, "not_pdf", "不是文件（是文件夹或设备）", "请给出 PDF 文件的路径")
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
    """Scanned, blank or not a report: said only of a file that read cleanly (a damaged file that
    lost its text is corrupt, not "not a report")."""
    if doc.warnings and not any(word in doc.text for word in REPORT_WORDS):
        raise InputError(path, "corrupt", "文件损坏，修复后仍无法读出报告内容", "请重新下载或导出原始 PDF")
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
    rules = _rules(page) if page.rotation == 0 else []  # a rotated page's drawings are not in text space
    hrules = horizontal_rules(rules)
    ruled = _ruled_tables(page, lines, rules)
    outside = [ln for ln in lines if not any(centre_inside(ln.bbox, t.bbox) for t in ruled)]
    ruled, free = body_under_header(ruled, in_bands(split_run_together(outside), hrules))
    borderless = borderless_tables(free)
    if timings is not None:
        timings["text"] = timings.get("text", 0.0) + middle - start
        timings["tables"] = timings.get("tables", 0.0) + time.perf_counter() - middle
    return Page(
        number=page.number + 1,
        label=_label(page, lines),
        width=page.rect.width,
        height=page.rect.height,
        lines=lines,
        tables=join_stacked(ruled + borderless) if ruled and borderless else ruled + borderless,
        image_count=len(page.get_images(full=False)),
        hrules=hrules,
    )


def _lines(page: pymupdf.Page) -> list[Line]:
    out: list[Line] = []
    raw = page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_TEXT)
    for block in raw["blocks"]:
        for line in block.get("lines", []):
            chars = [(ch, span["size"]) for span in line["spans"] for ch in span["chars"]]
            for run in _split_at_gaps(chars):
                text = "".join(ch["c"] for ch, _ in run)
                norm = clean_text(text)
                if not norm.strip():
                    continue
                xs: tuple[float, ...] = ()
                if len(norm) == len(text):
                    xs = tuple(ch["bbox"][0] for ch, _ in run) + (run[-1][0]["bbox"][2],)
                box = union([ch["bbox"] for ch, _ in run if ch["c"].strip()] or [run[0][0]["bbox"]])
                out.append(Line(text=norm, bbox=rounded(box), char_x=xs))
    return out


def _split_at_gaps(chars: list[tuple[dict, float]]) -> list[list[tuple[dict, float]]]:
    """MuPDF joins text on one baseline into one line even across table columns: split where a
    gap is wider than 0.6 em, or wider than 0.3 em with no space character in it (two cells
    drawn apart with little padding), keeping ordinary spaces inside the text."""
    runs: list[list[tuple[dict, float]]] = [[]]
    last_ink = None
    for ch, size in chars:
        if ch["c"].strip():
            gap = ch["bbox"][0] - last_ink if last_ink is not None else 0.0
            spaced = bool(runs[-1]) and not runs[-1][-1][0]["c"].strip()
            # two cells: a wide gap, or a gap no space character explains (cells drawn apart)
            prev = runs[-1][-1][0]["c"] if runs[-1] else ""
            switch = prev.isascii() != ch["c"].isascii()  # "0.00" then "八、…": digits meet CJK
            if (
                last_ink is not None
                and runs[-1]
                and (gap > 0.6 * size or not spaced and (gap > 0.3 * size or switch and gap > 0.12 * size))
            ):
                while runs[-1] and not runs[-1][-1][0]["c"].strip():
                    runs[-1].pop()
                runs.append([])
            last_ink = ch["bbox"][2]
            runs[-1].append((ch, size))
        elif runs[-1]:
            runs[-1].append((ch, size))
    return [r for r in runs if r]


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


def _rules(page: pymupdf.Page) -> list[BBox]:
    """Boxes of the axis-aligned strokes and rectangles on the page (diagonals and curves dropped)."""
    boxes: list[BBox] = []
    paths = page.get_drawings()
    if len(paths) > MAX_RULES:  # a dense drawing (a chart, a map, a bomb), not a table grid
        return []
    for path in paths:
        for item in path["items"]:
            if item[0] == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                if min(abs(x1 - x0), abs(y1 - y0)) <= 2:
                    boxes.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
            elif item[0] == "re" or item[0] == "qu" and item[1].is_rectangular:
                r = item[1] if item[0] == "re" else item[1].rect
                boxes.append((r.x0, r.y0, r.x1, r.y1))
    return boxes


def _ruled_tables(page: pymupdf.Page, lines: list[Line], rules: list[BBox]) -> list[Table]:
    """Tables drawn with rules, from the rules and the lines already read (service.ruled); a rotated
    page, whose drawings and text use different coordinates, goes through find_tables instead."""
    if page.rotation == 0:
        try:
            return ruled.tables_from_rules(rules, lines)
        except ruled.TooManyRules:  # rules crossing a million times: a drawing, not a table
            return []
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
                    cells.append(Cell(text=_cell_text(text), bbox=rounded(box)))
            rows.append(cells)
        tables.append(Table(bbox=rounded(found.bbox), rows=rows, ruled=True))
    return tables


def _cell_text(text: str) -> str:
    return clean_text(text.replace("\n", "")).strip()


HIGHLIGHT = (0.85, 0.0, 0.0)  # the red of a cited cell or sentence


def render_png(path: Path | str, page_number: int, boxes: list[BBox], zoom: float = 1.5) -> bytes:
    """One page as PNG with each box (PDF points, as the reader reports them) outlined in red.
    The document is changed in memory only; the file is never written."""
    with pymupdf.open(path) as pdf:
        page = pdf[page_number - 1]
        for box in boxes:
            rect = pymupdf.Rect(box) + (-2, -2, 2, 2)  # a little air so the outline does not cover the ink
            if page.rotation:  # reader boxes are in the rotated page's space, drawing is not
                rect = rect * page.derotation_matrix
            page.draw_rect(rect, color=HIGHLIGHT, fill=HIGHLIGHT, fill_opacity=0.12, width=2.4, overlay=True)
        return page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False).tobytes("png")


def text_boxes(path: Path | str, page_number: int, text: str) -> list[BBox]:
    """Where ``text`` (a quoted sentence) is printed on a page: one box per line it runs over, or
    [] when it is not found. Spaces are ignored on both sides, since extraction puts spaces between
    Chinese and digits that the quote may or may not keep."""
    wanted = "".join(clean_text(text).split())
    if not wanted:
        return []
    with pymupdf.open(path) as pdf:
        page = pdf[page_number - 1]
        chars: list[tuple[str, BBox, int]] = []  # (character, box, line number)
        raw = page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_TEXT)
        lines = (line for block in raw["blocks"] for line in block.get("lines", []))
        for n, line in enumerate(lines):
            for span in line["spans"]:
                for ch in span["chars"]:
                    c = clean_text(ch["c"])
                    if c.strip():
                        chars.append((c, rounded(ch["bbox"]), n))
    printed = "".join(c for c, _, _ in chars)
    # a quote that runs onto the next page is found by its start here (or its end, on that page)
    for part in (wanted, wanted[:24], wanted[-24:]) if len(wanted) > 24 else (wanted,):
        start = printed.find(part)
        if start >= 0:
            by_line: dict[int, list[BBox]] = {}
            for _, box, n in chars[start : start + len(part)]:
                by_line.setdefault(n, []).append(box)
            return [rounded(union(boxes)) for boxes in by_line.values()]
    return []
