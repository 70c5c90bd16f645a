"""Offline answer latency over the QA set (eval/qa/questions.jsonl) once the engine has loaded the
stored reports, a cold `budgetqa ask` process from start to its first answer, and the chat app
(`budgetqa ui`) from start to its page and to its first answer.

Run: ``python -m eval.bench_qa`` (ingests the four fixtures into a temporary data directory)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.qa import run, score
from service import ingest
from service.config import Settings
from service.qa import Engine

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROUNDS = 3


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(BUDGETQA_DATA_DIR=Path(tmp))
        ingest.ingest(sorted(FIXTURES.glob("*.pdf")), settings)
        start = time.perf_counter()
        engine = Engine(settings)
        ids = run.fixture_ids(engine)  # loads every stored report once
        load_s = time.perf_counter() - start
        questions = score.load_questions()
        timings: list[float] = []
        for _ in range(ROUNDS):
            for q in questions:
                t = time.perf_counter()
                engine.ask(q["question"], doc=ids[q["fixture"]] if q["fixture"] else None)
                timings.append((time.perf_counter() - t) * 1000)
        print(f"engine load (4 stored reports): {load_s * 1000:.0f} ms")
        print(
            f"offline answer latency over {len(questions)} questions × {ROUNDS}: "
            f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms, "
            f"max {max(timings):.1f} ms (goal p95 ≤ 300 ms)"
        )
        env = {**os.environ, "BUDGETQA_DATA_DIR": tmp}
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "service.cli",
                "ask",
                "三公经费支出决算是多少？",
                "--doc",
                "jiaozuo_2021_final.pdf",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"cold `budgetqa ask` process, start to first answer: {time.perf_counter() - t:.2f} s")
        ready, first = app_first_answer(env)
        print(f"`budgetqa ui` from start: page served {ready:.2f} s, first chat answer {first:.2f} s")
    return 0


def app_first_answer(env: dict[str, str]) -> tuple[float, float]:
    """Seconds from starting the chat app to its page being served, and to its first answer
    (asked through the app's own /chat endpoint, as the browser's 发送 does)."""
    import socket
    import urllib.request

    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    start = time.perf_counter()
    app = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if app.poll() is not None or time.perf_counter() - start > 120:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.1)
        ready = time.perf_counter() - start
        Client(url, verbose=False).predict("三公经费支出决算是多少？", "__all__", [], api_name="/chat")
        return ready, time.perf_counter() - start
    finally:
        app.terminate()
        app.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
