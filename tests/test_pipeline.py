"""One pass per report: each command reads a PDF at most once, ingest stores the checked Report,
extract/check of an ingested file reuse it, and a new code version or changed bytes recompute it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from service import cli, pdf, store
from service.config import get_settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "eval" / "fixtures"


@pytest.fixture()
def reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A data dir of its own, and the name of every file the PDF reader parses."""
    monkeypatch.setenv("BUDGETQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BUDGETQA_ISOLATE", "0")  # reads counted in this process, not in a worker
    get_settings.cache_clear()
    seen: list[str] = []
    real = pdf.read_pdf

    def counting(path, *args, **kwargs):
        seen.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pdf, "read_pdf", counting)
    yield seen
    get_settings.cache_clear()


def test_each_command_parses_once_and_check_reuses_what_ingest_stored(
    tmp_path: Path, reads: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.pdf"
    shutil.copy(FIXTURES / "zhumadian_2024_budget.pdf", report)
    assert cli.main(["ingest", str(report)]) == 0
    assert reads == ["report.pdf"]  # one read gives chunks, report and findings
    stored = list((tmp_path / "data" / "reports").glob("*.json"))
    assert [p.name.split(".")[1] for p in stored] == [store.VERSION]

    capsys.readouterr()
    assert cli.main(["check", str(report), "--format", "json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert cli.main(["extract", str(report)]) == 0
    extracted = json.loads(capsys.readouterr().out)
    assert cli.main(["ingest", str(report)]) == 0
    assert reads == ["report.pdf"]  # check, extract and a second ingest read nothing
    assert checked["summary"]["passed"] > 50
    assert extracted["meta"]["file_name"] == "report.pdf" and extracted["tables"]["B01"]["rows"]
    statuses = {f["status"] for t in extracted["tables"].values() if t for r in t["rows"] for f in _facts(r)}
    assert "verified" in statuses  # the stored facts carry their check status

    renamed = tmp_path / "same bytes.pdf"
    shutil.copy(report, renamed)
    capsys.readouterr()
    assert cli.main(["extract", str(renamed)]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["file_name"] == "same bytes.pdf"
    assert reads == ["report.pdf"]  # same content under another name: the same document


def test_a_new_file_is_read_once_by_check_and_then_served_from_the_store(
    tmp_path: Path, reads: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "new.pdf"
    shutil.copy(FIXTURES / "jiaozuo_2021_final.pdf", report)
    assert cli.main(["check", str(report), "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert cli.main(["check", str(report), "--format", "json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert reads == ["new.pdf"] and first == second


def test_a_code_version_change_or_changed_bytes_recompute(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.pdf"
    shutil.copy(FIXTURES / "zhumadian_2024_budget.pdf", report)
    assert cli.main(["ingest", str(report)]) == 0
    monkeypatch.setattr(store, "VERSION", "newer-code")
    assert cli.main(["check", str(report)]) == 0
    assert reads == ["report.pdf", "report.pdf"]  # never served from an older extractor/checker
    stored = sorted(p.name for p in (tmp_path / "data" / "reports").glob("*.json"))
    assert len(stored) == 1 and stored[0].endswith(".newer-code.json")  # the stale one is replaced

    shutil.copy(FIXTURES / "jiaozuo_2021_final.pdf", report)  # same name, other bytes
    capsys.readouterr()
    assert cli.main(["extract", str(report)]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["department"].startswith("焦作市")
    assert len(reads) == 3


def test_a_damaged_stored_report_is_recomputed_not_served(tmp_path: Path, reads: list[str]) -> None:
    report = tmp_path / "report.pdf"
    shutil.copy(FIXTURES / "zhumadian_2024_budget.pdf", report)
    assert cli.main(["ingest", str(report)]) == 0
    (stored,) = (tmp_path / "data" / "reports").glob("*.json")
    stored.write_text('{"report": {"meta": 1', encoding="utf-8")
    assert cli.main(["check", str(report)]) == 0
    assert len(reads) == 2 and json.loads(stored.read_text(encoding="utf-8"))["version"] == store.VERSION


def test_extract_and_check_do_not_load_the_index_libraries(tmp_path: Path) -> None:
    code = (
        "import sys; from service import cli; "
        "cli.main(['check', 'eval/fixtures/zhumadian_2024_budget.pdf', '--format', 'json', '-o', '/dev/null']); "
        "print(sorted(m for m in ('chromadb', 'jieba', 'langchain', 'openai', 'gradio') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "BUDGETQA_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


def _facts(row: dict) -> list[dict]:
    return [v for v in row.values() if isinstance(v, dict) and "status" in v]
