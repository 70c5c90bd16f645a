"""The precision corpus: the four fixtures with their 情况说明 restated in other words, as real reports
phrase the same claims, rendered to PDF. On every variant the checker must raise no error beyond the
real inconsistencies of checker-rules.md §7A, and still find each of them.

Each rewrite below states one kind of claim in three phrasings (variant 0, 1, 2), taken from how
部门决算/预算公开 reports word them: "比上年/较上年/与上年相比 增加", "较2021年决算/比2021年/与2021年相比",
"占/占比/所占比重为", "占…的/占…的比重为/占…的比例为", "其中：/其中，/其中", "年初预算为/年初预算数为/
年初预算", "支出决算为/支出决算数为/支出决算", "完成年初预算的/为年初预算的/达到年初预算的",
"主要原因是/主要原因：/原因主要是", "A X，占 p；B Y，占 q" as "A和B分别为 X和Y，分别占 p和q", and the vehicle subtotal as one name, as two items, and as two
items "合计". Only prose lines are rewritten (a tab-separated line is a table row).

Run: ``python -m eval.precision.paraphrase OUT_DIR`` (writes the 12 variant PDFs).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from eval.fixtures import build

VARIANTS = (0, 1, 2)

# (pattern, three replacements); \g<n> refers to the pattern's groups
REWRITES: list[tuple[str, tuple[str, str, str]]] = [
    (
        r"(比|较|与)上年度?(相比)?(增加|减少)",
        ("比上年\\g<3>", "较上年度\\g<3>", "与上年相比\\g<3>"),
    ),
    (
        r"(较|比)\s*(20\d\d)\s*年(决算|度)?(增加|减少)",
        ("较\\g<2>年决算\\g<4>", "比\\g<2>年\\g<4>", "与\\g<2>年相比\\g<4>"),
    ),
    (
        r"(基本支出|财政拨款收入)\s*([\d.]+)\s*万元，占\s*([\d.]+%)；(项目支出|其他收入)\s*([\d.]+)\s*万元，占\s*([\d.]+%)",
        (
            "\\g<0>",
            "\\g<0>",
            "\\g<1>和\\g<4>分别为 \\g<2> 万元和 \\g<5> 万元，分别占 \\g<3>和 \\g<6>",
        ),
    ),
    (r"，占\s*(\d[\d.]*%)", ("，占 \\g<1>", "，占比 \\g<1>", "，所占比重为 \\g<1>")),
    (
        r"占(本年支出合计|支出合计|本年收入合计)的\s*(\d[\d.]*%)",
        ("占\\g<1>的 \\g<2>", "占\\g<1>的比重为 \\g<2>", "占\\g<1>的比例为 \\g<2>"),
    ),
    (r"其中[:：]\s*(?=\S)", ("其中：", "其中，", "其中")),
    (r"年初预算(数)?为\s*(?=\d)", ("年初预算为 ", "年初预算数为 ", "年初预算 ")),
    (r"支出决算(数)?为\s*(?=\d)", ("支出决算为 ", "支出决算数为 ", "支出决算 ")),
    (r"完成年初预算的\s*(?=\d)", ("完成年初预算的 ", "为年初预算的 ", "达到年初预算的 ")),
    (r"主要原因是", ("主要原因是", "主要原因：", "原因主要是")),
    (
        r"公务用车购置及运行费支出决算",
        (
            "公务用车购置及运行费支出决算",
            "公务用车购置费及运行费支出决算",
            "公务用车购置费和运行维护费合计支出决算",
        ),
    ),
]


def paraphrase(text: str, variant: int) -> str:
    """The seed text with every prose line restated in phrasing ``variant``."""
    out = []
    for line in text.split("\n"):
        if "\t" not in line and not line.lstrip().startswith("<"):
            for pattern, replacements in REWRITES:
                line = re.sub(pattern, replacements[variant], line)
        out.append(line)
    return "\n".join(out)


def phrasings_used(fixture: str) -> dict[str, int]:
    """How many prose lines of the fixture each rewrite touches (a rewrite that touches none is not tested)."""
    seed_file, _ = build.FIXTURES[fixture]
    lines = (build.SEEDS / seed_file).read_text(encoding="utf-8").split("\n")
    return {
        pattern: sum(1 for ln in lines if "\t" not in ln and re.search(pattern, ln))
        for pattern, _ in REWRITES
    }


def render(fixture: str, variant: int, out_dir: Path) -> Path:
    seed_file, style = build.FIXTURES[fixture]
    text = paraphrase((build.SEEDS / seed_file).read_text(encoding="utf-8"), variant)
    return build.render_pdf(text, style, out_dir / f"{fixture}.v{variant}.pdf")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("data/precision")
    out.mkdir(parents=True, exist_ok=True)
    for fixture in build.FIXTURES:
        for variant in VARIANTS:
            print(render(fixture, variant, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
