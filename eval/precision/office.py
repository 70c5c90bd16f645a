"""The four reports as a department would write them in Word: every seed line a paragraph, every
table a Word table (ruled with Word's grid, or with no borders at all, as a sheet pasted without
them), cover, 目录, headings and page breaks where the fixture builder puts them, converted to PDF by
LibreOffice. No reader was written against these: they measure extraction (gold fields, pages not
compared) and the checker's precision (errors beyond checker-rules.md §7A, §7A items missed) on a
second producer's drawing of whole reports.

The PDFs are committed under eval/precision/office/ so the evaluation runs without LibreOffice.
Regenerate: ``python -m eval.precision.office`` (needs ``soffice``).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from eval.fixtures import build
from eval.fixtures.variety import office

OUT = Path(__file__).resolve().parent / "office"
STYLES = ("grid", "none")
FONT = "WenQuanYi Micro Hei"
AMOUNT = re.compile(r"-?[\d,]+(\.\d+)?%?")  # right-aligned in its cell, as Word users set them


def name_of(fixture: str, style: str) -> str:
    return f"{fixture}-word-{style}"


def renderings() -> list[tuple[str, str, Path]]:
    """(fixture, style, pdf) of every committed rendering."""
    return [
        (fixture, style, OUT / f"{name_of(fixture, style)}.pdf")
        for fixture in build.FIXTURES
        for style in STYLES
        if (OUT / f"{name_of(fixture, style)}.pdf").exists()
    ]


def write_docx(fixture: str, style: str, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    seed, layout = build.FIXTURES[fixture]
    lines = (build.SEEDS / seed).read_text(encoding="utf-8").splitlines()
    items = build.plan_breaks(build.parse_tabbed(lines)) if layout != "lines" else _line_items(lines)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Pt(56))
    first = True
    for item in items:
        if isinstance(item, build.PageBreak):
            landscape = item.landscape
            current = doc.sections[-1]
            if landscape != (current.orientation == WD_ORIENT.LANDSCAPE):
                new = doc.add_section(WD_SECTION.NEW_PAGE)
                new.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
                new.page_width, new.page_height = new.page_height, new.page_width
            elif not first:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        first = False
        if isinstance(item, build.TableRun):
            width = max(len(r) for r in item.rows)
            table = doc.add_table(rows=len(item.rows), cols=width)
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            if style == "grid":
                table.style = doc.styles["Table Grid"]
            for r, row in enumerate(item.rows):
                for c, text in enumerate(row):
                    para = table.cell(r, c).paragraphs[0]
                    para.text = text
                    para.paragraph_format.space_after = Pt(0)
                    for run in para.runs:
                        run.font.size = Pt(8)
                    if AMOUNT.fullmatch(text):
                        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if style == "none":
                _no_borders(table, OxmlElement, qn)
            continue
        para = doc.add_paragraph(item.text)
        para.paragraph_format.space_after = Pt(2)
        if item.kind in ("title", "cover"):
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in para.runs:
                run.font.size = Pt(20 if item.kind == "cover" else 15)
                run.bold = True
        elif item.kind == "heading":
            for run in para.runs:
                run.bold = True
    doc.save(str(path))


def _line_items(lines: list[str]) -> list[build.Item]:
    """A report whose seed is one printed line per line (jiefangqu): a leading space starts a page."""
    items: list[build.Item] = []
    for raw in lines:
        if raw.startswith(" ") and raw.strip() and items:
            items.append(build.PageBreak())
        text = build.display_text(raw)
        if text:
            items.append(build.TextLine(text))
    return items


def _no_borders(table: object, element: object, qn: object) -> None:
    props = table._tbl.tblPr  # type: ignore[attr-defined]
    borders = element("w:tblBorders")  # type: ignore[operator]
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = element(f"w:{side}")  # type: ignore[operator]
        edge.set(qn("w:val"), "nil")  # type: ignore[operator]
        borders.append(edge)
    props.append(borders)


def main() -> int:
    if not office.available():
        print("soffice is not installed (apt install libreoffice-writer)", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    for fixture in build.FIXTURES:
        for style in STYLES:
            with tempfile.TemporaryDirectory() as tmp:
                source = Path(tmp) / f"{name_of(fixture, style)}.docx"
                write_docx(fixture, style, source)
                office.convert(source, OUT / f"{name_of(fixture, style)}.pdf")
            print(OUT / f"{name_of(fixture, style)}.pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
