"""Meta (department, year, kind), the 目录, and the numbers the 情况说明 prose states, by pattern."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from schemas import vocabulary as v
from schemas.facts import Fact, Provenance, to_yuan
from schemas.report import Claim, ClaimKind, Disclosed, HeadingYear, Meta, TocEntry
from schemas.vocabulary import topics
from service.chunking import FOOTER, TOC_LINE
from service.document import Document, Line, Page, centre_inside
from service.extract import claims as parse
from service.numbers import compact, parse_amount

YEAR = re.compile(r"(20\d{2})\s*年度")
DEPARTMENT = re.compile(r"(?:部门名称|单位名称|部门)\s*[:：]\s*([^\s:：]+)")


def extract_meta(doc: Document) -> Meta:
    head = "\n".join(p.text for p in doc.pages[:3])
    kind = "预算" if "部门预算" in head and "决算" not in head else "决算" if "决算" in head else None
    years = Counter(int(y) for p in doc.pages for y in YEAR.findall(p.text))
    departments = Counter(m.group(1) for p in doc.pages for m in DEPARTMENT.finditer(p.text))
    note = next(
        (s for p in doc.pages for s in re.split(r"[。\n]", p.text) if "尾数误差" in s or "尾差" in s), None
    )
    return Meta(
        doc_id=doc.doc_id,
        file_name=doc.file_name,
        department=departments.most_common(1)[0][0] if departments else None,
        year=years.most_common(1)[0][0] if years else None,
        kind=kind,  # type: ignore[arg-type]
        page_count=doc.page_count,
        rounding_note=note.strip() if note else None,
    )


def extract_toc(doc: Document) -> list[TocEntry]:
    entries = []
    for page in doc.pages[:4]:
        if not any(TOC_LINE.match(ln.text.strip()) for ln in page.lines[:5]):
            continue
        texts = [ln.text for ln in page.lines] + [c for t in page.tables for row in t.texts() for c in row]
        for text in texts:
            flat = re.sub(r"[.…·]+\d*$", "", compact(text))
            if flat.endswith("表") and len(flat) <= 40:
                entries.append(TocEntry(title=flat, page=page.number))
    return entries


@dataclass
class _Run:
    """The prose of one page joined into one string, with a map back to lines."""

    text: str
    spans: list[tuple[int, Line]]  # (offset where the line starts, line)

    def locate(self, start: int, end: int) -> tuple[float, float, float, float] | None:
        for offset, line in reversed(self.spans):
            if offset <= start:
                if end - offset <= len(line.text):
                    return line.span_bbox(start - offset, end - offset)
                return line.bbox
        return None


def _prose(page: Page) -> _Run:
    """The page's prose, then the long text cells of its tables (绩效 tables state results in
    sentences), each cell closed by "。" so no sentence runs across cells."""
    parts, spans, offset = [], [], 0
    for line in page.lines:
        if any(centre_inside(line.bbox, t.bbox) for t in page.tables) or FOOTER.match(line.text.strip()):
            continue
        spans.append((offset, line))
        parts.append(line.text)
        offset += len(line.text)
    for table in page.tables:
        for row in table.rows:
            for cell in row:
                if cell is None or len(cell.text) < 25 or not re.search(r"\d", cell.text):
                    continue
                parts.append("。")
                offset += 1
                for line in page.lines:
                    if centre_inside(line.bbox, cell.bbox):
                        spans.append((offset, line))
                        parts.append(line.text)
                        offset += len(line.text)
    return _Run("".join(parts), spans)


def extract_claims(doc: Document, meta: Meta) -> list[Claim]:
    """Each number with a unit in the prose, classified (amount, share 占%, change 增减, change
    rate, rate 完成…%) with the clause before it as its subject and the sentence as its span."""
    claims: list[Claim] = []
    section = ""
    statement = 1
    ordinal = 0
    for page in doc.pages:
        run = _prose(page)
        previous = ""
        on_page: dict[int, Claim] = {}  # offset of the number in the page's prose → its claim
        sentences: list[tuple[int, int, str, int]] = []
        for sentence_match in re.finditer(r"[^。]+。?", run.text):
            sentence = sentence_match.group(0)
            base = sentence_match.start()
            ordinal += 1
            sentences.append((base, sentence_match.end(), sentence, ordinal))
            heading = re.match(r"^\s*([一二三四五六七八九十]+、[^，。]{2,30}?说明)", sentence)
            if heading:
                section = heading.group(1)
            found: list[tuple[int, Claim]] = []
            for m in parse.NUMBER.finditer(sentence):
                claim = (
                    _claim(doc, page, run, sentence, base, m, section)
                    if m.group("num")
                    else _ratio(doc, page, run, sentence, base, m, section)
                )
                if claim is not None:
                    claim.sentence = ordinal
                    start = m.start("num") if m.group("num") else m.start("ratio")
                    found.append((start, claim))
                    on_page[base + start] = claim
            statement = parse.link(sentence, previous, found, statement)
            statement = parse.link_points(sentence, found, statement)
            previous = sentence
        statement = _link_page(doc, page, run, sentences, on_page, section, statement)
        claims += [on_page[offset] for offset in sorted(on_page)]
    return claims


def _link_page(
    doc: Document,
    page: Page,
    run: _Run,
    sentences: list[tuple[int, int, str, int]],
    on_page: dict[int, Claim],
    section: str,
    first_id: int,
) -> int:
    """Mark the numbers of each page-level statement (a score and its grade, grade counts, a balance, the
    vehicles) with one statement id and their roles; a number the sentence reader gave no claim (no subject
    before it) gets one named by its role. Returns the next free statement id."""
    next_id = first_id
    for linked in parse.page_statements(run.text):
        members = []
        for number in linked:
            claim = on_page.get(number.start) or _role_claim(doc, page, run, sentences, number, section)
            if claim is None or claim.role is not None and claim.role != number.role:
                break  # a number already playing another role: the statement is not read
            members.append((claim, number))
        else:
            for claim, number in members:
                on_page[number.start] = claim
                claim.statements.append(next_id)
                claim.role = number.role  # type: ignore[assignment]
                claim.grade = number.grade  # type: ignore[assignment]
            next_id += 1
    return next_id


def _role_claim(
    doc: Document,
    page: Page,
    run: _Run,
    sentences: list[tuple[int, int, str, int]],
    number: parse.Linked,
    section: str,
) -> Claim | None:
    base, _, sentence, ordinal = next(s for s in sentences if s[0] <= number.start < s[1])
    printed = run.text[number.start : number.end]
    kind: ClaimKind = "amount" if number.unit in ("万元", "亿元", "元") else "count"
    fact = _text_fact(
        doc, page, run.locate(number.start, number.end), printed, number.unit, number.role, kind, sentence
    )
    if fact is None:
        return None
    start, end = number.start - base, number.end - base
    return Claim(
        kind=kind,
        subject=number.role,
        value=fact,
        section=section or None,
        clause=parse.clause_of(sentence, start, end),
        topics=topics(number.role),
        sentence=ordinal,
        marks=parse.marks(sentence),
    )


def extract_heading_years(doc: Document) -> list[HeadingYear]:
    """The years printed in part titles and scope sentences (NAR-23 compares them with the report year)."""
    return [
        HeadingYear(page=page.number, phrase=phrase, year=year)
        for page in doc.pages
        for phrase, year in parse.heading_years(page.text)
    ]


def _claim(
    doc: Document, page: Page, run: _Run, sentence: str, base: int, m: re.Match[str], section: str
) -> Claim | None:
    reading = parse.read_number(sentence, m)
    if reading is None:
        return None
    context = reading.context
    bbox = run.locate(base + m.start("num"), base + m.end("num"))
    fact = _text_fact(doc, page, bbox, m.group("num"), reading.unit, reading.subject, reading.kind, sentence)
    if fact is None:
        return None
    return Claim(
        kind=reading.kind,  # type: ignore[arg-type]
        subject=reading.subject,
        value=fact,
        direction=reading.direction,  # type: ignore[arg-type]
        section=section or None,
        qualifier=reading.qualifier,
        clause=context.clause,
        scope=context.scope,
        parts=context.parts,
        base=context.base,
        whole=context.whole,  # type: ignore[arg-type]
        change_subject=context.change_subject,
        ambiguity=context.ambiguity,
        listed=context.listed,
        topics=topics(reading.subject),
        marks=context.marks,
        component=context.component,  # type: ignore[arg-type]
        class_code=context.class_code,
        sangong_item=context.sangong_item,  # type: ignore[arg-type]
        sangong=context.sangong,  # type: ignore[arg-type]
        sangong_sum=context.sangong_sum,  # type: ignore[arg-type]
        sangong_half=context.sangong_half,  # type: ignore[arg-type]
    )


def _ratio(
    doc: Document, page: Page, run: _Run, sentence: str, base: int, m: re.Match[str], section: str
) -> Claim | None:
    """A multiplier stated without a unit: "杠杆率 9.08", "带动消费倍率为 23.78 倍"."""
    subject = compact(m.group(0)[: m.start("ratio") - m.start()]).rstrip("为达到了")
    bbox = run.locate(base + m.start("ratio"), base + m.end("ratio"))
    fact = _text_fact(doc, page, bbox, m.group("ratio"), "倍", subject, "ratio", sentence)
    if fact is None:
        return None
    clause = parse.clause_of(sentence, m.start(), m.end())
    return Claim(
        kind="ratio",
        subject=subject,
        value=fact,
        section=section or None,
        clause=clause,
        topics=topics(subject),
        marks=parse.marks(sentence),
    )


def _text_fact(
    doc: Document,
    page: Page,
    bbox: tuple[float, float, float, float] | None,
    printed: str,
    unit: str,
    subject: str,
    kind: str,
    sentence: str,
) -> Fact | None:
    """A number stated in prose, with its sentence as the text span."""
    parsed = parse_amount(printed)
    if parsed is None:
        return None
    value, decimals = parsed
    return Fact(
        printed=printed,
        value=value,
        unit=unit,
        decimals=decimals,
        value_yuan=to_yuan(value, unit),
        provenance=Provenance(
            doc_id=doc.doc_id,
            page=page.number,
            bbox=bbox,
            table_id="NAR",
            row_label=subject,
            column=kind,
            text_span=sentence.strip()[:300],
        ),
    )


def extract_disclosed(doc: Document, meta: Meta) -> list[Disclosed]:
    """The disclosure elements the text contains (schemas.vocabulary.DISCLOSURE_KEYS): the sections of the
    情况说明 (COMP-06), the 三公 and 政府采购 details (COMP-07, COMP-09), the 名词解释 part and its terms
    (COMP-11), a sentence saying no 政府性基金 was spent (COMP-04), the department named on the cover (COMP-10)."""
    texts = {p.number: p.text for p in doc.pages}
    whole = "".join(texts.values())
    joined = whole.replace("\n", "")
    out = [
        Disclosed(key=f"section:{k}") for k, pattern in v.TEXT_SECTIONS.items() if re.search(pattern, whole)
    ]
    out += [
        Disclosed(key=f"三公:{k}") for k, pattern in v.SANGONG_DETAILS.items() if re.search(pattern, joined)
    ]
    out += [
        Disclosed(key=f"采购:{k}")
        for k, pattern in v.PROCUREMENT_DETAILS.items()
        if re.search(pattern, joined)
    ]
    ordered = sorted(texts.items())
    procurement = next((p for p, t in ordered if "政府采购" in t and "支出" in t), None)
    if procurement is not None:
        out.append(Disclosed(key="政府采购", page=procurement))
    no_fund = next((p for p, t in ordered if re.search(v.NO_FUND_SPENDING, t)), None)
    if no_fund is not None:
        out.append(Disclosed(key="无政府性基金支出", page=no_fund))
    out += [Disclosed(key="说明缺漏", page=p) for p, t in ordered if re.search(v.NOTE_GAP, compact(t))]
    if meta.department:
        core = re.sub(r"[（(]本级[)）]", "", meta.department)
        firsts = list(texts.values())
        if core in compact("".join(firsts[:2])) or any(core in compact(t) for t in firsts[:4]):
            out.append(Disclosed(key="部门见封面"))
    heads = [p for p, t in ordered if re.search(v.GLOSSARY_HEAD, t)]
    if heads:
        start = heads[-1]
        glossary = "".join(t for p, t in ordered if start <= p <= start + 2).replace("\n", "")
        glossary = glossary[glossary.find("名词解释") :]
        out.append(Disclosed(key="名词解释", page=start))
        out += [
            Disclosed(key=f"名词解释:{k}", page=start)
            for k, pattern in v.GLOSSARY_TERMS.items()
            if re.search(pattern, glossary)
        ]
    return out
