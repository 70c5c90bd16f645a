"""Page-aware chunks: narrative by section (with its section path), one chunk per table part per
page (title, unit and header rows repeated). A chunk never crosses a page. Pure, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.document import Document, Line, Page, Table, centre_inside

MAX_CHARS = 500

PART = re.compile(r"^第[一二三四五六七八九十]+部分")
SECTION = re.compile(r"^[一二三四五六七八九十]+、")
SUBSECTION = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
TABLE_TITLE = re.compile(r"(表|表[（(]续[）)])$")
UNIT_LINE = re.compile(r"(金额)?单位[:：]\s*(万元|元|亿元)")
FOOTER = re.compile(r"^[-—–－]\s*\d+\s*[-—–－]$")
TOC_LINE = re.compile(r"^目\s*录$")


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    file_name: str
    page_start: int
    page_end: int
    kind: str  # "text" | "table"
    section: str
    table_title: str
    text: str

    @property
    def pages(self) -> str:
        return (
            str(self.page_start) if self.page_start == self.page_end else f"{self.page_start}-{self.page_end}"
        )

    def indexed_text(self) -> str:
        """What retrieval sees: the section path or table title, then the text."""
        head = self.table_title or self.section
        return f"{head}\n{self.text}" if head else self.text


def is_heading(text: str) -> int:
    """Heading level (1 part, 2 section, 3 subsection) or 0 for body text."""
    compact = text.strip()
    if len(compact) > 40 or compact.endswith(("。", "；", ";")):
        return 0
    if PART.match(compact):
        return 1
    if SECTION.match(compact) and "：" not in compact[:12]:
        return 2
    if SUBSECTION.match(compact):
        return 3
    return 0


def is_table_title(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return (
        4 <= len(compact) <= 40
        and bool(TABLE_TITLE.search(compact))
        and not compact.startswith(("注", "说明", "公开", "附表", "详见"))
        and not PART.match(compact)
    )


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.chunks: list[Chunk] = []
        self.path: list[str] = []
        self.last_title = ""
        self.last_header: list[str] = []
        self.open_table = ""  # title of a plain-line table still running at the end of a page

    def add(self, page: Page, kind: str, text: str, title: str = "") -> None:
        text = text.strip()
        if not text:
            return
        n = len(self.chunks)
        self.chunks.append(
            Chunk(
                chunk_id=f"{self.doc.doc_id}:{page.number}:{n}",
                doc_id=self.doc.doc_id,
                file_name=self.doc.file_name,
                page_start=page.number,
                page_end=page.number,
                kind=kind,
                section=" > ".join(self.path),
                table_title=title,
                text=text,
            )
        )

    def heading(self, text: str, level: int) -> None:
        del self.path[level - 1 :]
        while len(self.path) < level - 1:
            self.path.append("")
        self.path.append(re.sub(r"\s+", " ", text.strip()))


def chunk_document(doc: Document) -> list[Chunk]:
    builder = _Builder(doc)
    for page in doc.pages:
        _chunk_page(builder, page)
    return builder.chunks


def _chunk_page(b: _Builder, page: Page) -> None:
    lines = [
        ln for ln in page.lines if not (ln.bbox[1] > page.height * 0.9 and FOOTER.match(ln.text.strip()))
    ]
    if any(TOC_LINE.match(ln.text.strip()) for ln in lines[:5]):
        b.add(page, "text", "\n".join(ln.text for ln in lines), title="目录")
        return
    tables = sorted(page.tables, key=lambda t: t.bbox[1])
    body = [ln for ln in lines if not any(centre_inside(ln.bbox, t.bbox, 1) for t in tables)]
    # table parts found on the page: title and unit come from the lines just above the table
    for table in tables:
        above = [ln for ln in body if ln.bbox[3] <= table.bbox[1] + 1]
        title = next((ln.text.strip() for ln in reversed(above[-8:]) if is_table_title(ln.text)), "")
        unit = next((ln.text.strip() for ln in reversed(above[-8:]) if UNIT_LINE.search(ln.text)), "")
        rows = _row_texts(table)
        header = rows[: table.header_row_count]
        if not title and not header:  # a continuation printed without its header: repeat it
            rows = b.last_header + rows
        if title:
            b.last_title, b.last_header = title, header
        elif header:
            b.last_header = header
        b.add(page, "table", "\n".join(([unit] if unit else []) + rows), title=b.last_title)
    _chunk_lines(b, page, body)


def _chunk_lines(b: _Builder, page: Page, lines: list[Line]) -> None:
    """Narrative by section; a run starting at a table title on a page without a grid (a table
    printed as plain lines) becomes a table chunk up to its 注/说明 line."""
    buffer: list[str] = []
    kind, title = ("table", b.open_table) if b.open_table and not page.tables else ("text", "")

    def flush() -> None:
        nonlocal buffer
        if buffer:
            b.add(page, kind, "\n".join(buffer), title=title if kind == "table" else "")
        buffer = []

    for line in lines:
        text = line.text.strip()
        level = is_heading(text)
        if is_table_title(text) and not page.tables:
            flush()
            kind, title = "table", text
            b.last_title = text
            buffer.append(text)
            continue
        if level == 1 or (level and kind == "text"):
            flush()
            kind, title = "text", ""
            b.heading(text, level)
        buffer.append(text)
        if kind == "table" and text.startswith(("注：", "说明：")):
            flush()
            kind, title = "text", ""
        elif (
            kind == "text" and sum(len(x) for x in buffer) >= MAX_CHARS and text.endswith(("。", "；", "："))
        ):
            flush()
    flush()
    b.open_table = title if kind == "table" else ""


def _row_texts(table: Table) -> list[str]:
    return [" | ".join(row) for row in table.texts() if any(c.strip() for c in row)]
