"""`budgetqa ask`: one question (text or JSON) or a file of questions (JSON Lines, in order, one
engine for all of them)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from schemas.answer import Answer
from service.errors import BudgetQAError


def read_questions(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BudgetQAError(f"{path}: 文件不存在（--questions 需要每行一个问题的文本文件）") from None
    except UnicodeDecodeError:
        raise BudgetQAError(f"{path}: 不是 UTF-8 文本（--questions 需要每行一个问题的文本文件）") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def as_text(answer: Answer) -> str:
    """The answer, then its citations as [第N页] with the report and what is cited."""
    lines = [answer.answer]
    if answer.calculation:
        lines.append(f"计算：{answer.calculation}")
    seen = set()
    for c in answer.citations:
        key = (c.doc_id, c.page, c.quote)
        if key in seen:
            continue
        seen.add(key)
        quote = " ".join(c.quote.split())
        lines.append(f"  [第{c.page}页] {c.doc}：{quote[:80]}{'…' if len(quote) > 80 else ''}")
    for f in answer.facts:
        lines.append(
            f"  数据：{f.table_id} {f.row or ''} {f.column or ''} = {f.value} {f.unit}（第{f.page}页，{f.status}）"
        )
    mode = "离线" if answer.mode == "offline" else f"LLM {answer.model}"
    lines.append(f"（{mode}）")
    return "\n".join(lines)


def run(
    question: str | None,
    questions_file: Path | None,
    doc: str | None,
    fmt: str,
    settings: Any,
    out: TextIO = sys.stdout,
) -> int:
    from service.qa import Engine

    if (question is None) == (questions_file is None):
        raise BudgetQAError("budgetqa ask: 给出一个问题，或用 --questions FILE 给出问题文件（二选一）")
    engine = Engine(settings)
    if not engine.documents():
        stale = getattr(engine.facts, "missing", [])
        if stale:
            raise BudgetQAError(
                f"{len(stale)} 个已导入报告（{'、'.join(stale[:3])}{'…' if len(stale) > 3 else ''}）的核验结果"
                "来自旧版本程序：请对这些文件运行 budgetqa check（重新核验并存下结果）"
            )
        raise BudgetQAError("还没有导入任何报告：先运行 budgetqa ingest PDF…")
    asked = [question] if question is not None else read_questions(questions_file)  # type: ignore[arg-type]
    for q in asked:
        answer = engine.ask(q, doc=doc)
        if fmt == "json":
            out.write(answer.model_dump_json() + "\n")
        else:
            out.write(as_text(answer) + "\n" + ("\n" if len(asked) > 1 else ""))
        out.flush()
    return 0
