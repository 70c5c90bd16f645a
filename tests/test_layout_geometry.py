"""Borderless table geometry, on small PDFs drawn here with PyMuPDF: columns recovered from the
header cells and the alignment of the body (one mechanism for every table), wherever the header
text and the amounts sit in their cells, and a table continued on the next page."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from service import pdf
from service.document import Table

SIZE = 9.0


def _text(page: pymupdf.Page, x: float, y: float, text: str, align: str = "left", width: float = 0.0) -> None:
    """``text`` in a cell starting at ``x`` of ``width`` (left, centre or right in it), baseline
    ``y``: Chinese in china-s, amounts in Helvetica (proportional digits, as reports print them)."""
    font = "helv" if text.isascii() else "china-s"
    w = pymupdf.get_text_length(text, fontname=font, fontsize=SIZE) if font == "helv" else SIZE * len(text)
    pad = 3.0
    at = x + pad if align == "left" else x + (width - w) / 2 if align == "center" else x + width - pad - w
    page.insert_text((at, y), text, fontname=font, fontsize=SIZE)


def _document(tmp_path: Path, pages: list[list[tuple[float, float, str, str, float]]]) -> Path:
    doc = pymupdf.open()
    for cells in pages:
        page = doc.new_page(width=595, height=842)
        for x, y, text, align, width in cells:
            _text(page, x, y, text, align, width)
    path = tmp_path / "t.pdf"
    doc.save(path)
    return path


def _grid(cols: list[float], widths: list[float], y: float, texts: list[str], aligns: list[str]):
    return [(x, y, t, a, w) for x, w, t, a in zip(cols, widths, texts, aligns, strict=True) if t]


def _values(table: Table) -> dict[tuple[str, str], str]:
    """(first cell of the row, header path) → text, for every filled body cell."""
    paths = table.header_paths()
    out = {}
    for row in table.texts()[table.header_row_count :]:
        for path, text in list(zip(paths, row, strict=False))[1:]:
            if text and path and row[0]:
                out[(row[0], path)] = text
    return out


TITLE = [(150, 40, "某部门2024年部门预算公开收支总体情况表", "left", 0.0)]


@pytest.mark.parametrize("amounts", ["right", "left", "center"])
def test_two_sided_summary_with_a_parent_header_between_columns(tmp_path: Path, amounts: str) -> None:
    """收入 over 项目/金额 and 支出 over 项目/合计/一般公共预算/政府性基金: "支出" is centred over
    its columns, its text touching no header below it; an empty column stays its own."""
    cols = [40.0, 150.0, 210.0, 320.0, 380.0, 460.0]
    widths = [110.0, 60.0, 110.0, 60.0, 80.0, 80.0]
    head = [
        (40, 80, "收入", "center", 170.0),
        (210, 80, "支出", "center", 330.0),
        *_grid(
            cols, widths, 96, ["项目", "金额", "项目", "合计", "一般公共预算", "政府性基金"], ["center"] * 6
        ),
    ]
    rows = [
        ["一、一般公共预算", "1,880.86", "一、一般公共服务支出", "943.53", "943.53", ""],
        ["二、政府性基金", "", "二、外交支出", "12.00", "", "12.00"],
        ["本年收入合计", "1,880.86", "本年支出合计", "955.53", "943.53", "12.00"],
    ]
    aligns = ["left", amounts, "left", amounts, amounts, amounts]
    body = [cell for n, r in enumerate(rows) for cell in _grid(cols, widths, 114 + 16 * n, r, aligns)]
    doc = pdf.read_pdf(_document(tmp_path, [TITLE + head + body]))
    (table,) = doc.pages[0].tables
    assert table.header_paths() == [
        "收入/项目",
        "收入/金额",
        "支出/项目",
        "支出/合计",
        "支出/一般公共预算",
        "支出/政府性基金",
    ]
    texts = table.texts()[table.header_row_count :]
    assert texts[0] == rows[0]
    assert texts[1] == rows[1]
    assert texts[2] == rows[2]


def test_headers_printed_from_the_column_edge_over_right_aligned_amounts(tmp_path: Path) -> None:
    """A sheet printed with its header text left-aligned and the amounts right-aligned: an amount
    sits nearer the next column's header than its own, the columns run from header start to
    header start."""
    cols = [40.0, 200.0, 300.0, 400.0]
    widths = [160.0, 100.0, 100.0, 100.0]
    head = _grid(cols, widths, 80, ["项目", "合计", "基本支出", "项目支出"], ["left"] * 4)
    rows = [["行政运行", "520.02", "520.02", ""], ["一般行政管理事务", "37.70", "", "37.70"]]
    body = [
        c
        for n, r in enumerate(rows)
        for c in _grid(cols, widths, 98 + 16 * n, r, ["left", "right", "right", "right"])
    ]
    doc = pdf.read_pdf(_document(tmp_path, [TITLE + head + body]))
    (table,) = doc.pages[0].tables
    values = _values(table)
    assert values == {
        ("行政运行", "合计"): "520.02",
        ("行政运行", "基本支出"): "520.02",
        ("一般行政管理事务", "合计"): "37.70",
        ("一般行政管理事务", "项目支出"): "37.70",
    }


def test_an_amount_printed_close_to_the_next_label_is_two_cells(tmp_path: Path) -> None:
    """No gap between columns: MuPDF reads "1,880.86 一、一般公共服务" as one line."""
    cols = [40.0, 120.0, 162.0, 262.0]
    widths = [80.0, 42.0, 100.0, 42.0]
    head = _grid(cols, widths, 80, ["项目", "金额", "项目", "金额"], ["center"] * 4)
    rows = [
        ["一、本年收入", "1,880.86", "一、一般公共服务", "943.53"],
        ["二、上年结转", "0.00", "二、外交", "0.00"],
        ["收入总计", "1,880.86", "支出总计", "943.53"],
    ]
    body = [
        c
        for n, r in enumerate(rows)
        for c in _grid(cols, widths, 98 + 16 * n, r, ["left", "left", "left", "right"])
    ]
    doc = pdf.read_pdf(_document(tmp_path, [TITLE + head + body]))
    (table,) = doc.pages[0].tables
    assert table.texts()[table.header_row_count :] == rows


def test_a_table_continued_without_its_header_keeps_its_columns(tmp_path: Path) -> None:
    """The rows on the next page leave a column blank: they are placed in the columns the first
    part established, not rebuilt from what that page happens to print."""
    cols = [40.0, 200.0, 300.0, 400.0]
    widths = [160.0, 100.0, 100.0, 100.0]
    head = _grid(cols, widths, 80, ["科目名称", "合计", "基本支出", "项目支出"], ["center"] * 4)
    aligns = ["left", "right", "right", "right"]
    first = [["行政运行", "520.02", "500.00", "20.02"]] * 40
    first = [[f"事务{n}", *r[1:]] for n, r in enumerate(first)]
    second = [
        ["其他支出", "37.70", "", "37.70"],
        ["事业运行", "12.00", "", "12.00"],
        ["住房公积金", "5.00", "", "5.00"],
    ]
    page1 = (
        TITLE + head + [c for n, r in enumerate(first) for c in _grid(cols, widths, 98 + 18 * n, r, aligns)]
    )
    page2 = [c for n, r in enumerate(second) for c in _grid(cols, widths, 50 + 18 * n, r, aligns)]
    doc = pdf.read_pdf(_document(tmp_path, [page1, page2]))
    last = doc.pages[0].tables[-1]
    (part,) = doc.pages[1].tables
    assert part.n_cols == last.n_cols == 4
    assert part.texts() == second


def test_a_blank_mark_beside_an_amount_in_one_column_is_not_its_sign() -> None:
    """A dash drawn at the edge of a blank cell, landing in the column of the amount beside it:
    the amount stays 1.00, never -1.00."""
    from service.document import Line
    from service.layout import regrid

    lines = [
        Line("行政运行", (43.0, 100.0, 79.0, 110.0)),
        Line("-", (190.0, 100.0, 193.0, 110.0)),
        Line("1.00", (197.0, 100.0, 214.0, 110.0)),
        Line("事业运行", (43.0, 116.0, 79.0, 126.0)),
        Line("2.00", (197.0, 116.0, 214.0, 126.0)),
    ]
    regridded = regrid(lines, [(40.0, 150.0), (150.0, 260.0)])
    assert regridded is not None
    rows, _ = regridded
    assert [[c.text if c else "" for c in row] for row in rows] == [
        ["行政运行", "1.00"],
        ["事业运行", "2.00"],
    ]


def test_a_justified_paragraph_is_not_a_table() -> None:
    """Word justifies a line of prose by widening its spaces, so MuPDF cuts it into pieces on one
    baseline ("2022 年度收入总计 | 108,017,375.38 元、支出总计 | …"): amounts stated with their unit
    inside sentences are prose, not a borderless table run on from the table above them."""
    from eval.precision.office import OUT
    from service.extract import extract_report

    doc = pdf.read_pdf(OUT / "yangquan_2022_final-word-grid.pdf")
    prose_page = next(p for p in doc.pages if "2022 年度收入总计" in p.text)
    assert not any("收入总计" in c.text for t in prose_page.tables for r in t.rows for c in r if c)
    report = extract_report(doc)
    assert report.tables.T10 is not None and report.tables.T10.pages == [prose_page.number]
    assert not [n for n in report.parse_notes if n.table_id == "T10"]
    stated = {c.value.printed for c in report.claims if c.value.provenance.page == prose_page.number}
    assert "108,017,375.38" in stated


def test_a_money_header_wrapped_before_lei_is_not_a_code_column() -> None:
    """The budget's 部门支出总体情况表 drawn by Word wraps "其他运转类" as "其他运转" over "类": that
    column holds amounts, so a row with an amount there keeps its code (201 13 02)."""
    from eval.precision.office import OUT
    from service.extract import extract_report

    report = extract_report(pdf.read_pdf(OUT / "zhumadian_2024_budget-word-none.pdf"))
    assert report.tables.B03 is not None
    items = [r for r in report.tables.B03.rows if r.label not in ("合计", "驻马店市商务局")]
    assert items and all(r.code and len(r.code) == 7 for r in items), [(r.code, r.label) for r in items]
    row = next(r for r in items if r.label == "一般行政管理事务")
    assert row.code == "2011302" and row.other_operation is not None
    assert str(row.other_operation.printed) == "37.70"
