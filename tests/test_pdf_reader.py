"""Reading PDFs: pages, labels, ruled tables via find_tables, borderless grids, bad inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import BAD, FIXTURES
from service import pdf
from service.errors import InputError


def _table_with(doc, text: str):
    for page in doc.pages:
        for table in page.tables:
            if any(text in cell for row in table.texts() for cell in row):
                return page, table
    raise AssertionError(f"no table holds {text}")


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        (
            "jiaozuo_2021_final",
            {
                "一、一般公共预算财政拨款收入": ["1", "1,598.71", "一、一般公共服务支出", "32", "779.26"],
                "八、其他收入": ["8", "0.00", "八、社会保障和就业支出", "39", "245.93"],
                "本年收入合计": ["27", "1,598.71", "本年支出合计", "58", "1,598.71"],
                "总计": ["31", "1,598.71", "总计", "62", "1,598.71"],
            },
        ),
        (
            "yangquan_2022_final",
            {
                "一、一般公共预算财政拨款收入": [
                    "1.00",
                    "105613371.38",
                    "一、一般公共服务支出",
                    "32.00",
                    "8611494.83",
                ],
                "年初结转和结余": ["29", "2404004.00", "年末结转和结余", "60.00", ""],
                "总计": ["31.00", "108017375.38", "总计", "62.00", "108017375.38"],
            },
        ),
    ],
)
def test_find_tables_recovers_the_ruled_income_expenditure_summary(name: str, rows: dict, documents) -> None:
    page, table = _table_with(documents[name], "本年收入合计")
    assert "收入支出决算总表" in page.text and table.ruled
    by_label = {r[0]: r[1:] for r in table.texts()}
    for label, expected in rows.items():
        assert by_label[label] == expected
    assert table.header_paths()[:2] == ["收入/项目", "收入/行次"]
    assert table.header_paths()[2] in ("收入/金额", "收入/决算数")


def test_borderless_table_is_rebuilt_column_by_column(documents) -> None:
    page, table = _table_with(documents["zhumadian_2024_budget"], "事业运行")
    assert not table.ruled and page.width > page.height
    paths = table.header_paths()
    assert paths[5:8] == ["合计", "基本支出/小计", "基本支出/人员经费/工资福利支出"]
    row = next(r for r in table.texts() if "事业运行" in r)
    values = dict(zip(paths, row, strict=True))
    assert values["合计"] == "385.81"
    assert values["基本支出/公用经费/商品和服务支出"] == "26.59"
    assert values["基本支出/人员经费/对个人和家庭的补助"] == ""
    assert values["项目支出/小计"] == "34.80"
    assert values["基本支出/公用经费/资本性支出"] == ""


def test_pages_lines_and_printed_labels(documents) -> None:
    doc = documents["jiaozuo_2021_final"]
    assert doc.page_count == 29 and len(doc.doc_id) == 16
    assert doc.pages[0].label is None and doc.pages[5].label == "5"  # the cover is not numbered
    line = next(ln for ln in doc.pages[16].lines if "完成预算的 96.08%" in ln.text)
    start = line.text.index("96.08")
    box = line.span_bbox(start, start + 5)
    assert line.bbox[0] <= box[0] < box[2] <= line.bbox[2]


@pytest.mark.parametrize(
    ("file", "problem", "words"),
    [
        ("encrypted.pdf", "encrypted", "文件已加密"),
        ("truncated.pdf", "corrupt", "文件损坏"),
        ("scanned.pdf", "scanned", "扫描件没有文字层，需要先 OCR"),
        ("empty.pdf", "empty", "文件为空"),
        ("not_a_pdf.pdf", "not_pdf", "不是 PDF 文件"),
        ("not_a_report.pdf", "not_report", "不是部门预算/决算公开报告"),
    ],
)
def test_bad_input_gets_one_clear_message(file: str, problem: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        pdf.read_pdf(BAD / file)
    assert caught.value.problem == problem
    assert str(caught.value).startswith(f"{file}: ") and words in str(caught.value)


def test_too_large_files_are_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    shutil.copy(FIXTURES / "zhumadian_2024_budget.pdf", big)
    with pytest.raises(InputError, match="文件过大") as caught:
        pdf.read_pdf(big, max_mb=0.01)
    assert caught.value.problem == "too_large"
    with pytest.raises(InputError, match="19 页"):
        pdf.read_pdf(big, max_pages=10)
