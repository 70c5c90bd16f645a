"""Load on the HTTP service: N concurrent ``POST /v1/ask`` (N = 1, 8, 32) against a real uvicorn on
127.0.0.1 over the four fixtures, side by side in one run: throughput, p50/p95 latency, failures,
and the server's resident memory after each level (it must stay bounded, not grow with N).

Run: ``python -m eval.bench_api [--requests 96]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from eval.metrics import percentile

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "eval" / "fixtures"
QUESTIONS = ROOT / "eval" / "qa" / "questions.jsonl"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _level(base: str, questions: list[str], concurrency: int, total: int) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def one(n: int) -> None:
            nonlocal failures
            async with gate:
                start = time.perf_counter()
                response = await client.post("/v1/ask", json={"question": questions[n % len(questions)]})
                latencies.append((time.perf_counter() - start) * 1000)
                failures += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(total)))
        wall = time.perf_counter() - started
    return {
        "rps": total / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "failures": failures,
    }


def start_server(env: dict[str, str], stderr: Any = subprocess.DEVNULL) -> tuple[subprocess.Popen, str]:
    """`budgetqa serve` in its own process on a free loopback port, once it answers /healthz."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return server, base
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=96, help="requests per concurrency level")
    args = parser.parse_args()
    questions = [
        json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line
    ]
    data = Path(tempfile.mkdtemp(prefix="budgetqa-bench-api-"))
    env = {**os.environ, "BUDGETQA_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "service.cli", "ingest", *map(str, sorted(FIXTURES.glob("*.pdf")))],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server, base = start_server(env)
    try:
        httpx.post(f"{base}/v1/ask", json={"question": questions[0]}, timeout=120)  # load the index once
        print(f"server RSS after warm-up: {_rss_mb(server.pid):.0f} MB; {args.requests} requests per level")
        print(f"{'concurrency':>11} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'failed':>7} {'RSS MB':>7}")
        for concurrency in (1, 8, 32):
            row = asyncio.run(_level(base, questions, concurrency, args.requests))
            print(
                f"{concurrency:>11} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} "
                f"{int(row['failures']):>7} {_rss_mb(server.pid):>7.0f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
