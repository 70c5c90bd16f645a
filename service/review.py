"""Check results for people: the JSON shape for machines, a printable HTML review, an Excel workbook,
and per-table fact status counts."""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

from schemas.findings import CheckResult, Finding
from schemas.report import Report
from service.export import fact_rows

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
STATUS = ("verified", "residue", "failed", "unverified")


def table_status(report: Report) -> dict[str, Counter[str]]:
    """Facts per table by check status (verified, residue, failed, unverified)."""
    counts: dict[str, Counter[str]] = {}
    for row in fact_rows(report):
        if row["value_yuan"] is None and row["unit"] is None:
            continue  # text values (指标值) carry no check status of their own
        counts.setdefault(row["table_id"], Counter())[row["status"]] += 1
    return counts


def as_json(result: CheckResult, report: Report) -> dict[str, Any]:
    data = json.loads(result.model_dump_json())
    data["tables"] = {tid: dict(c) for tid, c in table_status(report).items()}
    data["summary"] = summary(result)
    data["warnings"] = report.meta.warnings
    return data


def summary(result: CheckResult) -> dict[str, int]:
    counts = Counter(
        f"{f.outcome}:{f.severity}" if f.outcome == "FAIL" else f.outcome for f in result.findings
    )
    return {
        "errors": counts["FAIL:error"],
        "warnings": counts["FAIL:warning"],
        "residues": counts["PASS_RESIDUE"],
        "skipped": counts["SKIP"],
        "passed": counts["PASS"],
    }


def notable(result: CheckResult) -> list[Finding]:
    """Failures first (errors, then warnings), then residues; passes and skips left out."""
    keep = [f for f in result.findings if f.outcome in ("FAIL", "PASS_RESIDUE")]
    return sorted(keep, key=lambda f: (f.outcome != "FAIL", SEVERITY_ORDER[f.severity], f.pages[:1] or [0]))


# ---------------------------------------------------------------- HTML

CSS = """
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f0f0f0} .error{color:#b00020;font-weight:bold} .warning{color:#a15c00} .info{color:#555}
.num{text-align:right} .muted{color:#777;font-size:.85em}
@media print{body{margin:0} h2{page-break-after:avoid} tr{page-break-inside:avoid}}
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def to_html(items: list[tuple[CheckResult, Report]]) -> str:
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>budgetqa 核验报告</title><style>{CSS}</style></head><body>",
        "<h1>部门预算/决算公开报告核验</h1>",
    ]
    for result, report in items:
        s = summary(result)
        meta = report.meta
        parts.append(f"<h2>{_e(meta.file_name)}</h2>")
        parts.append(
            f"<p>{_e(meta.department)} · {_e(meta.year)} 年 {_e(meta.kind)} · {meta.page_count} 页 · 文档编号 "
            f"{_e(meta.doc_id)}</p>"
        )
        parts.extend(f"<p class='warning'>⚠ {_e(w)}</p>" for w in meta.warnings)
        parts.append(
            "<table><tr><th>错误</th><th>警告</th><th>尾差（容差内）</th><th>无法核验</th><th>通过</th></tr>"
            f"<tr><td class='num error'>{s['errors']}</td><td class='num warning'>{s['warnings']}</td>"
            f"<td class='num'>{s['residues']}</td><td class='num'>{s['skipped']}</td>"
            f"<td class='num'>{s['passed']}</td></tr></table>"
        )
        parts.append(
            "<h3>问题与尾差</h3><table><tr><th>级别</th><th>规则</th><th>说明</th><th>应为</th><th>实为</th>"
            "<th>容差</th><th>页码</th><th>数据来源</th></tr>"
        )
        for f in notable(result):
            level = f.severity if f.outcome == "FAIL" else "info"
            label = {"error": "错误", "warning": "警告", "info": "尾差"}[level]
            ops = "<br>".join(
                f"{_e(o.label)}：{_e(o.value)}{_e(o.unit or '')}（第{_e(o.page)}页）" for o in f.operands[:6]
            )
            diag = f" <span class='muted'>[{_e(f.diagnosis)}]</span>" if f.diagnosis else ""
            note = f"<div class='muted'>{_e(f.note)}</div>" if f.note else ""
            parts.append(
                f"<tr><td class='{level}'>{label}</td><td>{_e(f.rule_id)}</td><td>{_e(f.message)}{diag}{note}</td>"
                f"<td class='num'>{_e(f.expected)}</td><td class='num'>{_e(f.actual)}</td>"
                f"<td class='num'>{_e(f.tolerance)}</td><td>{_e('、'.join(map(str, f.pages)))}</td>"
                f"<td class='muted'>{ops}</td></tr>"
            )
        parts.append(
            "</table><h3>报表完整性</h3><table><tr><th>表</th><th>名称</th><th>状态</th><th>正文标题</th>"
            "<th>页码</th><th>目录</th></tr>"
        )
        names = {
            "present": "有",
            "empty_with_note": "空表（有说明）",
            "empty_without_note": "空表（无说明）",
            "missing": "缺失",
        }
        for item in result.inventory:
            css = "error" if item.status in ("missing", "empty_without_note") else ""
            toc = "—" if item.in_toc is None else ("列出" if item.in_toc else "未列")
            parts.append(
                f"<tr><td>{_e(item.table_id)}</td><td>{_e(item.name)}</td><td class='{css}'>{names[item.status]}</td>"
                f"<td>{_e(item.title)}</td><td>{_e('、'.join(map(str, item.pages)))}</td><td>{toc}</td></tr>"
            )
        parts.append(
            "</table><h3>各表数值核验状态</h3><table><tr><th>表</th>"
            + "".join(f"<th>{s}</th>" for s in STATUS)
            + "</tr>"
        )
        for table_id, counts in sorted(table_status(report).items()):
            parts.append(
                f"<tr><td>{_e(table_id)}</td>"
                + "".join(f"<td class='num'>{counts[s]}</td>" for s in STATUS)
                + "</tr>"
            )
        parts.append("</table>")
    parts.append(
        "<p class='muted'>容差按区间法（XBRL Calculations 1.1）计算，四舍五入（ROUND_HALF_UP）。</p></body></html>"
    )
    return "\n".join(parts)


# ---------------------------------------------------------------- Excel


def write_xlsx(items: list[tuple[CheckResult, Report]], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    findings = book.active
    findings.title = "findings"
    findings.append(
        [
            "doc",
            "rule_id",
            "severity",
            "outcome",
            "diagnosis",
            "message",
            "expected",
            "actual",
            "tolerance",
            "pages",
            "operands",
        ]
    )
    inventory = book.create_sheet("inventory")
    inventory.append(["doc", "table_id", "name", "status", "title", "pages", "in_toc"])
    status = book.create_sheet("tables")
    status.append(["doc", "table_id", *STATUS])
    for result, report in items:
        for f in result.findings:
            ops = "；".join(f"{o.label}={o.value}{o.unit or ''}@p{o.page}" for o in f.operands)
            findings.append(
                [
                    result.doc,
                    f.rule_id,
                    f.severity,
                    f.outcome,
                    f.diagnosis,
                    f.message,
                    f.expected,
                    f.actual,
                    f.tolerance,
                    ",".join(map(str, f.pages)),
                    ops,
                ]
            )
        for i in result.inventory:
            inventory.append(
                [
                    result.doc,
                    i.table_id,
                    i.name,
                    i.status,
                    i.title,
                    ",".join(map(str, i.pages)),
                    None if i.in_toc is None else str(i.in_toc),
                ]
            )
        for table_id, counts in sorted(table_status(report).items()):
            status.append([result.doc, table_id, *[counts[s] for s in STATUS]])
    book.save(path)
