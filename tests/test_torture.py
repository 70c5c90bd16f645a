"""The bad-input corpus (eval/torture) mixed with good reports in one run: every file gets a status,
no traceback, good files are ingested whole; per-file time and memory limits; damage is reported
all the way to docs, extract and check; bombs are refused before the expensive pass."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eval.torture import build as torture
from service import chunking, ingest, pdf
from service.config import Settings
from service.errors import InputError
from service.index import Index
from service.registry import Registry

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "eval" / "fixtures"
GOOD = ("jiaozuo_2021_final.pdf", "zhumadian_2024_budget.pdf")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    out = tmp_path_factory.mktemp("torture")
    return out, torture.build(out)


def env_for(data: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "BUDGETQA_DATA_DIR": str(data), **extra}


def test_the_whole_corpus_and_good_reports_in_one_run(
    corpus: tuple[Path, dict[str, set[str]]], tmp_path: Path
) -> None:
    folder, expected = corpus
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data", BUDGETQA_FILE_TIMEOUT=30)
    good = [FIXTURES / name for name in GOOD]
    outcomes = ingest.ingest([folder, *good], settings)
    by_name = {o.path.name: o for o in outcomes}
    for name, acceptable in expected.items():
        outcome = by_name.get(name)
        got = "skip" if outcome is None else "ok" if outcome.error is None else outcome.error.problem
        assert got in acceptable, (name, got, outcome)
        if outcome is not None:
            assert outcome.seconds < settings.file_timeout_s + 5
    for path in good:  # every good file whole: the chunks of a clean, in-process read
        clean = len(chunking.chunk_document(pdf.read_pdf(path)))
        assert by_name[path.name].status == "ingested" and by_name[path.name].chunks == clean
    registry = Registry(settings.registry_path)
    index = Index(settings)
    assert index.count() == index.lexical.count() == sum(e.chunks for e in registry.entries.values())
    damaged = [o for o in outcomes if o.error is None and o.note]
    assert damaged and all("repaired" in o.note for o in damaged)

    # extract and check of the same mix, as a user runs them: one status line per bad file, no traceback
    out = tmp_path / "check.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "check",
            str(folder),
            *map(str, good),
            "--format",
            "json",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        env=env_for(tmp_path / "data", BUDGETQA_FILE_TIMEOUT="30"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    failed = [n for n, o in by_name.items() if o.error is not None]
    for name in failed:
        assert any(line.startswith("✗") and name[:8] in line for line in run.stderr.splitlines()), name
    checked = {d["doc"] for d in json.loads(out.read_text(encoding="utf-8"))}
    assert set(GOOD) <= checked


def test_a_file_over_its_time_budget_is_skipped_and_the_next_goes_on(tmp_path: Path) -> None:
    # yangquan takes about a second to read and check, an encrypted file is refused in some 30 ms:
    # a budget between the two, with room either side for a loaded or a fast machine
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data", BUDGETQA_FILE_TIMEOUT=0.25)
    outcomes = ingest.ingest(
        [FIXTURES / "yangquan_2022_final.pdf", FIXTURES / "bad" / "encrypted.pdf"], settings
    )
    assert [o.error.problem for o in outcomes if o.error] == ["too_slow", "encrypted"]
    assert "处理超时，已跳过" in str(outcomes[0].error)
    relaxed = Settings(BUDGETQA_DATA_DIR=tmp_path / "data", BUDGETQA_FILE_TIMEOUT=60)
    again = ingest.ingest([FIXTURES / "zhumadian_2024_budget.pdf"], relaxed)
    assert again[0].status == "ingested"  # a killed worker is replaced by a fresh one


def test_a_file_over_its_memory_budget_is_skipped_with_one_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "check", str(FIXTURES / "jiaozuo_2021_final.pdf")],
        cwd=ROOT,
        env=env_for(tmp_path, BUDGETQA_FILE_MEMORY_MB="40"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "内存超限，已跳过" in run.stderr and "too_big" in run.stderr


def test_a_content_stream_bomb_is_refused_before_it_is_drawn(
    corpus: tuple[Path, dict[str, set[str]]],
) -> None:
    folder, _ = corpus
    with pytest.raises(InputError) as caught:
        pdf.read_pdf(folder / "content-bomb.pdf")
    assert caught.value.problem == "too_big" and "第 1 页内容异常庞大" in str(caught.value)


def test_damage_is_carried_into_docs_extract_and_check(tmp_path: Path) -> None:
    data = (FIXTURES / "zhumadian_2024_budget.pdf").read_bytes()
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data[: int(len(data) * 0.99)])
    env = env_for(tmp_path / "data")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert "（repaired）" in cli("ingest", str(damaged)).stderr
    (entry,) = json.loads(cli("docs", "--format", "json").stdout)
    assert entry["warnings"] and "repaired" in entry["warnings"][0]
    extracted = json.loads(cli("extract", str(damaged)).stdout)
    assert "repaired" in extracted["meta"]["warnings"][0]
    checked = cli("check", str(damaged), "--format", "json")
    assert "repaired" in json.loads(checked.stdout)["warnings"][0] and "repaired" in checked.stderr


def test_not_a_report_is_said_only_of_a_clean_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as clean:
        pdf.read_pdf(FIXTURES / "bad" / "not_a_report.pdf")
    assert clean.value.problem == "not_report"
    data = (FIXTURES / "bad" / "not_a_report.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: int(len(data) * 0.97)])
    with pytest.raises(InputError) as damaged:
        pdf.read_pdf(cut)
    assert damaged.value.problem == "corrupt"


def test_a_full_disk_fails_that_file_and_leaves_the_index_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service import files

    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data", BUDGETQA_ISOLATE=False)
    first = ingest.ingest([FIXTURES / "zhumadian_2024_budget.pdf"], settings)[0]
    real = files.write_text_atomic

    def full(target: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "write_text_atomic", full)
    target = tmp_path / "new.pdf"
    shutil.copy(FIXTURES / "jiaozuo_2021_final.pdf", target)
    (outcome,) = ingest.ingest([target], settings)
    assert outcome.error is not None and outcome.error.problem == "write_failed"
    assert "No space left on device" in str(outcome.error)
    index = Index(settings)
    assert list(Registry(settings.registry_path).entries) == [first.doc_id]
    assert index.count() == index.lexical.count() == first.chunks  # nothing half-written is visible
    monkeypatch.setattr(files, "write_text_atomic", real)
    (retry,) = ingest.ingest([target], settings)
    assert retry.status == "ingested"
