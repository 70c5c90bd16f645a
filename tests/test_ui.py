"""The Gradio page builds and its search handler returns cited pages."""

from __future__ import annotations

import pytest

from service.config import get_settings


def test_ui_search_returns_rows_with_pages(shared_index, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, _, doc_ids = shared_index
    monkeypatch.setenv("BUDGETQA_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        import ui

        demo = ui.build()
        assert demo is not None
        choices = ui.document_choices()
        assert choices[0] == ui.ALL and len(choices) == 5
        jiaozuo = next(c for c in choices if doc_ids["jiaozuo_2021_final"] in c)
        rows = ui.search("机关运行经费", jiaozuo, 3)
        assert len(rows) == 3 and all(r[1] == "jiaozuo_2021_final.pdf" for r in rows)
        assert "18" in [r[2] for r in rows]
        assert ui.search("  ", ui.ALL, 3) == []
    finally:
        get_settings.cache_clear()
