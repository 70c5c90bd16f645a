"""Findings of one root cause, grouped: one wrong cell breaks every identity it takes part in (a 项
breaks its 款 sum, its row identity and its copy in another table). The finding that pins the cell
best (fewest operands) is the root; the others name it in ``root`` and drop to info, so the reviewer
reads one error with its consequences listed, not four. Pure."""

from __future__ import annotations

from decimal import Decimal

from schemas.findings import Finding

Cell = tuple[int, tuple[float, float, float, float], str]


def group(findings: list[Finding], deltas: dict[str, tuple[Decimal, Decimal]]) -> None:
    failed = [f for f in findings if f.outcome == "FAIL" and f.severity != "info"]
    by_cell: dict[Cell, list[Finding]] = {}
    for f in failed:
        # a measured difference may come from any of its cells; a failure without one (a ratio, an
        # inequality) blames only the value it checks, its first operand, not the references it used
        blamed = f.operands if f.id in deltas else f.operands[:1]
        for o in blamed:
            if o.page is not None and o.bbox is not None and o.value:
                by_cell.setdefault((o.page, o.bbox, o.value), []).append(f)
    # the cells shared by most failures first: a wrong cell explains all of them
    for cell, members in sorted(by_cell.items(), key=lambda kv: -len(kv[1])):
        free = [f for f in members if f.root is None]
        if len(free) < 2:
            continue
        # a unit slip explains every failure of its cell; else a measured difference shared by the others
        scale_slip = [f for f in free if f.diagnosis == "UNIT_SCALE" and f.id not in deltas]
        measured = scale_slip or [f for f in free if f.id in deltas]
        if not measured:
            continue
        root = min(measured, key=lambda f: (f.consequences == [], len(f.operands), f.id))
        size, tol = abs(deltas[root.id][0]) if root.id in deltas else None, deltas.get(root.id, (0, 0))[1]
        for f in free:
            if f is root or f.consequences:
                continue
            # a failure without a difference (an inequality, a sign) that blames the same cell is its consequence
            delta, tolerance = deltas.get(f.id, (size, tol))
            if size is None or delta is None or abs(abs(delta) - size) <= tol + tolerance:
                f.root = root.id
                root.consequences.append(f.id)
        if root.consequences:
            _explain(root, cell, [f for f in findings if f.id in root.consequences])


def _explain(root: Finding, cell: Cell, consequences: list[Finding]) -> None:
    page, _, value = cell
    listed = "、".join(f"{f.rule_id}（第{'、'.join(map(str, f.pages))}页）" for f in consequences)
    root.message += f"；第{page}页的 {value} 还使 {len(consequences)} 处核对不符（同一差额）：{listed}"
    for f in consequences:
        f.severity = "info"
        f.message += f"（连带于 {root.id}：第{page}页的 {value}）"
