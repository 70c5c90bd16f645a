"""Parsers for the financial tables (T01–T10, B01–B11), from grids or from plain lines."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from schemas import catalogue
from schemas import tables as S
from schemas.facts import Fact
from service.extract.common import Maker, Token, level_of, map_columns, tokenize_lines, zh_of
from service.extract.locate import Occurrence
from service.numbers import compact, is_amount, parse_amount

CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")


def _base(occ: Occurrence, unit: str) -> dict[str, Any]:
    in_grid = [t.strip() for row in occ.rows() for t in row.texts() if re.match(r"^\s*说明\s*[:：]", t)]
    empty = next((n for n in occ.notes + in_grid if "无数据" in n or "没有" in n), None)
    return {
        "title": compact(occ.title),
        "number": occ.number,
        "unit": unit,
        "pages": occ.pages,
        "empty_note": empty,
    }


# ---------------------------------------------------------------- layouts: (detect, parse) pairs
#
# A table is read by the first layout whose detector accepts its occurrence: a grid (ruled, or
# rebuilt from geometry by service.layout), else the plain lines a table printed without
# columns leaves. A new template is a new entry here, not a new branch in a parser.


@dataclass(frozen=True)
class Layout:
    name: str
    detect: Callable[[Occurrence], bool]
    parse: Callable[..., list[Any]]


def _has_grid(occ: Occurrence) -> bool:
    return bool(occ.grids)


def _always(occ: Occurrence) -> bool:
    return True


def read_rows(layouts: tuple[Layout, ...], occ: Occurrence, *args: Any) -> list[Any]:
    layout = next(layout for layout in layouts if layout.detect(occ))
    return layout.parse(occ, *args)


# ---------------------------------------------------------------- coded tables (功能分类)


def _models(occ: Occurrence) -> tuple[type[BaseModel], type[BaseModel]]:
    """The schema table and row models the catalogue names for this table."""
    assert occ.spec.model is not None, occ.spec.table_id
    return occ.spec.model, catalogue.row_model(occ.spec.table_id)


def parse_coded(occ: Occurrence, maker: Maker) -> BaseModel:
    table_model, row_model = _models(occ)
    rows = read_rows(CODED_LAYOUTS, occ, maker, row_model)
    return table_model(**_base(occ, maker.unit), rows=rows)


def _coded_from_grid(occ: Occurrence, maker: Maker, row_model: type[BaseModel]) -> list[BaseModel]:
    paths = occ.header_paths
    mapping = map_columns(row_model, paths)
    code_cols = [  # not a money column whose wrapped header ends in 类 ("其他运转" + "类")
        c
        for c, p in enumerate(paths)
        if re.search(r"编码|代码|^科目编码/[类款项]$|/[类款项]$|^[类款项]$", p) and c not in mapping
    ]
    unit_cols = [c for c in code_cols if "单位代" in compact(paths[c])]
    # a column printing nothing but codes is a code column whatever its header says
    code_cols = sorted(
        {c for c in code_cols if c not in unit_cols}
        | (_code_only_columns(occ) - set(unit_cols) - set(mapping))
    )
    name_cols = [c for c, p in enumerate(paths) if "名称" in p and c not in mapping]
    out = []
    for row in occ.rows()[occ.header_count :]:
        texts = row.texts()
        if _is_column_numbers(texts):
            continue
        code = "".join(compact(texts[c]) for c in code_cols if c < len(texts))
        if code and not CODE.match(code):  # 合计 printed in the code column
            code = ""
        unit_code = "".join(compact(texts[c]) for c in unit_cols if c < len(texts)) or None
        label = next((texts[c].strip() for c in name_cols if c < len(texts) and texts[c].strip()), "")
        if not label:
            label = next(
                (
                    t.strip()
                    for c, t in enumerate(texts)
                    if c not in mapping and t.strip() and not CODE.match(compact(t))
                ),
                "",
            )
        if not code and not label:
            continue
        level = "unit" if unit_code and not code else level_of(code or None, label)
        values: dict[str, Any] = {}
        for col, name in mapping.items():
            if col < len(row.cells):
                values[name] = maker.cell(
                    row.cells[col], row.page, row_code=code or None, row_label=label, column=paths[col]
                )
        extra = {"unit_code": unit_code} if "unit_code" in row_model.model_fields else {}
        out.append(row_model(code=code or None, label=label, level=level, page=row.page, **extra, **values))
    return out


def _code_only_columns(occ: Occurrence) -> set[int]:
    """Columns whose body cells are all classification codes or their 类/款/项 parts."""
    seen: dict[int, bool] = {}
    for row in occ.rows()[occ.header_count :]:
        for c, text in enumerate(row.texts()):
            flat = compact(text)
            if flat:
                seen[c] = seen.get(c, True) and bool(re.fullmatch(r"\d{2}|\d{3}(\d{2}){0,2}", flat))
    return {c for c, only_codes in seen.items() if only_codes}


def _coded_from_lines(occ: Occurrence, maker: Maker, row_model: type[BaseModel]) -> list[BaseModel]:
    """Rows printed as lines: code, name (possibly wrapped), then one amount per column."""
    fields = [n for n, f in row_model.model_fields.items() if f.annotation == Fact | None]
    first = next((n for n, (line, _) in enumerate(occ.lines) if compact(line.text).startswith("合计")), None)
    if first is None:
        return []
    tokens = tokenize_lines(occ.lines[first:], maker)
    start = 0
    records: list[tuple[str | None, list[Token], list[Token]]] = []
    for tok in tokens[start:]:
        if tok.kind == "int" and CODE.match(tok.text) and (not records or records[-1][2] or records[-1][1]):
            records.append((tok.text, [], []))
        elif tok.kind == "text":
            if not records or records[-1][2]:
                records.append((None, [tok], []))
            else:
                records[-1][1].append(tok)
        elif tok.kind == "amount" and records:
            records[-1][2].append(tok)
    out = []
    for code, label_tokens, amounts in records:
        label = "".join(t.text for t in label_tokens)
        if not label or len(amounts) not in (0, len(fields)) or (code is None and "合计" not in label):
            continue
        page = amounts[0].page if amounts else label_tokens[0].page
        if amounts:
            values = {
                name: maker.token(tok, row_code=code, row_label=label, column=zh_of(row_model, name))
                for name, tok in zip(fields, amounts, strict=False)
            }
        else:  # a bare 合计 line: every column is blank
            values = {
                name: maker.fact(
                    "", page, None, row_code=code, row_label=label, column=zh_of(row_model, name)
                )
                for name in fields
            }
        out.append(row_model(code=code, label=label, level=level_of(code, label), page=page, **values))
    return out


def _is_column_numbers(texts: list[str]) -> bool:
    """The 栏次 row: "栏次 1 2 3 …" (column numbers, possibly printed "1.00")."""
    cells = [compact(t) for t in texts if t.strip() and compact(t) != "栏次"]
    if not cells or not all(re.fullmatch(r"\d{1,2}(\.00)?", c) for c in cells):
        return False
    numbers = [int(float(c)) for c in cells]
    return numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


# ---------------------------------------------------------------- two-sided summaries


def parse_sided(occ: Occurrence, maker: Maker) -> BaseModel:
    table_model, row_model = _models(occ)
    rows = read_rows(SIDED_LAYOUTS, occ, maker, row_model)
    return table_model(**_base(occ, maker.unit), rows=rows)


def _sided_from_grid(occ: Occurrence, maker: Maker, row_model: type[BaseModel]) -> list[BaseModel]:
    paths = occ.header_paths
    split = next((c for c, p in enumerate(paths) if compact(p).startswith("支出")), len(paths) // 2)
    sides = {"income": range(0, split), "expenditure": range(split, len(paths))}
    out = []
    for side, cols in sides.items():
        prefix = "收入" if side == "income" else "支出"
        side_paths = [paths[c] for c in cols]
        mapping = {cols[i]: name for i, name in map_columns(row_model, side_paths, strip=prefix).items()}
        if side == "income":  # the income side has a single amount column
            mapping = {c: "amount" for c, n in mapping.items() if n in ("amount", "total")} or mapping
        label_col = next((c for c in cols if compact(paths[c]).endswith("项目")), cols[0])
        line_col = next((c for c in cols if compact(paths[c]).endswith("行次")), None)
        for row in occ.rows()[occ.header_count :]:
            texts = row.texts()
            label = texts[label_col].strip() if label_col < len(texts) else ""
            if not label or compact(label) in ("栏次", "项目"):
                continue
            line_no = texts[line_col].strip() if line_col is not None and line_col < len(texts) else None
            values = {
                name: maker.cell(row.cells[col], row.page, row_label=compact(label), column=paths[col])
                for col, name in mapping.items()
                if col < len(row.cells)
            }
            out.append(
                row_model(side=side, label=compact(label), line_no=line_no or None, page=row.page, **values)
            )
    return out


def _sided_from_lines(occ: Occurrence, maker: Maker, row_model: type[BaseModel]) -> list[BaseModel]:
    """Records "label line_no amount…" in reading order; the expenditure side starts at the line
    number of 一、一般公共服务支出."""
    tokens = tokenize_lines(occ.lines, maker)
    start = next((i for i, t in enumerate(tokens) if t.kind == "text" and t.text.startswith("一、")), 0)
    records: list[dict[str, Any]] = []
    for tok in tokens[start:]:
        last = records[-1] if records else None
        if tok.kind == "text":
            if last is None or last["no"] is not None:
                records.append({"label": [tok], "no": None, "amounts": []})
            else:
                last["label"].append(tok)
        elif tok.kind == "int":
            if last is None or last["no"] is not None:
                records.append({"label": [], "no": tok, "amounts": []})
            else:
                last["no"] = tok
        elif tok.kind == "amount" and last is not None:
            last["amounts"].append(tok)
    first_exp = next(
        (
            int(r["no"].text)
            for r in records
            if r["label"] and r["no"] and r["label"][0].text.startswith("一、一般公共服务")
        ),
        10**6,
    )
    income_fields: list[str] = ["amount"]
    exp_fields: list[str] = [
        f
        for f in ("total", "general", "general_fiscal", "fund", "state_capital")
        if f in row_model.model_fields
    ]
    exp_fields = exp_fields or ["amount"]
    out = []
    for rec in records:
        label = "".join(t.text for t in rec["label"])
        if not label or rec["no"] is None:
            continue
        side = "income" if int(rec["no"].text) < first_exp else "expenditure"
        names = income_fields if side == "income" else exp_fields
        values = {
            name: maker.token(tok, row_label=label, column=zh_of(row_model, name))
            for name, tok in zip(names, rec["amounts"], strict=False)
        }
        out.append(row_model(side=side, label=label, line_no=rec["no"].text, page=rec["no"].page, **values))
    return out


# ---------------------------------------------------------------- 基本支出 by economic code

PERSONNEL = ("301", "303")


Group = Literal["personnel", "public", "total"]


def _group(code: str | None, label: str) -> Group:
    if code:
        return "personnel" if code[:3] in PERSONNEL else "public"
    return "personnel" if "人员" in label else "public" if "公用" in label else "total"


def parse_economic(occ: Occurrence, maker: Maker) -> BaseModel:
    rows = read_rows(ECONOMIC_LAYOUTS, occ, maker)
    variant: Literal["basic", "detail"] = (
        "detail"
        if any("基本支出" in p for p in occ.header_paths) or "明细表" in occ.title and occ.grids
        else "basic"
    )
    if not occ.grids and "明细" in occ.title:
        variant = "basic"  # the 基本支出决算明细表 has one amount column
    return S.T06(**_base(occ, maker.unit), variant=variant, rows=rows)


def _economic_from_grid(occ: Occurrence, maker: Maker) -> list[S.T06Row]:
    paths = occ.header_paths
    starts = [c for c, p in enumerate(paths) if compact(p).endswith("科目编码")]
    groups = [range(s, e) for s, e in zip(starts, starts[1:] + [len(paths)], strict=False)]
    out: list[S.T06Row] = []
    for row in occ.rows()[occ.header_count :]:
        texts = row.texts()
        totals = [c for c, t in enumerate(texts) if "合计" in t]
        if totals:
            for n, c in enumerate(totals):
                end = totals[n + 1] if n + 1 < len(totals) else len(texts)
                cells = [k for k in range(c + 1, end) if is_amount(texts[k]) or texts[k].strip() in ("——",)]
                label = compact(texts[c])
                names = ["amount", "basic"][: len(cells)]
                values = {
                    nm: maker.cell(row.cells[k], row.page, row_label=label, column=paths[k])
                    for nm, k in zip(names, cells, strict=False)
                }
                out.append(
                    S.T06Row(code=None, label=label, group=_group(None, label), page=row.page, **values)
                )
            continue
        for cols in groups:
            code = compact(texts[cols[0]]) if cols[0] < len(texts) else ""
            if not re.fullmatch(r"\d{3}(\d{2})?", code):
                continue
            label = texts[cols[1]].strip() if len(cols) > 1 else ""
            value_cols = list(cols[2:])
            names = ["amount", "basic"][: len(value_cols)]
            values = {
                nm: maker.cell(
                    row.cells[k], row.page, row_code=code, row_label=compact(label), column=paths[k]
                )
                for nm, k in zip(names, value_cols, strict=False)
                if k < len(row.cells)
            }
            out.append(
                S.T06Row(code=code, label=compact(label), group=_group(code, label), page=row.page, **values)
            )
    return out


ECON = re.compile(
    r"(?P<code>3\d{2}(?:\d{2})?)\s*(?P<name>[^\d]+?)\s*(?P<amount>\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2})"
)
ECON_TOTAL = re.compile(r"(?P<name>(人员|公用)经费合计)\s*(?P<amount>\d+\.\d{2})")


def _economic_from_lines(occ: Occurrence, maker: Maker) -> list[S.T06Row]:
    """The line layout: "30101 基本工资 62.5730201 办公费 …" — code, name, amount, repeated."""
    tokens = tokenize_lines(occ.lines, maker)
    first = next((i for i, t in enumerate(tokens) if t.kind == "int" and t.text == "301"), None)
    if first is None:
        return []
    out: list[S.T06Row] = []
    i = first
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "text" and re.fullmatch(r"(人员|公用)经费合计", tok.text):
            amount = next((t for t in tokens[i + 1 : i + 3] if t.kind == "amount"), None)
            values = {"amount": maker.token(amount, row_label=tok.text, column="决算数")} if amount else {}
            out.append(
                S.T06Row(code=None, label=tok.text, group=_group(None, tok.text), page=tok.page, **values)
            )
            i += 1
            continue
        if tok.kind == "int" and re.fullmatch(r"3\d{2}(\d{2})?", tok.text):
            j = i + 1
            name = []
            while j < len(tokens) and tokens[j].kind == "text":
                name.append(tokens[j].text)
                j += 1
            if j < len(tokens) and tokens[j].kind == "amount" and name:
                label = "".join(name)
                fact = maker.token(tokens[j], row_code=tok.text, row_label=label, column="决算数")
                out.append(
                    S.T06Row(
                        code=tok.text,
                        label=label,
                        group=_group(tok.text, label),
                        page=tokens[j].page,
                        amount=fact,
                    )
                )
                i = j + 1
                continue
        i += 1
    return out


# ---------------------------------------------------------------- “三公”

SANGONG_KEYS = (
    ("合计", "total"),
    ("出国", "abroad"),
    ("小计", "vehicle_subtotal"),
    ("购置", "vehicle_purchase"),
    ("运行", "vehicle_operation"),
    ("接待", "reception"),
)


def _sangong_field(leaf: str) -> str | None:
    return next((name for key, name in SANGONG_KEYS if key in leaf), None)


def parse_sangong(occ: Occurrence, maker: Maker) -> BaseModel:
    model, _ = _models(occ)
    rows: list[S.SanGongRow] = []
    if occ.grids:
        paths = occ.header_paths
        for row in occ.rows()[occ.header_count :]:
            texts = row.texts()
            if _is_column_numbers(texts) or not any(is_amount(t) for t in texts):
                continue
            halves: dict[str, dict[str, Any]] = {}
            for col, path in enumerate(paths):
                parts = path.split("/")
                half = parts[0] if parts[0] in ("预算数", "决算数") else "预算数"
                name = _sangong_field(compact(parts[-1]))
                if name and col < len(row.cells) and name not in halves.get(half, {}):
                    halves.setdefault(half, {})[name] = maker.cell(
                        row.cells[col], row.page, row_label=half, column=path
                    )
            rows += [S.SanGongRow(label=h, page=row.page, **v) for h, v in halves.items()]
    else:
        tokens = tokenize_lines(occ.lines)
        amounts = [t for t in tokens if t.kind == "amount"]
        names = [name for _, name in SANGONG_KEYS]
        for n, half in enumerate(("预算数", "决算数")):
            chunk = amounts[6 * n : 6 * n + 6]
            if len(chunk) == 6:
                values = {
                    nm: maker.token(t, row_label=half, column=f"{half}/{nm}")
                    for nm, t in zip(names, chunk, strict=True)
                }
                rows.append(S.SanGongRow(label=half, page=chunk[0].page, **values))
    return model(**_base(occ, maker.unit), rows=rows)


# ---------------------------------------------------------------- T10, B06, B07, B11


def parse_t10(occ: Occurrence, maker: Maker) -> BaseModel:
    rows = []
    section = ""
    for row in occ.rows():
        texts = row.texts()
        label = texts[0].strip() if texts else ""
        if re.match(r"^[一二三四五六七八九十]+、", label):
            section = label
            continue
        if not label or compact(label) in ("项目",):
            continue
        line_no = texts[1].strip() if len(texts) > 1 else None
        cell = row.cells[2] if len(row.cells) > 2 else None
        unit = None
        if "资产" in section:
            unit = "辆" if "车" in label else "台"
        column = occ.header_paths[2] if len(occ.header_paths) > 2 else "金额"
        fact = maker.fact(
            cell.text if cell else "",
            row.page,
            cell.bbox if cell else None,
            row_label=compact(label),
            column=column,
            unit=unit,
        )
        rows.append(
            S.T10Row(
                section=section, label=compact(label), line_no=line_no or None, page=row.page, amount=fact
            )
        )
    return S.T10(**_base(occ, maker.unit), rows=rows)


def parse_b06(occ: Occurrence, maker: Maker) -> BaseModel:
    paths = occ.header_paths
    mapping = map_columns(S.B06Row, paths)
    codes = [c for c, p in enumerate(paths) if compact(p).endswith("科目编码")]
    names = [c for c, p in enumerate(paths) if compact(p).endswith("科目名称")]
    rows = []
    for row in occ.rows()[occ.header_count :]:
        texts = row.texts()
        code = compact(texts[codes[0]]) if codes else ""
        label = texts[names[0]].strip() if names and texts[names[0]].strip() else texts[0].strip()
        if not re.fullmatch(r"\d{3}(\d{2})?", code):
            code = ""
        if not label and not code:
            continue
        gov_code = compact(texts[codes[1]]) if len(codes) > 1 else None
        gov_label = texts[names[1]].strip() if len(names) > 1 else None
        values = {
            n: maker.cell(
                row.cells[c], row.page, row_code=code or None, row_label=compact(label), column=paths[c]
            )
            for c, n in mapping.items()
            if c < len(row.cells)
        }
        group: Group = "total" if not code else _group(code, label)
        rows.append(
            S.B06Row(
                code=code or None,
                label=compact(label),
                group=group,
                page=row.page,
                gov_code=gov_code or None,
                gov_label=gov_label or None,
                **values,
            )
        )
    return S.B06(**_base(occ, maker.unit), rows=rows)


def parse_b07(occ: Occurrence, maker: Maker) -> BaseModel:
    paths = occ.header_paths
    mapping = map_columns(S.B07Row, paths)
    rows = []
    for row in occ.rows()[occ.header_count :]:
        texts = row.texts()
        code = next((compact(t) for t in texts if re.fullmatch(r"\d{3}(\d{2})?", compact(t))), "")
        label = next(
            (t.strip() for c, t in enumerate(texts) if t.strip() and c not in mapping and compact(t) != code),
            "",
        )
        if not label:
            continue
        values = {
            n: maker.cell(row.cells[c], row.page, row_code=code or None, row_label=label, column=paths[c])
            for c, n in mapping.items()
            if c < len(row.cells)
        }
        rows.append(
            S.B07Row(
                code=code or None, label=label, group=_group(code or None, label), page=row.page, **values
            )
        )
    return S.B07(**_base(occ, maker.unit), rows=rows)


def parse_b11(occ: Occurrence, maker: Maker) -> BaseModel:
    paths = occ.header_paths
    mapping = map_columns(S.B11Row, paths)
    kind_col = next((c for c, p in enumerate(paths) if compact(p).endswith("类型")), 0)
    name_col = next((c for c, p in enumerate(paths) if "项目名称" in p), 1)
    unit_col = next((c for c, p in enumerate(paths) if "项目单位" in p), 2)
    # a unit's code in a column of its own (else it is printed in the 项目名称 column)
    code_col = next((c for c, p in enumerate(paths) if re.search("编码|代码", p) and c not in mapping), None)
    rows = []
    for row in occ.rows()[occ.header_count :]:
        texts = row.texts()
        if not any(is_amount(t) for t in texts):
            continue
        name = texts[name_col].strip() if name_col < len(texts) else ""
        unit_name = texts[unit_col].strip() if unit_col < len(texts) else ""
        kind = texts[kind_col].strip() if kind_col < len(texts) else ""
        own_code = compact(texts[code_col]) if code_col is not None and code_col < len(texts) else ""
        level: Literal["total", "unit", "project"]
        if re.fullmatch(r"\d+", own_code):
            level, code, label = "unit", own_code, name or unit_name
        elif re.fullmatch(r"\d+", name):
            level, code, label = "unit", name, unit_name
        elif name:
            level, code, label = "project", None, name
        else:
            level, code, label = "total", None, "合计"
        values = {
            n: maker.cell(row.cells[c], row.page, row_code=code, row_label=compact(label), column=paths[c])
            for c, n in mapping.items()
            if c < len(row.cells)
        }
        rows.append(
            S.B11Row(
                kind=kind or None,
                code=code,
                label=compact(label),
                unit_name=unit_name if level == "project" else None,
                level=level,
                page=row.page,
                **values,
            )
        )
    return S.B11(**_base(occ, maker.unit), rows=rows)


CODED_LAYOUTS = (Layout("grid", _has_grid, _coded_from_grid), Layout("lines", _always, _coded_from_lines))
SIDED_LAYOUTS = (Layout("grid", _has_grid, _sided_from_grid), Layout("lines", _always, _sided_from_lines))
ECONOMIC_LAYOUTS = (
    Layout("grid", _has_grid, _economic_from_grid),
    Layout("lines", _always, _economic_from_lines),
)

PARSERS: dict[str, Callable[[Occurrence, Maker], BaseModel]] = {
    "coded": parse_coded,
    "sided": parse_sided,
    "economic": parse_economic,
    "sangong": parse_sangong,
    "t10": parse_t10,
    "b06": parse_b06,
    "b07": parse_b07,
    "b11": parse_b11,
}


def unit_for(occ: Occurrence, default: str) -> str:
    if occ.unit:
        return occ.unit
    for row in occ.rows()[:3]:
        for text in row.texts():
            if parse_amount(text) is None and ("万元" in text or "单位：元" in text):
                return "万元" if "万元" in text else "元"
    return default
