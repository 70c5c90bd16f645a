"""Retrieval evaluation: for each question in eval/questions.json, is a chunk from a right page
in the top k (searching within that question's report)? Also reported without the filter.

Run: ``python eval/retrieval.py`` (ingests the fixtures into a temporary data directory).
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from service import ingest
from service.config import Settings
from service.index import Index

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"


@dataclass
class Result:
    qid: str
    question: str
    expected: list[int]
    got: list[str]
    hit: bool


def load_questions() -> list[dict]:
    return json.loads((HERE / "questions.json").read_text(encoding="utf-8"))


def evaluate(index: Index, doc_ids: dict[str, str], k: int = 5, filtered: bool = True) -> list[Result]:
    results = []
    for q in load_questions():
        doc_id = doc_ids[q["fixture"]]
        hits = index.search(q["question"], k=k, doc_ids=[doc_id] if filtered else None)
        pages = [
            (h.metadata["doc_id"], p)
            for h in hits
            for p in range(h.metadata["page_start"], h.metadata["page_end"] + 1)
        ]
        hit = any(d == doc_id and p in q["pages"] for d, p in pages)
        got = [f"{h.metadata['file_name'].split('_')[0]}:{h.pages}" for h in hits]
        results.append(Result(q["id"], q["question"], q["pages"], got, hit))
    return results


def build_index(data_dir: Path) -> tuple[Index, dict[str, str]]:
    settings = Settings(BUDGETQA_DATA_DIR=data_dir)
    outcomes = ingest.ingest(sorted(FIXTURES.glob("*.pdf")), settings)
    doc_ids = {o.path.stem: o.doc_id for o in outcomes}
    return Index(settings), doc_ids


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        index, doc_ids = build_index(Path(tmp))
        for filtered in (True, False):
            results = evaluate(index, doc_ids, filtered=filtered)
            label = "within the question's report" if filtered else "across all four reports"
            print(f"top-5 page hits {label}: {sum(r.hit for r in results)}/{len(results)}")
            for r in results:
                if not r.hit:
                    print(f"  miss {r.qid} {r.question} expected pages {r.expected}, got {r.got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
