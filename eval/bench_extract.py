"""Extraction and checking benchmark, side by side with ingest, per fixture, in one run.

Run: ``python -m eval.bench_extract`` — ingest (read + chunk + index), extract (--llm never, from the
read document) and check, median of 3 runs each; the largest fixture is marked. Then read + extract
pages/s per rule style side by side (ruled, horizontal-only, borderless: the tabbed seeds rendered by
the fixture builder, plus the committed layout-variety renderings by rule style), with the
borderless/ruled ratio (issue 7 asks for the borderless path within 2× the ruled one).
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


def pages_per_second(paths: list[Path], rounds: int = 3) -> tuple[int, float]:
    """Pages and pages/s of read + extract over ``paths``, median of ``rounds`` passes."""
    pages = 0
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        pages = 0
        for path in paths:
            doc = pdf.read_pdf(path)
            extract_report(doc)
            pages += doc.page_count
        times.append(time.perf_counter() - start)
    return pages, pages / statistics.median(times)


def bench_styles() -> None:
    import json

    from eval.fixtures import build
    from eval.fixtures.variety import generate

    tabbed = ("jiaozuo_2021_final", "yangquan_2022_final", "zhumadian_2024_budget")
    committed = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(generate.COMMITTED.glob("*.json"))]
    print(f"\n{'style':<14}{'builder pages':>14}{'pages/s':>9}{'variety pages':>15}{'pages/s':>9}")
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for style, rules in (("ruled", "grid"), ("horizontal", "horizontal"), ("borderless", "none")):
            paths = [
                build.render_pdf(
                    (build.SEEDS / build.FIXTURES[n][0]).read_text(encoding="utf-8"),
                    style,
                    Path(tmp) / f"{n}-{style}.pdf",
                )
                for n in tabbed
            ]
            pages, rate = pages_per_second(paths)
            variety = [generate.COMMITTED / f"{s['name']}.pdf" for s in committed if s["rules"] == rules]
            v_pages, v_rate = pages_per_second(variety)
            rates[style] = rate
            print(f"{style:<14}{pages:>14}{rate:>9.1f}{v_pages:>15}{v_rate:>9.1f}")
    print(
        f"borderless takes {rates['ruled'] / rates['borderless']:.2f}× the time per page of ruled (builder renderings)"
    )


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
    bench_styles()
    return 0


if __name__ == "__main__":
    sys.exit(main())
