"""Extraction and checking benchmark, side by side with ingest, per fixture, in one run.

Run: ``python eval/bench_extract.py`` — ingest (read + chunk + index), extract (--llm never, from the
read document) and check, median of 3 runs each; the largest fixture is marked.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from service import chunking, pdf
from service.check import check_report
from service.config import Settings
from service.document import Document
from service.extract import extract_report
from service.index import Index

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def timed(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def reindex(index: Index, doc: Document) -> None:
    index.add(chunking.chunk_document(doc))
    index.delete_document(doc.doc_id)


def main() -> int:
    paths = sorted(FIXTURES.glob("*.pdf"))
    largest = max(paths, key=lambda p: p.stat().st_size)
    print(
        f"{'fixture':<26}{'pages':>6}{'ingest s':>10}{'extract s':>11}{'check ms':>10}{'extract/ingest':>16}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        index = Index(Settings(BUDGETQA_DATA_DIR=Path(tmp)))
        for path in paths:
            read_s, doc = timed(partial(pdf.read_pdf, path))
            index_s, _ = timed(partial(reindex, index, doc), 1)
            extract_s, report = timed(partial(extract_report, doc))
            check_s, _ = timed(partial(check_report, report), 5)
            ingest_s = read_s + index_s
            mark = " *" if path == largest else ""
            print(
                f"{path.stem + mark:<26}{doc.page_count:>6}{ingest_s:>10.2f}{read_s + extract_s:>11.2f}"
                f"{1000 * check_s:>10.1f}{(read_s + extract_s) / ingest_s:>16.2f}"
            )
    print(
        "* largest fixture. extract = read + deterministic extraction (--llm never); "
        "ingest = read + chunk + index."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
