"""`budgetqa eval`: every dataset under eval/ scored in one run, one table printed, report.md and
report.json written, and each figure compared with the previous report in the same folder.

Sections: extraction (gold fields by value / unit / page, per fixture and table; the variety corpus
per layout style), checker (mutation recall, false errors on clean documents, findings per
document), qa (accuracy per question type, citation precision, abstention), retrieval (right page in
top 1 / top 5), speed (pages/s per stage, QA latency, LLM tokens and cost per report). Metric
functions are in eval/metrics.py; thresholds in eval/thresholds.json.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval import metrics

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GOLD = HERE / "gold"
THRESHOLDS = HERE / "thresholds.json"
SECTIONS = ("extraction", "checker", "qa", "retrieval", "speed")
NAMES = ["jiaozuo_2021_final", "jiefangqu_2023_final", "yangquan_2022_final", "zhumadian_2024_budget"]


class Run:
    """What the sections share: the fixtures read, extracted and checked once (timed), and one data
    directory with the four fixtures ingested for answers and retrieval."""

    def __init__(self, llm: str, data_dir: Path) -> None:
        self.llm = llm
        self.data_dir = data_dir
        self.timings: dict[str, float] = defaultdict(float)
        self.pages = 0
        self._analysed: dict[str, tuple[Any, Any, Any]] = {}
        self._settings: Any = None
        self._word: list[tuple[str, str, Any, Any]] | None = None

    def timed(self, stage: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[stage] += time.perf_counter() - start

    def analysed(self, name: str) -> tuple[Any, Any, Any]:
        """(document, report, check result) of one fixture."""
        if name not in self._analysed:
            from service import pdf
            from service.check import check_report
            from service.extract import extract_report

            doc = self.timed("read", lambda: pdf.read_pdf(FIXTURES / f"{name}.pdf"))
            self.pages += doc.page_count
            report = self.timed("extract", lambda: extract_report(doc))
            result = self.timed("check", lambda: check_report(report))
            self._analysed[name] = (doc, report, result)
        return self._analysed[name]

    def word(self) -> list[tuple[str, str, Any, Any]]:
        """(fixture, rendering name, report, check result) of each Word-drawn report
        (eval/precision/office: LibreOffice's drawing of whole reports, ruled and borderless)."""
        if self._word is None:
            from eval.precision import office
            from service import pdf
            from service.check import check_report
            from service.extract import extract_report

            self._word = []
            for fixture, _, path in office.renderings():
                report = extract_report(pdf.read_pdf(path))
                self._word.append((fixture, path.stem, report, check_report(report)))
        return self._word

    def settings(self) -> Any:
        if self._settings is None:
            from service import ingest
            from service.config import Settings

            self._settings = Settings(BUDGETQA_DATA_DIR=self.data_dir)
            paths = [FIXTURES / f"{n}.pdf" for n in NAMES]
            outcomes = self.timed("ingest", lambda: ingest.ingest(paths, self._settings))
            failed = [str(o.error) for o in outcomes if o.error is not None]
            if failed:
                raise RuntimeError("fixtures failed to ingest: " + "; ".join(failed))
        return self._settings


# ------------------------------------------------------------------ extraction


def extraction(run: Run) -> dict[str, Any]:
    from eval.label import unconfirmed
    from eval.score_extraction import candidates, same_value
    from service.export import fact_rows

    per_fixture: dict[str, Any] = {}
    per_table: dict[str, list[tuple[dict, dict | None]]] = defaultdict(list)
    everything: list[tuple[dict, dict | None]] = []
    for name in NAMES:
        labelled = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
        if unconfirmed(labelled):
            raise ValueError(
                f"eval/gold/{name}.json has {unconfirmed(labelled)} unconfirmed fields (a label skeleton)"
            )
        gold = labelled["fields"]
        rows = fact_rows(run.analysed(name)[1])
        pairs = []
        for g in gold:
            found = candidates(g, rows)
            best = next((r for r in found if same_value(str(g["value"]), str(r["value"]))), None)
            pairs.append((g, best or (found[0] if found else None)))
            per_table[g["table_id"]].append(pairs[-1])
        everything += pairs
        per_fixture[name] = _field_figures(metrics.score_fields(pairs))
    return {
        **_field_figures(metrics.score_fields(everything)),
        "fixtures": per_fixture,
        "tables": {t: round(metrics.score_fields(p).accuracy, 4) for t, p in sorted(per_table.items())},
        "variety": variety(),
        "word": word_reports(run),
    }


def word_reports(run: Run) -> dict[str, Any]:
    """Gold fields (pages not compared: Word breaks pages elsewhere) on the Word-drawn reports."""
    from eval import score_extraction

    scores = []
    for fixture, name, report, _ in run.word():
        gold = json.loads((score_extraction.GOLD / f"{fixture}.json").read_text(encoding="utf-8"))["fields"]
        scores.append(score_extraction.score_report(name, gold, report, pages=False))
    total, matched = sum(s.total for s in scores), sum(s.matched for s in scores)
    return {
        "renderings": len(scores),
        "accuracy": round(metrics.ratio(matched, total), 4),
        "wrong": sum(s.wrong for s in scores),
        "reports": {s.fixture: round(s.accuracy, 4) for s in scores},
    }


def _field_figures(score: metrics.FieldScore) -> dict[str, Any]:
    return {
        "fields": score.total,
        "accuracy": round(score.accuracy, 4),
        "value": round(metrics.ratio(score.value, score.total), 4),
        "unit": round(metrics.ratio(score.unit, score.total), 4),
        "page": round(metrics.ratio(score.page, score.total), 4),
        "wrong": score.wrong,
    }


HELDOUT_SEED, HELDOUT_N = 101, 32  # fresh renderings no reader was tuned on (the PyMuPDF half)


def variety() -> dict[str, Any]:
    """Printed-cell accuracy on the committed variety renderings (eval/fixtures/variety/pdf: every
    report, rule style and both producers), overall and per rule style; and the same figures on
    renderings drawn now from a seed nobody tuned the readers on (``held_out``)."""
    from eval import variety as corpus
    from eval.fixtures.variety import generate

    figures = _variety_figures(corpus.score_generated(generate.COMMITTED))
    with tempfile.TemporaryDirectory(prefix="budgetqa-heldout-") as tmp:
        for item in generate.plan(HELDOUT_SEED, HELDOUT_N):
            if item["producer"] == "pymupdf":  # LibreOffice is not needed to run the evaluation
                generate.render_one(item, Path(tmp))
        figures["held_out"] = {"seed": HELDOUT_SEED, **_variety_figures(corpus.score_generated(Path(tmp)))}
    return figures


def _variety_figures(results: list[Any]) -> dict[str, Any]:
    from eval import variety as corpus

    overall = corpus.summary(results)
    parameters = corpus.by_parameter(results)
    styles = parameters.get("layout.rules", {})
    producers = parameters.get("producer", {})
    return {
        "renderings": overall["renderings"],
        "cells": overall["cells"],
        "accuracy": round(overall["accuracy"], 4),
        "performance_accuracy": round(overall["performance_accuracy"], 4),
        "wrong_value": overall["wrong_value"],
        "wrong_column": overall["wrong_column"],
        "styles": {style: round(metrics.ratio(m, t), 4) for style, (m, t) in sorted(styles.items())},
        "producers": {name: round(metrics.ratio(m, t), 4) for name, (m, t) in sorted(producers.items())},
    }


# ------------------------------------------------------------------ checker


def checker(run: Run) -> dict[str, Any]:
    from eval import mutations
    from eval.known_errors import allowed_error, judge
    from service.check import check_report

    caught = total = 0
    missed: list[str] = []
    false_errors: list[str] = []
    findings: dict[str, dict[str, int]] = {}
    for name in NAMES:
        _, report, before = run.analysed(name)
        counts = Counter(f.severity for f in before.findings if f.outcome == "FAIL")
        findings[name] = {"errors": counts["error"], "warnings": counts["warning"]}
        false_errors += [
            f"{name} {f.rule_id} p{f.pages}: {f.message}"
            for f in before.findings
            if f.outcome == "FAIL" and f.severity == "error" and not allowed_error(name, f)
        ]
        for m in mutations.generate(name):
            total += 1
            if mutations.caught(before, check_report(mutations.apply_to_report(report, m)), m.page):
                caught += 1
            else:
                missed.append(f"{m.name} {m.label}")
    corpus_errors, corpus_missed, variants = precision_corpus()
    false_errors += corpus_errors
    word_errors: list[str] = []
    word_missed: list[str] = []
    for fixture, name, _, result in run.word():
        extra, lost = judge(fixture, result.findings, by_page=False)
        word_errors += [f"{name} {e}" for e in extra]
        word_missed += [f"{name} {m}" for m in lost]
    return {
        "recall": round(metrics.ratio(caught, total), 4),
        "precision_corpus_variants": variants,
        "known_inconsistencies_missed": len(corpus_missed),
        "known_missed_list": corpus_missed,
        "mutations": total,
        "missed": missed,
        "false_errors": len(false_errors),
        "false_error_list": false_errors,
        "findings_per_document": findings,
        "word_false_errors": len(word_errors),
        "word_false_error_list": word_errors,
        "word_known_missed": len(word_missed),
        "word_known_missed_list": word_missed,
    }


def precision_corpus() -> tuple[list[str], list[str], int]:
    """Each fixture's 情况说明 in its three paraphrased phrasings (eval/precision), rendered and checked:
    (errors beyond §7A, §7A items not found, variants)."""
    from eval.known_errors import judge
    from eval.precision import paraphrase
    from service import pdf
    from service.check import check_report
    from service.extract import extract_report

    errors: list[str] = []
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="budgetqa-precision-") as tmp:
        for name in NAMES:
            for variant in paraphrase.VARIANTS:
                path = paraphrase.render(name, variant, Path(tmp))
                extra, lost = judge(
                    name, check_report(extract_report(pdf.read_pdf(path))).findings, by_page=False
                )
                errors += [f"{path.name} {e}" for e in extra]
                missed += [f"{path.name} {m}" for m in lost]
    return errors, missed, len(NAMES) * len(paraphrase.VARIANTS)


# ------------------------------------------------------------------ qa


def qa(run: Run) -> dict[str, Any]:
    from eval.qa import score as scoring
    from schemas.answer import CANNOT_ANSWER
    from service.qa import Engine

    engine = Engine(run.settings())
    docs = engine.documents()
    stem_of = {d.doc_id: Path(d.file_name).stem for d in docs.values()}
    ids = {stem: doc_id for doc_id, stem in stem_of.items()}
    pairs, latencies = [], []
    for q in scoring.load_questions():
        start = time.perf_counter()
        answer = engine.ask(q["question"], doc=ids[q["fixture"]] if q["fixture"] else None)
        latencies.append((time.perf_counter() - start) * 1000)
        pairs.append((q, answer.model_dump(mode="json")))

    def page_text(doc_id: str, page: int) -> str:
        return str(docs[doc_id].report.text_pages.get(page, ""))

    result = scoring.score(pairs, stem_of.__getitem__, page_text, CANNOT_ANSWER)
    precision = [
        metrics.citation_precision(
            [c["page"] for c in a["citations"] if stem_of.get(c["doc_id"]) in scoring.gold_pages(q)],
            [p for pages in scoring.gold_pages(q).values() for p in pages],
        )
        if all(stem_of.get(c["doc_id"]) in scoring.gold_pages(q) for c in a["citations"])
        else 0.0
        for q, a in pairs
        if q.get("answerable", True) and a["citations"]
    ]
    good, n = result.total
    return {
        "accuracy": round(metrics.ratio(good, n), 4),
        "questions": n,
        "by_type": {k: round(metrics.ratio(sum(v), len(v)), 4) for k, v in sorted(result.by_type.items())},
        "citation_precision": round(sum(precision) / len(precision), 4) if precision else 0.0,
        "abstention": round(
            metrics.abstention_accuracy(
                (q.get("answerable", True), not scoring.declined(a, CANNOT_ANSWER)) for q, a in pairs
            ),
            4,
        ),
        "ungrounded": len(result.ungrounded),
        "failures": result.failures,
        "latency_ms": {
            "p50": round(metrics.percentile(latencies, 50), 1),
            "p95": round(metrics.percentile(latencies, 95), 1),
        },
    }


# ------------------------------------------------------------------ retrieval


def retrieval(run: Run) -> dict[str, Any]:
    from eval import retrieval as dataset
    from service.index import Index
    from service.registry import Registry

    settings = run.settings()
    index = Index(settings)
    doc_ids = {Path(e.file_name).stem: d for d, e in Registry(settings.registry_path).entries.items()}
    top1 = dataset.evaluate(index, doc_ids, k=1)
    top5 = dataset.evaluate(index, doc_ids, k=5)
    return {
        "questions": len(top5),
        "top1": round(metrics.ratio(sum(r.hit for r in top1), len(top1)), 4),
        "top5": round(metrics.ratio(sum(r.hit for r in top5), len(top5)), 4),
    }


# ------------------------------------------------------------------ speed and cost


def speed(run: Run, qa_section: dict[str, Any] | None) -> dict[str, Any]:
    for name in NAMES:
        run.analysed(name)
    run.settings()
    stages = {
        stage: round(run.pages / seconds, 1)
        for stage in ("read", "extract", "check")
        if (seconds := run.timings[stage])
    }
    ingest_seconds = run.timings["ingest"]
    if ingest_seconds:
        stages["ingest"] = round(run.pages / ingest_seconds, 1)
    total = sum(run.timings[s] for s in ("read", "extract", "check"))
    used = [_tokens(run.analysed(n)[1]) for n in NAMES]
    tokens_in = sum(u[0] for u in used) / len(used)
    tokens_out = sum(u[1] for u in used) / len(used)
    return {
        "pages": run.pages,
        "pages_per_s": round(run.pages / total, 1) if total else 0.0,
        "stages_pages_per_s": stages,
        "qa_latency_ms": (qa_section or {}).get("latency_ms", {}),
        "llm_tokens_per_report": round(tokens_in + tokens_out, 1),
        "cost_usd_per_report": _cost(run, tokens_in, tokens_out),
    }


def _tokens(report: Any) -> tuple[int, int]:
    llm = report.meta.llm
    return (int(llm.input_tokens or 0), int(llm.output_tokens or 0)) if llm is not None else (0, 0)


def _cost(run: Run, tokens_in: float, tokens_out: float) -> float:
    """USD from the price table in settings (per million input / output tokens of the chat model)."""
    if not tokens_in and not tokens_out:
        return 0.0
    settings = run.settings()
    price = settings.llm_prices.get(settings.chat_model)
    return round((tokens_in * price[0] + tokens_out * price[1]) / 1e6, 4) if price else 0.0


# ------------------------------------------------------------------ the run


def evaluate(only: list[str] | None = None, llm: str = "never") -> dict[str, Any]:
    wanted = only or list(SECTIONS)
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    with tempfile.TemporaryDirectory(prefix="budgetqa-eval-") as tmp:
        run = Run(llm, Path(tmp))
        report: dict[str, Any] = {"mode": llm}
        for name, fn in (
            ("extraction", extraction),
            ("checker", checker),
            ("qa", qa),
            ("retrieval", retrieval),
        ):
            if name in wanted:
                report[name] = fn(run)
        if "speed" in wanted:
            report["speed"] = speed(run, report.get("qa"))
    return report


def thresholds() -> dict[str, dict[str, float]]:
    """Per metric: ``floor`` (the run fails under it) and ``target`` (what its issue asks; a miss is
    reported, and fails too once the floor is raised to it). A bare number is both."""
    raw = json.loads(THRESHOLDS.read_text(encoding="utf-8"))
    out = {}
    for key, value in raw.items():
        if key.startswith("_"):
            continue
        if isinstance(value, dict):
            out[key] = {"floor": float(value["floor"]), "target": float(value["target"])}
        else:
            out[key] = {"floor": float(value), "target": float(value)}
    return out


def below(report: dict[str, Any], limits: dict[str, dict[str, float]], level: str = "floor") -> list[str]:
    """Thresholds not met, as lines; a figure absent from the report (section not run) is skipped."""
    flat = metrics.flatten(report)
    out = []
    for key, limit in limits.items():
        if key not in flat:
            continue
        bound = limit[level]
        lower = any(word in key for word in metrics.LOWER_IS_BETTER)
        if (flat[key] > bound) if lower else (flat[key] < bound):
            name = "threshold" if level == "floor" else "target"
            out.append(f"{key} = {flat[key]} ({'above' if lower else 'below'} the {name} {bound})")
    return out


HEADLINE = [
    ("extraction.accuracy", "extraction: gold fields exact (value, unit, page)", "pct"),
    ("extraction.value", "  value right", "pct"),
    ("extraction.unit", "  unit right", "pct"),
    ("extraction.page", "  page right", "pct"),
    ("extraction.wrong", "  wrong values (found under the key, different)", "int"),
    ("extraction.variety.accuracy", "variety corpus: printed cells exact", "pct"),
    ("extraction.variety.performance_accuracy", "  绩效 indicator cells exact", "pct"),
    ("extraction.variety.wrong_column", "  values under another row or column", "int"),
    ("extraction.variety.held_out.accuracy", "variety held out (fresh seed): printed cells exact", "pct"),
    ("extraction.variety.held_out.performance_accuracy", "  绩效 indicator cells exact", "pct"),
    ("extraction.variety.held_out.wrong_column", "  values under another row or column", "int"),
    ("extraction.word.accuracy", "Word-drawn reports (held out): gold fields exact", "pct"),
    ("extraction.word.wrong", "  wrong values", "int"),
    ("checker.recall", "checker: mutations caught", "pct"),
    ("checker.false_errors", "checker: false errors (fixtures + paraphrase corpus)", "int"),
    ("checker.known_inconsistencies_missed", "checker: §7A items missed in the paraphrase corpus", "int"),
    ("checker.word_false_errors", "checker: false errors on the Word-drawn reports (held out)", "int"),
    ("checker.word_known_missed", "  §7A items missed there", "int"),
    ("qa.accuracy", "qa: correct with a gold page cited", "pct"),
    ("qa.citation_precision", "qa: citation precision", "pct"),
    ("qa.abstention", "qa: abstention accuracy", "pct"),
    ("qa.ungrounded", "qa: answers with an ungrounded number", "int"),
    ("retrieval.top1", "retrieval: right page top 1", "pct"),
    ("retrieval.top5", "retrieval: right page top 5", "pct"),
    ("speed.pages_per_s", "speed: pages/s (read + extract + check)", "num"),
    ("speed.stages_pages_per_s.ingest", "speed: pages/s ingest (worker, index, store)", "num"),
    ("speed.qa_latency_ms.p50", "speed: QA latency p50 ms", "num"),
    ("speed.qa_latency_ms.p95", "speed: QA latency p95 ms", "num"),
    ("speed.llm_tokens_per_report", "cost: LLM tokens per report", "num"),
    ("speed.cost_usd_per_report", "cost: USD per report", "num"),
]


def table_rows(report: dict[str, Any], previous: dict[str, Any] | None) -> list[tuple[str, str, str, str]]:
    """(label, value, previous, mark) for every headline figure the report has, plus per-type QA and
    per-fixture extraction lines."""
    flat = metrics.flatten(report)
    before = metrics.flatten(previous) if previous else {}
    worse = set(metrics.regressions(before, flat, slack=0.25))
    rows = []
    fixtures = [(f"extraction.fixtures.{n}.accuracy", f"  {n}", "pct") for n in NAMES]
    styles = sorted((report.get("extraction") or {}).get("variety", {}).get("styles", {}))
    producers = sorted((report.get("extraction") or {}).get("variety", {}).get("producers", {}))
    variety = [(f"extraction.variety.styles.{s}", f"  rules: {s}", "pct") for s in styles]
    variety += [(f"extraction.variety.producers.{p}", f"  producer: {p}", "pct") for p in producers]
    types = [
        (f"qa.by_type.{t}", f"  {t}", "pct") for t in sorted((report.get("qa") or {}).get("by_type", {}))
    ]
    keys: list[tuple[str, str, str]] = []
    for entry in HEADLINE:
        keys.append(entry)
        keys += {
            "extraction.wrong": fixtures,
            "extraction.variety.accuracy": variety,
            "qa.ungrounded": types,
        }.get(entry[0], [])
    for key, label, kind in keys:
        if key not in flat:
            continue
        mark = "REGRESSION" if key in worse else ""
        old = _shown(before[key], kind) if key in before else "–"
        rows.append((label, _shown(flat[key], kind), old, mark))
    return rows


def _shown(value: float, kind: str) -> str:
    if kind == "pct":
        return f"{100 * value:.2f}%"
    if kind == "int":
        return str(int(value))
    return f"{value:g}"


def markdown(
    report: dict[str, Any], previous: dict[str, Any] | None, failed: list[str], short: Sequence[str] = ()
) -> str:
    lines = ["| metric | value | previous | |", "|---|---:|---:|---|"]
    lines += [
        f"| {label.strip()} | {value} | {old} | {mark} |"
        for label, value, old, mark in table_rows(report, previous)
    ]
    if failed:
        lines += ["", "**Below threshold:**", *[f"- {f}" for f in failed]]
    missed = [f for f in short if f not in {x.replace("threshold", "target") for x in failed}]
    if missed:
        lines += ["", "**Short of the target (issue still open):**", *[f"- {f}" for f in missed]]
    return "\n".join(lines) + "\n"


def write(report: dict[str, Any], out: Path) -> dict[str, Any] | None:
    """report.json and report.md into ``out``; returns the previous report found there."""
    from service import files

    out.mkdir(parents=True, exist_ok=True)
    previous_path = out / "report.json"
    previous = json.loads(previous_path.read_text(encoding="utf-8")) if previous_path.exists() else None
    limits = thresholds()
    failed, short = below(report, limits), below(report, limits, "target")
    files.write_text_atomic(previous_path, json.dumps(report, ensure_ascii=False, indent=1))
    files.write_text_atomic(out / "report.md", markdown(report, previous, failed, short))
    return previous
