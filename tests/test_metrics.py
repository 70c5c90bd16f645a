"""Every metric of the evaluation harness on known inputs, every number it returns checked."""

from __future__ import annotations

from decimal import Decimal

from eval import metrics as m

GOLD = [
    {"value": "779.26", "unit": "万元", "page": 7},
    {"value": "96.08", "unit": "%", "page": 17},
    {"value": "12", "unit": "人次", "page": 18},
]


def test_amounts_normalise_units() -> None:
    assert m.amount("支出决算 779.26万元") == m.Amount(Decimal("7792600.00"), "money")
    assert m.amount("1.2亿元") == m.Amount(Decimal("120000000.0"), "money")
    assert m.amount("完成预算的96.08%") == m.Amount(Decimal("96.08"), "percent")
    assert m.amount("7,792,600 元") == m.Amount(Decimal("7792600"), "money")
    assert m.amount("没有数字") is None
    assert [a.kind for a in m.amounts("23.23万元，完成96.08%，共3辆")] == ["money", "percent", "number"]


def test_same_amount() -> None:
    assert m.same_amount("779.26万元", "7792600元")  # 元 against gold in 万元
    assert not m.same_amount("779.26万元", "779.27万元")  # off by one unit in the last place
    assert not m.same_amount("779.26万元", "779.26元")  # a unit error is a different amount
    assert not m.same_amount("96.08%", "96.08万元")
    assert m.same_amount("12", "12")
    assert m.mentions("三公经费支出决算为 7,792,600 元（第13页）", "779.26万元")
    assert not m.mentions("报告中没有说明这一问题。", "779.26万元")


def test_quantities_in_answers() -> None:
    """Answers state money, shares and counts; page references and years are not quantities."""
    got = m.quantities("2023年支出779.26万元（第17页），占45.1%，共3个团组、12人次，第3-4页")
    assert [(a.kind, a.value, a.printed) for a in got] == [
        ("money", Decimal("7792600.00"), Decimal("779.26")),
        ("percent", Decimal("45.1"), Decimal("45.1")),
        ("count:个", Decimal(3), Decimal(3)),
        ("count:人次", Decimal(12), Decimal(12)),
    ]
    assert m.quantity("7,792,600元").same(m.quantity("779.26万元"))  # type: ignore[union-attr]
    assert m.quantity("2项").same(m.quantity("2个"))  # type: ignore[union-attr]  # equivalent count words
    assert not m.quantity("2批").same(m.quantity("2个"))  # type: ignore[union-attr]
    assert m.quantity("779.26") is None  # no unit: matched as text, not as a quantity
    assert m.quantities("2023年") == []


def test_field_scores() -> None:
    perfect = m.score_fields((g, dict(g)) for g in GOLD)
    assert (perfect.total, perfect.value, perfect.unit, perfect.page, perfect.wrong) == (3, 3, 3, 3, 0)
    assert perfect.accuracy == 1.0

    empty = m.score_fields((g, None) for g in GOLD)
    assert (empty.total, empty.value, empty.unit, empty.page, empty.wrong) == (3, 0, 0, 0, 0)
    assert empty.accuracy == 0.0

    off_by_one = [dict(GOLD[0], value="779.27"), GOLD[1], GOLD[2]]
    score = m.score_fields(zip(GOLD, off_by_one, strict=True))
    assert (score.value, score.unit, score.page, score.wrong) == (2, 3, 3, 1)
    assert score.accuracy == 2 / 3

    wrong_page = [GOLD[0], dict(GOLD[1], page=18), GOLD[2]]
    score = m.score_fields(zip(GOLD, wrong_page, strict=True))
    assert (score.value, score.unit, score.page, score.wrong) == (3, 3, 2, 0)
    assert score.accuracy == 2 / 3

    in_yuan = [{"value": "7792600.00", "unit": "元", "page": 7}, GOLD[1], GOLD[2]]
    score = m.score_fields(zip(GOLD, in_yuan, strict=True))
    assert (score.value, score.unit, score.wrong) == (3, 2, 0)  # the amount is right, the unit is not gold's


def test_citation_precision_and_abstention() -> None:
    assert m.citation_precision([13, 17], [13]) == 0.5
    assert m.citation_precision([13], [13, 17]) == 1.0
    assert m.citation_precision([], [13]) == 0.0
    assert m.abstention_accuracy([(True, True), (False, False)]) == 1.0
    assert m.abstention_accuracy([(True, True), (False, True)]) == 0.5  # an unanswerable one answered
    assert m.abstention_accuracy([]) == 0.0


def test_percentile_and_regressions() -> None:
    assert m.percentile([5, 1, 3, 2, 4], 50) == 3
    assert m.percentile([5, 1, 3, 2, 4], 95) == 5
    assert m.percentile([], 95) == 0.0
    before = m.flatten({"qa": {"accuracy": 0.95, "latency_ms": {"p95": 100}}, "checker": {"false_errors": 0}})
    assert before == {"qa.accuracy": 0.95, "qa.latency_ms.p95": 100, "checker.false_errors": 0}
    after = {"qa.accuracy": 0.94, "qa.latency_ms.p95": 105, "checker.false_errors": 1}
    assert m.regressions(before, after) == ["qa.accuracy", "qa.latency_ms.p95", "checker.false_errors"]
    assert m.regressions(before, after, slack=0.10) == ["qa.accuracy", "checker.false_errors"]
    assert (
        m.regressions(before, {"qa.accuracy": 0.99, "qa.latency_ms.p95": 50, "checker.false_errors": 0}) == []
    )
