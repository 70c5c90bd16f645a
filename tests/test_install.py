"""`pip install .` (not only editable) ships every package and the package data: the prompts, the
JSON Schemas, the checker and extractor subpackages; the installed copy runs from outside the repo."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_the_code_and_its_data_and_runs_installed(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
    )
    (wheel,) = wheels.glob("budgetqa-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"prompts/extract_table.v1.md", "prompts/extract_performance.v1.md", "ui.py"} <= names
    assert {"service/check/__init__.py", "service/extract/assisted.py", "service/worker.py"} <= names
    assert "schemas/json/Report.schema.json" in names
    assert {"service/qa/lexicon.json", "prompts/answer.v1.md"} <= names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    code = (
        "import service, prompts; from service import prompting, store; "
        "print(service.__file__); print(prompting.load('extract_table').key); print(store.VERSION); "
        "from service.qa import lexicon; print(len(lexicon.load().synonyms) > 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,  # not the repo: nothing is imported from the working tree
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    assert out[0].startswith(str(target)) and out[1] == "extract_table.v1" and len(out[2]) == 12
    assert out[3] == "True"  # the answer lexicon is package data of the installed copy
