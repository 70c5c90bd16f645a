"""`budgetqa batch`: a folder of good reports, bad inputs and copies becomes one dataset; a job killed
with SIGKILL partway resumes where it stopped; every output is rebuilt from the ledger alone."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pymupdf
import pytest

from eval.torture import build as torture
from service.batch import job, outputs
from service.batch.ledger import MAX_ATTEMPTS, Ledger, Stored
from service.config import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "eval" / "fixtures"
GOOD = sorted(FIXTURES.glob("*.pdf"))
BAD = {  # eval/fixtures/bad: file → reason
    "empty.pdf": "empty",
    "encrypted.pdf": "encrypted",
    "not_a_pdf.pdf": "not_pdf",
    "not_a_report.pdf": "not_report",
    "scanned.pdf": "scanned",
    "truncated.pdf": "corrupt",
}
COPIES_PER_REPORT = 10  # 40 copies: 9 of each report byte for byte, 1 with one page changed
CHANGED_PER_REPORT = 1


def change_one_page(src: Path, dest: Path, mark: str) -> None:
    """The same report with a short note added in the margin of one page: new bytes, new hash."""
    doc = pymupdf.open(src)
    page = doc[len(doc) - 1]
    page.insert_text((20, page.rect.height - 12), f"副本{mark}", fontname="china-s", fontsize=6)
    doc.save(dest)
    doc.close()


def build_corpus(root: Path, copies: int = COPIES_PER_REPORT, changed: int = CHANGED_PER_REPORT) -> dict:
    """The four fixtures, the bad inputs, the torture corpus and the copies, in one folder tree.
    Returns {"good": {path: original}, "changed": set of paths, "bad": {path: acceptable reasons},
    "readable": paths that must be done}."""
    good: dict[str, Path] = {}
    changed_paths: set[str] = set()
    bad: dict[str, set[str]] = {}
    readable: set[str] = set()  # damaged or oddly named, but readable
    (root / "reports").mkdir(parents=True)
    for src in GOOD:
        dest = root / "reports" / src.name
        dest.write_bytes(src.read_bytes())
        good[str(dest)] = src
    (root / "bad").mkdir()
    for name, reason in BAD.items():
        (root / "bad" / name).write_bytes((FIXTURES / "bad" / name).read_bytes())
        bad[str(root / "bad" / name)] = {reason}
    for name, outcomes in torture.build(root / "torture").items():
        path = root / "torture" / name
        if outcomes == {"ok"}:
            readable.add(os.path.abspath(path))
        elif "ok" not in outcomes and "skip" not in outcomes:  # damage MuPDF may repair: either is right
            bad[os.path.abspath(path)] = outcomes
    marks = "甲乙丙丁戊己庚辛"
    for n, src in enumerate(GOOD):
        folder = root / "copies" / f"batch{n}"
        folder.mkdir(parents=True)
        for i in range(copies):
            dest = folder / f"{src.stem}-copy{i:02d}.pdf"
            if i < changed:
                change_one_page(src, dest, marks[i])
                changed_paths.add(str(dest))
            else:
                dest.write_bytes(src.read_bytes())
            good[str(dest)] = src
    return {"good": good, "changed": changed_paths, "bad": bad, "readable": readable}


def batch_command(inputs: list[Path], out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "service.cli",
        "batch",
        *map(str, inputs),
        "-o",
        str(out),
        "--llm",
        "never",
        *extra,
    ]


def env_for(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, BUDGETQA_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    env.pop("OPENAI_API_KEY", None)
    return env


def ledger_states(out: Path) -> Counter[str]:
    try:
        db = sqlite3.connect(f"file:{out / 'jobs.sqlite'}?mode=ro", uri=True, timeout=5)
        try:
            return Counter(dict(db.execute("SELECT state, COUNT(*) FROM files GROUP BY state").fetchall()))
        finally:
            db.close()
    except sqlite3.Error:
        return Counter()


def run_and_kill(cmd: list[str], env: dict[str, str], out: Path, done_at_least: int) -> Counter[str]:
    """Start the job, SIGKILL it once the ledger shows some files done and some still to do."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            states = ledger_states(out)
            if states["done"] + states["failed"] >= done_at_least and states["pending"] + states["running"]:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                return states
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    pytest.fail(f"the job ended (code {proc.returncode}) before it could be killed partway")


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def check_outputs(out: Path, corpus: dict) -> dict[str, dict[str, str]]:
    """Every good file exactly once in every output, every bad file once with its reason; the
    facts counts agree between status.csv, facts.csv, facts.parquet and DuckDB."""
    status = read_csv(out / "status.csv")
    by_path = {r["path"]: r for r in status}
    assert len(by_path) == len(status), "a file listed twice in status.csv"
    expected = {display(p) for p in [*corpus["good"], *corpus["bad"], *corpus["readable"]]}
    assert expected <= set(by_path), sorted(expected - set(by_path))[:5]
    for path in [*corpus["good"], *corpus["readable"]]:
        assert by_path[display(path)]["status"] == "done", by_path[display(path)]
    for path, reasons in corpus["bad"].items():
        row = by_path[display(path)]
        assert row["status"] == "failed" and row["reason"] in reasons, row
        assert row["message"].startswith(Path(path).name), row  # one line that names the file
    assert not list(out.glob(".build-*")) and not list(out.glob(".*.tmp"))

    facts_total = sum(int(r["facts"] or 0) for r in status)
    facts_csv = read_csv(out / "facts.csv")
    parquet = pq.read_table(out / "facts.parquet")
    con = duckdb.connect(str(out / "budgetqa.duckdb"), read_only=True)
    try:
        db_count = con.execute("SELECT COUNT(*) FROM facts").fetchone()
        assert db_count is not None
        assert len(facts_csv) == parquet.num_rows == db_count[0] == facts_total > 0
        per_file = Counter(r["path"] for r in facts_csv)
        for path, original in corpus["good"].items():
            # a file done twice would double its rows; a copy has exactly its original's rows
            assert (
                per_file[path]
                == int(by_path[path]["facts"])
                == int(by_path[str(original_in(corpus, original))]["facts"])
            )
        assert set(per_file) == {p for p, r in by_path.items() if r["status"] == "done"}
        # every document once in the tidy tables: one 合计 row of 三公 per report, one inventory per report
        totals = Counter(p for (p,) in con.execute("SELECT path FROM sangong WHERE item = '合计'").fetchall())
        assert all(totals[p] == 1 for p in corpus["good"]), totals.most_common(3)
        inventory = dict(con.execute("SELECT path, COUNT(*) FROM inventory GROUP BY path").fetchall())
        assert {p: inventory[p] for p in corpus["good"]} == {
            p: inventory[str(original_in(corpus, o))] for p, o in corpus["good"].items()
        }
        money = con.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'facts' AND column_name = 'value_yuan'"
        ).fetchone()
        assert money is not None and money[0].startswith("DECIMAL")
    finally:
        con.close()
    assert str(parquet.schema.field("value_yuan").type).startswith("decimal128")
    return by_path


def display(path: str) -> str:
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def original_in(corpus: dict, original: Path) -> str:
    """The corpus path of an original fixture (reports/NAME.pdf)."""
    return next(p for p, o in corpus["good"].items() if o == original and Path(p).parent.name == "reports")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("corpus")
    return root, build_corpus(root)


def test_a_job_killed_partway_resumes_and_every_file_is_in_every_output_once(
    corpus: tuple[Path, dict], tmp_path: Path
) -> None:
    root, files = corpus
    out, env = tmp_path / "out", env_for(tmp_path / "data")
    cmd = batch_command([root], out, "--workers", "2")
    at_kill = run_and_kill(cmd, env, out, done_at_least=8)
    assert at_kill["done"] + at_kill["failed"] < len(files["good"]) + len(files["bad"])

    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert resumed.returncode == 1, resumed.stderr  # some files failed, and said so
    assert "Traceback" not in resumed.stderr + resumed.stdout
    by_path = check_outputs(out, files)

    # files the kill cut short were redone (attempt 2); files finished before it were not
    with Ledger(out / "jobs.sqlite") as ledger:
        entries = {e.path: e for e in ledger.entries()}
    attempts = Counter(e.attempts for e in entries.values())
    assert set(attempts) <= {0, 1, 2} and attempts[2] >= 1, attempts
    # changed copies are documents of their own, read on their own
    for path in files["changed"]:
        original = original_in(files, files["good"][path])
        assert by_path[path]["doc_id"] != by_path[original]["doc_id"]
        assert entries[path].result_key != entries[original].result_key
    for path, original in files["good"].items():
        if path not in files["changed"]:
            assert by_path[path]["doc_id"] == by_path[original_in(files, original)]["doc_id"]

    # a file changed in place is redone and replaces its rows; the job is killed again, this time
    # while it writes the outputs: what stays under the final names is complete (old or new)
    target = next(p for p in files["good"] if p not in files["changed"] and "copies" in p)
    old_id, before = by_path[target]["doc_id"], read_csv(out / "status.csv")
    change_one_page(files["good"][target], Path(target + ".new"), "新")
    os.replace(target + ".new", target)
    files["changed"].add(target)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not list(out.glob(".build-*/tables/*")):
        time.sleep(0.01)
    proc.kill()
    proc.wait(10)
    status = read_csv(out / "status.csv")
    assert len(status) == len(before) and {r["path"] for r in status} == {r["path"] for r in before}
    assert pq.read_table(out / "facts.parquet").num_rows == sum(int(r["facts"] or 0) for r in status)

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    read_line = next(line for line in again.stdout.splitlines() if "本次读取" in line)
    assert read_line.split("│")[-2].strip() in ("0", "1"), read_line  # only the changed file, if anything
    by_path = check_outputs(out, files)
    assert by_path[target]["doc_id"] != old_id
    facts = read_csv(out / "facts.csv")
    assert {r["doc_id"] for r in facts if r["path"] == target} == {by_path[target]["doc_id"]}
    with Ledger(out / "jobs.sqlite") as ledger:
        assert sum(e.state in ("pending", "running") for e in ledger.entries()) == 0


def test_outputs_are_rebuilt_from_the_ledger_alone(tmp_path: Path) -> None:
    """Delete every output but jobs.sqlite: a rebuild gives the same rows, without reading a PDF."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for src in GOOD[:2]:
        (inputs / src.name).write_bytes(src.read_bytes())
    (inputs / "not_a_pdf.pdf").write_bytes((FIXTURES / "bad" / "not_a_pdf.pdf").read_bytes())
    out = tmp_path / "out"
    settings = Settings(BUDGETQA_DATA_DIR=tmp_path / "data", BUDGETQA_ISOLATE=False)
    first = job.run([inputs], out, settings, llm="never", workers=1)
    assert (first.built.files_done, first.built.files_failed) == (2, 1)
    saved = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.csv")}
    for path in out.iterdir():
        if path.name != "jobs.sqlite":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    with Ledger(out / "jobs.sqlite") as ledger:
        again = outputs.rebuild(ledger, out)
    assert again.facts == first.built.facts > 0
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*.csv")} == saved
    sangong = read_csv(out / "tables" / "t07_sangong.csv")
    jiaozuo = {r["item"]: r for r in sangong if r["file"] == "jiaozuo_2021_final.pdf"}
    # 23.23 万元 printed: 232300 元, the 万元 figure exact (Decimal, not float)
    assert jiaozuo["合计"]["预算数_元"] == "232300.0000" and jiaozuo["合计"]["预算数_万元"] == "23.230000"


def test_ledger_states_across_runs(tmp_path: Path) -> None:
    """New → pending; a run killed while a file was running → pending again, then failed after
    MAX_ATTEMPTS; changed bytes → pending with the old result dropped; a deleted file → gone."""
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(b"one")
    b.write_bytes(b"two")
    with Ledger(tmp_path / "jobs.sqlite") as ledger:
        keys = {str(a): "h1:v:offline", str(b): "h2:v:offline"}
        ledger.sync([str(a), str(b)], keys)
        assert [e.state for e in ledger.entries()] == ["pending", "pending"]
        ledger.finish([str(a)], Stored("h1:v:offline", "h1", 3, 0, 0, 0.5, zlib.compress(b'{"x": 1}')))
        for attempt in range(1, MAX_ATTEMPTS + 1):
            ledger.start([str(b)])  # then the job is killed
            ledger.sync([str(a), str(b)], keys)
            state = {e.path: e for e in ledger.entries()}[str(b)]
            assert (state.state, state.attempts) == (
                ("pending", attempt) if attempt < MAX_ATTEMPTS else ("failed", attempt)
            )
        assert state.reason == "crashed" and state.message and state.message.startswith("b.pdf")
        assert ledger.result("h1:v:offline") is not None
        keys[str(a)] = "h3:v:offline"  # a.pdf changed
        ledger.sync([str(a), str(b)], keys)
        entry = {e.path: e for e in ledger.entries()}[str(a)]
        assert (entry.state, entry.result_key, entry.attempts) == ("pending", None, 0)
        assert ledger.result("h1:v:offline") is None  # no file refers to it any more
        b.unlink()
        ledger.sync([str(a)], keys)
        assert [e.path for e in ledger.entries()] == [str(a)]


def test_the_ray_engine_gives_the_same_outputs_as_the_local_one(tmp_path: Path) -> None:
    """--engine ray on a local Ray (2 CPUs): the same per-file task as Ray tasks, the driver writing;
    every output equal to the local engine's but for the timings."""
    pytest.importorskip("ray")
    inputs = tmp_path / "in"
    inputs.mkdir()
    small = [p for p in GOOD if p.stem.startswith(("jiefangqu", "zhumadian"))]  # the two quickest to read
    for src in small:
        (inputs / src.name).write_bytes(src.read_bytes())
    change_one_page(small[0], inputs / "changed.pdf", "甲")
    (inputs / "copy.pdf").write_bytes(small[-1].read_bytes())
    for name in ("encrypted.pdf",):
        (inputs / name).write_bytes((FIXTURES / "bad" / name).read_bytes())
    runs = {}
    for engine in ("local", "ray"):
        out = tmp_path / engine
        cmd = batch_command([inputs], out, "--engine", engine, "--workers", "2")
        done = subprocess.run(
            cmd,
            env=env_for(tmp_path / f"data-{engine}"),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"引擎 {engine}，2 路并行" in done.stderr
        runs[engine] = out
    timing = ("seconds", "attempts")
    status = {
        e: [{k: v for k, v in r.items() if k not in timing} for r in read_csv(o / "status.csv")]
        for e, o in runs.items()
    }
    assert status["local"] == status["ray"] and len(status["ray"]) == 5
    for name in ["facts.csv", *(f"tables/{p.name}" for p in (runs["local"] / "tables").glob("*.csv"))]:
        assert (runs["local"] / name).read_bytes() == (runs["ray"] / name).read_bytes(), name


def test_llm_tokens_are_summed_over_the_dataset_and_priced_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary's tokens come from the stored results (a copy counts once per file, as it was
    paid once per file's content); the cost from the price table in settings, Decimal, HALF_UP."""
    from service.batch.progress import cost_usd

    files = [tmp_path / f"{n}.pdf" for n in range(3)]
    for f in files:
        f.write_bytes(b"x")
    summary = '{"doc_id": "d", "pages": 2, "facts": 0, "errors": 0, "warnings": 1, "residues": 0}'
    with Ledger(tmp_path / "out" / "jobs.sqlite") as ledger:
        ledger.sync([str(f) for f in files], {str(f): f"h{n}:v:auto" for n, f in enumerate(files)})
        ledger.finish(
            [str(files[0])], Stored("h0:v:auto", "d", 2, 1200, 300, 1.0, zlib.compress(b"{}"), summary)
        )
        ledger.finish(
            [str(files[1])], Stored("h1:v:auto", "d", 2, 800, 100, 1.0, zlib.compress(b"{}"), summary)
        )
        ledger.fail([(str(files[2]), "2.pdf: LLM 不可用（llm）")], "llm", 0.1)
        built = outputs.rebuild(ledger, tmp_path / "out")
    assert (built.input_tokens, built.output_tokens, built.files_done, built.files_failed) == (
        2000,
        400,
        2,
        1,
    )
    assert built.failed_by_reason == {"llm": 1} and built.pages == 4 and built.findings["warning"] == 2
    monkeypatch.setenv("BUDGETQA_LLM_PRICES", '{"gpt-4o-mini": [0.15, 0.6]}')  # as a user sets it
    settings = Settings(BUDGETQA_CHAT_MODEL="gpt-4o-mini")
    assert str(cost_usd(settings, built.input_tokens, built.output_tokens)) == "0.0005"  # 0.00030 + 0.00024
    assert cost_usd(Settings(BUDGETQA_CHAT_MODEL="unpriced-model"), 1, 1) is None


def test_a_second_job_on_the_same_outdir_is_refused_with_one_line(tmp_path: Path) -> None:
    import fcntl

    from service.errors import BudgetQAError

    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "a.pdf").write_bytes(GOOD[-1].read_bytes())
    with open(out / ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another job holds OUTDIR
        with pytest.raises(BudgetQAError, match="另一个 batch 任务"):
            job.run([tmp_path / "a.pdf"], out, Settings(BUDGETQA_DATA_DIR=tmp_path / "data"), llm="never")
    assert not (out / "jobs.sqlite").exists()
