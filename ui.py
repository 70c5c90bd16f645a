"""budgetqa chat app (Gradio): upload reports, ask them questions in Chinese, and see every cited
number boxed on its page; browse the extracted tables with their check status, the checker's
findings, and download the exports.

Run: ``budgetqa ui [--host 127.0.0.1] [--port 7860]`` (or ``python ui.py``) and open the address it
prints. It reads the data directory the CLI uses (BUDGETQA_DATA_DIR) and never re-extracts a report:
facts and findings come from the Reports stored at ingest. Gradio is imported only here.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from schemas.answer import Answer, Citation  # noqa: E402
from schemas.findings import Finding  # noqa: E402
from service import export, pages, review  # noqa: E402
from service.config import Settings, get_settings  # noqa: E402
from service.errors import BudgetQAError, display_name  # noqa: E402
from service.registry import Registry  # noqa: E402
from service.store import Analysis, ReportStore  # noqa: E402

ALL = "__all__"
ALL_LABEL = "全部文档"
STATUS_MARK = {
    "verified": "✓ 已核验",
    "residue": "≈ 尾差内",
    "failed": "✗ 不符",
    "unverified": "？ 未能核验",
    "unchecked": "· 未核验",
}
LEVEL = {"error": "错误", "warning": "警告", "info": "尾差"}
FACT_COLUMNS = ["#", "表", "行", "列", "数值", "单位", "核验", "页码"]
TABLE_COLUMNS = ["#", "行", "列", "数值", "单位", "核验", "页码", "编码"]
FACT_WIDTHS: list[str | int] = ["40px", "48px", "22%", "30%", "80px", "56px", "96px", "72px"]
FINDING_COLUMNS = ["#", "级别", "规则", "说明", "应为", "实为", "页码", "文件"]
STREAM_STEPS = 24  # the answer text arrives in about this many pieces
STREAM_PAUSE = 0.015  # seconds between pieces: visible as typing, under half a second in all

# a click on a citation link becomes a select event carrying the citation's index
CITATION_JS = """
element.addEventListener('click', (event) => {
  const link = event.target.closest('[data-cite]');
  if (!link) return;
  event.preventDefault();
  trigger('select', {index: Number(link.dataset.cite), value: link.textContent});
});
"""
CSS = """
.cite-links a {margin-right: .6em; color: var(--color-accent); cursor: pointer; text-decoration: underline}
.cite-links .quote {color: var(--body-text-color-subdued); font-size: .9em}
"""


class Asker(Protocol):
    """The answering engine (service.qa.Engine): loaded once, asked many times."""

    def ask(self, question: str, doc: str | None = None) -> Answer: ...


EngineFactory = Callable[[Settings], Asker]


def default_engine(settings: Settings) -> Asker:
    from service.qa import Engine  # loads the index and the stored facts: only when first asked

    return Engine(settings)


def mode_label(settings: Settings) -> str:
    return f"LLM：{settings.chat_model}" if settings.llm_enabled else "离线"


def page_label(page: int | None) -> str:
    return f"第{page}页" if page else ""


class App:
    """The app's state and handlers, free of layout so tests can call them directly."""

    def __init__(self, settings: Settings | None = None, engine_factory: EngineFactory | None = None) -> None:
        self.settings = settings or get_settings()
        self.engine_factory = engine_factory or default_engine
        self._engine: Asker | None = None
        self._engine_lock = threading.Lock()
        self._ask_lock = threading.Lock()
        self._analyses: dict[str, Analysis] = {}
        self.scratch = Path(tempfile.mkdtemp(prefix="budgetqa-ui-"))  # rendered pages, exports

    # ------------------------------------------------------------ documents

    def registry(self) -> Registry:
        return Registry(self.settings.registry_path)

    def document_choices(self) -> list[tuple[str, str]]:
        entries = sorted(self.registry().entries.values(), key=lambda e: e.ingested_at)
        return [(ALL_LABEL, ALL)] + [
            (f"{e.file_name}（{e.pages} 页 · {e.doc_id[:8]}）", e.doc_id) for e in entries
        ]

    def doc_ids(self, doc: str | None) -> list[str]:
        entries = self.registry().entries
        if not doc or doc == ALL:
            return sorted(entries, key=lambda d: entries[d].ingested_at)
        return [doc] if doc in entries else []

    def analysis(self, doc_id: str) -> Analysis | None:
        """The stored, checked Report of a document (never re-extracted here). Cached: a document id
        is a content hash, so its report cannot change while this code runs."""
        if doc_id not in self._analyses:
            stored = ReportStore(self.settings.reports_dir).load(doc_id)
            if stored is None:
                return None
            self._analyses[doc_id] = stored
        return self._analyses[doc_id]

    def missing_report(self, doc_id: str) -> str:
        entry = self.registry().entries.get(doc_id)
        name, path = (entry.file_name, entry.path) if entry else (doc_id, doc_id)
        return f"{name}：没有存储的抽取与核验结果（程序更新后需重新生成），请运行 budgetqa check {path}"

    def notice(self) -> str:
        """A warning line when some ingested reports have no stored result for this code version:
        their facts are invisible to answers and tabs until it is regenerated."""
        missing = [e for e in self.registry().entries.values() if self.analysis(e.doc_id) is None]
        if not missing:
            return ""
        paths = " ".join(f"'{e.path}'" for e in missing)
        names = "、".join(e.file_name for e in missing)
        return (
            f"⚠ {len(missing)} 份报告没有当前程序版本的存储结果，问答与报表中看不到它们：{names}。"
            f"请运行 `budgetqa check {paths}` 重新生成。"
        )

    # ------------------------------------------------------------ upload

    def keep_upload(self, path: Path) -> Path:
        """A copy of an uploaded file under the data directory (Gradio's temp copy goes away, and
        pages are rendered from the path the registry records), one folder per content so a new
        version never overwrites the file an older document points at."""
        if not path.is_file() or path.stat().st_size > self.settings.max_file_mb * 1024 * 1024:
            return path  # the ingest says what is wrong with it
        from service import pdf

        target = self.settings.uploads_dir / pdf.file_id(path.read_bytes()) / path.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        return target

    def upload(self, files: Sequence[str] | None, progress: Any = None) -> Iterator[tuple[str, Any]]:
        """Ingest uploaded PDFs one by one (read, extract, check each), yielding the log as it grows.
        A bad file gets its one line; the others go on."""
        from service import ingest

        paths = [Path(f) for f in files or []]
        if not paths:
            yield "请先选择要导入的 PDF 文件。", gr.update()
            return
        try:
            kept = [self.keep_upload(p) for p in paths]
        except OSError as exc:
            yield f"✗ 无法保存上传的文件到数据目录（{exc.strerror or exc}）", gr.update()
            return
        outcomes: queue.Queue[Any] = queue.Queue()

        def run() -> None:
            try:
                ingest.ingest(kept, self.settings, on_file=outcomes.put)
            except BudgetQAError as exc:  # e.g. a read-only data directory: one line for the run
                outcomes.put(exc)
            except Exception as exc:
                outcomes.put(BudgetQAError(f"导入失败（{type(exc).__name__}）"))
            finally:
                outcomes.put(None)

        threading.Thread(target=run, daemon=True).start()
        lines: list[str] = []
        done: list[ingest.Outcome] = []
        while True:
            step = len(done) + 1
            if progress is not None and step <= len(kept):
                progress(
                    len(done) / len(kept),
                    desc=f"{step}/{len(kept)} {kept[step - 1].name}：读取 → 抽取 → 核验",
                )
            yield self._upload_log(lines, kept, done), gr.update()
            try:
                item = outcomes.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is None:
                break
            if isinstance(item, BudgetQAError):
                lines.append(f"✗ {item}")
                continue
            done.append(item)
            lines.append(self.outcome_line(item))
        for outcome in done:  # a failed file's copy is of no use
            if outcome.status == "failed" and self.settings.uploads_dir in outcome.path.parents:
                shutil.rmtree(outcome.path.parent, ignore_errors=True)
        good = [o for o in done if o.status != "failed"]
        if any(o.status in ("ingested", "replaced") for o in good):
            self.reset_engine()  # the engine loaded the documents it knew
        failed = len(done) - len(good)
        lines.append(f"完成：{len(good)} 个可用" + (f"，{failed} 个失败" if failed else ""))
        picker = gr.update(choices=self.document_choices())
        if good:  # show what was just uploaded: that report, or all of them
            picker = gr.update(
                choices=self.document_choices(), value=good[-1].doc_id if len(good) == 1 else ALL
            )
        yield "\n".join(lines), picker

    @staticmethod
    def _upload_log(lines: list[str], kept: list[Path], done: list[Any]) -> str:
        pending = [f"… 正在处理 {kept[len(done)].name}（读取、抽取、核验）"] if len(done) < len(kept) else []
        return "\n".join(lines + pending)

    def outcome_line(self, outcome: Any) -> str:
        name = display_name(outcome.path.name)
        if outcome.error is not None:
            return f"✗ {outcome.error}"
        if outcome.status == "unchanged":
            return f"= {name}：已导入过（内容未变），{outcome.pages} 页"
        verb = "已更新" if outcome.status == "replaced" else "已导入"
        line = f"✓ {name}：{verb}，{outcome.pages} 页，{outcome.tables} 张表（{outcome.seconds:.1f} 秒）"
        analysis = self.analysis(outcome.doc_id)
        if analysis is not None:
            s = review.summary(analysis.check)
            line += f"；核验：错误 {s['errors']} · 警告 {s['warnings']} · 尾差 {s['residues']}"
        if outcome.note:
            line += f"\n  ! {name}：{outcome.note}"
        return line

    # ------------------------------------------------------------ chat

    def engine(self) -> Asker:
        with self._engine_lock:
            if self._engine is None:
                self._engine = self.engine_factory(self.settings)
            return self._engine

    def reset_engine(self) -> None:
        with self._engine_lock:
            self._engine = None

    def answer(self, question: str, doc: str | None) -> Answer | str:
        """The engine's answer, or one line saying why there is none (never a traceback)."""
        try:
            engine = self.engine()
            with self._ask_lock:  # one question at a time: the engine keeps caches it may refresh
                return engine.ask(question, doc=None if not doc or doc == ALL else doc)
        except BudgetQAError as exc:
            return f"无法回答：{exc}"
        except ImportError:
            return "问答引擎未安装（service.qa），无法回答"
        except Exception as exc:
            return f"回答失败（{type(exc).__name__}），请换个问法或稍后再试"

    def chat(
        self, question: str, doc: str | None, history: list[dict[str, Any]] | None
    ) -> Iterator[tuple[Any, ...]]:
        """Yields (textbox, chat history, citation links, facts table, citations, facts) while the
        answer text streams in."""
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            yield "", history, gr.update(), gr.update(), gr.update(), gr.update()
            return
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        yield "", history, "", self.facts_frame([]), [], []
        result = self.answer(question, doc)
        text = result if isinstance(result, str) else answer_text(result)
        step = max(1, len(text) // STREAM_STEPS)
        for end in range(step, len(text), step):
            history[-1] = {"role": "assistant", "content": text[:end]}
            yield "", history, gr.update(), gr.update(), gr.update(), gr.update()
            time.sleep(STREAM_PAUSE)
        history[-1] = {"role": "assistant", "content": text}
        citations = [] if isinstance(result, str) else [c.model_dump() for c in result.citations]
        facts = [] if isinstance(result, str) else result.facts
        yield (
            "",
            history,
            citation_links(citations),
            self.facts_frame(facts),
            citations,
            [f.model_dump(mode="json") for f in facts],
        )

    def facts_frame(self, facts: Sequence[Any]) -> pd.DataFrame:
        rows = [
            [
                str(n),
                f.table_id or "",
                f.row or "",
                f.column or "",
                str(f.value),
                f.unit,
                STATUS_MARK.get(f.status, f.status),
                page_label(f.page),
            ]
            for n, f in enumerate(facts)
        ]
        return pd.DataFrame(rows, columns=FACT_COLUMNS)

    # ------------------------------------------------------------ pages

    def page_file(
        self, doc_id: str, page: int, boxes: Sequence[Sequence[float]], quote: str | None = None
    ) -> Path:
        png = pages.document_page(self.settings, doc_id, page, boxes, quote=quote)
        key = abs(hash((doc_id, page, tuple(tuple(b) for b in boxes), quote)))
        path = self.scratch / f"{doc_id}-p{page}-{key}.png"
        path.write_bytes(png)
        return path

    def show_pages(
        self, doc_id: str, marks: list[tuple[int, list[Any], str]], quote: str | None = None
    ) -> tuple[Any, str]:
        """Gallery items for (page, boxes, caption) on one document, and a caption line; a page
        that cannot be shown is said in the caption instead. A quote is boxed where no box is given."""
        items, problems = [], []
        for page, boxes, caption in marks:
            try:
                items.append((str(self.page_file(doc_id, page, boxes, quote)), caption))
            except BudgetQAError as exc:
                problems.append(str(exc))
        shown = "；".join(caption for _, caption in items)
        return items, "\n\n".join(problems) if problems else shown

    def show_citation(self, index: int, citations: list[dict[str, Any]] | None) -> tuple[Any, str]:
        citations = citations or []
        if not 0 <= index < len(citations):
            return [], "这条引用已不在（请重新提问）"
        c = Citation.model_validate(citations[index])
        boxes = [c.bbox] if c.bbox else []
        caption = f"{c.doc} {page_label(c.page)}" + (f"：{c.quote}" if c.quote else "")
        # a cited sentence has no box of its own: it is found on the page by its text
        return self.show_pages(c.doc_id, [(c.page, boxes, caption)], quote=c.quote)

    def show_answer_fact(
        self, row: Sequence[Any] | None, facts: list[dict[str, Any]] | None
    ) -> tuple[Any, str]:
        picked = _picked(row, facts)
        if picked is None:
            return [], ""
        boxes = [picked["bbox"]] if picked["bbox"] else []
        where = " / ".join(str(x) for x in (picked["table_id"], picked["row"], picked["column"]) if x)
        caption = f"{page_label(picked['page'])}：{where} {picked['value']}{picked['unit']}"
        return self.show_pages(picked["doc_id"], [(picked["page"], boxes, caption)])

    # ------------------------------------------------------------ 报表数据

    def table_choices(self, doc: str | None) -> list[tuple[str, str]]:
        choices = []
        ids = self.doc_ids(doc)
        for doc_id in ids:
            analysis = self.analysis(doc_id)
            if analysis is None:
                continue
            prefix = f"{analysis.report.meta.file_name} · " if len(ids) > 1 else ""
            seen: dict[str, tuple[str, int]] = {}
            for row in export.fact_rows(analysis.report):
                seen.setdefault(row["table_id"], (row["table_title"] or "", row["page"]))
            for table_id, (title, page) in seen.items():
                name = "情况说明中的数字" if table_id == "NAR" else title
                choices.append((f"{prefix}{table_id} {name}（{page_label(page)}起）", f"{doc_id}:{table_id}"))
        return choices

    def table_rows(self, choice: str | None) -> tuple[pd.DataFrame, str, list[dict[str, Any]]]:
        """The values of one table with a check mark each, a status line, and the rows (state)."""
        if not choice or ":" not in choice:
            return pd.DataFrame([], columns=TABLE_COLUMNS), "", []
        doc_id, table_id = choice.split(":", 1)
        analysis = self.analysis(doc_id)
        if analysis is None:
            return pd.DataFrame([], columns=TABLE_COLUMNS), self.missing_report(doc_id), []
        rows = [r for r in export.fact_rows(analysis.report) if r["table_id"] == table_id]
        frame = pd.DataFrame(
            [
                [
                    str(n),
                    r["row"] or "",
                    r["column"] or "",
                    r["value"],
                    r["unit"] or "",
                    STATUS_MARK.get(r["status"], r["status"]) if r["unit"] else "（文字）",
                    page_label(r["page"]),
                    r["row_code"] or "",
                ]
                for n, r in enumerate(rows)
            ],
            columns=TABLE_COLUMNS,
        )
        counts: Counter[str] = review.table_status(analysis.report).get(table_id, Counter())
        status = " · ".join(f"{STATUS_MARK[s]} {counts.get(s, 0)}" for s in review.STATUS)
        keep = [
            {"doc_id": doc_id, "page": r["page"], "bbox": r["bbox"], "label": _row_label(r)} for r in rows
        ]
        return frame, f"{len(rows)} 个数值：{status}（点击一行查看它在页面上的位置）", keep

    def show_row(self, row: Sequence[Any] | None, rows: list[dict[str, Any]] | None) -> tuple[Any, str]:
        picked = _picked(row, rows)
        if picked is None:
            return [], ""
        boxes = [picked["bbox"]] if picked["bbox"] else []
        return self.show_pages(picked["doc_id"], [(picked["page"], boxes, picked["label"])])

    # ------------------------------------------------------------ 审核发现

    def findings(self, doc: str | None) -> tuple[pd.DataFrame, str, list[dict[str, Any]]]:
        """Failures (errors, then warnings) and residues of the chosen report(s), most severe first."""
        rows: list[list[str]] = []
        keep: list[dict[str, Any]] = []
        lines: list[str] = []
        for doc_id in self.doc_ids(doc):
            analysis = self.analysis(doc_id)
            if analysis is None:
                lines.append(self.missing_report(doc_id))
                continue
            s = review.summary(analysis.check)
            lines.append(
                f"{analysis.check.doc}：错误 {s['errors']} · 警告 {s['warnings']} · 尾差（容差内） "
                f"{s['residues']} · 无法核验 {s['skipped']} · 通过 {s['passed']}"
            )
            for f in review.notable(analysis.check):
                keep.append({"doc_id": doc_id, "finding": f.model_dump(mode="json")})
                rows.append(
                    [
                        str(len(rows)),
                        LEVEL[f.severity if f.outcome == "FAIL" else "info"],
                        f.rule_id,
                        f.message,
                        f.expected or "",
                        f.actual or "",
                        "、".join(page_label(p) for p in f.pages),
                        analysis.check.doc,
                    ]
                )
        rows.sort(key=lambda r: list(LEVEL.values()).index(r[1]))  # stable: pages stay in order
        keep = [keep[int(r[0])] for r in rows]
        for n, r in enumerate(rows):
            r[0] = str(n)
        if not lines:
            lines.append("还没有导入文档：先在左侧上传 PDF")
        return pd.DataFrame(rows, columns=FINDING_COLUMNS), "\n\n".join(lines), keep

    def show_finding(self, row: Sequence[Any] | None, keep: list[dict[str, Any]] | None) -> tuple[Any, str]:
        picked = _picked(row, keep)
        if picked is None:
            return [], ""
        finding = Finding.model_validate(picked["finding"])
        by_page: dict[int, list[Any]] = {}
        labels: dict[int, list[str]] = {}
        for op in finding.operands:
            if op.page is None:
                continue
            by_page.setdefault(op.page, [])
            if op.bbox:
                by_page[op.page].append(op.bbox)
            labels.setdefault(op.page, []).append(f"{op.label} {op.value}{op.unit or ''}")
        if not by_page:
            return [], f"{finding.rule_id}：{finding.message}（没有可定位的数据）"
        marks = [
            (page, boxes, f"{page_label(page)}：" + "；".join(labels[page][:4]))
            for page, boxes in sorted(by_page.items())
        ]
        items, caption = self.show_pages(picked["doc_id"], marks)
        return items, f"**{finding.rule_id}** {finding.message}\n\n{caption}"

    # ------------------------------------------------------------ 导出

    def export_files(self, doc: str | None) -> tuple[list[str], str]:
        """Facts as CSV, Excel and JSON Lines, the whole Report(s) as JSON, and the HTML check
        report, written from the stored Reports."""
        done = [(d, self.analysis(d)) for d in self.doc_ids(doc)]
        missing = [self.missing_report(d) for d, a in done if a is None]
        analyses = [a for _, a in done if a is not None]
        if not analyses:
            return [], "\n\n".join(missing) or "还没有导入文档"
        stem = Path(analyses[0].report.meta.file_name).stem if len(analyses) == 1 else "budgetqa_全部文档"
        folder = Path(tempfile.mkdtemp(prefix="export-", dir=self.scratch))
        rows = [row for a in analyses for row in export.fact_rows(a.report)]
        out = {
            f"{stem}.facts.csv": export.to_csv(rows),
            f"{stem}.facts.jsonl": export.to_jsonl(rows),
            f"{stem}.report.json": _reports_json(analyses),
            f"{stem}.review.html": review.to_html([(a.check, a.report) for a in analyses]),
        }
        for name, text in out.items():
            (folder / name).write_text(text, encoding="utf-8")
        export.write_xlsx(rows, folder / f"{stem}.facts.xlsx")
        files = sorted(str(p) for p in folder.iterdir())
        return files, "\n\n".join([f"{len(rows)} 个数值，{len(analyses)} 份报告"] + missing)


def _reports_json(analyses: list[Analysis]) -> str:
    parts = [a.report.model_dump_json(indent=1) for a in analyses]
    return parts[0] if len(parts) == 1 else "[\n" + ",\n".join(parts) + "\n]"


def _row_label(row: dict[str, Any]) -> str:
    where = " / ".join(str(x) for x in (row["row"], row["column"]) if x)
    return f"{page_label(row['page'])}：{where} {row['value']}{row['unit'] or ''}"


def _picked(row: Sequence[Any] | None, keep: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The state entry of a clicked table row (its first cell is the entry's index, which survives
    sorting in the browser)."""
    if not row or not keep:
        return None
    try:
        n = int(row[0])
    except (TypeError, ValueError):
        return None
    return keep[n] if 0 <= n < len(keep) else None


def answer_text(answer: Answer) -> str:
    """The chat message: the answer, the calculation if any, and where each citation points."""
    parts = [answer.answer]
    if answer.calculation:
        parts.append(f"计算：{answer.calculation}")
    if answer.unverified:  # an LLM answer's numbers that no cited fact or text bears out
        parts.append(
            f"⚠ 未核实的数字：{'、'.join(answer.unverified)}（既不是引用的数据，也不在引用的原文中）"
        )
    if answer.citations:
        docs = {c.doc for c in answer.citations}
        refs = " ".join(
            f"[{page_label(c.page)}]" if len(docs) == 1 else f"[{c.doc} {page_label(c.page)}]"
            for c in answer.citations
        )
        parts.append(f"出处：{refs}")
    return "\n\n".join(parts)


def citation_links(citations: list[dict[str, Any]]) -> str:
    """HTML links, one per citation ("[第12页]"); a click shows that page with the cell boxed."""
    import html

    if not citations:
        return "<div class='cite-links'>本回答没有引用。</div>"
    docs = {c["doc"] for c in citations}
    links = []
    for n, c in enumerate(citations):
        label = f"[{page_label(c['page'])}]"
        name = "" if len(docs) == 1 else f"{html.escape(c['doc'])} "
        quote = html.escape((c.get("quote") or "")[:40])
        links.append(
            f"<div>{name}<a href='#' data-cite='{n}'>{label}</a> <span class='quote'>{quote}</span></div>"
        )
    return "<div class='cite-links'><b>引用</b>（点击查看页面）：" + "".join(links) + "</div>"


def build(settings: Settings | None = None, engine_factory: EngineFactory | None = None) -> gr.Blocks:
    app = App(settings, engine_factory)
    with gr.Blocks(title="budgetqa") as demo:
        gr.Markdown(
            f"## budgetqa · 部门预算/决算公开报告问答　<small>模式：{mode_label(app.settings)}</small>",
            elem_id="title",
        )
        notice = gr.Markdown(elem_id="notice")
        with gr.Row():
            with gr.Column(scale=5):
                with gr.Row():
                    document = gr.Dropdown(
                        choices=app.document_choices(), value=ALL, label="报告", scale=3, elem_id="document"
                    )
                    uploads = gr.File(
                        file_count="multiple", file_types=[".pdf"], label="上传 PDF", scale=2, height=110
                    )
                upload_log = gr.Textbox(
                    label="导入进度", lines=2, max_lines=6, interactive=False, elem_id="upload-log"
                )
                with gr.Tabs():
                    with gr.Tab("问答", id="chat"):
                        chatbot = gr.Chatbot(label="问答", height=300, elem_id="chatbot")
                        with gr.Row():
                            question = gr.Textbox(
                                placeholder="例如：“三公”经费支出决算是多少？",
                                show_label=False,
                                scale=5,
                                elem_id="question",
                            )
                            send = gr.Button("提问", variant="primary", scale=1)
                        links = gr.HTML("", js_on_load=CITATION_JS, elem_id="citations")
                        facts = gr.Dataframe(
                            headers=FACT_COLUMNS,
                            label="回答用到的数值（点击一行查看页面）",
                            interactive=False,
                            wrap=True,
                            column_widths=FACT_WIDTHS,
                        )
                    with gr.Tab("报表数据", id="tables"):
                        table = gr.Dropdown(choices=[], label="报表", elem_id="table")
                        table_status = gr.Markdown()
                        table_view = gr.Dataframe(
                            headers=TABLE_COLUMNS,
                            interactive=False,
                            wrap=True,
                            max_height=520,
                            column_widths=FACT_WIDTHS,
                            elem_id="table-view",
                        )
                    with gr.Tab("审核发现", id="findings"):
                        findings_summary = gr.Markdown()
                        findings_view = gr.Dataframe(
                            headers=FINDING_COLUMNS,
                            column_widths=["48px", "56px", "84px", "40%", "80px", "80px", "90px", "120px"],
                            interactive=False,
                            wrap=True,
                            max_height=520,
                            elem_id="findings",
                        )
                    with gr.Tab("导出", id="export"):
                        export_button = gr.Button("生成下载文件")
                        export_note = gr.Markdown()
                        export_view = gr.File(
                            label="下载", file_count="multiple", interactive=False, elem_id="export-files"
                        )
            with gr.Column(scale=4):
                caption = gr.Markdown(
                    "点击引用、报表中的一行或一条审核发现，在这里查看页面。", elem_id="caption"
                )
                viewer = gr.Gallery(
                    label="页面",
                    columns=1,
                    height=760,
                    object_fit="contain",
                    format="png",
                    preview=True,
                    elem_id="viewer",
                )
        citations = gr.State([])
        answer_facts = gr.State([])
        table_rows = gr.State([])
        finding_rows = gr.State([])

        def upload(files: list[str], progress: gr.Progress = gr.Progress()) -> Iterator[tuple[Any, ...]]:  # noqa: B008
            for log, picker in app.upload(files, progress):
                yield log, picker, gr.update()
            yield gr.update(), gr.update(), None  # the files are in: the box is ready for the next ones

        uploads.upload(upload, inputs=uploads, outputs=[upload_log, document, uploads])
        for trigger in (question.submit, send.click):
            trigger(
                app.chat,
                inputs=[question, document, chatbot],
                outputs=[question, chatbot, links, facts, citations, answer_facts],
            )

        def pick_citation(evt: gr.SelectData, cited: list[dict[str, Any]]) -> tuple[Any, str]:
            return app.show_citation(int(evt.index), cited)

        links.select(pick_citation, inputs=citations, outputs=[viewer, caption])

        def refresh(doc: str) -> tuple[Any, ...]:
            choices = app.table_choices(doc)
            frame, summary, keep = app.findings(doc)
            first = choices[0][1] if choices else None
            rows, status, kept = app.table_rows(first)
            return gr.update(choices=choices, value=first), rows, status, kept, frame, summary, keep

        tab_outputs = [
            table,
            table_view,
            table_status,
            table_rows,
            findings_view,
            findings_summary,
            finding_rows,
        ]
        document.change(refresh, inputs=document, outputs=tab_outputs)
        demo.load(refresh, inputs=document, outputs=tab_outputs)
        demo.load(app.notice, outputs=notice)
        document.change(app.notice, outputs=notice)
        # reports ingested elsewhere while the app runs appear when a page loads or the list opens
        demo.load(lambda: gr.update(choices=app.document_choices()), outputs=document)
        document.focus(lambda: gr.update(choices=app.document_choices()), outputs=document)
        table.change(app.table_rows, inputs=table, outputs=[table_view, table_status, table_rows])

        def pick_row(evt: gr.SelectData, keep: list[dict[str, Any]]) -> tuple[Any, str]:
            return app.show_row(evt.row_value, keep)

        def pick_finding(evt: gr.SelectData, keep: list[dict[str, Any]]) -> tuple[Any, str]:
            return app.show_finding(evt.row_value, keep)

        def pick_fact(evt: gr.SelectData, keep: list[dict[str, Any]]) -> tuple[Any, str]:
            return app.show_answer_fact(evt.row_value, keep)

        facts.select(pick_fact, inputs=answer_facts, outputs=[viewer, caption])
        table_view.select(pick_row, inputs=table_rows, outputs=[viewer, caption])
        findings_view.select(pick_finding, inputs=finding_rows, outputs=[viewer, caption])
        export_button.click(app.export_files, inputs=document, outputs=[export_view, export_note])
    demo.budgetqa_app = app  # tests reach the handlers through the page
    return demo


def launch(host: str = "127.0.0.1", port: int = 7860, engine_factory: EngineFactory | None = None) -> None:
    """Serve the app; loopback only unless a host is given."""
    demo = build(engine_factory=engine_factory)
    demo.queue(default_concurrency_limit=4).launch(
        server_name=host, server_port=port, css=CSS, show_error=False, allowed_paths=[]
    )


if __name__ == "__main__":
    launch()
