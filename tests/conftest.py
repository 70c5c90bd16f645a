"""Test set-up: offline by construction. Any connection that leaves the machine fails the test."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.update(
    HF_HUB_OFFLINE="1",
    GRADIO_ANALYTICS_ENABLED="False",
    ANONYMIZED_TELEMETRY="False",
    HF_HUB_DISABLE_TELEMETRY="1",
    PYMUPDF_SUGGEST_LAYOUT_ANALYZER="0",
)
for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BUDGETQA_DATA_DIR", "BUDGETQA_EMBEDDER"):
    os.environ.pop(key, None)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "eval" / "fixtures"
BAD = FIXTURES / "bad"
NAMES = ["jiaozuo_2021_final", "jiefangqu_2023_final", "yangquan_2022_final", "zhumadian_2024_budget"]
sys.path.insert(0, str(ROOT))


def _local(host: object) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _no_network(event: str, args: tuple) -> None:
    if event == "socket.connect" and args[0].family in (socket.AF_INET, socket.AF_INET6):
        if not _local(args[1][0]):
            raise ConnectionRefusedError(f"tests make no outside connections (tried {args[1]})")
    elif event == "socket.getaddrinfo" and not _local(args[0]):
        raise ConnectionRefusedError(f"tests make no outside connections (looked up {args[0]})")


sys.addaudithook(_no_network)


@pytest.fixture(scope="session")
def fixture_pdfs() -> dict[str, Path]:
    return {name: FIXTURES / f"{name}.pdf" for name in NAMES}


@pytest.fixture(scope="session")
def documents(fixture_pdfs: dict[str, Path]) -> dict:
    from service import pdf

    return {name: pdf.read_pdf(path) for name, path in fixture_pdfs.items()}


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory: pytest.TempPathFactory, fixture_pdfs: dict[str, Path]) -> Iterator[tuple]:
    """The four fixtures ingested once into a temporary data directory: (settings, index, doc ids)."""
    from service import ingest
    from service.config import Settings
    from service.index import Index

    settings = Settings(BUDGETQA_DATA_DIR=tmp_path_factory.mktemp("data"))
    outcomes = ingest.ingest(list(fixture_pdfs.values()), settings)
    yield settings, Index(settings), {o.path.stem: o.doc_id for o in outcomes}
