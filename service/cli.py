"""The `budgetqa` command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from service import files
from service.config import REPO_ROOT, get_settings
from service.errors import BudgetQAError, display_name

# piped output (CI logs, scripts) gets a wide fixed width instead of rich's default 80 columns
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)

SAMPLES = REPO_ROOT / "eval" / "fixtures"
DEMO_QUESTION = "“三公”经费支出决算是多少"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except BudgetQAError as exc:
        err_console.print(f"[red]错误：[/red]{exc}")
        return 1
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budgetqa", description="部门预算/决算公开报告：导入、检索、抽取、核验"
    )
    sub = parser.add_subparsers()

    p = sub.add_parser("ingest", help="导入 PDF 文件或文件夹到索引")
    p.add_argument("paths", nargs="+", type=Path, help="PDF files or folders")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="检索（向量 + BM25 融合），显示页码")
    p.add_argument("query")
    p.add_argument("--doc", action="append", help="limit to a document id or file name (repeatable)")
    p.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("docs", help="列出已导入的文档")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("extract", help="抽取报表与绩效指标为结构化数据（每个数值带页码与位置）")
    p.add_argument("files", nargs="+", type=Path, help="PDF files or folders")
    p.add_argument(
        "--llm",
        choices=["auto", "never", "always"],
        default="auto",
        help="auto: LLM only where the deterministic path fails (needs OPENAI_API_KEY); never; always",
    )
    p.add_argument("--format", choices=["json", "facts", "csv", "xlsx"], default="json")
    p.add_argument(
        "-o", "--output", type=Path, help="output file (or folder for several inputs); stdout if omitted"
    )
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("check", help="核验每个数：报表内、报表间、文字与报表、完整性、单位与尾差")
    p.add_argument("files", nargs="+", type=Path, help="PDF files or folders")
    p.add_argument("--format", choices=["table", "json", "html", "xlsx"], default="table")
    p.add_argument("-o", "--output", type=Path, help="output file (required for xlsx); stdout if omitted")
    p.add_argument(
        "--llm", choices=["auto", "never", "always"], default="never", help="extraction mode (default never)"
    )
    p.add_argument("--all", action="store_true", help="table view: also list residues within tolerance")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("ask", help="问报告一个问题：回答带页码引用，数字来自核验过的数据")
    p.add_argument("question", nargs="?", help="问题（中文）")
    p.add_argument("--questions", type=Path, help="问题文件，每行一个（输出 JSON Lines，顺序不变）")
    p.add_argument("--doc", help="document id or file name (default: all ingested reports)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("batch", help="批处理：一个文件夹的报告成为数据集（可续跑、并行、可用 Ray）")
    p.add_argument("inputs", nargs="+", help="PDF files, folders (recursive) or glob patterns")
    p.add_argument("-o", "--output", type=Path, required=True, help="output folder (ledger and dataset)")
    p.add_argument("--workers", type=int, help="parallel files (default: the CPU count)")
    p.add_argument("--llm", choices=["auto", "never", "always"], default="auto", help="extraction mode")
    p.add_argument("--engine", choices=["local", "ray"], default="local", help="process pool or Ray tasks")
    p.add_argument(
        "--ray-address", help="Ray cluster address (default BUDGETQA_RAY_ADDRESS; unset = local Ray)"
    )
    p.add_argument("--retry-failed", action="store_true", help="redo files that failed in an earlier run")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser(
        "eval", help="评测：抽取、核验、问答、检索、速度与成本，对照人工标注（需在源码目录运行）"
    )
    p.add_argument("--llm", choices=["never", "auto", "always"], default="never", help="extraction mode")
    p.add_argument("--only", help="comma-separated sections: " + ",".join(EVAL_SECTIONS))
    p.add_argument(
        "--out", type=Path, default=REPO_ROOT / "eval" / "reports" / "latest", help="report folder"
    )
    p.set_defaults(func=cmd_eval)
    eval_sub = p.add_subparsers()
    label = eval_sub.add_parser("label", help="写出一份待人工核对的标注骨架（每个表格单元格）")
    label.add_argument("pdf", type=Path)
    label.add_argument("-o", "--output", type=Path, help="gold file to write (default FILE.gold.json)")
    label.set_defaults(func=cmd_eval_label)

    p = sub.add_parser("demo", help="导入自带的样例报告并运行一次检索（离线）")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="HTTP 服务：REST API（/v1, /docs）与问答界面（/ui）")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ui", help="启动问答网页：上传报告、提问、查看引用页面（默认只监听本机）")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.set_defaults(func=cmd_ui)
    return parser


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.api import create_app

    settings = get_settings()
    if args.host not in ("127.0.0.1", "localhost", "::1") and settings.api_key is None:
        err_console.print(
            f"[yellow]注意：[/yellow]监听 {args.host} 且未设置 BUDGETQA_API_KEY，任何能访问该地址的人都可调用 API"
        )
    uvicorn.run(create_app(settings, with_ui=True), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from service import ingest, pipeline

    settings = get_settings()
    files = pipeline.expand(args.paths)
    if not files:
        err_console.print("没有找到 PDF 文件")
        return 1
    outcomes = []
    with Progress(
        TextColumn("[bold]导入"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=len(files) < 2,
    ) as progress:
        task = progress.add_task("", total=len(files))

        def advance(outcome: ingest.Outcome) -> None:
            outcomes.append(outcome)
            if outcome.error:
                progress.console.print(f"[red]✗[/red] {outcome.error}")
            elif outcome.note:
                progress.console.print(
                    f"[yellow]![/yellow] {display_name(outcome.path.name)}: {outcome.note}"
                )
            progress.update(task, advance=1, description=outcome.path.name)

        ingest.ingest(files, settings, on_file=advance)
    console.print(_ingest_summary(outcomes))
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        err_console.print(f"{len(failed)} 个文件失败，其余 {len(outcomes) - len(failed)} 个已处理")
    return 1 if failed else 0


def _ingest_summary(outcomes: list) -> Table:
    table = Table(title="导入结果")
    for col in ("file", "status", "doc id", "pages", "chunks", "tables", "seconds"):
        numeric = col in ("pages", "chunks", "tables", "seconds")
        table.add_column(col, justify="right" if numeric else "left", overflow="fold", no_wrap=numeric)
    for o in outcomes:
        status = o.status if not o.error else f"failed: {o.error.problem}"
        table.add_row(
            o.path.name, status, o.doc_id, str(o.pages), str(o.chunks), str(o.tables), f"{o.seconds:.2f}"
        )
    return table


def cmd_search(args: argparse.Namespace) -> int:
    from service.index import Index
    from service.registry import Registry

    settings = get_settings()
    registry = Registry(settings.registry_path)
    # only registered documents: chunks of a run killed before its registry write are never shown
    doc_ids = [d for key in args.doc for d in registry.resolve(key)] if args.doc else None
    allowed = set(registry.entries)
    hits = Index(settings).search(args.query, k=args.k, doc_ids=doc_ids, allowed=allowed) if allowed else []
    if args.format == "json":
        rows = [
            {
                "rank": n,
                "score": round(h.score, 5),
                "doc_id": h.metadata["doc_id"],
                "file": h.metadata["file_name"],
                "pages": h.pages,
                "section": h.metadata["section"],
                "table_title": h.metadata["table_title"],
                "text": h.text,
            }
            for n, h in enumerate(hits, start=1)
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    table = Table(title=f"检索：{args.query}")
    for col in ("#", "score", "file", "page", "section / table", "text"):
        table.add_column(col, overflow="fold")
    for n, h in enumerate(hits, start=1):
        where = h.metadata["table_title"] or h.metadata["section"].split(" > ")[-1]
        body = " ".join((h.text.split("\n", 1)[-1] if "\n" in h.text else h.text).split())
        table.add_row(
            str(n), f"{h.score:.3f}", h.metadata["file_name"], h.pages, _clip(where, 16), _clip(body, 36)
        )
    console.print(table)
    if not hits:
        err_console.print("没有结果：索引为空？先运行 budgetqa ingest")
    return 0


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def cmd_docs(args: argparse.Namespace) -> int:
    from service.registry import Registry

    registry = Registry(get_settings().registry_path)
    entries = sorted(registry.entries.values(), key=lambda e: e.ingested_at)
    if args.format == "json":
        print(json.dumps([vars(e) for e in entries], ensure_ascii=False, indent=1))
        return 0
    table = Table(title=f"已导入文档（{len(entries)}）")
    for col in ("doc id", "file", "pages", "chunks", "tables", "ingested at", "path", "warnings"):
        table.add_column(col, overflow="fold")
    for e in entries:
        table.add_row(
            e.doc_id,
            e.file_name,
            str(e.pages),
            str(e.chunks),
            str(e.tables),
            e.ingested_at,
            e.path,
            "；".join(e.warnings),
        )
    console.print(table)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from service import export, pipeline

    files = pipeline.expand(args.files)
    if args.format == "xlsx" and not args.output:
        err_console.print("--format xlsx 需要 -o 输出文件")
        return 2
    done, failed = _extract_all(files, args.llm)
    reports = [d.report for d in done]
    per_file = args.output is not None and (args.output.is_dir() or len(files) > 1 and not args.output.suffix)
    outputs: list[tuple[Path | None, list]] = (
        [(args.output / f"{Path(r.meta.file_name).stem}.{_ext(args.format)}", [r]) for r in reports]
        if per_file
        else [(args.output, reports)]
    )
    for target, group in outputs:
        _write_reports(group, args.format, target, export)
    if failed:
        err_console.print(f"{failed} 个文件失败，其余 {len(reports)} 个已抽取")
    return 1 if failed else 0


def _extract_all(files: list[Path], llm: str) -> tuple[list[Any], int]:
    """Extract and check each file (in a worker under the per-file limits, unless isolation is off);
    a bad file is reported on one line and the others go on."""
    from service.worker import Worker

    settings = get_settings()
    if not files:
        err_console.print("[red]✗[/red] 没有找到 PDF 文件：请给出 PDF 文件或含 PDF 的文件夹")
        return [], 1
    done, failed = [], 0
    with Worker(settings) if settings.isolate else contextlib.nullcontext() as runner:
        for path in files:
            result = _analyse_one(path, settings, llm, runner)
            if result is None:
                failed += 1
            else:
                done.append(result)
    return done, failed


def _analyse_one(path: Path, settings: Any, llm: str, runner: Any) -> Any:
    from service import pipeline
    from service.errors import InputError, LLMError

    try:
        result = pipeline.analyse_file(path, settings, llm=llm, runner=runner)  # type: ignore[arg-type]
    except InputError as exc:
        err_console.print(f"[red]✗[/red] {exc}")
        return None
    except LLMError as exc:
        err_console.print(f"[red]✗[/red] {display_name(path.name)}: {exc}")
        return None
    except Exception as exc:  # one file's failure must not lose the others, nor show a traceback
        err_console.print(
            f"[red]✗[/red] {display_name(path.name)}: 处理失败（{type(exc).__name__}），已跳过，其余文件继续"
        )
        return None
    for warning in result.report.meta.warnings:
        err_console.print(f"[yellow]![/yellow] {display_name(path.name)}: {warning}")
    run = result.report.meta.llm
    if run is not None:
        err_console.print(
            f"{path.name}: LLM {run.requests} 次请求（缓存 {run.cached}），"
            f"token {run.input_tokens}+{run.output_tokens}，未落地数值 {len(run.rejected)}"
        )
        for note in run.notes:
            err_console.print(f"  {note}")
    return result


def _ext(fmt: str) -> str:
    return {"facts": "jsonl"}.get(fmt, fmt)


def _write_reports(reports: list[Any], fmt: str, target: Path | None, export: Any) -> None:
    if fmt == "xlsx":
        assert target is not None
        with files.atomic_path(target) as tmp:
            export.write_xlsx([row for r in reports for row in export.fact_rows(r)], tmp)
        return
    if fmt == "json":
        docs = [json.loads(r.model_dump_json()) for r in reports]
        text = json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=1) + "\n"
    elif fmt == "facts":
        text = export.to_jsonl([row for r in reports for row in export.fact_rows(r)])
    else:
        text = export.to_csv([row for r in reports for row in export.fact_rows(r)])
    _emit(text, target)


def cmd_check(args: argparse.Namespace) -> int:
    from service import pipeline, review

    if args.format == "xlsx" and not args.output:
        err_console.print("--format xlsx 需要 -o 输出文件")
        return 2
    done, failed = _extract_all(pipeline.expand(args.files), args.llm)
    results = [(d.check, d.report) for d in done]
    if args.format == "table":
        for result, report in results:
            _print_check(result, report, show_all=args.all)
    elif args.format == "json":
        docs = [review.as_json(result, report) for result, report in results]
        text = json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=1) + "\n"
        _emit(text, args.output)
    elif args.format == "html":
        _emit(review.to_html(results), args.output)
    else:
        with files.atomic_path(args.output) as tmp:
            review.write_xlsx(results, tmp)
    return 1 if failed else 0


def _emit(text: str, target: Path | None) -> None:
    if target is None:
        sys.stdout.write(text)
    else:
        files.write_text_atomic(target, text)


def _print_check(result: Any, report: Any, show_all: bool) -> None:
    from service import review

    s = review.summary(result)
    console.rule(
        f"{result.doc}（{report.meta.department or ''} {report.meta.year or ''} {report.meta.kind or ''}）"
    )
    console.print(
        f"错误 [red]{s['errors']}[/red] · 警告 [yellow]{s['warnings']}[/yellow] · 尾差（容差内） {s['residues']} · "
        f"无法核验 {s['skipped']} · 通过 {s['passed']}"
    )
    for warning in report.meta.warnings:
        console.print(f"[yellow]⚠ {warning}[/yellow]")
    for level, title, style in (
        ("error", "错误", "red"),
        ("warning", "警告", "yellow"),
        ("info", "尾差（容差内）", "dim"),
    ):
        rows = [f for f in review.notable(result) if (f.severity if f.outcome == "FAIL" else "info") == level]
        if not rows or (level == "info" and not show_all):
            continue
        table = Table(title=f"{title}（{len(rows)}）", title_style=style)
        for col in ("规则", "页码", "说明", "应为", "实为", "诊断"):
            table.add_column(col, overflow="fold")
        for f in rows:
            table.add_row(
                f.rule_id,
                "、".join(map(str, f.pages)),
                f.message,
                f.expected or "",
                f.actual or "",
                f.diagnosis or "",
            )
        console.print(table)
    gaps = [i for i in result.inventory if i.status != "present"]
    if gaps:
        table = Table(title="报表完整性")
        for col in ("表", "名称", "状态", "页码"):
            table.add_column(col)
        for i in gaps:
            table.add_row(i.table_id, i.name, i.status, "、".join(map(str, i.pages)))
        console.print(table)


def cmd_ask(args: argparse.Namespace) -> int:
    from service.qa import cli as ask_cli

    return ask_cli.run(args.question, args.questions, args.doc, args.format, get_settings())


def cmd_batch(args: argparse.Namespace) -> int:
    from service import batch

    return batch.cli(args, console, err_console)


def cmd_demo(args: argparse.Namespace) -> int:
    from service import pipeline, review

    samples = sorted(SAMPLES.glob("*.pdf"))
    settings = get_settings()
    console.rule("1. 导入样例报告（离线）")
    code = cmd_ingest(argparse.Namespace(paths=samples))
    console.rule(f"2. 检索：{DEMO_QUESTION}")
    cmd_search(argparse.Namespace(query=DEMO_QUESTION, doc=None, k=5, format="table"))
    console.rule("3. 抽取并核验每个数（--llm never）")
    table = Table()
    for col in ("file", "facts", "verified", "residue", "failed", "errors", "warnings"):
        table.add_column(col, justify="left" if col == "file" else "right")
    results = []
    for path in samples:
        done = pipeline.analyse_file(path, settings, llm="never")  # the report ingest stored
        results.append((done.check, done.report))
        counts = Counter(s for c in review.table_status(done.report).values() for s in c.elements())
        s = review.summary(done.check)
        table.add_row(
            path.name,
            str(sum(counts.values())),
            str(counts["verified"]),
            str(counts["residue"]),
            str(counts["failed"]),
            str(s["errors"]),
            str(s["warnings"]),
        )
    console.print(table)
    out = settings.data_dir / "review.html"
    files.write_text_atomic(out, review.to_html(results))
    console.print(f"核验报告：{out}（budgetqa check FILE 查看每一条问题及页码）")
    return code


def cmd_ui(args: argparse.Namespace) -> int:
    import ui  # gradio loads only for this command

    try:
        ui.launch(args.host, args.port)
    except OSError as exc:  # the port is taken or the address is not this machine's
        err_console.print(f"[red]错误：[/red]无法在 {args.host}:{args.port} 上启动（{exc}），请换一个 --port")
        return 1
    return 0


EVAL_SECTIONS = ("extraction", "checker", "qa", "retrieval", "speed")


def _eval_package() -> Any:
    """eval/ lives in the source tree, not in the installed package: found beside service/."""
    if not (REPO_ROOT / "eval" / "harness.py").exists():
        raise BudgetQAError(
            "budgetqa eval 需要源码目录（eval/ 与 service/ 同级）：请在 git clone 的目录里运行"
        )
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import eval.harness as harness

    return harness


def cmd_eval(args: argparse.Namespace) -> int:
    harness = _eval_package()
    only = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else None
    if only and (unknown := [s for s in only if s not in EVAL_SECTIONS]):
        raise BudgetQAError(f"--only: 未知的部分 {', '.join(unknown)}；可选 {', '.join(EVAL_SECTIONS)}")
    err_console.print(f"评测 {', '.join(only or EVAL_SECTIONS)}（{args.llm}）…")
    report = harness.evaluate(only, args.llm)
    previous = harness.write(report, args.out)
    table = Table(title="budgetqa eval")
    for col in ("metric", "value", "previous", ""):
        table.add_column(col)
    for label, value, old, mark in harness.table_rows(report, previous):
        table.add_row(label, value, old, f"[red]{mark}[/red]" if mark else "")
    console.print(table)
    limits = harness.thresholds()
    failed = harness.below(report, limits)
    for line in failed:
        err_console.print(f"[red]低于阈值：[/red]{line}")
    for line in harness.below(report, limits, "target"):
        if line.replace("target", "threshold") not in failed:
            err_console.print(f"[yellow]未达目标（相关 issue 仍未完成）：[/yellow]{line}")
    console.print(f"报告：{args.out / 'report.md'}、{args.out / 'report.json'}")
    return 1 if failed else 0


def cmd_eval_label(args: argparse.Namespace) -> int:
    _eval_package()
    from eval import label

    target = label.write(args.pdf, args.output)
    console.print(f"标注骨架：{target}（逐项对照原文核对后把 confirmed 改为 true；未核对的不要提交）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
