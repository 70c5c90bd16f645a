"""Ingest benchmark: pages/s for text parsing, table finding and indexing, side by side.

Run: ``python eval/bench_ingest.py`` — one run over the four fixtures, in a temporary data dir.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from service import chunking, pdf
from service.config import Settings
from service.index import Index

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        index = Index(Settings(BUDGETQA_DATA_DIR=Path(tmp)))
        for path in sorted(FIXTURES.glob("*.pdf")):
            timings: dict[str, float] = {}
            doc = pdf.read_pdf(path, timings=timings)
            start = time.perf_counter()
            chunks = chunking.chunk_document(doc)
            index.add(chunks)
            timings["index"] = time.perf_counter() - start
            rows.append((path.stem, doc.page_count, len(chunks), timings))
        bm25 = 0.0  # the BM25 rows are written by index.add
    print(f"{'fixture':<24}{'pages':>6}{'chunks':>7}{'parse p/s':>11}{'tables p/s':>12}{'index p/s':>11}")
    for name, pages, n_chunks, t in rows:
        print(
            f"{name:<24}{pages:>6}{n_chunks:>7}{pages / t['text']:>11.1f}{pages / t['tables']:>12.1f}{pages / t['index']:>11.1f}"
        )
    total = sum(r[1] for r in rows)
    sums = {k: sum(r[3][k] for r in rows) for k in ("text", "tables", "index")}
    print(
        f"{'all':<24}{total:>6}{sum(r[2] for r in rows):>7}{total / sums['text']:>11.1f}"
        f"{total / sums['tables']:>12.1f}{total / (sums['index'] + bm25):>11.1f}"
    )
    print(
        f"ratios: table finding takes {sums['tables'] / sums['text']:.1f}x the text time; "
        f"indexing (incl. BM25 rebuild {bm25:.2f}s) {(sums['index'] + bm25) / sums['text']:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
