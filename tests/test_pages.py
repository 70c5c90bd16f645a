"""Pages as pictures: the cited cell boxed in red, and a clear message when the file behind a
document has been moved, changed or never had that page."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from service import pages, pdf
from service.config import Settings
from service.errors import NotFoundError
from service.registry import DocumentEntry, Registry

# jiaozuo page 13: the 三公 table's 预算数 合计 cell "23.23" (from `budgetqa extract --format facts`)
CELL = (50.0, 215.1, 82.79, 230.1)


def red_count(image: Image.Image) -> int:
    """Pixels of the highlight red (strong red, little green and blue)."""
    rgb = np.asarray(image.convert("RGB")).astype(int)
    return int(((rgb[..., 0] > 170) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90)).sum())


def red_pixels(png: bytes, box: tuple[float, float, float, float], zoom: float) -> int:
    """Red pixels in the band just around ``box`` (where the outline is drawn)."""
    image = Image.open(io.BytesIO(png))
    x0, y0, x1, y1 = (int(v * zoom) for v in (box[0] - 4, box[1] - 4, box[2] + 4, box[3] + 4))
    return red_count(image.crop((x0, y0, x1, y1)))


def test_render_page_outlines_the_box_in_red(fixture_pdfs: dict[str, Path]) -> None:
    path = fixture_pdfs["jiaozuo_2021_final"]
    boxed = pages.render_page(path, 13, [CELL], zoom=2.0)
    plain = pages.render_page(path, 13, [], zoom=2.0)
    assert boxed.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(boxed))
    assert image.size[0] > 1000  # zoom 2 of a landscape page
    assert red_pixels(boxed, CELL, 2.0) > 100
    assert red_pixels(plain, CELL, 2.0) == 0
    # the box is only around the cell: the next cell ("0.00", right of it) has no red
    assert red_pixels(boxed, (CELL[2] + 10, CELL[1], CELL[2] + 60, CELL[3]), 2.0) == 0


def test_render_page_errors_are_one_line(fixture_pdfs: dict[str, Path], tmp_path: Path) -> None:
    path = fixture_pdfs["jiaozuo_2021_final"]
    with pytest.raises(pages.PageError, match="没有第 99 页"):
        pages.render_page(path, 99)
    with pytest.raises(pages.PageError, match="原文件不在了"):
        pages.render_page(tmp_path / "gone.pdf", 1)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    with pytest.raises(pages.PageError, match="broken.pdf: 无法显示第 1 页"):
        pages.render_page(broken, 1)


def test_parse_highlight() -> None:
    assert pages.parse_highlight("50,215.1,82.79,230.1;1,2,3,4") == [CELL, (1, 2, 3, 4)]
    assert pages.parse_highlight("") == []
    assert pages.parse_highlight("3,4,1,2") == [(1, 2, 3, 4)]  # corners in any order
    with pytest.raises(pages.PageError, match="x0,y0,x1,y1"):
        pages.parse_highlight("1,2,3")


def test_document_page_checks_the_file_is_still_the_one_ingested(
    fixture_pdfs: dict[str, Path], tmp_path: Path
) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data")
    copy = tmp_path / "reports" / "jiaozuo.pdf"
    copy.parent.mkdir()
    shutil.copyfile(fixture_pdfs["jiaozuo_2021_final"], copy)
    doc_id = pdf.file_id(copy.read_bytes())
    Registry(settings.registry_path).put(
        DocumentEntry(doc_id, "jiaozuo.pdf", str(copy), pages=29, chunks=0, tables=0, ingested_at="")
    )
    png = pages.document_page(settings, doc_id, 13, [CELL])
    assert red_pixels(png, CELL, pages.DEFAULT_ZOOM) > 50
    with pytest.raises(pages.PageError, match="没有第 30 页（共 29 页）"):
        pages.document_page(settings, doc_id, 30)
    with pytest.raises(NotFoundError):
        pages.document_page(settings, "0123456789abcdef", 1)
    with open(copy, "ab") as fh:  # edited after ingest: the boxes would point at other numbers
        fh.write(b"\n% changed\n")
    with pytest.raises(pages.PageError, match="jiaozuo.pdf: 原文件在导入后被修改"):
        pages.document_page(settings, doc_id, 13)
    copy.unlink()
    with pytest.raises(pages.PageError, match="jiaozuo.pdf: 原文件不在了"):
        pages.document_page(settings, doc_id, 13)


# jiaozuo page 17, a sentence over three lines, quoted as the engine quotes it (spaces optional)
SENTENCE = "2021年度“三公”经费支出决算数与预算数存在差异的主要原因是贯彻中央八项规定精神，精简干部出国活动；"


def test_a_quoted_sentence_is_found_and_boxed_line_by_line(
    fixture_pdfs: dict[str, Path], tmp_path: Path
) -> None:
    path = fixture_pdfs["jiaozuo_2021_final"]
    lines = pages.quote_boxes(path, 17, SENTENCE)
    assert len(lines) == 2 and lines[0][1] < lines[1][1]  # starts at the end of one line, runs onto the next
    assert pages.quote_boxes(path, 17, SENTENCE.replace("2021年度", "2021 年度 ")) == lines
    assert pages.quote_boxes(path, 16, SENTENCE) == []  # not on that page
    assert pages.quote_boxes(path, 17, "不在这一页上的句子") == []
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data")
    doc_id = pdf.file_id(path.read_bytes())
    Registry(settings.registry_path).put(DocumentEntry(doc_id, path.name, str(path), 29, 0, 0, ""))
    png = pages.document_page(settings, doc_id, 17, quote=SENTENCE)
    assert all(red_pixels(png, box, pages.DEFAULT_ZOOM) > 50 for box in lines)
