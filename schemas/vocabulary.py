"""The words a report uses for its tables' rows, kept once: function-class (类) names, the “三公”
items, and the department-level totals a narrative amount may restate. Pure data, no I/O; the
extractor reads subjects with it and the checker maps claims to table cells with it."""

from __future__ import annotations

import re

FUNCTION_CLASS_NAMES: dict[str, str] = {
    "201": "一般公共服务",
    "202": "外交",
    "203": "国防",
    "204": "公共安全",
    "205": "教育",
    "206": "科学技术",
    "207": "文化旅游体育与传媒",
    "208": "社会保障和就业",
    "209": "社会保险基金",
    "210": "卫生健康",
    "211": "节能环保",
    "212": "城乡社区",
    "213": "农林水",
    "214": "交通运输",
    "215": "资源勘探工业信息",
    "216": "商业服务业",
    "217": "金融",
    "219": "援助其他地区",
    "220": "自然资源海洋气象",
    "221": "住房保障",
    "222": "粮油物资储备",
    "223": "国有资本经营预算",
    "224": "灾害防治及应急管理",
    "227": "预备费",
    "229": "其他支出",
    "230": "转移性支出",
    "231": "债务还本",
    "232": "债务付息",
    "233": "债务发行费用",
    "234": "抗疫特别国债",
}

# “三公” items as a sentence names them, most specific first, with the 三公 table field each maps to.
# "公务用车购置及运行(维护)费" is the printed name of the vehicle subtotal; "购置费及运行费" names two items.
SANGONG_ITEMS: tuple[tuple[str, str], ...] = (
    (r"公务用车购置及运行(维护)?费?", "vehicle_subtotal"),
    (r"公务用车购置费?", "vehicle_purchase"),
    (r"(公务用车)?运行(维护)?费", "vehicle_operation"),
    (r"因公出国[（(]?境?[）)]?费?", "abroad"),
    (r"公务接待费?", "reception"),
    (r"三公", "total"),
)

# the 三公 table's fields as a finding names them
SANGONG_NAMES: dict[str, str] = {
    "total": "合计",
    "abroad": "因公出国(境)费",
    "vehicle_subtotal": "公务用车购置及运行费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行费",
    "reception": "公务接待费",
}

# words of a subject that name a 三公 item (a sentence that does not say “三公” may still be about one)
SANGONG_WORDS = re.compile(r"因公出国|公务用车|公务接待")

# fields that add up to another: a sum of two named items is compared with their sum, never with one
SANGONG_SUMS: dict[frozenset[str], str] = {
    frozenset({"vehicle_purchase", "vehicle_operation"}): "vehicle_subtotal",
}

# department-level subjects: an amount stated for one of these restates a table total
DEPARTMENT_SUBJECTS = re.compile(
    r"(收入总计|支出总计|收、?支总计|收入合计|支出合计|本年收入|本年支出|财政拨款收入|其他收入|"
    r"基本支出|项目支出|人员经费|公用经费|机关运行经费)$"
)

# a specific project or activity: its amounts are a part, not the department's 项目支出
PROJECT_NAME = re.compile(
    r"“(?!三公)[^”]{2,40}”|《[^》]{2,40}》|"
    r"[^，,；;。：:、“”]{2,30}?(专项资金|专项经费|专项|项目资金|项目经费|补助资金|奖补资金|奖励资金|"
    r"消费券|促消费活动|活动经费|活动|(?<!采购)工程|平台|示范区|示范县)"
)

# bases a share may be of that are not a spending table's total (政府采购, a city's economy, a policy)
NON_SPENDING_BASE = re.compile(
    r"政府采购|中小企业|小微企业|全市|全省|全县|全区|社会消费品|社零|进出口|外贸|GDP|生产总值|"
    r"投资|引资|税收|消费|补贴|奖补|专项|项目资金|年初预算|全年预算|预算数"
)


def function_class(name: str) -> str | None:
    """The 类 code a subject or a row label names ("卫生健康(类)支出" → 210, "八、社会保障和就业支出" → 208), or
    None; a heading number ("1.", "八、", "（一）") is not part of the name."""
    flat = re.sub(r"\s", "", name)
    flat = re.sub(r"^\d+[、.．]|^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[）)]", "", flat)
    return next((code for code, n in FUNCTION_CLASS_NAMES.items() if flat.startswith(n)), None)


def sangong_field(subject: str) -> str | None:
    """The 三公 table field a single-item subject names, or None."""
    return next((field for pattern, field in SANGONG_ITEMS if re.search(pattern, subject)), None)


def sangong_fields(parts: list[str]) -> list[str]:
    """The fields a list of item names maps to (empty when any part is not a 三公 item)."""
    fields = [sangong_field(p) for p in parts]
    return [f for f in fields if f is not None] if all(fields) else []


# items of a report's structure a share or amount may name (T02/T03 columns, T06 groups, B03 columns)
COMPONENT = re.compile(
    r"(财政拨款收入|财政拨款|上级补助收入|事业收入|经营收入|附属单位上缴收入|其他收入|基本支出|项目支出|"
    r"上缴上级支出|经营支出|对附属单位补助支出|人员经费|日常公用经费|公用经费|工资福利支出|"
    r"商品和服务支出|对个人和家庭的补助(支出)?|资本性支出)$"
)


# the structure items a narrative amount may restate, by the key the checker maps to table cells:
# 人员经费/公用经费 (T06, B06), 基本支出/项目支出 (T03, T05, B03), 财政拨款收入/其他收入 (T02)
STRUCTURE_ITEMS: tuple[tuple[str, str], ...] = (
    ("personnel", r"人员经费$"),
    ("public", r"公用经费$"),
    ("basic", r"基本支出$"),
    ("project", r"^(其中)?项目支出$"),
    ("fiscal_income", r"(^|其中)财政拨款收入$"),
    ("other_income", r"^其他收入$"),
)

# subjects about the economy outside the report (a city's trade, investment, a policy's effect)
EXTERNAL = re.compile(
    r"进出口|社零|社会消费品|省外资金|引资|投资|签约|到位|外贸|出口|进口|GDP|生产总值|销售额|营业额|带动|拉动|"
    r"核销|发放|消费金额|交易额"
)

# macro indicators a report states in 亿元 (UNIT-09: the same word with 元 and a small value is a unit slip)
MACRO = re.compile(r"进出口|社零|社会消费品|省外资金|引资|投资|签约|到位")


def structure_item(subject: str) -> str | None:
    """The structure item a subject names ("其中：基本支出" → basic), or None."""
    flat = re.sub(r"\s", "", subject)
    return next((key for key, pattern in STRUCTURE_ITEMS if re.search(pattern, flat)), None)


def is_item(subject: str) -> bool:
    """A subject the tables print as a row or column: a 类, a 三公 item, a structure component."""
    flat = re.sub(r"^(其中|主要是|包括)[:：]?", "", re.sub(r"\s", "", subject))
    flat = re.sub(r"(决算|预算)(数)?$", "", flat)
    return bool(
        function_class(flat)
        or sangong_field(flat)
        or COMPONENT.search(flat)
        or DEPARTMENT_SUBJECTS.search(flat)
    )


# The subjects the narrative rules look for, by topic: the extractor tests each claim's subject against
# every pattern once (Claim.topics), so a rule selects claims by topic and never reads the words itself.
SUBJECT_TOPICS: dict[str, str] = {
    "收支总计": r"^(\d{4}年度?)?(收、?支总计均?为?|收入总计|支出总计)$",
    "收支总计或合计": r"^(\d{4}年度?)?(收、?支总计均?为?|收入总计|支出总计|收入合计|支出合计)$",
    "财政拨款收支总计": r"财政拨款收、?支总计均?为?$|财政拨款(收入|支出)总计$",
    "预算数": r"预算(数)?(为)?$",
    "年初预算": r"年初预算",
    "年初预算总额": r"(一般公共预算)?财政拨款(支出)?(决算)?(支出)?年初预算(数)?(为)?$",
    "支出决算": r"支出决算",
    "财政拨款支出总计": r"财政拨款(决算)?支出|支出总计",
    "完成预算": r"完成(全年|“三公”经费)?预算的",
    "完成预算率": r"完成(全年)?预算的?$|完成预算$",
    "机关运行经费": r"机关运行经费(支出)?(预算)?(为)?$",
    "公务用车保有量": r"公务用车保有量",
    "共有车辆": r"共有车辆",
    "政府采购总额": r"政府采购(支出总额|预算安排)",
    "政府采购分类": r"政府采购(货物|工程|服务)",
    "授予中小企业": r"授予中小企业合同金额",
    "中小企业": r"中小企业",
    "涉及资金": r"涉及(预算)?资金$",
    "资金": r"涉及|资金",
    "进出口完成": r"进出口完成$",
    "出口或进口完成": r"(^|其中)(出口|进口)完成$",
    "核销金额": r"^核销金额$",
    "核销率": r"核销率",
    "发放": r"发放",
    "合计词": r"共计|总|共",  # a count stated as a total (共计/总/共发放 …)
    "带动消费": r"带动|拉动|购车总价款|消费金额",
    "核销优惠": r"核销|优惠",
    "宏观指标": MACRO.pattern,
}


_TOPIC_PATTERNS = [(name, re.compile(pattern)) for name, pattern in SUBJECT_TOPICS.items()]


def topics(subject: str) -> list[str]:
    """The topics a claim's subject is about ("财政拨款收支总计" → ['财政拨款收支总计'])."""
    return [name for name, pattern in _TOPIC_PATTERNS if pattern.search(subject)]


# The disclosure elements the completeness rules (COMP-04/06/07/09/10/11) require of the text, by key; the
# extractor searches the page text for them once (Report.disclosed), the checker only asks which are there.
TEXT_SECTIONS: dict[str, str] = {  # COMP-06, over the whole text
    "收支总体": r"收入支出决算总体情况",
    "收入": r"收入决算情况",
    "支出": r"支出决算情况",
    "财政拨款收支总体": r"财政拨款收(入)?支(出)?决算总体情况",
    "一般公共预算财政拨款支出": r"一般公共预算财政拨款支出决算情况",
    "三公": r"“三公”经费",
    "政府性基金": r"政府性基金",
    "国有资本经营": r"国有资本经营",
    "机关运行经费": r"机关运行经费",
    "政府采购": r"政府采购",
    "国有资产占用": r"国有资产占用",
    "预算绩效": r"(预算)?绩效",
    "名词解释": r"名词解释",
}
SANGONG_DETAILS: dict[str, str] = {  # COMP-07, over the text with its line breaks removed
    "购置/运行分列": r"购置(费|支出).{0,40}运行",
    "出国团组与人次": r"团组.{0,20}人次",
    "保有量": r"保有量",
    "接待批次与人次": r"接待.{0,40}(批次|团组).{0,20}人次",
    "预决算差异原因": r"(决算数与(年初)?预算数存在差异|差异)的主要原因",
}
PROCUREMENT_DETAILS: dict[str, str] = {  # COMP-09
    "货物/工程/服务": r"货物.{0,30}工程.{0,30}服务",
    "中小企业金额与占比": r"中小企业.{0,30}占",
    "小微企业": r"小微",
}
GLOSSARY_HEAD = r"第[一二三四五六七八九十]+部分\s*名词解释"
GLOSSARY_TERMS: dict[str, str] = {  # COMP-11, in the 名词解释 part (its first three pages)
    "“三公”经费": r"“三公”经费[：:]",
    "机关运行经费": r"机关运行经费[：:]",
    "基本支出": r"基本支出[：:]",
    "项目支出": r"项目支出[：:]",
}
NO_FUND_SPENDING = r"无使用政府性基金|没有使用政府性基金|政府性基金预算拨款安排的支出"  # COMP-04
NOTE_GAP = r"我部门国有资本经营收入，也没有|我部门政府性基金收入，也没有"  # COMP-04: an empty table's note lacks words

# every key of Report.disclosed: "section:收支总体", "三公:保有量", "采购:小微企业", "名词解释:基本支出", and
# the pages: "名词解释" (the part's heading), "政府采购" (the page on it), "无政府性基金支出", "部门见封面",
# "说明缺漏" (each page whose text holds an empty-table note with words missing)
DISCLOSURE_KEYS: frozenset[str] = frozenset(
    [f"section:{k}" for k in TEXT_SECTIONS]
    + [f"三公:{k}" for k in SANGONG_DETAILS]
    + [f"采购:{k}" for k in PROCUREMENT_DETAILS]
    + [f"名词解释:{k}" for k in GLOSSARY_TERMS]
    + ["名词解释", "政府采购", "无政府性基金支出", "部门见封面", "说明缺漏"]
)
