"""The clause parser of narrative claims (service/extract/claims.py), on sentences as reports print them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemas.facts import Fact, Provenance
from schemas.report import Claim
from schemas.vocabulary import topics
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


# ---------------------------------------------------------------- typed claims of a sentence
# The extractor reads each number of a sentence once (service.extract.claims.read_number): its kind, the
# direction of a change, its subject, its topics, marks, structure item and 三公 cell. The checker only
# compares those, so each phrasing below must come out typed.


def numbers(sentence: str) -> dict[str, C.Reading]:
    """The reading of each number of the sentence, by the number as printed (with its unit)."""
    out = {}
    for m in C.NUMBER.finditer(sentence):
        reading = C.read_number(sentence, m) if m.group("num") else None
        if reading is not None:
            out[m.group("num") + m.group("unit")] = reading
    return out


def claims_of(sentence: str, previous: str = "") -> list[Claim]:
    """The sentence's claims as the narrative reader builds them (without a document), statements linked."""
    found = []
    for m in C.NUMBER.finditer(sentence):
        reading = C.read_number(sentence, m) if m.group("num") else None
        if reading is None:
            continue
        fact = Fact(
            printed=m.group("num"),
            value=Decimal(m.group("num").replace(",", "")),
            unit=reading.unit,
            decimals=len(m.group("num").partition(".")[2]),
            provenance=Provenance(doc_id="t", page=1, table_id="NAR", text_span=sentence),
        )
        claim = Claim(kind=reading.kind, subject=reading.subject, value=fact, direction=reading.direction)  # type: ignore[arg-type]
        found.append((m.start("num"), claim))
    C.link(sentence, previous, found, 1)
    C.link_points(sentence, found, 100)
    return [c for _, c in found]


@pytest.mark.parametrize(
    ("sentence", "change", "rate", "direction"),
    [
        (
            "一般公共预算财政拨款支出 772.15 万元，比上年增加 30.12 万元，增长 4.1%。",
            "30.12万元",
            "4.1%",
            "增加",
        ),
        (
            "一般公共预算财政拨款支出 772.15 万元，比上年减少 30.12 万元，下降 3.8%。",
            "30.12万元",
            "3.8%",
            "减少",
        ),
        (
            "一般公共预算财政拨款支出 772.15 万元，较2022年决算减少 30.12 万元，下降 3.8%。",
            "30.12万元",
            "3.8%",
            "减少",
        ),
        (
            "一般公共预算财政拨款支出 772.15 万元，较2022年增加 30.12 万元，增长 4.1%。",
            "30.12万元",
            "4.1%",
            "增加",
        ),
        ("机关运行经费支出 11.57 万元，同比减少 2.30 万元，下降 16.6%。", "2.30万元", "16.6%", "减少"),
        ("机关运行经费支出 11.57 万元，与上年相比增加 2.30 万元，增长 24.8%。", "2.30万元", "24.8%", "增加"),
    ],
)
def test_a_change_and_its_rate_are_typed_with_their_direction(
    sentence: str, change: str, rate: str, direction: str
) -> None:
    read = numbers(sentence)
    amount = next(iter(read.values()))
    assert amount.kind == "amount" and amount.direction is None
    assert read[change].kind == "change" and read[change].direction == direction
    assert read[rate].kind == "change_rate" and read[rate].direction == direction


def test_a_change_names_its_own_subject_only_when_it_prints_one() -> None:
    """ "较2022年决算减少" and "同比减少" name no subject of their own; "其中人员经费增加" does (NAR-05 doubts a
    change whose subject differs from the amount read in the sentence before)."""
    assert numbers("较2022年决算减少 30.12 万元，下降 3.8%。")["30.12万元"].context.change_subject is None
    assert numbers("比上年增加 30.12 万元，增长 4.1%。")["30.12万元"].context.change_subject is None
    assert numbers("同比减少 2.30 万元，下降 16.6%。")["2.30万元"].context.change_subject is None
    own = numbers("其中人员经费增加 10.00 万元，增长 5.0%。")["10.00万元"].context.change_subject
    assert own == "其中人员经费"


@pytest.mark.parametrize(
    ("sentence", "base", "whole"),
    [
        ("财政拨款支出 772.15 万元，占本年支出合计的比重为 99.92%。", "本年支出合计", "本年支出合计"),
        ("财政拨款支出 772.15 万元，占本年支出合计的比例为 99.92%。", "本年支出合计", "本年支出合计"),
        ("财政拨款收入 772.15 万元，占本年收入合计的 99.92%。", "本年收入合计", "本年收入合计"),
        ("公务接待费 1.20 万元，占“三公”经费的 18.9%。", "“三公”经费", "三公"),
        ("授予中小企业合同金额 50 万元，占政府采购支出总额的 100%。", "政府采购支出总额", "政府采购"),
        ("涉及资金 800 万元，占项目支出总额的 98.1%。", "项目支出总额", "项目支出总额"),
        ("项目资金 300 万元，占全市促消费资金的 25%。", "全市促消费资金", "其他"),
        ("基本支出 782.35 万元，占比 48.94%。", None, None),
        ("基本支出 782.35 万元，所占比重为 48.94%。", None, None),
    ],
)
def test_a_share_carries_the_whole_it_names(sentence: str, base: str | None, whole: str | None) -> None:
    share = next(r for r in numbers(sentence).values() if r.kind == "share")
    assert (share.context.base, share.context.whole) == (base, whole)


def test_respectively_gives_each_amount_and_share_its_structure_item() -> None:
    read = numbers(RESPECTIVELY)
    assert [read[n].context.component for n in ("782.35万元", "816.36万元", "48.94%", "51.06%")] == [
        "basic",
        "project",
        "basic",
        "project",
    ]
    assert all("分别" in r.context.marks for r in read.values())


def test_items_after_qizhong_are_items_of_the_sentence_marked_qizhong() -> None:
    read = numbers("本年支出合计 1598.71 万元，其中：基本支出 782.35 万元，项目支出 816.36 万元。")
    assert read["782.35万元"].subject == "基本支出" and read["782.35万元"].context.component == "basic"
    assert read["816.36万元"].context.component == "project"
    assert all("其中" in r.context.marks for r in read.values())


def test_a_combined_sangong_subject_is_the_sum_of_its_items() -> None:
    """ "A及B合计" is compared with the cell its items add up to (the 小计), never with one of them."""
    sentence = (
        "2023年度“三公”经费支出决算 8.34 万元，其中：公务用车购置费及运行维护费合计支出决算 6.34 万元，"
        "公务接待费支出决算 2.00 万元。"
    )
    read = numbers(sentence)
    total, vehicles, reception = read["8.34万元"], read["6.34万元"], read["2.00万元"]
    assert (total.context.sangong, total.context.sangong_half) == ("total", "决算数")
    assert vehicles.context.scope == "combined" and vehicles.context.parts == ["公务用车购置费", "运行维护费"]
    assert (vehicles.context.sangong_sum, vehicles.context.sangong_half) == ("vehicle_subtotal", "决算数")
    assert (reception.context.sangong, reception.context.sangong_sum) == ("reception", None)
    budget = numbers("公务接待费预算数为 4.84 万元。")["4.84万元"]
    assert (budget.context.sangong, budget.context.sangong_half) == ("reception", "预算数")


def test_a_sangong_detail_is_not_a_cell_of_the_table() -> None:
    detail = numbers("“三公”经费中，国内公务接待支出 1.20 万元。")["1.20万元"]
    assert detail.context.sangong_item == "reception" and detail.context.sangong is None


@pytest.mark.parametrize(
    "sentence",
    [
        "年初预算为 100.00 万元，支出决算为 95.00 万元，完成年初预算的 95%。",
        "年初预算数为 100.00 万元，支出决算数为 95.00 万元，为年初预算的 95%。",
        "年初预算 100.00 万元，支出决算 95.00 万元，达到年初预算的 95%。",
    ],
)
def test_a_completion_statement_links_budget_final_and_rate(sentence: str) -> None:
    heading = "1. 一般公共服务(类)商贸事务(款)行政运行(项)。"
    budget, final, rate = claims_of(sentence, previous=heading)
    assert (budget.role, final.role, rate.role) == ("年初预算", "支出决算", "完成率")
    assert budget.statements == final.statements == rate.statements == [1]
    assert final.item_path == ["一般公共服务", "商贸事务", "行政运行"] and final.item_code == "201"


def test_sentence_marks_qualify_every_number_of_the_sentence() -> None:
    assert C.marks("年初未安排预算，年中追加 5.00 万元。") == ["年初未安排", "年中追加"]
    assert C.marks("该项目未执行。") == ["未执行"]
    assert "全部项目" in C.marks("对全部项目开展绩效自评，涉及资金 800 万元。")
    assert C.marks("一般公共服务支出 5.00 万元。") == []


def test_subject_topics_are_read_once_from_the_vocabulary() -> None:
    assert "财政拨款收支总计" in topics("财政拨款收支总计")
    assert "机关运行经费" in topics("机关运行经费支出")
    assert "政府采购总额" in topics("政府采购支出总额")
    assert topics("办公费") == []


def test_page_statements_link_a_score_to_its_grade_and_counts_to_the_total() -> None:
    text = (
        "该项目绩效评价得分为 95.74 分。评价等级为“优”。"
        "本部门 16个项目绩效自评中：15个项目自评等级为“优”，1个项目自评等级为“良”，0个项目自评等级为“中”，"
        "0个项目自评等级为“差”。预算资金共计 10.00 万元，核销 9.99 万元，结余资金 0.01 万元。"
        "共有车辆 9 辆，其中：一般公务用车 8 辆、其他用车 1 辆；单价 50 万元以上通用设备 0 套。"
    )
    groups = {g[0].role: g for g in C.page_statements(text)}
    score = groups["得分"][0]
    assert (text[score.start : score.end], score.grade) == ("95.74", "优")
    counts = groups["自评总数"]
    assert [text[n.start : n.end] for n in counts] == ["16", "15", "1", "0", "0"]
    assert [n.grade for n in counts[1:]] == ["优", "良", "中", "差"]
    assert [(n.role, text[n.start : n.end]) for n in groups["预算资金"]] == [
        ("预算资金", "10.00"),
        ("支出", "9.99"),
        ("结余", "0.01"),
    ]
    assert [text[n.start : n.end] for n in groups["车辆总数"]] == ["9", "8", "1"]  # the list ends at "；"


def test_heading_years_are_read_from_part_titles_and_scope_sentences() -> None:
    text = "第二部分 2023年度部门决算表\n纳入本部门 2022 年度部门决算编制范围的单位"
    assert C.heading_years(text) == [
        ("第二部分 2023年度部门决算表", 2023),
        ("纳入本部门 2022 年度部门决算编制范围", 2022),
    ]


@pytest.mark.parametrize(
    ("sentence", "number", "subject", "topic"),
    [
        ("2021年度收、支总计均为 1598.71 万元。", "1598.71万元", "2021年度收、支总计", "收支总计"),
        (
            "2022年度收入总计108,017,375.38元，支出总计108,017,370.00元。",
            "108,017,375.38元",
            "2022年度收入总计",
            "收支总计",
        ),
        (
            "2023年度财政拨款收、支总计均为 772.15 万元。",
            "772.15万元",
            "2023年度财政拨款收、支总计",
            "财政拨款收支总计",
        ),
    ],
)
def test_a_headline_total_keeps_its_printed_name(
    sentence: str, number: str, subject: str, topic: str
) -> None:
    """ "收、支总计" is one name (its "、" is no list) and "总计" no verb: NAR-01 compares the amount with T01."""
    reading = numbers(sentence)[number]
    assert reading.subject == subject and topic in topics(reading.subject)
