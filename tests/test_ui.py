"""The chat app's handlers, called as the page calls them: upload with progress and per-file lines,
streamed answers whose citations open the page with the cell boxed, the tables with their check
marks, the findings with their operands on their pages, and the exports."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fake_engine import FactEngine
from PIL import Image
from test_pages import red_count, red_pixels

import ui
from schemas.answer import CANNOT_ANSWER
from service import pages
from service.cli import build_parser, cmd_ui
from service.config import Settings
from service.errors import BudgetQAError
from service.registry import DocumentEntry, Registry
from service.store import ReportStore


@pytest.fixture(scope="module")
def app(shared_index: tuple) -> ui.App:
    settings, _, _ = shared_index
    return ui.App(settings, FactEngine)


def page_png(item: tuple[str, str]) -> bytes:
    return Path(item[0]).read_bytes()


def test_build_shows_mode_and_listens_on_loopback_by_default(shared_index: tuple) -> None:
    settings, _, _ = shared_index
    demo = ui.build(settings, FactEngine)
    assert demo.budgetqa_app.settings is settings  # type: ignore[attr-defined]
    assert ui.mode_label(settings) == "离线"
    assert demo.budgetqa_app.notice() == ""  # type: ignore[attr-defined]  # every report is stored
    online = Settings(
        BUDGETQA_DATA_DIR=settings.data_dir, OPENAI_API_KEY="sk-x", BUDGETQA_CHAT_MODEL="qwen-max"
    )
    assert ui.mode_label(online) == "LLM：qwen-max"
    args = build_parser().parse_args(["ui"])
    assert (args.host, args.port, args.func) == ("127.0.0.1", 7860, cmd_ui)
    assert ui.launch.__defaults__[0] == "127.0.0.1"  # type: ignore[index]


def test_upload_ingests_each_file_and_names_the_bad_ones(
    fixture_pdfs: dict[str, Path], tmp_path: Path
) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data")
    made: list[Settings] = []
    app = ui.App(settings, lambda s: made.append(s) or FactEngine(s))
    app.engine()  # loaded before the upload: it must be reloaded to see the new report
    browser_copy = tmp_path / "gradio"  # where Gradio puts an upload
    browser_copy.mkdir()
    good = browser_copy / "zhumadian_2024_budget.pdf"
    shutil.copyfile(fixture_pdfs["zhumadian_2024_budget"], good)
    empty = browser_copy / "empty.pdf"
    empty.write_bytes(b"")
    fake = browser_copy / "not_a_pdf.pdf"
    fake.write_text("这不是 PDF", encoding="utf-8")
    progress: list[tuple[float, str]] = []
    steps = list(app.upload([str(empty), str(good), str(fake)], lambda f, desc: progress.append((f, desc))))
    log, picker = steps[-1]
    lines = log.splitlines()
    assert lines[0].startswith("✗ empty.pdf: 文件为空")
    assert lines[1].startswith("✓ zhumadian_2024_budget.pdf：已导入，19 页") and "核验：错误" in lines[1]
    assert lines[2].startswith("✗ not_a_pdf.pdf: 不是 PDF 文件")
    assert lines[-1] == "完成：1 个可用，2 个失败"
    assert any("正在处理" in step[0] for step in steps[:-1])  # the log grew while files were processed
    assert progress and progress[0][1].startswith("1/3 empty.pdf")
    (entry,) = Registry(settings.registry_path).entries.values()
    assert picker["value"] == entry.doc_id
    assert any(value == entry.doc_id for _, value in picker["choices"])
    # the registry points at the app's own copy, not Gradio's temp file; bad files leave no copy
    assert Path(entry.path).parent.parent == settings.uploads_dir and Path(entry.path).is_file()
    assert [p.name for p in settings.uploads_dir.iterdir()] == [entry.doc_id]
    app.engine()
    assert len(made) == 2
    again = list(app.upload([str(good)]))[-1][0]
    assert again.splitlines()[0].startswith("= zhumadian_2024_budget.pdf：已导入过")
    assert list(app.upload([]))[-1][0] == "请先选择要导入的 PDF 文件。"


def test_chat_streams_the_answer_and_its_citation_shows_the_cell(app: ui.App, shared_index: tuple) -> None:
    _, _, doc_ids = shared_index
    jiaozuo = doc_ids["jiaozuo_2021_final"]
    steps = list(app.chat("“三公”经费是多少？", jiaozuo, []))
    texts = [s[1][-1]["content"] for s in steps if isinstance(s[1], list) and s[1]]
    final = texts[-1]
    assert len(texts) > 10 and all(final.startswith(t) for t in texts[1:])  # grew piece by piece
    assert steps[-1][1][0] == {"role": "user", "content": "“三公”经费是多少？"}
    assert "23.23 万元" in final and "出处：[第13页]" in final
    _, _, links, facts, citations, answer_facts = steps[-1]
    assert "data-cite='0'" in links and "[第13页]" in links
    assert facts.iloc[0]["核验"] == "✓ 已核验" and facts.iloc[0]["页码"] == "第13页"
    assert app.engine().asked[-1] == ("“三公”经费是多少？", jiaozuo)  # type: ignore[attr-defined]
    items, caption = app.show_citation(0, citations)
    assert caption.startswith("jiaozuo_2021_final.pdf 第13页")
    bbox = citations[0]["bbox"]
    assert red_pixels(page_png(items[0]), bbox, pages.DEFAULT_ZOOM) > 50
    items, _ = app.show_answer_fact(list(facts.iloc[0]), answer_facts)
    assert red_pixels(page_png(items[0]), bbox, pages.DEFAULT_ZOOM) > 50
    assert app.show_citation(5, citations) == ([], "这条引用已不在（请重新提问）")


def test_chat_all_reports_declines_and_never_shows_a_traceback(app: ui.App) -> None:
    final = list(app.chat("今天天气怎么样？", ui.ALL, []))[-1]
    assert final[1][-1]["content"] == CANNOT_ANSWER and "没有引用" in final[2]
    assert app.engine().asked[-1] == ("今天天气怎么样？", None)  # type: ignore[attr-defined]
    assert list(app.chat("   ", ui.ALL, []))[-1][1] == []

    class Broken:
        def __init__(self, error: Exception) -> None:
            self.error = error

        def ask(self, question: str, doc: str | None = None) -> Any:
            raise self.error

    for error, said in (
        (BudgetQAError("no ingested document matches “x”"), "无法回答：no ingested document matches “x”"),
        (RuntimeError("boom"), "回答失败（RuntimeError），请换个问法或稍后再试"),
    ):
        broken = ui.App(app.settings, lambda s, e=error: Broken(e))  # type: ignore[misc]
        assert list(broken.chat("三公", ui.ALL, []))[-1][1][-1]["content"] == said


def test_tables_tab_marks_each_value_and_boxes_it(app: ui.App, shared_index: tuple) -> None:
    _, _, doc_ids = shared_index
    jiaozuo = doc_ids["jiaozuo_2021_final"]
    choices = dict((value, label) for label, value in app.table_choices(jiaozuo))
    assert choices[f"{jiaozuo}:T07"].startswith("T07 一般公共预算财政拨款“三公”经费支出决算表（第13页起）")
    assert f"{jiaozuo}:NAR" in choices
    everyone = app.table_choices(ui.ALL)
    assert len({value.split(":")[0] for _, value in everyone}) == 4
    frame, status, rows = app.table_rows(f"{jiaozuo}:T07")
    assert len(frame) == len(rows) == 12
    first = frame.iloc[0]
    assert (first["数值"], first["单位"], first["页码"]) == ("23.23", "万元", "第13页")
    assert set(frame["核验"]) <= set(ui.STATUS_MARK.values()) and "✓ 已核验" in set(frame["核验"])
    assert status.startswith("12 个数值：✓ 已核验")
    items, caption = app.show_row(list(first), rows)
    assert caption.startswith("第13页：") and "23.23万元" in caption
    assert red_pixels(page_png(items[0]), rows[0]["bbox"], pages.DEFAULT_ZOOM) > 50
    assert app.show_row(["99"], rows) == ([], "")


def test_findings_tab_most_severe_first_and_operands_on_their_pages(app: ui.App, shared_index: tuple) -> None:
    _, _, doc_ids = shared_index
    frame, summary, keep = app.findings(doc_ids["jiefangqu_2023_final"])
    assert summary.startswith("jiefangqu_2023_final.pdf：错误 ")
    levels = list(frame["级别"])
    assert levels[0] == "错误" and levels == sorted(levels, key=list(ui.LEVEL.values()).index)
    assert list(frame["#"]) == [str(n) for n in range(len(frame))] and len(keep) == len(frame)
    row = next(r for _, r in frame.iterrows() if r["规则"] == "NAR-12")  # narrative vs table, two pages
    items, caption = app.show_finding(list(row), keep)
    finding = keep[int(row["#"])]["finding"]
    assert caption.startswith(f"**NAR-12** {finding['message']}")
    assert len(items) == len({op["page"] for op in finding["operands"] if op["page"]}) >= 2
    for item, page in zip(
        items, sorted({op["page"] for op in finding["operands"] if op["page"]}), strict=True
    ):
        assert item[1].startswith(f"第{page}页：")
        boxed = [op for op in finding["operands"] if op["page"] == page and op["bbox"]]
        assert boxed and red_pixels(page_png(item), boxed[0]["bbox"], pages.DEFAULT_ZOOM) > 50
    frame_all, summary_all, _ = app.findings(ui.ALL)
    assert summary_all.count("：错误 ") == 4 and len(set(frame_all["文件"])) == 4


def test_export_tab_writes_the_stored_reports(app: ui.App, shared_index: tuple) -> None:
    _, _, doc_ids = shared_index
    files, note = app.export_files(doc_ids["zhumadian_2024_budget"])
    names = sorted(Path(f).name for f in files)
    stem = "zhumadian_2024_budget"
    assert names == sorted(
        f"{stem}.{ext}" for ext in ("facts.csv", "facts.jsonl", "facts.xlsx", "report.json", "review.html")
    )
    by_name = {Path(f).name: Path(f) for f in files}
    rows = list(csv.DictReader(io.StringIO(by_name[f"{stem}.facts.csv"].read_text(encoding="utf-8"))))
    assert note.startswith(f"{len(rows)} 个数值，1 份报告") and rows[0]["page"] and rows[0]["status"]
    assert (
        json.loads(by_name[f"{stem}.report.json"].read_text(encoding="utf-8"))["meta"]["doc_id"]
        == doc_ids[stem]
    )
    assert "部门预算/决算公开报告核验" in by_name[f"{stem}.review.html"].read_text(encoding="utf-8")
    assert by_name[f"{stem}.facts.xlsx"].read_bytes()[:2] == b"PK"
    everyone, _ = app.export_files(ui.ALL)
    assert any(Path(f).name == "budgetqa_全部文档.report.json" for f in everyone)


def test_a_document_without_its_stored_report_says_so(tmp_path: Path, fixture_pdfs: dict[str, Path]) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data")
    Registry(settings.registry_path).put(
        DocumentEntry("0123456789abcdef", "old.pdf", str(fixture_pdfs["jiaozuo_2021_final"]), 29, 0, 0, "")
    )
    app = ui.App(settings, FactEngine)
    assert ReportStore(settings.reports_dir).load("0123456789abcdef") is None
    _, summary, _ = app.findings(ui.ALL)
    path = fixture_pdfs["jiaozuo_2021_final"]
    assert summary.startswith("old.pdf：没有存储的抽取与核验结果") and f"budgetqa check {path}" in summary
    assert app.notice().startswith("⚠ 1 份报告没有当前程序版本的存储结果，问答与报表中看不到它们：old.pdf。")
    assert app.table_rows("0123456789abcdef:T07")[1].startswith("old.pdf：没有存储")
    files, note = app.export_files(ui.ALL)
    assert files == [] and note.startswith("old.pdf：没有存储")
    # its page cannot be shown either: the file there is not the one this id was made from
    items, caption = app.show_citation(0, [{"doc": "old.pdf", "doc_id": "0123456789abcdef", "page": 1}])
    assert items == [] and "原文件在导入后被修改" in caption


def test_image_is_a_png_of_the_page(app: ui.App, shared_index: tuple) -> None:
    _, _, doc_ids = shared_index
    path = app.page_file(doc_ids["yangquan_2022_final"], 1, [])
    assert Image.open(path).format == "PNG"


def test_the_real_engine_in_the_app_every_citation_opens_boxed(shared_index: tuple) -> None:
    """service.qa.Engine behind the app: the answer streams in, and each citation — a table cell
    with its box, or a sentence found on its page by its text — opens with red on the page."""
    settings, _, doc_ids = shared_index
    app = ui.App(settings)
    final = list(app.chat("“三公”经费支出决算是多少？", doc_ids["jiaozuo_2021_final"], []))[-1]
    text, citations = final[1][-1]["content"], final[4]
    assert "22.32" in text and citations
    for n, cited in enumerate(citations):
        items, caption = app.show_citation(n, citations)
        assert caption.startswith(f"jiaozuo_2021_final.pdf 第{cited['page']}页"), caption
        assert red_count(Image.open(items[0][0])) > 100


def test_answer_text_shows_the_calculation_and_flags_unverified_numbers() -> None:
    from schemas.answer import Answer, Citation

    answer = Answer(
        question="差额是多少？",
        answer="差额为 533.33 万元（第5页）。",
        calculation="779.26 − 245.93 = 533.33 万元",
        citations=[Citation(doc="a.pdf", doc_id="1", page=5), Citation(doc="b.pdf", doc_id="2", page=7)],
        mode="llm",
        unverified=["12.5"],
    )
    text = ui.answer_text(answer)
    assert "计算：779.26 − 245.93 = 533.33 万元" in text
    assert "⚠ 未核实的数字：12.5" in text
    assert text.endswith("出处：[a.pdf 第5页] [b.pdf 第7页]")  # several reports: each citation names its own
