"""Reliability: outputs written atomically, damaged text sanitised, odd paths refused clearly,
and concurrent ingests into one data directory keep every document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from service import files, pdf
from service.errors import InputError, display_name
from service.registry import DocumentEntry, Registry

ROOT = Path(__file__).resolve().parents[1]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), files.atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temp file left behind
    files.write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"


def test_clean_text_replaces_surrogates_and_controls_one_for_one() -> None:
    raw = "支出\ud800合计\x07"
    cleaned = pdf.clean_text(raw)
    assert cleaned == "支出\ufffd合计 "
    assert len(cleaned) == len(raw)
    cleaned.encode("utf-8")  # no UnicodeEncodeError downstream


def test_undecodable_file_name_is_escaped() -> None:
    name = os.fsdecode(b"report_\xff.pdf")
    shown = display_name(name)
    shown.encode("utf-8")
    assert shown == "report_\\udcff.pdf"


def test_directory_named_pdf_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "x.pdf"
    folder.mkdir()
    with pytest.raises(InputError) as err:
        pdf.read_pdf(folder)
    assert err.value.problem == "not_pdf" and "x.pdf" in str(err.value)


def test_extract_of_a_folder_without_pdfs_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "x.pdf"
    folder.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "extract", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "BUDGETQA_DATA_DIR": str(tmp_path / "data")},
    )
    assert run.returncode == 1
    assert "没有找到 PDF 文件" in run.stderr and "Traceback" not in run.stderr


def test_registry_writers_merge_instead_of_overwriting(tmp_path: Path) -> None:
    path = tmp_path / "documents.json"
    first, second = Registry(path), Registry(path)  # two processes that loaded the same empty file

    def entry(doc_id: str) -> DocumentEntry:
        return DocumentEntry(doc_id, f"{doc_id}.pdf", f"/x/{doc_id}.pdf", 1, 1, 0, "2026-01-01T00:00:00")

    first.put(entry("a"))
    second.put(entry("b"))
    first.remove("zzz")
    assert set(json.loads(path.read_text(encoding="utf-8"))) == {"a", "b"}
    assert set(Registry(path).entries) == {"a", "b"}


def test_concurrent_ingests_keep_every_document(tmp_path: Path, fixture_pdfs: dict[str, Path]) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "BUDGETQA_DATA_DIR": str(data)}
    names = sorted(fixture_pdfs)
    # four processes at once, on different and overlapping files
    groups = [[names[0], names[1]], [names[2], names[3]], [names[1], names[2]], [names[3], names[0]]]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "service.cli", "ingest", *(str(fixture_pdfs[n]) for n in group)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for group in groups
    ]
    logs = [p.communicate(timeout=600)[0] for p in procs]
    assert all("Traceback" not in log and "✗" not in log for log in logs), logs
    registry = Registry(data / "documents.json")
    assert sorted(Path(e.file_name).stem for e in registry.entries.values()) == names, logs
    docs = subprocess.run(
        [sys.executable, "-m", "service.cli", "docs", "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(docs.stdout)) == 4
    from service.config import Settings
    from service.index import Index

    index = Index(Settings(BUDGETQA_DATA_DIR=data))
    assert index.count() == sum(e.chunks for e in registry.entries.values())
    assert index.lexical.count() == index.count()  # every chunk has its BM25 row
    assert_consistent(data, expected_docs=4)
    for entry in registry.entries.values():  # --doc filtering finds each document's chunks
        hits = index.search("支出", k=3, doc_ids=[entry.doc_id])
        assert hits and all(h.metadata["doc_id"] == entry.doc_id for h in hits)


def test_search_never_shows_chunks_of_an_unregistered_document(
    tmp_path: Path, fixture_pdfs: dict[str, Path]
) -> None:
    """A run killed after adding chunks and before its registry write leaves orphans: not shown."""
    data = tmp_path / "data"
    env = {**os.environ, "BUDGETQA_DATA_DIR": str(data)}
    cli = [sys.executable, "-m", "service.cli"]
    subprocess.run(
        [*cli, "ingest", str(fixture_pdfs["zhumadian_2024_budget"])], cwd=ROOT, env=env, check=True
    )

    def search() -> list:
        out = subprocess.run(
            [*cli, "search", "三公经费", "--format", "json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    assert search()
    (data / "documents.json").write_text("{}", encoding="utf-8")  # the registry write never happened
    assert search() == []


def assert_consistent(data: Path, expected_docs: int) -> None:
    """Registry, vectors, BM25 rows and stored reports agree document by document."""
    from collections import Counter

    from service.config import Settings
    from service.index import Index
    from service.store import ReportStore

    settings = Settings(BUDGETQA_DATA_DIR=data)
    registry = Registry(settings.registry_path)
    index = Index(settings)
    metas = index.collection.get(include=["metadatas"])["metadatas"] or []
    dense = Counter(str(m["doc_id"]) for m in metas)
    expected = {e.doc_id: e.chunks for e in registry.entries.values()}
    assert len(expected) == expected_docs
    assert dict(dense) == expected == index.lexical.doc_counts()
    store = ReportStore(settings.reports_dir)
    assert all(store.has(doc_id) for doc_id in expected)
    for doc_id in expected:
        hits = index.search("支出", k=3, doc_ids=[doc_id])
        assert hits and {h.metadata["doc_id"] for h in hits} == {doc_id}


def test_ingest_killed_at_ten_seeded_points_then_rerun_is_consistent_and_complete(
    tmp_path: Path, fixture_pdfs: dict[str, Path]
) -> None:
    import random
    import signal
    import time

    rng = random.Random(2026)
    files = [str(fixture_pdfs[n]) for n in ("zhumadian_2024_budget", "jiaozuo_2021_final")]
    cli = [sys.executable, "-m", "service.cli", "ingest", *files]
    for point in range(10):
        data = tmp_path / f"data-{point}"
        env = {**os.environ, "BUDGETQA_DATA_DIR": str(data)}
        if point % 2:  # half the points interrupt a run that adds to an existing corpus
            subprocess.run([*cli[:-2], files[0]], cwd=ROOT, env=env, check=True, capture_output=True)
        proc = subprocess.Popen(cli, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        rerun = subprocess.run(cli, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0 and "Traceback" not in rerun.stderr, rerun.stderr
        assert_consistent(data, expected_docs=2)


@pytest.fixture()
def read_only_data(tmp_path: Path, fixture_pdfs: dict[str, Path]) -> Iterator[Path]:
    """A data dir with one report in it, mounted read-only (needs root; skipped otherwise)."""
    source, mount = tmp_path / "source", tmp_path / "mount"
    mount.mkdir()
    env = {**os.environ, "BUDGETQA_DATA_DIR": str(source)}
    ingest_run = [sys.executable, "-m", "service.cli", "ingest", str(fixture_pdfs["zhumadian_2024_budget"])]
    subprocess.run(ingest_run, cwd=ROOT, env=env, check=True, capture_output=True)
    bind = subprocess.run(["mount", "--bind", str(source), str(mount)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip("cannot bind-mount here (needs root)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mount)], check=True, capture_output=True)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_search_docs_and_check_work_on_a_read_only_data_dir(read_only_data: Path, fixture_pdfs) -> None:
    env = {**os.environ, "BUDGETQA_DATA_DIR": str(read_only_data)}
    before = sorted(p.name for p in read_only_data.rglob("*"))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    search = cli("search", "三公经费", "--format", "json")
    assert search.returncode == 0 and json.loads(search.stdout), search.stderr
    docs = cli("docs", "--format", "json")
    assert docs.returncode == 0 and len(json.loads(docs.stdout)) == 1
    check = cli("check", str(fixture_pdfs["zhumadian_2024_budget"]), "--format", "json")
    assert check.returncode == 0 and json.loads(check.stdout)["summary"]["passed"] > 50
    refused = cli("ingest", str(fixture_pdfs["jiaozuo_2021_final"]))
    assert refused.returncode == 1 and "只读" in refused.stderr and "Traceback" not in refused.stderr
    assert sorted(p.name for p in read_only_data.rglob("*")) == before


def test_a_running_app_sees_documents_ingested_by_another_process(
    tmp_path: Path, fixture_pdfs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.config import Settings, get_settings
    from service.index import Index

    data = tmp_path / "data"
    env = {**os.environ, "BUDGETQA_DATA_DIR": str(data)}
    cli = [sys.executable, "-m", "service.cli", "ingest"]
    subprocess.run([*cli, str(fixture_pdfs["zhumadian_2024_budget"])], cwd=ROOT, env=env, check=True)
    monkeypatch.setenv("BUDGETQA_DATA_DIR", str(data))
    get_settings.cache_clear()
    import ui

    index = Index(Settings(BUDGETQA_DATA_DIR=data))  # opened before the second ingest, as the app's is
    assert index.search("三公经费", k=3)
    app = ui.App()  # the chat app, with its engine loaded before the second ingest
    assert len(app.document_choices()) == 2 and app.answer("“三公”经费是多少？", None)
    subprocess.run([*cli, str(fixture_pdfs["jiaozuo_2021_final"])], cwd=ROOT, env=env, check=True)
    new = [e.doc_id for e in Registry(data / "documents.json").entries.values() if "jiaozuo" in e.file_name]
    hits = index.search("机关运行经费", k=3, doc_ids=new)
    assert hits and {h.metadata["doc_id"] for h in hits} == set(new)
    choices = app.document_choices()
    assert len(choices) == 3 and any(new[0] == value for _, value in choices)
    answer = app.answer("“三公”经费支出决算是多少？", new[0])
    assert not isinstance(answer, str) and "22.32" in answer.answer and answer.citations[0].doc_id == new[0]
    get_settings.cache_clear()
