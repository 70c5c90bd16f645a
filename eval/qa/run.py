"""Run the QA set through the engine and print the score per question type.

``python -m eval.qa.run`` ingests the four fixtures into a temporary data directory first;
``python -m eval.qa.run DATA_DIR`` answers from an existing one (the fixtures ingested there)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from eval.qa import score as scoring
from schemas.answer import CANNOT_ANSWER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def answer_all(engine: Any, questions: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each question asked of its fixture (cross-report ones of every document), in order."""
    ids = fixture_ids(engine)
    pairs = []
    for q in questions:
        doc = ids[q["fixture"]] if q["fixture"] else None
        pairs.append((q, engine.ask(q["question"], doc=doc).model_dump(mode="json")))
    return pairs


def fixture_ids(engine: Any) -> dict[str, str]:
    return {Path(d.file_name).stem: d.doc_id for d in engine.documents().values()}


HELDOUT = Path(__file__).resolve().parent / "heldout.jsonl"


def evaluate(engine: Any, path: Path = scoring.QUESTIONS) -> scoring.Score:
    docs = engine.documents()
    stems = {d.doc_id: Path(d.file_name).stem for d in docs.values()}

    def page_text(doc_id: str, page: int) -> str:
        return docs[doc_id].report.text_pages.get(page, "")

    pairs = answer_all(engine, scoring.load_questions(path))
    return scoring.score(pairs, stems.__getitem__, page_text, CANNOT_ANSWER)


def report(result: scoring.Score) -> str:
    out = [result.table()]
    if result.failures:
        out.append("wrong or without a gold page:")
        out += [f"  {f}" for f in result.failures]
    if result.ungrounded:
        out.append("numbers not grounded in a fact, a cited page or the calculation:")
        out += [f"  {f}" for f in result.ungrounded]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    from service.config import Settings
    from service.qa import Engine

    if argv:
        engine = Engine(Settings(BUDGETQA_DATA_DIR=Path(argv[0])))
        print(report(evaluate(engine)))
        print("held out (written after the engine was tuned, never tuned on):")
        print(report(evaluate(engine, HELDOUT)))
        return 0
    from service import ingest

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(BUDGETQA_DATA_DIR=Path(tmp))
        ingest.ingest(sorted(FIXTURES.glob("*.pdf")), settings)
        engine = Engine(settings)
        print(report(evaluate(engine)))
        print("held out (written after the engine was tuned, never tuned on):")
        print(report(evaluate(engine, HELDOUT)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
