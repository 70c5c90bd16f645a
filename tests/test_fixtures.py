"""The committed PDF fixtures look like real reports and round-trip the seed text."""

from __future__ import annotations

import re

import pymupdf
import pytest

from conftest import FIXTURES, NAMES
from eval.fixtures import build

EXPECTED_PAGES = {
    "jiaozuo_2021_final": 29,
    "jiefangqu_2023_final": 53,
    "yangquan_2022_final": 44,
    "zhumadian_2024_budget": 19,
}


@pytest.mark.parametrize("name", NAMES)
def test_text_round_trips_in_order(name: str) -> None:
    with pymupdf.open(FIXTURES / f"{name}.pdf") as doc:
        pages = [re.sub(r"- \d+ -\s*$", "", page.get_text()) for page in doc]
    full = re.sub(r"\s+", "", "".join(pages))
    pos, missing = 0, []
    for line in build.seed_lines(name):
        needle = re.sub(r"\s+", "", line)
        found = full.find(needle, pos)
        if found < 0:
            missing.append(line)
        else:
            pos = found + len(needle)
    assert missing == []
    assert "\ufffd" not in full and not re.search(r"[\ue000-\uf8ff]", full)


@pytest.mark.parametrize("name", NAMES)
def test_a4_pages_embedded_subset_font_and_footer_numbers(name: str) -> None:
    with pymupdf.open(FIXTURES / f"{name}.pdf") as doc:
        assert doc.page_count == EXPECTED_PAGES[name]
        sizes = {tuple(round(x) for x in (p.rect.width, p.rect.height)) for p in doc}
        assert sizes <= {(595, 842), (842, 595)}
        fonts = {f[3] for p in doc for f in p.get_fonts()}
        assert fonts and all(re.match(r"^[A-Z]{6}\+", f) for f in fonts), fonts
        assert all(f[1] == "ttf" for p in doc for f in p.get_fonts())  # embedded font program
        last = doc[-1].get_text().strip().splitlines()[-1]
        assert re.fullmatch(r"- \d+ -", last)


def test_styles_differ_ruled_borderless_and_line_layout() -> None:
    def ruled_tables(name: str) -> int:
        with pymupdf.open(FIXTURES / f"{name}.pdf") as doc:
            return sum(len(p.find_tables().tables) for p in doc)

    assert ruled_tables("jiaozuo_2021_final") >= 9
    assert ruled_tables("yangquan_2022_final") >= 10
    assert ruled_tables("zhumadian_2024_budget") == 0  # borderless: no rules at all
    assert ruled_tables("jiefangqu_2023_final") == 0  # wrapped-cell line layout


def test_wide_tables_go_landscape_and_continued_tables_repeat_their_header() -> None:
    with pymupdf.open(FIXTURES / "yangquan_2022_final.pdf") as doc:
        landscape = [p.number + 1 for p in doc if p.rect.width > p.rect.height]
        detail = [p.number + 1 for p in doc if "一般公共预算财政拨款支出决算明细表" in p.get_text()]
        assert detail[-1] in landscape  # the 16-column 明细表
    with pymupdf.open(FIXTURES / "jiaozuo_2021_final.pdf") as doc:
        t04 = [p for p in doc if "年初财政拨款结转和结余" in p.get_text().replace("\n", "")]
        assert len(t04) == 1
        following = doc[t04[0].number - 1].get_text()  # the table starts one page earlier
        assert "财政拨款收入支出决算总表" in following
        assert "栏次" in t04[0].get_text()  # header rows repeated on the continuation page


def test_bad_inputs_are_committed() -> None:
    names = {p.name for p in (FIXTURES / "bad").iterdir()}
    assert {"encrypted.pdf", "truncated.pdf", "scanned.pdf", "empty.pdf", "not_a_pdf.pdf"} <= names
    assert (FIXTURES / "bad" / "empty.pdf").stat().st_size == 0
