"""The clause parser of narrative claims (service/extract/claims.py), on sentences as reports print them."""

from __future__ import annotations

import pytest

from service.extract import claims as C


def read(sentence: str, number: str, kind: str = "amount", subject: str = "", occurrence: int = 0):  # type: ignore[no-untyped-def]
    start = -1
    for _ in range(occurrence + 1):
        start = sentence.index(number, start + 1)
    return C.read(sentence, start, start + len(number), kind, subject)


RESPECTIVELY = "2021 年度支出合计 1598.71 万元，其中：基本支出和项目支出分别为 782.35 万元和 816.36 万元，分别占 48.94%和 51.06%。"


@pytest.mark.parametrize(
    ("number", "kind", "subject"),
    [
        ("782.35", "amount", "基本支出"),
        ("816.36", "amount", "项目支出"),
        ("48.94", "share", "基本支出"),
        ("51.06", "share", "项目支出"),
    ],
)
def test_respectively_gives_each_number_its_own_item(number: str, kind: str, subject: str) -> None:
    ctx = read(RESPECTIVELY, number, kind, "分别为")
    assert ctx.subject == subject and ctx.scope == "item" and ctx.base is None


def test_a_combined_subject_lists_its_items_and_the_printed_subtotal_name_does_not() -> None:
    ctx = read("公务用车购置费及运行维护费合计 6.34 万元。", "6.34", subject="公务用车购置费及运行维护费合计")
    assert ctx.scope == "combined" and ctx.parts == ["公务用车购置费", "运行维护费"]
    one = read("公务用车购置及运行费支出决算 6.34 万元。", "6.34", subject="公务用车购置及运行费支出决算")
    assert one.parts == [] and one.scope == "item"
    name = read("社会保障和就业(类)支出 245.93 万元，占 15.38%。", "245.93", subject="社会保障和就业(类)支出")
    assert name.parts == [] and name.scope == "item"


def test_a_share_reads_its_stated_base() -> None:
    assert (
        read("财政拨款支出 772.15 万元，占本年支出合计的比重为 99.92%。", "99.92", "share", "x").base
        == "本年支出合计"
    )
    assert read("基本支出 782.35 万元，占比 48.94%。", "48.94", "share", "x").base is None
    assert read("项目资金 300 万元，占全市促消费资金的 25%。", "25", "share", "x").base == "全市促消费资金"


def test_project_and_title_numbers_are_not_department_amounts() -> None:
    project = read(
        "商务发展专项资金中，项目支出 200.00 万元，其中人员经费 20.00 万元。", "20.00", subject="其中人员经费"
    )
    assert project.scope == "project" and project.ambiguity
    title = read("根据《2021年促消费 100 万元行动方案》，安排资金 50 万元。", "100", subject="行动方案")
    assert title.ambiguity and "引号" in title.ambiguity
    quoted_value = read("实际完成值为“129.99万元”。", "129.99", subject="实际完成值")
    assert quoted_value.ambiguity is None


def test_clause_is_the_span_between_breaks() -> None:
    sentence = "收、支总计各减少 279.7 万元，下降 13.0%。"
    assert C.clause_of(sentence, sentence.index("13.0"), sentence.index("13.0") + 4) == "下降 13.0%"


def test_a_range_end_is_not_a_stated_amount() -> None:
    sentence = "对购买汽油车的个人消费者给予1000-7000元不等的消费补贴。"
    assert "范围" in (read(sentence, "7000", subject="给予").ambiguity or "")
    assert read("支出 37.23 万元，占 2.34%。", "37.23", subject="支出").ambiguity is None
