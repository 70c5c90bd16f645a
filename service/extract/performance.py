"""Parsers for the 绩效 tables: self-evaluations (PE, PP), third-party scores (PT) and the
budget-stage targets (B12, B13). These tables have merged cells, rows whose cells slid left or
right in the source, and wrapped cells continued on the next row, so each parser anchors on
what cannot move: the 指标N/任务N number, the two score cells, or the last filled cell."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from schemas.facts import Fact
from schemas.performance import (
    BudgetLine,
    Indicator,
    Level1Score,
    ProjectTarget,
    ProjectTargets,
    SelfEvaluation,
    TargetTable,
    ThirdPartyScore,
)
from service.document import Cell
from service.extract.common import Maker, map_columns
from service.extract.form_reader import (
    FORM_HEADERS,
    TOTAL_WORDS,
    FormRead,
    FormRow,
    Piece,
    ProjectRead,
    TargetsRead,
    pieces_of,
    read_form,
    read_project_targets,
    read_targets,
    read_third_party,
)
from service.extract.locate import Occurrence, Row
from service.numbers import compact, is_amount, parse_amount, unit_of

POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]")
SCORE = re.compile(r"^\d{1,3}(\.\d+)?$")
SUBJECT = re.compile(r"(?:部门|单位|部门（单位）|部门\(单位\))?名称\s*[:：]?\s*(\S+)$")


def _score_maker(maker: Maker) -> Maker:
    return Maker(maker.doc_id, maker.table_id, "分")


def _filled(row: Row) -> list[tuple[int, Cell]]:
    return [(i, c) for i, c in enumerate(row.cells) if c is not None and c.text.strip()]


def _subject(occ: Occurrence, fallback: str) -> str:
    texts = [ln.text.strip() for ln, _ in occ.head] + [t for row in occ.rows()[:3] for t in row.texts()]
    for n, text in enumerate(texts):
        m = SUBJECT.search(compact(text))
        if m and not m.group(1).endswith("名称"):
            return m.group(1)
        if compact(text).endswith("名称") and n + 1 < len(texts) and texts[n + 1].strip():
            return compact(texts[n + 1])
    return fallback


def _level1(text: str) -> tuple[str, str | None]:
    """ "产出指标(50分)" → ("产出指标", "50")."""
    m = POINTS.search(text)
    return compact(POINTS.sub("", text)), (m.group(1) if m else None)


# ---------------------------------------------------------------- PE / PP in grids


@dataclass
class FormInput:
    """What a self-evaluation layout is detected and parsed from."""

    occ: Occurrence
    maker: Maker
    department: str
    pieces: list[Piece]  # the printed lines from the form's title to the next table's

    @cached_property
    def rows(self) -> list[Row]:
        return self.occ.rows()

    @property
    def ruled(self) -> bool:
        return bool(self.occ.grids) and all(t.ruled for t, _ in self.occ.grids)

    @property
    def table_id(self) -> Literal["PE", "PP"]:
        return "PP" if self.occ.spec.table_id == "PP" else "PE"

    @cached_property
    def geometry(self) -> FormRead | None:
        read = read_form(self.pieces)
        return read if read is not None and read.indicators else None

    def geometry_holds(self) -> bool:
        """The words' places read every indicator whole, or at least as many as the grid's rows
        do: a source whose cells slid off their headers (printed without rules) reads better by rows."""
        if not self.occ.grids:
            return True
        geometry = _from_geometry(self)
        if _whole(geometry) == len(geometry.indicators):
            return True  # every row read whole: the places held
        by_rows = (
            parse_standard_form(self.occ, self.rows, self.maker, self.table_id, self.subject())
            if is_standard_form(self.rows)
            else _pe_columns(self.occ, self.rows, self.maker, _subject(self.occ, self.department))
        )
        return _whole(geometry) >= _whole(by_rows)

    def numbered(self, anchor: str) -> bool:
        return any(re.fullmatch(anchor, compact(t)) for r in self.rows for t in r.texts())

    def subject(self) -> str:
        return (_project_name(self.rows) if self.table_id == "PP" else None) or _subject(
            self.occ, self.department
        )


def _whole(ev: SelfEvaluation) -> int:
    """Indicators read whole: a name with its values, and its 分值 and 得分 where the form scores."""
    scored = any(i.weight is not None for i in ev.indicators)
    return sum(
        1
        for i in ev.indicators
        if i.level3
        and (i.target or i.actual)
        and (not scored or (i.weight is not None and i.score is not None))
    )


def _numbered(f: FormInput, table_id: Literal["PE", "PP"], anchor: str) -> SelfEvaluation:
    subject = (_project_name(f.rows) or f.department) if table_id == "PP" else _subject(f.occ, f.department)
    return _anchored(f.occ, f.rows, f.maker, table_id, anchor=anchor, subject=subject)


# The self-evaluation layouts, tried in order: (name, detect, parse). A new template is an entry.
LAYOUTS: list[tuple[str, Callable[[FormInput], bool], Callable[[FormInput], SelfEvaluation]]] = [
    # ruled forms keyed by 指标N (project) or 任务N (department) numbers
    (
        "numbered 指标N",
        lambda f: bool(f.occ.grids) and f.numbered(r"指标\d+"),
        lambda f: _numbered(f, "PP", r"指标\d+"),
    ),
    (
        "numbered 任务N",
        lambda f: bool(f.occ.grids) and f.numbered(r"任务\d+"),
        lambda f: _numbered(f, "PE", r"任务\d+"),
    ),
    # ruled grids whose cells sit under the header words
    (
        "standard form, ruled",
        lambda f: f.ruled and is_standard_form(f.rows),
        lambda f: parse_standard_form(f.occ, f.rows, f.maker, f.table_id, f.subject()),
    ),
    # ruled grids whose cells slid left or right in the source
    (
        "slid cells, ruled",
        lambda f: f.ruled,
        lambda f: _pe_columns(f.occ, f.rows, f.maker, _subject(f.occ, f.department)),
    ),
    # any drawing: columns and rows from where the words sit
    (
        "form by geometry",
        lambda f: f.geometry is not None and f.geometry_holds(),
        lambda f: _from_geometry(f),
    ),
    (
        "standard form, any grid",
        lambda f: is_standard_form(f.rows),
        lambda f: parse_standard_form(f.occ, f.rows, f.maker, f.table_id, f.subject()),
    ),
    ("lines", lambda f: not f.occ.grids, lambda f: _pe_from_lines(f.occ, f.maker, f.department)),
]


def parse_self_evaluation(
    occ: Occurrence, maker: Maker, department: str, pieces: list[Piece] | None = None
) -> list[SelfEvaluation]:
    form = FormInput(
        occ, maker, department, pieces if pieces is not None else pieces_of(occ.head + occ.lines)
    )
    for _name, detect, parse in LAYOUTS:
        if detect(form):
            return [parse(form)]
    return [_pe_columns(occ, form.rows, maker, _subject(occ, department))]


def _evaluation(
    occ: Occurrence,
    maker: Maker,
    table_id: Literal["PE", "PP"],
    subject: str,
    budget: list[BudgetLine],
    indicators: list[Indicator],
    blocks: dict[str, Level1Score] | None = None,
    total: Fact | None = None,
) -> SelfEvaluation:
    """The one place a SelfEvaluation is made, whichever layout was read."""
    return SelfEvaluation(
        table_id=table_id,
        title=compact(occ.title),
        subject=subject,
        unit=maker.unit,
        pages=sorted(set(occ.pages) | {i.page for i in indicators} | {b.page for b in budget}),
        budget=budget,
        indicators=indicators,
        level1_scores=list((blocks or {}).values()),
        total_score=total,
    )


def _from_geometry(f: FormInput) -> SelfEvaluation:
    read = f.geometry
    assert read is not None
    maker, scores = f.maker, _score_maker(f.maker)
    printed = read.printed
    headers: dict[str, str] = {
        k: printed[k] for k in ("target", "actual", "reason", "target_note") if k in printed
    }
    indicators: list[Indicator] = []
    blocks: dict[str, Level1Score] = {}
    for row in read.indicators:
        level1 = None
        if row.level1 is not None:
            level1, points = _level1(row.level1.text)
            if points and level1 not in blocks:
                blocks[level1] = Level1Score(
                    level1=level1,
                    points=scores.fact(
                        points, row.level1.page, row.level1.box, row_label=level1, column="分值"
                    ),
                )
        name = row.text("level3") or ""

        def number(field: str, row: FormRow = row, name: str = name) -> Fact | None:
            block = row.cells.get(field)
            if block is None:
                return None
            word = printed.get(field, "分值" if field == "weight" else "得分")
            return scores.fact(block.text, block.page, block.box, row_label=name, column=word)

        indicators.append(
            Indicator(
                level1=level1,
                level2=row.level2.text if row.level2 is not None else None,
                level3=name,
                target=row.text("target"),
                target_note=row.text("target_note"),
                actual=row.text("actual"),
                weight=number("weight"),
                score=number("score"),
                deviation=row.text("deviation"),
                reason=row.text("reason"),
                page=row.page,
                headers=headers,
            )
        )
    budget: list[BudgetLine] = []
    for label, row in read.budget:
        values: dict[str, Any] = {}
        for name, block in row.cells.items():
            unit = "分" if name in ("weight", "score") else "%" if name == "rate" else None
            if name in ("weight", "score") and block.text.endswith("%"):
                continue  # a rate printed under the 分值 header is not points
            fact = maker.fact(
                block.text,
                block.page,
                block.box,
                row_label=label,
                column=read.budget_printed.get(name),
                unit=unit,
            )
            if fact is not None:
                values[name] = fact
        budget.append(BudgetLine(label=label, page=row.page, **values))
    total = None
    if read.total is not None:
        t = read.total
        total = scores.fact(t.text, t.page, t.box, row_label="总分", column=printed.get("score", "得分"))
    subject = read.subject if f.table_id == "PP" and read.subject else None
    subject = subject or (read.subject if read.subject else None) or f.subject()
    return _evaluation(f.occ, maker, f.table_id, subject, budget, indicators, blocks, total)


def _project_name(rows: list[Row]) -> str | None:
    for row in rows[:3]:
        texts = [t.strip() for t in row.texts() if t.strip()]
        if texts and compact(texts[0]) == "项目名称" and len(texts) > 1:
            return compact(texts[1])
    return None


def _budget_from_labels(rows: list[Row], maker: Maker) -> list[BudgetLine]:
    """The yangquan layouts: "项目预算金额(万元) | 319 | 实际到位金额(万元) | 319 | …" and
    "收入合计 | 10801.74 | 支出合计 | 10801.74"."""
    out = []
    for row in rows:
        filled = _filled(row)
        texts = [compact(c.text) for _, c in filled]
        if texts and texts[0].startswith("项目预算金额"):
            values: dict[str, Any] = {}
            for (i, _cell), text in zip(filled, texts, strict=True):
                nxt = next((c for j, c in filled if j > i), None)
                name = (
                    "initial"
                    if text.startswith("项目预算")
                    else "full_year"
                    if text.startswith("实际到位")
                    else ("executed" if text.startswith("实际执行") else None)
                )
                if name and nxt is not None and is_amount(nxt.text):
                    values[name] = maker.cell(nxt, row.page, row_label=texts[0], column=text)
            out.append(BudgetLine(label=texts[0], page=row.page, **values))
        for (i, _cell), text in zip(filled, texts, strict=True):
            if text in ("收入合计", "支出合计"):
                nxt = next((c for j, c in filled if j > i), None)
                if nxt is not None and is_amount(nxt.text):
                    fact = maker.cell(nxt, row.page, row_label=text, column="局机关及二级机构汇总")
                    out.append(BudgetLine(label=text, page=row.page, executed=fact))
    return out


def _anchored(
    occ: Occurrence, rows: list[Row], maker: Maker, table_id: Literal["PE", "PP"], anchor: str, subject: str
) -> SelfEvaluation:
    """Rows keyed by 指标N / 任务N: labels before the anchor, then name, target, actual, reason;
    a bare number after them is the score of the current 一级指标 block."""
    scores = _score_maker(maker)
    indicators: list[Indicator] = []
    blocks: dict[str, Level1Score] = {}
    level1 = level2 = None
    total: Fact | None = None
    for row in rows:
        filled = _filled(row)
        texts = [compact(c.text) for _, c in filled]
        if texts and texts[0] == "总分":
            cell = next((c for _, c in filled[1:] if SCORE.match(compact(c.text))), None)
            total = (
                scores.cell(cell, row.page, row_label="总分", column="总分")
                if cell
                else scores.fact("", row.page, filled[0][1].bbox, row_label="总分", column="总分")
            )
            continue
        pos = next((k for k, t in enumerate(texts) if re.fullmatch(anchor, t)), None)
        for k, text in enumerate(texts[: pos if pos is not None else 0]):
            if POINTS.search(text):
                level1, points = _level1(text)
                blocks.setdefault(
                    level1,
                    Level1Score(
                        level1=level1,
                        points=scores.fact(
                            points or "", row.page, filled[k][1].bbox, row_label=level1, column="分值"
                        ),
                    ),
                )
            elif text not in ("绩效指标", "一级指标") and not re.fullmatch(r"指标\d+|任务\d+", text):
                level2 = text
        if pos is None:
            continue
        rest = filled[pos + 1 :]
        if not rest:
            continue
        name = compact(rest[0][1].text)
        values = [c for _, c in rest[1:]]
        if values and compact(values[0].text) == name:  # the name printed twice
            values = values[1:]
        target = values[0].text.strip() if values else None
        actual = values[1].text.strip() if len(values) > 1 else None
        reason = None
        for cell in values[2:]:
            if SCORE.match(compact(cell.text)) and level1 in blocks and blocks[level1].score is None:
                blocks[level1].score = scores.cell(cell, row.page, row_label=level1, column="得分")
            elif cell.text.strip():
                reason = cell.text.strip()
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                code=texts[pos],
                level3=name,
                target=compact(target) if target else target,
                actual=compact(actual) if actual else actual,
                reason=reason,
                page=row.page,
            )
        )
    return _evaluation(
        occ, maker, table_id, subject, _budget_from_labels(rows, maker), indicators, blocks, total
    )


def _pe_columns(occ: Occurrence, rows: list[Row], maker: Maker, subject: str) -> SelfEvaluation:
    """The jiaozuo layout: a 预算执行 block with column headers, then indicator rows under
    "一级指标 二级指标 三级指标 指标值 指标说明 实际完成值 分值 得分 未完成原因". Cells of a row may
    have slid, so weight and score are found from the right; a row without them continues the
    previous indicator's wrapped cells, column by column."""
    scores = _score_maker(maker)
    budget: list[BudgetLine] = []
    indicators: list[Indicator] = []
    header: dict[str, int] = {}
    budget_paths: list[str] = []
    blocks: dict[str, Level1Score] = {}
    level1 = level2 = None
    total: Fact | None = None
    for row in rows:
        texts = [compact(t) for t in row.texts()]
        if not header and any(t in ("年初数", "年初预算数") for t in texts):
            budget_paths = texts
            continue
        if "一级指标" in texts and "三级指标" in texts:
            header = {t: i for i, t in enumerate(texts) if t}
            continue
        if "总分：" in texts or "总分" in texts:
            cell = next((c for _, c in _filled(row) if SCORE.match(compact(c.text))), None)
            total = scores.cell(cell, row.page, row_label="总分", column="总分") if cell else None
            continue
        if not header:
            if budget_paths and any(is_amount(t) for t in texts):
                budget.append(_budget_row(row, texts, budget_paths, maker))
            continue
        w_col = header.get("分值", len(texts) - 3)
        nums = [i for i, t in enumerate(texts) if SCORE.match(t)]
        pairs = [i for i in nums if i + 1 < len(texts) and i + 1 in nums]
        if not pairs:
            _continue_indicator(indicators, row, header)
            continue
        w = pairs[-1]
        shift = min(0, w - w_col)
        cell_at = {i: c for i, c in enumerate(row.cells) if c is not None}
        left = {
            k: compact(cell_at[i].text)
            for k, i0 in header.items()
            if (i := i0 + shift) in cell_at and i < w - 1 and cell_at[i].text.strip()
        }
        if left.get("一级指标"):
            level1, points = _level1(left["一级指标"])
            if points and level1 not in blocks:
                cell = cell_at[header["一级指标"] + shift]
                blocks[level1] = Level1Score(
                    level1=level1,
                    points=scores.fact(points, row.page, cell.bbox, row_label=level1, column="分值"),
                )
        if left.get("二级指标"):
            level2 = left["二级指标"]
        actual_cell = next(
            (cell_at[i] for i in range(w - 1, -1, -1) if i in cell_at and cell_at[i].text.strip()), None
        )
        reason = " ".join(
            cell_at[i].text.strip() for i in sorted(cell_at) if i > w + 1 and cell_at[i].text.strip()
        )
        name = left.get("三级指标", "")
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                level3=name,
                target=left.get("指标值"),
                target_note=left.get("指标说明"),
                actual=compact(actual_cell.text) if actual_cell else None,
                weight=scores.cell(row.cells[w], row.page, row_label=name, column="分值"),
                score=scores.cell(row.cells[w + 1], row.page, row_label=name, column="得分"),
                reason=reason or None,
                page=row.page,
            )
        )
    return _evaluation(occ, maker, "PE", subject, budget, indicators, blocks, total)


def _budget_row(row: Row, texts: list[str], paths: list[str], maker: Maker) -> BudgetLine:
    """A row of the 预算执行 block: its last label, then the amounts under 年初数/全年数/全年执行数/分值/执行率/得分."""
    words = [t for t in texts if t and parse_amount(t) is None and not t.endswith("%")]
    label = words[-1] if words else ""
    values: dict[str, Any] = {}
    for col, name in map_columns(BudgetLine, paths).items():
        cell = row.cells[col] if col < len(row.cells) else None
        if cell is None or not cell.text.strip():
            continue
        if name in ("weight", "score") and cell.text.strip().endswith("%"):
            continue  # a rate printed under the 分值 header is not points
        unit = "分" if name in ("weight", "score") else "%" if name == "rate" else None
        fact = maker.cell(cell, row.page, row_label=label, column=paths[col], unit=unit)
        if fact is not None:
            values[name] = fact
    return BudgetLine(label=label, page=row.page, **values)


def _continue_indicator(indicators: list[Indicator], row: Row, header: dict[str, int]) -> None:
    """A row without scores continues the wrapped cells of the previous indicator."""
    if not indicators:
        return
    last = indicators[-1]
    texts = row.texts()
    extra = {k: compact(texts[i]) for k, i in header.items() if i < len(texts) and texts[i].strip()}
    if "三级指标" in extra:
        last.level3 = _join_wrapped(last.level3, extra["三级指标"])
    if "指标值" in extra:
        last.target = (last.target or "") + extra["指标值"]
    if "实际完成值" in extra:
        last.actual = (last.actual or "") + extra["实际完成值"]
    if "指标说明" in extra:
        last.target_note = (last.target_note or "") + extra["指标说明"]


def _join_wrapped(head: str, tail: str) -> str:
    """Join a wrapped name; the source sometimes repeats the character at the wrap
    ("服务对象" + "象满意度" is 服务对象满意度)."""
    return head + tail[1:] if head and tail and head[-1] == tail[0] else head + tail


# ---------------------------------------------------------------- PE printed as lines

IND_LINE = re.compile(
    r"^(?P<name>.+?)\s+(?P<target>\S+)\s+(?P<actual>\S+)\s+(?P<w>\d+(?:\.\d+)?)\s+(?P<s>\d+(?:\.\d+)?)"
    r"\s+(?P<dev>-?[\d.]+%)$"
)
BUDGET_LINE = re.compile(r"^(?P<label>\D.*?)\s+(?P<v>(?:(?:[\d.,]+%?|-)\s*){3,6})$")
LEVEL1_WORDS = ("投入管理指标", "产出指标", "效益指标", "满意度指标")


def _pe_from_lines(occ: Occurrence, maker: Maker, department: str) -> SelfEvaluation:
    scores = _score_maker(maker)
    budget: list[BudgetLine] = []
    indicators: list[Indicator] = []
    level1 = level2 = None
    total: Fact | None = None
    started = False
    for line, page in occ.lines:
        text = line.text.strip()
        if text.startswith("一级指标"):
            started = True
            continue
        if not started:
            m = BUDGET_LINE.match(text)
            if m and ("总额" in m.group("label") or "资金" in m.group("label")):
                budget.append(_budget_from_text(m, line, page, maker, scores))
            continue
        if compact(text).startswith("总分"):
            nums = list(re.finditer(r"\d+(?:\.\d+)?", text))
            if nums:
                m2 = nums[-1]
                total = scores.fact(
                    m2.group(0), page, line.span_bbox(m2.start(), m2.end()), row_label="总分", column="总分"
                )
            continue
        m = IND_LINE.match(text)
        if not m:
            flat = compact(text)
            if flat in LEVEL1_WORDS:
                level1, level2 = flat, None
            elif indicators and not re.search(r"\d", flat) and len(flat) <= 8 and not flat.endswith("。"):
                level2 = flat
            elif indicators and flat:
                last = indicators[-1]
                last.reason = (last.reason or "") + flat if last.reason is not None else last.reason
            continue
        name = m.group("name")
        if " " in name:  # "满意度 服务对象满意度": the 二级指标 printed on the same line
            level2, name = name.rsplit(" ", 1)
        name = compact(name)
        rest = text[m.end("dev") :].strip()
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                level3=name,
                target=m.group("target"),
                actual=m.group("actual"),
                weight=scores.fact(
                    m.group("w"),
                    page,
                    line.span_bbox(m.start("w"), m.end("w")),
                    row_label=name,
                    column="分值",
                ),
                score=scores.fact(
                    m.group("s"),
                    page,
                    line.span_bbox(m.start("s"), m.end("s")),
                    row_label=name,
                    column="得分",
                ),
                deviation=m.group("dev"),
                reason=rest or "",
                page=page,
            )
        )
    for ind in indicators:
        ind.reason = ind.reason or None
    return _evaluation(occ, maker, "PE", _subject(occ, department), budget, indicators, None, total)


def _budget_from_text(m: re.Match[str], line: Any, page: int, maker: Maker, scores: Maker) -> BudgetLine:
    label = compact(m.group("label"))
    unit = unit_of(label) or maker.unit
    names = ["initial", "full_year", "executed", "weight", "rate", "score"]
    values: dict[str, Any] = {}
    for name, v in zip(names, re.finditer(r"[\d.,]+%?|-", m.group("v")), strict=False):
        start = m.start("v") + v.start()
        bbox = line.span_bbox(start, start + len(v.group(0)))
        if v.group(0) == "-":
            continue
        if name in ("weight", "score"):
            values[name] = scores.fact(v.group(0), page, bbox, row_label=label, column=name)
        elif name == "rate":
            values[name] = maker.fact(v.group(0), page, bbox, row_label=label, column="执行率", unit="%")
        else:
            values[name] = maker.fact(v.group(0), page, bbox, row_label=label, column=name, unit=unit)
    label = re.sub(r"[（(](万元|元)[）)]", "", label)
    return BudgetLine(label=label, page=page, **values)


# ---------------------------------------------------------------- PT (third-party score tables)


def parse_third_party(
    occ: Occurrence, maker: Maker, pieces: list[Piece] | None = None
) -> ThirdPartyScore | None:
    subject = compact(occ.title)[: -len("第三方评价得分表")] or compact(occ.before)
    subject = re.sub(r"^表?\d+", "", subject)  # "表 1 2023 年度…" and a 表 set apart: "1 年度…"
    read = read_third_party(pieces) if pieces else None
    if read is not None and read[1].get("权重"):
        return _third_party_from_geometry(occ, maker, subject, *read)
    rows: dict[str, list[tuple[str, Any, int]]] = {}
    for line, page in occ.lines:
        parts = list(re.finditer(r"\S+", line.text))
        if parts and parts[0].group(0) in ("一级指标", "权重", "得分", "得分率"):
            rows[parts[0].group(0)] = [
                (p.group(0), line.span_bbox(p.start(), p.end()), page) for p in parts[1:]
            ]
    if "一级指标" not in rows:
        return None
    names = [t for t, _, _ in rows["一级指标"]]
    scores = _score_maker(maker)

    def facts(key: str, unit: str) -> list[Fact]:
        out = []
        for (text, bbox, page), name in zip(rows.get(key, []), names, strict=False):
            fact = (scores if unit == "分" else maker).fact(
                text, page, bbox, row_label=name, column=key, unit=unit
            )
            if fact is not None:
                out.append(fact)
        return out

    return ThirdPartyScore(
        subject=subject,
        pages=occ.pages,
        level1=names,
        weights=facts("权重", "分"),
        scores=facts("得分", "分"),
        rates=facts("得分率", "%"),
    )


def _third_party_from_geometry(
    occ: Occurrence,
    maker: Maker,
    subject: str,
    names: list[Piece],
    rows: dict[str, list[tuple[Piece, Piece]]],
) -> ThirdPartyScore:
    scores = _score_maker(maker)

    def facts(key: str, unit: str) -> list[Fact]:
        out = []
        for name, p in rows.get(key, []):
            fact = (scores if unit == "分" else maker).fact(
                p.flat, p.page, p.box, row_label=name.flat, column=key, unit=unit
            )
            if fact is not None:
                out.append(fact)
        return out

    named = {name.flat for name, _ in rows.get("权重", [])}
    return ThirdPartyScore(
        subject=subject,
        pages=occ.pages,
        level1=[n.flat for n in names if n.flat in named],
        weights=facts("权重", "分"),
        scores=facts("得分", "分"),
        rates=facts("得分率", "%"),
    )


# ---------------------------------------------------------------- B12 / B13 (budget targets)


def parse_targets(
    occ: Occurrence, maker: Maker, department: str, pieces: list[Piece] | None = None
) -> TargetTable:
    """部门整体绩效目标表: from where its words sit (form_reader.read_targets), else from grid rows:
    the budget block (label … amount) and indicator rows read from the right: the last filled
    cell is the 指标值, then the name, then the 二级 and 一级 labels."""
    read = read_targets(pieces) if pieces else None
    by_rows = _targets_from_rows(occ, maker, department) if occ.grids else None
    if read is not None and read.indicators:
        by_geometry = _targets_from_geometry(occ, maker, department, read)
        # every row read whole (a name and its 指标值): the words' places held; a grid whose cells
        # slid in the source leaves names without values there, and the grid's rows read it better
        whole = all(i.level3 and i.target for i in by_geometry.indicators)
        if by_rows is None or whole or _filled_targets(by_geometry) >= _filled_targets(by_rows):
            return by_geometry
    return by_rows or _targets_from_rows(occ, maker, department)


def _filled_targets(table: TargetTable) -> int:
    """How much of the table a reading found: budget amounts and indicators with a 指标值."""
    return len([b for b in table.budget if b.initial]) + len([i for i in table.indicators if i.target])


def _targets_from_rows(occ: Occurrence, maker: Maker, department: str) -> TargetTable:
    budget: list[BudgetLine] = []
    indicators: list[Indicator] = []
    level1 = level2 = None
    in_indicators = False
    for row in occ.rows():
        filled = _filled(row)
        texts = [compact(c.text) for _, c in filled]
        if not texts:
            continue
        if texts[:3] == ["一级指标", "二级指标", "三级指标"]:
            in_indicators = True
            continue
        if not in_indicators:
            amount = next(((i, c) for i, c in filled if is_amount(c.text)), None)
            if amount is not None:
                label = compact(next(c.text for i, c in reversed(filled) if i < amount[0]))
                fact = maker.cell(amount[1], row.page, row_label=label, column="金额")
                budget.append(BudgetLine(label=label, page=row.page, initial=fact))
            continue
        target, name = texts[-1], texts[-2] if len(texts) > 1 else ""
        labels = texts[:-2]
        if len(labels) >= 2:
            level1, level2 = labels[-2], labels[-1]
        elif len(labels) == 1:
            level2 = labels[0]
        indicators.append(Indicator(level1=level1, level2=level2, level3=name, target=target, page=row.page))
    return TargetTable(
        title=compact(occ.title),
        subject=_subject(occ, department),
        unit=maker.unit,
        pages=occ.pages,
        budget=budget,
        indicators=indicators,
    )


def _targets_from_geometry(occ: Occurrence, maker: Maker, department: str, read: TargetsRead) -> TargetTable:
    budget = []
    for label, value in read.budget:
        fact = maker.fact(value.text, value.page, value.box, row_label=label.text, column="金额")
        if fact is not None:
            budget.append(BudgetLine(label=label.text, page=value.page, initial=fact))
    headers = {"target": read.printed["target"]} if "target" in read.printed else {}
    indicators = []
    level1 = None
    for row in read.indicators:
        if row.level1 is not None:
            level1, _points = _level1(row.level1.text)
        indicators.append(
            Indicator(
                level1=level1,
                level2=row.level2.text if row.level2 is not None else None,
                level3=row.text("level3") or "",
                target=row.text("target"),
                page=row.page,
                headers=headers,
            )
        )
    return TargetTable(
        title=compact(occ.title),
        subject=_subject(occ, department),
        unit=maker.unit,
        pages=sorted(set(occ.pages) | {i.page for i in indicators}),
        budget=budget,
        indicators=indicators,
    )


def parse_project_targets(occ: Occurrence, maker: Maker, pieces: list[Piece] | None = None) -> ProjectTargets:
    """From where the words sit (form_reader.read_project_targets); a ruled grid's rows when they
    read more of the table."""
    by_rows = _project_targets_from_rows(occ, maker)
    read = read_project_targets(pieces) if pieces else None
    if read is not None and read[1]:
        by_geometry = _project_targets_from_geometry(occ, maker, *read)
        ruled = bool(occ.grids) and all(t.ruled for t, _ in occ.grids)
        # without rules a grid's rows cut a project's merged cells apart; its words' places do not
        if not ruled or _filled_projects(by_geometry) >= _filled_projects(by_rows):
            return by_geometry
    return by_rows


def _filled_projects(table: ProjectTargets) -> int:
    return sum(
        len([1 for _, f in _fact_values(p)]) + len([i for i in p.indicators if i.target])
        for p in table.projects
    )


def _fact_values(model: Any) -> list[tuple[str, Fact]]:
    return [(n, v) for n in type(model).model_fields if isinstance(v := getattr(model, n), Fact)]


def _project_targets_from_geometry(
    occ: Occurrence, maker: Maker, printed: dict[str, str], read: list[ProjectRead]
) -> ProjectTargets:
    words = {
        "total": "资金总额",
        "government": "政府预算资金",
        "special_account": "财政专户管理资金",
        "unit_funds": "单位资金",
    }
    projects = []
    for p in read:
        code = p.code.text
        label = p.label.text if p.label is not None else ""
        level: Literal["total", "unit", "project"] = (
            "total" if len(code) <= 3 else "unit" if len(code) <= 6 else "project"
        )
        values: dict[str, Any] = {}
        for name, block in p.funds.items():
            fact = maker.fact(
                block.text, block.page, block.box, row_code=code, row_label=label, column=words[name]
            )
            if fact is not None:
                values[name] = fact
        indicators = [
            Indicator(
                level1=category,
                level3=name.text,
                target=value.text if value is not None else None,
                page=name.page,
                headers={"target": printed[category]} if category in printed else {},
            )
            for category, name, value in p.indicators
        ]
        projects.append(
            ProjectTarget(
                code=code, label=label, level=level, page=p.code.page, indicators=indicators, **values
            )
        )
    return ProjectTargets(title=compact(occ.title), unit=maker.unit, pages=occ.pages, projects=projects)


def _project_targets_from_rows(occ: Occurrence, maker: Maker) -> ProjectTargets:
    paths = occ.header_paths
    mapping = map_columns(ProjectTarget, paths)
    categories = [
        (c, p.split("/")[1] if p.count("/") >= 2 else p)
        for c, p in enumerate(paths)
        if p.endswith("三级指标")
    ]
    projects: list[ProjectTarget] = []
    for row in occ.rows()[occ.header_count :]:
        texts = row.texts()
        code = compact(texts[0]) if texts else ""
        if re.fullmatch(r"\d+", code):
            label = compact(texts[1]) if len(texts) > 1 else ""
            level: Literal["total", "unit", "project"] = (
                "total" if len(code) <= 3 else "unit" if len(code) <= 6 else "project"
            )
            values: dict[str, Any] = {
                n: maker.cell(row.cells[c], row.page, row_code=code, row_label=label, column=paths[c])
                for c, n in mapping.items()
                if c < len(row.cells)
            }
            projects.append(ProjectTarget(code=code, label=label, level=level, page=row.page, **values))
        if not projects:
            continue
        for col, category in categories:
            name = compact(texts[col]) if col < len(texts) else ""
            if name:
                target = compact(texts[col + 1]) if col + 1 < len(texts) else ""
                projects[-1].indicators.append(
                    Indicator(level1=category, level3=name, target=target, page=row.page)
                )
    return ProjectTargets(title=compact(occ.title), unit=maker.unit, pages=occ.pages, projects=projects)


# ---------------------------------------------------------------- the standard form, any drawing


def form_columns(texts: list[str]) -> dict[str, int]:
    """Field → column of an indicator header row, by the printed words (longest first)."""
    found: dict[str, int] = {}
    for col, text in enumerate(texts):
        flat = compact(text)
        if not flat:
            continue
        best = None
        for name, words in FORM_HEADERS.items():
            for word in words:
                if (flat == word or flat.startswith(word)) and (best is None or len(word) > best[1]):
                    best = (name, len(word))
        if best and best[0] not in found:
            found[best[0]] = col
    return found


def is_standard_form(rows: list[Row]) -> bool:
    """An indicator header row names the columns, and no indicator row's 分值/得分 pair sits
    anywhere but under them (rows whose cells slid in the source go to _pe_columns)."""
    header: dict[str, int] | None = None
    for row in rows:
        columns = form_columns(row.texts())
        if {"level1", "level3", "weight", "score"} <= set(columns) and {"target", "actual"} & set(columns):
            header = columns
            continue
        if header is None:
            continue
        texts = [compact(t) for t in row.texts()]
        pairs = [i for i in range(len(texts) - 1) if SCORE.match(texts[i]) and SCORE.match(texts[i + 1])]
        if pairs and header["weight"] not in pairs:
            return False
    return header is not None


def parse_standard_form(
    occ: Occurrence, rows: list[Row], maker: Maker, table_id: Literal["PE", "PP"], subject: str
) -> SelfEvaluation:
    """The 财政部 self-evaluation form however it is drawn: a 预算执行 block under 年初(预算)数 …
    得分 headers, then indicators under 一级/二级/三级指标, 指标值, 实际完成值, 分值, 得分, 偏差原因,
    then 总分. Columns are found from the header words; 一级/二级 labels carry down merged rows;
    a row with no 三级指标 and no scores continues the indicator above (a cell wrapped onto the
    next row or page)."""
    scores = _score_maker(maker)
    budget: list[BudgetLine] = []
    indicators: list[Indicator] = []
    blocks: dict[str, Level1Score] = {}
    header: dict[str, int] = {}
    printed: dict[str, str] = {}
    budget_paths: list[str] = []
    level1 = level2 = None
    total: Fact | None = None
    seen_pages: set[int] = set()
    for row in rows:
        texts = [compact(t) for t in row.texts()]
        columns = form_columns(row.texts())
        if {"level1", "level3"} <= set(columns):
            header = columns
            printed = {name: texts[col] for name, col in columns.items()}
            continue
        if not header and any(t in ("年初数", "年初预算数", "全年预算数", "全年数") for t in texts):
            budget_paths = texts
            continue
        filled = [(i, t) for i, t in enumerate(texts) if t]
        if not filled:
            continue
        if header and filled[0][1] in TOTAL_WORDS:
            col = header.get("score")
            cell = row.cells[col] if col is not None and col < len(row.cells) else None
            if cell is None or not SCORE.match(compact(cell.text)):
                cell = next((c for _, c in reversed(_filled(row)) if SCORE.match(compact(c.text))), None)
            if cell is not None:
                total = scores.cell(cell, row.page, row_label="总分", column=printed.get("score", "得分"))
            continue
        if not header:
            if budget_paths and any(is_amount(t) for t in texts):
                budget.append(_budget_row(row, texts, budget_paths, maker))
            continue

        def at(name: str, row: Row = row, header: dict[str, int] = header) -> Cell | None:
            return _cell_at(row, header, name)

        one, two, three = at("level1"), at("level2"), at("level3")
        if (
            indicators
            and row.page != indicators[-1].page
            and row.page not in seen_pages
            and not any(at(f) for f in ("target", "actual", "weight", "score"))
        ):
            # the first row of a page holding only names: the rest of the row the page break cut
            seen_pages.add(row.page)
            last = indicators[-1]
            if three is not None:
                last.level3 = last.level3 + compact(three.text)
            _continue_form_row(last, at)
            continue
        seen_pages.add(row.page)
        if one is not None:
            level1, points = _level1(one.text)
            if level1 not in blocks and points:
                blocks[level1] = Level1Score(
                    level1=level1,
                    points=scores.fact(points, row.page, one.bbox, row_label=level1, column="分值"),
                )
            level2 = None
        if two is not None:
            level2 = compact(two.text)
        weight, score = at("weight"), at("score")
        if three is None and weight is None and score is None:
            if indicators:
                _continue_form_row(indicators[-1], at)
            continue
        if three is None:
            continue
        name = compact(three.text)

        def text_of(field: str, row: Row = row, header: dict[str, int] = header) -> str | None:
            cell = _cell_at(row, header, field)
            return compact(cell.text) if cell is not None else None

        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                level3=name,
                target=text_of("target"),
                target_note=text_of("target_note"),
                actual=text_of("actual"),
                weight=scores.cell(weight, row.page, row_label=name, column=printed.get("weight", "分值"))
                if weight
                else None,
                score=scores.cell(score, row.page, row_label=name, column=printed.get("score", "得分"))
                if score
                else None,
                deviation=text_of("deviation"),
                reason=text_of("reason"),
                page=row.page,
                headers={
                    k: printed[k] for k in ("target", "actual", "reason", "target_note") if k in printed
                },
            )
        )
    return _evaluation(occ, maker, table_id, subject, budget, indicators, blocks, total)


def _cell_at(row: Row, header: dict[str, int], name: str) -> Cell | None:
    """The filled cell of ``row`` under the header column of field ``name``."""
    col = header.get(name)
    if col is None or col >= len(row.cells):
        return None
    cell = row.cells[col]
    return cell if cell is not None and cell.text.strip() else None


def _continue_form_row(last: Indicator, at: Any) -> None:
    for field in ("target", "actual", "reason", "target_note"):
        cell = at(field)
        if cell is not None:
            setattr(last, field, (getattr(last, field) or "") + compact(cell.text))
