"""The chat app in a real browser: Playwright drives Debian's chromium against the app running in
its own process on 127.0.0.1 with a temporary data directory. Upload a report (and a bad file),
ask a question, open the citation, see the page with the cell boxed in red, open 审核发现 and a
finding. Screenshots are saved as test artefacts (the path is printed); with
BUDGETQA_UPDATE_SCREENSHOTS=1 the slow test also refreshes docs/screenshots/ for the README.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from test_pages import red_count

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "“三公”经费是多少？"

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt: chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "service.cli", "ui", "--port", str(port)]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("browser-data")
    port = free_port()
    env = {
        **os.environ,
        "BUDGETQA_DATA_DIR": str(data),
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = open(data / "server.log", "w")  # noqa: SIM115  # closed below, after the server stops
    server = subprocess.Popen(
        server_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((data / "server.log").read_text()) from None
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the app and the ingest workers it started
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("BUDGETQA_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def page(app_url: str) -> Iterator:
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        tab = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        tab.set_default_timeout(30_000)
        tab.goto(app_url, wait_until="load")  # never networkidle: Gradio keeps connections open
        yield tab
        browser.close()


def red_in(png: bytes) -> int:
    return red_count(Image.open(io.BytesIO(png)))


def upload(page, files: list[Path]) -> str:  # noqa: ANN001
    expect = playwright.expect
    page.locator("input[type=file]").first.set_input_files([str(f) for f in files])
    log = page.locator("#upload-log textarea")
    expect(log).to_have_value(re.compile("完成："), timeout=120_000)
    return str(log.input_value())


def ask_and_open_citation(page, shots: Path, name: str) -> None:  # noqa: ANN001
    expect = playwright.expect
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#question textarea").press("Enter")
    link = page.locator("#citations a[data-cite]").first
    link.wait_for()
    label = link.inner_text()
    assert re.fullmatch(r"\[第\d+页\]", label)
    expect(page.locator("#chatbot")).to_contain_text(label)  # the answer names the same page
    link.click()
    expect(page.locator("#caption")).to_contain_text(label.strip("[]"))
    image = page.locator("#viewer img").first
    image.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('#viewer img'); return i && i.complete && i.naturalWidth > 0 }"
    )
    assert red_in(image.screenshot()) > 20  # the cited cell is boxed in red on the page
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / f"{name}.png"))


def open_a_finding(page, shots: Path, name: str) -> None:  # noqa: ANN001
    expect = playwright.expect
    page.get_by_role("tab", name="审核发现").click()
    table = page.locator("#findings")
    expect(table).to_contain_text("错误")
    rule = table.get_by_role("gridcell").nth(2)
    rule_id = rule.inner_text().strip()
    assert re.fullmatch(r"[A-Z]+-\d+", rule_id)
    table.get_by_role("gridcell").nth(3).click()
    expect(page.locator("#caption")).to_contain_text(rule_id)
    page.locator("#viewer img").first.wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / f"{name}.png"))


def test_upload_ask_open_citation_and_finding(page, shots: Path, fixture_pdfs: dict[str, Path]) -> None:  # noqa: ANN001
    start = time.perf_counter()
    log = upload(
        page, [fixture_pdfs["zhumadian_2024_budget"], ROOT / "eval" / "fixtures" / "bad" / "empty.pdf"]
    )
    assert "✓ zhumadian_2024_budget.pdf：已导入" in log and "✗ empty.pdf: 文件为空" in log
    playwright.expect(page.locator("#document input")).to_have_value(re.compile("zhumadian_2024_budget.pdf"))
    ask_and_open_citation(page, shots, "1-answer")
    open_a_finding(page, shots, "2-finding")
    print(f"browser smoke: {time.perf_counter() - start:.1f} s after the app was up")


@pytest.mark.slow
def test_all_reports_tables_and_exports(page, shots: Path, fixture_pdfs: dict[str, Path]) -> None:  # noqa: ANN001
    """All four reports; the tables tab with its check marks; the downloads; README screenshots."""
    expect = playwright.expect
    log = upload(page, list(fixture_pdfs.values()))
    assert log.count("✓") + log.count("=") == 4
    page.locator("#document input").click()
    page.get_by_role("option", name=re.compile("jiaozuo_2021_final.pdf")).click()
    ask_and_open_citation(page, shots, "chat")
    page.get_by_role("tab", name="报表数据").click()
    page.locator("#table input").click()
    page.get_by_role("option", name=re.compile("T07 ")).click()
    table = page.locator("#table-view")
    expect(table).to_contain_text("✓ 已核验")
    table.get_by_role("gridcell").nth(4).click()
    expect(page.locator("#caption")).to_contain_text("第")
    page.wait_for_timeout(500)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "tables.png"))
    open_a_finding(page, shots, "findings")
    page.get_by_role("tab", name="导出").click()
    page.get_by_role("button", name="生成下载文件").click()
    for name in ("facts.csv", "facts.xlsx", "facts.jsonl", "report.json", "review.html"):
        stem, ext = name.split(".")
        expect(page.locator("#export-files")).to_contain_text(
            re.compile(rf"jiaozuo_2021_final\.{stem}\s*\.{ext}")
        )
    if os.environ.get("BUDGETQA_UPDATE_SCREENSHOTS"):
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        for name in ("chat", "tables", "findings"):
            image = Image.open(shots / f"{name}.png").convert("RGB")
            image.quantize(colors=256).save(target / f"{name}.png", optimize=True)  # small for the README
