"""The table catalogue is the one list of tables: every schema table has its entry, every entry's
name is found by its own title pattern, and every stage that names tables reads it."""

from __future__ import annotations

import pytest

from schemas import catalogue
from schemas.report import Tables
from service.check import completeness
from service.extract import tables as table_parsers


def test_every_schema_table_is_catalogued_with_its_model() -> None:
    for table_id, info in Tables.model_fields.items():
        entry = catalogue.BY_ID[table_id]
        assert entry.model is not None
        assert entry.model in info.annotation.__args__, table_id  # type: ignore[union-attr]
        assert entry.slug, table_id


@pytest.mark.parametrize(
    "entry", [e for e in catalogue.ENTRIES if e.table_id != "--"], ids=lambda e: e.table_id
)
def test_a_printed_title_finds_its_entry(entry: catalogue.TableEntry) -> None:
    for printed in (entry.name, f"2023年度{entry.name}", f"某某部门 {entry.name}"):
        found = catalogue.match_title(printed.replace("“", "").replace("”", ""))
        assert found is not None and found.table_id == entry.table_id, printed


def test_not_a_title() -> None:
    assert catalogue.match_title("注：本表无数据") is None
    assert (
        catalogue.match_title(
            "一般公共预算财政拨款支出决算表的说明文字超过了标题应有的长度，是正文段落中的一句话"
        )
        is None
    )


def test_every_schema_table_has_a_parser() -> None:
    for table_id in Tables.model_fields:
        assert catalogue.BY_ID[table_id].kind in table_parsers.PARSERS, table_id


def test_completeness_reads_the_catalogue() -> None:
    mandated = {e.table_id for e in catalogue.ENTRIES if e.inventory == "mandated"}
    assert set(completeness.FINAL_CORE) | set(completeness.BUDGET_CORE) == mandated
    assert all(catalogue.BY_ID[t].report == "决算" for t in completeness.FINAL_CORE)
    assert all(catalogue.BY_ID[t].report == "预算" for t in completeness.BUDGET_CORE)
