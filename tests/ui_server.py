"""The chat app with the test stand-in engine (tests/fake_engine.py), for the browser test until
the real engine is installed: python tests/ui_server.py PORT."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from fake_engine import FactEngine  # noqa: E402

import ui  # noqa: E402

if __name__ == "__main__":
    ui.launch("127.0.0.1", int(sys.argv[1]), engine_factory=FactEngine)
