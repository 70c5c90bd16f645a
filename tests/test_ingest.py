"""Ingestion: chunks on the right pages, re-ingest, replacement, bad files, CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import BAD, FIXTURES
from service import chunking, cli, ingest
from service.config import Settings, get_settings
from service.errors import BudgetQAError
from service.index import Index
from service.registry import Registry

# Hand-picked phrases and every page where each is printed (read off the fixture pages).
PHRASES = {
    "jiaozuo_2021_final": [
        ("收入支出决算总表", {2, 6, 9}),
        ("一般公共预算财政拨款基本支出决算表", {2, 12}),
        ("“三公”经费财政拨款支出决算总体情况说明", {17}),
        ("机关运行经费支出 11.57", {18}),
        ("无政府采购支出", {18}),
        ("共有车辆 2 辆", {18}),
        ("整体绩效自评得分为 96", {18}),
        ("名词解释", {2, 28}),
        ("杠杆率 9.08", {29}),
        ("2011308", {7, 8, 11}),
    ],
    "jiefangqu_2023_final": [
        ("收入支出决算总表", {5, 15}),
        ("公务接待费预算数为 4.84", {30}),
        ("机关运行经费支出 10.17", {30}),
        ("政府采购支出总额 0.00", {31}),
        ("部门整体自评表", {39}),
        ("核销率为 92.64%", {51}),
        ("工会经费", {21, 29}),
        ("预算调整率", {43}),
        ("名词解释", {34}),
        ("第三方评价得分表", {49, 51}),
    ],
    "yangquan_2022_final": [
        ("一般公共预算财政拨款支出决算明细表", {2, 10}),
        ("部门决算公开相关信息统计表", {2, 15}),
        ("机关运行经费支出840,414.26", {17}),
        ("政府采购支出总额99,270.50", {17}),
        ("项目自评得分为95分", {18}),
        ("阳泉市项目支出绩效自评表", {21, 25, 28}),
        ("92.07", {43}),
        ("取暖费", {10}),
        ("名词解释", {2, 19}),
        ("94.49", {19, 39}),
    ],
    "zhumadian_2024_budget": [
        ("部门收支总体情况表", {2, 7}),
        ("部门支出总体情况表", {2, 8}),
        ("一般公共预算基本支出表", {2, 12}),
        ("“三公”经费支出情况表", {2, 14}),
        ("项目支出表", {2, 15}),
        ("整体绩效目标表", {2, 16}),
        ("项目绩效目标汇总表", {2, 19}),
        ("共有车辆 9 辆", {5}),
        ("政府采购预算安排 12.7", {5}),
        ("人员经费 1707.7", {4}),
    ],
}


def _compact(text: str) -> str:
    return re.sub(r"\s+|\|", "", text)


@pytest.mark.parametrize("name", list(PHRASES))
def test_chunks_holding_a_phrase_carry_its_pages(name: str, documents) -> None:
    chunks = chunking.chunk_document(documents[name])
    assert all(c.page_start == c.page_end for c in chunks)  # never across a page
    for phrase, pages in PHRASES[name]:
        found = {c.page_start for c in chunks if _compact(phrase) in _compact(c.text)}
        assert found == pages, phrase


def test_chunks_carry_section_paths_and_table_titles(documents) -> None:
    chunks = chunking.chunk_document(documents["jiaozuo_2021_final"])
    text = next(c for c in chunks if "完成预算的 96.08%" in c.text)
    assert (
        text.section.startswith("第三部分")
        and "七、一般公共预算财政拨款“三公”经费支出决算情况说明" in text.section
    )
    t05 = next(c for c in chunks if c.kind == "table" and c.table_title == "一般公共预算财政拨款支出决算表")
    assert t05.page_start == 11 and t05.text.startswith("金额单位：万元")
    assert "功能分类科目编码 | 科目名称 | 小计 | 基本支出 | 项目支出" in t05.text
    # a continued table repeats its title and header rows on the next page
    t04 = [c for c in chunks if c.table_title == "财政拨款收入支出决算总表"]
    assert [c.page_start for c in t04] == [9, 10] and all("栏次" in c.text for c in t04)


def test_ingest_reports_bad_files_and_keeps_the_good_ones(tmp_path: Path) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data")
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("encrypted.pdf", "scanned.pdf", "truncated.pdf", "not_a_pdf.pdf", "empty.pdf"):
        shutil.copy(BAD / name, folder / name)
    shutil.copy(FIXTURES / "zhumadian_2024_budget.pdf", folder / "zhumadian.pdf")
    outcomes = {o.path.name: o for o in ingest.ingest([folder], settings)}
    assert outcomes["zhumadian.pdf"].status == "ingested" and outcomes["zhumadian.pdf"].chunks > 20
    failed = {n: o.error.problem for n, o in outcomes.items() if o.error}
    assert failed == {
        "encrypted.pdf": "encrypted",
        "scanned.pdf": "scanned",
        "truncated.pdf": "corrupt",
        "not_a_pdf.pdf": "not_pdf",
        "empty.pdf": "empty",
    }
    assert Index(settings).search("项目支出表", k=3)[0].metadata["file_name"] == "zhumadian.pdf"


def test_reingest_is_a_noop_and_a_changed_file_replaces_its_chunks(tmp_path: Path) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data")
    target = tmp_path / "report.pdf"
    shutil.copy(FIXTURES / "zhumadian_2024_budget.pdf", target)
    first = ingest.ingest([target], settings)[0]
    count = Index(settings).count()
    again = ingest.ingest([target], settings)[0]
    assert (again.status, again.doc_id, Index(settings).count()) == ("unchanged", first.doc_id, count)

    shutil.copy(FIXTURES / "jiaozuo_2021_final.pdf", target)  # same path, new content
    changed = ingest.ingest([target], settings)[0]
    assert changed.status == "replaced" and changed.doc_id != first.doc_id
    index = Index(settings)
    assert index.search("部门收支总体情况表", k=5, doc_ids=[first.doc_id]) == []
    assert index.count() == changed.chunks
    assert list(Registry(settings.registry_path).entries) == [changed.doc_id]


def test_same_file_name_in_two_folders_stays_two_documents(tmp_path: Path) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data")
    for folder, source in (("a", "zhumadian_2024_budget.pdf"), ("b", "jiaozuo_2021_final.pdf")):
        (tmp_path / folder).mkdir()
        shutil.copy(FIXTURES / source, tmp_path / folder / "report.pdf")
    outcomes = ingest.ingest([tmp_path / "a", tmp_path / "b"], settings)
    assert len({o.doc_id for o in outcomes}) == 2
    registry = Registry(settings.registry_path)
    with pytest.raises(BudgetQAError, match="matches several documents"):
        registry.resolve("report.pdf")
    a_id = outcomes[0].doc_id
    hits = Index(settings).search("三公经费", k=5, doc_ids=registry.resolve(a_id))
    assert hits and {h.metadata["doc_id"] for h in hits} == {a_id}


@pytest.fixture()
def cli_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUDGETQA_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_cli_ingest_search_and_docs(cli_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = FIXTURES / "jiaozuo_2021_final.pdf"
    assert cli.main(["ingest", str(good), str(BAD / "encrypted.pdf")]) == 1
    out = capsys.readouterr()
    assert "encrypted.pdf: 文件已加密" in out.err and "jiaozuo_2021_final.pdf" in out.out
    assert cli.main(["ingest", str(good)]) == 0
    assert "unchanged" in capsys.readouterr().out

    assert (
        cli.main(
            ["search", "公务接待费支出决算", "--doc", "jiaozuo_2021_final.pdf", "-k", "3", "--format", "json"]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and all(r["file"] == "jiaozuo_2021_final.pdf" for r in rows)
    assert {"rank", "score", "doc_id", "pages", "section", "table_title", "text"} <= set(rows[0])
    assert any(r["pages"] in ("13", "18") for r in rows)

    assert cli.main(["docs", "--format", "json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [(d["file_name"], d["pages"]) for d in docs] == [("jiaozuo_2021_final.pdf", 29)]
    assert cli.main(["search", "x", "--doc", "nope.pdf"]) == 1
    assert "no ingested document" in capsys.readouterr().err


def test_chroma_client_server_mode(tmp_path: Path) -> None:
    """BUDGETQA_CHROMA_HOST/PORT: the same ingest and search against a Chroma server on 127.0.0.1."""
    import os
    import socket
    import subprocess
    import sys
    import time

    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("the chroma server binary is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        settings = Settings(
            BUDGETQA_DATA_DIR=tmp_path / "data", BUDGETQA_CHROMA_HOST="127.0.0.1", BUDGETQA_CHROMA_PORT=port
        )
        outcome = ingest.ingest([FIXTURES / "zhumadian_2024_budget.pdf"], settings)[0]
        index = Index(settings)
        assert outcome.status == "ingested" and index.count() == outcome.chunks
        assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally
        assert any(h.metadata["page_start"] == 15 for h in index.search("项目支出表", k=3))
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_upgrade_recomputes_the_stored_report_on_the_next_ingest(tmp_path: Path) -> None:
    """A new budgetqa version finds no stored report of its own for an indexed document (the store
    is keyed by code version); ingesting the unchanged file again computes it, without re-indexing."""
    from service.store import ReportStore

    settings = Settings(BUDGETQA_DATA_DIR=tmp_path, BUDGETQA_ISOLATE=False)
    pdf_path = FIXTURES / "zhumadian_2024_budget.pdf"
    first = ingest.ingest([pdf_path], settings)[0]
    store = ReportStore(settings.reports_dir)
    for stored in settings.reports_dir.glob(f"{first.doc_id}.*.json"):  # as after an upgrade
        stored.unlink()
    assert store.load(first.doc_id) is None
    again = ingest.ingest([pdf_path], settings)[0]
    assert again.status == "unchanged" and "重新抽取" in again.note
    assert store.load(first.doc_id) is not None
    assert ingest.ingest([pdf_path], settings)[0].note == ""
