"""The deterministic extractor: a read Document becomes a Report, with no LLM and no cost.

Tables are found by title (service.extract.locate), parsed from their grid or from plain lines
(service.extract.tables, service.extract.performance), and the numbers stated in the prose are
read by pattern (service.extract.narrative). Every value is a Fact with its page and box.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from schemas.report import Meta, ParseNote, Performance, Report, Tables, iter_facts
from service.document import Document
from service.extract import form_reader, narrative, performance, tables
from service.extract.common import Maker, fill_blank_decimals
from service.extract.locate import Occurrence, locate, unplaced_parts


def extract_report(doc: Document) -> Report:
    meta = narrative.extract_meta(doc)
    meta.warnings = list(doc.warnings)
    occurrences = form_reader.with_swallowed_titles(doc, locate(doc))
    table_units = [o.unit for o in occurrences if o.unit and o.spec.kind in tables.PARSERS]
    if table_units:
        meta.unit = Counter(table_units).most_common(1)[0][0]
    found = Tables()
    perf = Performance()
    department = meta.department or ""
    notes: list[ParseNote] = []
    forms = form_reader.form_regions(doc, occurrences, form_reader.FORM_KINDS)
    for occ in occurrences:
        _extract_one(occ, doc, meta, found, perf, department, notes, forms.get(id(occ)))
    report = Report(
        meta=meta,
        tables=found,
        performance=perf,
        claims=narrative.extract_claims(doc, meta),
        toc=narrative.extract_toc(doc),
        heading_years=narrative.extract_heading_years(doc),
        disclosed=narrative.extract_disclosed(doc, meta),
        text_pages={p.number: p.text for p in doc.pages},
        parse_notes=notes,
    )
    for table in found.present():
        fill_blank_decimals([f for _, _, f in iter_facts(table)])
    return report


def _extract_one(
    occ: Occurrence,
    doc: Document,
    meta: Meta,
    found: Tables,
    perf: Performance,
    department: str,
    notes: list[ParseNote],
    form: list[form_reader.Piece] | None = None,
) -> None:
    kind, table_id = occ.spec.kind, occ.spec.table_id
    default_unit = meta.unit or "万元"
    try:
        if kind in tables.PARSERS:
            if getattr(found, table_id) is None:
                maker = Maker(doc.doc_id, table_id, tables.unit_for(occ, default_unit), notes)
                setattr(found, table_id, tables.PARSERS[kind](occ, maker))
                notes.extend(_layout_notes(occ, table_id))
            return
        handler = PERFORMANCE.get(kind)
        if handler is not None:
            handler(occ, Maker(doc.doc_id, table_id, occ.unit or "万元"), perf, department, form)
    except Exception as exc:  # a reader bug on one odd table must not cost the report its others
        text = f"{occ.title}：读取此表时出错（{type(exc).__name__}），此表未读取"
        notes.append(ParseNote(kind="unplaced", table_id=table_id, page=occ.page, text=text))


Form = list[form_reader.Piece] | None  # the form's region, read by where its words sit


def _self_evaluation(occ: Occurrence, maker: Maker, perf: Performance, department: str, form: Form) -> None:
    perf.self_evaluations.extend(performance.parse_self_evaluation(occ, maker, department, form))


def _third_party(occ: Occurrence, maker: Maker, perf: Performance, department: str, form: Form) -> None:
    scored = performance.parse_third_party(occ, maker, form)
    if scored is not None:
        perf.third_party.append(scored)


def _targets(occ: Occurrence, maker: Maker, perf: Performance, department: str, form: Form) -> None:
    if perf.targets is None:
        perf.targets = performance.parse_targets(occ, maker, department, form)


def _project_targets(occ: Occurrence, maker: Maker, perf: Performance, department: str, form: Form) -> None:
    if perf.project_targets is None:
        perf.project_targets = performance.parse_project_targets(occ, maker, form)


# 绩效 forms by catalogue kind: a new form is a new entry (its parser lives in performance.py)
PERFORMANCE: dict[str, Callable[[Occurrence, Maker, Performance, str, Form], None]] = {
    "pe": _self_evaluation,
    "pp": _self_evaluation,
    "pt": _third_party,
    "b12": _targets,
    "b13": _project_targets,
}


def _layout_notes(occ: Occurrence, table_id: str) -> list[ParseNote]:
    """What the table reader could not place (cells of columns it could not tell apart): said, as
    those cells are left out rather than guessed."""
    notes = [
        ParseNote(kind="unplaced", table_id=table_id, page=page, text=text)
        for table, page in occ.grids
        for text in table.notes
    ]
    notes += [
        ParseNote(
            kind="unplaced",
            table_id=table_id,
            page=page,
            text=f"{occ.title}：第{page}页续表的列与表头的列对不上，此页的单元格未读取",
        )
        for _, page in unplaced_parts(occ)
    ]
    return notes
