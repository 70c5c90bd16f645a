"""A stand-in for service.qa.Engine, for the app's tests: it answers from the stored facts of the
ingested reports (so citations carry real pages and boxes) but knows only a few table words."""

from __future__ import annotations

from schemas.answer import CANNOT_ANSWER, Answer, AnswerFact, Citation
from service.config import Settings
from service.export import fact_rows
from service.registry import Registry
from service.store import ReportStore

# question word → tables whose total answers it (the real engine has a lexicon; this is a fake)
TABLES = {"三公": ("T07", "B08"), "收支总计": ("T01", "B01")}


class FactEngine:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.asked: list[tuple[str, str | None]] = []

    def ask(self, question: str, doc: str | None = None) -> Answer:
        self.asked.append((question, doc))
        registry = Registry(self.settings.registry_path)
        doc_ids = registry.resolve(doc) if doc else list(registry.entries)
        store = ReportStore(self.settings.reports_dir)
        tables = next((t for word, t in TABLES.items() if word in question), ())
        for doc_id in doc_ids:
            analysis = store.load(doc_id)
            if analysis is None:
                continue
            for row in fact_rows(analysis.report):
                if row["table_id"] in tables and row["unit"] and row["bbox"]:
                    return _answer(question, row)
        return Answer(question=question, answer=CANNOT_ANSWER, answerable=False)


def _answer(question: str, row: dict) -> Answer:
    text = f"{row['table_title']}中{row['column']}为 {row['value']} {row['unit']}（第{row['page']}页）。"
    return Answer(
        question=question,
        answer=text,
        citations=[
            Citation(
                doc=row["doc"], doc_id=row["doc_id"], page=row["page"], bbox=row["bbox"], quote=row["value"]
            )
        ],
        facts=[
            AnswerFact(
                doc_id=row["doc_id"],
                table_id=row["table_id"],
                row=row["row"],
                column=row["column"],
                value=row["value"],
                unit=row["unit"],
                page=row["page"],
                bbox=row["bbox"],
                status=row["status"],
            )
        ],
    )
