"""绩效 forms read from where their words sit (service/extract/form_reader.py): small forms laid out
line by line as a PDF prints them, whatever the rules, alignment or wrapping, read exactly."""

from __future__ import annotations

from types import SimpleNamespace

from schemas.catalogue import BY_ID
from service.export import _indicator_rows
from service.extract import form_reader as F
from service.extract import performance
from service.extract.common import Maker
from service.extract.locate import Occurrence

SIZE = 10.0


def line(text: str, x0: float, y0: float, page: int = 1, width: float | None = None) -> F.Piece:
    """A printed line: CJK characters one em wide, others half an em."""
    steps = [SIZE if ord(ch) > 255 else SIZE / 2 for ch in text]
    if width is not None:  # right-aligned: the line ends at x0 + width
        x0 = x0 + width - sum(steps)
    xs = [x0]
    for step in steps:
        xs.append(xs[-1] + step)
    return F.Piece(text, (x0, y0, xs[-1], y0 + SIZE), page, tuple(xs))


def right(text: str, x1: float, y0: float, page: int = 1) -> F.Piece:
    return line(text, x1, y0, page, width=0.0)


def occurrence(table_id: str) -> Occurrence:
    spec = BY_ID[table_id]
    return Occurrence(
        spec=spec, title="项目支出绩效自评表" if table_id == "PP" else "部门整体支出绩效自评表", page=1
    )


# columns: 一级 10-70, 二级 80-150, 三级 160-260, 指标值 270-330, 实际完成值 340-400,
# 分值 410-440 (numbers right-aligned at 438), 得分 450-480 (at 478), 偏差原因 490-580
def project_form(top_aligned_labels: bool = False) -> list[F.Piece]:
    p = [
        line("项目名称", 10, 10),
        line("贸易统计", 160, 5),  # the name wraps in its cell, centred on the label
        line("奖励专项资金", 160, 16),
        line("主管部门", 10, 34),
        line("阳泉市商务局", 160, 34),
        # the 预算执行 block: centred headers, amounts right-aligned beyond them
        line("年初数", 275, 52),
        line("全年数", 345, 52),
        line("全年执行数", 395, 52),
        line("执行率", 455, 52),
        line("预算执行情况（万元）", 10, 70),
        line("项目预算金额", 160, 64),
        line("(万元)", 160, 76),
        right("319.00", 335, 70),
        right("300.00", 392, 70),
        right("280.00", 446, 70),
        right("93.33%", 482, 70),
        # the indicator header; 偏差原因 wraps onto a second line
        line("一级指标", 20, 100),
        line("二级指标", 95, 100),
        line("三级指标", 190, 100),
        line("年度指标值", 275, 100),
        line("实际完成值", 345, 100),
        line("分值", 415, 100),
        line("得分", 455, 100),
        line("偏差原因分析及", 490, 95),
        line("改进措施", 500, 106),
    ]
    rows = [
        # (三级指标 lines, 指标值, 实际完成值, 分值, 得分, 偏差原因 lines)
        (["奖励企业数"], "≥35家", "77家", "10", "10", []),
        (["奖励资金发放", "准确率"], "100%", "98%", "10", "8", ["审核延迟，", "下年改进。"]),
        (["受奖企业满意度"], "≥90%", "95%", "20", "20", []),
    ]
    y = 125.0
    starts = []
    for names, target, actual, weight, score, reason in rows:
        starts.append(y)
        for k, name in enumerate(names):
            p.append(line(name, 160, y + 12 * k))
        for k, text in enumerate(reason):
            p.append(line(text, 490, y + 12 * k))
        p += [line(target, 270, y), line(actual, 340, y), right(weight, 438, y), right(score, 478, y)]
        y += 12 * max(len(names), len(reason), 1) + 6
    end = y
    # 产出指标 merged down the first two rows, 满意度指标 the third; 二级指标 per row
    # the label wraps in its cell: 产出指标 / （20分）
    first = starts[0] if top_aligned_labels else (starts[0] + starts[2] - 6) / 2 - SIZE - 1
    p += [line("产出指标", 10, first), line("（20分）", 10, first + 12), line("满意度", 10, starts[2])]
    p += [line("数量指标", 80, starts[0]), line("质量指标", 80, starts[1]), line("满意度", 80, starts[2])]
    p += [line("总分", 10, end), right("38", 478, end)]
    return p


def test_a_project_form_is_read_cell_by_cell() -> None:
    maker = Maker("doc", "PP", "万元")
    (ev,) = performance.parse_self_evaluation(occurrence("PP"), maker, "阳泉市商务局", project_form())
    assert ev.table_id == "PP"
    assert ev.subject == "贸易统计奖励专项资金"
    got = [
        (
            i.level1,
            i.level2,
            i.level3,
            i.target,
            i.actual,
            i.weight and i.weight.printed,
            i.score and i.score.printed,
            i.reason,
        )
        for i in ev.indicators
    ]
    assert got == [
        ("产出指标", "数量指标", "奖励企业数", "≥35家", "77家", "10", "10", None),
        ("产出指标", "质量指标", "奖励资金发放准确率", "100%", "98%", "10", "8", "审核延迟，下年改进。"),
        ("满意度", "满意度", "受奖企业满意度", "≥90%", "95%", "20", "20", None),
    ]
    assert [(b.level1, b.points.printed if b.points else None) for b in ev.level1_scores] == [
        ("产出指标", "20")
    ]
    assert ev.total_score is not None and ev.total_score.printed == "38"
    (budget,) = ev.budget
    assert budget.label == "项目预算金额(万元)"
    values = {n: getattr(budget, n).printed for n in ("initial", "full_year", "executed", "rate")}
    assert values == {"initial": "319.00", "full_year": "300.00", "executed": "280.00", "rate": "93.33%"}
    assert budget.weight is None and budget.score is None
    assert ev.indicators[0].headers["target"] == "年度指标值"
    assert ev.indicators[1].headers["reason"] == "偏差原因分析及改进措施"


def test_labels_printed_at_the_top_of_their_rows_carry_down() -> None:
    (ev,) = performance.parse_self_evaluation(
        occurrence("PP"), Maker("doc", "PP", "万元"), "", project_form(top_aligned_labels=True)
    )
    assert [i.level1 for i in ev.indicators] == ["产出指标", "产出指标", "满意度"]


def test_the_facts_of_an_indicator_carry_field_column_row_and_project() -> None:
    (ev,) = performance.parse_self_evaluation(
        occurrence("PP"), Maker("doc", "PP", "万元"), "", project_form()
    )
    report = SimpleNamespace(meta=SimpleNamespace(file_name="r.pdf", doc_id="doc"))
    ctx = {"table_id": "PP", "table_title": ev.title, "subject": ev.subject}
    rows = _indicator_rows(report, ev.indicators[1], ctx)
    got = {r["field"]: (r["column"], r["value"], r["row"], r["subject"], r["table_title"]) for r in rows}
    assert got == {
        "weight": ("分值", "10", "奖励资金发放准确率", "贸易统计奖励专项资金", "项目支出绩效自评表"),
        "score": ("得分", "8", "奖励资金发放准确率", "贸易统计奖励专项资金", "项目支出绩效自评表"),
        "target": ("年度指标值", "100%", "奖励资金发放准确率", "贸易统计奖励专项资金", "项目支出绩效自评表"),
        "actual": ("实际完成值", "98%", "奖励资金发放准确率", "贸易统计奖励专项资金", "项目支出绩效自评表"),
        "deviation_reason": (
            "偏差原因分析及改进措施",
            "审核延迟，下年改进。",
            "奖励资金发放准确率",
            "贸易统计奖励专项资金",
            "项目支出绩效自评表",
        ),
    }


def test_rows_without_scores_are_told_apart_by_line_spacing() -> None:
    """No 分值/得分 to anchor rows (the yangquan forms): a line is a wrapped cell's when it sits at
    line spacing with nothing level with it in the other columns; rows are further apart."""
    p = [
        line("三级指标", 160, 100),
        line("指标值", 275, 100),
        line("实际完成值", 345, 100),
        line("偏差原因", 490, 100),
        line("二级指标", 80, 100),
    ]
    y = 120.0
    for names, target, actual in (
        (["开工时间"], "3月16日", "3月16日"),
        (["对进口冷冻冷", "藏肉品进行监", "督管理"], "长期发挥作用", "长期发挥作用"),
        (["完工时间"], "6月16日", "6月20日"),
    ):
        for k, name in enumerate(names):
            p.append(line(name, 160, y + 12 * k))
        p += [line(target, 270, y), line(actual, 340, y)]
        y += 12 * len(names) + 6
    read = F.read_form(p)
    assert read is not None
    assert [(r.text("level3"), r.text("target"), r.text("actual")) for r in read.indicators] == [
        ("开工时间", "3月16日", "3月16日"),
        ("对进口冷冻冷藏肉品进行监督管理", "长期发挥作用", "长期发挥作用"),
        ("完工时间", "6月16日", "6月20日"),
    ]


def test_single_line_rows_are_never_joined() -> None:
    """When no cell wraps, the smallest gap between lines is a row's: nothing is joined."""
    p = [
        line("三级指标", 160, 100),
        line("指标值", 275, 100),
        line("实际完成值", 345, 100),
        line("二级指标", 80, 100),
    ]
    for k, (name, target) in enumerate((("开工时间", "3月"), ("完工时间", "6月"), ("验收时间", "7月"))):
        p += [line(name, 160, 115 + 14 * k), line(target, 270, 115 + 14 * k), line(target, 340, 115 + 14 * k)]
    read = F.read_form(p)
    assert read is not None
    assert [r.text("level3") for r in read.indicators] == ["开工时间", "完工时间", "验收时间"]


def test_a_row_the_page_break_cut_is_one_indicator() -> None:
    p = [
        line("三级指标", 160, 100),
        line("指标值", 275, 100),
        line("实际完成值", 345, 100),
        line("二级指标", 80, 100),
    ]
    p += [line("部门绩效评价", 160, 780), line("=100%", 270, 780), line("100%", 340, 780)]
    p += [line("完成率", 160, 30, page=2), line("绩效监控率", 160, 50, page=2)]
    p += [line("100%", 270, 50, page=2), line("90%", 340, 50, page=2)]
    read = F.read_form(p)
    assert read is not None
    assert [(r.page, r.text("level3"), r.text("actual")) for r in read.indicators] == [
        (1, "部门绩效评价完成率", "100%"),
        (2, "绩效监控率", "90%"),
    ]


def test_numbers_beyond_short_centred_headers_go_to_the_column_they_end_in() -> None:
    """Right-aligned numbers between two short centred headers (分值, 得分) belong to the column
    whose right edge they end at: a column centred on 得分 could not reach back to them."""
    header = F.Header(
        1,
        0,
        10,
        {"weight": ("分值", 415, 435), "score": ("得分", 455, 475), "reason": ("偏差原因", 490, 530)},
    )
    body = [right("3", 446, 20), right("10", 446, 34), right("2", 486, 20), right("9", 486, 34)]
    body.append(line("疫情影响", 490, 20))
    cols = F.columns_of(header, body)
    found = [c.name if (c := F.column_at(cols, b)) else None for b in body]
    assert found == ["weight", "weight", "score", "score", "reason"]


def test_excel_headers_flush_left_bound_their_columns() -> None:
    """Headers printed where their cells start (Excel's default): the columns start there, and a
    right-aligned amount ending far right of its header stays in its own column."""
    header = F.Header(
        1,
        0,
        10,
        {
            "level3": ("三级指标", 160, 200),
            "target": ("指标值", 270, 300),
            "actual": ("实际完成值", 340, 390),
        },
    )
    body = [line("奖励企业数", 160, 20), right("35", 335, 20), line("77家", 340, 20)]
    body += [line("受奖企业满意度", 160, 34), line("≥90%", 270, 34), line("95%", 340, 34)]
    cols = F.columns_of(header, body)
    found = [c.name if (c := F.column_at(cols, b)) else None for b in body]
    assert found == ["level3", "target", "actual", "level3", "target", "actual"]


def test_blank_marks_and_numbers_read_as_one_line_are_split() -> None:
    (blank, rate) = F.split_marks(line("- 79.2%", 420, 10))
    assert (blank.text, rate.text) == ("-", "79.2%")
    assert blank.x1 <= rate.x0
    assert [p.text for p in F.split_marks(line("≥35 家", 10, 10))] == ["≥35 家"]


def test_project_codes_centred_on_their_rows_own_them() -> None:
    """A project's code merged down its rows is printed in their middle: rows above and below it
    divide evenly; a unit row with no indicators owns none."""
    code = {"unit": F.Block(F.Column("code", "", 0, 50), [line("044001", 0, 10)])}
    code["a"] = F.Block(F.Column("code", "", 0, 50), [line("4117001", 0, 46)])  # middle of 3 rows
    code["b"] = F.Block(F.Column("code", "", 0, 50), [line("4117002", 0, 84)])  # between 2 rows
    rows = [(1, 28.0, 38.0), (1, 46.0, 56.0), (1, 64.0, 74.0), (1, 78.0, 88.0), (1, 90.0, 100.0)]
    owners = F._owners(rows, list(code.values()))
    assert [owners[i].text for i in range(5)] == ["4117001", "4117001", "4117001", "4117002", "4117002"]


def test_a_third_party_table_is_read_by_its_columns() -> None:
    p = [line("一级指标", 10, 10)] + [
        line(n, 80 + 60 * k, 10) for k, n in enumerate(("项目决策", "项目过程", "总分"))
    ]
    p += [line("权重", 10, 25), right("15", 120, 25), right("85", 180, 25), right("100", 240, 25)]
    p += [line("得分", 10, 40), right("13.20", 120, 40), right("80.5", 180, 40), right("93.70", 240, 40)]
    read = F.read_third_party(p)
    assert read is not None
    names, rows = read
    assert [n.text for n in names] == ["项目决策", "项目过程", "总分"]
    assert [(n.text, v.text) for n, v in rows["得分"]] == [
        ("项目决策", "13.20"),
        ("项目过程", "80.5"),
        ("总分", "93.70"),
    ]
