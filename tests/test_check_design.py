"""The checker's design (issue 8): the extractor reads the prose into typed claims; the rules in
service/check only compare facts and claims. These tests read the checker's source, so a rule that starts
scanning sentences again fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT
from schemas import vocabulary

CHECK = sorted((ROOT / "service" / "check").glob("*.py"))
# the claim and report fields that hold prose: the sentence, the clause, the printed subject, the base of a
# share, the page text
PROSE = {
    "text_pages",
    "text_span",
    "clause",
    "subject",
    "base",
    "change_subject",
    "item",
    "sentence",
    "empty_note",
    "note",
    "text",
    "span",
    "tail",
}
RE_FUNCTIONS = {"search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def names_in(node: ast.AST) -> set[str]:
    """Attribute and variable names anywhere inside ``node``."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.Name):
            out.add(sub.id)
    return out


def regex_calls(module: ast.Module) -> list[ast.Call]:
    """Calls of re.search/re.sub/… and of a compiled pattern's .search/.sub/… (PATTERN.search(x))."""
    calls = []
    for node in ast.walk(module):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        if node.func.attr in RE_FUNCTIONS and (
            isinstance(owner, ast.Name) and (owner.id == "re" or owner.id.isupper())
        ):
            calls.append(node)
    return calls


@pytest.mark.parametrize("path", CHECK, ids=lambda p: p.name)
def test_no_rule_reads_the_page_text(path: Path) -> None:
    """The page text (Report.text_pages) is the extractor's input; the checker reads what was extracted."""
    used = {n.attr for n in ast.walk(tree(path)) if isinstance(n, ast.Attribute)}
    assert "text_pages" not in used


@pytest.mark.parametrize("path", CHECK, ids=lambda p: p.name)
def test_no_regex_is_applied_to_a_sentence_a_clause_or_a_subject(path: Path) -> None:
    """Regexes in service/check look up table rows by label (find_row, codes); none runs over a claim's
    sentence, clause, subject or base, nor over page text: those were read by the extractor."""
    offending = []
    for call in regex_calls(tree(path)):
        touched = set().union(*(names_in(a) for a in [*call.args, *(k.value for k in call.keywords)]))
        if touched & PROSE:
            offending.append(f"line {call.lineno}: {ast.unparse(call)[:100]}")
    assert not offending, offending


def test_prose_text_span_is_only_shown_never_read() -> None:
    """A claim's sentence reaches a finding as the operand's text (arith.Q.operand), nothing else reads it."""
    readers = [
        f"{path.name}:{n.lineno}"
        for path in CHECK
        for n in ast.walk(tree(path))
        if isinstance(n, ast.Attribute) and n.attr == "text_span" and path.name != "arith.py"
    ]
    assert readers == []


@pytest.mark.parametrize("name", ["narrative.py", "stated.py", "units.py", "roots.py", "arith.py"])
def test_the_narrative_rules_do_not_import_re(name: str) -> None:
    """The narrative, unit and shared-claim modules select claims by topic, mark, scope and role."""
    imported = {
        alias.name
        for n in ast.walk(tree(ROOT / "service" / "check" / name))
        if isinstance(n, ast.Import)
        for alias in n.names
    }
    assert "re" not in imported


def test_rule_modules_share_claim_helpers_through_stated_not_narrative() -> None:
    """cross/units/perf read claims through service.check.stated; only the package imports narrative."""
    importers = [
        path.name
        for path in CHECK
        if path.name != "__init__.py"
        for n in ast.walk(tree(path))
        if isinstance(n, ast.ImportFrom) and n.module == "service.check.narrative"
    ]
    assert importers == []


def string_constants(path: Path) -> list[str]:
    """The string literals of a module that are not docstrings."""
    module = tree(path)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(module)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(module)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


# the narrative modules of check/ and extract/ (extract/tables.py and locate.py read table layouts)
NARRATIVE_CODE = [
    ROOT / "service" / "check" / name
    for name in ("narrative.py", "stated.py", "units.py", "cross.py", "perf.py", "completeness.py")
] + [ROOT / "service" / "extract" / name for name in ("claims.py", "narrative.py")]


@pytest.mark.parametrize("path", NARRATIVE_CODE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_vocabulary_lives_once_in_schemas_vocabulary(path: Path) -> None:
    """The 三公 item words, the function-class names and the subject topics are spelled in
    schemas/vocabulary.py only: no pattern elsewhere names 因公出国, 公务接待, 公务用车 or a 类."""
    words = ["因公出国", "公务接待", "公务用车购置", *vocabulary.FUNCTION_CLASS_NAMES.values()]
    patterns = [s for s in string_constants(path) if any(ch in s for ch in "|()[]^$")]
    assert [p for p in patterns if any(w in p for w in words)] == []


def test_every_topic_and_disclosure_key_the_rules_ask_for_is_in_the_vocabulary() -> None:
    """claims(ctx, kind, "topic"), about(c, "topic") and disclosed(ctx, "key") name vocabulary entries."""
    asked: set[str] = set()
    for path in CHECK:
        for n in ast.walk(tree(path)):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                if n.func.id in ("claims", "about") and len(n.args) >= 2 + (n.func.id == "claims"):
                    arg = n.args[2 if n.func.id == "claims" else 1]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        asked.add(f"topic:{arg.value}")
                for k in n.keywords:
                    if k.arg == "topic" and isinstance(k.value, ast.Constant):
                        asked.add(f"topic:{k.value.value}")
                if n.func.id == "disclosed" and isinstance(n.args[1], ast.Constant):
                    asked.add(f"key:{n.args[1].value}")
    known = {f"topic:{t}" for t in vocabulary.SUBJECT_TOPICS} | {
        f"key:{k}" for k in vocabulary.DISCLOSURE_KEYS
    }
    assert asked and asked <= known, asked - known
