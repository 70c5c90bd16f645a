"""What answers are made of: the facts of a stored, checked Report as flat records with the names a
question may use for them, and the report's prose as sentences with their pages. Pure: built from a
Report already in memory (the engine never re-reads a PDF)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as default
from decimal import Decimal

from schemas.catalogue import SANGONG
from schemas.findings import CheckResult
from schemas.report import Report
from service.export import fact_rows
from service.numbers import parse_amount
from service.qa import guard
from service.qa.lexicon import Lexicon, normalize

_CODE = re.compile(r"^\d{3,}")
_LEVEL = re.compile(r"\((类|款|项)\)")
_ORDINAL = re.compile(r"^(\(?[一二三四五六七八九十]+[、)]|\d+[.、．]|其中:|其中)")
_SUFFIX = re.compile(r"(合计|小计|总计)$")
_FOOTER = re.compile(r"^[-—–－]\s*\d+\s*[-—–－]$")
_SENTENCE_END = re.compile(r"[。！？!?]")
PROSE_LINE = 18  # on a page of table cells, only lines at least this long are prose

# disclosure tables whose pages hold cells, not sentences (their numbers are facts)
GRID_TABLES = {f"T{n:02d}" for n in range(1, 11)} | {f"B{n:02d}" for n in range(1, 12)}


@dataclass
class FactRecord:
    doc_id: str
    doc: str
    table_id: str
    table_title: str
    row: str
    field: str
    column: str
    subject: str
    printed: str
    value: Decimal | None  # None for text values (指标值, 实际完成值)
    unit: str
    value_yuan: Decimal | None
    page: int
    bbox: tuple[float, float, float, float] | None
    status: str
    names: list[str] = default(default_factory=list)  # normalised names a question may use

    @property
    def is_text(self) -> bool:
        return self.value is None

    def shown(self) -> str:
        """The value as printed, with its unit (text values carry their own)."""
        if self.is_text:
            return self.printed
        return f"{self.printed} {self.unit}" if self.unit not in ("%",) else f"{self.printed.rstrip('%')}%"


def clean_name(label: str) -> str:
    """A row or column label without code, ordinal, (类)/(款)/(项) and a 合计 suffix."""
    text = normalize(label)
    text = _CODE.sub("", text)
    text = _LEVEL.sub("", text)
    text = _ORDINAL.sub("", text)
    stripped = _SUFFIX.sub("", text)
    return stripped or text


def _printed_terms() -> dict[str, str]:
    """Field name → the printed header it maps from (the schema's ``zh``), “三公” fields first."""
    from pydantic import BaseModel

    from schemas import performance, tables

    terms: dict[str, str] = {}
    models = [tables.SanGongRow] + [
        m
        for mod in (tables, performance)
        for m in vars(mod).values()
        if isinstance(m, type) and issubclass(m, BaseModel)
    ]
    for model in models:
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and isinstance(extra.get("zh"), str):
                terms.setdefault(name, str(extra["zh"]))
    return terms


PRINTED = _printed_terms()


def _names(row: dict, lexicon: Lexicon) -> list[str]:
    label = clean_name(row["row"] or "")
    field_name = row["field"] or ""
    leaf = (row["column"] or "").split("/")[-1]
    if leaf.isascii() and leaf in PRINTED:  # some layouts carry the field name, not the header
        leaf = PRINTED[leaf]
    column_leaf = clean_name(leaf)
    names: list[str] = []
    generic = label in ("", "合计", "总计", "小计", "预算数", "决算数", "本年支出", "本年收入")
    if row["table_id"] in SANGONG:  # “三公” tables: the item is the column, the row a half
        item = column_leaf if column_leaf not in ("合计", "") else "三公经费"
        names.append("三公经费" if item in ("合计", "小计") else item)
        if column_leaf == "合计":
            names.append("三公经费合计")
        if "公务用车购置及运行" in (row["column"] or "") and column_leaf == "小计":
            names = ["公务用车购置及运行费"]
    elif generic:
        raw = normalize(row["row"] or "")
        if raw not in ("合计", "总计", "小计", "预算数", "决算数", ""):
            names.append(raw)
        if raw == "总计" and row.get("side") in ("income", "expenditure"):
            names.append("收入总计" if row["side"] == "income" else "支出总计")
        names += [clean_name(n) for n in lexicon.field_names.get(field_name, [])] + [column_leaf]
    else:
        names.append(label)
        if row["table_id"] == "T10" and row.get("table_title"):
            section = clean_name((row["column"] or "").split("/")[0])
            if section:
                names.append(section)
    if row["table_id"] in ("PE", "PP") and label == "总分":
        names += ["自评得分", "总分"]
    for term, variants in lexicon.synonyms.items():  # a name the lexicon knows by another word
        if any(normalize(v) in names for v in variants):
            names.append(normalize(term))
    return [n for n in dict.fromkeys(names) if len(n) >= 2]


def _printed_column(column: str) -> str:
    """A column path whose leaf is a field name (some layouts) with its printed header instead."""
    head, _, leaf = column.rpartition("/")
    if leaf.isascii() and leaf in PRINTED:
        return f"{head}/{PRINTED[leaf]}" if head else PRINTED[leaf]
    return column


def _box(raw: list[float] | None) -> tuple[float, float, float, float] | None:
    return (raw[0], raw[1], raw[2], raw[3]) if raw else None


def fact_records(report: Report, lexicon: Lexicon) -> list[FactRecord]:
    records = []
    for row in fact_rows(report):
        if row["table_id"] == "NAR":  # prose numbers are answered from their sentences
            continue
        is_text = row["field"] in ("target", "actual")
        if not str(row["value"]).strip():  # a blank cell answers nothing (its 0 is a convention)
            continue
        parsed = None if is_text else parse_amount(str(row["value"]))
        if not is_text and parsed is None:
            continue
        value_yuan = Decimal(row["value_yuan"]) if row.get("value_yuan") else None
        records.append(
            FactRecord(
                doc_id=row["doc_id"],
                doc=row["doc"],
                table_id=row["table_id"] or "",
                table_title=row["table_title"] or "",
                row=row["row"] or "",
                field=row["field"] or "",
                column=_printed_column(row["column"] or ""),
                subject=row["subject"] or "",
                printed=str(row["value"]),
                value=None if parsed is None else parsed[0],
                unit=row["unit"] or "",
                value_yuan=value_yuan,
                page=int(row["page"]),
                bbox=_box(row.get("bbox")),
                status=row["status"],
                names=_names(row, lexicon),
            )
        )
    return records


@dataclass
class Sentence:
    doc_id: str
    text: str  # as printed, lines joined
    start: int  # offset in the document's joined prose
    pages: list[int]  # pages the sentence spans (first is where it starts)
    norm: str = ""

    @property
    def page(self) -> int:
        return self.pages[0]


def _is_prose_page(lines: list[str]) -> bool:
    lengths = sorted(len(x) for x in lines if x.strip())
    return bool(lengths) and lengths[len(lengths) // 2] >= 20


def sentences(report: Report) -> list[Sentence]:
    """The report's prose as sentences: lines joined across wraps and pages; on pages of table cells
    only the long (prose) lines count, and a dropped cell ends the sentence."""
    grid_pages = {p for t in report.tables.present() if t.table_id in GRID_TABLES for p in t.pages}
    pieces: list[tuple[str, int]] = []  # (text, page); "" marks a forced break
    prose_pages = set()
    for page_no in sorted(report.text_pages):
        lines = [x.strip() for x in report.text_pages[page_no].split("\n")]
        lines = [x for x in lines if x and not _FOOTER.match(x)]
        if _is_prose_page(lines):
            prose_pages.add(page_no)
        for line in lines:  # a grid page's cells are facts; only its prose lines are sentences
            if page_no not in grid_pages or len(line) >= PROSE_LINE or line.endswith("。"):
                pieces.append((line, page_no))
            else:
                pieces.append(("", page_no))
    out: list[Sentence] = []
    buf, start, offset = "", 0, 0
    pages: list[int] = []

    def flush() -> None:
        nonlocal buf, pages
        text = buf.strip()
        run_on = len(text) > 200 and not set(pages) <= prose_pages  # cells of a form joined up
        if len(normalize(text)) >= 4 and not run_on and not guard.is_instruction(text):
            out.append(Sentence(report.meta.doc_id, text, start, sorted(set(pages)), normalize(text)))
        buf, pages = "", []

    for text, page_no in pieces:
        if not text:
            flush()
            continue
        for part in re.split(r"(?<=[。！？!?])", text):
            if not part:
                continue
            if not buf:
                start = offset
            buf += part
            pages.append(page_no)
            offset += len(part)
            if _SENTENCE_END.search(part[-1:]):
                flush()
    flush()
    return out


@dataclass
class Document:
    """One ingested report, ready to answer from: its Report, check result, facts and sentences."""

    doc_id: str
    file_name: str
    report: Report
    check: CheckResult | None
    facts: list[FactRecord]
    sentences: list[Sentence]

    @property
    def label(self) -> str:
        meta = self.report.meta
        year = f"{meta.year}年" if meta.year else ""
        return f"{meta.department or self.file_name} {year}{meta.kind or ''}".strip()


def document(report: Report, check: CheckResult | None, lexicon: Lexicon) -> Document:
    return Document(
        doc_id=report.meta.doc_id,
        file_name=report.meta.file_name,
        report=report,
        check=check,
        facts=fact_records(report, lexicon),
        sentences=sentences(report),
    )
