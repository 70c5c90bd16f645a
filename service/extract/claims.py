"""Typed narrative claims: for each number the 情况说明 states, the clause it was read from, the
subject's scope (a department total, an item of the tables, one named project, a combined subject
A及B, the economy outside the report), the items of a combined or "分别为" subject, and for a share
the whole it is "占" of as printed. Pure text work, no document access: the narrative reader
(service.extract.narrative) finds the numbers and calls :func:`read`.

The checker compares only claims whose subject is certain; ``ambiguity`` says why one is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from schemas.report import Claim, ClaimScope, Mark
from schemas.vocabulary import (
    DEPARTMENT_SUBJECTS,
    EXTERNAL,
    NON_SPENDING_BASE,
    PROJECT_NAME,
    SANGONG_SUMS,
    SANGONG_WORDS,
    function_class,
    is_item,
    sangong_field,
    sangong_fields,
    structure_item,
)
from service.numbers import compact

CLAUSE_END = re.compile(r"[，,；;。：:]")
# a number the prose states: with its unit, or a multiplier without one ("杠杆率 9.08")
NUMBER = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|亿元|万美元|元|%|个百分点|个|人次|辆|台|家|批次|次|倍|分|张|笔|人)"
    r"|(?:杠杆率|杠杆比|倍率)(?:为|达到了|达到|达)?\s*(?P<ratio>\d+(?:\.\d+)?)"
)
# "、" lists items, except in the printed name "收、支总计"
CLAUSE_BREAK = re.compile(r"[，,；;。：:（）()]|(?<!收)、|、(?!支)")
CHANGE = re.compile(r"(增加|减少|增长|下降|减|增)了?\s*$")
SHARE = re.compile(r"占[^，。；]{0,24}?$")
QUALIFIER = re.compile(r"(约|近|超|逾|余|以上|左右|不到|不足)")
JOINER = re.compile(r"(?<=[^\d])(?:以及|及|和|与|、|加)(?=[^\d])")
SUM_WORD = re.compile(r"(合计|共计|总计|两项|二项|三项|共)(为|是|达)?$")
RESPECTIVELY = re.compile(r"分别(为|是|达到?|占)?$")
VERB_TAIL = re.compile(r"(为|是|达|达到|共计|合计|均为|共|(?<!总)计|约|近|超|支出|安排|完成)+$")


@dataclass
class ClaimContext:
    clause: str
    scope: ClaimScope | None = None
    parts: list[str] = field(default_factory=list)
    base: str | None = None
    ambiguity: str | None = None
    subject: str | None = None  # a corrected subject (one item of a "分别为" list)
    listed: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    whole: str | None = None
    change_subject: str | None = None
    component: str | None = None
    class_code: str | None = None
    sangong_item: str | None = None
    sangong: str | None = None
    sangong_sum: str | None = None
    sangong_half: str | None = None


@dataclass
class Reading:
    """What one number of a sentence states: its kind (amount, share 占%, change 增减额, change_rate 增减%,
    rate 完成…%, points 个百分点, count), the direction of a change, its subject, a bound word (约/超 …) and
    the clause-level reading (scope, parts, base, marks …)."""

    kind: str
    unit: str
    subject: str
    direction: str | None
    qualifier: str | None
    context: ClaimContext


def read_number(sentence: str, m: re.Match[str]) -> Reading | None:
    """The reading of the number ``m`` (a match of NUMBER with a unit) in ``sentence``; None when no subject
    precedes it."""
    before = sentence[: m.start()]
    clause = CLAUSE_BREAK.split(before)[-1]
    unit = m.group("unit")
    direction = None
    change = CHANGE.search(before)
    if unit in ("%", "个百分点"):
        if SHARE.search(before[-26:]):
            kind = "share"
        elif change:
            kind, direction = "change_rate", _direction(change.group(1))
        else:
            kind = "rate" if unit == "%" else "points"
    elif unit in ("万元", "亿元", "元"):
        kind, direction = ("change", _direction(change.group(1))) if change else ("amount", None)
    else:
        kind = "count"
    subject = _subject(before, clause)
    if not subject:
        return None
    context = read(sentence, m.start("num"), m.end(), kind, subject)
    bound = QUALIFIER.search(before[-3:] + sentence[m.end() : m.end() + 2])
    return Reading(
        kind=kind,
        unit=unit,
        subject=context.subject or subject,
        direction=direction,
        qualifier=bound.group(1) if bound else None,
        context=context,
    )


def _direction(word: str) -> str:
    return "增加" if word in ("增加", "增长", "增") else "减少"


def _subject(before: str, clause: str) -> str:
    """What the number is about: the clause before it, without the verb that introduces it."""
    text = compact(clause)
    text = re.sub(
        r"(为|是|达|达到|共计|合计|均为|共|(?<!总)计|约|近|超|较上年度?|比上年度?|与上年度?相比)+$", "", text
    )
    text = re.sub(r"(增加|减少|增长|下降|了|占|完成)+$", "", text)
    if len(text) < 2:  # "占 48.74%" refers to the clause before
        parts = [p for p in CLAUSE_BREAK.split(before) if compact(p)]
        text = compact(parts[-2]) if len(parts) >= 2 else text
        text = re.sub(r"\d[\d,.]*(万元|亿元|元)?$", "", text)
    return text[-40:]


def clause_of(sentence: str, start: int, end: int) -> str:
    """The clause holding sentence[start:end]: from the last break before it to the next one after it."""
    left = max((m.end() for m in CLAUSE_END.finditer(sentence, 0, start)), default=0)
    right = CLAUSE_END.search(sentence, end)
    return sentence[left : right.start() if right else len(sentence)].strip()


def _topic(sentence: str) -> str:
    """The sentence's first clause: the phrase that governs the numbers listed after it."""
    return compact(CLAUSE_END.split(sentence, 1)[0])


def _inside_title(sentence: str, start: int, end: int) -> bool:
    """A number printed inside a quoted title or name (“2023年…活动”, 《…》), not a quoted value (“129.99万元”)."""
    head = sentence[:start]
    for opening, closing in (("“", "”"), ("《", "》")):
        if head.count(opening) <= head.count(closing):
            continue
        inner_before = head[head.rfind(opening) + 1 :]
        close = sentence.find(closing, end)
        inner_after = sentence[end : close if close >= 0 else len(sentence)]
        if re.search(r"[\u4e00-\u9fff]", inner_before + re.sub(r"^(万元|亿元|元|%)", "", inner_after)):
            return True
    return False


def _split_parts(subject: str) -> list[str]:
    """'公务用车购置费及运行维护费合计' → ['公务用车购置费', '运行维护费']; [] when not a combination."""
    text = re.sub(r"^(其中|主要是|包括)[:：]?", "", compact(subject))
    text = re.sub(r"(合计|共计|总计|两项|共)?(支出)?(决算|预算)?(数)?(为|是|达)?$", "", text)
    parts = [p for p in JOINER.split(text) if p and not JOINER.fullmatch(p)]
    if len(parts) < 2:
        return []
    # "公务用车购置及运行费" is the printed name of one subtotal, not two items
    if sangong_field(text) == "vehicle_subtotal" and not re.search(r"购置费(及|和|与)", text):
        return []
    # "社会保障和就业支出", "文化旅游体育与传媒": a 类 name holds 和/与
    if function_class(text) and not all(function_class(p) for p in parts):
        return []
    items = [p for p in parts if is_item(p) or sangong_field(p)]
    summed = re.search(r"合计|共计|总计|两项", compact(subject))
    return parts if len(items) >= 2 or summed and items else []


def _respectively(sentence: str, start: int, kind: str) -> str | None:
    """For the i-th number after "A、B和C分别为 x、y和z"（or "…，分别占 p、q和r"), item i; None when the
    number is not in such a list. The names are the list before the first 分别 of the chain; i counts the
    numbers of the same kind (amounts, or percentages) since the last 分别."""
    head = sentence[:start]
    chain = list(re.finditer(r"分别(为|是|达到?|占)?", head))
    if not chain or re.search(r"[；;。]", head[chain[0].start() :]):
        return None
    lead = re.split(r"[，,；;。：:]", head[: chain[0].start()])[-1]
    names = [p for p in JOINER.split(compact(lead)) if p]
    between = head[chain[-1].end() :]
    if re.search(r"[，,]", between.strip()):
        return None
    number = r"\d[\d,]*(?:\.\d+)?\s*%" if kind == "share" else r"\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|元)"
    index = len(re.findall(number, between))
    if len(names) < 2 or index >= len(names):
        return None
    return names[index]


def read(sentence: str, start: int, end: int, kind: str, subject: str) -> ClaimContext:
    """What the checker must know about the number at sentence[start:end] beyond its value."""
    ctx = ClaimContext(clause=clause_of(sentence, start, end))
    listed = _respectively(sentence, start, kind)
    if listed is not None:
        ctx.subject = subject = listed
    before = compact(sentence[:start])
    clause_head = compact(
        sentence[max((m.end() for m in CLAUSE_END.finditer(sentence, 0, start)), default=0) : start]
    )
    phrase = VERB_TAIL.sub("", re.sub(r"(较上年|比上年|同比)?(增加|减少|增长|下降)了?$", "", clause_head))
    # the governing noun phrase: the subject as read, or the whole clause head when the subject is a
    # fragment cut at a bracket ("一般公共服务(类)支出" read as "支出")
    flat = compact(subject) if listed is not None or len(compact(subject)) >= len(phrase) else phrase
    if re.search(r"\d\s*(万元|亿元|元|%)?\s*[-—–~～至到]\s*$", sentence[:start]) or re.match(
        r"\s*(万元|亿元|元|%)?\s*[-—–~～至到]\s*\d", sentence[end:]
    ):
        ctx.ambiguity = "是一个范围的一端（如 1000-7000 元），不是确数"
    if _inside_title(sentence, start, end):
        ctx.ambiguity = "数字在引号或书名号内（名称中的数，不是金额）"
    ctx.parts = _split_parts(flat)
    if ctx.parts:
        ctx.scope = "combined"
        if not all(sangong_field(p) or is_item(p) for p in ctx.parts):
            ctx.ambiguity = ctx.ambiguity or f"主语是合并的“{'、'.join(ctx.parts)}”"
    elif EXTERNAL.search(flat):
        ctx.scope = "external"
    elif is_item(flat):
        ctx.scope = "department" if DEPARTMENT_SUBJECTS.search(VERB_TAIL.sub("", flat)) else "item"
        topic = _topic(sentence)
        named = PROJECT_NAME.search(flat) or (
            PROJECT_NAME.search(topic)
            and not is_item(VERB_TAIL.sub("", re.sub(r"[\d.,]+(万元|亿元|元)?$", "", topic)))
        )
        if named and not function_class(flat):
            ctx.scope = "project"
            ctx.ambiguity = "是某一项目或活动的数，不是部门整体"
    elif PROJECT_NAME.search(flat) or PROJECT_NAME.search(before[-40:]):
        ctx.scope = "project"
    if kind == "share":
        ctx.base = share_base(ctx.clause, sentence[start:end])
        ctx.whole = whole_of(ctx.base)
    if kind in ("change", "change_rate"):
        ctx.change_subject = change_subject(subject)
    ctx.listed = listed_after(sentence, end)
    ctx.marks = marks(sentence)
    ctx.component = structure_item(compact(subject))
    ctx.class_code = function_class(ctx.clause or subject)
    _read_sangong(ctx, sentence, subject)
    return ctx


# words of a sentence that qualify all its numbers, read once here so the checker tests a mark, not the text
MARKS: tuple[tuple[Mark, str], ...] = (
    ("三公", r"三公"),
    ("年初未安排", r"年初(没有|未)安排"),
    ("未执行", r"未执行"),
    ("年中追加", r"年中(增加|追加)|未下达|年初未"),
    ("其中", r"其中"),
    ("分别", r"分别"),
    ("全部项目", r"全部|所有项目|涵盖|100%"),
    ("部分", r"部分"),
    ("亿元", r"亿元"),
    ("总额为零", r"总额\s*0(\.0+)?\s*万?元"),
    ("中小企业", r"中小企业"),
)


@lru_cache(maxsize=256)
def _marks(sentence: str) -> tuple[Mark, ...]:
    return tuple(mark for mark, pattern in MARKS if re.search(pattern, sentence))


def marks(sentence: str) -> list[Mark]:
    """The marks of a sentence: "…年初未安排预算…" → ['年初未安排'] (read once per sentence)."""
    return list(_marks(sentence))


# a subject that names a 三公 detail, not an item of the table ("外宾接待", "国内公务接待" of a count …)
SANGONG_DETAIL = re.compile("外宾|国内|其他国内|运行维护支出|购置支出")


def _read_sangong(ctx: ClaimContext, sentence: str, subject: str) -> None:
    """The 三公 reading of a number: the item it is about, the table cell it restates (none for a detail
    such as 外宾接待 or a clause about the total that does not say 预算/决算), the cell a combined subject adds up
    to, and the half (预算数/决算数) its words name."""
    if "三公" not in sentence and not SANGONG_WORDS.search(subject):
        return
    named = sangong_field(subject)
    ctx.sangong_item = named or ("total" if "三公" in sentence else None)
    cell = named or ("total" if re.search("“三公”经费(财政拨款)?(支出)?(预算|决算)", subject) else None)
    detail = (
        SANGONG_DETAIL.search(subject)
        and cell != "total"
        and not subject.endswith(("费", "预算", "决算", "预算数", "决算数"))
    )
    if cell is None or detail:
        return
    ctx.sangong = cell
    if ctx.parts:
        ctx.sangong_sum = SANGONG_SUMS.get(frozenset(sangong_fields(ctx.parts)))
    if re.search("预算(数)?(为)?$", subject):
        ctx.sangong_half = "预算数"
    elif re.search("决算(数)?(为)?$|支出$|支出决算", subject):
        ctx.sangong_half = "决算数"
    elif ctx.parts:  # a combined subject ("…合计 6.34 万元"): the words of its clause
        clause = compact(ctx.clause)
        if "预算" in clause and not re.search("决算|支出", clause):
            ctx.sangong_half = "预算数"
        elif re.search("决算|支出", clause):
            ctx.sangong_half = "决算数"


def listed_after(sentence: str, end: int) -> list[str]:
    """The items a sentence names after the number: "公用经费 11.57 万元，主要包括：办公费、印刷费等" →
    ['办公费', '印刷费']."""
    after = sentence[end:]
    if "主要包括" not in after:
        return []
    rest = re.split(r"。", after[after.find("主要包括") + 4 :])[0]
    names = (compact(n).strip("：:").rstrip("等。") for n in re.split(r"[、，,；;]", rest))
    return [n for n in names if n]


def share_base(clause: str, number: str) -> str | None:
    """The whole of "占X的(比重)为 p%" as printed; None for a bare "占 p%" / "占比 p%"."""
    text = compact(clause)
    idx = text.find(compact(number))
    head = text[:idx] if idx >= 0 else text
    m = re.search(r"占(?P<base>[^占]*?)(的)?(比重|比例|份额|比)?(为|是|达|约)?$", head)
    if m is None:
        return None
    base = re.sub(r"的$", "", m.group("base"))
    if re.search(r"\d", base):  # "分别占 48.94%和 51.06%": the second share of a list, no base stated
        return None
    return base or None


def whole_of(base: str | None) -> str | None:
    """What a share's stated whole is: a total of the tables (本年支出合计, 本年收入合计, the 三公 total), the
    项目支出总额 of a 绩效 coverage sentence, a 政府采购 whole, or another (a policy, the economy); None unstated."""
    text = compact(base or "")
    if not text:
        return None
    if "三公" in text:
        return "三公"
    if re.fullmatch(r"(本年|部门|本部门)?(支出合计|支出总额|总支出|支出总计)", text):
        return "本年支出合计"
    if re.fullmatch(r"(本年|部门|本部门)?(收入合计|收入总额|总收入)", text):
        return "本年收入合计"
    if "项目支出总额" in text:
        return "项目支出总额"
    if re.search(r"政府采购|中小企业|小微企业|部门预算项目", text):
        return "政府采购"
    return "其他"


def change_subject(subject: str) -> str | None:
    """The subject a change names of its own: "支出增加" → 支出; "较2021年决算增加" → None."""
    text = re.sub(r"^(与|较|比)?(上年度?|20\d\d年度?(决算)?|同期)?(相比)?|^同比", "", compact(subject))
    text = re.sub(r"(增加|减少|增长|下降|了)+$", "", text)
    return text if len(text) >= 2 else None


def non_spending(base: str) -> bool:
    """A share's whole that is not a spending or income total of the report's tables."""
    return bool(NON_SPENDING_BASE.search(base))


# "年初预算为 X 万元，支出决算为 Y 万元，完成年初预算的 Z%" and the phrasings of it
STATEMENT = re.compile(
    r"年初预算(?:数)?为?\s*(?P<budget>[\d,]+(?:\.\d+)?)\s*(?P<u1>万元|元)[，,]?\s*(?:支出)?决算(?:数)?为?\s*"
    r"(?P<final>[\d,]+(?:\.\d+)?)\s*(?P<u2>万元|元)"
    r"(?:[，,]\s*(?:完成|为|达到)(?:年初|“三公”经费|全年)?预算(?:数)?的\s*(?P<rate>[\d.]+)%)?"
)
ITEM_PATH = re.compile(
    r"(?P<cls>[^（(。；\d]+?)[（(]类[）)](?P<kuan>[^（(]+?)[（(]款[）)](?P<xiang>[^（(]+?)[（(]项[）)]"
)
ROLES = (("budget", "年初预算"), ("final", "支出决算"), ("rate", "完成率"))


def link(sentence: str, previous: str, found: list[tuple[int, Claim]], first_id: int) -> int:
    """Mark the claims of each 年初预算/决算/完成率 statement in the sentence with one statement id, their
    roles, and the item the statement is about: named before it in the sentence, else the sentence
    before (reports head each item "9. 社会保障和就业支出(类)…(项)。" and state its figures next).
    Returns the next free statement id."""
    next_id = first_id
    for m in STATEMENT.finditer(sentence):
        head = compact(sentence[: m.start()])
        named = head if len(head) >= 4 else compact(previous)
        path = ITEM_PATH.search(named)
        item = re.sub(r"^\d+[、.．]", "", named).rstrip("。") if named else None
        for key, role in ROLES:
            if m.group(key) is None:
                continue
            claim = next((c for start, c in found if start == m.start(key)), None)
            if claim is not None:
                claim.statements.append(next_id)
                claim.role = role  # type: ignore[assignment]
                claim.item = item[:80] if item else None
                claim.item_code = function_class(item or "")
                # "1. 一般公共服务(类)…": the heading's number is not part of the 类 name
                claim.item_path = (
                    [compact(path.group(g)).lstrip(".．、") for g in ("cls", "kuan", "xiang")] if path else []
                )
        next_id += 1
    return next_id


POINTS = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*个百分点")


def link_points(sentence: str, found: list[tuple[int, Claim]], first_id: int) -> int:
    """Mark each "高于X（r%）N个百分点" statement: the growth a stated before it (增长/下降 a%), the
    reference r in brackets just before or just after, and N, so the checker can test N = a − r.
    A negative reference ("（-1.1%）") is left unlinked (the claim keeps no sign)."""
    next_id = first_id
    at = {start: c for start, c in found}
    for m in POINTS.finditer(sentence):
        points = at.get(m.start("n"))
        if points is None or points.kind != "points":
            continue
        head = sentence[: m.start()]
        ref_before = re.search(r"[（(][^（()）]*?(?P<sign>[-−]?)(?P<r>\d+(?:\.\d+)?)%[）)]\s*$", head)
        ref_after = re.match(
            r"\s*个百分点[（(][^（()）]*?(?P<sign>[-−]?)(?P<r>\d+(?:\.\d+)?)%[）)]", sentence[m.end("n") :]
        )
        if ref_before:
            ref_start, sign, growth_text = (
                ref_before.start("r"),
                ref_before.group("sign"),
                head[: ref_before.start()],
            )
        elif ref_after:
            ref_start, sign, growth_text = m.end("n") + ref_after.start("r"), ref_after.group("sign"), head
        else:
            continue
        # the growth: the last 增长/下降 a% outside brackets before the reference
        plain = re.sub(r"[（(][^（()）]*[）)]", lambda b: " " * len(b.group(0)), growth_text)
        growths = list(re.finditer(r"(增长|下降)\s*(?P<a>\d+(?:\.\d+)?)%", plain))
        reference, growth = at.get(ref_start), at.get(growths[-1].start("a")) if growths else None
        if sign or reference is None or growth is None:
            continue
        for claim, role in ((growth, "增幅"), (reference, "参照"), (points, "百分点差")):
            claim.statements.append(next_id)
            claim.role = role  # type: ignore[assignment]
        next_id += 1
    return next_id


# ---------------------------------------------------------------- statements across a page's prose


@dataclass
class Linked:
    """One number of a page-level statement: its role, where it is in the page's prose, its unit."""

    role: str
    start: int
    end: int
    unit: str
    grade: str | None = None


# "…得分为 95.74 分，等级为优" (the grade may follow in the next sentence: "…92.07 分。评价等级为“优”")
GRADE = re.compile(r"(\d+(?:\.\d+)?)\s*(分)[，,。]?\s*(?:绩效评价|评价)?等级为\s*[“\"]?(优|良|中|差)")
# "16个项目绩效自评中 / 自评个数16个：15个项目自评等级为“优”，1个…“良”，0个…“中”，0个…“差”"
GRADE_TOTAL = re.compile(r"(\d+)\s*(个)(?:二级)?项目(?:支出)?绩效自评中|自评个数\s*(\d+)\s*(个)")
GRADE_COUNT = re.compile(r"(\d+)\s*(个)项目自评等级为\s*[“\"]?(优|良|中|差)")
# "预算资金共计 X 万元 … 核销/支出 Y 万元 … 结余资金 Z 万元"
BALANCE = re.compile(
    r"预算资金共计\s*(?P<b>[\d,.]+)\s*(?P<bu>万元|元).{0,200}?(?:核销|支出)\s*(?P<s>[\d,.]+)\s*(?P<su>万元|元)"
    r".{0,60}?结余资金\s*(?P<r>[\d,.]+)\s*(?P<ru>万元|元)"
)
# "共有车辆 9 辆，其中：一般公务用车 8 辆、…"; the list ends at "；" or the 资产 that follow
VEHICLES = re.compile(r"共有车辆\s*(\d+)\s*(辆)")
VEHICLES_END = re.compile(r"；|单价|单位价值|部门价值")
VEHICLE_COUNT = re.compile(r"(\d+)\s*(辆)")


def _number(m: re.Match[str], group: int | str, unit_group: int | str, role: str) -> Linked:
    return Linked(role, m.start(group), m.end(group), m.group(unit_group))


def page_statements(text: str) -> list[list[Linked]]:
    """The statements of a page's prose whose numbers the checker compares with each other: a score and the
    grade given it (PERF-10), the grade counts of the projects evaluated (PERF-11), a project's balance
    (PERF-16), the vehicles and their kinds (NAR-16)."""
    out: list[list[Linked]] = []
    for m in GRADE.finditer(text):
        out.append([Linked("得分", m.start(1), m.end(1), m.group(2), m.group(3))])
    for m in GRADE_TOTAL.finditer(text):
        n = 1 if m.group(1) else 3
        tail_start = m.end()
        grades = list(GRADE_COUNT.finditer(text, tail_start, tail_start + 160))
        if len(grades) != 4:
            continue
        out.append(
            [_number(m, n, n + 1, "自评总数")]
            + [Linked("等级个数", g.start(1), g.end(1), g.group(2), g.group(3)) for g in grades]
        )
    for m in BALANCE.finditer(text):
        out.append(
            [_number(m, k, k + "u", role) for k, role in (("b", "预算资金"), ("s", "支出"), ("r", "结余"))]
        )
    for m in VEHICLES.finditer(text):
        tail = text[m.start() :]
        stop = VEHICLES_END.search(tail)
        end = m.start() + (stop.start() if stop else len(tail))
        which = text.find("其中", m.start(), end)
        if which < 0:
            continue
        counts = list(VEHICLE_COUNT.finditer(text, which, end))
        out.append(
            [_number(m, 1, 2, "车辆总数")] + [Linked("车辆分项", c.start(1), c.end(1), "辆") for c in counts]
        )
    return out


HEADING_YEAR = re.compile(
    r"(第[一二三四五六七八九十]+部分\s*(20\d{2})\s*年度?[^\n]{0,30}?(决算|预算)(表|情况说明))"
    r"|(纳入本部门\s*(20\d{2})\s*年度部门(预算|决算)编制范围)"
)


def heading_years(text: str) -> list[tuple[str, int]]:
    """(phrase, year) for each part title and scope sentence of a page's text that prints a year."""
    flat = re.sub(r"\n", "", text)
    return [(m.group(1) or m.group(5), int(m.group(2) or m.group(6))) for m in HEADING_YEAR.finditer(flat)]
