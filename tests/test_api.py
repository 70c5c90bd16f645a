"""The HTTP service: upload → poll → facts, findings, report, search → delete; the API key; the
request-size limit while streaming; names never used as paths; every error as problem+json."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from conftest import BAD, FIXTURES, NAMES, ROOT
from eval.bench_api import start_server
from schemas.findings import CheckResult
from service.api import create_app
from service.config import Settings

PDF = FIXTURES / "jiaozuo_2021_final.pdf"


def wait_ready(client: TestClient, doc_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/v1/documents/{doc_id}").json()
        if state["state"] in ("ready", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"{doc_id} not done after {timeout} s")


def test_upload_fetch_delete(tmp_path: Path) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        files = [
            ("files", ("焦作 2021 决算.pdf", PDF.read_bytes(), "application/pdf")),
            ("files", ("encrypted.pdf", (BAD / "encrypted.pdf").read_bytes(), "application/pdf")),
            ("files", ("not_a_pdf.pdf", (BAD / "not_a_pdf.pdf").read_bytes(), "application/pdf")),
        ]
        response = client.post("/v1/documents", files=files)
        assert response.status_code == 202
        good, encrypted, not_pdf = response.json()
        assert not_pdf["state"] == "failed" and not_pdf["error"]["problem"] == "not_pdf"
        assert "not_a_pdf.pdf" in not_pdf["error"]["detail"]
        assert good["state"] == "queued" and encrypted["state"] == "queued"

        assert wait_ready(client, encrypted["doc_id"])["error"]["problem"] == "encrypted"
        ready = wait_ready(client, good["doc_id"])
        assert ready["state"] == "ready" and ready["file_name"] == "焦作 2021 决算.pdf"
        assert ready["pages"] > 10 and ready["year"] == 2021 and ready["kind"] == "决算"
        doc_id = good["doc_id"]
        listed = {d["doc_id"]: d["state"] for d in client.get("/v1/documents").json()}
        assert listed == {doc_id: "ready", encrypted["doc_id"]: "failed"}

        facts = client.get(f"/v1/documents/{doc_id}/facts", params={"table": "T07"}).json()
        assert facts and {f["table_id"] for f in facts} == {"T07"}
        assert all(isinstance(f["value"], str) for f in facts)  # Decimal as printed, never a float
        assert all(f["page"] and f["bbox"] and f["status"] for f in facts)
        csv_text = client.get(f"/v1/documents/{doc_id}/facts", params={"table": "T07", "format": "csv"})
        assert csv_text.headers["content-type"].startswith("text/csv")
        assert len(csv_text.text.strip().splitlines()) == len(facts) + 1

        box = ",".join(str(v) for v in facts[0]["bbox"])
        image = client.get(f"/v1/documents/{doc_id}/pages/{facts[0]['page']}.png", params={"highlight": box})
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content.startswith(b"\x89PNG")
        plain = client.get(f"/v1/documents/{doc_id}/pages/{facts[0]['page']}.png").content
        assert plain != image.content  # the box is drawn
        assert client.get(f"/v1/documents/{doc_id}/pages/999.png").status_code == 404
        bad = client.get(f"/v1/documents/{doc_id}/pages/1.png", params={"highlight": "1,2,3"})
        assert bad.status_code == 422 and bad.json()["problem"] == "bad_highlight"

        check = CheckResult.model_validate(client.get(f"/v1/documents/{doc_id}/findings").json())
        assert check.doc_id == doc_id and check.inventory
        html = client.get(f"/v1/documents/{doc_id}/report.html")
        assert html.status_code == 200 and "<html" in html.text.lower()

        hits = client.post("/v1/search", json={"query": "三公经费", "k": 3}).json()
        assert len(hits) == 3 and hits[0]["doc_id"] == doc_id and hits[0]["page_start"] >= 1

        answer = client.post("/v1/ask", json={"question": "2021年三公经费支出决算是多少？"}).json()
        assert answer["answerable"] and answer["mode"] == "offline" and "22.32" in answer["answer"]
        assert any(c["page"] == 13 and c["doc_id"] == doc_id for c in answer["citations"])
        assert any(f["value"] == "22.32" and f["status"] == "verified" for f in answer["facts"])
        with client.stream(
            "POST", "/v1/ask", json={"question": "三公经费支出决算是多少", "stream": True}
        ) as events:
            assert events.headers["content-type"].startswith("text/event-stream")
            body = "".join(events.iter_text())
        kinds = [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("event: ")]
        assert kinds[-1] == "answer" and set(kinds[:-1]) == {"delta"}
        streamed = json.loads(body.rsplit("data: ", 1)[1])
        data = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
        deltas = [json.loads(d)["text"] for d in data[:-1]]
        assert "".join(deltas) == streamed["answer"] and streamed["citations"]
        unknown = client.post("/v1/ask", json={"question": "三公经费", "doc": "no-such-report"})
        assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"

        assert client.delete(f"/v1/documents/{doc_id}").status_code == 204
        gone = client.get(f"/v1/documents/{doc_id}")
        assert gone.status_code == 404 and gone.headers["content-type"] == "application/problem+json"
        assert client.post("/v1/search", json={"query": "三公经费"}).json() == []
        assert not (settings.uploads_dir / doc_id).exists()


def test_api_key(tmp_path: Path) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path, BUDGETQA_API_KEY="s3cret")
    with TestClient(create_app(settings)) as client:
        denied = client.get("/v1/documents")
        assert denied.status_code == 401 and denied.json()["problem"] == "unauthorised"
        assert client.get("/v1/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/v1/documents", headers={"Authorization": "Bearer s3cret"}).json() == []
        assert client.get("/healthz").status_code == 200  # probes need no key


def test_body_limit_while_streaming(tmp_path: Path) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path, BUDGETQA_MAX_UPLOAD_MB=0.05)
    with TestClient(create_app(settings)) as client:
        big = client.post("/v1/documents", files=[("files", ("a.pdf", b"%PDF-" + b"0" * 80_000))])
        assert big.status_code == 413 and big.json()["problem"] == "too_large"
        part = b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n%PDF-'
        streamed = client.post(
            "/v1/documents",
            content=iter([part] + [b"0" * 16_384] * 8),  # no Content-Length: counted as it streams
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
        assert streamed.status_code == 413 and streamed.json()["problem"] == "too_large"
    assert not settings.uploads_dir.exists()


def test_names_are_never_paths(tmp_path: Path) -> None:
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data", BUDGETQA_ISOLATE=False)
    with TestClient(create_app(settings)) as client:
        evil = [("files", ("../../../outside.pdf", (BAD / "scanned.pdf").read_bytes(), "application/pdf"))]
        result = client.post("/v1/documents", files=evil).json()[0]
        assert result["file_name"] == "outside.pdf"
        wait_ready(client, result["doc_id"])
    assert not (tmp_path / "outside.pdf").exists()
    assert not list(tmp_path.glob("**/outside.pdf"))  # a failed upload keeps no file either


def test_errors_are_problem_json(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(BUDGETQA_DATA_DIR=tmp_path))) as client:
        for response in (
            client.get("/v1/documents/nope/findings"),
            client.get("/v1/nowhere"),
            client.post("/v1/search", json={"query": ""}),
            client.post("/v1/search", json={"query": "三公", "doc": "no-such-report"}),
        ):
            assert response.status_code in (404, 422), response.text
            assert response.headers["content-type"] == "application/problem+json"
            body = response.json()
            assert body["detail"] and "Traceback" not in body["detail"]


def test_real_server(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BUDGETQA_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "BUDGETQA_MAX_UPLOAD_MB": "5",
    }
    server, base = start_server(env, stderr=subprocess.PIPE)
    try:
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["status"] == "ok" and ready["documents"] == 0
        spec = httpx.get(f"{base}/openapi.json").json()
        assert "/v1/documents" in spec["paths"] and "/v1/search" in spec["paths"]
        files = [
            ("files", (f"{n}.pdf", (FIXTURES / f"{n}.pdf").read_bytes(), "application/pdf")) for n in NAMES
        ]
        files.append(("files", ("scanned.pdf", (BAD / "scanned.pdf").read_bytes(), "application/pdf")))
        sent_files = httpx.post(f"{base}/v1/documents", files=files, timeout=60).json()
        ids = [d["doc_id"] for d in sent_files]
        deadline = time.monotonic() + 240
        states: dict[str, dict] = {}
        while len(states) < len(ids):
            assert time.monotonic() < deadline, states
            for doc_id in set(ids) - set(states):
                status = httpx.get(f"{base}/v1/documents/{doc_id}").json()
                if status["state"] in ("ready", "failed"):
                    states[doc_id] = status
            time.sleep(0.3)
        *reports, scanned = ids
        assert all(states[d]["state"] == "ready" for d in reports)
        assert (
            states[scanned]["error"]["problem"] == "scanned"
            and "scanned.pdf" in states[scanned]["error"]["detail"]
        )
        for doc_id in reports:
            findings = httpx.get(f"{base}/v1/documents/{doc_id}/findings").json()
            assert findings["doc_id"] == doc_id and findings["inventory"]
        across = httpx.post(
            f"{base}/v1/ask", json={"question": "各部门三公经费支出是多少？"}, timeout=60
        ).json()
        assert across["answerable"] and {c["doc_id"] for c in across["citations"]} == set(reports)
        page = httpx.get(f"{base}/ui/")
        assert page.status_code == 200 and "<html" in page.text.lower()  # the chat app is mounted

        sent = 0

        def two_gigabytes():
            nonlocal sent
            yield b'--x\r\nContent-Disposition: form-data; name="files"; filename="big.pdf"\r\n\r\n%PDF-'
            for _ in range(2 * 1024 * 16):  # 2 GB in 64 KB pieces, made only as they are sent
                sent += 65_536
                yield b"0" * 65_536

        headers = {"content-type": "multipart/form-data; boundary=x"}
        try:
            refused = httpx.post(f"{base}/v1/documents", content=two_gigabytes(), headers=headers, timeout=60)
            assert refused.status_code == 413
        except httpx.TransportError:
            pass  # the server answered 413 and closed while the client was still sending
        assert sent < 64 * 1024 * 1024  # stopped near the 5 MB limit, not after 2 GB
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert b"Traceback" not in (server.stderr.read() if server.stderr else b"")


def test_batch_job(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("jiaozuo_2021_final", "zhumadian_2024_budget"):
        shutil.copy(FIXTURES / f"{name}.pdf", reports / f"{name}.pdf")
    shutil.copy(FIXTURES / "jiaozuo_2021_final.pdf", reports / "copy.pdf")
    shutil.copy(BAD / "encrypted.pdf", reports / "encrypted.pdf")
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data", BUDGETQA_BATCH_ROOTS=[reports])
    with TestClient(create_app(settings)) as client:
        outside = client.post("/v1/jobs", json={"paths": [str(FIXTURES)]})
        assert outside.status_code == 403 and outside.json()["problem"] == "bad_inputs"
        assert client.post("/v1/jobs", json={"paths": [str(reports / "..")]}).status_code == 403
        assert client.post("/v1/jobs", json={}).status_code == 422

        job = client.post("/v1/jobs", json={"paths": [str(reports)]})
        assert job.status_code == 202
        job_id = job.json()["job_id"]
        deadline = time.monotonic() + 240
        while (status := client.get(f"/v1/jobs/{job_id}").json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.3)
        assert status["state"] == "done", status
        assert (status["total"], status["done"], status["failed"]) == (4, 3, 1)
        assert {"status.csv", "facts.parquet", "facts.csv", "budgetqa.duckdb", "report.xlsx"} <= set(
            status["outputs"]
        )

        csv_text = client.get(f"/v1/jobs/{job_id}/outputs/status.csv").text
        rows = csv_text.strip().splitlines()
        assert len(rows) == 5 and sum("encrypted" in r for r in rows[1:]) == 1
        facts = client.get(f"/v1/jobs/{job_id}/outputs/facts.csv").text.strip().splitlines()
        assert len(facts) - 1 == status["summary"]["facts"] > 0
        for name in ("../job.json", "jobs.sqlite", "job.json", "%2e%2e/%2e%2e/documents.json"):
            assert client.get(f"/v1/jobs/{job_id}/outputs/{name}").status_code == 404
        assert client.get("/v1/jobs/zzz").status_code == 404
