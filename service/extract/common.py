"""Shared pieces of the deterministic extractor: making Facts with provenance, mapping printed
headers to schema fields, and tokenising tables printed as plain lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from schemas.facts import Fact, Provenance, to_yuan
from schemas.report import ParseNote
from service.document import BBox, Cell, Line
from service.numbers import compact, parse_amount


class Maker:
    """Builds Facts for one table: unit, document and table id are fixed."""

    def __init__(self, doc_id: str, table_id: str, unit: str, notes: list[ParseNote] | None = None) -> None:
        self.doc_id = doc_id
        self.table_id = table_id
        self.unit = unit
        self.notes = notes if notes is not None else []

    def fact(
        self,
        printed: str,
        page: int,
        bbox: BBox | None,
        *,
        row_code: str | None = None,
        row_label: str | None = None,
        column: str | None = None,
        unit: str | None = None,
        text_span: str | None = None,
    ) -> Fact | None:
        parsed = parse_amount(printed)
        if parsed is None:
            if printed.strip():
                self.notes.append(
                    ParseNote(
                        kind="unparsed",
                        table_id=self.table_id,
                        page=page,
                        text=f"{row_label or ''} {column or ''}：“{printed.strip()}”不是数字",
                    )
                )
            return None
        value, decimals = parsed
        unit = unit or self.unit
        return Fact(
            printed=printed.strip(),
            value=value,
            unit=unit,
            decimals=decimals,
            value_yuan=to_yuan(value, unit),
            provenance=Provenance(
                doc_id=self.doc_id,
                page=page,
                bbox=bbox,
                table_id=self.table_id,
                row_code=row_code,
                row_label=row_label,
                column=column,
                text_span=text_span,
            ),
        )

    def cell(self, cell: Cell | None, page: int, **where: Any) -> Fact | None:
        return self.fact(cell.text if cell else "", page, cell.bbox if cell else None, **where)

    def token(self, token: Token, **where: Any) -> Fact | None:
        return self.fact(token.text, token.page, token.bbox, **where)


def fill_blank_decimals(facts: list[Fact]) -> None:
    """A blank cell takes the largest number of decimals printed in its table (checker-rules UNIT-03)."""
    widest = max((f.decimals for f in facts if f.printed), default=2)
    for fact in facts:
        if not fact.printed:
            fact.decimals = widest


def field_terms(model: type[BaseModel]) -> dict[str, list[str]]:
    """Fact fields of a row model with the printed terms (zh and aliases) they map from."""
    terms: dict[str, list[str]] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if "zh" in extra:
            aliases = extra.get("aliases") or []
            terms[name] = [compact(str(extra["zh"]))] + [compact(str(a)) for a in aliases]  # type: ignore[union-attr]
    return terms


def zh_of(model: type[BaseModel], name: str) -> str:
    """The printed term a field maps from (used as the column of values read from plain lines)."""
    extra = model.model_fields[name].json_schema_extra
    return str(extra.get("zh", name)) if isinstance(extra, dict) else name


def map_columns(model: type[BaseModel], paths: list[str], strip: str = "") -> dict[int, str]:
    """Column index → field name, by the best match of each header path against the field terms."""
    terms = field_terms(model)
    scored: list[tuple[float, int, str]] = []
    for col, path in enumerate(paths):
        flat = compact(path.replace("/", ""))
        if strip and flat.startswith(strip):
            flat = flat[len(strip) :]
        leaf = compact(path.split("/")[-1])
        for name, words in terms.items():
            for word in words:
                if flat == word or leaf == word and len(path.split("/")) == 1:
                    scored.append((3 + len(word) / 100, col, name))
                elif flat.endswith(word):
                    scored.append((2 + len(word) / 100, col, name))
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for _, col, name in sorted(scored, key=lambda s: (-s[0], s[1])):
        if col not in mapping and name not in used:
            mapping[col] = name
            used.add(name)
    return mapping


def level_of(code: str | None, label: str) -> str:
    if not code:
        return "total" if "合计" in label or "总计" in label else "项"
    return {3: "类", 5: "款", 7: "项"}.get(len(code), "项")


# ------------------------------------------------------------ tables printed as plain lines

AMOUNT_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2}")
PIECE = re.compile(
    r"(?P<amount>\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2})(?!\d*%)"  # amounts are printed with 2 decimals
    r"|(?P<int>\d+)(?![.\d%])"
    r"|(?P<text>[^\s\d]+(?:\d+[^\s\d]+)*)"
)


@dataclass(frozen=True)
class Token:
    kind: str  # amount | int | text
    text: str
    page: int
    line: Line
    start: int
    end: int

    @property
    def bbox(self) -> BBox:
        return self.line.span_bbox(self.start, self.end)

    @property
    def value(self) -> Decimal:
        parsed = parse_amount(self.text)
        return parsed[0] if parsed else Decimal(0)


def tokenize_lines(lines: list[tuple[Line, int]], maker: Maker | None = None) -> list[Token]:
    """Amounts (exactly two decimals, so "10.17307" is 10.17 then code 307, and "772.15一、" is
    772.15 then a label), integers (codes, line numbers) and text pieces, with their positions.
    A number wrapped over two lines ("163.3" then "4") is joined back (checker-rules UNIT-12)."""
    out: list[Token] = []
    joined = _join_wrapped_numbers(lines)
    for line, page, text in joined:
        if maker is not None and line.char_x == () and re.fullmatch(r"\d+\.\d{2}", text):
            maker.notes.append(
                ParseNote(kind="repair", table_id=maker.table_id, page=page, text=f"跨行数字已合并为 {text}")
            )
        for m in PIECE.finditer(text):
            kind = m.lastgroup or "text"
            token = Token(kind, m.group(0), page, line, m.start(), m.end())
            if (
                maker is not None
                and kind == "int"
                and out
                and out[-1].kind == "amount"
                and out[-1].line is line
                and out[-1].end == m.start()
            ):
                maker.notes.append(
                    ParseNote(
                        kind="repair",
                        table_id=maker.table_id,
                        page=page,
                        text=f"金额与编码粘连“{out[-1].text}{m.group(0)}”已拆分为 {out[-1].text} | {m.group(0)}",
                    )
                )
            out.append(token)
    return out


def _join_wrapped_numbers(lines: list[tuple[Line, int]]) -> list[tuple[Line, int, str]]:
    out: list[tuple[Line, int, str]] = []
    skip = False
    for n, (line, page) in enumerate(lines):
        if skip:
            skip = False
            continue
        text = line.text
        nxt = lines[n + 1][0].text.strip() if n + 1 < len(lines) else ""
        if re.fullmatch(r"\d+\.\d", text.strip()) and re.fullmatch(r"\d", nxt):
            merged = Line(text=text.strip() + nxt, bbox=line.bbox)
            out.append((merged, page, merged.text))
            skip = True
            continue
        out.append((line, page, text))
    return out
